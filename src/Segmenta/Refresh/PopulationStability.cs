using System.Globalization;
using System.Text.Json;
using Segmenta.Features;
using Segmenta.Model;
using Segmenta.Sql;
using Segmenta.Warehouse;

namespace Segmenta.Refresh;

/// <summary>
/// One feature's distribution at a snapshot, in bins. A number's bins are cut at its deciles (values it
/// takes, repeated cuts merged): <c>(-∞, e0]</c>, <c>(e0, e1]</c>, …, <c>(e_last, ∞)</c>. A text's bins are its
/// most common values, then every other value. Missing values are a bin of their own.
/// </summary>
/// <param name="Feature">The feature.</param>
/// <param name="Text">True for a text feature (binned by value), false for a number (binned at cuts).</param>
/// <param name="Edges">A number's cuts, ascending (empty for a text).</param>
/// <param name="Categories">A text's most common values, most first (empty for a number).</param>
/// <param name="Shares">The share of customers in each bin: one more than the edges, or than the categories (the last is every other value).</param>
/// <param name="Missing">The share of customers without a value.</param>
/// <param name="Count">Customers.</param>
public sealed record FeatureBins(string Feature, bool Text, IReadOnlyList<double> Edges, IReadOnlyList<string> Categories, IReadOnlyList<double> Shares, double Missing, long Count);

/// <summary>The binned distribution of every feature at one snapshot: what the next snapshot's stability is measured against.</summary>
/// <param name="AsOf">The snapshot's instant.</param>
/// <param name="Features">One entry per feature, in catalog order.</param>
public sealed record FeatureProfile(DateTime AsOf, IReadOnlyList<FeatureBins> Features)
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>The profile as JSON text (stored with the snapshot).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads a profile written by <see cref="ToJson"/>.</summary>
    public static FeatureProfile FromJson(string json) =>
        JsonSerializer.Deserialize<FeatureProfile>(json, Json) ?? throw new JsonException("empty feature profile");
}

/// <summary>How far one feature's distribution moved since the previous snapshot.</summary>
/// <param name="Feature">The feature.</param>
/// <param name="Psi">The population stability index over the previous snapshot's bins.</param>
/// <param name="Level">stable (below 0.1), moderate (below 0.25) or significant.</param>
public sealed record FeatureShift(string Feature, double Psi, string Level);

/// <summary>
/// Feature drift by the population stability index: PSI = Σ (aᵢ − eᵢ) · ln(aᵢ / eᵢ) over bins, e the previous
/// snapshot's shares and a the current one's in the same bins (missing values a bin of their own). Shares
/// are floored at <see cref="Floor"/> so an empty bin counts as rare, not impossible. Conventional reading
/// (Siddiqi, <i>Credit Risk Scorecards</i>, 2006): below 0.1 stable, 0.1–0.25 moderate, above significant.
/// </summary>
public static class PopulationStability
{
    /// <summary>The smallest share a bin counts with.</summary>
    public const double Floor = 1e-4;

    /// <summary>A moderate shift starts here.</summary>
    public const double Moderate = 0.1;

    /// <summary>A significant shift starts here.</summary>
    public const double Significant = 0.25;

    /// <summary>Most common values of a text feature kept as bins of their own.</summary>
    public const int TopCategories = 20;

    private static readonly double[] Deciles = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

    /// <summary>The features profiled: numbers and texts (instants move with the calendar and are covered by recency and tenure).</summary>
    public static IReadOnlyList<FeatureDefinition> Profiled { get; } =
        FeatureCatalog.All.Where(f => f.Type is FieldType.Integer or FieldType.Number or FieldType.Text).ToList();

    /// <summary>The index between two distributions over the same bins (shares summing to 1 each).</summary>
    public static double Index(IReadOnlyList<double> expected, IReadOnlyList<double> actual)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        if (expected.Count != actual.Count)
        {
            throw new ArgumentException("the distributions have different bins", nameof(actual));
        }

        double psi = 0;
        for (var i = 0; i < expected.Count; i++)
        {
            if (expected[i] == 0 && actual[i] == 0)
            {
                continue;
            }

            var e = Math.Max(expected[i], Floor);
            var a = Math.Max(actual[i], Floor);
            psi += (a - e) * Math.Log(a / e);
        }

