using DuckDB.NET.Data;
using Segmenta.Identity;
using Segmenta.Ingestion;
using Segmenta.Model;
using Segmenta.Sql;
using Segmenta.Warehouse;

namespace Segmenta.DuckDb;

/// <summary>
/// One ingest run as one DuckDB transaction. Events are appended straight into <c>events</c>
/// (tagged with the run id), by the Appender batch by batch or by one <c>INSERT … FROM read_csv</c> for a
/// clean file (<see cref="AppendCsv"/>), and duplicates are deleted before commit; customers go through a
/// stage table of the run's own (created and dropped inside the transaction) and are inserted or updated, or
/// straight into an empty table. Quarantined rows are staged and added unless an earlier run already set the
/// same record aside. Until <see cref="Commit"/>, nothing is visible,
/// and a killed process leaves no trace: DuckDB discards uncommitted work on the next open.
/// </summary>
internal sealed class DuckDbLoad : IIngestLoad
{
    private const string QuarantineStage = "segmenta_stage_quarantine";
    private const string RunCustomersStage = "segmenta_stage_run_customers";

    private readonly DuckDbWarehouse warehouse;
    private readonly IngestLoadRequest request;
    private readonly string? customerStage; // customers: the run's own table of staged profiles (see the constructor)
    private readonly string rowsTable;       // what the rows go to: events, or the customer stage
    private ChunkAppender? rows;             // opened at the first batch: a file loaded whole by DuckDB needs none
    private ChunkAppender? quarantine;
    private long?[] runIds = [];            // the run id, once per row of the largest batch so far (the column every event has)
    private readonly int[] tableToBatch;   // for each table column, its batch column (-1: null, -2: run id)
    private readonly bool tableHadRows;
    private long appended;
    private bool insertedDirectly;          // AppendCsv put the profiles into customers itself (the table was empty)
    private bool idsDistinct;               // AppendCsv proved from the file that no id of the run repeats another
    private bool finished;
    private bool orderToRestore;            // AppendCsv turned DuckDB's insertion order off and has not set it back

    public DuckDbLoad(DuckDbWarehouse warehouse, IngestLoadRequest request)
    {
        this.warehouse = warehouse;
        this.request = request;
        warehouse.Execute("BEGIN TRANSACTION");
        try
        {
            var table = CanonicalModel.TableName(request.Table);
            foreach (var column in request.NewColumns)
            {
                warehouse.Execute(WarehouseSql.AddColumn(DuckDbDialect.Instance, table, column));
            }

            RunId = Convert.ToInt64(warehouse.Scalar(WarehouseSql.NextIngestRun(DuckDbDialect.Instance)), System.Globalization.CultureInfo.InvariantCulture);
            foreach (var statement in DuckDbSql.DeleteUnrecordedRuns())
            {
                warehouse.ExecuteCount(statement, RunId);
            }

            tableHadRows = warehouse.Scalar(WarehouseSql.AnyRow(DuckDbDialect.Instance, table)) is not null;

            warehouse.Execute(DuckDbSql.CreateQuarantineStage(QuarantineStage));

            var batchIndex = request.Columns.Select((c, i) => (c.Name, i)).ToDictionary(x => x.Name, x => x.i, StringComparer.Ordinal);
            if (request.Table == TableKind.Events)
            {
                var tableColumns = warehouse.TableColumns(table).Select(c => c.Name);
                tableToBatch = tableColumns
                    .Select(name => name == WarehouseSchema.IngestRunColumn ? -2 : batchIndex.GetValueOrDefault(name, -1))
                    .ToArray();
                rowsTable = table;
            }
            else
            {
                // A table of the database, not a temporary one: created and dropped inside the run's transaction, so it is
                // never visible nor left by a crash, and its rows are compressed and may leave memory (3M profiles staged
                // in a temporary table held about 0.5 GB).
                customerStage = DuckDbSql.CustomerStage(RunId);
                warehouse.Execute(DuckDbSql.CreateCustomerStage(customerStage, request.Columns));
                tableToBatch = Enumerable.Range(0, request.Columns.Count).ToArray();
                rowsTable = customerStage;
            }
        }
        catch
        {
            warehouse.TryRollback();
            throw;
        }
    }

    public long RunId { get; }

    public void Append(RowBatch batch)
    {
        rows ??= new ChunkAppender(warehouse.Connection, null, null, rowsTable);
        quarantine ??= new ChunkAppender(warehouse.Connection, "temp", "main", QuarantineStage);
        if (runIds.Length < batch.Count)
        {
            runIds = new long?[batch.Count];
            Array.Fill(runIds, RunId);
        }

        rows.Append([.. tableToBatch.Select(c => c switch { -2 => runIds, -1 => null, _ => batch.Values(c) })], batch.Count);
        appended += batch.Count;
        if (batch.Quarantined.Count > 0)
        {
            var set = batch.Quarantined;
            quarantine.Append([set.Select(q => (long?)q.Line).ToArray(), set.Select(q => q.Reason).ToArray(), set.Select(q => q.Raw).ToArray()], set.Count);
        }
    }

