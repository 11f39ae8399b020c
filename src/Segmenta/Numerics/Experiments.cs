namespace Segmenta.Numerics;

/// <summary>
/// One arm's sufficient statistics for a metric: customers, the sum and the sum of squares of their values, and — for
/// CUPED — the same of a pre-period covariate with the sum of products. A proportion (yes/no metric) uses p(1 − p) as
/// its variance, as GrowthBook does; other metrics the sample variance. A value (no allocation per customer added).
/// </summary>
public readonly record struct ArmMoments(long N, double Sum, double SumSquares, bool Proportion = false, double PreSum = 0, double PreSumSquares = 0, double SumProducts = 0)
{
    /// <summary>The mean value.</summary>
    public double Mean => N == 0 ? double.NaN : Sum / N;

    /// <summary>The variance of one value.</summary>
    public double Variance => Proportion ? Mean * (1 - Mean) : N < 2 ? double.NaN : (SumSquares - (Sum * Sum / N)) / (N - 1);

    /// <summary>The covariate's mean.</summary>
    public double PreMean => N == 0 ? double.NaN : PreSum / N;

    /// <summary>The covariate's sample variance.</summary>
    public double PreVariance => N < 2 ? double.NaN : (PreSumSquares - (PreSum * PreSum / N)) / (N - 1);

    /// <summary>The sample covariance of value and covariate.</summary>
    public double Covariance => N < 2 ? double.NaN : (SumProducts - (Sum * PreSum / N)) / (N - 1);

    /// <summary>Adds one customer's value (and covariate).</summary>
    public ArmMoments Add(double value, double pre = 0) =>
        this with { N = N + 1, Sum = Sum + value, SumSquares = SumSquares + (value * value), PreSum = PreSum + pre, PreSumSquares = PreSumSquares + (pre * pre), SumProducts = SumProducts + (value * pre) };
}

/// <summary>An effect of treatment on a metric: the estimate, its standard error, interval and p-value.</summary>
/// <param name="Estimate">Treated − control (absolute), or that ÷ the control mean (relative).</param>
/// <param name="StandardError">Of the estimate.</param>
/// <param name="Interval">Fixed-horizon (Student t, Welch's degrees of freedom) or always valid (confidence sequence).</param>
/// <param name="P">Two-sided p-value; for a sequential estimate, always valid (min(1, 1/Λ)).</param>
/// <param name="DegreesOfFreedom">Welch–Satterthwaite (fixed horizon only).</param>
public sealed record EffectEstimate(double Estimate, double StandardError, Interval Interval, double P, double? DegreesOfFreedom);

/// <summary>
/// Readout statistics of a two-arm experiment, as GrowthBook's gbstats computes them (packages/stats/gbstats/frequentist):
/// the fixed-horizon Welch t-test on the absolute or relative (delta-method) difference; regression adjustment with a
/// pre-period covariate (CUPED, θ shared by both arms); and the always-valid confidence sequence of Waudby-Smith et al.
/// (2023, eq. 9 with the normal mixture's ρ of eq. 161), whose intervals and p-values hold at every look.
/// </summary>
public static class Experiments
{
    /// <summary>GrowthBook's default sequential tuning parameter: the sample size where the sequence is tightest.</summary>
    public const double DefaultTuning = 5000;

    /// <summary>
    /// CUPED's θ: the slope of the metric on its covariate pooled over both arms (Σ covariances ÷ Σ covariate variances,
    /// each weighted by n − 1); 0 when the covariate does not vary.
    /// </summary>
    public static double Theta(ArmMoments control, ArmMoments treated)
    {
        var variance = (control.PreVariance * (control.N - 1)) + (treated.PreVariance * (treated.N - 1));
        var covariance = (control.Covariance * (control.N - 1)) + (treated.Covariance * (treated.N - 1));
        return variance > 0 && double.IsFinite(covariance) ? covariance / variance : 0;
    }

