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
            w => TypedResults.Ok(SegmentDocuments.Status(access.Workspace.Root, w, w.Summarize())), ct))
            .WithTags("Warehouse").WithSummary("What the warehouse holds: customers, events by type, revenue, quarantine, runs");

        api.MapGet("/ingest/runs", (int? limit, WarehouseAccess access, CancellationToken ct) => access.Read(
            w => TypedResults.Ok(SegmentDocuments.IngestRuns(w.IngestRuns(Limit(limit, 50)))), ct))
            .WithTags("Warehouse").WithSummary("Ingest runs, newest first (files and collected events alike)");

        api.MapGet("/ingest/quarantine", (long? run, int? limit, WarehouseAccess access, CancellationToken ct) => access.Read(
            w => TypedResults.Ok(SegmentDocuments.Quarantine(w.ReadQuarantine(run, Limit(limit, 100)))), ct))
            .WithTags("Warehouse").WithSummary("Rows and messages set aside, with source, line, reason and the raw record");

        api.MapGet("/features", (string? as_of, WarehouseAccess access, CancellationToken ct) => access.Read(w =>
        {
            var asOf = ApiContext.Context(access, as_of).AsOf;
            var run = AnalysisRuns.List(w, FeatureSnapshots.Analysis).FirstOrDefault(r => r.AsOf <= asOf)
                ?? throw ApiProblem.NotFound($"no feature snapshot at or before {DocumentValues.Iso(asOf)}; a refresh (POST /api/refresh) or `segmenta features` stores one");
            return TypedResults.Ok(AnalysisDocuments.Features(run.AsOf, run.Rows, FeatureSnapshots.Describe(w, run.AsOf), null, null));
        }, ct)).WithTags("Analyses").WithSummary("Every customer feature's distribution in the newest stored snapshot at or before an instant");

        api.MapGet("/rfm", (string? as_of, WarehouseAccess access, CancellationToken ct) => access.Read(w =>
        {
            var watch = Stopwatch.StartNew();
            var report = RfmAnalysis.Compute(w, ApiContext.Context(access, as_of), access.Settings.Rfm);
            return TypedResults.Ok(AnalysisDocuments.Rfm(report, false, null, Math.Round(watch.Elapsed.TotalSeconds, 3)));
        }, ct)).WithTags("Analyses").WithSummary("RFM scores as of an instant: the named segments and the R×F grid");

        api.MapGet("/clusters", (int? sample, WarehouseAccess access, CancellationToken ct) => access.Read(w =>
        {
            var model = ClusterAnalysis.Active(w) ?? throw ApiProblem.NotFound("no cluster model yet; run `segmenta cluster`");
            var points = sample ?? ClusterProjection.DefaultSample;
            if (points is < 1 or > 20_000)
            {
                throw ApiProblem.BadRequest("sample must be between 1 and 20000");
            }

            return TypedResults.Ok(AnalysisDocuments.ClusterView(ClusterAnalysis.Describe(w, model, access.Settings.Zone, points)));
        }, ct)).WithTags("Analyses").WithSummary("The active k-means model: inputs, the k-selection curve, each cluster's profile, customers and centroids on the two principal axes");

        api.MapGet("/clv", (string? as_of, WarehouseAccess access, CancellationToken ct) => access.Read(w =>
        {
            var model = ClvAnalysis.Active(w) ?? throw ApiProblem.NotFound("no CLV model yet; run `segmenta clv fit`");
            var context = ApiContext.Context(access, as_of);
            var end = ClvAnalysis.LastCompleteDay(context);
            var customers = ClvAnalysis.ReadSummary(w, access.Settings.Zone, new SummaryPeriod(end, null, model.Unit));
            var predictions = ClvAnalysis.Predict(model, customers, end, access.Settings.Refresh.Clv);
            return TypedResults.Ok(new { model = AnalysisDocuments.Model(model, stored: true), predictions = AnalysisDocuments.Predictions(predictions) });
        }, ct)).WithTags("Analyses").WithSummary("The active lifetime-value model and its predictions as of an instant: totals, deciles, top customers");

        api.MapGet("/personas", (string? segments, string? as_of, WarehouseAccess access, CancellationToken ct) => access.Read(w =>
        {
            var library = ApiContext.Library(access, w);
            var chosen = segments is null
                ? library.Compilation.Segments.ToList()
                : segments.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(n => ApiContext.Segment(library, n)).DistinctBy(s => s.Name).ToList();
            var context = ApiContext.Context(access, as_of);
            var reports = PersonaAnalysis.Describe(w, context, access.Settings.Rfm, chosen);
            return TypedResults.Ok(new
            {
                as_of = DocumentValues.Iso(context.AsOf),
                currency = access.Settings.Currency,
                personas = reports.Select(r => new { report = AnalysisDocuments.Persona(r), card = Card(PersonaCard.Of(r, access.Settings.Currency)) }).ToList(),
            });
        }, ct)).WithTags("Analyses").WithSummary("Persona cards: what sets each segment apart, its value, channels, a name and a strategy");

        api.MapGet("/migration", (string family, string from, string? to, int? top, WarehouseAccess access, CancellationToken ct) => access.Read(w =>
        {
            var names = SegmentMigration.Family(ApiContext.Library(access, w), w, family);
            var start = ApiContext.Instant(access, "from", from);
            var end = to is null
                ? SegmentMaterializer.Latest(w).Where(l => names.Contains(l.Key)).Select(l => l.Value).DefaultIfEmpty(start).Max()
                : ApiContext.Instant(access, "to", to);
            var matrix = SegmentMigration.Compute(w, names, start, end);
            return TypedResults.Ok(SegmentDocuments.Migration(matrix, matrix.TopFlows(Limit(top, 10))));
        }, ct)).WithTags("History").WithSummary("Who moved between segments (rfm, clusters or a comma list) from one instant to another");

        api.MapGet("/campaigns", (WarehouseAccess access, CancellationToken ct) => access.Read(w => TypedResults.Ok(
            CampaignLauncher.Launched(w).Select(c => new
            {
                name = c.Definition.Name,
                launched_at = DocumentValues.Iso(c.LaunchedAt),
                send_at = DocumentValues.Iso(c.SendAt),
                customers = c.Customers,
                definition = CampaignDocuments.Definition(c.Definition),
            }).ToList()), ct)).WithTags("Campaigns").WithSummary("Launched campaigns with their definitions");

        api.MapGet("/campaigns/{name}/results", (string name, string? as_of, WarehouseAccess access, CancellationToken ct) => access.Read(w =>
        {
            var campaign = CampaignLauncher.Find(w, name)
                ?? throw ApiProblem.NotFound($"campaign `{name}` has not been launched{Suggestions.DidYouMean(name, CampaignLauncher.Launched(w).Select(c => c.Definition.Name))}");
            var asOf = as_of is null ? (DateTime?)null : ApiContext.Instant(access, "as_of", as_of);
            var result = CampaignMeasurement.Measure(w, campaign, access.Settings.Zone, new MeasureOptions(AsOf: asOf), ct);
            return TypedResults.Ok(CampaignDocuments.Measurement(result, []));
        }, ct)).WithTags("Campaigns").WithSummary("What the campaign caused per segment and arm: lifts with intervals, adjusted p-values, ROI, CLV uplift");
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

    private static object Card(PersonaCard card) => new
    {
        heading = card.Heading,
        subheading = card.Subheading,
        lines = card.Lines.Select(l => new { label = l.Label, text = l.Text }),
    };

    private static int Limit(int? limit, int fallback) => limit switch
    {
        null => fallback,
        < 0 or > 10_000 => throw ApiProblem.BadRequest("limit must be between 0 and 10000"),
        _ => limit.Value,
    };
}
