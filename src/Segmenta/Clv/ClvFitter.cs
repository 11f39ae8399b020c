using System.Globalization;

namespace Segmenta.Clv;

/// <summary>A customer's repeat-purchase history: x repeat transactions, the last at t_x, observed for T (in one time unit).</summary>
/// <param name="X">Repeat transactions (purchase days after the first, in the calibration period).</param>
/// <param name="Tx">Time from the first purchase to the last.</param>
/// <param name="T">Time from the first purchase to the end of the calibration period.</param>
public readonly record struct RepeatHistory(double X, double Tx, double T);

/// <summary>A customer's repeat spend: x repeat transactions of mean value m.</summary>
/// <param name="X">Repeat transactions.</param>
/// <param name="MeanSpend">Their mean value.</param>
public readonly record struct RepeatSpend(double X, double MeanSpend);

/// <summary>
/// Fits the CLV models to in-memory customer summaries (docs/clv.md): BG/NBD or Pareto/NBD to
/// (x, t_x, T), Gamma-Gamma to repeat spend. Customers with equal inputs are grouped first, so a fit
/// costs in distinct histories, not customers.
/// </summary>
public static class ClvFitter
{
    /// <summary>
    /// Above this many distinct inputs a fit first gets close on an evenly spaced subsample of about half as
    /// many, then takes only gradient steps on the whole: the estimates are the whole data's either way.
    /// </summary>
    private const int ApproximateAbove = 20_000;

    /// <summary>By x, then t_x, then T: the fixed order fits and predictions process histories in, whatever the hashing.</summary>
    internal static readonly Comparer<RepeatHistory> HistoryOrder = Comparer<RepeatHistory>.Create(static (a, b) =>
    {
        var order = a.X.CompareTo(b.X);
        if (order == 0)
        {
            order = a.Tx.CompareTo(b.Tx);
        }

        return order != 0 ? order : a.T.CompareTo(b.T);
    });

    private static readonly Comparer<RepeatSpend> SpendOrder = Comparer<RepeatSpend>.Create(static (a, b) =>
    {
        var order = a.X.CompareTo(b.X);
        return order != 0 ? order : a.MeanSpend.CompareTo(b.MeanSpend);
    });

    /// <summary>
    /// The purchase model <c>clv fit</c> uses unless told otherwise: MBG/NBD. It fits the published data as well
    /// as BG/NBD (CDNOW: ln L about −9,583 against −9,582.4) and predicts repeat buyers alike, but it does not declare
    /// every one-time buyer alive for certain — on real shops, where most customers never return, BG/NBD's P(alive)
    /// collapses to 1 for them (docs/clv.md, "Choosing a model").
    /// </summary>
    public const PurchaseModelKind DefaultModel = PurchaseModelKind.MbgNbd;

    /// <summary>Model names in files, options and output.</summary>
    public static string ModelName(PurchaseModelKind kind) => kind switch
    {
        PurchaseModelKind.BgNbd => "bgnbd",
        PurchaseModelKind.MbgNbd => "mbgnbd",
        PurchaseModelKind.BgBb => "bgbb",
        _ => "pareto",
    };

    /// <summary>The model's name as the literature writes it: BG/NBD, MBG/NBD, Pareto/NBD.</summary>
    public static string DisplayName(PurchaseModelKind kind) => kind switch
    {
        PurchaseModelKind.BgNbd => "BG/NBD",
        PurchaseModelKind.MbgNbd => "MBG/NBD",
        PurchaseModelKind.BgBb => "BG/BB",
        _ => "Pareto/NBD",
    };

    /// <summary>The names <see cref="ParseModel"/> accepts, for messages.</summary>
    public const string ModelNames = "mbgnbd, bgnbd or pareto";

    /// <summary>Parses bgnbd, mbgnbd or pareto (also bg/nbd, mbg/nbd, pareto/nbd, paretonbd).</summary>
    public static PurchaseModelKind? ParseModel(string text) => text.ToLowerInvariant().Replace("/", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal) switch
    {
        "bgnbd" => PurchaseModelKind.BgNbd,
        "mbgnbd" => PurchaseModelKind.MbgNbd,
        "bgbb" => PurchaseModelKind.BgBb,
        "pareto" or "paretonbd" => PurchaseModelKind.ParetoNbd,
        _ => null,
    };

