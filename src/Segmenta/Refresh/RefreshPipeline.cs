using System.Collections.Frozen;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Segmenta.Clustering;
using Segmenta.Clv;
using Segmenta.Features;
using Segmenta.Language;
using Segmenta.Rfm;
using Segmenta.Segments;
using Segmenta.Sql;
using Segmenta.Warehouse;
using Segmenta.Workspaces;

namespace Segmenta.Refresh;

/// <summary>A refresh failed at a step; nothing of its snapshot was kept and the previous one stays current.</summary>
public sealed class RefreshFailedException(string step, string reason, DateTime? current, Exception inner)
    : SegmentaException($"refresh failed at step `{step}`: {reason}", FailureKind.StepFailed, inner)
{
    /// <summary>The step that failed.</summary>
    public string Step { get; } = step;

    /// <summary>Why, in one line.</summary>
    public string Reason { get; } = reason;

    /// <summary>The snapshot that stays current, if any.</summary>
    public DateTime? Current { get; } = current;
}

/// <summary>
/// Brings everything derived up to one as-of instant, in dependency order, and records a snapshot:
/// <list type="number">
/// <item><b>features</b> of every customer, stored at the instant (everything after reads them instead of the events);</item>
/// <item><b>rfm</b> scores, stored at the instant;</item>
/// <item><b>clusters</b>: every customer scored with the active model and stored at the instant, and where each cluster's members sit;</item>
/// <item><b>clv</b>: every customer's predictions from the active model, with histories through the instant;</item>
/// <item><b>traits</b>: every computed trait's value per customer, stored at the instant;</item>
/// <item><b>segments</b>: every segment, in dependency order, recorded in the membership history;</item>
/// <item><b>drift</b>: sizes against each segment's previous materialization, the features' population stability
/// against the previous snapshot, the clusters' centroid drift;</item>
/// <item><b>commit</b>: the snapshot, its report and profile.</item>
/// </list>
/// Steps 1–3 write rows keyed by the new instant only; steps 4–8 happen in one transaction. A failure
/// anywhere rolls that transaction back, records the failed run and throws
/// <see cref="RefreshFailedException"/>: the previous snapshot's memberships, predictions and report stay
/// current. Features, RFM and cluster rows are kept for the current snapshot only; history is the membership
/// intervals, sizes and profiles.
/// </summary>
public static class RefreshPipeline
{
    /// <summary>Refreshes the workspace to <paramref name="context"/>'s instant; <paramref name="progress"/> hears of each step as it ends.</summary>
    public static RefreshReport Run(
        Workspace workspace,
        IWarehouse warehouse,
        EvaluationContext context,
        TimeProvider time,
        Action<RefreshStep>? progress = null,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        ArgumentNullException.ThrowIfNull(warehouse);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(time);
        var settings = workspace.Settings;
        var options = settings.Refresh;
        var asOf = context.AsOf;
        var plain = context.WithNothingStored();
        var started = time.GetUtcNow().UtcDateTime;
        var steps = new List<RefreshStep>();
        var step = "segments";

        void Finish(string name, Stopwatch watch, long rows, string detail, string status = "ok")
        {
            var done = new RefreshStep(name, status, Math.Round(watch.Elapsed.TotalSeconds, 3), rows, detail);
            steps.Add(done);
            progress?.Invoke(done);
        }

        // Before anything is written: the segments compile and history moves forward.
        var schema = SegmentLibrary.SchemaOf(warehouse, settings);
        var library = SegmentLibrary.Load(workspace, schema);
        var segments = library.Compilation.InDependencyOrder();
        SegmentMaterializer.CheckForward(warehouse, segments.Select(s => s.Name), asOf);
        try
        {
            if (!library.Compilation.Success)
            {
                var first = library.Compilation.Diagnostics[0];
                throw new InvalidOperationException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{library.Compilation.Diagnostics.Count} error(s) in segment files, the first {first.File}:{first.Line}:{first.Column}: {first.Message}; run `segmenta segment check`"));
            }

            step = "features";
            var watch = Stopwatch.StartNew();
            var features = FeatureSnapshots.Materialize(warehouse, plain, time.GetUtcNow().UtcDateTime, cancellation);
            Finish(step, watch, features.Rows, "every customer's features, stored at the instant");
            var evaluation = plain.WithStored(FeatureSnapshots.Analysis, Tables.CustomerFeatures);

            step = "rfm";
            watch.Restart();
            var rfm = RfmAnalysis.Materialize(warehouse, evaluation, settings.Rfm, time.GetUtcNow().UtcDateTime, cancellation);
            Finish(step, watch, rfm.Scored, string.Create(CultureInfo.InvariantCulture, $"{rfm.Scored:N0} customers with an order scored into {rfm.Segments.Count(s => s.Customers > 0)} segments"));
            evaluation = evaluation.WithStored(RfmAnalysis.Analysis, Tables.RfmScores);

            step = "clusters";
            watch.Restart();
            var clusterModel = ClusterAnalysis.Active(warehouse);
            if (clusterModel is not null)
            {
                ClusterAnalysis.StoreScores(warehouse, clusterModel, evaluation, time.GetUtcNow().UtcDateTime, cancellation);
                evaluation = evaluation.WithStored(ClusterAnalysis.Analysis, Tables.ClusterScores);
            }

            var means = clusterModel is null ? [] : MemberMeans(warehouse, clusterModel, evaluation);

            Finish(
                step,
                watch,
                means.Sum(m => m.Members),
                clusterModel is null ? "no cluster model (segmenta cluster)" : string.Create(CultureInfo.InvariantCulture, $"scored with model {clusterModel.Version} (k = {clusterModel.K})"),
                clusterModel is null ? "skipped" : "ok");

            step = "clv";
            watch.Restart();
            var clvModel = ClvAnalysis.Active(warehouse);
            ClvPredictions? predictions = null;
            if (clvModel is not null)
            {
                var end = ClvAnalysis.LastCompleteDay(plain);
                var histories = ClvAnalysis.ReadSummary(warehouse, settings.Zone, new SummaryPeriod(end, null, clvModel.Unit));
                predictions = ClvAnalysis.Predict(clvModel, histories, end, options.Clv);
            }

            // The predictions are stored in the snapshot's transaction, and their storing counted in the step (1M customers: 1 s).
            using var transaction = warehouse.BeginTransaction();
            if (predictions is not null)
            {
                ClvAnalysis.StorePredictions(transaction, predictions, cancellation);
            }

            Finish(
                step,
                watch,
                predictions?.Customers.Count ?? 0,
                clvModel is null ? "no CLV model (segmenta clv fit)" : string.Create(CultureInfo.InvariantCulture, $"predicted and stored with model {clvModel.Version}, histories through {predictions!.HistoryEnd:yyyy-MM-dd}"),
                clvModel is null ? "skipped" : "ok");
            if (predictions is not null)
            {
                // Every customer's history and prediction is garbage now, and at scale it is gigabytes (10M customers) that
                // the .NET heap would keep committed while DuckDB materializes the segments, on top of DuckDB's own memory:
                // return it to the system before the segments step (a few milliseconds on a small heap).
                predictions = null;
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            }

            step = "traits";
            watch.Restart();
            var traits = library.Compilation.Traits;
            var traitValues = SegmentSql.StoreTraitValues(transaction.Dialect, traits, evaluation).Sum(statement =>
            {
                cancellation.ThrowIfCancellationRequested();
                return transaction.Execute(statement);
            });
            Finish(
                step,
                watch,
                traitValues,
                traits.Count == 0 ? "no computed traits (trait NAME = … in segments/*.seg)" : string.Create(CultureInfo.InvariantCulture, $"{traits.Count} computed trait(s): {traitValues:N0} values stored at the instant"),
                traits.Count == 0 ? "skipped" : "ok");

            step = "segments";
            watch.Restart();
            var stored = SegmentMaterializer.Record(transaction, segments, evaluation, time.GetUtcNow().UtcDateTime, cancellation);
            Finish(step, watch, stored.Sum(m => m.Size), string.Create(CultureInfo.InvariantCulture, $"{stored.Count} segments recorded: {stored.Sum(m => m.Entered):N0} entered, {stored.Sum(m => m.Exited):N0} exited"));

            step = "drift";
            watch.Restart();
            var previousRun = RefreshRuns.Committed(transaction, asOf);
            var previous = previousRun is null ? null : RefreshRuns.Profile(transaction, previousRun.RunId);
            var changes = Changes(transaction, stored);
            var (profile, shifts) = PopulationStability.Measure(transaction, asOf, previous?.Features);
            var clusters = clusterModel is null ? [] : CentroidDrift(clusterModel, means, previous);
            var alerts = Alerts(options.Drift, changes, shifts, clusters);
            Finish(step, watch, alerts.Count, string.Create(CultureInfo.InvariantCulture, $"{alerts.Count} alert(s){(previousRun is null ? "; first snapshot, no feature or centroid comparison" : $" against the snapshot of {previousRun.AsOf:yyyy-MM-dd'T'HH:mm:ss'Z'}")}"));

            step = "commit";
            watch.Restart();
            foreach (var cleanup in RefreshSql.KeepOnlyCurrent(transaction.Dialect, asOf))
            {
                transaction.Execute(cleanup);
            }

            var runId = RefreshRuns.Next(transaction);
            Finish(step, watch, 1, "snapshot recorded");
            var report = new RefreshReport(runId, asOf, started, previousRun?.AsOf, steps, changes, shifts, clusters, alerts);
            var snapshot = new SnapshotProfile(profile, clusterModel?.Version, [.. means.Select(m => m.Mean)]);
            transaction.Execute(RefreshRuns.Insert(
                transaction.Dialect,
                new RefreshRun(runId, asOf, started, time.GetUtcNow().UtcDateTime, RefreshRuns.Ok, null, null),
                JsonSerializer.Serialize(report, RefreshRuns.Json),
                JsonSerializer.Serialize(snapshot, RefreshRuns.Json)));
            transaction.Commit();
            return report;
        }
        catch (Exception e) when (e is not HistoryException)
        {
            var reason = e is OperationCanceledException ? "interrupted" : e.Message.ReplaceLineEndings(" ");
            steps.Add(new RefreshStep(step, "failed", 0, 0, reason));
            var current = RecordFailure(warehouse, asOf, started, time, step, reason, steps);
            if (e is OperationCanceledException)
            {
                throw;
            }

            throw new RefreshFailedException(step, reason, current, e);
        }
    }

