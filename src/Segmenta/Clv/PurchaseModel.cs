using static Segmenta.Numerics.SpecialFunctions;

namespace Segmenta.Clv;

/// <summary>The model of the purchase process.</summary>
public enum PurchaseModelKind
{
    /// <summary>BG/NBD (Fader, Hardie and Lee 2005): a customer may drop out right after each purchase.</summary>
    BgNbd,

    /// <summary>Pareto/NBD (Schmittlein, Morrison and Colombo 1987): a customer may drop out at any time.</summary>
    ParetoNbd,
}

/// <summary>
/// A buy-till-you-die model of repeat purchasing: its per-customer log-likelihood and the conditional
/// quantities a fit predicts, all functions of the customer's (x, t_x, T). Parameters are in the order
/// of <see cref="ParameterNames"/>; times are in the unit of the summary the model was fitted to.
/// </summary>
internal abstract class PurchaseModel
{
    /// <summary>The model of a kind.</summary>
    public static PurchaseModel Of(PurchaseModelKind kind) => kind switch
    {
        PurchaseModelKind.BgNbd => BgNbd.Instance,
        _ => ParetoNbd.Instance,
    };

    public abstract PurchaseModelKind Kind { get; }

    public abstract IReadOnlyList<string> ParameterNames { get; }

    /// <summary>ln L of one customer.</summary>
    public abstract double LogLikelihood(ReadOnlySpan<double> p, double x, double tx, double t);

    /// <summary>Σ weight · ln L over the table's histories.</summary>
    public virtual double TotalLogLikelihood(double[] p, HistoryTable table) =>
        table.Sum(i => table.Weights[i] * LogLikelihood(p, table.Histories[i].X, table.Histories[i].Tx, table.Histories[i].T));

    /// <summary>P(alive at T | x, t_x, T).</summary>
    public abstract double ProbabilityAlive(ReadOnlySpan<double> p, double x, double tx, double t);

    /// <summary>E[Y(horizon) | x, t_x, T]: expected purchases in (T, T + horizon].</summary>
    public abstract double ConditionalExpectedPurchases(ReadOnlySpan<double> p, double horizon, double x, double tx, double t);

    /// <summary>E[X(t)]: expected purchases of a new customer in (0, t].</summary>
    public abstract double ExpectedPurchases(ReadOnlySpan<double> p, double t);

    /// <summary>BG/NBD, with the formulas of Fader, Hardie and Lee (2005) and Hardie's notes, in logs.</summary>
    private sealed class BgNbd : PurchaseModel
    {
        public static readonly BgNbd Instance = new();

        public override PurchaseModelKind Kind => PurchaseModelKind.BgNbd;

        public override IReadOnlyList<string> ParameterNames { get; } = ["r", "alpha", "a", "b"];

        public override double LogLikelihood(ReadOnlySpan<double> p, double x, double tx, double t)
        {
            double r = p[0], alpha = p[1], a = p[2], b = p[3];
            var a1 = LogGamma(r + x) - LogGamma(r) + (r * Math.Log(alpha));
            var a2 = LogGamma(a + b) + LogGamma(b + x) - LogGamma(b) - LogGamma(a + b + x);
            var a3 = -(r + x) * Math.Log(alpha + t);
            var a4 = x > 0 ? Math.Log(a) - Math.Log(b + x - 1) - ((r + x) * Math.Log(alpha + tx)) : double.NegativeInfinity;
            return a1 + a2 + LogAddExp(a3, a4);
        }

        /// <summary>
        /// The same sum with everything that depends on x alone (the log-gamma terms), on T alone or on t_x
        /// alone (the logarithms) computed once per distinct value: one exponential and one logarithm per history.
        /// </summary>
        public override double TotalLogLikelihood(double[] p, HistoryTable table)
        {
            double r = p[0], alpha = p[1], a = p[2], b = p[3];
            var constant = (r * Math.Log(alpha)) - LogGamma(r) + LogGamma(a + b) - LogGamma(b);
            var byX = new double[table.Xs.Length];
            var deadByX = new double[table.Xs.Length];
            for (var i = 0; i < byX.Length; i++)
            {
                var x = table.Xs[i];
                byX[i] = constant + LogGamma(r + x) + LogGamma(b + x) - LogGamma(a + b + x);
                deadByX[i] = x > 0 ? Math.Log(a) - Math.Log(b + x - 1) : double.NegativeInfinity;
            }

            var logT = table.Ts.Select(t => Math.Log(alpha + t)).ToArray();
            var logTx = table.Txs.Select(t => Math.Log(alpha + t)).ToArray();
            return table.Sum(i =>
            {
                var xi = table.XIndex[i];
                var rx = r + table.Xs[xi];
                return table.Weights[i] * (byX[xi] + LogAddExp(-rx * logT[table.TIndex[i]], deadByX[xi] - (rx * logTx[table.TxIndex[i]])));
            });
        }

