using System.Globalization;
using Segmenta.Clustering;
using Segmenta.Clv;
using Segmenta.Personas;
using Segmenta.Rfm;

namespace Segmenta.Server.Documents;

/// <summary>
/// RFM, clusters, personas and lifetime value as JSON documents: the stable shape (snake_case field names) that the CLI's <c>--json</c>, the REST API and the report share.
/// </summary>
internal static class AnalysisDocuments
{
    public static object Rfm(RfmReport report, bool stored, string? path, double seconds) => new
    {
        as_of = Documents.Iso(report.AsOf),
        bins = report.Options.Bins,
        method = RfmOptions.MethodName(report.Options.Method),
        customers = report.Customers,
        scored = report.Scored,
        without_purchases = report.WithoutPurchases,
        net_revenue = report.Revenue,
        table = stored ? RfmAnalysis.Table : null,
        path,
        seconds = Math.Round(seconds, 3),
        segments = report.Segments.Select(s => new
        {
            segment = s.Segment,
            name = RfmAnalysis.SegmentName(s.Segment),
            customers = s.Customers,
            share = Math.Round(s.Share, 6),
            net_revenue = s.Revenue,
            share_of_net_revenue = Math.Round(s.ShareOfRevenue, 6),
            avg_r = Math.Round(s.AvgR, 4),
            avg_f = Math.Round(s.AvgF, 4),
            avg_m = Math.Round(s.AvgM, 4),
        }),
        grid = report.Grid.Select(c => new { r = c.R, f = c.F, customers = c.Customers, net_revenue = c.Revenue }),
    };

    /// <summary>Every feature's distribution in a stored snapshot (the shape of <c>features --json</c>).</summary>
    public static object Features(DateTime asOf, long customers, IReadOnlyList<Features.FeatureDistribution> distributions, string? path, double? seconds) => new
    {
        as_of = Documents.Iso(asOf),
        customers,
        table = Segmenta.Features.FeatureCatalog.Table,
        path,
        seconds = seconds is { } s ? Math.Round(s, 3) : (double?)null,
        features = distributions.Select(d => new
        {
            name = d.Feature.Name,
            type = d.Feature.Type.ToString().ToLowerInvariant(),
            unit = d.Feature.Unit,
            in_segments = d.Feature.Trait ? d.Feature.Name : Segmenta.Features.FeatureCatalog.Namespace + "." + d.Feature.Name,
            present = d.Present,
            mean = Round4(d.Mean),
            min = Round4(d.Min),
            median = Round4(d.Median),
            max = Round4(d.Max),
            first = d.First is { } f ? Documents.Iso(f) : null,
            last = d.Last is { } l ? Documents.Iso(l) : null,
            top = d.Top.Select(t => new { value = t.Value, customers = t.Count }),
        }),
    };

    private static double? Round4(double? value) => value is { } v ? Math.Round(v, 4) : null;

    public static object Cluster(ClusterResult result, int? version, string? path)
    {
        var model = result.Model;
        var chosen = result.Choice.ByK.First(q => q.K == model.K);
        return new
        {
            as_of = Documents.Iso(model.AsOf),
            model = version,
            customers = result.Customers,
            clustered = result.Clustered,
            dropped = result.Customers - result.Clustered,
            k = model.K,
            reason = result.Choice.Reason,
            elbow_k = result.Choice.ElbowK,
            seed = model.Request.Seed,
            initializations = model.Request.Initializations,
            scaling = model.Preparation.Scaling.ToString().ToLowerInvariant(),
            missing = model.Preparation.Missing.ToString().ToLowerInvariant(),
            inertia = model.Inertia,
            silhouette = chosen.Silhouette,
            silhouette_sample = chosen.SilhouetteSample,
            iterations = result.Iterations,
            converged = result.Converged,
            path,
            inputs = result.Inputs.Select(i => new
            {
                name = i.Name,
                kind = i.Categorical ? "categorical" : "numeric",
                source = i.Computed ? "feature" : "customer",
                log = i.Log,
                skewness = i.Skewness,
                missing = i.Missing,
                fill = i.Fill,
                levels = i.Categorical ? i.Levels : null,
            }),
            by_k = ByK(result.Choice.ByK),
            clusters = Profiles(result.Clusters),
        };
    }

    /// <summary>The quality of every k tried (the k-selection chart).</summary>
    private static IEnumerable<object> ByK(IEnumerable<ClusterQuality> byK) => byK.Select(q => new
    {
        k = q.K,
        inertia = q.Inertia,
        silhouette = Documents.Number(q.Silhouette),
        calinski_harabasz = Documents.Number(q.CalinskiHarabasz),
        davies_bouldin = Documents.Number(q.DaviesBouldin),
    });

