using Segmenta.Activation;
using static Segmenta.Documents.DocumentValues;

namespace Segmenta.Documents;

/// <summary>The workspace's destinations (<c>destination list</c>, <c>GET /api/destinations</c>).</summary>
public sealed record DestinationListDocument(IReadOnlyList<DestinationDocument> Destinations);

/// <summary>
/// A destination: what it is, where it sends, the consent its members need (<c>consent_channel</c>, or null with
/// <c>consent_not_checked_because</c>), the traits sent, each segment's last sync, and the webhook outbox's state.
/// </summary>
public sealed record DestinationDocument(
    string Name,
    string? Description,
    string Type,
    string Target,
    string File,
    string? ConsentChannel,
    string? ConsentNotCheckedBecause,
    IReadOnlyList<string> Traits,
    string? Mode,
    IReadOnlyList<DestinationSegmentDocument> Segments,
    int PendingBatches,
    int DeadLetters);

/// <summary>One segment of a destination and its last sync (null before the first).</summary>
public sealed record DestinationSegmentDocument(string Segment, SyncDocument? LastSync);

/// <summary>
/// One sync (the sync log's row): the membership instant sent (<c>as_of</c>) and the one before (<c>previous_as_of</c>), the
/// audience after it (members with consent), who entered and exited, members left out for want of consent, the webhook
/// batches with how they fared, the files written, and its <c>status</c> (up_to_date, written, delivered, pending,
/// dead_letter).
/// </summary>
public sealed record SyncDocument(
    long SyncId,
    string Destination,
    string Segment,
    string Kind,
    string Status,
    string StartedAt,
    string FinishedAt,
    string AsOf,
    string? PreviousAsOf,
    long Audience,
    long Entered,
    long Exited,
    long LeftOutWithoutConsent,
    int Batches,
    int DeliveredBatches,
    int PendingBatches,
    int DeadBatches,
    IReadOnlyList<string> Files,
    string? Detail)
{
    /// <summary>The document of a log entry.</summary>
    public static SyncDocument Of(SyncLogEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var s = entry.Sync;
        return new(
            s.SyncId, s.Destination, s.Segment, s.Kind, entry.Status, Iso(s.StartedAt), Iso(s.FinishedAt), Iso(s.AsOf), s.PreviousAsOf is { } p ? Iso(p) : null,
            s.Audience, s.Entered, s.Exited, s.LeftOut, s.Batches, entry.Delivered, entry.Pending, entry.Dead, s.Files, s.Detail);
    }
}

/// <summary>What <c>destination sync</c> did: each segment's sync, then (webhooks) the delivery run.</summary>
public sealed record SyncRunDocument(string Destination, string Type, bool Full, IReadOnlyList<SyncDocument> Syncs, DeliveryDocument? Delivery)
{
    /// <summary>The document of a sync run.</summary>
    public static SyncRunDocument Of(SyncRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return new(run.Destination.Name, run.Destination.TypeName, run.Full, [.. run.Syncs.Select(SyncDocument.Of)], run.Delivery is { } d ? DeliveryDocument.Of(d) : null);
    }
}

/// <summary>
/// A delivery run: batches delivered in it, those still waiting (<c>next_attempt_at</c> the first due), those in the dead
/// letter, and every try made.
/// </summary>
public sealed record DeliveryDocument(int Delivered, int Pending, int DeadLetters, string? NextAttemptAt, IReadOnlyList<DeliveryAttemptDocument> Attempts)
{
    /// <summary>The document of a report.</summary>
    public static DeliveryDocument Of(DeliveryReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return new(report.Delivered, report.Pending, report.Dead, report.NextAttemptAt is { } n ? Iso(n) : null, [.. report.Attempts.Select(DeliveryAttemptDocument.Of)]);
    }
}

/// <summary>One try: the batch, which try it was, when, the status code (null: no answer), outcome (delivered, retry, dead_letter), error, duration, next try.</summary>
public sealed record DeliveryAttemptDocument(string BatchId, long Sequence, string Segment, int Attempt, string At, int? HttpStatus, string Outcome, string? Error, double Seconds, string? NextAttemptAt)
{
    /// <summary>The document of a try.</summary>
    public static DeliveryAttemptDocument Of(DeliveryAttempt a)
    {
        ArgumentNullException.ThrowIfNull(a);
        return new(a.BatchId, a.Sequence, a.Segment, a.Attempt, Iso(a.At), a.HttpStatus, a.Outcome, a.Error, Math.Round(a.Seconds, 3), a.NextAttemptAt is { } n ? Iso(n) : null);
    }
}

