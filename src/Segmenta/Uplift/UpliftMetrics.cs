using Segmenta.Numerics;

namespace Segmenta.Uplift;

/// <summary>Points of a curve over the number of customers targeted (best predicted uplift first).</summary>
/// <param name="Targeted">Customers targeted, 0 first.</param>
/// <param name="Value">The curve's value there.</param>
public sealed record UpliftCurve(double[] Targeted, double[] Value)
{
    /// <summary>The area under the curve by the trapezoidal rule.</summary>
    public double Area()
    {
        var area = 0.0;
        for (var i = 1; i < Targeted.Length; i++)
        {
            area += (Targeted[i] - Targeted[i - 1]) * (Value[i] + Value[i - 1]) / 2;
        }

        return area;
    }

    /// <summary>At most <paramref name="points"/> + 1 points, evenly spaced in customers (for charts and documents), always keeping the first and last.</summary>
    public UpliftCurve Thin(int points)
    {
        if (Targeted.Length <= points + 1)
        {
            return this;
        }

        var total = Targeted[^1];
        var x = new List<double> { Targeted[0] };
        var y = new List<double> { Value[0] };
        var next = 1;
        for (var i = 1; i < Targeted.Length; i++)
        {
            if (Targeted[i] >= total * next / points || i == Targeted.Length - 1)
            {
                x.Add(Targeted[i]);
                y.Add(Value[i]);
                while (next <= points && Targeted[i] >= total * next / points)
                {
                    next++;
                }
            }
        }

        return new UpliftCurve([.. x], [.. y]);
    }
}

/// <summary>One bin of customers by predicted uplift: what treated and control customers in it actually did.</summary>
/// <param name="Bin">1 = the highest predicted uplift.</param>
/// <param name="Predicted">The mean predicted uplift of the bin.</param>
/// <param name="Treated">Treated customers in the bin.</param>
/// <param name="Control">Control customers in the bin.</param>
/// <param name="TreatedMean">The treated customers' mean outcome.</param>
/// <param name="ControlMean">The control customers' mean outcome.</param>
/// <param name="Realized">TreatedMean − ControlMean: the uplift the bin actually showed.</param>
/// <param name="StandardError">Of <paramref name="Realized"/> (unpooled: √(s²ₜ/nₜ + s²꜀/n꜀)).</param>
/// <param name="Low">The lowest predicted uplift in the bin (scores at or above it, and below the previous bin's, fall in it).</param>
public sealed record UpliftBin(int Bin, double Predicted, long Treated, long Control, double TreatedMean, double ControlMean, double Realized, double StandardError, double Low);

/// <summary>
/// The evaluation measures of an uplift ranking on customers whose treatment was randomized, as scikit-uplift
/// defines them (sklift.metrics): the uplift and Qini curves over customers ranked by predicted uplift (ties
/// grouped), their areas normalized between random targeting (0) and the perfect ranking (1), and the uplift
/// at the top k. Outcomes may be binary (conversion) or not (revenue); treatment is 1 for treated, 0 for control.
/// </summary>
public static class UpliftMetrics
{
    /// <summary>
    /// The uplift curve: at each distinct score, (customers targeted n, (Yₜ/Nₜ − Y꜀/N꜀) · n), starting at (0, 0) —
    /// the incremental outcome of targeting the top n if the rates in the top n held for all of them.
    /// </summary>
    public static UpliftCurve Uplift(ReadOnlySpan<double> outcome, ReadOnlySpan<double> score, ReadOnlySpan<byte> treated) =>
        Curve(outcome, score, treated, qini: false);

    /// <summary>The Qini curve: at each distinct score, Yₜ − Y꜀ · Nₜ/N꜀ (control outcomes scaled to the treated count), from (0, 0).</summary>
    public static UpliftCurve Qini(ReadOnlySpan<double> outcome, ReadOnlySpan<double> score, ReadOnlySpan<byte> treated) =>
        Curve(outcome, score, treated, qini: true);

    /// <summary>The uplift curve of the perfect ranking (sklift's perfect_uplift_curve).</summary>
    public static UpliftCurve PerfectUplift(ReadOnlySpan<double> outcome, ReadOnlySpan<byte> treated)
    {
        long controlResponders = 0, treatedNonResponders = 0;
        for (var i = 0; i < outcome.Length; i++)
        {
            controlResponders += treated[i] == 0 && outcome[i] == 1 ? 1 : 0;
            treatedNonResponders += treated[i] == 1 && outcome[i] == 0 ? 1 : 0;
        }

        var perfect = new double[outcome.Length];
        for (var i = 0; i < perfect.Length; i++)
        {
            var summand = controlResponders > treatedNonResponders ? outcome[i] : treated[i];
            perfect[i] = (outcome[i] == treated[i] ? 2 : 0) + summand;
        }

        return Uplift(outcome, perfect, treated);
    }

