using Segmenta.Warehouse;
using Segmenta.Workspaces;

namespace Segmenta.DuckDb;

/// <summary>The embedded warehouse: a DuckDB file in the workspace (<c>warehouse.backend: duckdb</c>, the default).</summary>
public sealed class DuckDbBackend : IWarehouseBackend
{
    /// <inheritdoc />
    public string Name => "duckdb";

    /// <inheritdoc />
    public IWarehouse Open(Workspace workspace, bool create)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        return DuckDbWarehouse.Open(workspace.WarehousePath, memoryLimit: workspace.Settings.Warehouse.MemoryLimit);
    }

    /// <inheritdoc />
    public bool IsDriverException(Exception exception) => exception is DuckDB.NET.Data.DuckDBException;
}
