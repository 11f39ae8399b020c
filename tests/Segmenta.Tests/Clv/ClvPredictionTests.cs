using Segmenta.Clv;
using Segmenta.Features;
using Xunit;
using static Segmenta.Numerics.SpecialFunctions;

namespace Segmenta.Tests.Clv;

/// <summary>
/// Predictions for many customers (<see cref="ClvAnalysis.Predict"/>) share the costly part of each expectation among
/// customers with the same x and T; here every customer's figures are recomputed one by one from each model's published
/// formula for E[Y(t) | x, t_x, T], written out in full (the likelihood and P(alive) in it, not factored out).
/// </summary>
public sealed class ClvPredictionTests
{
    private static readonly DateOnly End = new(2024, 12, 31);

    // Parameters in each model's order: the published CDNOW fits (BG/NBD, Pareto/NBD), a CDNOW-like MBG/NBD and the
    // published donations fit (BG/BB, in opportunities).
    public static TheoryData<PurchaseModelKind, double[]> Models => new()
    {
        { PurchaseModelKind.BgNbd, [0.243, 4.414, 0.793, 2.426] },
        { PurchaseModelKind.MbgNbd, [0.525, 6.183, 0.891, 1.614] },
        { PurchaseModelKind.ParetoNbd, [0.553, 10.578, 0.606, 11.669] },
        { PurchaseModelKind.BgBb, [1.204, 0.750, 0.657, 2.783] },
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void Predict_ManyCustomers_EqualsEachCustomersOwnExpectationMonthByMonth(PurchaseModelKind kind, double[] p)
    {
        // 600 customers over a few (x, T) pairs, with different t_x: P(alive) differs within a pair, the rest is shared.
        var random = new Random(11);
        var customers = new List<ClvCustomer>();
        for (var i = 0; i < 600; i++)
        {
            var discrete = kind == PurchaseModelKind.BgBb;
            var t = discrete ? random.Next(1, 7) : random.Next(1, 6) * 7.5;
            var x = random.Next(0, discrete ? (int)t + 1 : 6);
            var tx = x == 0 ? 0 : discrete ? random.Next(x, (int)t + 1) : Math.Round(random.NextDouble() * t, 1);
            customers.Add(new ClvCustomer($"c{i:D3}", new RepeatHistory(x, tx, t), x == 0 ? null : 10 + random.Next(90), 0, 0));
        }

        var gammaGamma = new[] { 6.25, 3.74, 15.44 };
        var model = new ClvModel(0, kind, SummaryUnit.Weeks, End, Fit(ClvFitter.ModelName(kind), p), Fit("gamma-gamma", gammaGamma), null);
        var options = new ClvValueOptions(HorizonDays: 200, AnnualDiscount: 0.1, Margin: 0.3);
        var predictions = ClvAnalysis.Predict(model, customers, End, options);

        Assert.Equal(customers.Select(c => c.CustomerId), predictions.Customers.Select(c => c.CustomerId));
        var ends = new[] { 1, 2, 3, 4, 5, 6 }.Select(m => m * ClvValueOptions.DaysPerMonth).Append(200).ToArray();
        foreach (var (c, predicted) in customers.Zip(predictions.Customers))
        {
            var (x, tx, t) = (c.History.X, c.History.Tx, c.History.T);
            double value = 0, previous = 0;
            foreach (var end in ends)
            {
                var cumulative = Expected(kind, p, end / 7, x, tx, t);
                value += (cumulative - previous) * Math.Pow(1.1, -end / ClvValueOptions.DaysPerYear);
                previous = cumulative;
            }

            var spend = GammaGamma.ConditionalExpectedSpend(gammaGamma, c.MeanSpend is null ? 0 : x, c.MeanSpend ?? 0);
            Assert.Equal(previous, predicted.ExpectedPurchases, 1e-12 + (1e-9 * previous));
            Assert.Equal(0.3 * spend * value, predicted.Value!.Value, 1e-12 + (1e-9 * value * spend));
            Assert.Equal(spend, predicted.ExpectedSpend!.Value, 1e-12);
            Assert.InRange(predicted.ProbabilityAlive, 0, 1);
        }
    }

    /// <summary>E[Y(h) | x, t_x, T] as each model's paper writes it.</summary>
    private static double Expected(PurchaseModelKind kind, double[] p, double h, double x, double tx, double t)
    {
        switch (kind)
        {
            case PurchaseModelKind.BgNbd or PurchaseModelKind.MbgNbd:
            {
                // Fader, Hardie and Lee (2005), eq. 10; Batislam et al. (2007) for MBG/NBD (b + x + 1 and the dropout after the first purchase).
                double r = p[0], alpha = p[1], a = p[2], b = p[3];
                var k = kind == PurchaseModelKind.MbgNbd ? 1 : 0;
                var hyper = Math.Exp(LogHypergeometric2F1(r + x, b + x + k, a + b + x + k - 1, h / (alpha + t + h)));
                var numerator = (a + b + x + k - 1) / (a - 1) * (1 - (Math.Pow((alpha + t) / (alpha + t + h), r + x) * hyper));
                var dead = x > 0 || k == 1 ? a / (b + x + k - 1) * Math.Pow((alpha + t) / (alpha + tx), r + x) : 0;
                return numerator / (1 + dead);
            }

            case PurchaseModelKind.ParetoNbd:
            {
                // Schmittlein, Morrison and Colombo (1987): (r+x)(β+T)/((α+T)(s−1)) · [1 − ((β+T)/(β+T+h))^(s−1)] · P(alive).
                double r = p[0], alpha = p[1], s = p[2], beta = p[3];
                var model = PurchaseModel.Of(kind);
                return (r + x) * (beta + t) / ((alpha + t) * (s - 1)) * (1 - Math.Pow((beta + t) / (beta + t + h), s - 1)) * model.ProbabilityAlive(p, x, tx, t);
            }

            default:
            {
                // Fader, Hardie and Shang (2010), eq. 13, with the likelihood L of the history (eq. 5) in the denominator.
                double al = p[0], be = p[1], ga = p[2], de = p[3];
                var likelihood = Math.Exp(LogBeta(al + x, be + t - x) - LogBeta(al, be) + LogBeta(ga, de + t) - LogBeta(ga, de));
                for (var i = 0; i <= t - tx - 1; i++)
                {
                    likelihood += Math.Exp(LogBeta(al + x, be + tx - x + i) - LogBeta(al, be) + LogBeta(ga + 1, de + tx + i) - LogBeta(ga, de));
                }

                var front = Math.Exp(LogBeta(al + x + 1, be + t - x) - LogBeta(al, be) + LogGamma(ga + de) - LogGamma(1 + de));
                var retention = Math.Exp(LogGamma(1 + de + t) - LogGamma(ga + de + t)) - Math.Exp(LogGamma(1 + de + t + h) - LogGamma(ga + de + t + h));
                return front * de / (ga - 1) * retention / likelihood;
            }
        }
    }

    private static ModelFit Fit(string name, double[] values) =>
        new(name, values.Select((v, i) => new ParameterEstimate($"p{i}", v, null)).ToList(), 0, 1, 1, 0, 0, true, []);
}