        return psi;
    }

    /// <summary>stable, moderate or significant.</summary>
    public static string Level(double psi) => psi < Moderate ? "stable" : psi < Significant ? "moderate" : "significant";

    /// <summary>
    /// Profiles the features stored at <paramref name="asOf"/> (<see cref="Tables.CustomerFeatures"/>) and, given the
    /// previous snapshot's profile, each feature's shift from it. Two queries for numbers (cuts, then counts in
    /// the new and the previous bins), one for texts.
    /// </summary>
    public static (FeatureProfile Profile, IReadOnlyList<FeatureShift> Shifts) Measure(ISqlReader reader, DateTime asOf, FeatureProfile? previous)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var d = reader.Dialect;
        var numeric = Profiled.Where(f => f.Type != FieldType.Text).ToList();
        var text = Profiled.Where(f => f.Type == FieldType.Text).ToList();
        var before = (previous?.Features ?? []).ToDictionary(f => f.Feature, StringComparer.Ordinal);
        // The cuts: each number's deciles, repeated values merged.
        var edges = numeric.Select(_ => Array.Empty<double>()).ToList();
        reader.Read(RefreshSql.FeatureQuantiles(d, numeric, Deciles, asOf), r =>
        {
            if (!r.IsDBNull(1))
            {
                edges[Convert.ToInt32(r.GetValue(0), CultureInfo.InvariantCulture)] =
                    [.. ((System.Collections.IEnumerable)r.GetValue(1)).Cast<object?>().Where(v => v is not null).Select(v => Convert.ToDouble(v, CultureInfo.InvariantCulture)).Distinct().Order()];
            }
        });

        // The counts: per number, customers by bin at the new cuts and at the previous ones (-1: missing).
        var previousEdges = numeric.Select(f => before.TryGetValue(f.Name, out var p) && !p.Text ? p.Edges.ToArray() : null).ToList();
        var own = edges.Select(e => new long[e.Length + 2]).ToList();
        var prior = previousEdges.Select(e => new long[(e?.Length ?? 0) + 2]).ToList();
        reader.Read(RefreshSql.FeatureBins(d, numeric, edges, previousEdges, asOf), r =>
        {
            var f = Convert.ToInt32(r.GetValue(0), CultureInfo.InvariantCulture);
            var n = Convert.ToInt64(r.GetValue(3), CultureInfo.InvariantCulture);
            own[f][Convert.ToInt32(r.GetValue(1), CultureInfo.InvariantCulture) + 1] += n;
            prior[f][Convert.ToInt32(r.GetValue(2), CultureInfo.InvariantCulture) + 1] += n;
        });

        var total = own.Count == 0 ? 0 : own[0].Sum();
        double Share(long n) => total == 0 ? 0 : (double)n / total;
        var bins = new List<FeatureBins>();
        var shifts = new List<FeatureShift>();
        for (var i = 0; i < numeric.Count; i++)
        {
            // Slot 0 holds the missing, slots 1… the bins in order.
            bins.Add(new FeatureBins(numeric[i].Name, false, edges[i], [], [.. own[i].Skip(1).Select(Share)], Share(own[i][0]), total));
            if (before.TryGetValue(numeric[i].Name, out var p) && !p.Text && total > 0 && p.Count > 0)
            {
                var psi = Index([.. p.Shares, p.Missing], [.. prior[i].Skip(1).Select(Share), Share(own[i][0])]);
                shifts.Add(new FeatureShift(numeric[i].Name, psi, Level(psi)));
            }
        }

        // Texts: every value's count, then the most common as bins.
        var tallies = text.Select(_ => new List<(string? Value, long Count)>()).ToList();
        reader.Read(RefreshSql.FeatureValues(d, text, asOf), r => tallies[Convert.ToInt32(r.GetValue(0), CultureInfo.InvariantCulture)].Add((r.IsDBNull(1) ? null : r.GetString(1), Convert.ToInt64(r.GetValue(2), CultureInfo.InvariantCulture))));
        for (var i = 0; i < text.Count; i++)
        {
            var present = tallies[i].Where(t => t.Value is not null).Select(t => (Value: t.Value!, t.Count)).ToList();
            var missing = Share(tallies[i].Where(t => t.Value is null).Sum(t => t.Count));
            var top = present.OrderByDescending(t => t.Count).ThenBy(t => t.Value, StringComparer.Ordinal).Take(TopCategories).ToList();
            var shares = top.Select(t => Share(t.Count)).Append(Share(present.Sum(t => t.Count) - top.Sum(t => t.Count))).ToList();
            var name = text[i].Name;
            bins.Add(new FeatureBins(name, true, [], [.. top.Select(t => t.Value)], shares, missing, total));
            if (before.TryGetValue(name, out var p) && p.Text && total > 0 && p.Count > 0)
            {
                var byValue = present.ToDictionary(t => t.Value, t => t.Count, StringComparer.Ordinal);
                var inPrevious = p.Categories.Select(c => byValue.GetValueOrDefault(c)).ToList();
                var actual = inPrevious.Select(Share).Append(Share(present.Sum(t => t.Count) - inPrevious.Sum())).Append(missing).ToList();
                var psi = Index([.. p.Shares, p.Missing], actual);
                shifts.Add(new FeatureShift(name, psi, Level(psi)));
            }
        }

        var order = Profiled.Select((f, i) => (f.Name, i)).ToDictionary(x => x.Name, x => x.i, StringComparer.Ordinal);
        return (new FeatureProfile(asOf, [.. bins.OrderBy(b => order[b.Feature])]), [.. shifts.OrderBy(s => order[s.Feature])]);
    }
}
