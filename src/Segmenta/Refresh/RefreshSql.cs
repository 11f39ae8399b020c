using System.Globalization;
using Segmenta.Clustering;
using Segmenta.Features;
using Segmenta.Model;
using Segmenta.Rfm;
using Segmenta.Sql;
using Segmenta.Warehouse;

namespace Segmenta.Refresh;

/// <summary>
/// Every statement of the refresh feature: the run log, the pruning of earlier snapshots and the feature profile
/// that population stability compares. Tables are named through <see cref="Tables"/> and quoted by the dialect;
/// values are parameters.
/// </summary>
internal static class RefreshSql
{
    private const string RunColumns = "run_id, as_of, started_at, finished_at, status, failed_step, error";

    /// <summary>Runs, newest first (<c>run_id, as_of, started_at, finished_at, status, failed_step, error</c>).</summary>
    public static SqlStatement Runs(ISqlDialect d, int limit)
    {
        var sql = new SqlBuilder(d);
        sql.Append($"SELECT {RunColumns} FROM {d.QuoteIdentifier(Tables.RefreshRuns)} ORDER BY run_id DESC LIMIT {sql.Parameter((long)limit)}");
        return sql.Build();
    }

    /// <summary>The committed run with the latest as-of strictly before <paramref name="before"/> (any, when null), as <see cref="Runs"/>.</summary>
    public static SqlStatement Committed(ISqlDialect d, DateTime? before)
    {
        var sql = new SqlBuilder(d);
        var at = sql.Parameter(before);
        sql.Append($"SELECT {RunColumns} FROM {d.QuoteIdentifier(Tables.RefreshRuns)} WHERE status = {sql.Parameter(RefreshRuns.Ok)} AND ({at} IS NULL OR as_of < {at}) ORDER BY as_of DESC, run_id DESC LIMIT 1");
        return sql.Build();
    }

    /// <summary>The instants with a committed snapshot, oldest first.</summary>
    public static SqlStatement Snapshots(ISqlDialect d)
    {
        var sql = new SqlBuilder(d);
        sql.Append($"SELECT DISTINCT as_of FROM {d.QuoteIdentifier(Tables.RefreshRuns)} WHERE status = {sql.Parameter(RefreshRuns.Ok)} ORDER BY as_of");
        return sql.Build();
    }

    /// <summary>A run's stored text column (<c>report</c> or <c>profile</c>).</summary>
    public static SqlStatement RunText(ISqlDialect d, string column, long runId)
    {
        var sql = new SqlBuilder(d);
        sql.Append($"SELECT {d.QuoteIdentifier(column)} FROM {d.QuoteIdentifier(Tables.RefreshRuns)} WHERE run_id = {sql.Parameter(runId)}");
        return sql.Build();
    }

    /// <summary>The next run's number.</summary>
    public static SqlStatement NextRun(ISqlDialect d) => new($"SELECT coalesce(max(run_id), 0) + 1 FROM {d.QuoteIdentifier(Tables.RefreshRuns)}", []);

    /// <summary>Records a run with its report and profile.</summary>
    public static SqlStatement InsertRun(ISqlDialect d, RefreshRun run, string report, string? profile)
    {
        var sql = new SqlBuilder(d);
        sql.Append(
            $"""
            INSERT INTO {d.QuoteIdentifier(Tables.RefreshRuns)} (run_id, as_of, started_at, finished_at, status, failed_step, error, report, profile)
            VALUES ({sql.Parameter(run.RunId)}, {sql.Parameter(run.AsOf)}, {sql.Parameter(run.StartedAt)}, {sql.Parameter(run.FinishedAt)}, {sql.Parameter(run.Status)}, {sql.Parameter(run.FailedStep)}, {sql.Parameter(run.Error)}, {sql.Parameter(report)}, {sql.Parameter(profile)})
            """);
        return sql.Build();
    }

