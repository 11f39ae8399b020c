using Segmenta.Warehouse;
using Segmenta.Workspaces;

namespace Segmenta.Server.Hosting;

/// <summary>
/// The host's one warehouse connection, used by one request at a time: DuckDB has a single writer per
/// file and a connection is not shared between threads, so requests, the event collector's flushes and
/// scheduled refreshes queue here. A request that gives up while queued never touches the warehouse.
/// </summary>
internal sealed class WarehouseAccess(Workspace workspace, IWarehouse warehouse, TimeProvider time, bool owned = true) : IDisposable
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private int disposed;

    public Workspace Workspace { get; } = workspace;

    public WorkspaceSettings Settings => Workspace.Settings;

    public TimeProvider Time { get; } = time;

    /// <summary>Runs <paramref name="work"/> with the warehouse once it is free.</summary>
    public async Task<T> Use<T>(Func<IWarehouse, T> work, CancellationToken cancellation)
    {
        await gate.WaitAsync(cancellation).ConfigureAwait(false);
        try
        {
            return work(warehouse);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Whether an exception is the warehouse's own fault (disk full, connection lost): 503, retry later.</summary>
    public bool IsFault(Exception exception) => warehouse.IsFault(exception);

    /// <summary>Closes the warehouse (when the host owns it) once the work in progress is done; the host's container calls it when the host is disposed.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1)
        {
            return;
        }

        gate.Wait();
        if (owned)
        {
            warehouse.Dispose();
        }

        gate.Dispose();
    }
}