    /// <summary>Records a failed run in its own transaction and returns the snapshot that stays current.</summary>
    private static DateTime? RecordFailure(IWarehouse warehouse, DateTime asOf, DateTime started, TimeProvider time, string step, string reason, List<RefreshStep> steps)
    {
        var runId = RefreshRuns.Next(warehouse);
        var report = new RefreshReport(runId, asOf, started, null, steps, [], [], [], []);
        warehouse.ExecuteInTransaction([RefreshRuns.Insert(
            warehouse.Dialect,
            new RefreshRun(runId, asOf, started, time.GetUtcNow().UtcDateTime, RefreshRuns.Failed, step, reason),
            JsonSerializer.Serialize(report, RefreshRuns.Json),
            null)]);
        return RefreshRuns.Current(warehouse)?.AsOf;
    }

    /// <summary>Each recorded segment next to its previous materialization.</summary>
    private static List<SegmentChange> Changes(ISqlReader reader, IReadOnlyList<Materialization> stored)
    {
        var history = SegmentMaterializer.History(reader, null).ToLookup(m => m.Segment, StringComparer.Ordinal);
        return stored.Select(m =>
        {
            var before = history[m.Segment].FirstOrDefault(h => h.AsOf < m.AsOf);
            return new SegmentChange(m.Segment, m.Version, m.Size, m.Entered, m.Exited, before?.AsOf, before?.Size, before is not null && before.Version != m.Version);
        }).ToList();
    }

