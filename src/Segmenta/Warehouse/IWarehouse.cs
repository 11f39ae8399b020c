using System.Data;
using Segmenta.Ingestion;
using Segmenta.Model;
using Segmenta.Sql;

namespace Segmenta.Warehouse;

/// <summary>
/// A warehouse holding the canonical model: DuckDB embedded, or PostgreSQL. Opening one creates or
/// upgrades its schema. Implementations live in the adapter projects; the core only sees this.
/// </summary>
public interface IWarehouse : ISqlReader, IDisposable
{
    /// <summary>"duckdb /path/file" or the server, for people.</summary>
    string Description { get; }

    /// <summary>The schema version after opening (the latest known to this build).</summary>
    int SchemaVersion { get; }

    /// <summary>The columns a table has now: canonical ones and those mappings declared.</summary>
    IReadOnlyList<FieldDefinition> Columns(TableKind table);

    /// <summary>Starts an atomic load: nothing of it is visible, or survives a crash, until it is committed.</summary>
    IIngestLoad BeginLoad(IngestLoadRequest request);

    /// <summary>Whether loads can read a CSV file with the warehouse's own parallel reader (<see cref="IIngestLoad.AppendCsv"/>).</summary>
    bool ReadsCsvFiles => false;

    /// <summary>Rows set aside by ingestion, newest run first.</summary>
    IReadOnlyList<QuarantineEntry> ReadQuarantine(long? runId, int limit);

    /// <summary>The ingest runs, newest first.</summary>
    IReadOnlyList<IngestRunRecord> IngestRuns(int limit);

    /// <summary>What the warehouse holds, in brief.</summary>
    WarehouseSummary Summarize();

    /// <summary>
    /// Whether <paramref name="exception"/> is a fault of the warehouse itself (disk full, out of memory, connection
    /// lost, shutting down) rather than of the request that met it: a server answers it 503 with Retry-After.
    /// </summary>
    bool IsFault(Exception exception) => exception is WarehouseException or IOException;

    /// <summary>
    /// Whether <paramref name="exception"/> says another transaction wrote the same rows first (an optimistic writer lost
    /// the race): the work can be left to that writer or tried again later.
    /// </summary>
    bool IsConflict(Exception exception) => false;

    /// <summary>
    /// Another connection to the same database, to read beside this one's writes (MVCC: it sees what was committed) or
    /// to write other rows at the same time; null when the backend has none to give, and callers share this connection.
    /// The caller disposes it.
    /// </summary>
    IWarehouse? OpenConnection() => null;

    /// <summary>Runs statements in one transaction: all of them take effect, or none.</summary>
    void ExecuteInTransaction(IReadOnlyList<SqlStatement> statements, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(statements);
        using var transaction = BeginTransaction();
        foreach (var statement in statements)
        {
            cancellation.ThrowIfCancellationRequested();
            transaction.Execute(statement);
        }

        transaction.Commit();
    }

    /// <summary>Writes a query's result to a Parquet file and returns the rows written.</summary>
    long ExportParquet(SqlStatement query, string path);

    /// <summary>
    /// Runs <paramref name="before"/> (typically a delete of the rows being replaced), then bulk-appends
    /// <paramref name="rows"/> to <paramref name="table"/>, in one transaction: all of it takes effect, or none.
    /// Columns of the table that <paramref name="rows"/> does not name are null.
    /// </summary>
    void AppendInTransaction(IReadOnlyList<SqlStatement> before, string table, TableRows rows, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(before);
        using var transaction = BeginTransaction();
        foreach (var statement in before)
        {
            cancellation.ThrowIfCancellationRequested();
            transaction.Execute(statement);
        }

        transaction.Append(table, rows, cancellation);
        transaction.Commit();
    }

    /// <summary>
    /// Opens a transaction for work that mixes statements, bulk appends and reads (which see its own
    /// uncommitted writes). Disposing it without <see cref="IWarehouseTransaction.Commit"/> rolls everything back.
    /// One transaction at a time; the warehouse's other methods must not be called while it is open.
    /// </summary>
    IWarehouseTransaction BeginTransaction();
}

/// <summary>Runs queries: a warehouse, or an open transaction of one (whose reads see its own writes).</summary>
public interface ISqlReader
{
    /// <summary>The SQL dialect statements are written in.</summary>
    ISqlDialect Dialect { get; }

    /// <summary>Runs a query and hands each row to <paramref name="row"/> (valid only during the call).</summary>
    void Read(SqlStatement query, Action<IDataRecord> row);
}

/// <summary>An open transaction of a warehouse (see <see cref="IWarehouse.BeginTransaction"/>).</summary>
public interface IWarehouseTransaction : ISqlReader, IDisposable
{
    /// <summary>Runs a statement and returns the rows it changed (as the database reports them).</summary>
    long Execute(SqlStatement statement);

    /// <summary>Bulk-appends rows to a table; columns the rows do not name are null.</summary>
    void Append(string table, TableRows rows, CancellationToken cancellation = default);

    /// <summary>Makes everything done in the transaction permanent.</summary>
    void Commit();
}

/// <summary>Rows computed in memory for a bulk append, column by column.</summary>
public sealed class TableRows
{
    private readonly List<(string Name, Array Values)> columns = [];

    /// <summary>Creates rows of <paramref name="count"/> values per column.</summary>
    public TableRows(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Count = count;
    }

    /// <summary>Rows.</summary>
    public int Count { get; }

    /// <summary>The columns in the order added: each an array of <see cref="string"/>, <see cref="long"/>?, <see cref="double"/>?, <see cref="DateOnly"/>? or <see cref="DateTime"/>? values.</summary>
    public IReadOnlyList<(string Name, Array Values)> Columns => columns;

