using System.Globalization;
using Segmenta.Features;
using Segmenta.Language;
using Segmenta.Model;
using Segmenta.Sql;
using Segmenta.Warehouse;

namespace Segmenta.Rfm;

/// <summary>
/// Every statement of the RFM feature: the stored scores, the report's grouping sets, and (an instance) the
/// scores computed as one query over the features <c>recency_days</c>, <c>frequency</c> and
/// <c>monetary</c>: only customers with at least one order are scored. Both methods score against
/// cuts, order statistics of the scored customers' values in worst-to-best order, found from each
/// measure's distinct values and their cumulative counts (a group-by and a window over distinct
/// values, not a sort of every customer); the scores then stream, and the map names them.
/// Columns: <c>customer_id, recency_days, frequency, monetary, r, f, m, fm, segment</c>.
/// </summary>
internal sealed class RfmSql(RfmOptions options) : IDerivedFieldSource
{
    /// <summary>Every scored customer's row computed at the context's as-of, ordered by customer id (columns: <see cref="Columns"/>).</summary>
    public static SqlStatement Scores(ISqlDialect d, EvaluationContext context, RfmOptions options)
    {
        var sql = new SqlBuilder(d);
        sql.Append($"SELECT {string.Join(", ", Columns.Select(c => "x." + d.QuoteIdentifier(c)))} FROM ");
        WriteComputed(sql, context, options);
        sql.Append($" ORDER BY {d.BinaryOrder("x.customer_id")}");
        return sql.Build();
    }

    /// <summary>The rows stored at <paramref name="asOf"/>, ordered by customer id (columns: <see cref="Columns"/>).</summary>
    public static SqlStatement Stored(ISqlDialect d, DateTime asOf)
    {
        var sql = new SqlBuilder(d);
        sql.Append($"SELECT {string.Join(", ", Columns.Select(d.QuoteIdentifier))} FROM {d.QuoteIdentifier(Tables.RfmScores)} WHERE as_of = {sql.Parameter(asOf)} ORDER BY {d.BinaryOrder("customer_id")}");
        return sql.Build();
    }

    /// <summary>Every customer.</summary>
    public static SqlStatement CustomerCount(ISqlDialect d) => new($"SELECT count(*) FROM {d.QuoteIdentifier(Tables.Customers)}", []);

    /// <summary>The report's rows (<see cref="Summary"/>) over the scores stored at <paramref name="asOf"/>.</summary>
    public static SqlStatement StoredSummary(ISqlDialect d, DateTime asOf) =>
        Summary(d, sql => sql.Append($"(SELECT * FROM {d.QuoteIdentifier(Tables.RfmScores)} WHERE as_of = {sql.Parameter(asOf)}) x"));

    /// <summary>The report's rows (<see cref="Summary"/>) over the scores computed at the context's as-of.</summary>
    public static SqlStatement ComputedSummary(ISqlDialect d, EvaluationContext context, RfmOptions options) =>
        Summary(d, sql => WriteComputed(sql, context, options));

    /// <summary>
    /// The report's rows in one pass (two grouping sets): per segment and per (r, f) cell, (segment, r, f, customers,
    /// net revenue, Σr, Σf, Σm), over the scored rows <paramref name="writeSource"/> writes (aliased <c>x</c>).
    /// </summary>
    private static SqlStatement Summary(ISqlDialect d, Action<SqlBuilder> writeSource)
    {
        var sql = new SqlBuilder(d);
        var integer = d.TypeName(FieldType.Integer);
        sql.Append($"SELECT segment, r, f, count(*), sum(monetary), CAST(sum(r) AS {integer}), CAST(sum(f) AS {integer}), CAST(sum(m) AS {integer})\nFROM ");
        writeSource(sql);
        sql.Append("\nGROUP BY GROUPING SETS ((segment), (r, f))");
        return sql.Build();
    }

