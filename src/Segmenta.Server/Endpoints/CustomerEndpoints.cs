using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Segmenta.Access;
using Segmenta.Identity;
using Segmenta.Server.Hosting;

namespace Segmenta.Server.Endpoints;

/// <summary>A bulk erasure request: the customer ids to forget.</summary>
/// <param name="CustomerIds">Customer ids (user ids, or anon:… for anonymous visitors).</param>
internal sealed record ErasureRequestBody(IReadOnlyList<string>? CustomerIds);

/// <summary>
/// Who a customer is (their resolved identity) and erasure (docs/identity.md): forgetting one customer or many, and the
/// log of requests, which holds counts, never the personal data.
/// </summary>
internal static class CustomerEndpoints
{
    /// <summary>The most ids one bulk request may name (a larger list is sent in several requests).</summary>
    public const int MaxIdsPerRequest = 10_000;

    public static void MapCustomers(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/customers/{id}/identity", (string id, string? as_of, WarehouseAccess access, CancellationToken ct) => access.Read<IResult>(w =>
        {
            var profile = IdentityProfile.Read(w, id, ApiContext.Context(access, as_of).AsOf);
            return profile.Exists ? TypedResults.Ok(profile) : throw new ApiProblem(404, "Not found", $"no customer, event or identity link has the id `{id}`");
        }, ct)).RequireScope(ApiScopes.Read).WithTags("Identity").Produces<IdentityProfileDocument>()
            .WithSummary("A customer's resolved identity: identifiers, the links that made the profile (merged, refused, undone), its changes, and its consent per channel at as_of with what decided it");

        app.MapDelete("/api/customers/{id}", (string id, HttpContext http, WarehouseAccess access, CancellationToken ct) =>
            Forget(access, [id], http.User, ct))
            .RequireScope(ApiScopes.Admin).WithTags("Identity").Produces<ErasureDocument>()
            .WithSummary("Erase a customer everywhere (profile, events, identifiers, quarantined records, memberships, assignments) and suppress their ids");

        app.MapPost("/api/erasures", (ErasureRequestBody body, HttpContext http, WarehouseAccess access, CancellationToken ct) =>
        {
            var ids = body.CustomerIds ?? throw ApiProblem.BadRequest("an erasure request is {\"customer_ids\": [\"…\", …]}");
            if (ids.Count == 0 || ids.Count > MaxIdsPerRequest)
            {
                throw ApiProblem.BadRequest($"name between 1 and {MaxIdsPerRequest:N0} customer ids; this request names {ids.Count:N0}");
            }

            return Forget(access, ids, http.User, ct);
        }).RequireScope(ApiScopes.Admin).WithTags("Identity").Produces<ErasureDocument>()
            .WithSummary("Erase many customers at once (a bulk request), in one transaction");

        app.MapGet("/api/erasures", (WarehouseAccess access, CancellationToken ct) => access.Read(w => TypedResults.Ok(Erasure.Requests(w, 100)), ct))
            .RequireScope(ApiScopes.Admin).WithTags("Identity").Produces<IReadOnlyList<ErasureDocument>>()
            .WithSummary("The erasure requests, newest first: when, by whom, and counts only");
    }

    private static async Task<IResult> Forget(WarehouseAccess access, IReadOnlyList<string> ids, ClaimsPrincipal user, CancellationToken cancellation)
    {
        var by = user.FindFirst(ClaimTypes.Name)?.Value ?? "api";
        var now = access.Time.GetUtcNow().UtcDateTime;
        var outcome = await access.Exclusive(w => Erasure.Forget(w, ids, by, now, access.Settings.Zone, access.Time, cancellation), cancellation).ConfigureAwait(false);
        ExportScrubber.Scrub(Path.Combine(access.Workspace.Root, "exports"), outcome.Values, null);
        return TypedResults.Ok(outcome.Document);
    }
}
