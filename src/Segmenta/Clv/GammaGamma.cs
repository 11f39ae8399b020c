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

    /// <summary>Σ weight · ln L with the log-gamma terms computed once per distinct x.</summary>
    public static double TotalLogLikelihood(double[] parameters, SpendTable table)
    {
        double p = parameters[0], q = parameters[1], g = parameters[2];
        var constant = (q * Math.Log(g)) - LogGamma(q);
        var byX = table.Xs.Select(x => LogGamma((p * x) + q) - LogGamma(p * x) + (p * x * Math.Log(x)) + constant).ToArray();
        return table.Sum(i =>
        {
            var xi = table.XIndex[i];
            var px = p * table.Xs[xi];
            var m = table.Rows[i].MeanSpend;
            return table.Weights[i] * (byX[xi] + ((px - 1) * table.LogSpend[i]) - ((px + q) * Math.Log(g + (m * table.Xs[xi]))));
        });
    }

    /// <summary>
    /// ∂/∂(p, q, γ) of <see cref="TotalLogLikelihood"/>: per customer x[ψ(px+q) − ψ(px) + ln x + ln m − ln(γ+mx)],
    /// ψ(px+q) − ψ(q) + ln γ − ln(γ+mx) and q/γ − (px+q)/(γ+mx), the digamma terms once per distinct x.
    /// </summary>
    public static double[] TotalGradient(double[] parameters, SpendTable table)
    {
        double p = parameters[0], q = parameters[1], g = parameters[2];
        var psiQ = Digamma(q);
        var logG = Math.Log(g);
        var dpByX = new double[table.Xs.Length];
        var psiByX = new double[table.Xs.Length];
        for (var i = 0; i < dpByX.Length; i++)
        {
            var x = table.Xs[i];
            psiByX[i] = Digamma((p * x) + q);
            dpByX[i] = x * (psiByX[i] - Digamma(p * x) + Math.Log(x));
        }

        return table.Sum(3, (i, sums) =>
        {
            var xi = table.XIndex[i];
            var x = table.Xs[xi];
            var w = table.Weights[i];
            var spent = g + (table.Rows[i].MeanSpend * x);
            var logSpent = Math.Log(spent);
            sums[0] += w * (dpByX[xi] + (x * (table.LogSpend[i] - logSpent)));
            sums[1] += w * (psiByX[xi] - psiQ + logG - logSpent);
            sums[2] += w * ((q / g) - (((p * x) + q) / spent));
        });
    }

    /// <summary>E[M | x, m]: a weighted mean of the population mean pγ/(q−1) and the customer's own mean (the population mean when x = 0).</summary>
    public static double ConditionalExpectedSpend(ReadOnlySpan<double> parameters, double x, double m)
    {
        double p = parameters[0], q = parameters[1], g = parameters[2];
        return x > 0 ? p * (g + (x * m)) / ((p * x) + q - 1) : p * g / (q - 1);
    }
}

/// <summary>Distinct (x, m) pairs with their weights, x indexed into its distinct values, ln m precomputed.</summary>
internal sealed class SpendTable
{
    public SpendTable(RepeatSpend[] rows, double[] weights)
    {
        Rows = rows;
        Weights = weights;
        (Xs, XIndex) = HistoryTable.Index(rows.Select(r => r.X));
        LogSpend = rows.Select(r => Math.Log(r.MeanSpend)).ToArray();
    }

    public RepeatSpend[] Rows { get; }

    public double[] Weights { get; }

    public double[] Xs { get; }

    public int[] XIndex { get; }

    public double[] LogSpend { get; }

    public int Count => Rows.Length;

    public SpendTable Subsample(int stride) => new(Rows.Where((_, i) => i % stride == 0).ToArray(), Weights.Where((_, i) => i % stride == 0).ToArray());

    /// <summary>Σ <paramref name="term"/>(i) over the rows, the same on any number of threads.</summary>
    public double Sum(Func<int, double> term) => Numerics.OrderedSum.Of(Count, term);

    /// <summary>Σ over the rows of the terms <paramref name="add"/> adds into <paramref name="dimensions"/> sums, the same on any number of threads.</summary>
    public double[] Sum(int dimensions, Action<int, double[]> add) => Numerics.OrderedSum.Of(Count, dimensions, add);
}
