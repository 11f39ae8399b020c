using System.Collections.Concurrent;
using Segmenta.Warehouse;
using Segmenta.Workspaces;

namespace Segmenta.Server.Hosting;

/// <summary>
/// The host's warehouse connections. Writes (a refresh, a launch, saving a segment) take the writer connection in turn.
/// Collection flushes take a connection of their own, so an acknowledgement does not wait for a refresh: they append
/// events and upsert customers, which nothing else in the host writes, so the two never conflict. Reads (every GET, a
/// segment check or preview) take one of up to <see cref="MaxReaders"/> reader connections and never queue behind a
/// write: DuckDB and PostgreSQL give each reader the last committed state (MVCC). A backend without further connections
/// shares the writer's. A request that gives up while queued never touches the warehouse.
/// </summary>
internal sealed class WarehouseAccess(Workspace workspace, IWarehouse warehouse, TimeProvider time, bool owned = true) : IDisposable
{
    /// <summary>Reader connections at most (each read runs on a request thread).</summary>
    public static readonly int MaxReaders = Math.Clamp(Environment.ProcessorCount, 2, 8);

    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly OwnConnection collection = new();
    private readonly OwnConnection dispatch = new();
    private readonly SemaphoreSlim readSlots = new(MaxReaders, MaxReaders);
    private readonly ConcurrentBag<IWarehouse> idleReaders = [];
    private readonly ConcurrentQueue<IWarehouse> openedReaders = new();
    private bool noConnections;
    private int disposed;

    public Workspace Workspace { get; } = workspace;

    public WorkspaceSettings Settings => Workspace.Settings;

    public TimeProvider Time { get; } = time;

    /// <summary>Runs <paramref name="work"/>, which may write, with the writer connection once it is free.</summary>
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

    /// <summary>Runs a collection flush on the collection connection, beside the writer's work.</summary>
    public Task<T> Collect<T>(Func<IWarehouse, T> work, CancellationToken cancellation) => OnOwnConnection(collection, work, cancellation);

    /// <summary>
    /// Runs destination work (a sync, webhook deliveries) on a connection of its own, beside the writer's and the collector's:
    /// it reads the committed membership history and writes only the destination tables, so it neither waits for a refresh
    /// nor holds one up while a receiver is slow.
    /// </summary>
    public Task<T> Dispatch<T>(Func<IWarehouse, T> work, CancellationToken cancellation) => OnOwnConnection(dispatch, work, cancellation);

    private async Task<T> OnOwnConnection<T>(OwnConnection own, Func<IWarehouse, T> work, CancellationToken cancellation)
    {
        await own.Gate.WaitAsync(cancellation).ConfigureAwait(false);
        try
        {
            own.Connection ??= OpenConnection();
            return own.Connection is null ? await Use(work, cancellation).ConfigureAwait(false) : work(own.Connection);
        }
        finally
        {
            own.Gate.Release();
        }
    }

    /// <summary>A connection kept for one kind of work, taken in turn.</summary>
    private sealed class OwnConnection
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public IWarehouse? Connection { get; set; }
    }

    /// <summary>
    /// Runs <paramref name="work"/> with the writer connection while no collection flush runs either (the gates in the
    /// order <see cref="Collect"/> takes them): for work that deletes what flushes append to, an erasure.
    /// </summary>
    public async Task<T> Exclusive<T>(Func<IWarehouse, T> work, CancellationToken cancellation)
    {
        await collection.Gate.WaitAsync(cancellation).ConfigureAwait(false);
        try
        {
            return await Use(work, cancellation).ConfigureAwait(false);
        }
        finally
        {
            collection.Gate.Release();
        }
    }

    /// <summary>Runs <paramref name="work"/>, which only reads, on a reader connection: it does not wait for writes.</summary>
    public async Task<T> Read<T>(Func<IWarehouse, T> work, CancellationToken cancellation)
    {
        await readSlots.WaitAsync(cancellation).ConfigureAwait(false);
        IWarehouse? reader = null;
        try
        {
            reader = TakeReader();
            return reader is null ? await Use(work, cancellation).ConfigureAwait(false) : work(reader);
        }
        finally
        {
            if (reader is not null)
            {
                idleReaders.Add(reader);
            }

            readSlots.Release();
        }
    }

    /// <summary>Whether an exception is the warehouse's own fault (disk full, connection lost): 503, retry later.</summary>
    public bool IsFault(Exception exception) => warehouse.IsFault(exception);

    private IWarehouse? TakeReader()
    {
        if (idleReaders.TryTake(out var idle))
        {
            return idle;
        }

        // Opened on first need, kept for the next read.
        var reader = OpenConnection();
        if (reader is not null)
        {
            openedReaders.Enqueue(reader);
        }

        return reader;
    }

    /// <summary>Another connection to the warehouse, or null (and the backend is not asked again) when it has none to give.</summary>
    private IWarehouse? OpenConnection()
    {
        if (Volatile.Read(ref noConnections))
        {
            return null;
        }

        var connection = warehouse.OpenConnection();
        if (connection is null)
        {
            Volatile.Write(ref noConnections, true);
        }

        return connection;
    }

    /// <summary>Closes the connections (the writer only when the host owns it) once the work in progress is done; the host's container calls it when the host is disposed.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1)
        {
            return;
        }

        for (var i = 0; i < MaxReaders; i++)
        {
            readSlots.Wait();
        }

        gate.Wait();
        collection.Gate.Wait();
        dispatch.Gate.Wait();
        collection.Connection?.Dispose();
        dispatch.Connection?.Dispose();
        while (openedReaders.TryDequeue(out var reader))
        {
            reader.Dispose();
        }

        if (owned)
        {
            warehouse.Dispose();
        }

        gate.Dispose();
        collection.Gate.Dispose();
        dispatch.Gate.Dispose();
        readSlots.Dispose();
    }
}
