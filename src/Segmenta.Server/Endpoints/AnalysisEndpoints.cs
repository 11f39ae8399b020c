using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Segmenta.Access;
using Segmenta.Campaigns;
using Segmenta.Clustering;
using Segmenta.Clv;
using Segmenta.Configuration;
using Segmenta.Features;
using Segmenta.Personas;
using Segmenta.Rfm;
using Segmenta.Segments;
using Segmenta.Documents;
using Segmenta.Uplift;
using Segmenta.Server.Hosting;
using Segmenta.Warehouse;

namespace Segmenta.Server.Endpoints;

/// <summary>
/// What the warehouse holds and what the analyses say: status, ingest runs and quarantine, RFM,
/// clusters, lifetime value, personas, migration between segments, and campaign results. Reads only;
/// the analyses that store results run through <c>POST /api/refresh</c>.
/// </summary>
internal static class AnalysisEndpoints
{
    public static void MapAnalyses(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").RequireScope(ApiScopes.Read);

        api.MapGet("/status", (WarehouseAccess access, CancellationToken ct) => access.Read(
            w => TypedResults.Ok(ApiContext.Views(access, w).Status()), ct))
            .WithTags("Warehouse").WithSummary("What the warehouse holds: customers, events by type, revenue, quarantine, runs");

        api.MapGet("/ingest/runs", (int? limit, WarehouseAccess access, CancellationToken ct) => access.Read(
            w => TypedResults.Ok(SegmentDocuments.IngestRuns(w.IngestRuns(Limit(limit, 50)))), ct))
            .WithTags("Warehouse").WithSummary("Ingest runs, newest first (files and collected events alike)");

        api.MapGet("/ingest/quarantine", (long? run, int? limit, WarehouseAccess access, CancellationToken ct) => access.Read(
            w => TypedResults.Ok(SegmentDocuments.Quarantine(w.ReadQuarantine(run, Limit(limit, 100)))), ct))
            .WithTags("Warehouse").WithSummary("Rows and messages set aside, with source, line, reason and the raw record");

        api.MapGet("/schema", (WarehouseAccess access, CancellationToken ct) => access.Read(
            w => TypedResults.Ok(LanguageSchemaDocument.Of(ApiContext.Views(access, w).Library)), ct))
            .WithTags("Segments").WithSummary("What segment text can name: event types and properties, traits, computed traits and fields, segments, functions and keywords (the editor's colouring and completion)");

        api.MapGet("/traits", (WarehouseAccess access, CancellationToken ct) => access.Read(
            w => TypedResults.Ok(ApiContext.Views(access, w).Traits()), ct))
            .WithTags("Segments").WithSummary("The computed traits of the segment files (trait NAME = EXPRESSION), with the current refresh snapshot's values summarized");

        api.MapGet("/features", (string? as_of, WarehouseAccess access, CancellationToken ct) => access.Read(
            w => TypedResults.Ok(ApiContext.Views(access, w).Features(ApiContext.Context(access, as_of).AsOf)), ct))
            .WithTags("Analyses").WithSummary("Every customer feature's distribution in the newest stored snapshot at or before an instant");

        api.MapGet("/rfm", (string? as_of, WarehouseAccess access, CancellationToken ct) => access.Read(
            w => TypedResults.Ok(ApiContext.Views(access, w).Rfm(ApiContext.Context(access, as_of))), ct))
            .WithTags("Analyses").WithSummary("RFM scores as of an instant: the named segments and the R×F grid");

        api.MapGet("/clusters", (int? sample, WarehouseAccess access, CancellationToken ct) => access.Read(
            w => TypedResults.Ok(ApiContext.Views(access, w).Clusters(sample ?? ClusterProjection.DefaultSample)), ct))
            .WithTags("Analyses").WithSummary("The active k-means model: inputs, the k-selection curve, each cluster's profile, customers and centroids on the two principal axes");

        api.MapGet("/clv", (string? as_of, WarehouseAccess access, CancellationToken ct) => access.Read(
            w => TypedResults.Ok(ApiContext.Views(access, w).Clv(ApiContext.Context(access, as_of))), ct))
            .WithTags("Analyses").WithSummary("The active lifetime-value model and its predictions as of an instant: totals, deciles, top customers");

        api.MapGet("/personas", (string? segments, string? as_of, WarehouseAccess access, CancellationToken ct) => access.Read(
            w => TypedResults.Ok(ApiContext.Views(access, w).Personas(
                ApiContext.Context(access, as_of),
                segments?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))), ct))
            .WithTags("Analyses").WithSummary("Persona cards: what sets each segment apart, its value, channels, a name and a strategy");

