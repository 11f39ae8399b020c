namespace Segmenta.Clv;

/// <summary>
/// Distinct repeat-purchase histories with their weights (customers sharing them), and each history's
/// x, t_x and T as indexes into the distinct values of each: a likelihood can then compute what depends
/// on x alone, or on T alone, once per distinct value instead of once per history.
/// </summary>
internal sealed class HistoryTable
{
    public HistoryTable(RepeatHistory[] histories, double[] weights)
    {
        Histories = histories;
        Weights = weights;
        (Xs, XIndex) = Index(histories.Select(h => h.X));
        (Txs, TxIndex) = Index(histories.Select(h => h.Tx));
        (Ts, TIndex) = Index(histories.Select(h => h.T));
    }

    public RepeatHistory[] Histories { get; }

    public double[] Weights { get; }

    public double[] Xs { get; }

    public int[] XIndex { get; }

    public double[] Txs { get; }

    public int[] TxIndex { get; }

    public double[] Ts { get; }

    public int[] TIndex { get; }

    public int Count => Histories.Length;

    /// <summary>Every <paramref name="stride"/>-th history (of the sorted order), with its weight: a cheap stand-in for a starting point.</summary>
    public HistoryTable Subsample(int stride) => new(
        Histories.Where((_, i) => i % stride == 0).ToArray(),
        Weights.Where((_, i) => i % stride == 0).ToArray());

    /// <summary>Σ <paramref name="term"/>(i) over the rows, the same on any number of threads.</summary>
    public double Sum(Func<int, double> term) => Numerics.OrderedSum.Of(Count, term);

    /// <summary>Σ over the rows of the terms <paramref name="add"/> adds into <paramref name="dimensions"/> sums, the same on any number of threads.</summary>
    public double[] Sum(int dimensions, Action<int, double[]> add) => Numerics.OrderedSum.Of(Count, dimensions, add);

    /// <summary>The distinct values in ascending order, and each value's position among them.</summary>
    internal static (double[] Values, int[] Index) Index(IEnumerable<double> values)
    {
        var list = values.ToArray();
        var distinct = list.Distinct().Order().ToArray();
        var position = new Dictionary<double, int>(distinct.Length);
        for (var i = 0; i < distinct.Length; i++)
        {
            position[distinct[i]] = i;
        }

        return (distinct, list.Select(v => position[v]).ToArray());
    }
}
