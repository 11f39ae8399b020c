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
    public static void MapCollect(this IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/v1").WithTags("Collect").RequireScope(ApiScopes.Ingest);
        v1.MapPost("/identify", (HttpRequest request, EventCollector collector, WarehouseAccess access, CancellationToken ct) => Collect(request, collector, access, TrackingCall.Identify, ct))
            .WithSummary("A user's traits (stored on the customer profile; a trait left out keeps its value)");
        v1.MapPost("/track", (HttpRequest request, EventCollector collector, WarehouseAccess access, CancellationToken ct) => Collect(request, collector, access, TrackingCall.Track, ct))
            .WithSummary("Something a user did (stored as an event; the name picks the event type)");
        v1.MapPost("/page", (HttpRequest request, EventCollector collector, WarehouseAccess access, CancellationToken ct) => Collect(request, collector, access, TrackingCall.Page, ct))
            .WithSummary("A page view");
        v1.MapPost("/screen", (HttpRequest request, EventCollector collector, WarehouseAccess access, CancellationToken ct) => Collect(request, collector, access, TrackingCall.Screen, ct))
            .WithSummary("A mobile screen view");
        v1.MapPost("/batch", (HttpRequest request, EventCollector collector, WarehouseAccess access, CancellationToken ct) => Collect(request, collector, access, null, ct))
            .WithSummary("Many calls at once: {\"batch\": [message, …]}, each with its type");
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