        api.MapGet("/migration", (string family, string from, string? to, int? top, WarehouseAccess access, CancellationToken ct) => access.Read(
            w => TypedResults.Ok(ApiContext.Views(access, w).Migration(
                family, ApiContext.Instant(access, "from", from), to is null ? null : ApiContext.Instant(access, "to", to), Limit(top, 10))), ct))
            .WithTags("History").WithSummary("Who moved between segments (rfm, clusters or a comma list) from one instant to another");

        api.MapGet("/campaigns", (WarehouseAccess access, CancellationToken ct) => access.Read(
            w => TypedResults.Ok(ApiContext.Views(access, w).Campaigns()), ct))
            .WithTags("Campaigns").WithSummary("Launched campaigns with their definitions");

        api.MapGet("/insights", (double? fdr, WarehouseAccess access, CancellationToken ct) => access.Read(
            w => TypedResults.Ok(ApiContext.Views(access, w).Insights(fdr is > 0 and < 1 ? fdr.Value : 0.05, ct)), ct))
            .WithTags("Analyses").WithSummary("Findings nobody asked for in the current snapshot, ranked, each with its evidence, effect size and Benjamini-Hochberg q-value");

        api.MapGet("/uplift", (WarehouseAccess access, CancellationToken ct) => access.Read(
            w => TypedResults.Ok(new UpliftListDocument([.. UpliftAnalysis.Active(w).Select(m => UpliftDocuments.Model(m, stored: true))])), ct))
            .WithTags("Campaigns").WithSummary("Every campaign's newest uplift model: held-out evaluation (Qini, AUUC, uplift@k, bins), quadrants and the fields segments can use");

        api.MapGet("/uplift/{campaign}", (string campaign, WarehouseAccess access, CancellationToken ct) => access.Read(
            w => TypedResults.Ok(UpliftDocuments.Model(UpliftAnalysis.Require(w, campaign), stored: true)), ct))
            .WithTags("Campaigns").WithSummary("One campaign's newest uplift model with its held-out evaluation and curves");

        api.MapGet("/campaigns/{name}/results", (string name, string? as_of, WarehouseAccess access, CancellationToken ct) => access.Read(
            w => TypedResults.Ok(ApiContext.Views(access, w).CampaignResults(name, as_of is null ? null : ApiContext.Instant(access, "as_of", as_of), ct)), ct))
            .WithTags("Campaigns").WithSummary("What the campaign caused per segment and arm: lifts with intervals, adjusted p-values, ROI, CLV uplift");
    }

    /// <summary>Campaign files become plans and launches: the same as <c>campaign plan</c> and <c>campaign launch</c>.</summary>
    public static void MapCampaignActions(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/campaigns/{name}/plan", (string name, string? as_of, double? alpha, double? power, double? lift, double? base_rate, WarehouseAccess access, CancellationToken ct) => access.Read(w =>
        {
            var definition = CampaignFiles.Load(access.Workspace, name);
            var plan = CampaignPlanner.Plan(w, ApiContext.Library(access, w), definition, ApiContext.Context(access, as_of), alpha ?? 0.05, power ?? 0.8, lift, base_rate);
            return TypedResults.Ok(CampaignDocuments.Plan(plan, definition));
        }, ct)).RequireScope(ApiScopes.Read).WithTags("Campaigns").WithSummary("Before launch: arm sizes per segment and the smallest conversion lift each can detect (campaigns/NAME.yaml)");

        app.MapPost("/api/campaigns/{name}/launch", (string name, string? as_of, bool? dry_run, WarehouseAccess access, CancellationToken ct) => access.Use(w =>
        {
            var definition = CampaignFiles.Load(access.Workspace, name);
            var context = ApiContext.Context(access, as_of);
            var library = ApiContext.Library(access, w);
            var traits = Model.Traits.Resolve(w, definition.ExportTraits.Count > 0 ? string.Join(',', definition.ExportTraits) : null, Model.Traits.ExportDefaults, library.Schema);
            var folder = Path.Combine(access.Workspace.Root, "exports", CampaignFiles.Folder, definition.Name);
            var (launched, assignment, files) = CampaignLauncher.LaunchOrPreview(
                w, library, definition, context, access.Time.GetUtcNow().UtcDateTime, dry_run ?? false, traits, definition.ExportFormat, folder, ct);
            return TypedResults.Ok(CampaignDocuments.Launch(definition, dry_run ?? false, context.AsOf, launched, assignment, files));
        }, ct)).RequireScope(ApiScopes.Admin).WithTags("Campaigns").WithSummary("Freeze campaigns/NAME.yaml's audience at the as-of, assign every customer to an arm by hash, store it, write the audience files (dry_run: assign only)");
    }


    private static int Limit(int? limit, int fallback) => limit switch
    {
        null => fallback,
        < 0 or > 10_000 => throw ApiProblem.BadRequest("limit must be between 0 and 10000"),
        _ => limit.Value,
    };
}