    /// <summary>Per cluster: its members now (the scores just stored) and the mean of their prepared coordinates.</summary>
    private static List<(int Cluster, long Members, double[] Mean)> MemberMeans(IWarehouse warehouse, ClusterModel model, EvaluationContext context)
    {
        var sql = new SqlBuilder(warehouse.Dialect);
        new ClusterSql(model).WriteMemberMeans(sql, context);
        var result = new List<(int, long, double[])>();
        warehouse.Read(sql.Build(), r => result.Add((
            Convert.ToInt32(r.GetValue(0), CultureInfo.InvariantCulture),
            Convert.ToInt64(r.GetValue(1), CultureInfo.InvariantCulture),
            Enumerable.Range(0, model.Dimensions).Select(t => r.GetDouble(2 + t)).ToArray())));
        return result;
    }

    /// <summary>Each cluster's distance from its centroid, and its movement since the previous snapshot (same model only), in RMS radii.</summary>
    private static List<ClusterDrift> CentroidDrift(ClusterModel model, List<(int Cluster, long Members, double[] Mean)> means, SnapshotProfile? previous)
    {
        var customers = model.Sizes.Sum();
        var radius = customers > 0 && model.Inertia > 0 ? Math.Sqrt(model.Inertia / customers) : 1;
        var before = previous?.ClusterModel == model.Version ? previous.ClusterMeans : null;
        return means.Select((m, i) =>
        {
            var shift = Distance(m.Mean, model.Centroid(m.Cluster)) / radius;
            double? moved = before is not null && i < before.Count && before[i].Count == m.Mean.Length ? Distance(m.Mean, before[i]) / radius : null;
            return new ClusterDrift(m.Cluster, m.Members, shift, moved);
        }).ToList();
    }