    /// <summary>The scores computed at the context's as-of, as a parenthesized subquery aliased <c>x</c>.</summary>
    private static void WriteComputed(SqlBuilder sql, EvaluationContext context, RfmOptions options)
    {
        sql.Append("(\n");
        new RfmSql(options).Write(sql, context);
        sql.Append("\n) x");
    }

    /// <summary>The columns written, in order.</summary>
    public static IReadOnlyList<string> Columns { get; } = [CanonicalModel.CustomerId, "recency_days", "frequency", "monetary", "r", "f", "m", "fm", "segment"];

    /// <summary>Each measure: its score column, its value column, and whether a smaller value is better.</summary>
    private static readonly (string Score, string Value, bool SmallerIsBetter)[] Measures =
    [
        ("r", "recency_days", true),
        ("f", "frequency", false),
        ("m", "monetary", false),
    ];

    /// <inheritdoc />
    /// <remarks>Reads the scores stored at the as-of when the context says they are (a refresh stored them), else computes them.</remarks>
    public void WriteRows(SqlBuilder sql, EvaluationContext context, IReadOnlyCollection<string> fields)
    {
        ArgumentNullException.ThrowIfNull(sql);
        ArgumentNullException.ThrowIfNull(context);
        if (context.Stored.TryGetValue(RfmAnalysis.Analysis, out var stored))
        {
            var d = sql.Dialect;
            sql.Append($"SELECT {string.Join(", ", Columns.Select(d.QuoteIdentifier))} FROM {d.QuoteIdentifier(stored)} WHERE as_of = {sql.Parameter(context.AsOf)}");
            return;
        }

        Write(sql, context);
    }

    /// <summary>Writes the scores of every customer with an order, as of the context's instant.</summary>
    public void Write(SqlBuilder sql, EvaluationContext context)
    {
        ArgumentNullException.ThrowIfNull(sql);
        ArgumentNullException.ThrowIfNull(context);
        var d = sql.Dialect;
        var bins = sql.Parameter((long)options.Bins);
        sql.Append("WITH base AS (\n");
        FeatureSql.Write(sql, context, ["recency_days", "frequency", "monetary"]);
        sql.Append("\n),\nscored AS (\n  SELECT customer_id, recency_days, frequency, monetary FROM base WHERE frequency > 0\n),\ncounted AS (\n  SELECT n");
        if (options.Method == RfmMethod.Quantiles)
        {
            // Each quantile's remainder once, not per customer.
            for (var k = 1; k < options.Bins; k++)
            {
                sql.Append($", (n - 1) * {K(k)} - {bins} * {QuantileLow(d, k, bins)} AS rem{K(k)}");
            }
        }

        sql.Append(" FROM (SELECT count(*) AS n FROM scored) c\n)");

        // Per measure: its distinct values with how many customers have that value or a worse one
        // (the 1-based position of the value's last customer in worst-to-best order), then the cuts.
        // The value at position p is the first value, worst first, with at_or_worse >= p.
        foreach (var (score, value, smallerIsBetter) in Measures)
        {
            var worstFirst = smallerIsBetter ? "DESC" : "ASC";
            var first = smallerIsBetter ? "max" : "min";
            sql.Append($",\n{score}_values AS (\n  SELECT {value} AS v, sum(count(*)) OVER (ORDER BY {value} {worstFirst}) AS at_or_worse FROM scored GROUP BY {value}\n),\n{score}_cuts AS (\n  SELECT ");
            var cuts = new List<string>();
            for (var k = 1; k < options.Bins; k++)
            {
                if (options.Method == RfmMethod.Ranks)
                {
                    cuts.Add($"{first}(v) FILTER (WHERE at_or_worse >= {RankCut(d, k, bins)}) AS cut{K(k)}");
                }
                else
                {
                    cuts.Add($"{first}(v) FILTER (WHERE at_or_worse >= {QuantileLow(d, k, bins)} + 1) AS low{K(k)}");
                    cuts.Add($"{first}(v) FILTER (WHERE at_or_worse >= {QuantileLow(d, k, bins)} + 2) AS high{K(k)}");
                }
            }

            sql.Append(string.Join(",\n         ", cuts)).Append($"\n  FROM {score}_values CROSS JOIN counted GROUP BY counted.n\n)");
        }

        sql.Append(",\nscores AS (\n  SELECT s.customer_id, s.recency_days, s.frequency, s.monetary");
        foreach (var (score, value, smallerIsBetter) in Measures)
        {
            var (better, asGood) = smallerIsBetter ? ("<", "<=") : (">", ">=");
            var v = "s." + value;
            var terms = Enumerable.Range(1, options.Bins - 1).Select(k => options.Method == RfmMethod.Ranks
                ? $"CASE WHEN {v} {better} {score}_cuts.cut{K(k)} THEN 1 ELSE 0 END"
                : $"CASE WHEN {v} {better} {score}_cuts.low{K(k)} AND (counted.rem{K(k)} = 0 OR {v} {asGood} {score}_cuts.high{K(k)}) THEN 1 ELSE 0 END");
            sql.Append($",\n         1 + {string.Join("\n           + ", terms)} AS {score}");
        }

        sql.Append("\n  FROM scored s CROSS JOIN counted");
        foreach (var (score, _, _) in Measures)
        {
            sql.Append($" CROSS JOIN {score}_cuts");
        }

        sql.Append("\n)");
        sql.Append($",\nscaled AS (\n  SELECT customer_id, recency_days, frequency, monetary, r, f, m, {d.IntegerDivide("f + m + 1", "2")} AS fm");
        foreach (var (score, _, _) in Measures)
        {
            sql.Append($",\n         {ToScale(sql, score)} AS {score}_s");
        }

        sql.Append("\n  FROM scores\n)\nSELECT customer_id, recency_days, frequency, monetary, r, f, m, fm,\n       CASE");
        foreach (var rule in options.Map.Rules)
        {
            var terms = rule.Terms.Select(t =>
            {
                var column = t.Score switch
                {
                    RfmScore.R => "r_s",
                    RfmScore.F => "f_s",
                    RfmScore.M => "m_s",
                    _ => d.IntegerDivide("f_s + m_s + 1", "2"),
                };
                return $"{column} BETWEEN {sql.Parameter((long)t.Low)} AND {sql.Parameter((long)t.High)}";
            });
            sql.Append($"\n         WHEN {string.Join(" AND ", terms)} THEN {sql.Parameter(rule.Segment)}");
        }

        sql.Append($"\n         ELSE {sql.Parameter(options.Map.Fallback)}\n       END AS segment\nFROM scaled");
    }