    /// <summary>
    /// The Qini curve of the perfect ranking: treated responders first, control responders last (with
    /// <paramref name="negativeEffect"/>), else straight to the overall incremental outcome at once.
    /// </summary>
    public static UpliftCurve PerfectQini(ReadOnlySpan<double> outcome, ReadOnlySpan<byte> treated, bool negativeEffect = true)
    {
        if (negativeEffect)
        {
            var perfect = new double[outcome.Length];
            for (var i = 0; i < perfect.Length; i++)
            {
                perfect[i] = treated[i] == 1 ? outcome[i] : -outcome[i];
            }

            return Qini(outcome, perfect, treated);
        }

        double yt = 0, yc = 0;
        long nt = 0, nc = 0;
        for (var i = 0; i < outcome.Length; i++)
        {
            if (treated[i] == 1)
            {
                yt += outcome[i];
                nt++;
            }
            else
            {
                yc += outcome[i];
                nc++;
            }
        }

        var ratio = yt - (nt * yc / nc);
        return new UpliftCurve([0, ratio, outcome.Length], [0, ratio, ratio]);
    }

    /// <summary>
    /// The normalized area under the uplift curve (sklift's uplift_auc_score): (area − random) / (perfect − random),
    /// random being the straight line to the perfect curve's end.
    /// </summary>
    public static double UpliftAuc(ReadOnlySpan<double> outcome, ReadOnlySpan<double> score, ReadOnlySpan<byte> treated) =>
        Normalized(Uplift(outcome, score, treated), PerfectUplift(outcome, treated));

    /// <summary>The Qini coefficient (sklift's qini_auc_score): the normalized area under the Qini curve.</summary>
    public static double QiniCoefficient(ReadOnlySpan<double> outcome, ReadOnlySpan<double> score, ReadOnlySpan<byte> treated, bool negativeEffect = true) =>
        Normalized(Qini(outcome, score, treated), PerfectQini(outcome, treated, negativeEffect));

    /// <summary>
    /// Uplift at the top share <paramref name="k"/> (sklift's uplift_at_k): with <paramref name="byGroup"/> false ("overall"),
    /// the treated mean minus the control mean among the first ⌊n·k⌋ customers by score; with true, among the first
    /// ⌊nₜ·k⌋ treated and ⌊n꜀·k⌋ control customers. Ties keep sklift's order (a later row first).
    /// </summary>
    public static double UpliftAtK(ReadOnlySpan<double> outcome, ReadOnlySpan<double> score, ReadOnlySpan<byte> treated, double k, bool byGroup = false)
    {
        if (k is <= 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(k), k, "k is a share between 0 and 1 (exclusive)");
        }

        long nt = 0;
        foreach (var t in treated)
        {
            nt += t;
        }

