using System.Diagnostics;
using Segmenta.Campaigns;
using Segmenta.Clustering;
using Segmenta.Clv;
using Segmenta.Configuration;
using Segmenta.Features;
using Segmenta.Language;
using Segmenta.Model;
using Segmenta.Personas;
using Segmenta.Rfm;
using Segmenta.Segments;
using Segmenta.Warehouse;
using Segmenta.Workspaces;
using static Segmenta.Documents.DocumentValues;

namespace Segmenta.Documents;

/// <summary>What was asked for has not been computed or stored yet (no cluster model, no CLV model, no snapshot).</summary>
public sealed class NotStoredException(string message) : SegmentaException(message, FailureKind.NotFound);

/// <summary>
/// The documents a workspace answers with, computed from its warehouse: what the dashboard's views, the REST API's
/// reads and the report show. Each host asks here and renders; none computes a document of its own. The segment
/// library is compiled once per instance, so one instance serves one request (the API) or one report.
/// </summary>
public sealed class WorkspaceViews(Workspace workspace, IWarehouse warehouse)
{
    private SegmentLibrary? library;

    /// <summary>The workspace's segments compiled against the warehouse's schema (once).</summary>
    public SegmentLibrary Library => library ??= SegmentLibrary.Load(workspace, SegmentLibrary.SchemaOf(warehouse, workspace.Settings));

    /// <summary>The insight feed of the current snapshot (<c>GET /api/insights</c>, <c>segmenta insights --json</c>).</summary>
    public InsightFeedDocument Insights(double fdr = 0.05, CancellationToken cancellation = default) =>
        InsightDocuments.Of(Segmenta.Insights.InsightAnalysis.Build(warehouse, Library, workspace.Settings.Zone, fdr, cancellation));

    /// <summary>The computed traits of the segment files, with what the current refresh snapshot stored of each.</summary>
    public TraitsDocument Traits() => TraitDocuments.List(Library.Compilation.Traits, StoredTraits.Current(warehouse));

    /// <summary>What the warehouse holds.</summary>
    public StatusDocument Status() => SegmentDocuments.Status(workspace.Root, warehouse, warehouse.Summarize());

    /// <summary>The newest feature snapshot at or before the as-of.</summary>
    public FeaturesDocument Features(DateTime asOf)
    {
        var run = AnalysisRuns.List(warehouse, FeatureSnapshots.Analysis).FirstOrDefault(r => r.AsOf <= asOf)
            ?? throw new NotStoredException($"no feature snapshot at or before {Iso(asOf)}; a refresh (POST /api/refresh) or `segmenta features` stores one");
        return AnalysisDocuments.Features(run.AsOf, run.Rows, FeatureSnapshots.Describe(warehouse, run.AsOf), null, null);
    }

    /// <summary>RFM scores as of the context's instant (not stored).</summary>
    public RfmDocument Rfm(EvaluationContext context)
    {
        var watch = Stopwatch.StartNew();
        var report = RfmAnalysis.Compute(warehouse, context, workspace.Settings.Rfm);
        return AnalysisDocuments.Rfm(report, false, null, watch.Elapsed.TotalSeconds);
    }

    /// <summary>The active cluster model, with <paramref name="sample"/> customers drawn on the principal axes.</summary>
    public ClusterViewDocument Clusters(int sample)
    {
        var model = ClusterAnalysis.Active(warehouse) ?? throw new NotStoredException("no cluster model yet; run `segmenta cluster`");
        if (sample is < 1 or > 20_000)
        {
            throw new BadArgumentException("sample must be between 1 and 20000");
        }

        return AnalysisDocuments.ClusterView(ClusterAnalysis.Describe(warehouse, model, workspace.Settings.Zone, sample));
    }

    /// <summary>The active lifetime-value model and its predictions at the context's last complete day.</summary>
    public ClvDocument Clv(EvaluationContext context)
    {
        var model = ClvAnalysis.Active(warehouse) ?? throw new NotStoredException("no CLV model yet; run `segmenta clv fit`");
        var end = ClvAnalysis.LastCompleteDay(context);
        var customers = ClvAnalysis.ReadSummary(warehouse, workspace.Settings.Zone, new SummaryPeriod(end, null, model.Unit));
        var predictions = ClvAnalysis.Predict(model, customers, end, workspace.Settings.Refresh.Clv);
        return new ClvDocument(AnalysisDocuments.Model(model, stored: true), AnalysisDocuments.Predictions(predictions));
    }

