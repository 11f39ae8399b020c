using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Segmenta.Documents;
using Segmenta.Access;
using Segmenta.Refresh;
using Segmenta.Server.Hosting;

namespace Segmenta.Server.Endpoints;

/// <summary>Refreshes: where the schedule stands and how the last runs went; and a refresh now.</summary>
internal static class RefreshEndpoints
{
    public static void MapRefresh(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/refresh", (RefreshScheduler scheduler, WarehouseAccess access, CancellationToken ct) => access.Read(w =>
        {
            var state = scheduler.State();
            var current = RefreshRuns.Current(w);
            var schedule = new RefreshScheduleDocument(
                state.Every,
                state.NextAt is { } n ? DocumentValues.Iso(n) : null,
                state.RunningSince is { } s ? DocumentValues.Iso(s) : null,
                state.RunningAsOf is { } a ? DocumentValues.Iso(a) : null,
                state.LastError);
            return TypedResults.Ok(RefreshDocuments.Status(schedule, RefreshRuns.List(w, 20), current, current is null ? null : RefreshRuns.Report(w, current.RunId)));
        }, ct)).RequireScope(ApiScopes.Read).WithTags("Refresh").WithSummary("The schedule, the last run's status and the current snapshot's report");

        app.MapPost("/api/refresh", async (string? as_of, RefreshScheduler scheduler, WarehouseAccess access, CancellationToken ct) =>
        {
            var asOf = as_of is null ? (DateTime?)null : ApiContext.Instant(access, "as_of", as_of);
            return TypedResults.Ok(await scheduler.RunNow(asOf, ct).ConfigureAwait(false));
        }).RequireScope(ApiScopes.Admin).WithTags("Refresh").WithSummary("Refresh features, RFM, cluster scores, CLV and every segment now (or as of an instant) and record a snapshot");
    }
}