        return Top(outcome, score, treated, (long)(outcome.Length * k), (long)(nt * k), (long)((treated.Length - nt) * k), byGroup);
    }

    /// <summary>Uplift at the top <paramref name="count"/> customers (overall), or the top <paramref name="count"/> of each group (sklift's uplift_at_k with an integer k).</summary>
    public static double UpliftAtCount(ReadOnlySpan<double> outcome, ReadOnlySpan<double> score, ReadOnlySpan<byte> treated, long count, bool byGroup = false) =>
        Top(outcome, score, treated, count, count, count, byGroup);

    private static double Top(ReadOnlySpan<double> outcome, ReadOnlySpan<double> score, ReadOnlySpan<byte> treated, long takeAll, long takeT, long takeC, bool byGroup)
    {
        var order = Descending(score);
        double sumT = 0, sumC = 0;
        long seenT = 0, seenC = 0, seen = 0;
        foreach (var i in order)
        {
            if (!byGroup && seen++ >= takeAll)
            {
                break;
            }

            if (treated[i] == 1)
            {
                if (!byGroup || seenT < takeT)
                {
                    sumT += outcome[i];
                    seenT++;
                }
            }
            else if (!byGroup || seenC < takeC)
            {
                sumC += outcome[i];
                seenC++;
            }
        }

        return (seenT == 0 ? double.NaN : sumT / seenT) - (seenC == 0 ? double.NaN : sumC / seenC);
    }

    /// <summary>
    /// Customers in <paramref name="bins"/> bins of (as near as possible) equal size by descending score, with the
    /// uplift each bin actually showed and its standard error.
    /// </summary>
    public static IReadOnlyList<UpliftBin> Bins(ReadOnlySpan<double> outcome, ReadOnlySpan<double> score, ReadOnlySpan<byte> treated, int bins)
    {
        var order = Descending(score);
        var result = new List<UpliftBin>(bins);
        var n = order.Length;
        for (var b = 0; b < bins; b++)
        {
            int from = (int)((long)n * b / bins), to = (int)((long)n * (b + 1) / bins);
            double predicted = 0, low = double.PositiveInfinity;
            for (var j = from; j < to; j++)
            {
                predicted += score[order[j]];
                low = Math.Min(low, score[order[j]]);
            }

            var (t, c) = Groups(outcome, treated, order.AsSpan(from, to - from));
            var (effect, se) = Difference(t, c);
            result.Add(new UpliftBin(b + 1, to > from ? predicted / (to - from) : double.NaN, t.N, c.N, t.Mean, c.Mean, effect, se, low));
        }

        return result;
    }

    /// <summary>The treated and control customers' moments among <paramref name="rows"/>.</summary>
    internal static (ArmMoments Treated, ArmMoments Control) Groups(ReadOnlySpan<double> outcome, ReadOnlySpan<byte> treated, ReadOnlySpan<int> rows)
    {
        ArmMoments t = new(0, 0, 0), c = t;
        foreach (var i in rows)
        {
            if (treated[i] == 1)
            {
                t = t.Add(outcome[i]);
            }
            else
            {
                c = c.Add(outcome[i]);
            }
        }

        return (t, c);
    }

    /// <summary>Treated mean − control mean and its unpooled standard error √(s²ₜ/nₜ + s²꜀/n꜀) (a group of one adds no variance).</summary>
    internal static (double Effect, double StandardError) Difference(ArmMoments treated, ArmMoments control)
    {
        static double Share(ArmMoments a) => a.N > 1 ? Math.Max(0, a.Variance) / a.N : 0;
        return (treated.Mean - control.Mean, Math.Sqrt(Share(treated) + Share(control)));
    }

    /// <summary>Indices by descending score; ties in sklift's order (numpy's stable ascending sort, reversed: the later row first).</summary>
    internal static int[] Descending(ReadOnlySpan<double> score)
    {
        var keys = score.ToArray();
        var order = Enumerable.Range(0, keys.Length).ToArray();
        Array.Sort(order, (a, b) => keys[a] != keys[b] ? keys[b].CompareTo(keys[a]) : b.CompareTo(a));
        return order;
    }

    private static UpliftCurve Curve(ReadOnlySpan<double> outcome, ReadOnlySpan<double> score, ReadOnlySpan<byte> treated, bool qini)
    {
        if (outcome.Length != score.Length || outcome.Length != treated.Length)
        {
            throw new ArgumentException("outcome, score and treatment differ in length");
        }

        var order = Descending(score);
        var x = new List<double> { 0 };
        var y = new List<double> { 0 };
        double yt = 0, yc = 0;
        long nt = 0;
        for (var j = 0; j < order.Length; j++)
        {
            var i = order[j];
            if (treated[i] == 1)
            {
                nt++;
                yt += outcome[i];
            }
            else
            {
                yc += outcome[i];
            }

            // A point at the end of each group of equal scores (ties are targeted together).
            if (j == order.Length - 1 || score[order[j + 1]] != score[i])
            {
                long n = j + 1, nc = n - nt;
                double value;
                if (qini)
                {
                    value = yt - (nc == 0 ? 0 : yc * nt / nc);
                }
                else
                {
                    value = ((nt == 0 ? 0 : yt / nt) - (nc == 0 ? 0 : yc / nc)) * n;
                }

                x.Add(n);
                y.Add(value);
            }
        }

        return new UpliftCurve([.. x], [.. y]);
    }

    private static double Normalized(UpliftCurve actual, UpliftCurve perfect)
    {
        var baseline = new UpliftCurve([0, perfect.Targeted[^1]], [0, perfect.Value[^1]]).Area();
        return (actual.Area() - baseline) / (perfect.Area() - baseline);
    }
}