    /// <summary>
    /// Ranks: with w customers strictly worse, the score is 1 + ⌊N·w/n⌋, so the score exceeds k exactly
    /// when w ≥ ⌈k·n/N⌉, that is when the value is strictly better than the one at position ⌈k·n/N⌉.
    /// </summary>
    private static string RankCut(ISqlDialect d, int k, string bins) => d.IntegerDivide($"{K(k)} * n + {bins} - 1", bins);

    /// <summary>
    /// Quantiles: the k-th cut is the k/N quantile by linear interpolation, at 0-based position
    /// (n − 1)·k/N = low + rem/N: between the values at 1-based positions low + 1 and low + 2. No value
    /// lies strictly between those two neighbours, so "strictly better than the cut" is "strictly better
    /// than the low one and, when rem > 0, at least as good as the high one" — exact, no arithmetic on values.
    /// </summary>
    private static string QuantileLow(ISqlDialect d, int k, string bins) => d.IntegerDivide($"(n - 1) * {K(k)}", bins);

    /// <summary>A score placed on the map's scale: identity when the bins equal the scale.</summary>
    private string ToScale(SqlBuilder sql, string score) =>
        options.Bins == options.Map.Scale
            ? score
            : $"{sql.Dialect.IntegerDivide($"(2 * {score} - 1) * {sql.Parameter((long)options.Map.Scale)}", sql.Parameter((long)(2 * options.Bins)))} + 1";

    private static string K(int k) => k.ToString(CultureInfo.InvariantCulture);
}
