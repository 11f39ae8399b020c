using Segmenta.Model;
using Segmenta.Sql;

namespace Segmenta.Warehouse;

/// <summary>
/// Every statement of the warehouse's own bookkeeping, written once for all adapters: the schema's version record,
/// what a load runs at commit (each adapter stages the run's rows its own fastest way, DuckDB's Appender or
/// PostgreSQL's binary COPY, into tables of these shapes, then runs these in the run's transaction), the stored
/// analyses' runs, and the reads of quarantine, ingest runs and the summary. Tables are named through
/// <see cref="Tables"/> and quoted by the dialect; values are parameters (the load's statements take theirs
/// positionally, as documented on each).
/// </summary>
public static class WarehouseSql
{
    /// <summary>Creates the table of applied schema versions if the warehouse has none yet.</summary>
    public static string CreateSchemaVersions(ISqlDialect d)
    {
        ArgumentNullException.ThrowIfNull(d);
        return $"CREATE TABLE IF NOT EXISTS {d.QuoteIdentifier(Tables.SchemaVersions)} (version {d.TypeName(FieldType.Integer)} PRIMARY KEY, description {d.TypeName(FieldType.Text)} NOT NULL)";
    }

    /// <summary>The newest applied schema version (0 when none is).</summary>
    public static string SchemaVersion(ISqlDialect d)
    {
        ArgumentNullException.ThrowIfNull(d);
        return $"SELECT coalesce(max(version), 0) FROM {d.QuoteIdentifier(Tables.SchemaVersions)}";
    }

    /// <summary>A row when the version (parameter 1) is applied.</summary>
    public static string HasSchemaVersion(ISqlDialect d)
    {
        ArgumentNullException.ThrowIfNull(d);
        return $"SELECT 1 FROM {d.QuoteIdentifier(Tables.SchemaVersions)} WHERE version = {d.Parameter(1)}";
    }

    /// <summary>Records an applied version (parameter 1) with its description (parameter 2).</summary>
    public static string RecordSchemaVersion(ISqlDialect d)
    {
        ArgumentNullException.ThrowIfNull(d);
        return $"INSERT INTO {d.QuoteIdentifier(Tables.SchemaVersions)} VALUES ({d.Parameter(1)}, {d.Parameter(2)})";
    }

    /// <summary>The next ingest run's number.</summary>
    public static string NextIngestRun(ISqlDialect d)
    {
        ArgumentNullException.ThrowIfNull(d);
        return $"SELECT coalesce(max(run_id), 0) + 1 FROM {d.QuoteIdentifier(Tables.IngestRuns)}";
    }

    /// <summary>A row when <paramref name="table"/> has any.</summary>
    public static string AnyRow(ISqlDialect d, string table)
    {
        ArgumentNullException.ThrowIfNull(d);
        return $"SELECT 1 FROM {d.QuoteIdentifier(table)} LIMIT 1";
    }

    /// <summary>Adds a column to <paramref name="table"/> unless it has one of that name (a mapping's new trait).</summary>
    public static string AddColumn(ISqlDialect d, string table, FieldDefinition column)
    {
        ArgumentNullException.ThrowIfNull(d);
        ArgumentNullException.ThrowIfNull(column);
        return $"ALTER TABLE {d.QuoteIdentifier(table)} ADD COLUMN IF NOT EXISTS {d.QuoteIdentifier(column.Name)} {d.TypeName(column.Type)}";
    }

