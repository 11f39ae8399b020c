using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Segmenta.Language;
using Segmenta.Model;
using Segmenta.Segments;
using Segmenta.Warehouse;

namespace Segmenta.Activation;

/// <summary>One sync of a segment to a destination, as the sync log keeps it.</summary>
/// <param name="SyncId">Its number (increasing over the warehouse).</param>
/// <param name="Destination">The destination.</param>
/// <param name="Segment">The segment.</param>
/// <param name="Kind"><c>incremental</c> (who entered and exited) or <c>full</c> (everyone in the audience, and who left it).</param>
/// <param name="StartedAt">When it started.</param>
/// <param name="FinishedAt">When its changes were recorded.</param>
/// <param name="AsOf">The membership instant sent: the segment's latest recorded instant (a materialization, or a live update after a collection flush).</param>
/// <param name="PreviousAsOf">The membership instant of the destination's previous sync of the segment; null at the first.</param>
/// <param name="Audience">The audience after the sync: members at <paramref name="AsOf"/> with the destination's consent.</param>
/// <param name="Entered">Customers sent as entering.</param>
/// <param name="Exited">Customers sent as leaving (left the segment, withdrew consent, or were erased before this sync knew them gone).</param>
/// <param name="LeftOut">Members at <paramref name="AsOf"/> left out for lack of consent.</param>
/// <param name="Batches">Webhook batches written to the outbox.</param>
/// <param name="Files">Files written (file and ad-platform destinations), absolute paths.</param>
/// <param name="Detail">What else to know (a check skipped, keys a platform could not use).</param>
public sealed record SegmentSync(
    long SyncId,
    string Destination,
    string Segment,
    string Kind,
    DateTime StartedAt,
    DateTime FinishedAt,
    DateTime AsOf,
    DateTime? PreviousAsOf,
    long Audience,
    long Entered,
    long Exited,
    long LeftOut,
    int Batches,
    IReadOnlyList<string> Files,
    string? Detail);

/// <summary>
/// Brings a destination up to date with its segments' stored membership (docs/activation.md, "Syncs"). For each segment:
/// the audience is the members of its latest materialization (the membership history) who consented to the destination's
/// channel at that instant; the difference against what the destination was last sent is who entered and who exited.
/// The changes, the new state and the log row are recorded in one transaction — for a webhook the batches go to an
/// outbox in that transaction and are delivered after it (<see cref="WebhookDelivery"/>), so a crash loses nothing and a
/// repeated sync sends nothing twice; files are written before the commit, so a crash between the two writes them again
/// at the next sync (at least once).
/// </summary>
public static class DestinationSync
{
    /// <summary>
    /// Syncs every segment of <paramref name="destination"/> in file order (a full resync when <paramref name="full"/>)
    /// and returns what each sync recorded. Webhook batches are left in the outbox for <see cref="WebhookDelivery"/>.
    /// </summary>
    public static IReadOnlyList<SegmentSync> Sync(IWarehouse warehouse, SegmentLibrary library, DestinationDefinition destination, DestinationContext context, bool full, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        ArgumentNullException.ThrowIfNull(library);
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(context);
        var check = DestinationCheck.Validate(warehouse, library, destination);
        var latest = SegmentMaterializer.Latest(warehouse);
        foreach (var segment in destination.Segments)
        {
            if (!latest.ContainsKey(segment))
            {
                throw new DestinationException($"segment `{segment}` has no stored membership yet; run `segmenta refresh` (or `segmenta segment materialize {segment}`) first, then sync", FailureKind.Conflict);
            }
        }

        full = destination.SyncsInFull(full);
        var result = new List<SegmentSync>();
        foreach (var segment in destination.Segments)
        {
            cancellation.ThrowIfCancellationRequested();
            result.Add(SyncSegment(warehouse, library, destination, check, segment, latest[segment], context, full, cancellation));
        }

        return result;
    }

