using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Segmenta.Access;
using Segmenta.Activation;
using Segmenta.Documents;
using Segmenta.Server.Hosting;

namespace Segmenta.Server.Endpoints;

/// <summary>Destinations (docs/activation.md): what each is with its segments' last syncs, the sync log, and sync, test, replay.</summary>
internal static class DestinationEndpoints
{
    private const int MaxLog = 1000;

    public static void MapDestinations(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/destinations").WithTags("Destinations");
        group.MapGet("/", (WarehouseAccess access, CancellationToken ct) => access.Read(w => TypedResults.Ok(ApiContext.Views(access, w).Destinations()), ct))
            .RequireScope(ApiScopes.Read).WithSummary("Every destination of destinations/*.yaml with its segments' last syncs and its webhook outbox");

        group.MapGet("/{name}", (string name, WarehouseAccess access, CancellationToken ct) => access.Read(w =>
            TypedResults.Ok(DestinationDocuments.Of(w, DestinationFiles.Load(access.Workspace, name))), ct))
            .RequireScope(ApiScopes.Read).WithSummary("One destination with its segments' last syncs");

        group.MapGet("/{name}/log", (string name, int? limit, bool? batches, WarehouseAccess access, CancellationToken ct) =>
        {
            var count = limit ?? 20;
            if (count is < 1 or > MaxLog)
            {
                throw new ApiProblem(400, "Bad limit", $"limit is from 1 to {MaxLog}");
            }

            return access.Read(w => TypedResults.Ok(DestinationDocuments.Log(w, DestinationFiles.Load(access.Workspace, name), count, batches == true ? MaxLog : null)), ct);
        }).RequireScope(ApiScopes.Read).WithSummary("The destination's syncs, newest first (limit, default 20), and with batches=true its webhook outbox");

        group.MapPost("/{name}/sync", (string name, bool? full, DestinationDispatcher dispatcher, CancellationToken ct) => dispatcher.Sync(name, full == true, ct))
            .RequireScope(ApiScopes.Admin).WithSummary("Send who entered and exited each segment since the last sync (full=true: everyone) with consent checked; webhook batches are delivered now and retried in the background");

        group.MapPost("/{name}/test", (string name, DestinationDispatcher dispatcher, CancellationToken ct) => dispatcher.Test(name, ct))
            .RequireScope(ApiScopes.Admin).WithSummary("Check the destination without sending customer data: segments, traits, consent, secret, and a signed test request or the folder");

        group.MapPost("/{name}/replay", (string name, string[]? batch, DestinationDispatcher dispatcher, CancellationToken ct) => dispatcher.Replay(name, batch ?? [], ct))
            .RequireScope(ApiScopes.Admin).WithSummary("Send a webhook's dead letters (or the batches named by batch=ID) again under their idempotency keys");
    }
}
