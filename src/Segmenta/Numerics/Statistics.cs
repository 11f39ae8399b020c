namespace Segmenta.Numerics;

/// <summary>Small statistical helpers shared by the analyses.</summary>
internal static class Statistics
{
    /// <summary>
    /// The complementary error function, erfc(x), by the Chebyshev fit of Numerical Recipes (§6.2,
    /// <c>erfcc</c>): fractional error below 1.2·10⁻⁷ everywhere — ample for p-values.
    /// </summary>
    public static double Erfc(double x)
    {
        var z = Math.Abs(x);
        var t = 1 / (1 + (0.5 * z));
        ReadOnlySpan<double> c = [-1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398, 1.48851587, -0.82215223, 0.17087277];
        var poly = 0.0;
        for (var i = c.Length - 1; i >= 0; i--)
        {
            poly = (poly * t) + c[i];
        }

        var r = t * Math.Exp(-(z * z) + poly);
        return x >= 0 ? r : 2 - r;
    }

    /// <summary>The two-sided p-value of a standard normal statistic: P(|Z| ≥ |z|).</summary>
    public static double TwoSidedP(double z) => double.IsNaN(z) ? 1 : Math.Min(1, Erfc(Math.Abs(z) / Math.Sqrt(2)));

    /// <summary>
    /// The pooled two-proportion z statistic of <paramref name="k1"/> of <paramref name="n1"/> against
    /// <paramref name="k2"/> of <paramref name="n2"/> (0 when either group is empty or the pooled share is 0 or 1).
    /// </summary>
    public static double TwoProportionZ(long k1, long n1, long k2, long n2)
    {
        if (n1 == 0 || n2 == 0)
        {
            return 0;
        }

        var pooled = (double)(k1 + k2) / (n1 + n2);
        var se = Math.Sqrt(pooled * (1 - pooled) * ((1.0 / n1) + (1.0 / n2)));
        return se == 0 ? 0 : (((double)k1 / n1) - ((double)k2 / n2)) / se;
    }

    /// <summary>The q-quantile of sorted values by linear interpolation (NumPy's default); NaN when empty.</summary>
    public static double Quantile(ReadOnlySpan<double> sorted, double q)
    {
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        var position = (sorted.Length - 1) * q;
        var low = (int)Math.Floor(position);
        var high = Math.Min(low + 1, sorted.Length - 1);
        return sorted[low] + ((sorted[high] - sorted[low]) * (position - low));
    }
}
