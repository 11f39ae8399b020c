using System.Data;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Segmenta.Warehouse;

using Segmenta.Segments;

namespace Segmenta.Activation;

/// <summary>One try to deliver a batch.</summary>
/// <param name="BatchId">The batch (its idempotency key).</param>
/// <param name="Sequence">Its place in the destination's order.</param>
/// <param name="Segment">Its segment.</param>
/// <param name="Attempt">Which try of the batch this was (1-based, counted afresh after a replay).</param>
/// <param name="At">When it was sent.</param>
/// <param name="HttpStatus">The receiver's status code; null when no answer came (refused, timed out).</param>
/// <param name="Outcome"><c>delivered</c>, <c>retry</c> (tried again later) or <c>dead_letter</c>.</param>
/// <param name="Error">What went wrong, when something did.</param>
/// <param name="Seconds">How long the try took.</param>
/// <param name="NextAttemptAt">When it is tried again, for a retry.</param>
public sealed record DeliveryAttempt(string BatchId, long Sequence, string Segment, int Attempt, DateTime At, int? HttpStatus, string Outcome, string? Error, double Seconds, DateTime? NextAttemptAt);

/// <summary>What a delivery run did and what it left.</summary>
/// <param name="Destination">The destination.</param>
/// <param name="Delivered">Batches delivered in this run.</param>
/// <param name="Pending">Batches still waiting for a try after it.</param>
/// <param name="Dead">Batches in the dead letter after it (every try failed; <c>destination replay</c> sends them again).</param>
/// <param name="NextAttemptAt">When the first waiting batch is due, if any waits.</param>
/// <param name="Attempts">Every try made, in order.</param>
public sealed record DeliveryReport(string Destination, int Delivered, int Pending, int Dead, DateTime? NextAttemptAt, IReadOnlyList<DeliveryAttempt> Attempts);

/// <summary>A batch of the outbox, as stored.</summary>
/// <param name="BatchId">Its id, which is its idempotency key.</param>
/// <param name="Destination">Its destination.</param>
/// <param name="Sequence">Its place in the destination's order.</param>
/// <param name="SyncId">The sync that wrote it.</param>
/// <param name="Segment">Its segment.</param>
/// <param name="Kind"><c>incremental</c> or <c>full</c>.</param>
/// <param name="AsOf">The membership instant it reports.</param>
/// <param name="Part">Its part of the sync (1-based).</param>
/// <param name="Parts">How many parts the sync has.</param>
/// <param name="CreatedAt">When the sync wrote it.</param>
/// <param name="Status">pending, delivered or dead_letter.</param>
/// <param name="Attempts">Tries since it was written or last replayed.</param>
/// <param name="NextAttemptAt">When it is due.</param>
/// <param name="LastAttemptAt">When it was last tried.</param>
/// <param name="DeliveredAt">When the receiver took it.</param>
/// <param name="LastStatus">The last status code the receiver answered.</param>
/// <param name="LastError">The last failure.</param>
public sealed record OutboxBatch(
    string BatchId, string Destination, long Sequence, long SyncId, string Segment, string Kind, DateTime AsOf, int Part, int Parts, DateTime CreatedAt,
    string Status, int Attempts, DateTime? NextAttemptAt, DateTime? LastAttemptAt, DateTime? DeliveredAt, int? LastStatus, string? LastError)
{
    internal static OutboxBatch Read(IDataRecord r) => new(
        r.GetString(0), r.GetString(1), r.GetInt64(2), r.GetInt64(3), r.GetString(4), r.GetString(5), Utc(r, 6)!.Value, (int)r.GetInt64(7), (int)r.GetInt64(8), Utc(r, 9)!.Value,
        r.GetString(10), (int)r.GetInt64(11), Utc(r, 12), Utc(r, 13), Utc(r, 14), r.IsDBNull(15) ? null : (int)r.GetInt64(15), r.IsDBNull(16) ? null : r.GetString(16));

    private static DateTime? Utc(IDataRecord r, int i) => r.IsDBNull(i) ? null : DateTime.SpecifyKind(r.GetDateTime(i), DateTimeKind.Utc);
}

