using Segmenta.Language;
using Segmenta.Model;
using Segmenta.Sql;

namespace Segmenta.Features;

/// <summary>The time unit of a repeat-purchase summary.</summary>
public enum SummaryUnit
{
    /// <summary>Days.</summary>
    Days = 1,

    /// <summary>Weeks of 7 days.</summary>
    Weeks = 7,
}

/// <summary>The period a repeat-purchase summary covers.</summary>
/// <param name="CalibrationEnd">The last calendar day (workspace time zone) of the calibration period.</param>
/// <param name="HoldoutEnd">The last day of an optional holdout period right after it.</param>
/// <param name="Unit">The unit of <c>t_x</c>, <c>T</c> and the holdout's length.</param>
public sealed record SummaryPeriod(DateOnly CalibrationEnd, DateOnly? HoldoutEnd, SummaryUnit Unit)
{
    /// <summary>The holdout's length in <see cref="Unit"/> (0 without one).</summary>
    public double HoldoutLength => HoldoutEnd is { } h ? (double)(h.DayNumber - CalibrationEnd.DayNumber) / (int)Unit : 0;

    /// <summary>The last day the summary reads purchases to: the holdout's end, else the calibration end.</summary>
    public DateOnly LastDay => HoldoutEnd is { } h && h > CalibrationEnd ? h : CalibrationEnd;
}

/// <summary>
/// The per-customer repeat-purchase summary that buy-till-you-die models (BG/NBD, Pareto/NBD,
/// Gamma-Gamma) consume, computed in SQL at day granularity as in Fader, Hardie and Lee's papers and
/// the BTYD and lifetimes packages: purchases on the same calendar day are one transaction. For each
/// customer with a purchase on or before the calibration end day D (first purchase day d₀):
/// <list type="bullet">
/// <item><c>x</c>: repeat transactions — distinct purchase days up to D, minus 1;</item>
/// <item><c>t_x</c>: from d₀ to the last purchase day up to D; <c>T</c>: from d₀ to D (in the unit);</item>
/// <item><c>mean_repeat_spend</c>: the mean revenue of the repeat transaction days (missing when x = 0);</item>
/// <item><c>x_holdout</c>, <c>holdout_spend</c>: purchase days and revenue after D, up to the holdout end.</item>
/// </list>
/// </summary>
public static class RepeatPurchaseSummary
{
    /// <summary>The columns of <see cref="Query"/>, in order.</summary>
    public static IReadOnlyList<string> Columns { get; } = [CanonicalModel.CustomerId, "x", "t_x", "t", "mean_repeat_spend", "x_holdout", "holdout_spend"];

    /// <summary>
    /// One row per customer with a purchase by the calibration end, ordered by customer id: <see cref="Columns"/>.
    /// The statement is written by <see cref="FeatureSql.RepeatPurchases"/>.
    /// </summary>
    public static SqlStatement Query(ISqlDialect dialect, TimeZoneInfo zone, SummaryPeriod period) => FeatureSql.RepeatPurchases(dialect, zone, period);
}
