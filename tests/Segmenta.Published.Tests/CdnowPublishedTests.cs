using System.Globalization;
using Segmenta.Clv;
using Segmenta.Testing;
using Xunit;

namespace Segmenta.Published.Tests;

/// <summary>
/// The CLV models on the published CDNOW calibration summary (2,357 customers, 39 weeks, in weeks,
/// rounded to 2 decimals: lifetimes' <c>cdnow_customers_summary*.csv</c>) against the published
/// estimates. Sources: Fader, Hardie and Lee (2005), "Counting Your Customers the Easy Way" (BG/NBD:
/// r = 0.243, α = 4.414, a = 0.793, b = 2.426, LL = −9582.4) and Hardie's spreadsheet values for
/// E[X(t)] and E[Y(39) | 2, 30.43, 38.86] = 1.226; Fader, Hardie and Lee (2005), "RFM and CLV"
/// (Pareto/NBD: r = 0.553, α = 10.578, s = 0.606, β = 11.669, LL = −9595.0); Hardie (2013), "The
/// Gamma-Gamma Model of Monetary Value" (p = 6.25, q = 3.74, γ = 15.44).
/// </summary>
public sealed class CdnowPublishedTests
{
    private static readonly Lazy<List<(RepeatHistory History, double MeanSpend)>> Customers = new(() =>
        File.ReadLines(TestPaths.DataFile("cdnow_customers_summary_with_transactions.csv")).Skip(1).Where(l => l.Length > 0).Select(l =>
        {
            var f = l.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            return (new RepeatHistory(f[1], f[2], f[3]), f[4]);
        }).ToList());

    private static readonly Lazy<ModelFit> BgNbd = new(() => ClvFitter.FitPurchases(PurchaseModelKind.BgNbd, Customers.Value.Select(c => c.History)));

    private static readonly Lazy<ModelFit> Modified = new(() => ClvFitter.FitPurchases(PurchaseModelKind.MbgNbd, Customers.Value.Select(c => c.History)));

    private static readonly Lazy<ModelFit> Pareto = new(() => ClvFitter.FitPurchases(PurchaseModelKind.ParetoNbd, Customers.Value.Select(c => c.History)));

    [Fact]
    public void BgNbd_Cdnow_ReproducesThePublishedEstimates()
    {
        var fit = BgNbd.Value;
        Assert.Equal(2357, Customers.Value.Count);
        Assert.True(fit.Converged);
        Assert.Empty(fit.Warnings);
        Assert.Equal(0.243, fit["r"], 0.0005);
        Assert.Equal(4.414, fit["alpha"], 0.0005);
        Assert.Equal(0.793, fit["a"], 0.0005);
        Assert.Equal(2.426, fit["b"], 0.0005);
        Assert.Equal(-9582.4, fit.LogLikelihood, 0.05);
        Assert.All(fit.Parameters, p => Assert.True(p.StandardError is > 0 and < 1));
    }

    [Fact]
    public void MbgNbd_Cdnow_ReproducesThePublishedEstimates()
    {
        // BTYDplus's estimates on the same summary (r = 0.525, α = 6.183, a = 0.891, b = 1.614, as lifetimes'
        // test states them to 3 decimals): held to 0.001 (α, the largest, to 0.005).
        var fit = Modified.Value;
        Assert.True(fit.Converged);
        Assert.Empty(fit.Warnings);
        Assert.Equal(0.525, fit["r"], 0.001);
        Assert.Equal(6.183, fit["alpha"], 0.005);
        Assert.Equal(0.891, fit["a"], 0.001);
        Assert.Equal(1.614, fit["b"], 0.001);
        Assert.True(fit.LogLikelihood >= LogLikelihood(PurchaseModelKind.MbgNbd, [0.525, 6.183, 0.891, 1.614]));

        // One-time buyers can be inactive (BG/NBD says 1 for them), and less so the younger they are.
        var model = PurchaseModel.Of(PurchaseModelKind.MbgNbd);
        var p = fit.Values;
        Assert.InRange(model.ProbabilityAlive(p, 0, 0, 38.86), 0.3, 0.9);
        Assert.True(model.ProbabilityAlive(p, 0, 0, 10) > model.ProbabilityAlive(p, 0, 0, 38.86));

        // At the origin the conditional expectation is a new customer's E[X(t)] = b/(a−1)·[1 − (α/(α+t))^r ₂F₁(r, b+1; a+b; t/(α+t))].
        double r = p[0], alpha = p[1], a = p[2], b = p[3];
        var t = 39.0;
        var direct = b / (a - 1) * (1 - (Math.Pow(alpha / (alpha + t), r) * Math.Exp(Segmenta.Numerics.SpecialFunctions.LogHypergeometric2F1(r, b + 1, a + b, t / (alpha + t)))));
        Assert.Equal(direct, model.ExpectedPurchases(p, t), 1e-10);

        // For a repeat buyer the two models agree closely: Hardie's spreadsheet customer (x = 2, t_x = 30.43,
        // T = 38.86, 39 weeks) has 1.226 under BG/NBD; lifetimes holds MBG/NBD to that at 1 decimal (ours: 1.263).
        Assert.Equal(1.226, model.ConditionalExpectedPurchases(p, 39, 2, 30.43, 38.86), 0.05);
        Assert.Equal(-9583.0, fit.LogLikelihood, 1.0);
    }

