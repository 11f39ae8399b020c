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
    {
        ArgumentNullException.ThrowIfNull(customers);
        this.customers = [.. customers];
        groups = new Lazy<HistoryGroups>(() => HistoryGroups.Group(this.customers.Select(c => c.History)));
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
