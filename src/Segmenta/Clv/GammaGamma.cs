using static Segmenta.Numerics.SpecialFunctions;

namespace Segmenta.Clv;

/// <summary>
/// The Gamma-Gamma model of spend per transaction (Fader, Hardie and Lee 2005; Hardie's 2013 note):
/// a customer's transaction values are gamma(p, ν) around a customer-specific ν drawn from gamma(q, γ).
/// It uses customers with repeat transactions: x of them with mean value m.
/// </summary>
internal static class GammaGamma
{
    public static IReadOnlyList<string> ParameterNames { get; } = ["p", "q", "gamma"];

    /// <summary>ln L of a customer with <paramref name="x"/> repeat transactions of mean <paramref name="m"/> &gt; 0.</summary>
    public static double LogLikelihood(ReadOnlySpan<double> parameters, double x, double m)
    {
        double p = parameters[0], q = parameters[1], g = parameters[2];
        var px = p * x;
        return LogGamma(px + q) - LogGamma(px) - LogGamma(q) + (q * Math.Log(g)) + ((px - 1) * Math.Log(m)) + (px * Math.Log(x)) - ((px + q) * Math.Log(g + (m * x)));
    }

    /// <summary>E[M | x, m]: a weighted mean of the population mean pγ/(q−1) and the customer's own mean (the population mean when x = 0).</summary>
    public static double ConditionalExpectedSpend(ReadOnlySpan<double> parameters, double x, double m)
    {
        double p = parameters[0], q = parameters[1], g = parameters[2];
        return x > 0 ? p * (g + (x * m)) / ((p * x) + q - 1) : p * g / (q - 1);
    }
}