    private static SegmentSync SyncSegment(
        IWarehouse warehouse, SegmentLibrary library, DestinationDefinition destination, DestinationCheck check, string segment, DateTime asOf, DestinationContext context, bool full, CancellationToken cancellation)
    {
        var startedAt = context.Now();
        var d = warehouse.Dialect;
        var members = SegmentMaterializer.MembersAtInstant(warehouse, segment, asOf);
        var audience = members;
        if (check.Channel is { } channel)
        {
            var consenting = ConsentFilter.Consenting(warehouse, library.Schema, channel, new EvaluationContext(asOf, context.Zone));
            audience = [.. members.Where(consenting.Contains)];
        }

        var held = new List<string>();
        warehouse.Read(DestinationSql.Members(d, destination.Name, segment), r => held.Add(r.GetString(0)));
        DateTime? previous = null;
        warehouse.Read(DestinationSql.LastAsOf(d, destination.Name, segment), r => previous = DateTime.SpecifyKind(r.GetDateTime(0), DateTimeKind.Utc));
        var inAudience = audience.ToHashSet(StringComparer.Ordinal);
        var heldSet = held.ToHashSet(StringComparer.Ordinal);
        var entered = full ? audience : [.. audience.Where(id => !heldSet.Contains(id))];
        var exited = held.Where(id => !inAudience.Contains(id)).ToList();
        var kind = full ? "full" : "incremental";

        using var transaction = warehouse.BeginTransaction();
        long syncId = 0, sequence = 0;
        transaction.Read(DestinationSql.Next(d, destination.Name), r => (syncId, sequence) = (r.GetInt64(0), r.GetInt64(1)));
        transaction.Execute(DestinationSql.ClearStaging(d));
        var staged = entered.Select(id => (id, DestinationSql.Entered)).Concat(exited.Select(id => (id, DestinationSql.Exited))).ToList();
        if (staged.Count > 0)
        {
            transaction.Append(Tables.DestinationStaging, new TableRows(staged.Count)
                .Add("customer_id", staged.Select(s => (string?)s.id).ToArray())
                .Add("change", staged.Select(s => (string?)s.Item2).ToArray()), cancellation);
        }

        var traits = destination.IsAdPlatform ? check.MatchTraits.Values.Distinct(StringComparer.Ordinal).ToList() : check.Traits;
        var rows = new List<StagedRow>(staged.Count);
        transaction.Read(DestinationSql.StagedWithTraits(d, traits), r =>
        {
            var values = new Dictionary<string, object?>(StringComparer.Ordinal);
            for (var i = 0; i < traits.Count; i++)
            {
                values[traits[i]] = r.IsDBNull(i + 2) ? null : r.GetValue(i + 2);
            }

            rows.Add(new StagedRow(r.GetString(0), r.GetString(1) == DestinationSql.Entered, values));
        });

        var files = new List<string>();
        var batches = 0;
        string? detail = check.Detail;
        switch (destination.Type)
        {
            case DestinationType.Webhook:
                batches = WriteBatches(transaction, destination, segment, kind, asOf, syncId, sequence, rows, context.Now(), cancellation);
                break;
            case DestinationType.File:
                files.AddRange(DestinationFiles.WriteDrop(destination, segment, asOf, syncId, full, rows, traits, context));
                break;
            default:
                var (written, unusable) = DestinationFiles.WriteAudienceFiles(destination, segment, asOf, syncId, full, rows, check.MatchTraits, context);
                files.AddRange(written);
                if (unusable > 0)
                {
                    detail = Join(detail, string.Create(CultureInfo.InvariantCulture, $"{unusable} customers had no usable match key (no valid e-mail, phone or name with country and zip) and were left out of the files"));
                }

                break;
        }

        foreach (var statement in DestinationSql.ApplyStaged(d, destination.Name, segment, asOf))
        {
            transaction.Execute(statement);
        }

        transaction.Execute(DestinationSql.ClearStaging(d));
        var sync = new SegmentSync(syncId, destination.Name, segment, kind, startedAt, context.Now(), asOf, previous, audience.Count, entered.Count, exited.Count, members.Count - audience.Count, batches, files, detail);
        transaction.Execute(DestinationSql.InsertSync(d, sync));
        transaction.Commit();
        return sync;
    }

    private static string? Join(string? a, string b) => a is null ? b : a + "; " + b;

    /// <summary>A staged change with the traits read for it (null values where the profile has none or is gone).</summary>
    internal sealed record StagedRow(string CustomerId, bool Entered, IReadOnlyDictionary<string, object?> Traits);