        /// <summary>ln of the odds term δ(x&gt;0)·a/(b+x−1)·((α+T)/(α+t_x))^(r+x); −∞ without repeat purchases.</summary>
        private static double LogDeadOdds(ReadOnlySpan<double> p, double x, double tx, double t) =>
            x > 0 ? Math.Log(p[2]) - Math.Log(p[3] + x - 1) + ((p[0] + x) * (Math.Log(p[1] + t) - Math.Log(p[1] + tx))) : double.NegativeInfinity;

        public override double ProbabilityAlive(ReadOnlySpan<double> p, double x, double tx, double t) =>
            1 / (1 + Math.Exp(LogDeadOdds(p, x, tx, t)));

        public override double ConditionalExpectedPurchases(ReadOnlySpan<double> p, double horizon, double x, double tx, double t)
        {
            if (horizon <= 0)
            {
                return 0;
            }

            double r = p[0], alpha = p[1], a = p[2], b = p[3];
            var z = horizon / (alpha + t + horizon);
            var logTail = ((r + x) * Math.Log((alpha + t) / (alpha + t + horizon))) + LogHypergeometric2F1(r + x, b + x, a + b + x - 1, z);
            var numerator = (a + b + x - 1) / (a - 1) * -ExpM1(logTail);
            return numerator / (1 + Math.Exp(LogDeadOdds(p, x, tx, t)));
        }

        public override double ExpectedPurchases(ReadOnlySpan<double> p, double t)
        {
            if (t <= 0)
            {
                return 0;
            }

            double r = p[0], alpha = p[1], a = p[2], b = p[3];
            var logTail = (r * Math.Log(alpha / (alpha + t))) + LogHypergeometric2F1(r, b, a + b - 1, t / (alpha + t));
            return (a + b - 1) / (a - 1) * -ExpM1(logTail);
        }
    }

    /// <summary>Pareto/NBD, with the likelihood of Fader and Hardie's 2005 derivation note, in logs.</summary>
    private sealed class ParetoNbd : PurchaseModel
    {
        public static readonly ParetoNbd Instance = new();

        public override PurchaseModelKind Kind => PurchaseModelKind.ParetoNbd;

        public override IReadOnlyList<string> ParameterNames { get; } = ["r", "alpha", "s", "beta"];

        /// <summary>
        /// ln of s · ∫ from t_x to T of (α + τ)^−(r+x) (β + τ)^−(s+1) dτ: the weight of "dropped out between the
        /// last purchase and T", the s/(r+s+x)·A₀ of Fader and Hardie's note without its ₂F₁ terms (which need
        /// millions of series terms when α and β are far apart and cancel when t_x nears T), by quadrature.
        /// </summary>
        private static double LogDied(ReadOnlySpan<double> p, double x, double tx, double t) =>
            Math.Log(p[2]) + LogPowerProductIntegral(p[1], p[0] + x, p[3], p[2] + 1, tx, t);

        public override double LogLikelihood(ReadOnlySpan<double> p, double x, double tx, double t)
        {
            double r = p[0], alpha = p[1], s = p[2], beta = p[3];
            var a1 = LogGamma(r + x) - LogGamma(r) + (r * Math.Log(alpha)) + (s * Math.Log(beta));
            var alive = (-(r + x) * Math.Log(alpha + t)) - (s * Math.Log(beta + t));
            var died = LogDied(p, x, tx, t);
            return a1 + LogAddExp(alive, died);
        }

        public override double ProbabilityAlive(ReadOnlySpan<double> p, double x, double tx, double t)
        {
            double r = p[0], alpha = p[1], s = p[2], beta = p[3];
            var logOdds = ((r + x) * Math.Log(alpha + t)) + (s * Math.Log(beta + t)) + LogDied(p, x, tx, t);
            return 1 / (1 + Math.Exp(logOdds));
        }

        public override double ConditionalExpectedPurchases(ReadOnlySpan<double> p, double horizon, double x, double tx, double t)
        {
            if (horizon <= 0)
            {
                return 0;
            }

            double r = p[0], alpha = p[1], s = p[2], beta = p[3];
            var rate = (r + x) * (beta + t) / (alpha + t);
            return rate * Survival(s, beta + t, horizon) * ProbabilityAlive(p, x, tx, t);
        }

        public override double ExpectedPurchases(ReadOnlySpan<double> p, double t) =>
            t <= 0 ? 0 : p[0] * p[3] / p[1] * Survival(p[2], p[3], t);

        /// <summary>[1 − (β/(β+t))^(s−1)] / (s − 1), and its limit ln((β+t)/β) at s = 1.</summary>
        private static double Survival(double s, double beta, double t)
        {
            var log = Math.Log((beta + t) / beta);
            return Math.Abs(s - 1) < 1e-10 ? log : -ExpM1(-(s - 1) * log) / (s - 1);
        }
    }
}
