using static Segmenta.Numerics.SpecialFunctions;

namespace Segmenta.Clv;

/// <summary>The model of the purchase process.</summary>
public enum PurchaseModelKind
{
    /// <summary>BG/NBD (Fader, Hardie and Lee 2005): a customer may drop out right after each purchase.</summary>
    BgNbd,

    /// <summary>Pareto/NBD (Schmittlein, Morrison and Colombo 1987): a customer may drop out at any time.</summary>
    ParetoNbd,

    /// <summary>MBG/NBD (Batislam, Denizel and Filiztekin 2007): as BG/NBD, but a customer may also drop out right after the first purchase, so one-time buyers can be inactive.</summary>
    MbgNbd,

    /// <summary>
    /// BG/BB (Fader, Hardie and Shang 2010): the discrete-time model for opportunities-based data (donations each
    /// year, a subscription's renewal dates): x transactions in n opportunities, the last at opportunity t_x.
    /// </summary>
    BgBb,
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
        PurchaseModelKind.BgNbd => BetaGeometric.Standard,
        PurchaseModelKind.MbgNbd => BetaGeometric.Modified,
        PurchaseModelKind.BgBb => BetaGeometricBetaBinomial.Instance,
        _ => ParetoNbd.Instance,
    };

    public abstract PurchaseModelKind Kind { get; }

    public abstract IReadOnlyList<string> ParameterNames { get; }

    /// <summary>ln L of one customer.</summary>
    public abstract double LogLikelihood(ReadOnlySpan<double> p, double x, double tx, double t);

    /// <summary>Σ weight · ln L over the table's histories.</summary>
    public virtual double TotalLogLikelihood(double[] p, HistoryTable table) =>
        table.Sum(i => table.Weights[i] * LogLikelihood(p, table.Histories[i].X, table.Histories[i].Tx, table.Histories[i].T));

    /// <summary>The gradient of <see cref="TotalLogLikelihood"/> in the parameters, or null where the model has none in closed form (the fit then differentiates numerically).</summary>
    public virtual double[]? TotalGradient(double[] p, HistoryTable table) => null;

    /// <summary>P(alive at T | x, t_x, T).</summary>
    public abstract double ProbabilityAlive(ReadOnlySpan<double> p, double x, double tx, double t);

    /// <summary>
    /// E[Y(horizon) | x, t_x, T]: expected purchases in (T, T + horizon] — P(alive) times the purchases expected of a
    /// customer known to be alive, which depend on x and T alone: t_x only tells whether the customer is still there.
    /// </summary>
    public double ConditionalExpectedPurchases(ReadOnlySpan<double> p, double horizon, double x, double tx, double t) =>
        horizon <= 0 ? 0 : ProbabilityAlive(p, x, tx, t) * ExpectedPurchasesIfAlive(p, horizon, x, t);

    /// <summary>
    /// <see cref="ConditionalExpectedPurchases(ReadOnlySpan{double}, double, double, double, double)"/> of each of
    /// <paramref name="histories"/> (distinct ones: see <see cref="HistoryGroups"/>), the costly part computed once per
    /// distinct (x, T).
    /// </summary>
    public double[] ConditionalExpectedPurchases(double[] p, double horizon, IReadOnlyList<RepeatHistory> histories)
    {
        ArgumentNullException.ThrowIfNull(histories);
        var ifAlive = new Dictionary<(double, double), double>();
        var expected = new double[histories.Count];
        for (var i = 0; i < expected.Length; i++)
        {
            var h = histories[i];
            if (!ifAlive.TryGetValue((h.X, h.T), out var e))
            {
                e = ExpectedPurchasesIfAlive(p, horizon, h.X, h.T);
                ifAlive[(h.X, h.T)] = e;
            }

            expected[i] = horizon <= 0 ? 0 : ProbabilityAlive(p, h.X, h.Tx, h.T) * e;
        }

        return expected;
    }

    /// <summary>P(alive) of each of <paramref name="histories"/> (distinct ones: see <see cref="HistoryGroups"/>), in parallel.</summary>
    public double[] ProbabilitiesAlive(double[] p, IReadOnlyList<RepeatHistory> histories)
    {
        ArgumentNullException.ThrowIfNull(histories);
        var alive = new double[histories.Count];
        Parallel.For(0, alive.Length, i => alive[i] = ProbabilityAlive(p, histories[i].X, histories[i].Tx, histories[i].T));
        return alive;
    }

    /// <summary>
    /// E[Y(horizon) | alive at T, x, T]: what <see cref="ConditionalExpectedPurchases(ReadOnlySpan{double}, double, double, double, double)"/> is for a customer still active, the
    /// same for every t_x; a prediction for many customers computes it once per distinct (x, T).
    /// </summary>
    public abstract double ExpectedPurchasesIfAlive(ReadOnlySpan<double> p, double horizon, double x, double t);

    /// <summary>E[X(t)]: expected purchases of a new customer in (0, t].</summary>
    public abstract double ExpectedPurchases(ReadOnlySpan<double> p, double t);

    /// <summary>
    /// BG/NBD (Fader, Hardie and Lee 2005, and Hardie's notes) and, with <c>modified</c>, MBG/NBD (Batislam,
    /// Denizel and Filiztekin 2007): the same model but for one coin flip. BG/NBD lets a customer drop out only
    /// right after a repeat purchase, so a customer who never came back is alive for certain; MBG/NBD flips the
    /// coin after the first purchase too (x + 1 flips), so one-time buyers can be gone. In logs; the formulas
    /// are BG/NBD's with x + 1 in place of x wherever a flip is counted (k = 1 below).
    /// </summary>
    private sealed class BetaGeometric(bool modified) : PurchaseModel
    {
        public static readonly BetaGeometric Standard = new(false);

        public static readonly BetaGeometric Modified = new(true);

        /// <summary>Extra dropout opportunities: 1 for MBG/NBD's flip after the first purchase.</summary>
        private readonly int k = modified ? 1 : 0;

        public override PurchaseModelKind Kind => modified ? PurchaseModelKind.MbgNbd : PurchaseModelKind.BgNbd;

        public override IReadOnlyList<string> ParameterNames { get; } = ["r", "alpha", "a", "b"];

        public override double LogLikelihood(ReadOnlySpan<double> p, double x, double tx, double t)
        {
            double r = p[0], alpha = p[1], a = p[2], b = p[3];
            var a1 = LogGamma(r + x) - LogGamma(r) + (r * Math.Log(alpha));
            var a2 = LogGamma(a + b) + LogGamma(b + x + k) - LogGamma(b) - LogGamma(a + b + x + k);
            var a3 = -(r + x) * Math.Log(alpha + t);
            var a4 = LogDeadWeight(a, b, x) - ((r + x) * Math.Log(alpha + tx));
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
                byX[i] = constant + LogGamma(r + x) + LogGamma(b + x + k) - LogGamma(a + b + x + k);
                deadByX[i] = LogDeadWeight(a, b, x);
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

        /// <summary>
        /// The gradient of <see cref="TotalLogLikelihood"/> in (r, α, a, b). Each history's ln L is c + g(x) + ln(eᵘ + eᵛ) with
        /// u = −(r+x) ln(α+T) and v = ln a − ln(b+x+k−1) − (r+x) ln(α+t_x); ∂ln(eᵘ + eᵛ) = σ ∂u + (1 − σ) ∂v with σ = 1/(1 + eᵛ⁻ᵘ),
        /// and the digamma terms of c and g(x) once per distinct x.
        /// </summary>
        public override double[] TotalGradient(double[] p, HistoryTable table)
        {
            double r = p[0], alpha = p[1], a = p[2], b = p[3];
            var psiAb = Digamma(a + b);
            var weights = 0.0;
            foreach (var w in table.Weights)
            {
                weights += w;
            }

            var nx = table.Xs.Length;
            var dr = new double[nx];
            var da = new double[nx];
            var db = new double[nx];
            var dead = new double[nx];
            var deadA = new double[nx];
            var deadB = new double[nx];
            for (var i = 0; i < nx; i++)
            {
                var x = table.Xs[i];
                var psiTail = Digamma(a + b + x + k);
                dr[i] = Digamma(r + x);
                da[i] = -psiTail;
                db[i] = Digamma(b + x + k) - psiTail;
                dead[i] = LogDeadWeight(a, b, x);
                if (!double.IsNegativeInfinity(dead[i]))
                {
                    deadA[i] = 1 / a;
                    deadB[i] = -1 / (b + x + k - 1);
                }
            }

            var logT = table.Ts.Select(t => Math.Log(alpha + t)).ToArray();
            var logTx = table.Txs.Select(t => Math.Log(alpha + t)).ToArray();
            var invT = table.Ts.Select(t => 1 / (alpha + t)).ToArray();
            var invTx = table.Txs.Select(t => 1 / (alpha + t)).ToArray();
            var sums = table.Sum(4, (i, s) =>
            {
                var xi = table.XIndex[i];
                var rx = r + table.Xs[xi];
                var (ti, txi) = (table.TIndex[i], table.TxIndex[i]);
                var u = -rx * logT[ti];
                var v = dead[xi] - (rx * logTx[txi]);
                var sigma = double.IsNegativeInfinity(v) ? 1 : 1 / (1 + Math.Exp(v - u));
                var rest = 1 - sigma;
                var w = table.Weights[i];
                s[0] += w * (dr[xi] - (sigma * logT[ti]) - (rest * logTx[txi]));
                s[1] += w * -rx * ((sigma * invT[ti]) + (rest * invTx[txi]));
                s[2] += w * (da[xi] + (rest * deadA[xi]));
                s[3] += w * (db[xi] + (rest * deadB[xi]));
            });
            return
            [
                sums[0] + (weights * (Math.Log(alpha) - Digamma(r))),
                sums[1] + (weights * r / alpha),
                sums[2] + (weights * psiAb),
                sums[3] + (weights * (psiAb - Digamma(b))),
            ];
        }

        /// <summary>ln a/(b+x+k−1): the weight of "dropped out at the last flip"; −∞ for BG/NBD without repeat purchases (no flip yet).</summary>
        private double LogDeadWeight(double a, double b, double x) =>
            x > 0 || modified ? Math.Log(a) - Math.Log(b + x + k - 1) : double.NegativeInfinity;

        /// <summary>ln of the odds of having dropped out: a/(b+x+k−1)·((α+T)/(α+t_x))^(r+x).</summary>
        private double LogDeadOdds(ReadOnlySpan<double> p, double x, double tx, double t) =>
            LogDeadWeight(p[2], p[3], x) + ((p[0] + x) * (Math.Log(p[1] + t) - Math.Log(p[1] + tx)));

        public override double ProbabilityAlive(ReadOnlySpan<double> p, double x, double tx, double t) =>
            1 / (1 + Math.Exp(LogDeadOdds(p, x, tx, t)));

        /// <summary>(a+b+x+k−1)/(a−1) · [1 − ((α+T)/(α+T+h))^(r+x) · ₂F₁(r+x, b+x+k; a+b+x+k−1; h/(α+T+h))].</summary>
        public override double ExpectedPurchasesIfAlive(ReadOnlySpan<double> p, double horizon, double x, double t)
        {
            if (horizon <= 0)
            {
                return 0;
            }

            double r = p[0], alpha = p[1], a = p[2], b = p[3];
            var z = horizon / (alpha + t + horizon);
            var logTail = ((r + x) * Math.Log((alpha + t) / (alpha + t + horizon))) + LogHypergeometric2F1(r + x, b + x + k, a + b + x + k - 1, z);
            return (a + b + x + k - 1) / (a - 1) * -ExpM1(logTail);
        }

        /// <summary>The conditional expectation of a customer with no history (x = t_x = T = 0).</summary>
        public override double ExpectedPurchases(ReadOnlySpan<double> p, double t) => ConditionalExpectedPurchases(p, t, 0, 0, 0);
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

        /// <summary>(r+x)(β+T)/(α+T) · the expected share of the horizon still alive.</summary>
        public override double ExpectedPurchasesIfAlive(ReadOnlySpan<double> p, double horizon, double x, double t)
        {
            if (horizon <= 0)
            {
                return 0;
            }

            double r = p[0], alpha = p[1], s = p[2], beta = p[3];
            var rate = (r + x) * (beta + t) / (alpha + t);
            return rate * Survival(s, beta + t, horizon);
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

    /// <summary>
    /// BG/BB, with the formulas of Fader, Hardie and Shang (2010): in each opportunity an alive customer transacts
    /// with probability p ~ Beta(α, β) and then may drop out with probability θ ~ Beta(γ, δ). Histories are
    /// (x, t_x, n): <see cref="RepeatHistory.T"/> holds the number of opportunities n, and times are counted in
    /// opportunities (non-integer horizons interpolate the gamma functions).
    /// </summary>
    private sealed class BetaGeometricBetaBinomial : PurchaseModel
    {
        public static readonly BetaGeometricBetaBinomial Instance = new();

        public override PurchaseModelKind Kind => PurchaseModelKind.BgBb;

        public override IReadOnlyList<string> ParameterNames { get; } = ["alpha", "beta", "gamma", "delta"];

        /// <summary>
        /// ln L = ln[B(α+x, β+n−x)/B(α,β) · B(γ, δ+n)/B(γ,δ) + Σ_{i=0}^{n−t_x−1} B(α+x, β+t_x−x+i)/B(α,β) · B(γ+1, δ+t_x+i)/B(γ,δ)]:
        /// alive through all n opportunities, or gone after opportunity t_x + i.
        /// </summary>
        public override double LogLikelihood(ReadOnlySpan<double> p, double x, double tx, double t)
        {
            double alpha = p[0], beta = p[1], gamma = p[2], delta = p[3];
            var baseAb = LogBeta(alpha, beta);
            var baseGd = LogBeta(gamma, delta);
            var total = LogBeta(alpha + x, beta + t - x) - baseAb + LogBeta(gamma, delta + t) - baseGd;
            for (var i = 0; i < t - tx; i++)
            {
                total = LogAddExp(total, LogBeta(alpha + x, beta + tx - x + i) - baseAb + LogBeta(gamma + 1, delta + tx + i) - baseGd);
            }

            return total;
        }

        /// <summary>P(alive at opportunity n + 1 | x, t_x, n).</summary>
        public override double ProbabilityAlive(ReadOnlySpan<double> p, double x, double tx, double t)
        {
            double alpha = p[0], beta = p[1], gamma = p[2], delta = p[3];
            var alive = LogBeta(alpha + x, beta + t - x) - LogBeta(alpha, beta) + LogBeta(gamma, delta + t + 1) - LogBeta(gamma, delta);
            return Math.Exp(alive - LogLikelihood(p, x, tx, t));
        }

        /// <summary>
        /// E[X(n, n + n*) | x, t_x, n] = B(α+x+1, β+n−x)/B(α,β) · δ/(γ−1) · Γ(γ+δ)/Γ(1+δ) ·
        /// [Γ(1+δ+n)/Γ(γ+δ+n) − Γ(1+δ+n+n*)/Γ(γ+δ+n+n*)] / L, divided by P(alive) (<see cref="ProbabilityAlive"/>'s
        /// B(α+x, β+n−x)/B(α,β) · B(γ, δ+n+1)/B(γ,δ) / L): the likelihood L, the only term with t_x, cancels.
        /// </summary>
        public override double ExpectedPurchasesIfAlive(ReadOnlySpan<double> p, double horizon, double x, double t)
        {
            if (horizon <= 0)
            {
                return 0;
            }

            double alpha = p[0], beta = p[1], gamma = p[2], delta = p[3];
            var front = LogBeta(alpha + x + 1, beta + t - x) - LogBeta(alpha + x, beta + t - x)
                + LogGamma(gamma + delta) - LogGamma(1 + delta) - LogBeta(gamma, delta + t + 1) + LogBeta(gamma, delta);
            return Math.Exp(front) * delta / (gamma - 1) * Retention(gamma, delta, t, horizon);
        }

        /// <summary>E[X(n)] = α/(α+β) · δ/(γ−1) · [1 − Γ(γ+δ)Γ(1+δ+n) / (Γ(γ+δ+n)Γ(1+δ))].</summary>
        public override double ExpectedPurchases(ReadOnlySpan<double> p, double t)
        {
            if (t <= 0)
            {
                return 0;
            }

            double alpha = p[0], beta = p[1], gamma = p[2], delta = p[3];
            return alpha / (alpha + beta) * delta / (gamma - 1) * Math.Exp(LogGamma(gamma + delta) - LogGamma(1 + delta)) * Retention(gamma, delta, 0, t);
        }

        /// <summary>Γ(1+δ+n)/Γ(γ+δ+n) − Γ(1+δ+n+h)/Γ(γ+δ+n+h), as the difference of two exponentials in logs (its sign is (γ−1)'s).</summary>
        private static double Retention(double gamma, double delta, double n, double h)
        {
            var first = LogGamma(1 + delta + n) - LogGamma(gamma + delta + n);
            var last = LogGamma(1 + delta + n + h) - LogGamma(gamma + delta + n + h);
            return Math.Exp(first) * -ExpM1(last - first);
        }
    }
}