/// <summary>A signed test request's answer.</summary>
/// <param name="Url">Where it went (without query).</param>
/// <param name="HttpStatus">The status code; null when no answer came.</param>
/// <param name="Ok">Whether the receiver answered 2xx.</param>
/// <param name="Seconds">How long it took.</param>
/// <param name="Error">What went wrong.</param>
public sealed record WebhookTest(string Url, int? HttpStatus, bool Ok, double Seconds, string? Error);

/// <summary>
/// Delivers a webhook destination's outbox (docs/activation.md, "Webhooks"): batches in their sequence order, each POSTed
/// as JSON with its <c>Idempotency-Key</c> and a fresh <see cref="WebhookSignature"/>. A 2xx delivers it. A timeout, a
/// refused connection, 408, 425, 429 or 5xx is retried with exponential backoff and jitter (a <c>Retry-After</c> is
/// honoured up to the policy's longest wait); while the first batch waits for its retry, later ones wait behind it, so a
/// receiver sees a destination's changes in order. After the policy's last try — or at once when the receiver refuses
/// the batch with another 4xx — it becomes a dead letter: kept with its error, skipped so later batches flow, and sent
/// again by <see cref="Replay"/>. Delivery is at least once: a receiver dedupes by the idempotency key.
/// </summary>
public static class WebhookDelivery
{
    /// <summary>The header carrying a batch's idempotency key (its id).</summary>
    public const string IdempotencyHeader = "Idempotency-Key";

    private const int ErrorTextLimit = 300;

    /// <summary>
    /// Delivers the due batches in order, and keeps going while a waiting batch comes due within <paramref name="wait"/>
    /// (zero: one pass over what is due now).
    /// </summary>
    public static DeliveryReport Deliver(IWarehouse warehouse, DestinationDefinition destination, byte[] secret, HttpClient http, DestinationContext context, TimeSpan wait, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(context);
        var webhook = destination.Webhook ?? throw new DestinationException($"destination `{destination.Name}` is not a webhook");
        var deadline = context.Now() + wait;
        var attempts = new List<DeliveryAttempt>();
        var delivered = 0;
        while (true)
        {
            cancellation.ThrowIfCancellationRequested();
            var due = Batches(warehouse, destination.Name, [BatchStatus.Pending], 1);
            var head = due.Count > 0 ? due[0] : null;
            if (head is null)
            {
                break;
            }

            var now = context.Now();
            if (head.NextAttemptAt is { } at && at > now)
            {
                if (at > deadline)
                {
                    break;
                }

                Task.Delay(at - now, context.Time, cancellation).GetAwaiter().GetResult();
                continue;
            }

            var attempt = Attempt(warehouse, destination, webhook, secret, http, head, context, cancellation);
            attempts.Add(attempt);
            if (attempt.Outcome == BatchStatus.Delivered)
            {
                delivered++;
            }
        }

        var pending = Batches(warehouse, destination.Name, [BatchStatus.Pending], int.MaxValue);
        var dead = Batches(warehouse, destination.Name, [BatchStatus.Dead], int.MaxValue).Count;
        return new DeliveryReport(destination.Name, delivered, pending.Count, dead, pending.Count > 0 ? pending[0].NextAttemptAt : null, attempts);
    }