    /// <summary>
    /// Updates customers whose staged row differs (null: the stage has no column besides the id).
    /// The stage (a table's name) holds <paramref name="columns"/>, one row per customer. With <paramref name="keepMissing"/>,
    /// a staged null keeps the stored value instead of erasing it.
    /// </summary>
    public static string? UpdateChangedCustomers(ISqlDialect d, string stage, IReadOnlyList<FieldDefinition> columns, bool keepMissing = false)
    {
        ArgumentNullException.ThrowIfNull(d);
        ArgumentNullException.ThrowIfNull(columns);
        var names = columns.Select(c => c.Name).Where(n => n != CanonicalModel.CustomerId && !CanonicalModel.IsCustomerLink(n)).Select(d.QuoteIdentifier).ToList();
        if (names.Count == 0)
        {
            return null;
        }

        var customers = d.QuoteIdentifier(Tables.Customers);
        stage = d.QuoteIdentifier(stage);
        if (keepMissing)
        {
            return $"""
                UPDATE {customers} c SET {string.Join(", ", names.Select(n => $"{n} = coalesce(s.{n}, c.{n})"))} FROM {stage} s
                WHERE c.customer_id = s.customer_id AND ({string.Join(" OR ", names.Select(n => $"(s.{n} IS NOT NULL AND c.{n} IS DISTINCT FROM s.{n})"))})
                """;
        }

        return $"""
            UPDATE {customers} c SET {string.Join(", ", names.Select(n => $"{n} = s.{n}"))} FROM {stage} s
            WHERE c.customer_id = s.customer_id AND ({string.Join(" OR ", names.Select(n => $"c.{n} IS DISTINCT FROM s.{n}"))})
            """;
    }

    /// <summary>
    /// Inserts the staged customers (<paramref name="stage"/>: a table's name) that are not stored yet; with
    /// <paramref name="anyStored"/> false (the table was empty when the run began) every staged one, unchecked.
    /// </summary>
    public static string InsertNewCustomers(ISqlDialect d, string stage, IReadOnlyList<FieldDefinition> columns, bool anyStored = true)
    {
        ArgumentNullException.ThrowIfNull(d);
        ArgumentNullException.ThrowIfNull(columns);
        // Identity links (an anonymous id and when) are staged with the profile but are not traits.
        var all = string.Join(", ", columns.Where(c => !CanonicalModel.IsCustomerLink(c.Name)).Select(c => d.QuoteIdentifier(c.Name)));
        var customers = d.QuoteIdentifier(Tables.Customers);
        return $"""
            INSERT INTO {customers} ({all})
            SELECT {all} FROM {d.QuoteIdentifier(stage)} s
            {(anyStored ? $"WHERE NOT EXISTS (SELECT 1 FROM {customers} c WHERE c.customer_id = s.customer_id)" : "")}
            """;
    }

    /// <summary>Creates a bare customer for every id in <paramref name="rows"/> (a FROM item aliased <c>e</c>, with a <c>customer_id</c>) not stored yet.</summary>
    public static string InsertBareCustomers(ISqlDialect d, string rows)
    {
        ArgumentNullException.ThrowIfNull(d);
        var customers = d.QuoteIdentifier(Tables.Customers);
        return $"""
            INSERT INTO {customers} (customer_id)
            SELECT n.customer_id FROM (SELECT DISTINCT e.customer_id FROM {rows}) n
            WHERE NOT EXISTS (SELECT 1 FROM {customers} c WHERE c.customer_id = n.customer_id)
            """;
    }

    /// <summary>Adds the staged quarantine rows (line, reason, raw; <paramref name="stage"/>: a table's name) an earlier run did not already set aside. Parameters: run id, source.</summary>
    public static string InsertQuarantine(ISqlDialect d, string stage)
    {
        ArgumentNullException.ThrowIfNull(d);
        var quarantine = d.QuoteIdentifier(Tables.Quarantine);
        return $"""
            INSERT INTO {quarantine} (run_id, source, line, reason, raw)
            SELECT {d.Parameter(1)}, {d.Parameter(2)}, s.line, s.reason, s.raw FROM {d.QuoteIdentifier(stage)} s
            WHERE NOT EXISTS (SELECT 1 FROM {quarantine} q WHERE q.source = {d.Parameter(2)} AND q.line = s.line AND q.raw = s.raw)
            ORDER BY s.line
            """;
    }

    /// <summary>The statement recording an ingest run; its parameters come from <see cref="RunParameters"/>.</summary>
    public static string InsertRun(ISqlDialect d)
    {
        ArgumentNullException.ThrowIfNull(d);
        return $"""
            INSERT INTO {d.QuoteIdentifier(Tables.IngestRuns)} (run_id, table_name, source, mapping, started_at, finished_at, records_read, loaded, quarantined, duplicates, skipped, suppressed)
            VALUES ({string.Join(", ", Enumerable.Range(1, 12).Select(d.Parameter))})
            """;
    }