    /// <summary>The fixed-horizon estimate (θ null: unadjusted; else CUPED with that θ).</summary>
    public static EffectEstimate FixedHorizon(ArmMoments control, ArmMoments treated, bool relative, double alpha = 0.05, double? theta = null)
    {
        var (estimate, variance, df) = Difference(control, treated, relative, theta);
        var se = Math.Sqrt(variance);
        var t = Inference.StudentQuantile(1 - (alpha / 2), df);
        var p = Inference.StudentTwoSidedP(estimate / se, df);
        return new EffectEstimate(estimate, se, new Interval(estimate - (t * se), estimate + (t * se)), p, df);
    }

    /// <summary>
    /// The always-valid estimate: the same point and standard error, the interval of the confidence sequence
    /// (half-width √s² · √(2(nρ² + 1) ln(√(nρ² + 1)/α) / (nρ)²), s² = SE² · n, n both arms' customers) and the
    /// p-value min(1, 1/Λ) with Λ = (nρ² + 1)^(−1/2) exp((nρ)² θ̂² / (2 s² (nρ² + 1))) — the α at which the sequence
    /// just excludes zero.
    /// </summary>
    public static EffectEstimate Sequential(ArmMoments control, ArmMoments treated, bool relative, double alpha = 0.05, double tuning = DefaultTuning, double? theta = null)
    {
        var (estimate, variance, _) = Difference(control, treated, relative, theta);
        var n = (double)(control.N + treated.N);
        var rho2 = Rho2(alpha, tuning);
        var s2 = variance * n;
        var nr2 = (n * rho2) + 1;
        var n2r2 = n * n * rho2;
        var half = Math.Sqrt(s2) * Math.Sqrt(2 * nr2 * Math.Log(Math.Sqrt(nr2) / alpha) / n2r2);
        var logLambda = (-0.5 * Math.Log(nr2)) + (n2r2 * estimate * estimate / (2 * s2 * nr2));
        var p = Math.Min(1, Math.Exp(-logLambda));
        return new EffectEstimate(estimate, Math.Sqrt(variance), new Interval(estimate - half, estimate + half), p, null);
    }

    /// <summary>The share of the metric's variance CUPED removes: 1 − Var(adjusted) / Var(unadjusted), for the absolute difference.</summary>
    public static double VarianceReduction(ArmMoments control, ArmMoments treated, double theta)
    {
        var (_, adjusted, _) = Difference(control, treated, relative: false, theta);
        var (_, plain, _) = Difference(control, treated, relative: false, null);
        return plain > 0 ? 1 - (adjusted / plain) : 0;
    }

    /// <summary>ρ² of the normal mixture tuned to be tightest at <paramref name="tuning"/> observations (eq. 161, two-sided).</summary>
    private static double Rho2(double alpha, double tuning)
    {
        if (alpha is <= 0 or >= 1 || !(tuning > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(tuning), "alpha in (0, 1) and a positive tuning parameter");
        }

        var logAlpha = Math.Log(alpha);
        return ((-2 * logAlpha) + Math.Log((-2 * logAlpha) + 1)) / tuning;
    }

    /// <summary>
    /// The estimate, its variance and Welch's degrees of freedom. Relative: (μₜ − μ꜀) ÷ μ꜀ with the delta method's
    /// variance σₜ²/(nₜ μ꜀²) + σ꜀² μₜ²/(n꜀ μ꜀⁴), the means unadjusted. With θ, each value is Y − θ X: its mean enters the
    /// difference and its variance σ² + θ² σₓ² − 2θ cov the standard error.
    /// </summary>
    private static (double Estimate, double Variance, double Df) Difference(ArmMoments control, ArmMoments treated, bool relative, double? theta)
    {
        double Mean(ArmMoments a) => theta is { } t ? a.Mean - (t * a.PreMean) : a.Mean;
        double Var(ArmMoments a) => theta is { } t ? a.Variance + (t * t * a.PreVariance) - (2 * t * a.Covariance) : a.Variance;
        double vc = Var(control) / control.N, vt = Var(treated) / treated.N;
        var df = (vc + vt) * (vc + vt) / ((vc * vc / (control.N - 1)) + (vt * vt / (treated.N - 1)));
        var difference = Mean(treated) - Mean(control);
        if (!relative)
        {
            return (difference, vc + vt, df);
        }

        double mc = control.Mean, mt = treated.Mean;
        var variance = (vt / (mc * mc)) + (vc * mt * mt / (mc * mc * mc * mc));
        return (difference / mc, variance, df);
    }
}
