namespace Segmenta.Numerics;

/// <summary>A confidence interval.</summary>
/// <param name="Low">Lower bound.</param>
/// <param name="High">Upper bound.</param>
public readonly record struct Interval(double Low, double High);

/// <summary>Welch's unequal-variance t test of a difference of two means.</summary>
/// <param name="Difference">Mean of the first group minus mean of the second.</param>
/// <param name="StandardError">The difference's standard error.</param>
/// <param name="DegreesOfFreedom">Welch–Satterthwaite degrees of freedom.</param>
/// <param name="T">The t statistic.</param>
/// <param name="P">Two-sided p-value from Student's t.</param>
/// <param name="Confidence">The interval at the requested level.</param>
public readonly record struct WelchTest(double Difference, double StandardError, double DegreesOfFreedom, double T, double P, Interval Confidence);

/// <summary>
/// The inference a campaign measurement needs: intervals for proportions (Wilson, Newcombe's hybrid
/// score for a difference, Katz's log interval for a ratio), Welch's t test, a percentile bootstrap for a
/// difference of means, Student's t and normal quantiles, multiple-comparison adjustments and power.
/// </summary>
internal static class Inference
{
    /// <summary>Φ(z), the standard normal distribution function.</summary>
    public static double NormalCdf(double z) => 0.5 * Statistics.Erfc(-z / Math.Sqrt(2));