    [Fact]
    public void ParetoNbd_Cdnow_ReproducesThePublishedEstimates()
    {
        var fit = Pareto.Value;
        Assert.True(fit.Converged);
        Assert.Empty(fit.Warnings);

        // Published to 2 decimals in the paper (0.55, 10.58, 0.61, 11.67); lifetimes' test states 3
        // (0.553, 10.578, 0.606, 11.669). β is the flattest direction of the likelihood (standard error
        // about 6): ours is 0.001 below lifetimes' and its likelihood is higher, so β is held to the paper.
        Assert.Equal(0.553, fit["r"], 0.0005);
        Assert.Equal(10.578, fit["alpha"], 0.0005);
        Assert.Equal(0.606, fit["s"], 0.0005);
        Assert.Equal(11.67, fit["beta"], 0.005);
        Assert.Equal(-9595.0, fit.LogLikelihood, 0.05);
        Assert.True(fit.LogLikelihood >= LogLikelihood(PurchaseModelKind.ParetoNbd, [0.553, 10.578, 0.606, 11.669]));
    }

    [Fact]
    public void BgNbd_HardieSpreadsheet_ConditionalAndUnconditionalExpectations()
    {
        // The spreadsheet computes with unrounded estimates, which ours match to about 4 digits: the
        // values agree to 0.0005 (at the 3-decimal published estimates, E[X(1)] is already 0.00007 off).
        var model = PurchaseModel.Of(PurchaseModelKind.BgNbd);
        double[] published = [0.243, 4.414, 0.793, 2.426];
        var p = BgNbd.Value.Values;
        Assert.Equal(1.226, model.ConditionalExpectedPurchases(published, 39, 2, 30.43, 38.86), 0.0005);
        Assert.Equal(1.226, model.ConditionalExpectedPurchases(p, 39, 2, 30.43, 38.86), 0.0005);
        double[] times = [0.1429, 1.0, 3.00, 31.8571, 32.00, 78.00];
        double[] expected = [0.0078, 0.0532, 0.1506, 1.0405, 1.0437, 1.8576];
        for (var i = 0; i < times.Length; i++)
        {
            Assert.Equal(expected[i], model.ExpectedPurchases(p, times[i]), 0.0005);
        }

        // No repeat purchase: BG/NBD says the customer is alive for certain.
        Assert.Equal(1.0, model.ProbabilityAlive(p, 0, 0, 38.86));
    }

    [Fact]
    public void ParetoNbd_BtydWalkthrough_ConditionalExpectations()
    {
        // BTYD's walkthrough (its estimates 0.553, 10.580, 0.606, 11.656, as printed): customer 1516 and
        // four made-up customers with t_x = 20, T = 39, over 52 weeks. The printed estimates are rounded,
        // so agreement is to about 0.1%.
        double[] p = [0.553, 10.580, 0.606, 11.656];
        var model = PurchaseModel.Of(PurchaseModelKind.ParetoNbd);
        Assert.Equal(0.997874, model.ProbabilityAlive(p, 26, 30.85714, 31), 0.0002);
        Assert.Equal(25.45647, model.ConditionalExpectedPurchases(p, 52, 26, 30.85714, 31), 0.03);
        double[] expected = [0.7062289, 0.1442396, 0.02250658, 0.00309267];
        for (var i = 0; i < 4; i++)
        {
            var actual = model.ConditionalExpectedPurchases(p, 52, 10 + (5 * i), 20, 39);
            Assert.Equal(expected[i], actual, expected[i] * 0.002);
        }
    }

    private static double LogLikelihood(PurchaseModelKind kind, double[] p) =>
        Customers.Value.Sum(c => PurchaseModel.Of(kind).LogLikelihood(p, c.History.X, c.History.Tx, c.History.T));

    [Fact]
    public void GammaGamma_Cdnow_ReproducesThePublishedEstimates()
    {
        var fit = ClvFitter.FitSpend(Customers.Value.Select(c => new RepeatSpend(c.History.X, c.MeanSpend)));
        Assert.Equal(946, fit.Customers);
        Assert.Empty(fit.Warnings);
        Assert.Equal(6.25, fit["p"], 0.005);
        Assert.Equal(3.74, fit["q"], 0.005);

        // Published γ = 15.44; ours is 15.448 (lifetimes prints 15.45). Its standard error is about 4 and
        // the likelihood at ours is higher than at the published values, so the published solver stopped
        // a little short: held to 0.01.
        Assert.Equal(15.44, fit["gamma"], 0.01);
        var published = Customers.Value.Where(c => c.History.X > 0 && c.MeanSpend > 0).Sum(c => GammaGamma.LogLikelihood([6.25, 3.74, 15.44], c.History.X, c.MeanSpend));
        Assert.True(fit.LogLikelihood >= published);

        // lifetimes' documentation: E[M | x, m] for sample customers 1, 2, 3, 6 and 9.
        var rows = Customers.Value;
        double[] expected = [24.658616, 18.911480, 35.171003, 71.462851, 27.282408];
        int[] ids = [1, 2, 3, 6, 9];
        for (var i = 0; i < ids.Length; i++)
        {
            var (history, spend) = rows[ids[i] - 1];
            Assert.Equal(expected[i], GammaGamma.ConditionalExpectedSpend(fit.Values, history.X, spend), 0.01);
        }
    }
}
