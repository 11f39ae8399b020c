using System.Globalization;
using Segmenta.Features;
using Segmenta.Warehouse;

namespace Segmenta.Clv;

/// <summary>A fit checked against the end of its own data: refitted without the last stretch, then asked to predict it.</summary>
/// <param name="CalibrationEnd">The last day the check's fit saw.</param>
/// <param name="HoldoutEnd">The last day of the held-out stretch (the model's own calibration end).</param>
/// <param name="Customers">Customers with a purchase by <paramref name="CalibrationEnd"/>: the ones predicted.</param>
/// <param name="Actual">Their purchase days in the held-out stretch.</param>
/// <param name="Predicted">The sum of their conditional expectations over it.</param>
/// <param name="MeanAbsoluteError">Mean over those customers of |actual − predicted| purchases.</param>
public sealed record ClvHoldoutCheck(DateOnly CalibrationEnd, DateOnly HoldoutEnd, long Customers, long Actual, double Predicted, double MeanAbsoluteError)
{
    /// <summary>Predicted over actual, less 1 (+0.25: 25% too many); infinite when nothing happened but something was predicted.</summary>
    public double RelativeError => Actual == 0 ? (Predicted == 0 ? 0 : double.PositiveInfinity) : (Predicted / Actual) - 1;
}

/// <summary>The data of a holdout check: every history through an earlier calibration end, with its purchases after it up to the fit's own end.</summary>
/// <param name="Period">The calibration and holdout the histories cover.</param>
/// <param name="Customers">Customers with a purchase by the earlier calibration end.</param>
public sealed record ClvHoldoutSample(SummaryPeriod Period, IReadOnlyList<ClvCustomer> Customers);

/// <summary>What a fit's numbers do not show by themselves: how its P(alive) spreads, and how well it forecasts this data.</summary>
/// <param name="Customers">Customers predicted at the calibration end.</param>
/// <param name="MeanProbabilityAlive">Their mean P(alive).</param>
/// <param name="ShareAlmostSurelyAlive">The share with P(alive) of 0.99 or more.</param>
/// <param name="OneTimeBuyers">Customers without a repeat purchase (x = 0).</param>
/// <param name="Holdout">The holdout check; null when the data are too short for one.</param>
/// <param name="HoldoutSkipped">Why there is no holdout check.</param>
/// <param name="Warnings">What the numbers above mean for a user, when it is bad news.</param>
public sealed record ClvDiagnostics(
    long Customers,
    double MeanProbabilityAlive,
    double ShareAlmostSurelyAlive,
    long OneTimeBuyers,
    ClvHoldoutCheck? Holdout,
    string? HoldoutSkipped,
    IReadOnlyList<string> Warnings);

/// <summary>
/// Diagnoses a purchase-model fit at fit time (docs/clv.md, "Diagnostics"): a collapsed P(alive), BG/NBD's
/// one-time buyers who are alive by construction, and a holdout check — the same model refitted without the
/// last third of the observed span (at most 26 weeks, at least 4) and asked to predict it. Warnings go with
/// the model wherever it is shown.
/// </summary>
public static class ClvDiagnosis
{
    /// <summary>P(alive) at or above this counts as "almost surely alive".</summary>
    public const double AlmostSurelyAlive = 0.99;

    /// <summary>When this share of customers is almost surely alive, P(alive) separates nobody.</summary>
    public const double CollapsedShare = 0.95;

    /// <summary>A holdout forecast off by more than this share is a warning.</summary>
    public const double TolerableHoldoutError = 0.2;

    private const int MinimumHoldoutDays = 28;

    private const int MaximumHoldoutDays = 182;

    /// <summary>
    /// The holdout check's data for fits through <paramref name="calibrationEnd"/> to <paramref name="customers"/>: the
    /// last third of their span (at most 26 weeks, at least 4) held out; or why the data are too short. Summarized from
    /// <paramref name="days"/> (read to <paramref name="calibrationEnd"/>, where the holdout ends): nothing more is read,
    /// and fits of several models share it.
    /// </summary>
    public static (ClvHoldoutSample? Sample, string? Skipped) Holdout(PurchaseDays days, SummaryUnit unit, DateOnly calibrationEnd, IReadOnlyList<ClvCustomer> customers)
    {
        ArgumentNullException.ThrowIfNull(days);
        var (period, skipped) = HoldoutPeriod(unit, calibrationEnd, customers);
        return period is null ? (null, skipped) : (new ClvHoldoutSample(period, days.Summary(period)), null);
    }