/// <summary>The sync log of a destination (<c>destination log</c>): its syncs newest first, and with <c>--batches</c> its outbox.</summary>
public sealed record DestinationLogDocument(string Destination, IReadOnlyList<SyncDocument> Syncs, IReadOnlyList<BatchDocument>? Batches);

/// <summary>A webhook batch of the outbox: its idempotency key, order, sync, status, tries and last failure.</summary>
public sealed record BatchDocument(
    string BatchId, long Sequence, long SyncId, string Segment, string Kind, string AsOf, int Part, int Parts, string Status, int Attempts,
    string? NextAttemptAt, string? LastAttemptAt, string? DeliveredAt, int? LastHttpStatus, string? LastError)
{
    /// <summary>The document of a batch.</summary>
    public static BatchDocument Of(OutboxBatch b)
    {
        ArgumentNullException.ThrowIfNull(b);
        return new(b.BatchId, b.Sequence, b.SyncId, b.Segment, b.Kind, Iso(b.AsOf), b.Part, b.Parts, b.Status, b.Attempts,
            b.NextAttemptAt is { } n ? Iso(n) : null, b.LastAttemptAt is { } l ? Iso(l) : null, b.DeliveredAt is { } d ? Iso(d) : null, b.LastStatus, b.LastError);
    }
}

/// <summary>
/// A destination tested (<c>destination test</c>): each check (the file, segments and traits, consent channel, the secret,
/// the folder or the receiver's answer to a signed test request) with whether it passed.
/// </summary>
public sealed record DestinationTestDocument(string Destination, string Type, bool Ok, IReadOnlyList<DestinationTestCheckDocument> Checks)
{
    /// <summary>The document of a destination's checks: ok when every one passed.</summary>
    public static DestinationTestDocument Of(DestinationDefinition destination, IReadOnlyList<DestinationTestCheck> checks)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(checks);
        return new(destination.Name, destination.TypeName, checks.All(c => c.Ok), [.. checks.Select(c => new DestinationTestCheckDocument(c.Name, c.Ok, c.Detail))]);
    }
}

/// <summary>One check of a test.</summary>
public sealed record DestinationTestCheckDocument(string Name, bool Ok, string Detail);

/// <summary>Batches put back in the queue by <c>destination replay</c>, and the delivery run that followed.</summary>
public sealed record ReplayDocument(string Destination, IReadOnlyList<string> Requeued, DeliveryDocument Delivery)
{
    /// <summary>The document of a replay.</summary>
    public static ReplayDocument Of(string destination, IReadOnlyList<string> requeued, DeliveryReport delivery) => new(destination, requeued, DeliveryDocument.Of(delivery));
}

/// <summary>Building the destination documents.</summary>
public static class DestinationDocuments
{
    /// <summary>A destination's latest <paramref name="limit"/> syncs, newest first, and its outbox (up to <paramref name="batches"/> batches; null: none asked).</summary>
    public static DestinationLogDocument Log(Warehouse.ISqlReader reader, DestinationDefinition destination, int limit, int? batches)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(destination);
        return new DestinationLogDocument(
            destination.Name,
            [.. DestinationLog.Syncs(reader, destination.Name, limit).Select(SyncDocument.Of)],
            batches is { } most ? [.. WebhookDelivery.Batches(reader, destination.Name, [], most).Select(BatchDocument.Of)] : null);
    }

    /// <summary>A destination with each segment's last sync and the outbox's state.</summary>
    public static DestinationDocument Of(Warehouse.ISqlReader reader, DestinationDefinition destination)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(destination);
        var latest = DestinationLog.Latest(reader, destination.Name, destination.Segments);
        var batches = WebhookDelivery.Batches(reader, destination.Name, [BatchStatus.Pending, BatchStatus.Dead], int.MaxValue);
        return new DestinationDocument(
            destination.Name, destination.Description, destination.TypeName, destination.Target, destination.File,
            destination.Consent.Channel, destination.Consent.SkippedBecause, destination.Traits,
            destination.Drop is { } drop ? (drop.Mode == SyncMode.Full ? "full" : "incremental") : null,
            [.. destination.Segments.Select((s, i) => new DestinationSegmentDocument(s, latest[i] is { } e ? SyncDocument.Of(e) : null))],
            batches.Count(b => b.Status == BatchStatus.Pending), batches.Count(b => b.Status == BatchStatus.Dead));
    }
}
