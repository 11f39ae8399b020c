using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Segmenta.Documents;
using Segmenta.Access;
using Segmenta.Collection;
using Segmenta.Server.Collection;
using Segmenta.Server.Hosting;

namespace Segmenta.Server.Endpoints;

/// <summary>
/// The Segment Tracking API (https://segment.com/docs/connections/sources/catalog/libraries/server/http-api/):
/// <c>/v1/identify</c>, <c>/v1/track</c>, <c>/v1/page</c>, <c>/v1/screen</c>, <c>/v1/alias</c> and <c>/v1/batch</c>, with the write
/// key as HTTP basic auth, so existing instrumentation can point at Segmenta. A body that is not JSON
/// is refused (400, nothing stored); a message that cannot be stored is quarantined with its reason.
/// </summary>
internal static class CollectEndpoints
{
    /// <summary>The most messages one request may carry: parsed messages take far more memory than their JSON (413 above it).</summary>
    public const int MaxMessagesPerRequest = 5_000;

    /// <summary>The largest message stored, as in Segment's API (32 KiB); a larger one is quarantined with its reason.</summary>
    public const int MaxMessageBytes = 32 * 1024;

    /// <summary>Each endpoint with the call it takes (null: a batch, where every message names its type).</summary>
    private static readonly (string Path, TrackingCall? Call, string Summary)[] Endpoints =
    [
        ("/identify", TrackingCall.Identify, "A user's traits (stored on the customer profile; a trait left out keeps its value)"),
        ("/track", TrackingCall.Track, "Something a user did (stored as an event; the name picks the event type)"),
        ("/page", TrackingCall.Page, "A page view"),
        ("/screen", TrackingCall.Screen, "A mobile screen view"),
        ("/alias", TrackingCall.Alias, "That an earlier id (previousId, an anonymous visitor's) is the user userId: links them (docs/identity.md)"),
        ("/batch", null, "Many calls at once: {\"batch\": [message, …]}, each with its type"),
    ];
    public static void MapCollect(this IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/v1").WithTags("Collect").RequireScope(ApiScopes.Ingest);
        foreach (var (path, call, summary) in Endpoints)
        {
            v1.MapPost(path, (HttpRequest request, EventCollector collector, WarehouseAccess access, CancellationToken ct) => Collect(request, collector, access, call, ct))
                .Produces<CollectedDocument>().WithSummary(summary);
        }
    }

    private static async Task<IResult> Collect(HttpRequest request, EventCollector collector, WarehouseAccess access, TrackingCall? call, CancellationToken cancellation)
    {
        var receivedAt = access.Time.GetUtcNow().UtcDateTime;
        JsonDocument document;
        using (var body = new MemoryStream())
        {
            // At most server.max_request_bytes (Kestrel refuses more with 413); bytes that are not UTF-8 are refused
            // whole, as JSON requires, before any message is read.
            await request.Body.CopyToAsync(body, cancellation).ConfigureAwait(false);
            var bytes = body.GetBuffer().AsMemory(0, (int)body.Length);
            if (!System.Text.Unicode.Utf8.IsValid(bytes.Span))
            {
                throw ApiProblem.BadRequest("the body is not UTF-8 text; JSON must be sent as UTF-8");
            }

            try
            {
                document = JsonDocument.Parse(bytes);
            }
            catch (JsonException e)
            {
                throw ApiProblem.BadRequest("the body is not JSON: " + e.Message);
            }
        }

        List<TrackingMessage> messages;
        using (document)
        {
            var root = document.RootElement;
            var vocabulary = collector.Mappings.Vocabulary;
            if (call is null)
            {
                if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("batch", out var batch) || batch.ValueKind != JsonValueKind.Array)
                {
                    throw ApiProblem.BadRequest("a batch is an object with a `batch` array of messages");
                }

                var count = batch.GetArrayLength();
                if (count > MaxMessagesPerRequest)
                {
                    throw new ApiProblem(413, "Too many messages", $"a batch may hold at most {MaxMessagesPerRequest:N0} messages, this one has {count:N0}; send it in several batches");
                }

                messages = new List<TrackingMessage>(count);
                foreach (var element in batch.EnumerateArray())
                {
                    messages.Add(TrackingMessage.Read(element, messages.Count + 1, null, receivedAt, vocabulary, MaxMessageBytes));
                }
            }
            else
            {
                messages = [TrackingMessage.Read(root, 1, call, receivedAt, vocabulary, MaxMessageBytes)];
            }
        }

        if (messages.Count > 0)
        {
            await collector.Submit(messages, cancellation).ConfigureAwait(false);
        }

        return TypedResults.Ok(new CollectedDocument(true, messages.Count));
    }
}