    /// <summary>The destination's batches of the given statuses (all when empty), in sequence order.</summary>
    public static IReadOnlyList<OutboxBatch> Batches(ISqlReader reader, string destination, IReadOnlyCollection<string> statuses, int limit)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var result = new List<OutboxBatch>();
        reader.Read(DestinationSql.Batches(reader.Dialect, destination, statuses, limit), r => result.Add(OutboxBatch.Read(r)));
        return result;
    }

    /// <summary>
    /// Puts batches back in the queue, due now with their tries counted afresh: the named ones (any status: a receiver that
    /// lost what it took can have it again, under the same idempotency key), or every dead letter when none is named.
    /// Returns the batches requeued.
    /// </summary>
    public static IReadOnlyList<string> Replay(IWarehouse warehouse, DestinationDefinition destination, IReadOnlyList<string> batchIds, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(batchIds);
        var all = Batches(warehouse, destination.Name, [], int.MaxValue);
        var unknown = batchIds.Where(id => all.All(b => b.BatchId != id)).ToList();
        if (unknown.Count > 0)
        {
            throw new DestinationException($"destination `{destination.Name}` has no batch {string.Join(", ", unknown.Take(3))}; `segmenta destination log {destination.Name} --batches` lists them", FailureKind.NotFound);
        }

        var chosen = batchIds.Count > 0 ? [.. batchIds.Distinct(StringComparer.Ordinal)] : all.Where(b => b.Status == BatchStatus.Dead).Select(b => b.BatchId).ToList();
        if (chosen.Count > 0)
        {
            warehouse.ExecuteInTransaction([DestinationSql.Requeue(warehouse.Dialect, chosen, now)]);
        }

        return chosen;
    }

    /// <summary>Sends a signed test request (<c>"type": "test"</c>, no customer data) and says how the receiver answered.</summary>
    public static WebhookTest Test(DestinationDefinition destination, byte[] secret, HttpClient http, DestinationContext context, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(context);
        var webhook = destination.Webhook ?? throw new DestinationException($"destination `{destination.Name}` is not a webhook");
        var now = context.Now();
        var body = Json(json =>
        {
            json.WriteString("type", "test");
            json.WriteString("destination", destination.Name);
            json.WriteString("sent_at", AudienceExport.Format(now));
        });
        var (status, error, seconds, _) = Post(webhook, secret, http, body, "test-" + now.Ticks.ToString(CultureInfo.InvariantCulture), 1, 0, context, cancellation);
        return new WebhookTest(destination.Target, status, status is >= 200 and < 300, seconds, error);
    }

    /// <summary>The JSON body of a batch: the same bytes on every try (only the signature header changes).</summary>
    public static byte[] Body(ISqlReader reader, OutboxBatch batch)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(batch);
        var entered = new List<(string Id, string? Traits)>();
        var exited = new List<string>();
        reader.Read(DestinationSql.BatchMembers(reader.Dialect, batch.BatchId), r =>
        {
            if (r.GetString(1) == DestinationSql.Entered)
            {
                entered.Add((r.GetString(0), r.IsDBNull(2) ? null : r.GetString(2)));
            }
            else
            {
                exited.Add(r.GetString(0));
            }
        });

        return Json(json =>
        {
            json.WriteString("type", "segment_membership");
            json.WriteString("destination", batch.Destination);
            json.WriteString("batch_id", batch.BatchId);
            json.WriteNumber("sequence", batch.Sequence);
            json.WriteNumber("sync_id", batch.SyncId);
            json.WriteString("segment", batch.Segment);
            json.WriteString("kind", batch.Kind);
            json.WriteString("as_of", AudienceExport.Format(batch.AsOf));
            json.WriteNumber("part", batch.Part);
            json.WriteNumber("parts", batch.Parts);
            json.WriteStartArray("entered");
            foreach (var (id, traits) in entered)
            {
                json.WriteStartObject();
                json.WriteString("customer_id", id);
                json.WritePropertyName("traits");
                json.WriteRawValue(traits ?? "{}", skipInputValidation: false);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("exited");
            foreach (var id in exited)
            {
                json.WriteStartObject();
                json.WriteString("customer_id", id);
                json.WriteEndObject();
            }

            json.WriteEndArray();
        });
    }

    private static DeliveryAttempt Attempt(IWarehouse warehouse, DestinationDefinition destination, WebhookSettings webhook, byte[] secret, HttpClient http, OutboxBatch batch, DestinationContext context, CancellationToken cancellation)
    {
        var body = Body(warehouse, batch);
        var attempt = batch.Attempts + 1;
        var at = context.Now();
        var (status, error, seconds, retryAfter) = Post(webhook, secret, http, body, batch.BatchId, attempt, batch.Sequence, context, cancellation);
        string outcome;
        DateTime? next = null;
        if (status is >= 200 and < 300)
        {
            outcome = BatchStatus.Delivered;
            error = null;
        }
        else if (Retryable(status) && attempt < destination.Retry.Attempts)
        {
            outcome = "retry";
            var delay = destination.Retry.Delay(attempt, Random.Shared.NextDouble());
            if (retryAfter is { } asked && asked > delay)
            {
                delay = asked < destination.Retry.Maximum ? asked : destination.Retry.Maximum;
            }

            next = context.Now() + delay;
        }
        else
        {
            outcome = BatchStatus.Dead;
            error = Retryable(status)
                ? $"{error} (try {attempt} of {destination.Retry.Attempts}: the last)"
                : $"{error} (the receiver refused the batch; fix it and replay: segmenta destination replay {destination.Name} --batch {batch.BatchId})";
        }

        var stored = outcome == "retry" ? BatchStatus.Pending : outcome;
        warehouse.ExecuteInTransaction([DestinationSql.RecordAttempt(warehouse.Dialect, batch.BatchId, stored, attempt, at, next, status, error)], cancellation);
        return new DeliveryAttempt(batch.BatchId, batch.Sequence, batch.Segment, attempt, at, status, outcome, error, seconds, next);
    }

    /// <summary>Whether a failure is worth another try: no answer, 408, 425, 429 or any 5xx.</summary>
    private static bool Retryable(int? status) => status is null or 408 or 425 or 429 or >= 500;

    /// <summary>One signed POST: the status (null without an answer), what went wrong, how long it took, and the receiver's <c>Retry-After</c>.</summary>
    private static (int? Status, string? Error, double Seconds, TimeSpan? RetryAfter) Post(WebhookSettings webhook, byte[] secret, HttpClient http, byte[] body, string key, int attempt, long sequence, DestinationContext context, CancellationToken cancellation)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, webhook.Url);
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.TryAddWithoutValidation(IdempotencyHeader, key);
        request.Headers.TryAddWithoutValidation(WebhookSignature.Header, WebhookSignature.Sign(secret, body, context.Time.GetUtcNow()));
        request.Headers.TryAddWithoutValidation("Segmenta-Attempt", attempt.ToString(CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation("Segmenta-Sequence", sequence.ToString(CultureInfo.InvariantCulture));
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("Segmenta", "1"));
        var clock = Stopwatch.StartNew();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(webhook.Timeout);
        try
        {
            using var response = http.Send(request, HttpCompletionOption.ResponseContentRead, timeout.Token);
            var status = (int)response.StatusCode;
            var retryAfter = response.Headers.RetryAfter is { } ra
                ? ra.Delta ?? (ra.Date is { } date ? date - context.Time.GetUtcNow() : null)
                : null;
            if (status is >= 200 and < 300)
            {
                return (status, null, clock.Elapsed.TotalSeconds, retryAfter);
            }

            using var reader = new StreamReader(response.Content.ReadAsStream(timeout.Token), Encoding.UTF8);
            var buffer = new char[ErrorTextLimit];
            var read = reader.ReadBlock(buffer, 0, buffer.Length);
            var text = new string(buffer, 0, read).ReplaceLineEndings(" ").Trim();
            return (status, $"HTTP {status} {response.StatusCode}{(text.Length > 0 ? ": " + text : "")}", clock.Elapsed.TotalSeconds, retryAfter);
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            return (null, string.Create(CultureInfo.InvariantCulture, $"no answer within {webhook.Timeout.TotalSeconds:0.###} s"), clock.Elapsed.TotalSeconds, null);
        }
        catch (HttpRequestException e)
        {
            return (null, e.HttpRequestError == HttpRequestError.ConnectionError ? $"cannot connect: {e.Message}" : e.Message, clock.Elapsed.TotalSeconds, null);
        }
    }

    /// <summary>A JSON object as UTF-8 bytes, its properties written by <paramref name="write"/> (batch bodies, traits, JSON-lines rows).</summary>
    internal static byte[] Json(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            write(json);
            json.WriteEndObject();
        }

        return stream.ToArray();
    }
}