    /// <summary>Φ⁻¹(p): Acklam's rational approximation (relative error below 1.2·10⁻⁹; a refinement step would need a more accurate Φ than <see cref="Statistics.Erfc"/>).</summary>
    public static double NormalQuantile(double p)
    {
        if (p <= 0)
        {
            return double.NegativeInfinity;
        }

        if (p >= 1)
        {
            return double.PositiveInfinity;
        }

        ReadOnlySpan<double> a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00];
        ReadOnlySpan<double> b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01];
        ReadOnlySpan<double> c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00];
        ReadOnlySpan<double> d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00];
        double x;
        if (p < 0.02425)
        {
            var q = Math.Sqrt(-2 * Math.Log(p));
            x = (((((((((c[0] * q) + c[1]) * q) + c[2]) * q) + c[3]) * q) + c[4]) * q + c[5]) / ((((((((d[0] * q) + d[1]) * q) + d[2]) * q) + d[3]) * q) + 1);
        }
        else if (p <= 1 - 0.02425)
        {
            var q = p - 0.5;
            var r = q * q;
            x = (((((((((a[0] * r) + a[1]) * r) + a[2]) * r) + a[3]) * r) + a[4]) * r + a[5]) * q / ((((((((((b[0] * r) + b[1]) * r) + b[2]) * r) + b[3]) * r) + b[4]) * r) + 1);
        }
        else
        {
            var q = Math.Sqrt(-2 * Math.Log(1 - p));
            x = -(((((((((c[0] * q) + c[1]) * q) + c[2]) * q) + c[3]) * q) + c[4]) * q + c[5]) / ((((((((d[0] * q) + d[1]) * q) + d[2]) * q) + d[3]) * q) + 1);
        }

        return x;
    }

    /// <summary>The regularized incomplete beta function I_x(a, b), by its continued fraction (Numerical Recipes §6.4, modified Lentz).</summary>
    public static double IncompleteBeta(double a, double b, double x)
    {
        if (x <= 0)
        {
            return 0;
        }

        if (x >= 1)
        {
            return 1;
        }

        var front = Math.Exp((a * Math.Log(x)) + (b * SpecialFunctions.Log1P(-x)) - SpecialFunctions.LogBeta(a, b));
        return x < (a + 1) / (a + b + 2)
            ? front * BetaFraction(a, b, x) / a
            : 1 - (front * BetaFraction(b, a, 1 - x) / b);
    }

    private static double BetaFraction(double a, double b, double x)
    {
        const double Tiny = 1e-300;
        double qab = a + b, qap = a + 1, qam = a - 1;
        var c = 1.0;
        var d = 1 - (qab * x / qap);
        d = Math.Abs(d) < Tiny ? Tiny : d;
        d = 1 / d;
        var h = d;
        for (var m = 1; m <= 10_000; m++)
        {
            var m2 = 2 * m;
            var aa = m * (b - m) * x / ((qam + m2) * (a + m2));
            d = 1 + (aa * d);
            d = Math.Abs(d) < Tiny ? Tiny : d;
            c = 1 + (aa / c);
            c = Math.Abs(c) < Tiny ? Tiny : c;
            d = 1 / d;
            h *= d * c;
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
            d = 1 + (aa * d);
            d = Math.Abs(d) < Tiny ? Tiny : d;
            c = 1 + (aa / c);
            c = Math.Abs(c) < Tiny ? Tiny : c;
            d = 1 / d;
            var delta = d * c;
            h *= delta;
            if (Math.Abs(delta - 1) < 1e-15)
            {
                break;
            }
        }

        return h;
    }

    /// <summary>P(|T| ≥ |t|) for Student's t with <paramref name="df"/> degrees of freedom.</summary>
    public static double StudentTwoSidedP(double t, double df)
    {
        if (double.IsNaN(t) || double.IsNaN(df))
        {
            return 1;
        }

        if (double.IsInfinity(t))
        {
            return 0;
        }

        return Math.Min(1, IncompleteBeta(df / 2, 0.5, df / (df + (t * t))));
    }

    /// <summary>The quantile of Student's t at <paramref name="p"/> (&gt; 0.5), by bisection on the distribution function.</summary>
    public static double StudentQuantile(double p, double df)
    {
        if (!(df > 0) || double.IsPositiveInfinity(df) || df > 1e7)
        {
            return NormalQuantile(p);
        }

        // P(T > t) = (1 - p): find t with the two-sided tail 2(1 - p).
        var tail = 2 * (1 - p);
        double low = 0, high = 1;
        while (StudentTwoSidedP(high, df) > tail)
        {
            high *= 2;
        }

        for (var i = 0; i < 200 && high - low > 1e-12 * high; i++)
        {
            var mid = (low + high) / 2;
            if (StudentTwoSidedP(mid, df) > tail)
            {
                low = mid;
            }
            else
            {
                high = mid;
            }
        }

        return (low + high) / 2;
    }

    /// <summary>The z of a two-sided interval at <paramref name="confidence"/> (1.96 for 0.95).</summary>
    public static double Z(double confidence) => NormalQuantile(1 - ((1 - confidence) / 2));

    /// <summary>Wilson's score interval for <paramref name="k"/> successes of <paramref name="n"/>.</summary>
    public static Interval Wilson(long k, long n, double z)
    {
        if (n == 0)
        {
            return new Interval(0, 1);
        }

        var p = (double)k / n;
        var z2 = z * z;
        var centre = (p + (z2 / (2 * n))) / (1 + (z2 / n));
        var half = z / (1 + (z2 / n)) * Math.Sqrt((p * (1 - p) / n) + (z2 / (4.0 * n * n)));
        return new Interval(Math.Max(0, centre - half), Math.Min(1, centre + half));
    }

    /// <summary>Newcombe's hybrid score interval (his method 10) for the difference p₁ − p₂ of two independent proportions.</summary>
    public static Interval Newcombe(long k1, long n1, long k2, long n2, double z)
    {
        var p1 = n1 == 0 ? 0 : (double)k1 / n1;
        var p2 = n2 == 0 ? 0 : (double)k2 / n2;
        var w1 = Wilson(k1, n1, z);
        var w2 = Wilson(k2, n2, z);
        var d = p1 - p2;
        return new Interval(
            d - Math.Sqrt(((p1 - w1.Low) * (p1 - w1.Low)) + ((w2.High - p2) * (w2.High - p2))),
            d + Math.Sqrt(((w1.High - p1) * (w1.High - p1)) + ((p2 - w2.Low) * (p2 - w2.Low))));
    }

    /// <summary>Katz's log interval for the ratio p₁ / p₂ minus one (the relative lift); null when either group has no success.</summary>
    public static Interval? RelativeLiftOfProportions(long k1, long n1, long k2, long n2, double z)
    {
        if (k1 == 0 || k2 == 0 || n1 == 0 || n2 == 0)
        {
            return null;
        }

        var logRatio = Math.Log(((double)k1 / n1) / ((double)k2 / n2));
        var se = Math.Sqrt((1.0 / k1) - (1.0 / n1) + (1.0 / k2) - (1.0 / n2));
        return new Interval(Math.Exp(logRatio - (z * se)) - 1, Math.Exp(logRatio + (z * se)) - 1);
    }

    /// <summary>A delta-method log interval for the ratio of two means minus one; null unless both means are positive.</summary>
    public static Interval? RelativeLiftOfMeans(Moments a, Moments b, double z)
    {
        if (!(a.Mean > 0) || !(b.Mean > 0) || a.Count < 2 || b.Count < 2)
        {
            return null;
        }

        var se = Math.Sqrt((a.Variance / (a.Count * a.Mean * a.Mean)) + (b.Variance / (b.Count * b.Mean * b.Mean)));
        var logRatio = Math.Log(a.Mean / b.Mean);
        return new Interval(Math.Exp(logRatio - (z * se)) - 1, Math.Exp(logRatio + (z * se)) - 1);
    }

    /// <summary>Welch's t test of mean(a) − mean(b) with a two-sided interval at <paramref name="confidence"/>.</summary>
    public static WelchTest Welch(Moments a, Moments b, double confidence)
    {
        var va = a.Count > 0 ? a.Variance / a.Count : double.NaN;
        var vb = b.Count > 0 ? b.Variance / b.Count : double.NaN;
        var se = Math.Sqrt(va + vb);
        var difference = a.Mean - b.Mean;
        var df = (va + vb) * (va + vb) / ((va * va / (a.Count - 1)) + (vb * vb / (b.Count - 1)));
        if (!(se > 0) || double.IsNaN(df))
        {
            return new WelchTest(difference, se, df, double.NaN, difference == 0 ? 1 : double.NaN, new Interval(difference, difference));
        }

        var t = difference / se;
        var q = StudentQuantile(1 - ((1 - confidence) / 2), df);
        return new WelchTest(difference, se, df, t, StudentTwoSidedP(t, df), new Interval(difference - (q * se), difference + (q * se)));
    }

    /// <summary>
    /// The percentile bootstrap interval of mean(a) − mean(b): <paramref name="replicates"/> resamples of
    /// each group with replacement. Zeros (most customers spend nothing) are resampled by drawing how many
    /// non-zero values a resample holds — Binomial(n, share of non-zeros), counted with geometric gaps —
    /// and then which: the same distribution as resampling every customer, at the cost of the non-zeros.
    /// </summary>
    public static Interval BootstrapDifference(double[] a, double[] b, int replicates, double confidence, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var nonZeroA = a.Where(v => v != 0).ToArray();
        var nonZeroB = b.Where(v => v != 0).ToArray();
        var differences = new double[replicates];
        Parallel.For(0, replicates, r =>
        {
            var random = new Xoshiro(unchecked(seed + ((ulong)r * 0x9E3779B97F4A7C15UL)));
            differences[r] = ResampledMean(nonZeroA, a.Length, ref random) - ResampledMean(nonZeroB, b.Length, ref random);
        });
        Array.Sort(differences);
        var tail = (1 - confidence) / 2;
        return new Interval(Statistics.Quantile(differences, tail), Statistics.Quantile(differences, 1 - tail));
    }

    private static double ResampledMean(double[] nonZero, int n, ref Xoshiro random)
    {
        if (n == 0)
        {
            return double.NaN;
        }

        var share = (double)nonZero.Length / n;
        if (share == 0)
        {
            return 0;
        }

        var sum = 0.0;
        if (share == 1)
        {
            for (var i = 0; i < n; i++)
            {
                sum += nonZero[random.NextInt(n)];
            }

            return sum / n;
        }

        var logMiss = Math.Log(1 - share);
        long position = -1;
        while (true)
        {
            position += 1 + (long)Math.Floor(Math.Log(1 - random.NextDouble()) / logMiss);
            if (position >= n)
            {
                break;
            }

            sum += nonZero[random.NextInt(nonZero.Length)];
        }

        return sum / n;
    }

    /// <summary>Holm's step-down adjustment: controls the family-wise error rate. NaN p-values stay NaN and do not count.</summary>
    public static double[] Holm(IReadOnlyList<double> p)
    {
        ArgumentNullException.ThrowIfNull(p);
        var order = Enumerable.Range(0, p.Count).Where(i => !double.IsNaN(p[i])).OrderBy(i => p[i]).ThenBy(i => i).ToArray();
        var adjusted = p.Select(_ => double.NaN).ToArray();
        var running = 0.0;
        for (var rank = 0; rank < order.Length; rank++)
        {
            running = Math.Max(running, Math.Min(1, (order.Length - rank) * p[order[rank]]));
            adjusted[order[rank]] = running;
        }

        return adjusted;
    }

    /// <summary>Benjamini–Hochberg's step-up adjustment: controls the false discovery rate. NaN p-values stay NaN and do not count.</summary>
    public static double[] BenjaminiHochberg(IReadOnlyList<double> p)
    {
        ArgumentNullException.ThrowIfNull(p);
        var order = Enumerable.Range(0, p.Count).Where(i => !double.IsNaN(p[i])).OrderBy(i => p[i]).ThenBy(i => i).ToArray();
        var adjusted = p.Select(_ => double.NaN).ToArray();
        var running = 1.0;
        for (var rank = order.Length - 1; rank >= 0; rank--)
        {
            running = Math.Min(running, Math.Min(1, p[order[rank]] * order.Length / (rank + 1)));
            adjusted[order[rank]] = running;
        }

        return adjusted;
    }

    /// <summary>
    /// The smallest absolute difference of proportions a two-sided test at <paramref name="alpha"/> detects
    /// with probability <paramref name="power"/>, around base rate <paramref name="p"/>, with groups of n₁ and n₂.
    /// </summary>
    public static double MinimumDetectableEffect(double p, long n1, long n2, double alpha, double power)
    {
        if (n1 == 0 || n2 == 0)
        {
            return double.NaN;
        }

        var rate = Math.Clamp(p, 1e-9, 1 - 1e-9);
        return (NormalQuantile(1 - (alpha / 2)) + NormalQuantile(power)) * Math.Sqrt(rate * (1 - rate) * ((1.0 / n1) + (1.0 / n2)));
    }

    /// <summary>
    /// The power of a two-sided test at <paramref name="alpha"/> to detect an absolute difference
    /// <paramref name="effect"/> around base rate <paramref name="p"/>, with the base rate's variance in both
    /// groups (the model <see cref="MinimumDetectableEffect"/> inverts).
    /// </summary>
    public static double Power(double p, double effect, long n1, long n2, double alpha)
    {
        if (n1 == 0 || n2 == 0)
        {
            return double.NaN;
        }

        var rate = Math.Clamp(p, 1e-9, 1 - 1e-9);
        var se = Math.Sqrt(rate * (1 - rate) * ((1.0 / n1) + (1.0 / n2)));
        return se == 0 ? double.NaN : NormalCdf((Math.Abs(effect) / se) - NormalQuantile(1 - (alpha / 2)));
    }
}

