using System.Globalization;
using Segmenta.Clv;
using Segmenta.Testing;
using Xunit;

namespace Segmenta.Published.Tests;

/// <summary>
/// BG/BB on the donations data of Fader, Hardie and Shang (2010), "Customer-Base Analysis in a Discrete-Time
/// Noncontractual Setting", Marketing Science 29(6): 11,104 first-time supporters of 1995, 6 annual
/// opportunities (1996–2001), as lifetimes' <c>donations.csv</c> (frequency, recency, periods, weights).
/// Published: α = 1.204, β = 0.750, γ = 0.657, δ = 2.783, LL = −33,225.6.
/// </summary>
public sealed class DonationsPublishedTests
{
    private static readonly Lazy<List<(RepeatHistory History, long Donors)>> Cells = new(() =>
        File.ReadLines(TestPaths.DataFile("donations.csv")).Skip(1).Where(l => l.Length > 0).Select(l =>
        {
            var f = l.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            return (new RepeatHistory(f[0], f[1], f[2]), (long)f[3]);
        }).ToList());

    private static readonly Lazy<ModelFit> Fit = new(() =>
        ClvFitter.FitPurchases(PurchaseModelKind.BgBb, Cells.Value.SelectMany(c => Enumerable.Repeat(c.History, (int)c.Donors))));

    [Fact]
    public void BgBb_Donations_ReproducesThePublishedEstimates()
    {
        Assert.Equal(11104, Cells.Value.Sum(c => c.Donors));
        var fit = Fit.Value;
        Assert.True(fit.Converged);
        Assert.Empty(fit.Warnings);
        Assert.Equal(22, fit.DistinctHistories);

        // Published to 3 decimals: held to 0.001 each, the log-likelihood to 0.05.
        Assert.Equal(1.204, fit["alpha"], 0.001);
        Assert.Equal(0.750, fit["beta"], 0.001);
        Assert.Equal(0.657, fit["gamma"], 0.001);
        Assert.Equal(2.783, fit["delta"], 0.001);
        Assert.Equal(-33225.6, fit.LogLikelihood, 0.05);
    }

    [Fact]
    public void BgBb_Likelihood_SumsToOneOverEveryHistoryOfNOpportunities()
    {
        // Over n = 4 opportunities the possible (x, t_x) are (0, 0) and 1 <= x <= t_x <= 4, with C(t_x − 1, x − 1)
        // sequences each: the probabilities of all sequences add up to 1.
        var model = PurchaseModel.Of(PurchaseModelKind.BgBb);
        double[] p = [1.204, 0.750, 0.657, 2.783];
        const int n = 4;
        var total = Math.Exp(model.LogLikelihood(p, 0, 0, n));
        for (var tx = 1; tx <= n; tx++)
        {
            for (var x = 1; x <= tx; x++)
            {
                total += Binomial(tx - 1, x - 1) * Math.Exp(model.LogLikelihood(p, x, tx, n));
            }
        }

        Assert.Equal(1.0, total, 1e-12);
    }

    [Fact]
    public void BgBb_Predictions_AgreeWithTheirDefinitions()
    {
        var model = PurchaseModel.Of(PurchaseModelKind.BgBb);
        var p = Fit.Value.Values;

        // E[X(n)] of a new customer, against a sum over the model's own per-opportunity probabilities:
        // P(transact at opportunity i) = E[p] · E[(1 − θ)^(i−1)] with E[(1 − θ)^k] = B(γ, δ + k)/B(γ, δ).
        double expected = 0;
        for (var i = 1; i <= 5; i++)
        {
            expected += p[0] / (p[0] + p[1]) * Math.Exp(Segmenta.Numerics.SpecialFunctions.LogBeta(p[2], p[3] + i) - Segmenta.Numerics.SpecialFunctions.LogBeta(p[2], p[3]));
        }

        Assert.Equal(expected, model.ExpectedPurchases(p, 5), 1e-10);

        // Someone who gave every year is more likely alive, and expected to give more, than someone who stopped after the first.
        Assert.True(model.ProbabilityAlive(p, 6, 6, 6) > model.ProbabilityAlive(p, 1, 1, 6));
        Assert.True(model.ConditionalExpectedPurchases(p, 5, 6, 6, 6) > 5 * model.ConditionalExpectedPurchases(p, 5, 1, 1, 6));
        Assert.InRange(model.ProbabilityAlive(p, 0, 0, 6), 0, 1);
    }

    private static double Binomial(int n, int k)
    {
        double result = 1;
        for (var i = 1; i <= k; i++)
        {
            result = result * (n - k + i) / i;
        }

        return result;
    }
}
