using System.Globalization;
using Segmenta.Features;
using Segmenta.Language;
using Segmenta.Sql;
using Segmenta.Warehouse;

namespace Segmenta.Clv;

/// <summary>Holdout purchases of the customers with one number of calibration repeat purchases.</summary>
/// <param name="Label">x, or "7+" for the censored last bin.</param>
/// <param name="Customers">Customers in the bin.</param>
/// <param name="Actual">Their mean holdout purchases.</param>
/// <param name="Predicted">Their mean conditional expectation over the holdout.</param>
public sealed record FrequencyBin(string Label, long Customers, double Actual, double Predicted);

/// <summary>One week of the cohort's repeat purchases, calibration and holdout.</summary>
/// <param name="Week">1 for the cohort's first week.</param>
/// <param name="End">The week's last day.</param>
/// <param name="Actual">Repeat purchases (purchase days after each customer's first) in the week.</param>
/// <param name="Predicted">E[X] increments summed over the cohort.</param>
/// <param name="CumulativeActual">Actual purchases through the week.</param>
/// <param name="CumulativePredicted">Predicted purchases through the week.</param>
public sealed record TrackingWeek(int Week, DateOnly End, long Actual, double Predicted, long CumulativeActual, double CumulativePredicted);

/// <summary>A calibration/holdout check of a purchase model.</summary>
/// <param name="Model">The fit on the calibration period (not stored).</param>
/// <param name="HoldoutEnd">The holdout's last day.</param>
/// <param name="HoldoutLength">Its length in the model's unit.</param>
/// <param name="Customers">The cohort: customers with a purchase by the calibration end.</param>
/// <param name="ByFrequency">Actual against predicted holdout purchases by calibration x.</param>
/// <param name="Tracking">Actual against predicted repeat purchases, week by week.</param>
/// <param name="HoldoutActual">The cohort's holdout purchases.</param>
/// <param name="HoldoutPredicted">Their sum of conditional expectations.</param>
/// <param name="MeanAbsoluteError">Mean over customers of |actual − predicted| holdout purchases.</param>
public sealed record ClvValidation(
    ClvModel Model,
    DateOnly HoldoutEnd,
    double HoldoutLength,
    long Customers,
    IReadOnlyList<FrequencyBin> ByFrequency,
    IReadOnlyList<TrackingWeek> Tracking,
    long HoldoutActual,
    double HoldoutPredicted,
    double MeanAbsoluteError);

/// <summary>
/// Fits on a calibration period and compares with what happened in the holdout, the checks of Fader,
/// Hardie and Lee (2005): holdout purchases by calibration frequency, and the cohort's weekly (and
/// cumulative) repeat purchases against the model's expectation for customers of each first-purchase day.
/// </summary>
public static class ClvValidator
{
    /// <summary>Validates <paramref name="kind"/> on the warehouse's purchases; <paramref name="censor"/> is the first x pooled into the last bin.</summary>
    public static ClvValidation Validate(IWarehouse warehouse, TimeZoneInfo zone, PurchaseModelKind kind, SummaryUnit unit, DateOnly calibrationEnd, DateOnly holdoutEnd, int censor = 7)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        ArgumentNullException.ThrowIfNull(zone);
        if (holdoutEnd <= calibrationEnd)
        {
            throw new ArgumentException("the holdout must end after the calibration period", nameof(holdoutEnd));
        }

        var period = new SummaryPeriod(calibrationEnd, holdoutEnd, unit);
        var customers = ClvAnalysis.ReadSummary(warehouse, zone, period);
        var model = ClvAnalysis.Fit(customers, kind, unit, calibrationEnd);
        var purchase = PurchaseModel.Of(kind);
        var p = model.Purchases.Values;
        var length = period.HoldoutLength;

        var groups = HistoryGroups.Of(customers);
        var predicted = groups.PerCustomer(purchase.ConditionalExpectedPurchases(p, length, groups.Histories));

        var bins = customers
            .Select((c, i) => (Customer: c, Predicted: predicted[i]))
            .GroupBy(c => (int)Math.Min(c.Customer.History.X, censor))
            .OrderBy(g => g.Key)
            .Select(g => new FrequencyBin(
                g.Key == censor ? string.Create(CultureInfo.InvariantCulture, $"{censor}+") : g.Key.ToString(CultureInfo.InvariantCulture),
                g.LongCount(),
                g.Average(c => (double)c.Customer.HoldoutPurchases),
                g.Average(c => c.Predicted)))
            .ToList();

        var unitDays = (int)unit;
        var firstDays = customers
            .GroupBy(c => calibrationEnd.AddDays(-(int)Math.Round(c.History.T * unitDays)))
            .ToDictionary(g => g.Key, g => g.LongCount());
        var start = firstDays.Keys.Min();
        var weeks = ((holdoutEnd.DayNumber - start.DayNumber) / 7) + 1;
        var actual = WeeklyRepeatPurchases(warehouse, zone, calibrationEnd, holdoutEnd, start, weeks);
        var tracking = new List<TrackingWeek>();
        double previous = 0;
        long cumulative = 0;
        for (var w = 0; w < weeks; w++)
        {
            var end = start.AddDays((7 * (w + 1)) - 1);
            if (end > holdoutEnd)
            {
                end = holdoutEnd;
            }

            var expected = firstDays.Where(f => f.Key <= end).Sum(f => f.Value * purchase.ExpectedPurchases(p, (double)(end.DayNumber - f.Key.DayNumber) / unitDays));
            cumulative += actual[w];
            tracking.Add(new TrackingWeek(w + 1, end, actual[w], expected - previous, cumulative, expected));
            previous = expected;
        }

        return new ClvValidation(
            model,
            holdoutEnd,
            length,
            customers.Count,
            bins,
            tracking,
            customers.Sum(c => c.HoldoutPurchases),
            predicted.Sum(),
            customers.Count == 0 ? 0 : customers.Select((c, i) => Math.Abs(c.HoldoutPurchases - predicted[i])).Average());
    }

    /// <summary>Repeat purchase days of the cohort (customers whose first purchase day is by the calibration end) per week from <paramref name="start"/>.</summary>
    private static long[] WeeklyRepeatPurchases(IWarehouse warehouse, TimeZoneInfo zone, DateOnly calibrationEnd, DateOnly holdoutEnd, DateOnly start, int weeks)
    {
        var counts = new long[weeks];
        warehouse.Read(ClvSql.WeeklyRepeatPurchases(warehouse.Dialect, zone, calibrationEnd, holdoutEnd, start), r =>
        {
            var week = Convert.ToInt32(r.GetValue(0), CultureInfo.InvariantCulture);
            if (week >= 0 && week < weeks)
            {
                counts[week] = Convert.ToInt64(r.GetValue(1), CultureInfo.InvariantCulture);
            }
        });
        return counts;
    }
}
