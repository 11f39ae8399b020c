using System.Collections;

namespace Segmenta.Clv;

/// <summary>
/// Customers' repeat-purchase histories grouped: each distinct history once, in <see cref="ClvFitter.HistoryOrder"/>,
/// with how many customers share it, and each customer's group. A fit, P(alive) and predictions are computed once per
/// group; a <see cref="ClvSummary"/> groups its customers once for all of them (1M customers: a grouping is ~0.15 s of
/// hashing and sorting, and its large arrays set off full collections of the heap; <c>clv fit</c> grouped them three times).
/// </summary>
internal sealed class HistoryGroups
{
    private HistoryGroups(RepeatHistory[] histories, double[] weights, int[] groupOf)
    {
        Histories = histories;
        Weights = weights;
        GroupOf = groupOf;
    }

    /// <summary>The distinct histories, in <see cref="ClvFitter.HistoryOrder"/>.</summary>
    public RepeatHistory[] Histories { get; }

    /// <summary>How many customers have each history.</summary>
    public double[] Weights { get; }

    /// <summary>Each customer's group (an index into <see cref="Histories"/>), in the customers' order.</summary>
    public int[] GroupOf { get; }

    /// <summary>A value per group spread to the customers: each customer's group's value, in the customers' order.</summary>
    public double[] PerCustomer(double[] perGroup) => Array.ConvertAll(GroupOf, g => perGroup[g]);

    /// <summary>The groups of <paramref name="customers"/>: a summary's own (made once), or grouped now.</summary>
    public static HistoryGroups Of(IReadOnlyList<ClvCustomer> customers)
    {
        ArgumentNullException.ThrowIfNull(customers);
        return customers is ClvSummary summary ? summary.Groups : Group(customers.Select(c => c.History));
    }

    /// <summary>Groups <paramref name="histories"/>.</summary>
    public static HistoryGroups Group(IEnumerable<RepeatHistory> histories)
    {
        var (keys, weights, groupOf) = DistinctIndex.Sorted(histories, ClvFitter.HistoryOrder);
        return new HistoryGroups(keys, weights, groupOf);
    }

    /// <summary>
    /// Groups the histories that <paramref name="keys"/> encode (<see cref="Key"/>, days divided by <paramref name="unitDays"/>):
    /// the same groups as <see cref="Group(IEnumerable{RepeatHistory})"/>, each history decoded to the very doubles a summary
    /// computes, from a radix sort of integers instead of hashing and comparing triples of doubles (1M customers: ~0.05 s
    /// rather than 0.25 s of CPU, and none of it code compiled at run time).
    /// </summary>
    public static HistoryGroups Group(long[] keys, long unitDays)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(unitDays);
        var sorted = (long[])keys.Clone();
        var members = new int[sorted.Length];
        for (var i = 0; i < members.Length; i++)
        {
            members[i] = i;
        }

        RadixSort(sorted, members);
        var count = 0;
        for (var i = 0; i < sorted.Length; i++)
        {
            count += i == 0 || sorted[i] != sorted[i - 1] ? 1 : 0;
        }

        var histories = new RepeatHistory[count];
        var weights = new double[count];
        var groupOf = new int[sorted.Length];
        var g = -1;
        for (var i = 0; i < sorted.Length; i++)
        {
            if (i == 0 || sorted[i] != sorted[i - 1])
            {
                var key = sorted[i];
                histories[++g] = new RepeatHistory(key >> (2 * FieldBits), (double)((key >> FieldBits) & KeyDayLimit) / unitDays, (double)(key & KeyDayLimit) / unitDays);
            }

            groupOf[members[i]] = g;
            weights[g]++;
        }

