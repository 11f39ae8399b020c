using System.Globalization;
using System.Text;
using System.Text.Json;
using Segmenta.Features;
using Segmenta.Language;
using Segmenta.Model;
using Segmenta.Sql;
using Segmenta.Warehouse;

namespace Segmenta.Rfm;

/// <summary>One named RFM segment in the report.</summary>
/// <param name="Segment">Its name from the score map.</param>
/// <param name="Customers">Customers in it.</param>
/// <param name="Share">Its share of all customers (those without purchases included).</param>
/// <param name="Revenue">Its customers' net revenue (<c>monetary</c>).</param>
/// <param name="ShareOfRevenue">Its share of the scored customers' net revenue (0 when that total is not positive).</param>
/// <param name="AvgR">Mean recency score (0 when empty).</param>
/// <param name="AvgF">Mean frequency score.</param>
/// <param name="AvgM">Mean monetary score.</param>
public sealed record RfmSegmentRow(string Segment, long Customers, double Share, decimal Revenue, double ShareOfRevenue, double AvgR, double AvgF, double AvgM);

/// <summary>One cell of the R×F grid.</summary>
public sealed record RfmCell(int R, int F, long Customers, decimal Revenue);

/// <summary>The RFM picture at an as-of instant: named segments and the R×F grid.</summary>
/// <param name="AsOf">The as-of instant.</param>
/// <param name="Options">Bins, method and map used.</param>
/// <param name="Customers">All customers.</param>
/// <param name="Scored">Customers with at least one order, who have scores.</param>
/// <param name="Revenue">The scored customers' net revenue.</param>
/// <param name="Segments">Every named segment of the map, in map order (the fallback only when it has customers).</param>
/// <param name="Grid">Every (R, F) cell, R then F ascending.</param>
public sealed record RfmReport(DateTime AsOf, RfmOptions Options, long Customers, long Scored, decimal Revenue, IReadOnlyList<RfmSegmentRow> Segments, IReadOnlyList<RfmCell> Grid)
{
    /// <summary>Customers without an order before as-of: no scores, no RFM segment.</summary>
    public long WithoutPurchases => Customers - Scored;
}

/// <summary>
/// RFM analysis: scores each customer with at least one order (docs/rfm.md), names the score cells
/// with the workspace's map, stores the scores per as-of in <see cref="Tables.RfmScores"/>, and reports them.
/// In segments, <c>rfm.segment</c>, <c>rfm.r</c>, … are computed at the evaluation's as-of with the
/// workspace's options, and every named segment is also a segment of its own (<c>rfm_champions</c>).
/// </summary>
public static class RfmAnalysis
{
    /// <summary>The analysis name in <see cref="AnalysisRuns"/>.</summary>
    public const string Analysis = "rfm";


    /// <summary>The prefix of RFM fields in segment text.</summary>
    public const string Namespace = "rfm";

    /// <summary>The prefix of the generated segments' names.</summary>
    public const string SegmentPrefix = "rfm_";

    /// <summary>The name of the source of the generated segments, in diagnostics.</summary>
    public const string SegmentsSource = "(rfm map)";

    /// <summary><c>rfm.segment</c>, <c>rfm.r</c>, <c>rfm.f</c>, <c>rfm.m</c>, <c>rfm.fm</c> for the segment language, computed with <paramref name="options"/>.</summary>
    public static DerivedFieldSet FieldSet(RfmOptions options) => new(
        Namespace,
        Tables.RfmScores,
        [new("segment", FieldType.Text), new("r", FieldType.Integer), new("f", FieldType.Integer), new("m", FieldType.Integer), new("fm", FieldType.Integer)],
        "segmenta rfm")
    {
        Source = new RfmSql(options),
        Segments = Segments(options),
    };

