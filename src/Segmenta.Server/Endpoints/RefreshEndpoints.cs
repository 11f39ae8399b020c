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
            var runs = RefreshRuns.List(w, 20);
            var current = RefreshRuns.Current(w);
            var report = current is null ? null : RefreshRuns.Report(w, current.RunId);
            return TypedResults.Ok(new
            {
                schedule = new
                {
                    every = state.Every,
                    next_at = state.NextAt is { } n ? DocumentValues.Iso(n) : null,
                    running_since = state.RunningSince is { } s ? DocumentValues.Iso(s) : null,
                    running_as_of = state.RunningAsOf is { } a ? DocumentValues.Iso(a) : null,
                    last_error = state.LastError,
                },
                last_run = runs.Count == 0 ? null : Run(runs[0]),
                current_snapshot = current is null ? null : DocumentValues.Iso(current.AsOf),
                current_report = report is null ? (System.Text.Json.JsonElement?)null : System.Text.Json.JsonDocument.Parse(report).RootElement.Clone(),
                runs = runs.Select(Run).ToList(),
            });
        }, ct)).RequireScope(ApiScopes.Read).WithTags("Refresh").WithSummary("The schedule, the last run's status and the current snapshot's report");

        app.MapPost("/api/refresh", async (string? as_of, RefreshScheduler scheduler, WarehouseAccess access, CancellationToken ct) =>
        {
            var asOf = as_of is null ? (DateTime?)null : ApiContext.Instant(access, "as_of", as_of);
            return TypedResults.Ok(await scheduler.RunNow(asOf, ct).ConfigureAwait(false));
        }).RequireScope(ApiScopes.Admin).WithTags("Refresh").WithSummary("Refresh features, RFM, cluster scores, CLV and every segment now (or as of an instant) and record a snapshot");
    }

    private static object Run(RefreshRun r) => new
    {
        run_id = r.RunId,
        as_of = DocumentValues.Iso(r.AsOf),
        started_at = DocumentValues.Iso(r.StartedAt),
        finished_at = DocumentValues.Iso(r.FinishedAt),
        status = r.Status,
        failed_step = r.FailedStep,
        error = r.Error,
    };
}