    /// <summary>The values of <see cref="InsertRun"/>.</summary>
    public static object?[] RunParameters(long runId, IngestLoadRequest request, IngestSummary soFar, long loaded, long duplicates, DateTime finishedAt)
    {
        ArgumentNullException.ThrowIfNull(request);
        return [runId, CanonicalModel.TableName(request.Table), request.Source, request.Mapping, request.StartedAt, finishedAt, soFar.Read, loaded, soFar.Quarantined, duplicates, soFar.Skipped, soFar.Suppressed];
    }

    /// <summary>
    /// The statements that replace an analysis's rows at <paramref name="asOf"/> in <paramref name="table"/>
    /// with <paramref name="writeRows"/> (a query whose columns follow <paramref name="columns"/>, after
    /// <c>as_of</c>), and record the run.
    /// </summary>
    public static IReadOnlyList<SqlStatement> ReplaceAnalysis(
        ISqlDialect d,
        string analysis,
        string table,
        IReadOnlyList<string> columns,
        Action<SqlBuilder> writeRows,
        DateTime asOf,
        DateTime computedAt,
        string options)
    {
        ArgumentNullException.ThrowIfNull(d);
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(writeRows);
        SqlStatement One(Action<SqlBuilder> write)
        {
            var sql = new SqlBuilder(d);
            write(sql);
            return sql.Build();
        }

        var target = d.QuoteIdentifier(table);
        var runs = d.QuoteIdentifier(Tables.AnalysisRuns);
        return
        [
            One(sql => sql.Append($"DELETE FROM {target} WHERE as_of = {sql.Parameter(asOf)}")),
            InsertAnalysisRows(d, table, columns, writeRows, asOf),
            One(sql => sql.Append($"DELETE FROM {runs} WHERE analysis = {sql.Parameter(analysis)} AND as_of = {sql.Parameter(asOf)}")),
            One(sql => sql.Append(
                $"""
                INSERT INTO {runs} (analysis, as_of, computed_at, row_count, options)
                SELECT {sql.Parameter(analysis)}, {sql.Parameter(asOf)}, {sql.Parameter(computedAt)}, count(*), {sql.Parameter(options)}
                FROM {target} WHERE as_of = {sql.Parameter(asOf)}
                """)),
        ];
    }

    /// <summary>Inserts an analysis's rows (<paramref name="writeRows"/>, columns as <paramref name="columns"/>) at <paramref name="asOf"/> into <paramref name="table"/>.</summary>
    public static SqlStatement InsertAnalysisRows(ISqlDialect d, string table, IReadOnlyList<string> columns, Action<SqlBuilder> writeRows, DateTime asOf)
    {
        ArgumentNullException.ThrowIfNull(d);
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(writeRows);
        var sql = new SqlBuilder(d);
        sql.Append($"INSERT INTO {d.QuoteIdentifier(table)} (as_of, {string.Join(", ", columns.Select(d.QuoteIdentifier))})\nSELECT {sql.Parameter(asOf)}, {string.Join(", ", columns.Select(c => "x." + d.QuoteIdentifier(c)))}\nFROM (\n");
        writeRows(sql);
        sql.Append("\n) x");
        return sql.Build();
    }

    /// <summary>Creates an empty temporary table of the same columns as <paramref name="like"/>, for the connection's session.</summary>
    public static SqlStatement CreateTemporaryLike(ISqlDialect d, string table, string like)
    {
        ArgumentNullException.ThrowIfNull(d);
        return new($"CREATE TEMPORARY TABLE {d.QuoteIdentifier(table)} AS SELECT * FROM {d.QuoteIdentifier(like)} LIMIT 0", []);
    }

    /// <summary>Drops a table if it exists.</summary>
    public static SqlStatement DropIfExists(ISqlDialect d, string table)
    {
        ArgumentNullException.ThrowIfNull(d);
        return new($"DROP TABLE IF EXISTS {d.QuoteIdentifier(table)}", []);
    }

