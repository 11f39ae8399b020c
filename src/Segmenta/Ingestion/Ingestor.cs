using System.Threading.Channels;
using Segmenta.Files;
using Segmenta.Model;
using Segmenta.Warehouse;
using Segmenta.Workspaces;

namespace Segmenta.Ingestion;

/// <summary>What to ingest.</summary>
/// <param name="Table">customers or events.</param>
/// <param name="Path">The source file.</param>
/// <param name="MappingPath">A mapping file; null maps columns by canonical name.</param>
/// <param name="Format">csv, jsonl or parquet; null: from the mapping or the file's extension.</param>
public sealed record IngestRequest(TableKind Table, string Path, string? MappingPath = null, string? Format = null);

/// <summary>How a run records where its records came from.</summary>
/// <param name="Source">The source's name in the run and its quarantine (a file's full path, or an endpoint).</param>
/// <param name="StartedAt">When the run started (UTC); null: now.</param>
/// <param name="KeepMissingTraits">Customers only: a record without a trait keeps the stored value (partial profiles).</param>
/// <param name="Aliases">Customers only: the records are alias calls, so the ids they carry together are recorded as explicit links.</param>
public sealed record IngestLoadOptions(string Source, DateTime? StartedAt = null, bool KeepMissingTraits = false, bool Aliases = false);

/// <summary>Progress of a running ingest.</summary>
/// <param name="Position">How far through the source.</param>
/// <param name="Length">The source's size in the same unit.</param>
/// <param name="Records">Records read so far.</param>
public readonly record struct IngestProgress(long Position, long Length, long Records);

/// <summary>
/// Loads one source into the warehouse. A CSV file the warehouse can read itself with the same result goes to its
/// parallel reader (<see cref="BulkCsvPlan"/>); otherwise parsing and conversion run on one thread and the warehouse
/// load on another, handing over batches; the load is one transaction, so a crash at any moment
/// leaves the warehouse as before the run, and a repeated run loads nothing twice.
/// </summary>
public sealed class Ingestor
{
    private const int BatchRows = 16_384;
    private readonly IWarehouse warehouse;
    private readonly WorkspaceSettings settings;
    private readonly TimeProvider time;
    private readonly IParquetFiles? parquet;

