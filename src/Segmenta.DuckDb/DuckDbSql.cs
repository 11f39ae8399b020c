using Segmenta.Ingestion;
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

    /// <summary>The name of a run's stage of customers (a table of the database, created and dropped in the run's transaction).</summary>
    public static string CustomerStage(long runId) => $"segmenta_stage_customers_{runId.ToString(System.Globalization.CultureInfo.InvariantCulture)}";

    /// <summary>The stage of a run's customers, with the run's columns: a table of the database (see <see cref="CustomerStage"/>).</summary>
    public static string CreateCustomerStage(string stage, IEnumerable<FieldDefinition> columns) =>
        CreateTable(stage, columns.Select(c => $"{D.QuoteIdentifier(c.Name)} {D.TypeName(c.Type)}"));

    /// <summary>The table <see cref="CheckpointAfterOwnWrite"/> creates and drops.</summary>
    private const string RecoveryTable = "segmenta_recovery";

    /// <summary>Drops a table.</summary>
    public static string DropTable(string table) => $"DROP TABLE {D.QuoteIdentifier(table)}";

    /// <summary>Drops a temporary stage if it exists.</summary>
    public static string DropStage(string stage) => $"DROP TABLE IF EXISTS temp.main.{D.QuoteIdentifier(stage)}";

    /// <summary>
    /// A write of its own, then a checkpoint: what ends a WAL that DuckDB replayed on opening (a plain <c>CHECKPOINT</c>
    /// leaves such a log in place; DuckDbWarehouse.CheckpointReplayedLog).
    /// </summary>
    public static IEnumerable<string> CheckpointAfterOwnWrite() =>
    [
        $"CREATE OR REPLACE TABLE {D.QuoteIdentifier(RecoveryTable)} (x INTEGER)",
        $"DROP TABLE {D.QuoteIdentifier(RecoveryTable)}",
        "CHECKPOINT",
    ];

    /// <summary>
    /// Deletes the events and quarantined rows of runs that were never recorded (parameter 1: the run about to be
    /// recorded; every recorded run has a smaller id). A SIGKILL in the middle of DuckDB's commit can leave a torn WAL
    /// that DuckDB 1.5 still replays in part: the row groups a large append wrote to the file ahead of the commit come
    /// back, the rest of the transaction does not — the run's row in <c>ingest_runs</c>, its customers, its quarantine
    /// (seen: all 1.5M events of a killed run, no run, no customer; reproduced with plain SQL and two tables). Those rows
    /// carry the id the next run takes, so they would be taken for that run's own and kept beside its copy of them.
    /// The run ids grow with the rows' order, so the min/max of each row group skips all but the last.
    /// </summary>
    public static IEnumerable<string> DeleteUnrecordedRuns() =>
    [
        $"DELETE FROM {D.QuoteIdentifier(Tables.Events)} WHERE {WarehouseSchema.IngestRunColumn} >= $1",
        $"DELETE FROM {D.QuoteIdentifier(Tables.Quarantine)} WHERE run_id >= $1",
    ];

    /// <summary>
    /// Whether DuckDB keeps the rows an INSERT … SELECT writes in the order it reads them (its default, true); false lets
    /// each thread write its own row groups. A connection's setting: set back after the one statement that needs it.
    /// </summary>
    public static string PreserveInsertionOrder(bool preserve) => $"SET preserve_insertion_order = {(preserve ? "true" : "false")}";

    /// <summary>
    /// (Re)creates a temporary stage holding the run's distinct customer ids (parameter 1: the run), which
    /// <see cref="RunCustomers"/> reads. A table, not a subquery: with the stage's row count known, DuckDB builds the
    /// anti-join of the bare customers on the run's few ids and probes the stored ones, where it built on every stored
    /// customer for a subquery it estimated large (1M customers, a flush of 4,000 events: 0.09 s against 0.02 s).
    /// </summary>
    public static string StageRunCustomers(string stage) =>
        $"CREATE OR REPLACE TEMP TABLE {D.QuoteIdentifier(stage)} AS SELECT DISTINCT customer_id FROM {D.QuoteIdentifier(Tables.Events)} WHERE {WarehouseSchema.IngestRunColumn} = $1";

    /// <summary>The run's customers staged by <see cref="StageRunCustomers"/>, as a FROM item aliased <c>e</c>.</summary>
    public static string RunCustomers(string stage) => $"temp.main.{D.QuoteIdentifier(stage)} e";

    /// <summary>
    /// Whether the run's events may repeat an id of the same run (parameter 1: the run): false proves they do not (no two
    /// ids share a hash), true asks for <see cref="DeleteRepeatsWithinRun"/>. Distinct hashes are cheaper than distinct
    /// strings (a 10M-event run: 2.6 s against 3.5 s), and the ids are nearly always distinct.
    /// </summary>
    public static string MayRepeatWithinRun() =>
        $"SELECT count(*) > count(DISTINCT hash(event_id)) FROM {D.QuoteIdentifier(Tables.Events)} WHERE {WarehouseSchema.IngestRunColumn} = $1";

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

    /// <summary>The text whose hash says which hash function made <see cref="Tables.EventIdHashes"/>.</summary>
    private const string HashProbe = "'segmenta: event id hashes'";

    /// <summary>An event's id hash: one expression for the hashes stored and those checked against them.</summary>
    private const string EventIdHash = "hash(event_id)";

    /// <summary>Whether <see cref="Tables.EventIdHashes"/> is complete and made by this DuckDB's hash function.</summary>
    public static string EventIdHashesCurrent() =>
        $"SELECT count(*) = 1 FROM {D.QuoteIdentifier(Tables.EventIdHashFunction)} WHERE probe = hash({HashProbe})";

    /// <summary>
    /// Empties <see cref="Tables.EventIdHashes"/> and marks it to rebuild: before a rebuild, and what a load into an empty
    /// table does instead of hashing its own rows (a bulk load does not pay for a check only a later load needs; that load
    /// rebuilds the hashes).
    /// </summary>
    public static IReadOnlyList<string> ForgetEventIdHashes() =>
    [
        $"DELETE FROM {D.QuoteIdentifier(Tables.EventIdHashes)}",
        $"DELETE FROM {D.QuoteIdentifier(Tables.EventIdHashFunction)}",
    ];

    /// <summary>Fills the emptied <see cref="Tables.EventIdHashes"/> from every stored event outside the run (parameter 1: the run).</summary>
    public static string RefillEventIdHashes() => InsertEventIdHashes("<>");

    /// <summary>Marks the refilled <see cref="Tables.EventIdHashes"/> current, under this DuckDB's hash function.</summary>
    public static string MarkEventIdHashesCurrent() =>
        $"INSERT INTO {D.QuoteIdentifier(Tables.EventIdHashFunction)} VALUES (hash({HashProbe}))";

    /// <summary>
    /// Whether an event of the run (parameter 1) may repeat a stored id: false proves that none does (no stored hash equals one
    /// of the run's); true asks for <see cref="DeleteStoredRepeats"/>, which compares the ids. The run's hashes are the small
    /// side of the join: the stored hashes are probed against them.
    /// </summary>
    public static string MayRepeatStoredId() =>
        $"SELECT count(*) > 0 FROM {D.QuoteIdentifier(Tables.EventIdHashes)} k WHERE k.h IN (SELECT {EventIdHash} FROM {D.QuoteIdentifier(Tables.Events)} WHERE {WarehouseSchema.IngestRunColumn} = $1)";

    /// <summary>Adds the hashes of the run's events (parameter 1), once its duplicates are gone.</summary>
    public static string AddEventIdHashes() => InsertEventIdHashes("=");

    /// <summary>Adds the hashes of the events whose run compares to parameter 1 by <paramref name="runTest"/>.</summary>
    private static string InsertEventIdHashes(string runTest) =>
        $"INSERT INTO {D.QuoteIdentifier(Tables.EventIdHashes)} SELECT {EventIdHash} FROM {D.QuoteIdentifier(Tables.Events)} WHERE {WarehouseSchema.IngestRunColumn} {runTest} $1";

    /// <summary>Whether a table holds a customer id more than once (a run's stage, or customers just loaded into an empty table).</summary>
    public static string RepeatsCustomer(string stage) =>
        $"SELECT count(*) > count(DISTINCT customer_id) FROM {D.QuoteIdentifier(stage)}";

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

    /// <summary>The message of the error that stops <see cref="InsertCsv"/> at a row it cannot vouch for.</summary>
    public const string CsvRowRefused = "segmenta: a row needs the row-by-row reader";

    private const string ControlCharacters = @"\x00-\x1f\x7f-\x{9f}";

    /// <summary>
    /// Appends a CSV file's rows to <paramref name="table"/> with DuckDB's parallel reader (parameter 1: the run id), every
    /// column read as text and converted as <see cref="BulkCsvPlan"/> says. A row is accepted only in the forms the
    /// row-by-row converter loads to the same values: ids with printable ends and no control character, integers of at
    /// most 18 digits, numbers of at most 14 integer digits and 4 decimals, <c>yyyy-MM-dd</c> dates and
    /// <c>yyyy-MM-ddTHH:mm:ssZ</c> timestamps that exist, the workspace's event types (a consent event with a channel);
    /// any other row stops the statement with <see cref="CsvRowRefused"/>, a day that does not exist with the cast's
    /// conversion error, and a malformed record with DuckDB's own error. The columns in <paramref name="accepted"/> (by file
    /// column) were found acceptable in every record of the file by <see cref="CsvIdScreen.Screen(BulkCsvPlan, string?, IReadOnlyList{BulkColumn})"/>
    /// and are not tested again; the caller then compares the records loaded with the records screened.
    /// </summary>
    public static string InsertCsv(string table, IReadOnlyList<string> tableColumns, BulkCsvPlan plan, IReadOnlySet<string>? accepted = null)
    {
        ArgumentNullException.ThrowIfNull(tableColumns);
        ArgumentNullException.ThrowIfNull(plan);
        var quote = SqlDdl.StringLiteral(plan.Quote.ToString());
        var columns = "{" + string.Join(", ", plan.FileColumns.Select(c => $"{SqlDdl.StringLiteral(c)}: 'VARCHAR'")) + "}";
        var read = $"""
            read_csv({SqlDdl.StringLiteral(plan.Path)}, columns = {columns},
                header = {(plan.Header ? "true" : "false")}, delim = {SqlDdl.StringLiteral(plan.Delimiter.ToString())}, quote = {quote}, escape = {quote},
                auto_detect = false, strict_mode = true, null_padding = false, allow_quoted_nulls = false, encoding = 'utf-8')
            """;
        var byName = plan.Columns.ToDictionary(c => c.Field.Name, StringComparer.Ordinal);
        var values = tableColumns.Select(name =>
            name == WarehouseSchema.IngestRunColumn ? "$1"
            : name == CanonicalModel.UserId && plan.UserIdFrom is { } user ? CsvValue(byName[user])
            : byName.TryGetValue(name, out var column) ? CsvValue(column)
            : "NULL");
        // An event type is checked by the list of types alone: every listed type is a clean id.
        var checks = plan.Columns.Where(c => c.Field.Name != CanonicalModel.EventType && accepted?.Contains(c.Source) != true).Select(CsvAccepts).ToList();
        if (byName.TryGetValue(CanonicalModel.EventType, out var type))
        {
            checks.Add($"coalesce(list_contains([{string.Join(", ", plan.EventTypes.Select(SqlDdl.StringLiteral))}], {D.QuoteIdentifier(type.Source)}), false)");
            if (plan.ConsentTypes.Count > 0)
            {
                var channel = byName.TryGetValue("channel", out var c) ? $"coalesce(regexp_matches({D.QuoteIdentifier(c.Source)}, '[!-~]'), false)" : "false";
                checks.Add($"({D.QuoteIdentifier(type.Source)} NOT IN ({string.Join(", ", plan.ConsentTypes.Select(SqlDdl.StringLiteral))}) OR {channel})");
            }
        }

        var where = checks.Count == 0 ? "" : $"\nWHERE CASE WHEN {string.Join(" AND ", checks)} THEN true ELSE error({SqlDdl.StringLiteral(CsvRowRefused)}) END";
        return $"""
            INSERT INTO {D.QuoteIdentifier(table)} ({string.Join(", ", tableColumns.Select(D.QuoteIdentifier))})
            SELECT {string.Join(", ", values)}
            FROM {read}{where}
            """;
    }

    /// <summary>A loaded column's value from its (accepted) file text.</summary>
    private static string CsvValue(BulkColumn column)
    {
        var v = D.QuoteIdentifier(column.Source);
        return column.Field.Type switch
        {
            FieldType.Integer => $"CAST({v} AS BIGINT)",
            FieldType.Number => $"CAST({v} AS {D.TypeName(FieldType.Number)})",
            FieldType.Boolean => $"lower({v}) IN ('true', 't', 'yes', 'y', '1')",
            // The text has the one shape CsvAccepts lets through, which the cast reads exactly (at twice strptime's speed); a
            // day that does not exist (2023-02-29) stops the statement with a conversion error, and the file goes row by row.
            FieldType.Date => $"CAST({v} AS DATE)",
            FieldType.Timestamp => $"CAST({v} AS TIMESTAMP)",
            _ => v,
        };
    }

    /// <summary>When a loaded column's file text is one the row-by-row converter loads to the same value (NULL counts as no).</summary>
    internal static string CsvAccepts(BulkColumn column)
    {
        var v = D.QuoteIdentifier(column.Source);
        const string Date = "[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])";
        var check = column.Field.Type switch
        {
            FieldType.Text when column.Identifier => $"regexp_full_match({v}, '{(column.Trimmed
                ? $"[!-~]([^{ControlCharacters}]*[!-~])?"
                : column.Required ? $"[^{ControlCharacters}]*[!-~][^{ControlCharacters}]*" : $"[^{ControlCharacters}]*")}')"
                + (column.Field.Name == CanonicalModel.CustomerId ? $" AND NOT starts_with({v}, {SqlDdl.StringLiteral(Identity.Identifier.AnonymousPrefix)})" : ""),
            FieldType.Text => $"NOT contains({v}, chr(0))" + (column.Required ? $" AND regexp_matches({v}, '[!-~]')" : ""),
            FieldType.Integer => $"regexp_full_match({v}, '-?[0-9]{{1,18}}')",
            FieldType.Number => $"regexp_full_match({v}, '-?[0-9]{{1,14}}([.][0-9]{{1,4}})?')",
            FieldType.Boolean => $"lower({v}) IN ('true', 't', 'yes', 'y', '1', 'false', 'f', 'no', 'n', '0')",
            // Whether the day exists is the value's cast's to say (CsvValue).
            FieldType.Date => $"regexp_full_match({v}, '{Date}')",
            _ => $"regexp_full_match({v}, '{Date}T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]Z')",
        };
        return column.Required ? $"({v} IS NOT NULL AND {check})" : $"({v} IS NULL OR ({check}))";
    }
}
