using Segmenta.Model;
using Segmenta.Sql;
using Segmenta.Warehouse;

namespace Segmenta.DuckDb;

/// <summary>
/// The statements only DuckDB runs: the load's temporary stages and its duplicate checks (which use DuckDB's
/// <c>rowid</c>), the catalog read, and Parquet through <c>COPY</c> and <c>read_parquet</c>. Identifiers are quoted
/// by <see cref="DuckDbDialect"/>; values are parameters, but for <c>COPY</c>'s file paths, which DuckDB takes only
/// as literals (written by <see cref="SqlDdl.StringLiteral"/>).
/// </summary>
internal static class DuckDbSql
{
    private static readonly DuckDbDialect D = DuckDbDialect.Instance;

    /// <summary>A table's columns and types in table order (parameter 1: the table).</summary>
    public const string TableColumns =
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'main' AND table_name = $1 ORDER BY ordinal_position";

    /// <summary>(Re)creates a temporary stage with the columns given as <c>name type</c> definitions.</summary>
    public static string CreateStage(string stage, IEnumerable<string> columns) =>
        $"CREATE OR REPLACE TEMP TABLE {D.QuoteIdentifier(stage)} ({string.Join(", ", columns)})";

    /// <summary>The stage of a run's quarantined rows.</summary>
    public static string CreateQuarantineStage(string stage) =>
        CreateStage(stage, [$"line {D.TypeName(FieldType.Integer)}", $"reason {D.TypeName(FieldType.Text)}", $"raw {D.TypeName(FieldType.Text)}"]);

    /// <summary>The stage of a run's customers, with the run's columns.</summary>
    public static string CreateCustomerStage(string stage, IEnumerable<FieldDefinition> columns) =>
        CreateStage(stage, columns.Select(c => $"{D.QuoteIdentifier(c.Name)} {D.TypeName(c.Type)}"));

    /// <summary>Drops a temporary stage if it exists.</summary>
    public static string DropStage(string stage) => $"DROP TABLE IF EXISTS temp.main.{D.QuoteIdentifier(stage)}";

    /// <summary>The run's customers, as a FROM item aliased <c>e</c> (parameter 1: the run).</summary>
    public static string RunCustomers() =>
        $"(SELECT customer_id FROM {D.QuoteIdentifier(Tables.Events)} WHERE {WarehouseSchema.IngestRunColumn} = $1) e";

    /// <summary>How many of the run's events repeat an id of the same run (parameter 1: the run).</summary>
    public static string RepeatsWithinRun() =>
        $"SELECT count(*) - count(DISTINCT event_id) FROM {D.QuoteIdentifier(Tables.Events)} WHERE {WarehouseSchema.IngestRunColumn} = $1";

    /// <summary>Deletes all but the first of the run's events with the same id (parameter 1: the run).</summary>
    public static string DeleteRepeatsWithinRun()
    {
        var events = D.QuoteIdentifier(Tables.Events);
        var run = WarehouseSchema.IngestRunColumn;
        return $"""
            DELETE FROM {events} WHERE {run} = $1 AND rowid NOT IN (
                SELECT min(rowid) FROM {events} WHERE {run} = $1 GROUP BY event_id)
            """;
    }

    /// <summary>
    /// Deletes the run's events whose id an earlier run stored (parameter 1: the run). The run's ids are the small side
    /// of the join (a collection flush appends thousands of events to a table of millions): the stored ids are probed
    /// against them, never hashed whole, and the join's min/max filter lets DuckDB skip row groups outside the run's id
    /// range. On 10M stored events a flush of 8,000 took 0.8 s with the stored ids hashed, 0.2 s probed (bench/results/server.md).
    /// </summary>
    public static string DeleteStoredRepeats()
    {
        var events = D.QuoteIdentifier(Tables.Events);
        var run = WarehouseSchema.IngestRunColumn;
        return $"""
            DELETE FROM {events} WHERE {run} = $1 AND event_id IN (
                SELECT o.event_id FROM {events} o
                WHERE o.{run} <> $1 AND o.event_id IN (SELECT event_id FROM {events} WHERE {run} = $1))
            """;
    }

    /// <summary>Writes a query's rows to a zstd-compressed Parquet file.</summary>
    public static string CopyToParquet(string query, string path) =>
        $"COPY ({query}) TO {SqlDdl.StringLiteral(Path.GetFullPath(path))} (FORMAT parquet, COMPRESSION zstd)";

    /// <summary>Converts a CSV file with a header to Parquet (types detected by DuckDB).</summary>
    public static string CsvToParquet(string csvPath, string parquetPath) =>
        CopyToParquet($"SELECT * FROM read_csv({SqlDdl.StringLiteral(csvPath)}, header = true)", parquetPath);

    /// <summary>Creates a table with the columns given as <c>name type</c> definitions.</summary>
    public static string CreateTable(string table, IEnumerable<string> columns) =>
        $"CREATE TABLE {D.QuoteIdentifier(table)} ({string.Join(", ", columns)})";

    /// <summary>A table's rows.</summary>
    public static string All(string table) => $"SELECT * FROM {D.QuoteIdentifier(table)}";

    /// <summary>A Parquet file's rows (parameter 1: the path).</summary>
    public const string ReadParquet = "SELECT * FROM read_parquet($1)";

    /// <summary>A Parquet file's row count (parameter 1: the path).</summary>
    public const string CountParquet = "SELECT count(*) FROM read_parquet($1)";
}
