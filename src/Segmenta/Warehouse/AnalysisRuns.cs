using Segmenta.Sql;

namespace Segmenta.Warehouse;

/// <summary>One stored result of an analysis (features, RFM) at one as-of instant.</summary>
/// <param name="Analysis">features, rfm, …</param>
/// <param name="AsOf">The as-of instant it was computed for.</param>
/// <param name="ComputedAt">When it was stored.</param>
/// <param name="Rows">Rows stored.</param>
/// <param name="Options">The options it was computed with, as JSON text.</param>
public sealed record AnalysisRun(string Analysis, DateTime AsOf, DateTime ComputedAt, long Rows, string Options);

/// <summary>
/// The record of materialized analyses. An analysis stores its rows at an as-of instant in one
/// transaction with <see cref="WarehouseSql.ReplaceAnalysis"/>: rows already stored at that instant are replaced, so a
/// re-run never duplicates, and earlier instants stay for comparison.
/// </summary>
public static class AnalysisRuns
{
    /// <summary>Stored runs of an analysis, newest as-of first.</summary>
    public static IReadOnlyList<AnalysisRun> List(IWarehouse warehouse, string analysis)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        var result = new List<AnalysisRun>();
        warehouse.Read(WarehouseSql.AnalysisRuns(warehouse.Dialect, analysis), r => result.Add(new AnalysisRun(
            r.GetString(0),
            DateTime.SpecifyKind(r.GetDateTime(1), DateTimeKind.Utc),
            DateTime.SpecifyKind(r.GetDateTime(2), DateTimeKind.Utc),
            r.GetInt64(3),
            r.GetString(4))));
        return result;
    }
}
