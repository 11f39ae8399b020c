using System.Globalization;
using Segmenta.DuckDb;
using Segmenta.Generation;
using Segmenta.Ingestion;
using Segmenta.Model;
using Segmenta.Sql;
using Segmenta.Testing;
using Segmenta.Warehouse;
using Segmenta.Workspaces;

namespace Segmenta.Contracts;

/// <summary>
/// A warehouse backend as the contract tests see it: how a fresh workspace points at a fresh
/// warehouse of this kind, how to open it, and how to throw it away.
/// </summary>
/// <param name="Name">duckdb, postgres, sharded postgres.</param>
/// <param name="Configure">Points new workspace settings at a fresh, empty warehouse.</param>
/// <param name="Open">Opens (creating) the workspace's warehouse.</param>
/// <param name="Drop">Removes what <paramref name="Configure"/> created, if anything outlives the workspace folder.</param>
internal sealed record Backend(string Name, Func<WorkspaceSettings, WorkspaceSettings> Configure, Func<Workspace, IWarehouse> Open, Action<Workspace> Drop)
{
    /// <summary>The embedded default: a DuckDB file in the workspace.</summary>
    public static Backend DuckDb { get; } = new("duckdb", s => s, w => DuckDbWarehouse.Open(w.WarehousePath), _ => { });

    public override string ToString() => Name;
}

/// <summary>A fresh workspace with its warehouse of one backend, and helpers to ingest and query it.</summary>
internal sealed class WarehouseFixture : IDisposable
{
    private readonly TempDir dir = TestPaths.NewTempDir();
    private readonly Backend backend;

    public WarehouseFixture(WorkspaceSettings? settings = null)
        : this(Backend.DuckDb, settings)
    {
    }

    public WarehouseFixture(Backend backend, WorkspaceSettings? settings = null)
    {
        this.backend = backend;
        Workspace = Workspace.Init(dir.Path, backend.Configure(settings ?? new WorkspaceSettings()));
        Warehouse = backend.Open(Workspace);
    }

    public Workspace Workspace { get; }

    public IWarehouse Warehouse { get; }

    public ISqlDialect Dialect => Warehouse.Dialect;

    public string Dir => dir.Path;

    public string Write(string name, string content) => dir.Write(name, content);

    /// <summary>Ingests a file; the summary's counts only (which reader took the file is WholeFileIngestTests' business).</summary>
    public IngestSummary Ingest(TableKind table, string file, string? mapping = null) =>
        new Ingestor(Warehouse, Workspace.Settings, TimeProvider.System, DuckDbParquetFiles.Instance).Run(new IngestRequest(table, file, mapping)) with { WholeFile = false };

    /// <summary>Generates a customer base into this fixture's folder and ingests its customers, then its events.</summary>
    public GeneratedBase IngestGenerated(GeneratorOptions options)
    {
        var generated = CustomerBaseGenerator.Write(options, Path.Combine(Dir, "data"));
        Ingest(TableKind.Customers, generated.CustomersFile);
        Ingest(TableKind.Events, generated.EventsFile);
        return generated;
    }

    /// <summary>The first column of every row, as text (SQL in the dialect both backends share: $n parameters).</summary>
    public List<string> Strings(string sql, params object?[] args)
    {
        var list = new List<string>();
        Warehouse.Read(new SqlStatement(sql, args), r => list.Add(Convert.ToString(r.GetValue(0), CultureInfo.InvariantCulture) ?? ""));
        return list;
    }

    public object? Scalar(string sql, params object?[] args)
    {
        object? value = null;
        Warehouse.Read(new SqlStatement(sql, args), r => value ??= r.IsDBNull(0) ? null : r.GetValue(0));
        return value;
    }

    public long Count(string sql, params object?[] args) => Convert.ToInt64(Scalar(sql, args), CultureInfo.InvariantCulture);

    public void Dispose()
    {
        Warehouse.Dispose();
        backend.Drop(Workspace);
        dir.Dispose();
    }
}