    /// <summary>Fits a purchase model; throws <see cref="ModelFitException"/> when no usable fit exists.</summary>
    public static ModelFit FitPurchases(PurchaseModelKind kind, IEnumerable<RepeatHistory> customers)
    {
        ArgumentNullException.ThrowIfNull(customers);
        return FitPurchases(kind, HistoryGroups.Group(customers));
    }

    /// <summary>The same for customers already grouped by history.</summary>
    internal static ModelFit FitPurchases(PurchaseModelKind kind, HistoryGroups groups)
    {
        var model = PurchaseModel.Of(kind);
        var (inputs, weights) = (groups.Histories, groups.Weights);
        if (inputs.Length == 0)
        {
            throw new ModelFitException($"{ModelName(kind)}: no customers to fit");
        }

        foreach (var h in inputs)
        {
            if (!(h.X >= 0 && h.Tx >= 0 && h.T >= h.Tx) || !double.IsFinite(h.T))
            {
                throw new ModelFitException(string.Create(CultureInfo.InvariantCulture, $"{ModelName(kind)}: an invalid history (x = {h.X}, t_x = {h.Tx}, T = {h.T}); need x >= 0 and 0 <= t_x <= T"));
            }
        }

        if (inputs.All(h => h.X == 0))
        {
            throw new ModelFitException($"{ModelName(kind)}: no customer made a repeat purchase, so the purchase rate cannot be estimated");
        }

        // Start from unit shapes and a scale of the mean observation time, whatever the time unit.
        var meanT = inputs.Select((h, i) => h.T * weights[i]).Sum() / weights.Sum();
        var scale = Math.Max(meanT, 1e-3);
        var table = new HistoryTable(inputs, weights);
        var sample = table.Count > ApproximateAbove ? table.Subsample(table.Count / (ApproximateAbove / 2)) : null;
        return MaximumLikelihood.Fit(
            ModelName(kind),
            model.ParameterNames,
            kind == PurchaseModelKind.BgBb ? [1, 1, 1, 1] : [1, scale, 1, kind == PurchaseModelKind.ParetoNbd ? scale : 1],
            (long)weights.Sum(),
            table.Count,
            new Likelihood(p => model.TotalLogLikelihood(p, table), p => model.TotalGradient(p, table)),
            sample is null ? null : new Likelihood(p => model.TotalLogLikelihood(p, sample), p => model.TotalGradient(p, sample)));
    }

    /// <summary>
    /// Fits Gamma-Gamma to customers with at least one repeat transaction of positive mean value (others are
    /// left out, as the model requires); throws <see cref="ModelFitException"/> when no usable fit exists.
    /// </summary>
    public static ModelFit FitSpend(IEnumerable<RepeatSpend> customers)
    {
        ArgumentNullException.ThrowIfNull(customers);
        var (inputs, weights) = Group(customers.Where(c => c.X > 0 && c.MeanSpend > 0 && double.IsFinite(c.MeanSpend)), SpendOrder);
        if (inputs.Length < 2)
        {
            throw new ModelFitException("gamma-gamma: fewer than two customers with repeat purchases of positive value");
        }

        var meanSpend = inputs.Select((c, i) => c.MeanSpend * weights[i]).Sum() / weights.Sum();
        var table = new SpendTable(inputs, weights);
        var sample = table.Count > ApproximateAbove ? table.Subsample(table.Count / (ApproximateAbove / 2)) : null;
        var fit = MaximumLikelihood.Fit(
            "gamma-gamma",
            GammaGamma.ParameterNames,
            [1, 2, meanSpend],
            (long)weights.Sum(),
            table.Count,
            new Likelihood(p => GammaGamma.TotalLogLikelihood(p, table), p => GammaGamma.TotalGradient(p, table)),
            sample is null ? null : new Likelihood(p => GammaGamma.TotalLogLikelihood(p, sample), p => GammaGamma.TotalGradient(p, sample)));
        return fit["q"] > 1
            ? fit
            : throw new ModelFitException(string.Create(CultureInfo.InvariantCulture, $"gamma-gamma: q = {fit["q"]:G4} <= 1, so the population's mean spend is infinite; the spend data does not suit the model"));
    }

    private static (T[] Inputs, double[] Weights) Group<T>(IEnumerable<T> source, IComparer<T> order)
        where T : struct
    {
        var (keys, weights, _) = DistinctIndex.Sorted(source, order);
        return (keys, weights);
    }
}