    /// <summary>Each cluster's size and its center on every input beside its members' mean and everyone's.</summary>
    private static IEnumerable<object> Profiles(IEnumerable<ClusterProfile> clusters) => clusters.Select(c => new
    {
        id = c.Id,
        segment = ClusterAnalysis.SegmentName(c.Id),
        customers = c.Customers,
        share = c.Share,
        centers = c.Centers.Select(x => new { input = x.Input, level = x.Level, center = Documents.Number(x.Center), mean = Documents.Number(x.Mean), overall = Documents.Number(x.Overall) }),
    });

    /// <summary>The active model as the dashboard draws it: inputs, the k-selection curve, profiles and the 2-D projection.</summary>
    public static object ClusterView(ClusterView view)
    {
        var model = view.Model;
        var dims = model.Preparation.Dimensions;
        return new
        {
            model = model.Version,
            as_of = Documents.Iso(model.AsOf),
            k = model.K,
            inertia = model.Inertia,
            seed = model.Request.Seed,
            numeric = model.Request.Numeric.Select(i => i.Name),
            categorical = model.Request.Categorical.Select(i => i.Name),
            scaling = model.Preparation.Scaling.ToString().ToLowerInvariant(),
            reason = model.Choice?.Reason,
            elbow_k = model.Choice?.ElbowK,
            by_k = ByK(model.Choice?.ByK ?? []),
            clusters = Profiles(view.Clusters),
            projection = new
            {
                customers = view.Projection.Customers,
                axes = view.Projection.Axes.Select(a => new
                {
                    variance = Math.Round(a.Variance, 6),
                    loadings = a.Loadings.Select((w, t) => new { dimension = dims[t].Label, weight = Math.Round(w, 6) }).OrderByDescending(l => Math.Abs(l.weight)).ThenBy(l => l.dimension, StringComparer.Ordinal),
                }),
                points = view.Projection.Points.Select(p => new[] { Math.Round(p.X, 4), Math.Round(p.Y, 4), p.Cluster }),
                centroids = view.Projection.Centroids.Select(p => new[] { Math.Round(p.X, 4), Math.Round(p.Y, 4), p.Cluster }),
            },
        };
    }

    public static object Persona(PersonaReport r) => new
    {
        segment = r.Segment,
        title = r.Title,
        name = r.Name,
        name_reasons = r.NameReasons,
        size = r.Size,
        customers = r.Customers,
        share_of_customers = r.ShareOfCustomers,
        net_revenue = r.Revenue,
        share_of_net_revenue = r.ShareOfRevenue,
        strategy = r.Strategy,
        strategy_reason = r.StrategyReason,
        measures = r.Measures.Select(m => new
        {
            name = m.Name,
            unit = m.Unit,
            present = m.Present,
            mean = Documents.Number(m.Mean),
            median = Documents.Number(m.Median),
            base_mean = Documents.Number(m.BaseMean),
            base_median = Documents.Number(m.BaseMedian),
            index = Documents.Number(m.Index),
            difference = Documents.Number(m.Difference),
        }),
        over_indexing = r.OverIndexing.Select(l => new
        {
            trait = l.Trait,
            level = l.Level,
            members = l.Members,
            share = l.Share,
            base_share = l.BaseShare,
            lift = l.Lift,
            p_value = l.PValue,
        }),
        buys = (r.Buys ?? []).Select(l => new
        {
            trait = l.Trait,
            level = l.Level,
            label = l.Label,
            members = l.Members,
            share = l.Share,
            base_share = l.BaseShare,
            lift = l.Lift,
            p_value = l.PValue,
        }),
        channels = r.Channels.Select(Share),
        rfm_mix = r.RfmMix.Select(Share),
        lifetime = r.Lifetime is not { } l ? null : new
        {
            model_version = l.ModelVersion,
            history_end = l.HistoryEnd.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            members_predicted = l.Predicted,
            members_value = l.TotalValue,
            share_of_value = l.ShareOfValue,
            members_mean_value = l.MeanValue,
            all_customers_mean_value = l.BaseMeanValue,
            members_mean_p_alive = l.MeanProbabilityAlive,
            all_customers_mean_p_alive = l.BaseMeanProbabilityAlive,
            members_likely_inactive = l.LikelyInactive,
            p_alive_informative = l.ProbabilityAliveInformative,
            warnings = l.Warnings ?? [],
        },
    };

    public static object Share(PersonaShare s) => new { name = s.Name, members = s.Members, share = s.Share, base_share = s.BaseShare };

