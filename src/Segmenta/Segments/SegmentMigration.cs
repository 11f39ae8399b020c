using System.Globalization;
using Segmenta.Sql;
using Segmenta.Warehouse;

namespace Segmenta.Segments;

/// <summary>Customers who moved from one state to another between two instants.</summary>
/// <param name="From">Their segment at the first instant (or <see cref="SegmentMigration.None"/>).</param>
/// <param name="To">Their segment at the second.</param>
/// <param name="Customers">How many.</param>
/// <param name="ShareOfFrom">Their share of everyone in <paramref name="From"/> at the first instant.</param>
public sealed record MigrationFlow(string From, string To, long Customers, double ShareOfFrom);

/// <summary>Which materialization answered for a segment at each end.</summary>
/// <param name="Segment">The segment.</param>
/// <param name="From">Its last materialization at or before the first instant.</param>
/// <param name="To">Its last at or before the second.</param>
public sealed record MigrationSource(string Segment, DateTime From, DateTime To);

/// <summary>
/// The migration matrix of a family of segments between two instants: <see cref="Counts"/>[i][j] customers
/// were in state i at <see cref="From"/> and in state j at <see cref="To"/>. States are the family's
/// segments in priority order (a customer in several counts in the first), then <see cref="SegmentMigration.None"/>;
/// customers in none at both instants are not counted (the last cell is 0).
/// </summary>
/// <param name="From">The first instant.</param>
/// <param name="To">The second.</param>
/// <param name="States">Rows and columns.</param>
/// <param name="Counts">Customers per cell.</param>
/// <param name="Sources">The materializations that answered.</param>
public sealed record MigrationMatrix(DateTime From, DateTime To, IReadOnlyList<string> States, IReadOnlyList<IReadOnlyList<long>> Counts, IReadOnlyList<MigrationSource> Sources)
{
    /// <summary>Customers in each state at the first instant (row sums).</summary>
    public IReadOnlyList<long> FromTotals => [.. Counts.Select(r => r.Sum())];

    /// <summary>Customers in each state at the second instant (column sums).</summary>
    public IReadOnlyList<long> ToTotals => [.. Enumerable.Range(0, States.Count).Select(j => Counts.Sum(r => r[j]))];

    /// <summary>A cell as a share of its row (0 for an empty row).</summary>
    public double Share(int from, int to) => FromTotals[from] == 0 ? 0 : (double)Counts[from][to] / FromTotals[from];

    /// <summary>Customers who stayed in the same segment.</summary>
    public long Stayed => Enumerable.Range(0, States.Count - 1).Sum(i => Counts[i][i]);

    /// <summary>
    /// The moves that matter most: off-diagonal cells by customers, then by share of their row, then by
    /// state order; at most <paramref name="top"/>.
    /// </summary>
    public IReadOnlyList<MigrationFlow> TopFlows(int top)
    {
        var flows = new List<(MigrationFlow Flow, int I, int J)>();
        for (var i = 0; i < States.Count; i++)
        {
            for (var j = 0; j < States.Count; j++)
            {
                if (i != j && Counts[i][j] > 0)
                {
                    flows.Add((new MigrationFlow(States[i], States[j], Counts[i][j], Share(i, j)), i, j));
                }
            }
        }

        return [.. flows.OrderByDescending(f => f.Flow.Customers).ThenByDescending(f => f.Flow.ShareOfFrom).ThenBy(f => f.I).ThenBy(f => f.J).Take(top).Select(f => f.Flow)];
    }
}

/// <summary>Who moved between the segments of a family, from the membership history.</summary>
public static class SegmentMigration
{
    /// <summary>
    /// The segments a family names, in priority order: <c>rfm</c> (the RFM map's), <c>clusters</c> (the active
    /// model's), or segments separated by commas, each with recorded history. An unknown name, or a family with no
    /// segments, is an <see cref="UnknownSegmentException"/> with a suggestion.
    /// </summary>
    public static IReadOnlyList<string> Family(SegmentLibrary library, ISqlReader history, string family)
    {
        ArgumentNullException.ThrowIfNull(library);
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(family);
        var key = family.Trim().ToLowerInvariant();
        if (key is "rfm" or "clusters" or "cluster")
        {
            var names = library.Generated(key == "rfm" ? Rfm.RfmAnalysis.SegmentPrefix : Clustering.ClusterAnalysis.SegmentPrefix);
            return names.Count > 0
                ? names
                : throw new UnknownSegmentException(key == "rfm" ? "the workspace has no RFM segments" : "no cluster model yet; run `segmenta cluster` (then `segmenta refresh`)");
        }

        var list = family.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).ToList();
        var known = SegmentMaterializer.Latest(history).Keys.ToList();
        foreach (var name in list.Where(n => !known.Contains(n)))
        {
            throw new UnknownSegmentException($"`{name}` has no recorded history{Configuration.Suggestions.DidYouMean(name, known.Append("rfm").Append("clusters"))}; give `rfm`, `clusters` or segments separated by commas");
        }

        return list.Count > 0 ? list : throw new UnknownSegmentException("name a family: `rfm`, `clusters` or segments separated by commas");
    }

    /// <summary>The state of a customer in none of the family's segments.</summary>
    public const string None = "(none)";

    /// <summary>
    /// The matrix of <paramref name="family"/> (segment names in priority order) between two instants. Each
    /// segment must have been materialized at or before <paramref name="from"/>; each end is answered, per
    /// segment, by its last materialization at or before that instant.
    /// </summary>
    public static MigrationMatrix Compute(ISqlReader reader, IReadOnlyList<string> family, DateTime from, DateTime to)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(family);
        if (family.Count == 0)
        {
            throw new HistoryException("a migration needs at least one segment");
        }

        if (to < from)
        {
            throw new HistoryException("the second instant is before the first");
        }

        var history = SegmentMaterializer.History(reader, null).ToLookup(m => m.Segment, StringComparer.Ordinal);
        var sources = new List<MigrationSource>();
        foreach (var segment in family)
        {
            var stored = history[segment].ToList();
            if (stored.Count == 0)
            {
                throw new HistoryException($"`{segment}` has no recorded history; run `segmenta refresh` (or `segment materialize`) first");
            }

            var first = stored.Min(m => m.AsOf);
            var atFrom = stored.FirstOrDefault(m => m.AsOf <= from) ?? throw new HistoryException(
                $"`{segment}` has no history at or before {Iso(from)}; its first materialization is {Iso(first)} (backfill with `segmenta refresh --from … --to …`)");
            sources.Add(new MigrationSource(segment, atFrom.AsOf, stored.First(m => m.AsOf <= to).AsOf));
        }

        var n = family.Count + 1;
        var counts = Enumerable.Range(0, n).Select(_ => new long[n]).ToArray();
        reader.Read(SegmentSql.Migration(reader.Dialect, family, from, to), r =>
        {
            var i = r.IsDBNull(0) ? n - 1 : Convert.ToInt32(r.GetValue(0), CultureInfo.InvariantCulture);
            var j = r.IsDBNull(1) ? n - 1 : Convert.ToInt32(r.GetValue(1), CultureInfo.InvariantCulture);
            counts[i][j] += Convert.ToInt64(r.GetValue(2), CultureInfo.InvariantCulture);
        });

        return new MigrationMatrix(from, to, [.. family, None], counts, sources);
    }

    private static string Iso(DateTime t) => t.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
