using Segmenta.Clv;
using Segmenta.Documents;
using Segmenta.Features;
using Xunit;

namespace Segmenta.Tests.Clv;

/// <summary>
/// The closed-form gradients the fits follow (BG/NBD, MBG/NBD, Gamma-Gamma) against central differences of the
/// likelihoods themselves, and the shortcuts of the predictions (P(alive) once per distinct history, the value ranking)
/// against the plain computation.
/// </summary>
public sealed class ClvGradientTests
{
    public static TheoryData<PurchaseModelKind, double[]> Models => new()
    {
        { PurchaseModelKind.BgNbd, [0.243, 4.414, 0.793, 2.426] },
        { PurchaseModelKind.MbgNbd, [0.525, 6.183, 0.891, 1.614] },
        { PurchaseModelKind.MbgNbd, [3.1, 0.4, 7.5, 0.06] },
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void PurchaseGradient_EqualsTheSlopeOfTheLikelihood(PurchaseModelKind kind, double[] p)
    {
        // Histories with and without repeat purchases (BG/NBD's "no flip yet" term is absent for x = 0), weighted.
        var random = new Random(5);
        var histories = Enumerable.Range(0, 3000).Select(_ =>
        {
            var t = random.Next(1, 80) / 7.0;
            var x = random.Next(0, 4) == 0 ? 0 : random.Next(1, 25);
            return new RepeatHistory(x, x == 0 ? 0 : Math.Round(random.NextDouble() * t, 3), t);
        }).Distinct().ToArray();
        var table = new HistoryTable(histories, histories.Select(_ => (double)random.Next(1, 9)).ToArray());
        var model = PurchaseModel.Of(kind);

        var gradient = model.TotalGradient(p, table)!;
        Assert.Equal(4, gradient.Length);
        for (var i = 0; i < p.Length; i++)
        {
            Assert.Equal(Slope(q => model.TotalLogLikelihood(q, table), p, i), gradient[i], 1e-6 * Math.Max(1, Math.Abs(gradient[i])));
        }
    }

    [Fact]
    public void ParetoNbd_HasNoClosedFormGradient_SoTheFitDifferentiatesNumerically() =>
        Assert.Null(PurchaseModel.Of(PurchaseModelKind.ParetoNbd).TotalGradient([0.553, 10.578, 0.606, 11.669], new HistoryTable([new RepeatHistory(1, 1, 2)], [1])));

    [Fact]
    public void SpendGradient_EqualsTheSlopeOfTheLikelihood()
    {
        var random = new Random(8);
        var rows = Enumerable.Range(0, 2000).Select(_ => new RepeatSpend(random.Next(1, 30), Math.Round(5 + (random.NextDouble() * 200), 2))).Distinct().ToArray();
        var table = new SpendTable(rows, rows.Select(_ => (double)random.Next(1, 5)).ToArray());
        foreach (var p in new[] { new[] { 6.25, 3.74, 15.44 }, [0.8, 1.3, 240.0] })
        {
            var gradient = GammaGamma.TotalGradient(p, table);
            for (var i = 0; i < p.Length; i++)
            {
                Assert.Equal(Slope(q => GammaGamma.TotalLogLikelihood(q, table), p, i), gradient[i], 1e-6 * Math.Max(1, Math.Abs(gradient[i])));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void ProbabilitiesAlive_AreEachCustomersOwn(PurchaseModelKind kind, double[] p)
    {
        var random = new Random(3);
        var histories = Enumerable.Range(0, 5000).Select(_ => new RepeatHistory(random.Next(0, 5), random.Next(0, 3), random.Next(3, 6))).ToArray();
        var model = PurchaseModel.Of(kind);
        var alive = model.ProbabilitiesAlive(p, histories);
        Assert.Equal(histories.Select(h => model.ProbabilityAlive(p, h.X, h.Tx, h.T)), alive);
    }

    [Fact]
    public void Ranked_IsByValueThenExpectedPurchasesThenId()
    {
        // Few distinct values and purchases, so most customers tie on both and the id decides; a value of −0 ties with 0.
        var random = new Random(2);
        var customers = Enumerable.Range(0, 4000)
            .Select(i => new ClvPrediction(
                $"c{random.Next(1_000_000):D7}-{i}",
                new RepeatHistory(0, 0, 1),
                0.5,
                random.Next(0, 3) / 2.0,
                null,
                random.Next(0, 6) switch { 0 => null, 1 => -0.0, 2 => 0, _ => random.Next(0, 4) * 12.5 }))
            .ToList();
        var model = new ClvModel(0, PurchaseModelKind.MbgNbd, SummaryUnit.Weeks, new DateOnly(2024, 12, 31), Fit([1, 1, 1, 1]), null, null);
        var predictions = new ClvPredictions(model, new DateOnly(2024, 12, 31), new ClvValueOptions(), customers);

        var expected = customers
            .OrderByDescending(r => r.Value ?? 0)
            .ThenByDescending(r => r.ExpectedPurchases)
            .ThenBy(r => r.CustomerId, StringComparer.Ordinal)
            .Select(r => r.CustomerId);
        Assert.Equal(expected, AnalysisDocuments.Ranked(predictions).Select(r => r.CustomerId));
    }

    private static double Slope(Func<double[], double> f, double[] p, int i)
    {
        var h = 1e-6 * p[i];
        var up = (double[])p.Clone();
        var down = (double[])p.Clone();
        up[i] += h;
        down[i] -= h;
        return (f(up) - f(down)) / (2 * h);
    }

    private static ModelFit Fit(double[] values) =>
        new("mbgnbd", values.Select((v, i) => new ParameterEstimate($"p{i}", v, null)).ToList(), 0, 1, 1, 0, 0, true, []);
}