    /// <summary>Personas of the named segments (all when null), each described against the same base.</summary>
    public PersonasDocument Personas(EvaluationContext context, IReadOnlyList<string>? segments = null)
    {
        var chosen = segments is null
            ? [.. Library.Compilation.Segments]
            : segments.Select(Library.Require).DistinctBy(s => s.Name).ToList();
        return AnalysisDocuments.Personas(context.AsOf, workspace.Settings.Currency, DescribePersonas(context, chosen));
    }

    /// <summary>
    /// The personas of <paramref name="segments"/> against the same base. Several segments at one instant: features, RFM
    /// and clusters are computed once for all of them (unless the context reads them already), not once per segment.
    /// </summary>
    public IReadOnlyList<PersonaReport> DescribePersonas(EvaluationContext context, IReadOnlyList<SegmentDefinition> segments)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(segments);
        using var computed = segments.Count > 1 && context.Stored.Count == 0
            ? ComputedAnalyses.Compute(warehouse, context, workspace.Settings.Rfm, ClusterAnalysis.Active(warehouse))
            : null;
        return PersonaAnalysis.Describe(warehouse, computed?.Context ?? context, workspace.Settings.Rfm, segments, Library.Compilation.Traits);
    }

    /// <summary>Who moved between the segments of a family (rfm, clusters or a comma list) from one instant to another (default: the family's latest materialization).</summary>
    public MigrationDocument Migration(string family, DateTime from, DateTime? to, int top)
    {
        var names = SegmentMigration.Family(Library, warehouse, family);
        var end = to ?? SegmentMaterializer.Latest(warehouse).Where(l => names.Contains(l.Key)).Select(l => l.Value).DefaultIfEmpty(from).Max();
        var matrix = SegmentMigration.Compute(warehouse, names, from, end);
        return SegmentDocuments.Migration(matrix, matrix.TopFlows(top));
    }

    /// <summary>Every segment with its last materialization.</summary>
    public SegmentListDocument Segments() => SegmentDocuments.List(Library, SegmentMaterializer.History(warehouse, null));

    /// <summary>A segment's definition, compiled SQL at the as-of and materializations.</summary>
    public SegmentShowDocument Segment(string name, EvaluationContext context) => SegmentDocuments.Show(Library, Library.Require(name), warehouse, context);

    /// <summary>A saved segment's preview with the chosen traits in its sample (null: the preview defaults).</summary>
    public PreviewDocument Preview(string name, EvaluationContext context, string? traits, int sample)
    {
        var segment = Library.Require(name);
        return SegmentDocuments.Preview(SegmentPreview.Compute(warehouse, segment, context, Model.Traits.Resolve(warehouse, traits, Model.Traits.PreviewDefaults, Library.Schema), sample));
    }

    /// <summary>A segment's recorded history.</summary>
    public HistoryDocument History(string name)
    {
        var history = SegmentMaterializer.History(warehouse, name);
        return history.Count == 0
            ? throw new NotStoredException($"`{name}` has no recorded history; a refresh records every segment")
            : SegmentDocuments.History(name, history);
    }

    /// <summary>Every segment's recorded history.</summary>
    public HistoriesDocument Histories() => SegmentDocuments.Histories(SegmentMaterializer.History(warehouse, null));

    /// <summary>Every destination of the workspace with its segments' last syncs (docs/activation.md).</summary>
    public DestinationListDocument Destinations() =>
        new([.. Activation.DestinationFiles.All(workspace).Select(d => DestinationDocuments.Of(warehouse, d))]);

    /// <summary>Launched campaigns with their definitions.</summary>
    public IReadOnlyList<LaunchedCampaignDocument> Campaigns() => CampaignDocuments.Launched(CampaignLauncher.Launched(warehouse));

    /// <summary>What a launched campaign caused, measured as of <paramref name="asOf"/> (null: its window's end, or the latest event).</summary>
    public MeasurementDocument CampaignResults(string name, DateTime? asOf, CancellationToken cancellation = default)
    {
        var campaign = CampaignLauncher.Find(warehouse, name)
            ?? throw new UnknownCampaignException($"campaign `{name}` has not been launched{Suggestions.DidYouMean(name, CampaignLauncher.Launched(warehouse).Select(c => c.Definition.Name))}");
        var result = CampaignMeasurement.Measure(warehouse, campaign, workspace.Settings.Zone, new MeasureOptions(AsOf: asOf), cancellation);
        return CampaignDocuments.Measurement(result, []);
    }
}
