using Segmenta.Model;
using Segmenta.Sql;

namespace Segmenta.Warehouse;

/// <summary>
/// The SQL every warehouse's load runs at commit, once for all adapters: each adapter stages the run's
/// rows its own fastest way (DuckDB's Appender, PostgreSQL's binary COPY) into tables with these shapes,
/// then runs these statements in the run's transaction.
/// </summary>
public static class LoadStatements
{
    /// <summary>
    /// Updates customers whose staged row differs (null: the stage has no column besides the id).
    /// The stage holds <paramref name="columns"/>, one row per customer. With <paramref name="keepMissing"/>,
    /// a staged null keeps the stored value instead of erasing it.
    /// </summary>
    public static string? UpdateChangedCustomers(ISqlDialect dialect, string stage, IReadOnlyList<FieldDefinition> columns, bool keepMissing = false)
    {
        ArgumentNullException.ThrowIfNull(dialect);
        ArgumentNullException.ThrowIfNull(columns);
        var names = columns.Select(c => c.Name).Where(n => n != CanonicalModel.CustomerId).Select(dialect.QuoteIdentifier).ToList();
        if (names.Count == 0)
        {
            return null;
        }

        if (keepMissing)
        {
            return $"""
                UPDATE customers c SET {string.Join(", ", names.Select(n => $"{n} = coalesce(s.{n}, c.{n})"))} FROM {stage} s
                WHERE c.customer_id = s.customer_id AND ({string.Join(" OR ", names.Select(n => $"(s.{n} IS NOT NULL AND c.{n} IS DISTINCT FROM s.{n})"))})
                """;
        }

        return $"""
            UPDATE customers c SET {string.Join(", ", names.Select(n => $"{n} = s.{n}"))} FROM {stage} s
            WHERE c.customer_id = s.customer_id AND ({string.Join(" OR ", names.Select(n => $"c.{n} IS DISTINCT FROM s.{n}"))})
            """;
    }

    /// <summary>Inserts the staged customers that are not stored yet.</summary>
    public static string InsertNewCustomers(ISqlDialect dialect, string stage, IReadOnlyList<FieldDefinition> columns)
    {
        ArgumentNullException.ThrowIfNull(dialect);
        ArgumentNullException.ThrowIfNull(columns);
        var all = string.Join(", ", columns.Select(c => dialect.QuoteIdentifier(c.Name)));
        return $"""
            INSERT INTO customers ({all})
            SELECT {all} FROM {stage} s
            WHERE NOT EXISTS (SELECT 1 FROM customers c WHERE c.customer_id = s.customer_id)
            """;
    }

    /// <summary>Creates a bare customer for every id in <paramref name="rows"/> (a FROM item aliased <c>e</c>, with a <c>customer_id</c>) not stored yet.</summary>
    public static string InsertBareCustomers(string rows) => $"""
        INSERT INTO customers (customer_id)
        SELECT DISTINCT e.customer_id FROM {rows}
        WHERE NOT EXISTS (SELECT 1 FROM customers c WHERE c.customer_id = e.customer_id)
        """;

    /// <summary>Adds the staged quarantine rows (line, reason, raw) an earlier run did not already set aside. Parameters: run id, source.</summary>
    public static string InsertQuarantine(string stage) => $"""
        INSERT INTO quarantine (run_id, source, line, reason, raw)
        SELECT $1, $2, s.line, s.reason, s.raw FROM {stage} s
        WHERE NOT EXISTS (SELECT 1 FROM quarantine q WHERE q.source = $2 AND q.line = s.line AND q.raw = s.raw)
        ORDER BY s.line
        """;

    /// <summary>The statement recording a run; its parameters come from <see cref="RunParameters"/>.</summary>
    public const string InsertRun = """
        INSERT INTO ingest_runs (run_id, table_name, source, mapping, started_at, finished_at, records_read, loaded, quarantined, duplicates, skipped)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
        """;

    /// <summary>The values of <see cref="InsertRun"/>.</summary>
    public static object?[] RunParameters(long runId, IngestLoadRequest request, IngestSummary soFar, long loaded, long duplicates, DateTime finishedAt)
    {
        ArgumentNullException.ThrowIfNull(request);
        return [runId, CanonicalModel.TableName(request.Table), request.Source, request.Mapping, request.StartedAt, finishedAt, soFar.Read, loaded, soFar.Quarantined, duplicates, soFar.Skipped];
    }
}
