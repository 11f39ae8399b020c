using System.Globalization;
using Segmenta.Features;
using Segmenta.Language;
using Segmenta.Model;
using Segmenta.Sql;

namespace Segmenta.Rfm;

/// <summary>
/// Writes RFM scores as one query over the features <c>recency_days</c>, <c>frequency</c> and
/// <c>monetary</c>: only customers with at least one order are scored; the scores are cut by
/// <see cref="RfmOptions.Method"/> with window functions over all of them, and named by the map.
/// Columns: <c>customer_id, recency_days, frequency, monetary, r, f, m, fm, segment</c>.
/// </summary>
internal sealed class RfmQuery(RfmOptions options) : IDerivedFieldSource
{
    /// <summary>The columns written, in order.</summary>
    public static IReadOnlyList<string> Columns { get; } = [CanonicalModel.CustomerId, "recency_days", "frequency", "monetary", "r", "f", "m", "fm", "segment"];

    /// <summary>Each measure: its score column, its value column, and the order from worst to best.</summary>
    private static readonly (string Score, string Value, string WorstFirst)[] Measures =
    [
        ("r", "recency_days", "DESC"),
        ("f", "frequency", "ASC"),
        ("m", "monetary", "ASC"),
    ];

    /// <inheritdoc />
    public void WriteRows(SqlBuilder sql, EvaluationContext context, IReadOnlyCollection<string> fields) => Write(sql, context);

    /// <summary>Writes the scores of every customer with an order, as of the context's instant.</summary>
    public void Write(SqlBuilder sql, EvaluationContext context)
    {
        ArgumentNullException.ThrowIfNull(sql);
        ArgumentNullException.ThrowIfNull(context);
        var d = sql.Dialect;
        var bins = sql.Parameter((long)options.Bins);
        sql.Append("WITH base AS (\n");
        FeatureQuery.Write(sql, context, ["recency_days", "frequency", "monetary"]);
        sql.Append("\n),\n");
        if (options.Method == RfmMethod.Ranks)
        {
            // rank() is 1 + the number of customers strictly worse: ties share it.
            sql.Append("ranked AS (\n  SELECT customer_id, recency_days, frequency, monetary,");
            foreach (var (score, value, order) in Measures)
            {
                sql.Append($"\n         rank() OVER (ORDER BY {value} {order}) - 1 AS {score}_worse,");
            }

            sql.Append("\n         count(*) OVER () AS n\n  FROM base WHERE frequency > 0\n),\nscores AS (\n  SELECT customer_id, recency_days, frequency, monetary");
            foreach (var (score, _, _) in Measures)
            {
                sql.Append($",\n         1 + {d.IntegerDivide($"{bins} * {score}_worse", "n")} AS {score}");
            }

            sql.Append("\n  FROM ranked\n)");
        }
        else
        {
            // Positions in worst-to-best order; the k-th cut is the value at position ceil(k·n/N).
            sql.Append("positioned AS (\n  SELECT customer_id, recency_days, frequency, monetary,");
            foreach (var (score, value, order) in Measures)
            {
                sql.Append($"\n         row_number() OVER (ORDER BY {value} {order}) AS {score}_pos,");
            }

            sql.Append("\n         count(*) OVER () AS n\n  FROM base WHERE frequency > 0\n),\ncuts AS (\n  SELECT ");
            var cuts = new List<string>();
            for (var k = 1; k < options.Bins; k++)
            {
                var position = d.IntegerDivide($"{K(k)} * n + {bins} - 1", bins);
                cuts.AddRange(Measures.Select(m => $"max(CASE WHEN {m.Score}_pos = {position} THEN {m.Value} END) AS {m.Score}_cut{K(k)}"));
            }

            sql.Append(string.Join(",\n         ", cuts)).Append("\n  FROM positioned\n),\nscores AS (\n  SELECT p.customer_id, p.recency_days, p.frequency, p.monetary");
            foreach (var (score, value, order) in Measures)
            {
                var better = order == "DESC" ? "<" : ">";
                var terms = Enumerable.Range(1, options.Bins - 1).Select(k => $"CASE WHEN p.{value} {better} cuts.{score}_cut{K(k)} THEN 1 ELSE 0 END");
                sql.Append($",\n         1 + {string.Join(" + ", terms)} AS {score}");
            }

            sql.Append("\n  FROM positioned p CROSS JOIN cuts\n)");
        }

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

    /// <summary>A score placed on the map's scale: identity when the bins equal the scale.</summary>
    private string ToScale(SqlBuilder sql, string score) =>
        options.Bins == options.Map.Scale
            ? score
            : $"{sql.Dialect.IntegerDivide($"(2 * {score} - 1) * {sql.Parameter((long)options.Map.Scale)}", sql.Parameter((long)(2 * options.Bins)))} + 1";

    private static string K(int k) => k.ToString(CultureInfo.InvariantCulture);
}
