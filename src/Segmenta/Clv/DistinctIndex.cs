using System.Runtime.InteropServices;

namespace Segmenta.Clv;

/// <summary>
/// The distinct items of a sequence in the order they first appear, and each item's position among them: what lets
/// customers with equal inputs share one evaluation (one dictionary lookup per item).
/// </summary>
internal static class DistinctIndex
{
    /// <summary>The distinct items of <paramref name="items"/>, and for each item its index into them.</summary>
    public static (T[] Values, int[] Slots) Of<T>(IEnumerable<T> items)
        where T : struct
    {
        ArgumentNullException.ThrowIfNull(items);
        var positions = new Dictionary<T, int>();
        var values = new List<T>();
        var slots = new List<int>();
        foreach (var item in items)
        {
            ref var position = ref CollectionsMarshal.GetValueRefOrAddDefault(positions, item, out var seen);
            if (!seen)
            {
                position = values.Count;
                values.Add(item);
            }

            slots.Add(position);
        }

        return ([.. values], [.. slots]);
    }

    /// <summary>
    /// The distinct items of <paramref name="items"/> in <paramref name="order"/>, how many times each occurs, and for each
    /// item its index into them: a fixed order, so that sums over the distinct items (and a fit) do not depend on hashing.
    /// </summary>
    public static (T[] Values, double[] Counts, int[] Slots) Sorted<T>(IEnumerable<T> items, IComparer<T> order)
        where T : struct
    {
        var (values, slots) = Of(items);

        // The values are distinct, so the sort needs no stability; then each item's slot is renumbered to its value's place.
        var firstSeen = new int[values.Length];
        for (var i = 0; i < firstSeen.Length; i++)
        {
            firstSeen[i] = i;
        }

        Array.Sort(values, firstSeen, order);
        var place = new int[values.Length];
        for (var i = 0; i < firstSeen.Length; i++)
        {
            place[firstSeen[i]] = i;
        }

        var counts = new double[values.Length];
        for (var c = 0; c < slots.Length; c++)
        {
            var v = place[slots[c]];
            slots[c] = v;
            counts[v]++;
        }

        return (values, counts, slots);
    }
}
