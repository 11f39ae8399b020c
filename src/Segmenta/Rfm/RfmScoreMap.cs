using System.Globalization;
using System.Text.RegularExpressions;

namespace Segmenta.Rfm;

/// <summary>Which score a rule term constrains: recency, frequency, monetary, or the F–M average.</summary>
public enum RfmScore
{
    /// <summary>The recency score (5: bought most recently).</summary>
    R,

    /// <summary>The frequency score.</summary>
    F,

    /// <summary>The monetary score.</summary>
    M,

    /// <summary><c>(F + M + 1) div 2</c>: the mean of F and M, halves rounded up.</summary>
    FM,
}

/// <summary>One term of a rule: a score within an inclusive range.</summary>
public readonly record struct RfmTerm(RfmScore Score, int Low, int High)
{
    /// <inheritdoc />
    public override string ToString() =>
        Score.ToString().ToLowerInvariant() + (Low == High ? Low.ToString(CultureInfo.InvariantCulture) : string.Create(CultureInfo.InvariantCulture, $"{Low}-{High}"));
}

/// <summary>A rule naming the customers whose scores satisfy all its terms.</summary>
public sealed record RfmRule(string Segment, IReadOnlyList<RfmTerm> Terms)
{
    /// <summary>True when scores on the map's scale satisfy every term.</summary>
    public bool Matches(int r, int f, int m, int fm) => Terms.All(t =>
    {
        var value = t.Score switch { RfmScore.R => r, RfmScore.F => f, RfmScore.M => m, _ => fm };
        return value >= t.Low && value <= t.High;
    });

    /// <inheritdoc />
    public override string ToString() => string.Join(' ', Terms);
}

/// <summary>
/// Names RFM cells: rules on a score scale (1..<see cref="Scale"/>), tried in order, the first match
/// naming the customer; a customer no rule matches is <see cref="Fallback"/>. Scores computed with a
/// different number of bins are mapped onto the scale first (docs/rfm.md).
/// </summary>
public sealed partial record RfmScoreMap(int Scale, IReadOnlyList<RfmRule> Rules, string Fallback = RfmScoreMap.Other)
{
    /// <summary>The name of customers no rule matches.</summary>
    public const string Other = "Other";

    /// <summary>
    /// The standard eleven segments on the 5-point scale, by recency and the F–M average. Every one of
    /// the 25 (R, FM) cells has exactly one name:
    /// <code>
    ///          R=1              R=2          R=3              R=4                  R=5
    /// FM=5     Can't Lose Them  At Risk      Loyal Customers  Champions            Champions
    /// FM=4     Can't Lose Them  At Risk      Loyal Customers  Loyal Customers      Champions
    /// FM=3     At Risk          At Risk      Need Attention   Potential Loyalists  Potential Loyalists
    /// FM=2     Lost             Hibernating  About to Sleep   Potential Loyalists  Potential Loyalists
    /// FM=1     Lost             Hibernating  About to Sleep   Promising            New Customers
    /// </code>
    /// </summary>
    public static RfmScoreMap Standard { get; } = new(5,
    [
        Rule("Champions", "r5 fm4-5"),
        Rule("Champions", "r4 fm5"),
        Rule("Loyal Customers", "r3-4 fm4-5"),
        Rule("Potential Loyalists", "r4-5 fm2-3"),
        Rule("New Customers", "r5 fm1"),
        Rule("Promising", "r4 fm1"),
        Rule("Need Attention", "r3 fm3"),
        Rule("About to Sleep", "r3 fm1-2"),
        Rule("Can't Lose Them", "r1 fm4-5"),
        Rule("At Risk", "r1-2 fm3-5"),
        Rule("Hibernating", "r2 fm1-2"),
        Rule("Lost", "r1 fm1-2"),
    ]);

    /// <summary>The names a customer can get: the rules' in order, each once, then the fallback when some cell is left unnamed.</summary>
    public IReadOnlyList<string> SegmentNames =>
        [.. Rules.Select(r => r.Segment).Concat(Unnamed().Count > 0 ? [Fallback] : []).Distinct(StringComparer.Ordinal)];

    /// <summary>The name of scores already on the map's scale.</summary>
    public string Name(int r, int f, int m)
    {
        var fm = (f + m + 1) / 2;
        return Rules.FirstOrDefault(rule => rule.Matches(r, f, m, fm))?.Segment ?? Fallback;
    }

    /// <summary>A score from 1..<paramref name="bins"/> on the map's scale: the bin's midpoint, placed on the scale (identity when bins = scale).</summary>
    public int ToScale(int score, int bins) => (((2 * score) - 1) * Scale / (2 * bins)) + 1;

    /// <summary>The cells of the scale no rule names (empty for a complete map).</summary>
    public IReadOnlyList<(int R, int F, int M)> Unnamed()
    {
        var result = new List<(int, int, int)>();
        for (var r = 1; r <= Scale; r++)
        {
            for (var f = 1; f <= Scale; f++)
            {
                for (var m = 1; m <= Scale; m++)
                {
                    if (!Rules.Any(rule => rule.Matches(r, f, m, (f + m + 1) / 2)))
                    {
                        result.Add((r, f, m));
                    }
                }
            }
        }

        return result;
    }

    /// <summary>Reads a rule such as <c>r4-5 fm4-5</c>; returns what is wrong with it, or null.</summary>
    public static string? TryParseRule(string segment, string text, int scale, out RfmRule? rule)
    {
        ArgumentNullException.ThrowIfNull(text);
        rule = null;
        var terms = new List<RfmTerm>();
        foreach (var part in text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var match = TermPattern().Match(part);
            if (!match.Success)
            {
                return $"`{part}` is not a score range; expected r, f, m or fm followed by a score or a range, such as r5 or fm3-5";
            }

            var score = Enum.Parse<RfmScore>(match.Groups[1].Value, ignoreCase: true);
            var low = int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture);
            var high = match.Groups[3].Success ? int.Parse(match.Groups[3].Value, CultureInfo.InvariantCulture) : low;
            if (low < 1 || high > scale || low > high)
            {
                return $"`{part}`: scores run from 1 to {scale.ToString(CultureInfo.InvariantCulture)}, low to high";
            }

            if (terms.Any(t => t.Score == score))
            {
                return $"`{part}`: {match.Groups[1].Value} is constrained twice in one rule";
            }

            terms.Add(new RfmTerm(score, low, high));
        }

        if (terms.Count == 0)
        {
            return "a rule needs at least one score range, such as r5 fm4-5";
        }

        rule = new RfmRule(segment, terms);
        return null;
    }

    private static RfmRule Rule(string segment, string text) =>
        TryParseRule(segment, text, 5, out var rule) is { } problem ? throw new InvalidOperationException(problem) : rule!;

    [GeneratedRegex("^(fm|r|f|m)([0-9]{1,2})(?:-([0-9]{1,2}))?$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex TermPattern();
}