    /// <summary>The newest version in a table of versioned models (<c>version</c>, <c>model</c>: k-means, CLV), 0 before any.</summary>
    public static SqlStatement LatestModelVersion(ISqlDialect d, string table)
    {
        ArgumentNullException.ThrowIfNull(d);
        return new($"SELECT coalesce(max({d.QuoteIdentifier("version")}), 0) FROM {d.QuoteIdentifier(table)}", []);
    }

    /// <summary>The newest model's JSON in a table of versioned models.</summary>
    public static SqlStatement NewestModel(ISqlDialect d, string table)
    {
        ArgumentNullException.ThrowIfNull(d);
        return new($"SELECT model FROM {d.QuoteIdentifier(table)} ORDER BY version DESC LIMIT 1", []);
    }

    /// <summary>Stored runs of an analysis, newest as-of first: <c>analysis, as_of, computed_at, row_count, options</c>.</summary>
    public static SqlStatement AnalysisRuns(ISqlDialect d, string analysis)
    {
        ArgumentNullException.ThrowIfNull(d);
        var sql = new SqlBuilder(d);
        sql.Append($"SELECT analysis, as_of, computed_at, row_count, options FROM {d.QuoteIdentifier(Tables.AnalysisRuns)} WHERE analysis = {sql.Parameter(analysis)} ORDER BY as_of DESC");
        return sql.Build();
    }

    /// <summary>Quarantined rows (of one run, or all), newest run first: <c>run_id, source, line, reason, raw</c>.</summary>
    public static SqlStatement Quarantine(ISqlDialect d, long? runId, int limit)
    {
        ArgumentNullException.ThrowIfNull(d);
        var sql = new SqlBuilder(d);
        sql.Append($"SELECT run_id, source, line, reason, raw FROM {d.QuoteIdentifier(Tables.Quarantine)}");
        if (runId is { } run)
        {
            sql.Append($" WHERE run_id = {sql.Parameter(run)}");
        }

        sql.Append($" ORDER BY run_id DESC, source, line LIMIT {sql.Parameter((long)limit)}");
        return sql.Build();
    }

    /// <summary>Ingest runs, newest first.</summary>
    public static SqlStatement IngestRuns(ISqlDialect d, int limit)
    {
        ArgumentNullException.ThrowIfNull(d);
        var sql = new SqlBuilder(d);
        sql.Append($"SELECT run_id, table_name, source, mapping, started_at, finished_at, records_read, loaded, quarantined, duplicates, coalesce(skipped, 0), coalesce(suppressed, 0) FROM {d.QuoteIdentifier(Tables.IngestRuns)} ORDER BY run_id DESC LIMIT {sql.Parameter((long)limit)}");
        return sql.Build();
    }

    /// <summary>Events per type, the most common first.</summary>
    public static SqlStatement EventTypes(ISqlDialect d)
    {
        ArgumentNullException.ThrowIfNull(d);
        return new($"SELECT event_type, count(*) FROM {d.QuoteIdentifier(Tables.Events)} GROUP BY event_type ORDER BY count(*) DESC, event_type", []);
    }

    /// <summary>One row: customers, events, net revenue (purchases and refunds as signed), first and last event, quarantined rows, ingest runs.</summary>
    public static SqlStatement Totals(ISqlDialect d)
    {
        ArgumentNullException.ThrowIfNull(d);
        var sql = new SqlBuilder(d);
        var events = d.QuoteIdentifier(Tables.Events);
        sql.Append(
            $"""
            SELECT (SELECT count(*) FROM {d.QuoteIdentifier(Tables.Customers)}),
                   (SELECT count(*) FROM {events}),
                   (SELECT coalesce(sum(revenue), 0) FROM {events} WHERE event_type IN ({sql.Parameter("purchase")}, {sql.Parameter("refund")})),
                   (SELECT min(occurred_at) FROM {events}),
                   (SELECT max(occurred_at) FROM {events}),
                   (SELECT count(*) FROM {d.QuoteIdentifier(Tables.Quarantine)}),
                   (SELECT count(*) FROM {d.QuoteIdentifier(Tables.IngestRuns)})
            """);
        return sql.Build();
    }
}
