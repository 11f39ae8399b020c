using Segmenta.Model;
using Segmenta.Sql;
using Segmenta.Warehouse;

namespace Segmenta.Postgres;

/// <summary>
/// The statements only PostgreSQL runs: the load's temporary stages, binary COPY and duplicate checks, the writers'
/// advisory lock, planner settings and statistics, databases, and the foreign servers and partitions of a sharded
/// warehouse. Identifiers are quoted by <see cref="PostgresDialect"/>; values are parameters, but for DDL options
/// (a foreign server's address, a user mapping), which PostgreSQL takes only as literals (written by
/// <see cref="SqlDdl.StringLiteral"/>).
/// </summary>
internal static class PostgresSql
{
    private static readonly PostgresDialect D = PostgresDialect.Instance;

    /// <summary>Waits for the writers' lock, held to the end of the transaction (parameter 1: the lock's key).</summary>
    public const string WriterLock = "SELECT pg_advisory_xact_lock($1)";

    /// <summary>The planner settings every connection uses, so that a sharded warehouse aggregates and joins per partition.</summary>
    public static IReadOnlyList<string> PartitionwisePlans { get; } = ["SET enable_partitionwise_aggregate = on", "SET enable_partitionwise_join = on"];

    /// <summary>A table's columns and their types (as <c>format_type</c> writes them), in table order (parameter 1: the table).</summary>
    public const string TableColumns = """
        SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull
        FROM pg_attribute a
        WHERE a.attrelid = to_regclass(quote_ident($1)) AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY a.attnum
        """;

    /// <summary>A table's estimated rows (parameter 1: the table).</summary>
    public const string EstimatedRows = "SELECT reltuples FROM pg_class WHERE oid = to_regclass($1)";

    /// <summary>Refreshes the planner's statistics of a table.</summary>
    public static string Analyze(string table) => $"ANALYZE {D.QuoteIdentifier(table)}";

    /// <summary>Creates a database that sorts and compares text by bytes, as DuckDB does, with the collation given (C.UTF-8 keeps Unicode lower(), C where it is missing).</summary>
    public static string CreateDatabase(string database, string collation) =>
        $"CREATE DATABASE {D.QuoteIdentifier(database)} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE {SqlDdl.StringLiteral(collation)} LC_CTYPE {SqlDdl.StringLiteral(collation)}";

    /// <summary>The load's stage of rows: a sequence column (the file's order) then the run's columns, dropped at commit.</summary>
    public static string CreateRowStage(string stage, string sequence, IEnumerable<FieldDefinition> columns) =>
        $"CREATE TEMP TABLE {D.QuoteIdentifier(stage)} ({D.QuoteIdentifier(sequence)} {D.TypeName(FieldType.Integer)} NOT NULL, {string.Join(", ", columns.Select(c => $"{D.QuoteIdentifier(c.Name)} {D.TypeName(c.Type)}"))}) ON COMMIT DROP";

    /// <summary>The load's stage of quarantined rows, dropped at commit.</summary>
    public static string CreateQuarantineStage(string stage) =>
        $"CREATE TEMP TABLE {D.QuoteIdentifier(stage)} (line {D.TypeName(FieldType.Integer)} NOT NULL, reason {D.TypeName(FieldType.Text)} NOT NULL, raw {D.TypeName(FieldType.Text)} NOT NULL) ON COMMIT DROP";

    /// <summary>Binary COPY into <paramref name="table"/>'s <paramref name="columns"/> (names, quoted here).</summary>
    public static string CopyFrom(string table, IEnumerable<string> columns) =>
        $"COPY {D.QuoteIdentifier(table)} ({string.Join(", ", columns.Select(D.QuoteIdentifier))}) FROM STDIN (FORMAT BINARY)";

    /// <summary>Deletes all but the first staged row (in file order) with the same event id.</summary>
    public static string DeleteStagedRepeats(string stage, string sequence)
    {
        var s = D.QuoteIdentifier(stage);
        var n = D.QuoteIdentifier(sequence);
        return $"""
            DELETE FROM {s} s USING (
                SELECT {n}, row_number() OVER (PARTITION BY event_id ORDER BY {n}) AS n FROM {s}) r
            WHERE s.{n} = r.{n} AND r.n > 1
            """;
    }