    private static double Distance(double[] a, IReadOnlyList<double> b)
    {
        double sum = 0;
        for (var t = 0; t < a.Length; t++)
        {
            sum += (a[t] - b[t]) * (a[t] - b[t]);
        }

        return Math.Sqrt(sum);
    }

    private static List<DriftAlert> Alerts(DriftThresholds thresholds, List<SegmentChange> changes, IReadOnlyList<FeatureShift> shifts, List<ClusterDrift> clusters)
    {
        var inv = CultureInfo.InvariantCulture;
        var alerts = new List<DriftAlert>();
        foreach (var c in changes)
        {
            if (c.PreviousSize is not { } before)
            {
                continue;
            }

            var moved = Math.Abs(c.Size - before);
            if (moved < thresholds.MinSizeChange)
            {
                continue;
            }

            if (before == 0)
            {
                alerts.Add(new DriftAlert("size", c.Segment, c.Size, thresholds.MinSizeChange, string.Create(inv, $"{c.Segment} was empty and now has {c.Size:N0} members")));
            }
            else if (Math.Abs(c.Change!.Value) > thresholds.SizeChange)
            {
                var why = c.NewVersion ? " (its definition changed)" : "";
                alerts.Add(new DriftAlert("size", c.Segment, c.Change.Value, thresholds.SizeChange, string.Create(inv, $"{c.Segment} {(c.Size > before ? "grew" : "shrank")} {Math.Abs(c.Change.Value):0.0%}, from {before:N0} to {c.Size:N0}{why}")));
            }
        }

        foreach (var s in shifts.Where(s => s.Psi >= thresholds.Psi))
        {
            alerts.Add(new DriftAlert("feature", s.Feature, s.Psi, thresholds.Psi, string.Create(inv, $"{s.Feature} shifted: population stability index {s.Psi:0.###} ({s.Level})")));
        }

        foreach (var c in clusters.Where(c => c.Shift >= thresholds.CentroidShift))
        {
            var name = ClusterAnalysis.SegmentName(c.Cluster);
            alerts.Add(new DriftAlert("centroid", name, c.Shift, thresholds.CentroidShift, string.Create(inv, $"{name}'s members sit {c.Shift:0.##} RMS radii from the model's centroid: consider refitting (segmenta cluster)")));
        }

        return alerts;
    }
}