    /// <summary>Adds a text column.</summary>
    public TableRows Add(string name, string?[] values) => AddColumn(name, values);

    /// <summary>Adds an integer column.</summary>
    public TableRows Add(string name, long?[] values) => AddColumn(name, values);

    /// <summary>Adds a date column.</summary>
    public TableRows Add(string name, DateOnly?[] values) => AddColumn(name, values);

    /// <summary>Adds a timestamp column (UTC instants).</summary>
    public TableRows Add(string name, DateTime?[] values) => AddColumn(name, values);

    /// <summary>Adds a floating-point column (null, not NaN, for a missing value).</summary>
    public TableRows Add(string name, double?[] values) => AddColumn(name, values);

    private TableRows AddColumn(string name, Array values)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length != Count)
        {
            throw new ArgumentException($"column {name} has {values.Length} values, expected {Count}", nameof(values));
        }

        columns.Add((name, values));
        return this;
    }
}

/// <summary>What a load writes and where it came from.</summary>
/// <param name="Table">The target table.</param>
/// <param name="Source">The source file's full path.</param>
/// <param name="Mapping">The mapping file, if any.</param>
/// <param name="Columns">The batch columns, in order.</param>
/// <param name="NewColumns">Declared columns to add to the table in the same transaction.</param>
/// <param name="SourceEventIds">True when event ids came from the source (and may repeat inside it).</param>
/// <param name="StartedAt">When the run started (UTC).</param>
/// <param name="Aliases">True when the customer rows are alias calls: the ids they carry together are explicit links (docs/identity.md).</param>
/// <param name="KeepMissingTraits">
/// True when a customer row without a value for a trait keeps the stored one (partial profiles, such as
/// the Tracking API's identify calls); false when the row replaces the stored profile (a file is the whole truth).
/// </param>
public sealed record IngestLoadRequest(
    TableKind Table,
    string Source,
    string? Mapping,
    IReadOnlyList<FieldDefinition> Columns,
    IReadOnlyList<FieldDefinition> NewColumns,
    bool SourceEventIds,
    DateTime StartedAt,
    bool KeepMissingTraits = false,
    bool Aliases = false);

/// <summary>An open, uncommitted load. Disposing it without <see cref="Commit"/> rolls everything back.</summary>
public interface IIngestLoad : IDisposable
{
    /// <summary>The run's id.</summary>
    long RunId { get; }

    /// <summary>Appends converted rows and their quarantined neighbours.</summary>
    void Append(RowBatch batch);

    /// <summary>
    /// Loads a whole CSV file with the warehouse's own reader as the run's rows (<see cref="BulkCsvPlan"/>; only where
    /// <see cref="IWarehouse.ReadsCsvFiles"/>). Returns the rows appended, or null when a row needs the row-by-row path
    /// (a file whose quoting is not plain, <see cref="BulkCsvPlan.HasPlainQuoting"/>, always does): then the load is rolled
    /// back and can only be disposed, and <paramref name="refusal"/> says what the reader met.
    /// </summary>
    long? AppendCsv(BulkCsvPlan plan, out string? refusal) => throw new NotSupportedException("this warehouse does not read CSV files itself");

    /// <summary>Removes rows already in the warehouse, records the run, and commits. Returns loaded and duplicate counts.</summary>
    (long Loaded, long Duplicates) Commit(IngestSummary soFar, DateTime finishedAt);
}

/// <summary>The outcome of an ingest: every record read is loaded, quarantined, a duplicate, not selected or suppressed.</summary>
/// <param name="Read">Records read from the source.</param>
/// <param name="Loaded">Rows written (new, or changed customers).</param>
/// <param name="Quarantined">Records set aside with a reason.</param>
/// <param name="Duplicates">Records already in the warehouse or repeated in the file.</param>
/// <param name="Skipped">Records the mapping's <c>where</c> did not select (they belong to another table or mapping).</param>
/// <param name="Suppressed">Records of erased customers, dropped (their identifiers are suppressed).</param>
/// <param name="WholeFile">Whether the warehouse read the whole file itself (<see cref="BulkCsvPlan"/>) rather than Segmenta row by row.</param>
public readonly record struct IngestSummary(long Read, long Loaded, long Quarantined, long Duplicates, long Skipped = 0, long Suppressed = 0, bool WholeFile = false)
{
    /// <summary>The share of the records read that were set aside (0 when none were read).</summary>
    public double QuarantinedShare => Read == 0 ? 0 : (double)Quarantined / Read;
}

/// <summary>One quarantined record with the run and source it came from.</summary>
public sealed record QuarantineEntry(long RunId, string Source, long Line, string Reason, string Raw);

/// <summary>One recorded ingest run.</summary>
public sealed record IngestRunRecord(long RunId, TableKind Table, string Source, string? Mapping, DateTime StartedAt, DateTime FinishedAt, IngestSummary Summary);

/// <summary>A brief account of the warehouse's contents.</summary>
public sealed record WarehouseSummary(
    long Customers,
    long Events,
    IReadOnlyList<(string EventType, long Count)> EventTypes,
    decimal PurchaseRevenue,
    DateTime? FirstEvent,
    DateTime? LastEvent,
    long Quarantined,
    long IngestRuns);

/// <summary>The warehouse cannot be opened or is in a state this build cannot use.</summary>
public sealed class WarehouseException(string message, Exception? inner = null) : SegmentaException(message, FailureKind.WarehouseUnavailable, inner);