    public static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static object FitJson(ModelFit fit) => new
    {
        model = fit.Model,
        customers = fit.Customers,
        distinct_histories = fit.DistinctHistories,
        log_likelihood = fit.LogLikelihood,
        iterations = fit.Iterations,
        evaluations = fit.Evaluations,
        converged = fit.Converged,
        parameters = fit.Parameters.Select(p => new { name = p.Name, value = p.Value, standard_error = p.StandardError }),
        warnings = fit.Warnings,
    };

    public static object ModelJson(ClvModel model, bool stored) => new
    {
        version = stored ? model.Version : (int?)null,
        model = ClvFitter.ModelName(model.Model),
        unit = model.Unit.ToString().ToLowerInvariant(),
        calibration_end = Day(model.CalibrationEnd),
        purchases = FitJson(model.Purchases),
        spend = model.Spend is null ? null : FitJson(model.Spend),
        spend_problem = model.SpendProblem,
        diagnostics = model.Diagnostics is not { } d ? null : new
        {
            customers = d.Customers,
            mean_p_alive = d.MeanProbabilityAlive,
            share_p_alive_above_0_99 = d.ShareAlmostSurelyAlive,
            one_time_buyers = d.OneTimeBuyers,
            holdout = d.Holdout is not { } h ? null : new
            {
                calibration_end = Day(h.CalibrationEnd),
                holdout_end = Day(h.HoldoutEnd),
                customers = h.Customers,
                actual_purchases = h.Actual,
                predicted_purchases = h.Predicted,
                relative_error = double.IsFinite(h.RelativeError) ? h.RelativeError : (double?)null,
                mean_absolute_error = h.MeanAbsoluteError,
            },
            holdout_skipped = d.HoldoutSkipped,
        },
        warnings = model.Warnings,
    };

    /// <summary>A summary of predictions: totals, the distribution of value by decile, and the most valuable customers.</summary>
    public static object PredictionsJson(ClvPredictions predictions)
    {
        var rows = predictions.Customers;
        var ranked = Ranked(predictions);

        // Ascending, as the sum and the median read them: the ranking reversed.
        var values = ranked.Select(r => r.Value ?? 0).Reverse().ToArray();
        var total = values.Sum();
        return new
        {
            history_end = Day(predictions.HistoryEnd),
            horizon_days = predictions.Options.HorizonDays,
            discount = predictions.Options.AnnualDiscount,
            margin = predictions.Options.Margin,
            customers = rows.Count,
            total_value = predictions.Model.Spend is null ? (double?)null : total,
            mean_value = predictions.Model.Spend is null || rows.Count == 0 ? (double?)null : total / rows.Count,
            median_value = predictions.Model.Spend is null || rows.Count == 0 ? (double?)null : (values[(values.Length - 1) / 2] + values[values.Length / 2]) / 2,
            expected_purchases = predictions.TotalPurchases,
            mean_p_alive = rows.Count == 0 ? 0 : rows.Average(r => r.ProbabilityAlive),
            likely_inactive = rows.LongCount(r => r.ProbabilityAlive < 0.5),
            deciles = Deciles(ranked).Select(d => new { decile = d.Decile, customers = d.Customers, value = d.Value, share_of_value = d.Share, mean_p_alive = d.MeanAlive }),
            top = ranked.Take(10).Select(r => new { customer_id = r.CustomerId, value = r.Value, p_alive = r.ProbabilityAlive, expected_purchases = r.ExpectedPurchases, expected_spend = r.ExpectedSpend, x = r.History.X }),
        };
    }

    /// <summary>Customers as <see cref="Ranked"/> orders them, in ten groups of near-equal size, the most valuable first.</summary>
    public static List<(int Decile, long Customers, double Value, double Share, double MeanAlive)> Deciles(List<ClvPrediction> ranked)
    {
        var total = ranked.Sum(r => r.Value ?? 0);
        var result = new List<(int, long, double, double, double)>();
        for (var d = 0; d < 10 && ranked.Count > 0; d++)
        {
            var from = ranked.Count * d / 10;
            var to = ranked.Count * (d + 1) / 10;
            var slice = ranked.Skip(from).Take(to - from).ToList();
            var value = slice.Sum(r => r.Value ?? 0);
            result.Add((d + 1, slice.Count, value, total == 0 ? 0 : value / total, slice.Count == 0 ? 0 : slice.Average(r => r.ProbabilityAlive)));
        }

        return result;
    }

    /// <summary>Customers by value, then expected purchases, then id: sorted once for the deciles, the top and the median.</summary>
    public static List<ClvPrediction> Ranked(ClvPredictions predictions) => predictions.Customers
        .OrderByDescending(r => r.Value ?? 0)
        .ThenByDescending(r => r.ExpectedPurchases)
        .ThenBy(r => r.CustomerId, StringComparer.Ordinal)
        .ToList();
}