    /// <summary>Creates an ingestor; <paramref name="parquet"/> reads Parquet files (null: they are refused with a clear error).</summary>
    public Ingestor(IWarehouse warehouse, WorkspaceSettings settings, TimeProvider time, IParquetFiles? parquet = null)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(time);
        this.warehouse = warehouse;
        this.settings = settings;
        this.time = time;
        this.parquet = parquet;
    }

    /// <summary>
    /// Whether a clean CSV file may go to the warehouse's own parallel reader (<see cref="BulkCsvPlan"/>); false reads every
    /// file row by row (the two give the same result: tests compare them).
    /// </summary>
    public bool ReadsWholeFiles { get; init; } = true;

    /// <summary>Runs the ingest. Setup mistakes throw <see cref="IngestSetupException"/> or a configuration exception before anything is written.</summary>
    public IngestSummary Run(IngestRequest request, IProgress<IngestProgress>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var started = time.GetUtcNow().UtcDateTime;
        var path = Path.GetFullPath(request.Path);
        var mapping = request.MappingPath is null ? null : IngestMapping.Load(request.MappingPath);
        if (mapping is not null && mapping.Table != request.Table)
        {
            throw new IngestSetupException($"{request.MappingPath}: this mapping is for {CanonicalModel.TableName(mapping.Table)}, not {CanonicalModel.TableName(request.Table)}");
        }

        using var source = Open(path, request.Format ?? mapping?.Format, mapping);
        mapping ??= IngestMapping.ByName(request.Table, source.Columns, source.Name);
        return Load(source, mapping, new IngestLoadOptions(path, started), progress, cancellation);
    }

    /// <summary>
    /// Loads every record of an open source with a mapping, as one run in one transaction: the same
    /// conversion, quarantine and dedupe for a file and for records that arrived over HTTP.
    /// </summary>
    public IngestSummary Load(IRecordSource source, IngestMapping mapping, IngestLoadOptions options, IProgress<IngestProgress>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(mapping);
        ArgumentNullException.ThrowIfNull(options);
        var converter = new RecordConverter(mapping, source, warehouse.Columns(mapping.Table), settings.Zone, settings.AllEventTypes, Identity.Suppression.Read(warehouse));
        var loadRequest = new IngestLoadRequest(
            mapping.Table, options.Source, mapping.File is null ? null : Path.GetFullPath(mapping.File), converter.OutputColumns, converter.NewColumns,
            SourceEventIds: mapping.Table == TableKind.Events && !converter.GeneratesEventIds, options.StartedAt ?? time.GetUtcNow().UtcDateTime,
            options.KeepMissingTraits,
            options.Aliases);

        if (ReadsWholeFiles && warehouse.ReadsCsvFiles && converter.BulkPlan() is { } plan
            && LoadWhole(plan, loadRequest) is { } whole)
        {
            progress?.Report(new IngestProgress(source.Length, source.Length, whole.Read));
            return whole;
        }

        using var load = warehouse.BeginLoad(loadRequest);
        var channel = Channel.CreateBounded<RowBatch>(new BoundedChannelOptions(4) { SingleReader = true, SingleWriter = true });
        var producer = Task.Run(() => Produce(source, converter, channel.Writer, progress, cancellation), cancellation);

        long read = 0, quarantined = 0, repeated = 0, skipped = 0, suppressed = 0;
        var aggregator = mapping.Aggregates ? new CustomerAggregator(mapping, converter.Columns, converter.OutputColumns) : null;
        var reader = channel.Reader;
        while (reader.WaitToReadAsync(cancellation).AsTask().GetAwaiter().GetResult())
        {
            while (reader.TryRead(out var batch))
            {
                if (aggregator is null)
                {
                    load.Append(batch);
                }
                else
                {
                    // Profiles are complete only at the end of the source: rows are combined first, quarantine kept as read.
                    aggregator.Add(batch);
                    load.Append(Quarantine(batch, converter.OutputColumns));
                }

                read += batch.Read;
                quarantined += batch.Quarantined.Count;
                repeated += batch.Duplicates;
                skipped += batch.Skipped;
                suppressed += batch.Suppressed;
            }
        }

        producer.GetAwaiter().GetResult();
        foreach (var profiles in aggregator?.Batches(BatchRows) ?? [])
        {
            load.Append(profiles);
        }

        var soFar = new IngestSummary(read, 0, quarantined, repeated, skipped, suppressed);
        var (loaded, duplicates) = load.Commit(soFar, time.GetUtcNow().UtcDateTime);
        return soFar with { Loaded = loaded, Duplicates = duplicates };
    }

    /// <summary>
    /// Loads a whole file with the warehouse's own parallel reader (<see cref="BulkCsvPlan"/>), or returns null when a
    /// row needs the row-by-row path; that attempt is rolled back, so the file is then loaded as if it never happened.
    /// </summary>
    private IngestSummary? LoadWhole(BulkCsvPlan plan, IngestLoadRequest request)
    {
        using var load = warehouse.BeginLoad(request);
        if (load.AppendCsv(plan, out _) is not { } rows)
        {
            return null;
        }

        var soFar = new IngestSummary(rows, 0, 0, 0);
        var (loaded, duplicates) = load.Commit(soFar, time.GetUtcNow().UtcDateTime);
        return soFar with { Loaded = loaded, Duplicates = duplicates, WholeFile = true };
    }

    /// <summary>A batch's quarantined rows alone (its rows go to the aggregator), so that they are stored as they are read.</summary>
    private static RowBatch Quarantine(RowBatch batch, IReadOnlyList<FieldDefinition> columns)
    {
        var only = new RowBatch(columns, 1);
        only.Quarantined.AddRange(batch.Quarantined);
        return only;
    }

    private static void Produce(IRecordSource source, RecordConverter converter, ChannelWriter<RowBatch> writer, IProgress<IngestProgress>? progress, CancellationToken cancellation)
    {
        Exception? failure = null;
        try
        {
            var batch = new RowBatch(converter.Columns, BatchRows);
            long records = 0;
            while (source.Read())
            {
                converter.Convert(batch);
                records++;
                if (batch.IsFull || batch.Quarantined.Count >= BatchRows)
                {
                    Send(batch);
                    batch = new RowBatch(converter.Columns, BatchRows);
                    progress?.Report(new IngestProgress(source.Position, source.Length, records));
                }
            }

            Send(batch);
            progress?.Report(new IngestProgress(source.Length, source.Length, records));
        }
#pragma warning disable CA1031 // Any failure of the reader thread is handed to the loading thread, which rethrows it.
        catch (Exception e)
#pragma warning restore CA1031
        {
            failure = e;
        }
        finally
        {
            writer.Complete(failure);
        }

        void Send(RowBatch batch) => writer.WriteAsync(batch, cancellation).AsTask().GetAwaiter().GetResult();
    }

    private IRecordSource Open(string path, string? format, IngestMapping? mapping)
    {
        if (!File.Exists(path))
        {
            throw new IngestSetupException($"{path}: no such file");
        }

        format ??= Path.GetExtension(path).ToUpperInvariant() switch
        {
            ".PARQUET" => "parquet",
            ".JSONL" or ".NDJSON" or ".JSON" => "jsonl",
            _ => "csv",
        };
        return format switch
        {
            "jsonl" => JsonLinesRecordSource.Open(path),
            "parquet" => parquet?.Open(path) ?? throw new IngestSetupException($"{path}: this warehouse cannot read Parquet"),
            _ => CsvRecordSource.Open(path, mapping?.Delimited),
        };
    }
}
