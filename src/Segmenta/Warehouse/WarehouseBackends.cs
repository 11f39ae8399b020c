using Segmenta.Workspaces;

namespace Segmenta.Warehouse;

/// <summary>A warehouse an adapter can open: its name in segmenta.yaml (<c>warehouse.backend</c>) and how it opens a workspace's.</summary>
public interface IWarehouseBackend
{
    /// <summary>The name <c>warehouse.backend</c> gives it (duckdb, postgres).</summary>
    string Name { get; }

    /// <summary>Opens the workspace's warehouse, migrated to the current schema; <paramref name="create"/> also creates a missing database.</summary>
    IWarehouse Open(Workspace workspace, bool create);

    /// <summary>Whether <paramref name="exception"/> comes from this backend's driver (a failure of the warehouse, not of Segmenta's rules).</summary>
    bool IsDriverException(Exception exception);
}

/// <summary>
/// The backends a host offers: the backend choice made once, by the
/// workspace's settings, for every host (the CLI, the server, the benchmarks). A host lists its adapters here and
/// asks for a warehouse; it never switches on the backend's name itself.
/// </summary>
public sealed class WarehouseBackends
{
    private readonly Dictionary<string, IWarehouseBackend> byName;

    /// <summary>Offers <paramref name="backends"/> (a backend that exports Parquet is given its <c>IParquetFiles</c> by the host that composes it).</summary>
    public WarehouseBackends(IEnumerable<IWarehouseBackend> backends)
    {
        ArgumentNullException.ThrowIfNull(backends);
        byName = backends.ToDictionary(b => b.Name, StringComparer.Ordinal);
    }

    /// <summary>The backends' names.</summary>
    public IReadOnlyList<string> Names => [.. byName.Keys.Order(StringComparer.Ordinal)];

    /// <summary>
    /// Whether <paramref name="exception"/> comes from one of the backends' drivers: a host reports it as the warehouse
    /// failing (the CLI's exit 3) without naming any driver's exception types.
    /// </summary>
    public bool IsDriverException(Exception exception) => byName.Values.Any(b => b.IsDriverException(exception));

    /// <summary>Opens the warehouse <paramref name="workspace"/>'s settings name.</summary>
    public IWarehouse Open(Workspace workspace, bool create = false)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        var name = workspace.Settings.Warehouse.Backend;
        return byName.TryGetValue(name, out var backend)
            ? backend.Open(workspace, create)
            : throw new WorkspaceException($"warehouse.backend `{name}` is not offered here; expected {string.Join(" or ", Names)}");
    }
}
