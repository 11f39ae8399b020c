using System.Globalization;
using Npgsql;
using NpgsqlTypes;
using Segmenta.Identity;
using Segmenta.Ingestion;
using Segmenta.Model;
using Segmenta.Warehouse;

namespace Segmenta.Postgres;

/// <summary>
/// One ingest run as one PostgreSQL transaction. Rows arrive by binary COPY into a temporary stage
/// (with their order in the source), quarantined rows into a second one; the commit moves new rows
/// into <c>events</c> or merges them into <c>customers</c>, dropping events already stored and
/// repeats of a source's own ids (the first occurrence wins). Ingest runs take an advisory lock, so
/// two processes never interleave their dedupe. A killed process's transaction dies with its
/// connection: nothing of the run is visible, then or later.
/// </summary>
internal sealed class PostgresLoad : IIngestLoad
{
    private const string Stage = "segmenta_stage_rows";
    private const string QuarantineStage = "segmenta_stage_quarantine";
    private const string Sequence = "segmenta_seq";

    private readonly PostgresWarehouse warehouse;
    private readonly IngestLoadRequest request;
    private readonly NpgsqlTransaction transaction;
    private readonly NpgsqlDbType[] types;
    private readonly string copyRows;
    private readonly bool tableHadRows;
    private long appended;
    private bool finished;

    public PostgresLoad(PostgresWarehouse warehouse, IngestLoadRequest request)
    {
        this.warehouse = warehouse;
        this.request = request;
        transaction = warehouse.Connection.BeginTransaction();
        try
        {
            warehouse.Execute(PostgresSql.WriterLock, PostgresWarehouse.WriterLock);
            var table = CanonicalModel.TableName(request.Table);
            var d = warehouse.Dialect;
            if (request.NewColumns.Count > 0)
            {
                warehouse.Shards?.AddColumns(table, request.NewColumns);
                foreach (var column in request.NewColumns)
                {
                    warehouse.Execute(WarehouseSql.AddColumn(d, table, column));
                }
            }

            RunId = Convert.ToInt64(warehouse.Scalar(WarehouseSql.NextIngestRun(d)), CultureInfo.InvariantCulture);
            tableHadRows = warehouse.Scalar(WarehouseSql.AnyRow(d, table)) is not null;

            warehouse.Execute(PostgresSql.CreateRowStage(Stage, Sequence, request.Columns));
            warehouse.Execute(PostgresSql.CreateQuarantineStage(QuarantineStage));
            types = request.Columns.Select(c => TypeOf(c.Type)).ToArray();
            copyRows = PostgresSql.CopyFrom(Stage, [Sequence, .. request.Columns.Select(c => c.Name)]);
        }
        catch
        {
            transaction.Dispose();
            throw;
        }
    }

    public long RunId { get; }

    public void Append(RowBatch batch)
    {
        using (var writer = warehouse.Connection.BeginBinaryImport(copyRows))
        {
            for (var r = 0; r < batch.Count; r++)
            {
                writer.StartRow();
                writer.Write(appended + r, NpgsqlDbType.Bigint);
                for (var c = 0; c < types.Length; c++)
                {
                    WriteCell(writer, batch, c, r);
                }
            }

            writer.Complete();
        }

        appended += batch.Count;
        if (batch.Quarantined.Count > 0)
        {
            using var writer = warehouse.Connection.BeginBinaryImport(PostgresSql.CopyFrom(QuarantineStage, ["line", "reason", "raw"]));
            foreach (var q in batch.Quarantined)
            {
                writer.StartRow();
                writer.Write(q.Line, NpgsqlDbType.Bigint);
                writer.Write(q.Reason, NpgsqlDbType.Text);
                writer.Write(q.Raw, NpgsqlDbType.Text);
            }

            writer.Complete();
        }
    }