    /// <summary>The features, RFM and cluster rows of earlier refreshes, and their analysis runs, go: history keeps intervals, sizes and profiles, not full copies.</summary>
    public static IEnumerable<SqlStatement> KeepOnlyCurrent(ISqlDialect d, DateTime asOf)
    {
        var runs = d.QuoteIdentifier(Tables.RefreshRuns);
        foreach (var table in new[] { Tables.CustomerFeatures, Tables.RfmScores, Tables.ClusterScores, Tables.ComputedTraitValues })
        {
            var sql = new SqlBuilder(d);
            sql.Append($"DELETE FROM {d.QuoteIdentifier(table)} WHERE as_of <> {sql.Parameter(asOf)} AND as_of IN (SELECT as_of FROM {runs})");
            yield return sql.Build();
        }

        var analyses = new SqlBuilder(d);
        analyses.Append($"DELETE FROM {d.QuoteIdentifier(Tables.AnalysisRuns)} WHERE analysis IN ({analyses.Parameter(FeatureSnapshots.Analysis)}, {analyses.Parameter(RfmAnalysis.Analysis)}, {analyses.Parameter(ClusterAnalysis.Analysis)}) AND as_of <> {analyses.Parameter(asOf)} AND as_of IN (SELECT as_of FROM {runs})");
        yield return analyses.Build();
    }

    /// <summary>
    /// Per numeric feature (its position <c>f</c>), the list of its discrete quantiles at <paramref name="shares"/> among the
    /// features stored at <paramref name="asOf"/>: <c>f, quantiles</c>, one row each. One aggregate per feature, not one
    /// aggregate of every feature: DuckDB then finishes each feature's quantiles while scanning the next (1.4 s rather than
    /// 2.1–2.4 s for 20 features of 1M customers).
    /// </summary>
    public static SqlStatement FeatureQuantiles(ISqlDialect d, IReadOnlyList<FeatureDefinition> numeric, IReadOnlyList<double> shares, DateTime asOf)
    {
        var sql = new SqlBuilder(d);
        var at = sql.Parameter(asOf);
        sql.Append(string.Join(
            "\nUNION ALL\n",
            numeric.Select((f, i) => $"SELECT {I(i)} AS f, {d.DiscreteQuantiles(Number(d, f), shares)} AS q FROM {d.QuoteIdentifier(Tables.CustomerFeatures)} WHERE as_of = {at}")));
        return sql.Build();
    }

    /// <summary>
    /// Per numeric feature (its position <c>f</c>), customers by bin <c>a</c> at <paramref name="edges"/> and bin <c>b</c> at
    /// <paramref name="previousEdges"/> (0 where there are none): <c>f, a, b, n</c>; bin -1 holds the missing.
    /// </summary>
    public static SqlStatement FeatureBins(ISqlDialect d, IReadOnlyList<FeatureDefinition> numeric, IReadOnlyList<double[]> edges, IReadOnlyList<double[]?> previousEdges, DateTime asOf)
    {
        var sql = new SqlBuilder(d);
        var at = sql.Parameter(asOf);
        sql.Append(string.Join(
            "\nUNION ALL\n",
            numeric.Select((f, i) =>
                $"SELECT {I(i)} AS f, a, b, count(*) AS n FROM (SELECT {Bin(sql, Number(d, f), edges[i])} AS a, {(previousEdges[i] is { } e ? Bin(sql, Number(d, f), e) : "0")} AS b FROM {d.QuoteIdentifier(Tables.CustomerFeatures)} WHERE as_of = {at}) x GROUP BY a, b")));
        return sql.Build();
    }

    /// <summary>Per text feature (its position <c>f</c>), every value's count: <c>f, v, n</c>.</summary>
    public static SqlStatement FeatureValues(ISqlDialect d, IReadOnlyList<FeatureDefinition> text, DateTime asOf)
    {
        var sql = new SqlBuilder(d);
        var at = sql.Parameter(asOf);
        sql.Append(string.Join(
            "\nUNION ALL\n",
            text.Select((f, i) => $"SELECT {I(i)} AS f, CAST({d.QuoteIdentifier(f.Name)} AS {d.TypeName(FieldType.Text)}) AS v, count(*) AS n FROM {d.QuoteIdentifier(Tables.CustomerFeatures)} WHERE as_of = {at} GROUP BY {d.QuoteIdentifier(f.Name)}")));
        return sql.Build();
    }

    private static string Number(ISqlDialect d, FeatureDefinition f) => d.ToDouble(d.QuoteIdentifier(f.Name));

    /// <summary>The bin of <paramref name="x"/>: -1 when missing, else the first edge it is at or below, else past the last.</summary>
    private static string Bin(SqlBuilder sql, string x, double[] edges)
    {
        var cases = string.Concat(edges.Select((e, k) => $" WHEN {x} <= {sql.Parameter(e)} THEN {I(k)}"));
        return $"CASE WHEN {x} IS NULL THEN -1{cases} ELSE {I(edges.Length)} END";
    }

    private static string I(int i) => i.ToString(CultureInfo.InvariantCulture);
}
