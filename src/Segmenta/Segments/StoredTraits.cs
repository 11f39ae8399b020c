using System.Globalization;
using Segmenta.Language;
using Segmenta.Refresh;
using Segmenta.Warehouse;

namespace Segmenta.Segments;

/// <summary>A computed trait's values as the current snapshot stored them: its version then, how many customers have one, and a summary.</summary>
/// <param name="Trait">The trait.</param>
/// <param name="Version">The version the values were computed with (the definition may have changed since).</param>
/// <param name="Customers">Customers with a value (a missing value is not stored).</param>
/// <param name="Min">The smallest value, for numbers.</param>
/// <param name="Mean">The mean over customers with a value, for numbers.</param>
/// <param name="Max">The largest value, for numbers.</param>
/// <param name="TopValues">The most common values and their customers, for text (ties: the first in binary order).</param>
public sealed record StoredTrait(string Trait, string Version, long Customers, double? Min, double? Mean, double? Max, IReadOnlyList<(string Value, long Customers)> TopValues);

/// <summary>Reads the computed traits' values the current refresh snapshot holds.</summary>
public static class StoredTraits
{
    /// <summary>The most common values listed per text trait.</summary>
    public const int TopValues = 5;

    /// <summary>The current snapshot's instant and each trait stored there; null when there is no snapshot.</summary>
    public static (DateTime AsOf, IReadOnlyList<StoredTrait> Traits)? Current(ISqlReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        if (RefreshRuns.Current(reader) is not { } run)
        {
            return null;
        }

        var top = new List<(string Trait, string Value, long Customers)>();
        reader.Read(SegmentSql.TraitTopValues(reader.Dialect, run.AsOf, TopValues), r => top.Add((r.GetString(0), r.GetString(1), Convert.ToInt64(r.GetValue(2), CultureInfo.InvariantCulture))));
        var stored = new List<StoredTrait>();
        reader.Read(SegmentSql.TraitSummaries(reader.Dialect, run.AsOf), r =>
        {
            double? Number(int i) => r.IsDBNull(i) ? null : Convert.ToDouble(r.GetValue(i), CultureInfo.InvariantCulture);
            var trait = r.GetString(0);
            stored.Add(new StoredTrait(trait, r.GetString(1), Convert.ToInt64(r.GetValue(2), CultureInfo.InvariantCulture), Number(3), Number(4), Number(5),
                [.. top.Where(t => t.Trait == trait).Select(t => (t.Value, t.Customers))]));
        });
        return (run.AsOf, stored);
    }
}
