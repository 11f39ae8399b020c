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
    /// <c>SELECT customer_id, day, spend</c>: each customer's purchase days (calendar days in <paramref name="zone"/>)
    /// before the instant <paramref name="end"/> (a parameter), with the day's net revenue — the transactions of the
    /// buy-till-you-die literature, where purchases on one day are one transaction. Only kept orders count
    /// (<see cref="KeptOrders"/>): a cancelled order is no purchase occasion, and a day's spend is what was kept.
    /// </summary>
    internal static string PurchaseDays(SqlBuilder sql, TimeZoneInfo zone, string end)
    {
        var day = CalendarDay.Of(sql, zone, "o.placed_at");
        return $"""
            SELECT o.customer_id AS customer_id, {day} AS day, sum(o.net) AS spend
              FROM (
                {KeptOrders.Query(sql, end)}
              ) o
              GROUP BY o.customer_id, {day}
            """;
    }

    /// <summary>The summary of every customer who bought by the calibration end, ordered by customer id.</summary>
    public static SqlStatement Query(ISqlDialect dialect, TimeZoneInfo zone, SummaryPeriod period)
    {
        ArgumentNullException.ThrowIfNull(dialect);
        ArgumentNullException.ThrowIfNull(zone);
        ArgumentNullException.ThrowIfNull(period);
        var sql = new SqlBuilder(dialect);
        var context = new EvaluationContext(DateTime.UnixEpoch, zone);
        var lastDay = period.HoldoutEnd is { } h && h > period.CalibrationEnd ? h : period.CalibrationEnd;
        var end = sql.Parameter(context.StartOf(lastDay.AddDays(1)));
        var d = sql.Parameter(period.CalibrationEnd);
        var unit = sql.Parameter((long)period.Unit);
        var calibration = $"d.day <= {d}";
        var repeat = $"d.day <= {d} AND d.day > f.first_day";
        sql.Append(
            $"""
            WITH days AS (
              {PurchaseDays(sql, zone, end)}
            ),
            firsts AS (
              SELECT customer_id, min(day) AS first_day FROM days WHERE day <= {d} GROUP BY customer_id
            )
            SELECT f.customer_id,
                   count(*) FILTER (WHERE {calibration}) - 1 AS x,
                   {dialect.ToDouble($"max(d.day) FILTER (WHERE {calibration}) - f.first_day")} / {unit} AS t_x,
                   {dialect.ToDouble($"{d} - f.first_day")} / {unit} AS t,
                   {dialect.ToDouble($"sum(d.spend) FILTER (WHERE {repeat})")} / nullif(count(*) FILTER (WHERE {repeat}), 0) AS mean_repeat_spend,
                   count(*) FILTER (WHERE d.day > {d}) AS x_holdout,
                   coalesce(sum(d.spend) FILTER (WHERE d.day > {d}), 0) AS holdout_spend
            FROM firsts f JOIN days d ON d.customer_id = f.customer_id
            GROUP BY f.customer_id, f.first_day
            ORDER BY {dialect.BinaryOrder("f.customer_id")}
            """);
        return sql.Build();
    }
}
