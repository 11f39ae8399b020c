using Segmenta.Numerics;
using Xunit;

namespace Segmenta.Tests.Numerics;

/// <summary>The measurement's statistics against published worked examples and reference implementations.</summary>
public class InferenceTests
{
    [Fact]
    public void Wilson_NewcombeExamples_MatchThePaper()
    {
        // Newcombe (1998a, Statistics in Medicine 17:857), method 3 (score): 81/263 → 0.2553–0.3662; 0/10 → 0–0.2775.
        var z = Inference.Z(0.95);
        Assert.Equal(1.959964, z, 1e-6);
        var a = Inference.Wilson(81, 263, z);
        Assert.Equal(0.2553, a.Low, 0.00005);
        Assert.Equal(0.3662, a.High, 0.00005);
        var b = Inference.Wilson(0, 10, z);
        Assert.Equal(0, b.Low, 1e-12);
        Assert.Equal(0.2775, b.High, 0.00005);
    }

    [Fact]
    public void Newcombe_PaperExamples_MatchMethodTen()
    {
        // Newcombe (1998b, Statistics in Medicine 17:873), Table II, method 10: 56/70 − 48/80 → 0.0524 to
        // 0.3339; 9/10 − 3/10 → 0.1705 to 0.8090.
        var z = Inference.Z(0.95);
        var a = Inference.Newcombe(56, 70, 48, 80, z);
        Assert.Equal(0.0524, a.Low, 0.00005);
        Assert.Equal(0.3339, a.High, 0.00005);
        var b = Inference.Newcombe(9, 10, 3, 10, z);
        Assert.Equal(0.1705, b.Low, 0.00005);
        Assert.Equal(0.8090, b.High, 0.00005);
    }

    [Fact]
    public void StudentT_Quantiles_MatchTables()
    {
        // scipy.stats.t: ppf(0.975, 10) = 2.228139, ppf(0.975, 1) = 12.706205; 2·sf(2, 5) = 0.1019395.
        Assert.Equal(2.2281388519649385, Inference.StudentQuantile(0.975, 10), 1e-8);
        Assert.Equal(12.706204736432095, Inference.StudentQuantile(0.975, 1), 1e-6);
        Assert.Equal(0.10193947882985828, Inference.StudentTwoSidedP(2.0, 5), 1e-10);
        Assert.Equal(1.9600196584450973, Inference.StudentQuantile(0.975, 42611.3), 1e-7);
        Assert.Equal(1.6448536269514722, Inference.NormalQuantile(0.95), 2e-9);
        Assert.Equal(-2.3263478740408408, Inference.NormalQuantile(0.01), 3e-9);
    }

    [Fact]
    public void Welch_SmallSamples_MatchesScipy()
    {
        // scipy.stats.ttest_ind([1, 2, 3, 4, 5.5], [2, 4, 6, 8, 10, 12], equal_var=False): t = −2.2732378711929924, p = 0.0555488934131826.
        var test = Inference.Welch(Moments.Of([1, 2, 3, 4, 5.5]), Moments.Of([2, 4, 6, 8, 10, 12]), 0.95);
        Assert.Equal(-2.2732378711929924, test.T, 1e-12);
        Assert.Equal(0.0555488934131826, test.P, 1e-9);
        Assert.True(test.Confidence.Low < 0 && test.Confidence.High > 0);
        Assert.Equal(test.Difference, (test.Confidence.Low + test.Confidence.High) / 2, 1e-12);
    }

    [Fact]
    public void HolmAndBenjaminiHochberg_MatchRsPAdjust()
    {
        // R: p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm") = 0.03 0.06 0.06 0.02; "BH" = 0.02 0.04 0.04 0.02.
        double[] p = [0.01, 0.04, 0.03, 0.005];
        Assert.Equal([0.03, 0.06, 0.06, 0.02], Inference.Holm(p).Select(x => Math.Round(x, 12)));
        Assert.Equal([0.02, 0.04, 0.04, 0.02], Inference.BenjaminiHochberg(p).Select(x => Math.Round(x, 12)));
        var withMissing = Inference.Holm([0.01, double.NaN, 0.04]);
        Assert.True(double.IsNaN(withMissing[1]));
        Assert.Equal(0.02, withMissing[0], 1e-12);
    }

    [Fact]
    public void Bootstrap_ZeroInflated_AgreesWithPlainResampling()
    {
        // Revenue per recipient: 97% zeros and a long tail. The sparse resampler must give the interval a plain
        // resample of every customer gives (independent streams: bounds agree within a few percent).
        var random = new Random(7);
        double[] Spend(int n, double rate) => [.. Enumerable.Range(0, n).Select(_ => random.NextDouble() < rate ? Math.Exp(3 + random.NextDouble() * 2) : 0)];
        var treated = Spend(6000, 0.04);
        var control = Spend(6000, 0.03);
        var sparse = Inference.BootstrapDifference(treated, control, 4000, 0.95, 11);
        var plain = new double[4000];
        var r = new Random(5);
        for (var b = 0; b < plain.Length; b++)
        {
            double Mean(double[] x)
            {
                var sum = 0.0;
                for (var i = 0; i < x.Length; i++)
                {
                    sum += x[r.Next(x.Length)];
                }

                return sum / x.Length;
            }

            plain[b] = Mean(treated) - Mean(control);
        }

        Array.Sort(plain);
        var width = plain[3899] - plain[99];
        Assert.Equal(plain[99], sparse.Low, width * 0.05);
        Assert.Equal(plain[3899], sparse.High, width * 0.05);
        Assert.Equal(sparse, Inference.BootstrapDifference(treated, control, 4000, 0.95, 11));
    }

    [Fact]
    public void SkewedForItsSize_CochransRule_BootstrapsSparseSpendButNotLargeOrSymmetricGroups()
    {
        // One buyer in a hundred: skewness ≈ 10, so Cochran asks for n > 25 · 100 = 2,500.
        double[] Sparse(int n) => [.. Enumerable.Range(0, n).Select(i => i % 100 == 0 ? 50.0 : 0)];
        Assert.True(Moments.SkewedForItsSize(Sparse(2_000)));
        Assert.False(Moments.SkewedForItsSize(Sparse(20_000)));
        Assert.False(Moments.SkewedForItsSize([.. Enumerable.Range(0, 200).Select(i => (double)(i % 7))]));
    }

    [Fact]
    public void Power_MinimumDetectableEffect_IsTheTextbookFormulaAndItsInverse()
    {
        // (z(0.975) + z(0.8)) · √(p(1−p)(1/n₁ + 1/n₂)) for p = 5%, 10,000 per arm: 0.8635 points.
        var mde = Inference.MinimumDetectableEffect(0.05, 10_000, 10_000, 0.05, 0.8);
        Assert.Equal(2.8015852 * Math.Sqrt(0.05 * 0.95 * 2 / 10_000), mde, 1e-7);
        Assert.Equal(0.8, Inference.Power(0.05, mde, 10_000, 10_000, 0.05), 1e-6);
        Assert.True(Inference.Power(0.05, mde * 2, 10_000, 10_000, 0.05) > 0.99);
    }
}