    public long? AppendCsv(BulkCsvPlan plan, out string? refusal)
    {
        var events = request.Table == TableKind.Events;
        var columns = events ? warehouse.TableColumns(rowsTable).Select(c => c.Name) : request.Columns.Select(c => c.Name);
        // Profiles into an empty table need no stage: they go straight in, and an id repeated in the file refuses the attempt.
        insertedDirectly = !events && !tableHadRows;
        var target = insertedDirectly ? CanonicalModel.TableName(TableKind.Customers) : rowsTable;
        var idColumn = !events || request.SourceEventIds
            ? plan.Columns.First(c => c.Field.Name == (events ? CanonicalModel.EventId : CanonicalModel.CustomerId)).Source
            : null;
        try
        {
            // One read of the file's bytes before the load (CsvIdScreen, both cores): whether the run's ids are distinct (else a
            // distinct over the rows just stored: 30M events 13 s on one core, and the load's peak memory), and which columns
            // every record has in a form the converter loads alike, which the load's SQL then does not test again (its
            // regular expressions took ~2.5 s of 12.4 s at 10M events). Not beside the load: on two cores a third thread slowed
            // DuckDB's reader by more than the screen saved.
            var screened = Screen(plan, idColumn, [.. plan.Columns.Where(BulkValueCheck.Covers)]);

            // The screen's hashes (8 bytes a record) are garbage now; given back before DuckDB takes its memory for the load,
            // or the rows' converter its own, not held beside them (10M events: 0.2 GB more at the peak when left to the next
            // collection).
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            if (!screened.QuoteFree && !plan.HasPlainQuoting())
            {
                // DuckDB would read such a field otherwise than the converter (BulkCsvPlan.HasPlainQuoting). A file without a
                // quote needs no second read to know (the screen looked at every byte).
                refusal = "a quote in the file does not open or close a field at its edge";
                return null;
            }

            if (screened.Records is not null && screened.Refused.Count > 0)
            {
                // The load's SQL makes the same test of the same records (BulkValueCheck): it would stop at that value, after
                // DuckDB had read and stored what came before it. Row by row at once.
                refusal = $"a value of {string.Join(", ", screened.Refused.Order(StringComparer.Ordinal))} is not in a form the load reads alike";
                return null;
            }

            var statement = DuckDbSql.InsertCsv(target, [.. columns], plan, screened.Accepted);

            // Events whose ids the screen proved distinct need no file order in the table: no repeat is left for the first
            // occurrence to win (DeleteRepeatsWithinRun), and every reader orders what it reads. DuckDB then writes the row
            // groups each thread fills instead of restoring the file's order (10M events: the insert 10.5 -> 8.7 s, 15%
            // less memory). A count that then differs from the screen's refuses the attempt, as the proof was of other records.
            var unordered = events && screened.IdsDistinct;
            if (unordered)
            {
                warehouse.Execute(DuckDbSql.PreserveInsertionOrder(false));
                orderToRestore = true;   // by Dispose, after the rollback, if the insert fails (an aborted transaction takes no SET)
            }

            var rowsRead = events ? warehouse.ExecuteCount(statement, RunId) : warehouse.ExecuteCount(statement);
            RestoreOrder();

            if ((screened.Accepted.Count > 0 || unordered) && screened.Records != rowsRead)
            {
                // The screen read the file's records otherwise than DuckDB did: what it proved is of other records.
                refusal = $"the file's records were read as {screened.Records} by the screen and {rowsRead} by the warehouse";
                return null;
            }

            idsDistinct = idColumn is not null && screened.IdsDistinct && screened.Records == rowsRead;
            if (!events && !idsDistinct && warehouse.Scalar(DuckDbSql.RepeatsCustomer(target)) is true)
            {
                // Whether a repeat is the same profile again or a conflict, with the line of the first, is the converter's call.
                refusal = "a customer id appears more than once in the file";
                return null;
            }

            appended += rowsRead;
            refusal = null;
            return rowsRead;
        }
        catch (DuckDBException e)
        {
            // The transaction is aborted: the caller disposes this load (rolling it back) and reads the file row by row.
            refusal = e.Message;
            return null;
        }
    }

    /// <summary>What the screen proves of the file; nothing when it cannot be read again.</summary>
    private static CsvScreening Screen(BulkCsvPlan plan, string? idColumn, IReadOnlyList<BulkColumn> checks)
    {
        try
        {
            return CsvIdScreen.Screen(plan, idColumn, checks);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return CsvScreening.Nothing;
        }
    }

