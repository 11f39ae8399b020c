using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Segmenta.Access;
using Segmenta.Collection;
using Segmenta.Server.Collection;
using Segmenta.Server.Hosting;

namespace Segmenta.Server.Endpoints;

/// <summary>
/// The Segment Tracking API (https://segment.com/docs/connections/sources/catalog/libraries/server/http-api/):
/// <c>/v1/identify</c>, <c>/v1/track</c>, <c>/v1/page</c>, <c>/v1/screen</c> and <c>/v1/batch</c>, with the write
/// key as HTTP basic auth, so existing instrumentation can point at Segmenta. A body that is not JSON
/// is refused (400, nothing stored); a message that cannot be stored is quarantined with its reason.
/// </summary>
internal static class CollectEndpoints
{
    /// <summary>Each endpoint with the call it takes (null: a batch, where every message names its type).</summary>
    private static readonly (string Path, TrackingCall? Call, string Summary)[] Endpoints =
    [
        ("/identify", TrackingCall.Identify, "A user's traits (stored on the customer profile; a trait left out keeps its value)"),
        ("/track", TrackingCall.Track, "Something a user did (stored as an event; the name picks the event type)"),
        ("/page", TrackingCall.Page, "A page view"),
        ("/screen", TrackingCall.Screen, "A mobile screen view"),
        ("/batch", null, "Many calls at once: {\"batch\": [message, …]}, each with its type"),
    ];
    public static void MapCollect(this IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/v1").WithTags("Collect").RequireScope(ApiScopes.Ingest);
        foreach (var (path, call, summary) in Endpoints)
        {
            v1.MapPost(path, (HttpRequest request, EventCollector collector, WarehouseAccess access, CancellationToken ct) => Collect(request, collector, access, call, ct))
                .WithSummary(summary);
        }
    }

    private static async Task<IResult> Collect(HttpRequest request, EventCollector collector, WarehouseAccess access, TrackingCall? call, CancellationToken cancellation)
    {
        var receivedAt = access.Time.GetUtcNow().UtcDateTime;
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body, default, cancellation).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            throw ApiProblem.BadRequest("the body is not JSON: " + e.Message);
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

                messages = new List<TrackingMessage>(batch.GetArrayLength());
                foreach (var element in batch.EnumerateArray())
                {
                    messages.Add(TrackingMessage.Read(element, messages.Count + 1, null, receivedAt, vocabulary));
                }
            }
            else
            {
                messages = [TrackingMessage.Read(root, 1, call, receivedAt, vocabulary)];
            }
        }

        if (messages.Count > 0)
        {
            await collector.Submit(messages, cancellation).ConfigureAwait(false);
        }

        return TypedResults.Ok(new { success = true, received = messages.Count });
    }
}