    private void WriteCell(NpgsqlBinaryImporter writer, RowBatch batch, int c, int r)
    {
        var type = types[c];
        switch (batch.Columns[c].Type)
        {
            case FieldType.Text:
                if (batch.Text(c)[r] is { } text)
                {
                    writer.Write(text, type);
                }
                else
                {
                    writer.WriteNull();
                }

                break;
            case FieldType.Integer:
                Write(writer, batch.Integers(c)[r], type);
                break;
            case FieldType.Number:
                Write(writer, batch.Numbers(c)[r], type);
                break;
            case FieldType.Boolean:
                Write(writer, batch.Booleans(c)[r], type);
                break;
            case FieldType.Date:
                Write(writer, batch.Dates(c)[r], type);
                break;
            default:
                // Instants are UTC; the column is a zone-less timestamp holding UTC.
                Write(writer, batch.Timestamps(c)[r] is { } t ? DateTime.SpecifyKind(t, DateTimeKind.Unspecified) : (DateTime?)null, type);
                break;
        }
    }

    private static void Write<T>(NpgsqlBinaryImporter writer, T? value, NpgsqlDbType type)
        where T : struct
    {
        if (value is { } v)
        {
            writer.Write(v, type);
        }
        else
        {
            writer.WriteNull();
        }
    }

    public (long Loaded, long Duplicates) Commit(IngestSummary soFar, DateTime finishedAt)
    {
        warehouse.Execute(PostgresSql.Analyze(Stage));
        var duplicates = soFar.Duplicates;
        long loaded;
        if (request.Table == TableKind.Events)
        {
            loaded = InsertNewEvents();
            duplicates += appended - loaded;
            IdentityStore.ResolveRun(warehouse.Joined(), request, RunId, null, warehouse.Columns(TableKind.Customers), finishedAt);
            warehouse.Execute(WarehouseSql.InsertBareCustomers(warehouse.Dialect, PostgresSql.RunCustomers()), RunId);
        }
        else
        {
            loaded = MergeCustomers();
            duplicates += appended - loaded;
            IdentityStore.ResolveRun(warehouse.Joined(), request, RunId, Stage, warehouse.Columns(TableKind.Customers), finishedAt);
        }

        warehouse.Execute(WarehouseSql.InsertQuarantine(warehouse.Dialect, QuarantineStage), RunId, request.Source);
        warehouse.Execute(WarehouseSql.InsertRun(warehouse.Dialect), WarehouseSql.RunParameters(RunId, request, soFar, loaded, duplicates, finishedAt));
        transaction.Commit();
        finished = true;
        warehouse.RefreshStatistics(CanonicalModel.TableName(request.Table), loaded);
        return (loaded, duplicates);
    }

    private long InsertNewEvents()
    {
        if (request.SourceEventIds)
        {
            // The source's own ids may repeat inside the file: keep the first occurrence.
            warehouse.Execute(PostgresSql.DeleteStagedRepeats(Stage, Sequence));
        }

        return warehouse.Execute(PostgresSql.InsertStagedEvents(Stage, request.Columns, tableHadRows), RunId);
    }

    private long MergeCustomers()
    {
        var update = WarehouseSql.UpdateChangedCustomers(warehouse.Dialect, Stage, request.Columns, request.KeepMissingTraits);
        var updated = update is null ? 0 : warehouse.Execute(update);
        return updated + warehouse.Execute(WarehouseSql.InsertNewCustomers(warehouse.Dialect, Stage, request.Columns));
    }

    private static NpgsqlDbType TypeOf(FieldType type) => type switch
    {
        FieldType.Text => NpgsqlDbType.Text,
        FieldType.Integer => NpgsqlDbType.Bigint,
        FieldType.Number => NpgsqlDbType.Numeric,
        FieldType.Boolean => NpgsqlDbType.Boolean,
        FieldType.Date => NpgsqlDbType.Date,
        _ => NpgsqlDbType.Timestamp,
    };

    public void Dispose()
    {
        if (!finished)
        {
            finished = true;
            // Rolls back the run, its stages and any columns it added.
            transaction.Dispose();
        }
    }
}
