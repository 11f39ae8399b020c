namespace Segmenta.Numerics;

/// <summary>Parallel sums that do not depend on the thread count.</summary>
internal static class OrderedSum
{
    private const int ChunkSize = 4096;

    /// <summary>
    /// Σ <paramref name="term"/>(i) for i in [0, <paramref name="count"/>), in fixed chunks run in parallel and
    /// added in chunk order: the same total, bit for bit, on any number of threads.
    /// </summary>
    public static double Of(int count, Func<int, double> term)
    {
        var chunks = (count + ChunkSize - 1) / ChunkSize;
        var partial = new double[chunks];
        Parallel.For(0, chunks, c =>
        {
            var sum = 0.0;
            var end = Math.Min(count, (c + 1) * ChunkSize);
            for (var i = c * ChunkSize; i < end; i++)
            {
                sum += term(i);
            }

            partial[c] = sum;
        });
        var total = 0.0;
        foreach (var v in partial)
        {
            total += v;
        }

        return total;
    }

    /// <summary>
    /// The same for a vector: <paramref name="add"/>(i, sums) adds row i's terms into a chunk's <paramref name="dimensions"/>
    /// sums; the chunks' sums are added in chunk order, so the result is the same on any number of threads.
    /// </summary>
    public static double[] Of(int count, int dimensions, Action<int, double[]> add)
    {
        var chunks = (count + ChunkSize - 1) / ChunkSize;
        var partial = new double[chunks][];
        Parallel.For(0, chunks, c =>
        {
            var sums = new double[dimensions];
            var end = Math.Min(count, (c + 1) * ChunkSize);
            for (var i = c * ChunkSize; i < end; i++)
            {
                add(i, sums);
            }

            partial[c] = sums;
        });
        var total = new double[dimensions];
        foreach (var sums in partial)
        {
            for (var d = 0; d < dimensions; d++)
            {
                total[d] += sums[d];
            }
        }

        return total;
    }
}