/// <summary>Count, mean and (sample) variance of a group, computed in two passes in the given order.</summary>
/// <param name="Count">Values.</param>
/// <param name="Mean">Their mean (NaN when empty).</param>
/// <param name="Variance">Their sample variance, n − 1 in the denominator (NaN below two values).</param>
public readonly record struct Moments(long Count, double Mean, double Variance)
{
    /// <summary>The moments of <paramref name="values"/>.</summary>
    public static Moments Of(ReadOnlySpan<double> values)
    {
        if (values.Length == 0)
        {
            return new Moments(0, double.NaN, double.NaN);
        }

        var sum = 0.0;
        foreach (var v in values)
        {
            sum += v;
        }

        var mean = sum / values.Length;
        var squares = 0.0;
        foreach (var v in values)
        {
            squares += (v - mean) * (v - mean);
        }

        return new Moments(values.Length, mean, values.Length > 1 ? squares / (values.Length - 1) : double.NaN);
    }

    /// <summary>
    /// Whether the normal approximation of the mean of <paramref name="values"/> is in doubt, by Cochran's
    /// rule: it holds when n &gt; 25 · G₁², with G₁ the sample skewness. Revenue per recipient (mostly zeros,
    /// a long tail) fails it in groups of thousands; large groups pass it, where a bootstrap adds nothing.
    /// </summary>
    public static bool SkewedForItsSize(ReadOnlySpan<double> values)
    {
        var m = Of(values);
        if (values.Length < 3 || !(m.Variance > 0))
        {
            return false;
        }

        double m3 = 0;
        foreach (var v in values)
        {
            var d = v - m.Mean;
            m3 += d * d * d;
        }

        var n = values.Length;
        var m2 = m.Variance * (n - 1) / n;
        var skew = m3 / n / Math.Pow(m2, 1.5);
        return n <= 25 * skew * skew;
    }
}