    private static int WriteBatches(IWarehouseTransaction transaction, DestinationDefinition destination, string segment, string kind, DateTime asOf, long syncId, long sequence, List<StagedRow> rows, DateTime now, CancellationToken cancellation)
    {
        if (rows.Count == 0)
        {
            return 0;
        }

        var size = destination.Webhook!.BatchSize;
        var parts = (rows.Count + size - 1) / size;
        var ids = new string?[parts];
        for (var part = 0; part < parts; part++)
        {
            ids[part] = BatchId(destination.Name, segment, syncId, part + 1, now);
        }

        transaction.Append(Tables.DestinationBatches, new TableRows(parts)
            .Add("batch_id", ids)
            .Add("destination", Enumerable.Repeat<string?>(destination.Name, parts).ToArray())
            .Add("sequence", Enumerable.Range(0, parts).Select(p => (long?)(sequence + p)).ToArray())
            .Add("sync_id", Enumerable.Repeat<long?>(syncId, parts).ToArray())
            .Add("segment", Enumerable.Repeat<string?>(segment, parts).ToArray())
            .Add("kind", Enumerable.Repeat<string?>(kind, parts).ToArray())
            .Add("as_of", Enumerable.Repeat<DateTime?>(asOf, parts).ToArray())
            .Add("part", Enumerable.Range(1, parts).Select(p => (long?)p).ToArray())
            .Add("parts", Enumerable.Repeat<long?>(parts, parts).ToArray())
            .Add("created_at", Enumerable.Repeat<DateTime?>(now, parts).ToArray())
            .Add("status", Enumerable.Repeat<string?>(BatchStatus.Pending, parts).ToArray())
            .Add("attempts", Enumerable.Repeat<long?>(0, parts).ToArray())
            .Add("next_attempt_at", Enumerable.Repeat<DateTime?>(now, parts).ToArray()), cancellation);
        transaction.Append(Tables.DestinationBatchMembers, new TableRows(rows.Count)
            .Add("batch_id", rows.Select((_, i) => ids[i / size]).ToArray())
            .Add("customer_id", rows.Select(r => (string?)r.CustomerId).ToArray())
            .Add("change", rows.Select(r => (string?)(r.Entered ? DestinationSql.Entered : DestinationSql.Exited)).ToArray())
            .Add("traits", rows.Select(r => r.Entered ? TraitsJson(r.Traits) : null).ToArray()), cancellation);
        return parts;
    }

    /// <summary>
    /// A batch's idempotency key: a UUID-shaped SHA-256 of the destination, segment, sync, part and the sync's start, so it
    /// stays the same on every try and replay, and a warehouse created again cannot reuse a key a receiver has seen.
    /// </summary>
    private static string BatchId(string destination, string segment, long syncId, int part, DateTime startedAt)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{destination}\n{segment}\n{syncId}\n{part}\n{startedAt.Ticks}")));
        return new Guid(hash.AsSpan(0, 16)).ToString("D");
    }

    /// <summary>Traits as the JSON object a batch carries (times ISO 8601 UTC, dates yyyy-MM-dd).</summary>
    internal static string TraitsJson(IReadOnlyDictionary<string, object?> traits) => Encoding.UTF8.GetString(WebhookDelivery.Json(json =>
    {
        foreach (var (name, value) in traits)
        {
            AudienceExport.WriteJson(json, name, value);
        }
    }));
}

/// <summary>What a sync needs from its host: the workspace folder files are relative to, the time zone, the clock, Parquet.</summary>
/// <param name="Root">The workspace's folder.</param>
/// <param name="Zone">The workspace's time zone (for consent at an instant).</param>
/// <param name="Time">The clock.</param>
/// <param name="Parquet">How Parquet files are written, where the host can.</param>
public sealed record DestinationContext(string Root, TimeZoneInfo Zone, TimeProvider Time, Files.IParquetFiles? Parquet = null)
{
    /// <summary>Now, in UTC, to whole milliseconds (what the warehouse stores).</summary>
    public DateTime Now()
    {
        var now = Time.GetUtcNow().UtcDateTime;
        return new DateTime(now.Ticks - (now.Ticks % TimeSpan.TicksPerMillisecond), DateTimeKind.Utc);
    }
}