    /// <summary>The holdout check's period (its last third of the purchases' span, at most half a year), or why there is none.</summary>
    private static (SummaryPeriod? Period, string? Skipped) HoldoutPeriod(SummaryUnit unit, DateOnly calibrationEnd, IReadOnlyList<ClvCustomer> customers)
    {
        ArgumentNullException.ThrowIfNull(customers);
        var span = customers.Count == 0 ? 0 : (int)Math.Round(customers.Max(c => c.History.T) * (int)unit);
        var holdoutDays = Math.Min(MaximumHoldoutDays, span / 3);
        if (holdoutDays < MinimumHoldoutDays)
        {
            return (null, string.Create(CultureInfo.InvariantCulture, $"the purchases span {span} days; a holdout check needs at least {3 * MinimumHoldoutDays}"));
        }

        return (new SummaryPeriod(calibrationEnd.AddDays(-holdoutDays), calibrationEnd, unit), null);
    }

    /// <summary>
    /// Diagnoses <paramref name="model"/>, fitted to <paramref name="customers"/>, with a holdout check already made
    /// (<see cref="CheckHoldout"/> on the sample of <see cref="Holdout"/>; or why there is none).
    /// </summary>
    public static ClvDiagnostics Diagnose(ClvModel model, IReadOnlyList<ClvCustomer> customers, (ClvHoldoutCheck? Check, string? Skipped) holdout)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(customers);
        var inv = CultureInfo.InvariantCulture;
        var purchase = PurchaseModel.Of(model.Model);
        var p = model.Purchases.Values;
        var name = ClvFitter.ModelName(model.Model);
        var groups = HistoryGroups.Of(customers);
        var alive = groups.PerCustomer(purchase.ProbabilitiesAlive(p, groups.Histories));
        var n = customers.Count;
        double sum = 0, sureCount = 0;
        foreach (var a in alive)
        {
            sum += a;
            sureCount += a >= AlmostSurelyAlive ? 1 : 0;
        }

        var mean = n == 0 ? 0 : sum / n;
        var sure = n == 0 ? 0 : sureCount / n;
        var oneTime = customers.LongCount(c => c.History.X == 0);
        var warnings = new List<string>();
        if (n > 0 && sure >= CollapsedShare)
        {
            warnings.Add(string.Create(inv, $"{name}: P(alive) is {AlmostSurelyAlive} or more for {sure:0.0%} of customers (mean {mean:0.###}): the fit sees almost no dropout in this data, so P(alive) cannot tell who has lapsed — do not read \"likely inactive\" counts or churn risk from it"));
        }

        if (model.Model == PurchaseModelKind.BgNbd && n > 0 && oneTime >= 0.1 * n)
        {
            warnings.Add(string.Create(inv, $"bgnbd: the {oneTime:N0} customers without a repeat purchase ({(double)oneTime / n:0.0%}) have P(alive) = 1 by construction (BG/NBD lets customers drop out only after a repeat purchase); MBG/NBD (--model mbgnbd) lets them be inactive"));
        }

        var (check, skipped) = holdout;
        if (check is not null && Math.Abs(check.RelativeError) > TolerableHoldoutError)
        {
            warnings.Add(string.Create(inv, $"{name}: refitted through {check.CalibrationEnd:yyyy-MM-dd}, it expected {check.Predicted:N0} purchases from its {check.Customers:N0} customers up to {check.HoldoutEnd:yyyy-MM-dd}; they made {check.Actual:N0} ({check.RelativeError:+0%;-0%}): its forecasts are off by more than {TolerableHoldoutError:0%} on this data"));
        }

        return new ClvDiagnostics(n, mean, sure, oneTime, check, skipped, warnings);
    }

    /// <summary>The model refitted on the sample's calibration period and its forecast of the holdout, or why there is none.</summary>
    public static (ClvHoldoutCheck? Check, string? Skipped) CheckHoldout(PurchaseModelKind kind, ClvHoldoutSample sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        var (period, cohort) = (sample.Period, sample.Customers);
        var calibrationEnd = period.CalibrationEnd;
        var groups = HistoryGroups.Of(cohort);
        ModelFit fit;
        try
        {
            fit = ClvFitter.FitPurchases(kind, groups);
        }
        catch (ModelFitException e)
        {
            return (null, $"the fit through {calibrationEnd:yyyy-MM-dd} failed: {e.Message}");
        }

        var purchase = PurchaseModel.Of(kind);
        var p = fit.Values;
        var length = period.HoldoutLength;
        double[] predicted;
        try
        {
            predicted = groups.PerCustomer(purchase.ConditionalExpectedPurchases(p, length, groups.Histories));
        }
        catch (Numerics.SeriesDivergedException e)
        {
            return (null, $"the forecast of the fit through {calibrationEnd:yyyy-MM-dd} could not be computed: {e.Message}");
        }

        return (new ClvHoldoutCheck(
            calibrationEnd,
            period.HoldoutEnd!.Value,
            cohort.Count,
            cohort.Sum(c => c.HoldoutPurchases),
            predicted.Sum(),
            cohort.Count == 0 ? 0 : cohort.Select((c, i) => Math.Abs(c.HoldoutPurchases - predicted[i])).Average()), null);
    }
}
