using Segmenta.Features;
using Segmenta.Language;
using Segmenta.Sql;
using Segmenta.Warehouse;

namespace Segmenta.Clv;

/// <summary>
/// Every statement of the CLV feature: the fitted models, the stored predictions and the holdout's weekly
/// repeat purchases. Tables are named through <see cref="Tables"/> and quoted by the dialect; values are parameters.
/// </summary>
public static class ClvSql
{
    /// <summary>The columns of the stored predictions, in the order <see cref="Predictions"/> reads them.</summary>
    public static IReadOnlyList<string> PredictionColumns { get; } = ["customer_id", "model_version", "history_end", "x", "t_x", "t", "p_alive", "expected_purchases", "expected_spend", "value"];

    /// <summary>Stores a model under its version.</summary>
    internal static SqlStatement InsertModel(ISqlDialect d, ClvModel model, DateTime fittedAt)
    {
        var sql = new SqlBuilder(d);
        sql.Append($"INSERT INTO {d.QuoteIdentifier(Tables.ClvModels)} (version, fitted_at, model_kind, calibration_end, customers, log_likelihood, model) VALUES ({sql.Parameter((long)model.Version)}, {sql.Parameter(fittedAt)}, {sql.Parameter(ClvFitter.ModelName(model.Model))}, {sql.Parameter(model.CalibrationEnd)}, {sql.Parameter(model.Purchases.Customers)}, {sql.Parameter(model.Purchases.LogLikelihood)}, {sql.Parameter(model.ToJson())})");
        return sql.Build();
    }

    /// <summary>Removes every stored prediction.</summary>
    internal static SqlStatement ClearPredictions(ISqlDialect d) => new($"DELETE FROM {d.QuoteIdentifier(Tables.ClvPredictions)}", []);

    /// <summary>Every stored prediction, <see cref="PredictionColumns"/>, ordered by customer id (bytes).</summary>
    public static SqlStatement Predictions(ISqlDialect d)
    {
        ArgumentNullException.ThrowIfNull(d);
        return new($"SELECT {string.Join(", ", PredictionColumns.Select(d.QuoteIdentifier))} FROM {d.QuoteIdentifier(Tables.ClvPredictions)} ORDER BY {d.BinaryOrder(d.QuoteIdentifier("customer_id"))}", []);
    }

    /// <summary>
    /// Repeat purchase days of the cohort (customers whose first purchase day is by <paramref name="calibrationEnd"/>)
    /// per week from <paramref name="start"/>, through <paramref name="holdoutEnd"/>: (week, purchases).
    /// </summary>
    internal static SqlStatement WeeklyRepeatPurchases(ISqlDialect d, TimeZoneInfo zone, DateOnly calibrationEnd, DateOnly holdoutEnd, DateOnly start)
    {
        var sql = new SqlBuilder(d);
        var end = sql.Parameter(new EvaluationContext(DateTime.UnixEpoch, zone).StartOf(holdoutEnd.AddDays(1)));
        var calibration = sql.Parameter(calibrationEnd);
        var first = sql.Parameter(start);
        sql.Append(
            $"""
            WITH days AS (
              {FeatureSql.PurchaseDays(sql, zone, end)}
            ),
            firsts AS (
              SELECT customer_id, min(day) AS first_day FROM days GROUP BY customer_id
            )
            SELECT {d.IntegerDivide($"(d.day - {first})", "7")} AS week, count(*) AS purchases
            FROM days d JOIN firsts f ON f.customer_id = d.customer_id
            WHERE f.first_day <= {calibration} AND d.day > f.first_day
            GROUP BY 1
            ORDER BY 1
            """);
        return sql.Build();
    }
}