    /// <summary>Computes the scores at the context's as-of and reports them, without storing anything (one query).</summary>
    public static RfmReport Compute(IWarehouse warehouse, EvaluationContext context, RfmOptions options)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(options);
        context = OrderSummary.Prepare(warehouse, context);
        return Summarize(warehouse, context.AsOf, options, RfmSql.ComputedSummary(warehouse.Dialect, context, options));
    }

    /// <summary>Computes and stores the scores at the context's as-of (replacing any stored there) and reports them.</summary>
    public static RfmReport Materialize(IWarehouse warehouse, EvaluationContext context, RfmOptions options, DateTime now, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(options);
        context = OrderSummary.Prepare(warehouse, context);
        warehouse.ExecuteInTransaction(
            WarehouseSql.ReplaceAnalysis(warehouse.Dialect, Analysis, Tables.RfmScores, RfmSql.Columns, sql => new RfmSql(options).Write(sql, context), context.AsOf, now, OptionsJson(options)),
            cancellation);
        return Report(warehouse, context.AsOf, options);
    }

    /// <summary>Every scored customer's row computed at the context's as-of, ordered by customer id (columns: <see cref="StoredColumns"/>).</summary>
    public static SqlStatement Scores(ISqlDialect dialect, EvaluationContext context, RfmOptions options)
    {
        ArgumentNullException.ThrowIfNull(dialect);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(options);
        return RfmSql.Scores(dialect, context, options);
    }

    /// <summary>The stored rows at <paramref name="asOf"/>, ordered by customer id (columns: <see cref="StoredColumns"/>).</summary>
    public static SqlStatement Stored(ISqlDialect dialect, DateTime asOf)
    {
        ArgumentNullException.ThrowIfNull(dialect);
        return RfmSql.Stored(dialect, asOf);
    }

    /// <summary>The columns of <see cref="Stored"/> and <see cref="Scores"/>.</summary>
    public static IReadOnlyList<string> StoredColumns => RfmSql.Columns;

    /// <summary>The report of the scores stored at <paramref name="asOf"/>, which were computed with <paramref name="options"/>.</summary>
    public static RfmReport Report(IWarehouse warehouse, DateTime asOf, RfmOptions options)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        ArgumentNullException.ThrowIfNull(options);
        return Summarize(warehouse, asOf, options, RfmSql.StoredSummary(warehouse.Dialect, asOf));
    }

    /// <summary>The report at <paramref name="asOf"/> of the scored rows <paramref name="summary"/> groups (<see cref="RfmSql.StoredSummary"/> or <see cref="RfmSql.ComputedSummary"/>).</summary>
    internal static RfmReport Summarize(IWarehouse warehouse, DateTime asOf, RfmOptions options, SqlStatement summary)
    {
        var d = warehouse.Dialect;
        long customers = 0;
        warehouse.Read(RfmSql.CustomerCount(d), r => customers = r.GetInt64(0));

        var bySegment = new Dictionary<string, (long N, decimal Revenue, long R, long F, long M)>(StringComparer.Ordinal);
        var cells = new Dictionary<(int, int), (long N, decimal Revenue)>();
        warehouse.Read(summary, r =>
        {
            // Scored rows always have a segment and scores: a null marks the other grouping set.
            if (!r.IsDBNull(0))
            {
                bySegment[r.GetString(0)] = (r.GetInt64(3), r.GetDecimal(4), r.GetInt64(5), r.GetInt64(6), r.GetInt64(7));
            }
            else
            {
                cells[((int)r.GetInt64(1), (int)r.GetInt64(2))] = (r.GetInt64(3), r.GetDecimal(4));
            }
        });

        var scored = bySegment.Values.Sum(v => v.N);
        var revenue = bySegment.Values.Sum(v => v.Revenue);
        var names = options.Map.Rules.Select(r => r.Segment).Distinct(StringComparer.Ordinal).ToList();
        if (bySegment.ContainsKey(options.Map.Fallback) && !names.Contains(options.Map.Fallback, StringComparer.Ordinal))
        {
            names.Add(options.Map.Fallback);
        }

        var rows = names.Select(name =>
        {
            var (n, rev, r, f, m) = bySegment.GetValueOrDefault(name);
            return new RfmSegmentRow(
                name,
                n,
                customers == 0 ? 0 : (double)n / customers,
                rev,
                revenue > 0 ? (double)(rev / revenue) : 0,
                n == 0 ? 0 : (double)r / n,
                n == 0 ? 0 : (double)f / n,
                n == 0 ? 0 : (double)m / n);
        }).ToList();

        var grid = new List<RfmCell>();
        for (var r = 1; r <= options.Bins; r++)
        {
            for (var f = 1; f <= options.Bins; f++)
            {
                var (n, rev) = cells.GetValueOrDefault((r, f));
                grid.Add(new RfmCell(r, f, n, rev));
            }
        }

        return new RfmReport(asOf, options, customers, scored, revenue, rows, grid);
    }

    /// <summary>
    /// One segment per named RFM segment — <c>rfm_champions</c> is <c>rfm.segment = "Champions"</c> —
    /// so that each can be previewed, materialized, exported and referenced with <c>in segment</c>.
    /// </summary>
    public static SegmentSource Segments(RfmOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var text = new StringBuilder("# The named RFM segments of the workspace's score map (segmenta.yaml; docs/rfm.md).\n");
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in options.Map.SegmentNames)
        {
            var rules = options.Map.Rules.Where(r => r.Segment == name).Select(r => r.ToString()).ToList();
            var id = SegmentName(name);
            for (var i = 2; !used.Add(id); i++)
            {
                id = SegmentName(name) + "_" + i.ToString(CultureInfo.InvariantCulture);
            }

            var meaning = rules.Count == 0 ? "no rule of the map names the customer" : string.Join("; ", rules);
            text.Append(CultureInfo.InvariantCulture, $"\nsegment {id} {Quote(name)}\n  description {Quote($"RFM segment: {meaning}")}\nwhere rfm.segment = {Quote(name)}\n");
        }

        return new SegmentSource(SegmentsSource, text.ToString());
    }

    /// <summary>The generated segment's name for an RFM segment: <c>rfm_</c> and the name in lower snake case.</summary>
    public static string SegmentName(string segment)
    {
        ArgumentNullException.ThrowIfNull(segment);
        var slug = new StringBuilder();
        foreach (var c in segment.Replace("'", "", StringComparison.Ordinal).Replace("’", "", StringComparison.Ordinal).ToLowerInvariant())
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                slug.Append(c);
            }
            else if (slug.Length > 0 && slug[^1] != '_')
            {
                slug.Append('_');
            }
        }

        var name = slug.ToString().TrimEnd('_');
        return SegmentPrefix + (name.Length == 0 ? "segment" : name);
    }

    /// <summary>The options as JSON text, as stored with each run.</summary>
    public static string OptionsJson(RfmOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return JsonSerializer.Serialize(new
        {
            bins = options.Bins,
            method = RfmOptions.MethodName(options.Method),
            scale = options.Map.Scale,
            segments = options.Map.Rules.Select(r => new { segment = r.Segment, rule = r.ToString() }),
            other = options.Map.Fallback,
        });
    }

    private static string Quote(string text) => "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
