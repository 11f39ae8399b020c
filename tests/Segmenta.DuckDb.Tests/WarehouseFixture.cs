using Segmenta.Ingestion;
using Segmenta.Model;
using Segmenta.Testing;
using Segmenta.Warehouse;
using Segmenta.Workspaces;

namespace Segmenta.DuckDb.Tests;

/// <summary>A fresh workspace with its DuckDB warehouse, and helpers to ingest and query it.</summary>
internal sealed class WarehouseFixture : IDisposable
{
    private readonly TempDir dir = TestPaths.NewTempDir();

    public WarehouseFixture(WorkspaceSettings? settings = null)
    {
        Workspace = Workspace.Init(dir.Path, settings);
        Warehouse = DuckDbWarehouse.Open(Workspace.WarehousePath);
    }

    public Workspace Workspace { get; }

    public DuckDbWarehouse Warehouse { get; private set; }

    public string Dir => dir.Path;

    public string Write(string name, string content) => dir.Write(name, content);

    public IngestSummary Ingest(TableKind table, string file, string? mapping = null) =>
        new Ingestor(Warehouse, Workspace.Settings, TimeProvider.System, DuckDbParquetSource.Open).Run(new IngestRequest(table, file, mapping));

    public long Count(string sql, params object?[] args) => Convert.ToInt64(Warehouse.Scalar(sql, args), System.Globalization.CultureInfo.InvariantCulture);

    public object? Scalar(string sql, params object?[] args) => Warehouse.Scalar(sql, args);

    public void Reopen()
    {
        Warehouse.Dispose();
        Warehouse = DuckDbWarehouse.Open(Workspace.WarehousePath);
    }

    public void Dispose()
    {
        Warehouse.Dispose();
        dir.Dispose();
    }
}