    /// <summary>The run's customers as attributed, as a FROM item aliased <c>e</c> (parameter 1: the run).</summary>
    public static string RunCustomers() =>
        $"(SELECT DISTINCT customer_id FROM {D.QuoteIdentifier(Tables.Events)} WHERE {WarehouseSchema.IngestRunColumn} = $1) e";

    /// <summary>
    /// Inserts the staged events as the run's (parameter 1: the run), leaving out ids already stored when
    /// <paramref name="skipStored"/> (a table that had no rows has none to skip).
    /// </summary>
    public static string InsertStagedEvents(string stage, IReadOnlyList<FieldDefinition> columns, bool skipStored)
    {
        var events = D.QuoteIdentifier(Tables.Events);
        var names = string.Join(", ", columns.Select(c => D.QuoteIdentifier(c.Name)));
        var notStored = skipStored ? $"WHERE NOT EXISTS (SELECT 1 FROM {events} e WHERE e.event_id = s.event_id)" : "";
        return $"""
            INSERT INTO {events} ({names}, {WarehouseSchema.IngestRunColumn})
            SELECT {string.Join(", ", columns.Select(c => "s." + D.QuoteIdentifier(c.Name)))}, $1 FROM {D.QuoteIdentifier(stage)} s
            {notStored}
            """;
    }

    /// <summary>Installs the foreign-data wrapper a sharded warehouse reads its workers through.</summary>
    public const string CreateForeignDataWrapper = "CREATE EXTENSION IF NOT EXISTS postgres_fdw";

    /// <summary>A row when the foreign server (parameter 1: its name) is declared.</summary>
    public const string HasForeignServer = "SELECT 1 FROM pg_foreign_server WHERE srvname = $1";

    /// <summary>Declares a worker as a foreign server with <paramref name="options"/>.</summary>
    public static string CreateForeignServer(string server, IEnumerable<(string Name, string Value)> options) =>
        $"CREATE SERVER {D.QuoteIdentifier(server)} FOREIGN DATA WRAPPER postgres_fdw OPTIONS ({string.Join(", ", options.Select(o => $"{o.Name} {SqlDdl.StringLiteral(o.Value)}"))})";

    /// <summary>Updates a declared worker's <paramref name="options"/> (its address).</summary>
    public static string AlterForeignServer(string server, IEnumerable<(string Name, string Value)> options) =>
        $"ALTER SERVER {D.QuoteIdentifier(server)} OPTIONS ({string.Join(", ", options.Select(o => $"SET {o.Name} {SqlDdl.StringLiteral(o.Value)}"))})";

    /// <summary>Maps the current user to <paramref name="user"/> (and <paramref name="password"/>) on a worker.</summary>
    public static string CreateUserMapping(string server, string user, string? password) =>
        $"CREATE USER MAPPING IF NOT EXISTS FOR CURRENT_USER SERVER {D.QuoteIdentifier(server)} OPTIONS (user {SqlDdl.StringLiteral(user)}{(password is null ? "" : $", password {SqlDdl.StringLiteral(password)}")})";

    /// <summary>Creates a worker's partition with the coordinator's columns (<c>name</c>, <c>type</c>, not null).</summary>
    public static string CreatePartition(string shard, IEnumerable<(string Name, string Type, bool NotNull)> columns) =>
        $"CREATE TABLE IF NOT EXISTS {D.QuoteIdentifier(shard)} ({string.Join(", ", columns.Select(c => $"{D.QuoteIdentifier(c.Name)} {c.Type}{(c.NotNull ? " NOT NULL" : "")}"))})";

    /// <summary>Adds a column of a database type to a worker's partition unless it has it.</summary>
    public static string AddPartitionColumn(string shard, string column, string type) =>
        $"ALTER TABLE {D.QuoteIdentifier(shard)} ADD COLUMN IF NOT EXISTS {D.QuoteIdentifier(column)} {type}";

    /// <summary>Keeps <paramref name="column"/> unique on a worker's partition.</summary>
    public static string CreateUniqueIndex(string shard, string column) =>
        $"CREATE UNIQUE INDEX IF NOT EXISTS {D.QuoteIdentifier(shard + "_" + column)} ON {D.QuoteIdentifier(shard)} ({D.QuoteIdentifier(column)})";
}