        return new HistoryGroups(histories, weights, groupOf);
    }

    /// <summary>Bits a count of <see cref="Key"/> takes: its fields start at bits 0, 22 and 44, on the radix sort's digits.</summary>
    private const int FieldBits = 22;

    /// <summary>The most days a <see cref="Key"/> holds (5,700 years).</summary>
    public const long KeyDayLimit = (1L << 21) - 1;

    /// <summary>The most repeat purchase days a <see cref="Key"/> holds (the top field, short of the sign bit: 1,400 years of days).</summary>
    public const long KeyRepeatLimit = (1L << 19) - 1;

    /// <summary>
    /// A history of <paramref name="repeats"/> repeat purchase days, the last <paramref name="lastDays"/> days after the first
    /// and the period's end <paramref name="endDays"/> days after it, as one integer that orders as
    /// <see cref="ClvFitter.HistoryOrder"/> orders the history in any unit (x, then t_x, then T); null when a count is
    /// negative or passes <see cref="KeyRepeatLimit"/> or <see cref="KeyDayLimit"/>.
    /// </summary>
    public static long? Key(long repeats, long lastDays, long endDays) =>
        repeats is < 0 or > KeyRepeatLimit || lastDays is < 0 or > KeyDayLimit || endDays is < 0 or > KeyDayLimit
            ? null
            : (repeats << (2 * FieldBits)) | (lastDays << FieldBits) | endDays;

    /// <summary>
    /// Sorts non-negative <paramref name="keys"/> ascending, moving <paramref name="items"/> with them: a stable radix sort of
    /// 11 bits a pass that skips the digits every key shares (for histories within a few years: three passes).
    /// </summary>
    private static void RadixSort(long[] keys, int[] items)
    {
        const int Bits = 11, Buckets = 1 << Bits, Passes = 6;
        var n = keys.Length;
        var counts = new int[Passes * Buckets];
        foreach (var key in keys)
        {
            for (var p = 0; p < Passes; p++)
            {
                counts[(p * Buckets) + (int)((key >> (p * Bits)) & (Buckets - 1))]++;
            }
        }

        var (fromKeys, fromItems, toKeys, toItems) = (keys, items, new long[n], new int[n]);
        var offsets = new int[Buckets];
        for (var p = 0; p < Passes; p++)
        {
            var histogram = counts.AsSpan(p * Buckets, Buckets);
            if (histogram.Contains(n))
            {
                continue;   // every key has this digit
            }

            for (int b = 0, at = 0; b < Buckets; b++)
            {
                offsets[b] = at;
                at += histogram[b];
            }

            for (var i = 0; i < n; i++)
            {
                var key = fromKeys[i];
                var to = offsets[(int)((key >> (p * Bits)) & (Buckets - 1))]++;
                toKeys[to] = key;
                toItems[to] = fromItems[i];
            }

            (fromKeys, fromItems, toKeys, toItems) = (toKeys, toItems, fromKeys, fromItems);
        }

        if (!ReferenceEquals(fromKeys, keys))
        {
            fromKeys.CopyTo(keys, 0);
            fromItems.CopyTo(items, 0);
        }
    }
}

/// <summary>
/// Customers' repeat-purchase summaries as read (<see cref="PurchaseDays.Summary"/>): an immutable list that groups its
/// histories once, the first time a fit, a diagnosis or a prediction asks.
/// </summary>
public sealed class ClvSummary : IReadOnlyList<ClvCustomer>
{
    private readonly ClvCustomer[] customers;
    private readonly Lazy<HistoryGroups> groups;

    /// <summary>A summary of <paramref name="customers"/>, in their order (copied: the list never changes).</summary>
    public ClvSummary(IEnumerable<ClvCustomer> customers)
        : this([.. customers], null, 1)
    {
    }

    /// <summary>
    /// A summary of <paramref name="customers"/> (kept, not copied) with each one's history as a <see cref="HistoryGroups.Key"/>
    /// of days in units of <paramref name="unitDays"/> where every history has one (null otherwise): the groups are then
    /// made from the keys.
    /// </summary>
    internal ClvSummary(ClvCustomer[] customers, long[]? historyKeys, long unitDays)
    {
        ArgumentNullException.ThrowIfNull(customers);
        this.customers = customers;
        groups = new Lazy<HistoryGroups>(() => historyKeys is null
            ? HistoryGroups.Group(customers.Select(c => c.History))
            : HistoryGroups.Group(historyKeys, unitDays));
    }

    /// <summary>The customers' history groups, made at the first call.</summary>
    internal HistoryGroups Groups => groups.Value;

    /// <summary>The groups if something made them already; null otherwise (what needs no order can group for less).</summary>
    internal HistoryGroups? GroupsIfMade => groups.IsValueCreated ? groups.Value : null;

    /// <inheritdoc />
    public int Count => customers.Length;

    /// <inheritdoc />
    public ClvCustomer this[int index] => customers[index];

    /// <inheritdoc />
    public IEnumerator<ClvCustomer> GetEnumerator() => ((IEnumerable<ClvCustomer>)customers).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
