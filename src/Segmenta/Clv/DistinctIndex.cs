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
}