    public (long Loaded, long Duplicates) Commit(IngestSummary soFar, DateTime finishedAt)
    {
        rows?.Close();
        quarantine?.Close();
        rows?.Dispose();
        quarantine?.Dispose();
        var duplicates = soFar.Duplicates;
        long loaded;
        if (request.Table == TableKind.Events)
        {
            var removed = RemoveDuplicateEvents();
            duplicates += removed;
            loaded = appended - removed;
            IdentityStore.ResolveRun(warehouse.Joined(), request, RunId, null, warehouse.Columns(TableKind.Customers), finishedAt);
            warehouse.Execute(DuckDbSql.StageRunCustomers(RunCustomersStage), RunId);
            warehouse.Execute(WarehouseSql.InsertBareCustomers(DuckDbDialect.Instance, DuckDbSql.RunCustomers(RunCustomersStage)));
        }
        else
        {
            loaded = insertedDirectly ? appended : MergeCustomers();
            duplicates += appended - loaded;
            IdentityStore.ResolveRun(warehouse.Joined(), request, RunId, customerStage, warehouse.Columns(TableKind.Customers), finishedAt);
            warehouse.Execute(DuckDbSql.DropTable(customerStage!));
        }

        warehouse.Execute(WarehouseSql.InsertQuarantine(DuckDbDialect.Instance, QuarantineStage), RunId, request.Source);
        warehouse.Execute(WarehouseSql.InsertRun(DuckDbDialect.Instance), WarehouseSql.RunParameters(RunId, request, soFar, loaded, duplicates, finishedAt));
        warehouse.Execute("COMMIT");
        finished = true;
        DropStages();
        return (loaded, duplicates);
    }

    private long RemoveDuplicateEvents()
    {
        long removed = 0;
        if (request.SourceEventIds && !idsDistinct)
        {
            // The source's own ids may repeat inside the file: keep the first occurrence.
            if (warehouse.Scalar(DuckDbSql.MayRepeatWithinRun(), RunId) is true)
            {
                removed += warehouse.ExecuteCount(DuckDbSql.DeleteRepeatsWithinRun(), RunId);
            }
        }

        if (tableHadRows)
        {
            // The stored ids' hashes first (Tables.EventIdHashes): the ids are compared only when a hash matches (a retried
            // request, a file loaded again, or an id whose event was deleted). Probed, not hashed: see DuckDbSql.DeleteStoredRepeats.
            if (warehouse.Scalar(DuckDbSql.EventIdHashesCurrent()) is not true)
            {
                ForgetEventIdHashes();
                warehouse.ExecuteCount(DuckDbSql.RefillEventIdHashes(), RunId);
                warehouse.Execute(DuckDbSql.MarkEventIdHashesCurrent());
            }

            if (warehouse.Scalar(DuckDbSql.MayRepeatStoredId(), RunId) is true)
            {
                removed += warehouse.ExecuteCount(DuckDbSql.DeleteStoredRepeats(), RunId);
            }

            warehouse.ExecuteCount(DuckDbSql.AddEventIdHashes(), RunId);
        }
        else
        {
            ForgetEventIdHashes();
        }

        return removed;
    }

    private void ForgetEventIdHashes()
    {
        foreach (var statement in DuckDbSql.ForgetEventIdHashes())
        {
            warehouse.Execute(statement);
        }
    }

    private long MergeCustomers()
    {
        // Into a table that was empty when the run began every staged profile is new: nothing to compare or update.
        var stage = customerStage!;
        var update = tableHadRows ? WarehouseSql.UpdateChangedCustomers(DuckDbDialect.Instance, stage, request.Columns, request.KeepMissingTraits) : null;
        var updated = update is null ? 0 : warehouse.ExecuteCount(update);
        return updated + warehouse.ExecuteCount(WarehouseSql.InsertNewCustomers(DuckDbDialect.Instance, stage, request.Columns, anyStored: tableHadRows));
    }

    private void DropStages()
    {
        warehouse.Execute(DuckDbSql.DropStage(QuarantineStage));
        warehouse.Execute(DuckDbSql.DropStage(RunCustomersStage));
    }

    public void Dispose()
    {
        if (finished)
        {
            return;
        }

        finished = true;
        try
        {
            rows?.Dispose();
            quarantine?.Dispose();
        }
        catch (DuckDBException)
        {
            // An appender that cannot flush is being abandoned with its transaction anyway.
        }

        warehouse.TryRollback();
        try
        {
            RestoreOrder();
        }
        catch (DuckDBException)
        {
            // A connection that cannot take a SET after its rollback (an IO error) is one nothing more is done on.
        }

        DropStages();
    }

    /// <summary>Sets DuckDB back to keeping insertion order, if <see cref="AppendCsv"/> turned it off.</summary>
    private void RestoreOrder()
    {
        if (orderToRestore)
        {
            warehouse.Execute(DuckDbSql.PreserveInsertionOrder(true));
            orderToRestore = false;
        }
    }
}
