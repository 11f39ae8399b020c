using System.ComponentModel;
using System.Globalization;
using Segmenta.Clv;
using Segmenta.Features;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Segmenta.Cli.Commands;

/// <summary>What <c>clv fit</c> and <c>clv predict</c> share: how predictions become a value.</summary>
internal class ClvValueSettings : AnalysisSettings
{
    [CommandOption("--horizon <SPAN>")]
    [Description("How far ahead to value customers: 12 months (default), 52 weeks, 365 days, 2 years.")]
    public string Horizon { get; init; } = "12 months";

    [CommandOption("--discount <RATE>")]
    [Description("Annual discount rate for the monthly cash flows (0.1 = 10%, the default; 0 for none).")]
    public double Discount { get; init; } = 0.1;

    [CommandOption("--margin <SHARE>")]
    [Description("The share of revenue that is profit, in (0, 1]; 1 (default) values revenue.")]
    public double Margin { get; init; } = 1;
}

/// <summary>Options, tables and JSON the clv verbs share.</summary>
internal static class ClvSupport
{
    public static ClvValueOptions ValueOptions(ClvValueSettings settings)
    {
        if (ClvValueOptions.TryParseHorizon(settings.Horizon, out var days) is { } problem)
        {
            throw new UserInputException("--horizon: " + problem);
        }

        var options = new ClvValueOptions(days, settings.Discount, settings.Margin);
        return options.Problem() is { } wrong ? throw new UserInputException(wrong) : options;
    }

    public static PurchaseModelKind Model(string text) =>
        ClvFitter.ParseModel(text) ?? throw new UserInputException($"--model: unknown model `{text}`; expected bgnbd or pareto");

    /// <summary>The repeat-purchase summary's unit (also for <c>rfm summary</c>).</summary>
    public static SummaryUnit Unit(string text) => text.ToLowerInvariant() switch
    {
        "weeks" or "week" => SummaryUnit.Weeks,
        "days" or "day" => SummaryUnit.Days,
        _ => throw new UserInputException($"--unit: unknown unit `{text}`; expected weeks or days"),
    };

    public static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static object FitJson(ModelFit fit) => new
    {
        model = fit.Model,
        customers = fit.Customers,
        distinct_histories = fit.DistinctHistories,
        log_likelihood = fit.LogLikelihood,
        iterations = fit.Iterations,
        evaluations = fit.Evaluations,
        converged = fit.Converged,
        parameters = fit.Parameters.Select(p => new { name = p.Name, value = p.Value, standard_error = p.StandardError }),
        warnings = fit.Warnings,
    };

    public static object ModelJson(ClvModel model, bool stored) => new
    {
        version = stored ? model.Version : (int?)null,
        model = ClvFitter.ModelName(model.Model),
        unit = model.Unit.ToString().ToLowerInvariant(),
        calibration_end = Day(model.CalibrationEnd),
        purchases = FitJson(model.Purchases),
        spend = model.Spend is null ? null : FitJson(model.Spend),
        spend_problem = model.SpendProblem,
    };

    /// <summary>A summary of predictions: totals, the distribution of value by decile, and the most valuable customers.</summary>
    public static object PredictionsJson(ClvPredictions predictions)
    {
        var rows = predictions.Customers;
        var ranked = Ranked(predictions);

        // Ascending, as the sum and the median read them: the ranking reversed.
        var values = ranked.Select(r => r.Value ?? 0).Reverse().ToArray();
        var total = values.Sum();
        return new
        {
            history_end = Day(predictions.HistoryEnd),
            horizon_days = predictions.Options.HorizonDays,
            discount = predictions.Options.AnnualDiscount,
            margin = predictions.Options.Margin,
            customers = rows.Count,
            total_value = predictions.Model.Spend is null ? (double?)null : total,
            mean_value = predictions.Model.Spend is null || rows.Count == 0 ? (double?)null : total / rows.Count,
            median_value = predictions.Model.Spend is null || rows.Count == 0 ? (double?)null : (values[(values.Length - 1) / 2] + values[values.Length / 2]) / 2,
            expected_purchases = predictions.TotalPurchases,
            mean_p_alive = rows.Count == 0 ? 0 : rows.Average(r => r.ProbabilityAlive),
            likely_inactive = rows.LongCount(r => r.ProbabilityAlive < 0.5),
            deciles = Deciles(ranked).Select(d => new { decile = d.Decile, customers = d.Customers, value = d.Value, share_of_value = d.Share, mean_p_alive = d.MeanAlive }),
            top = ranked.Take(10).Select(r => new { customer_id = r.CustomerId, value = r.Value, p_alive = r.ProbabilityAlive, expected_purchases = r.ExpectedPurchases, expected_spend = r.ExpectedSpend, x = r.History.X }),
        };
    }

    /// <summary>Customers as <see cref="Ranked"/> orders them, in ten groups of near-equal size, the most valuable first.</summary>
    private static List<(int Decile, long Customers, double Value, double Share, double MeanAlive)> Deciles(List<ClvPrediction> ranked)
    {
        var total = ranked.Sum(r => r.Value ?? 0);
        var result = new List<(int, long, double, double, double)>();
        for (var d = 0; d < 10 && ranked.Count > 0; d++)
        {
            var from = ranked.Count * d / 10;
            var to = ranked.Count * (d + 1) / 10;
            var slice = ranked.Skip(from).Take(to - from).ToList();
            var value = slice.Sum(r => r.Value ?? 0);
            result.Add((d + 1, slice.Count, value, total == 0 ? 0 : value / total, slice.Count == 0 ? 0 : slice.Average(r => r.ProbabilityAlive)));
        }

        return result;
    }

    /// <summary>Customers by value, then expected purchases, then id: sorted once for the deciles, the top and the median.</summary>
    private static List<ClvPrediction> Ranked(ClvPredictions predictions) => predictions.Customers
        .OrderByDescending(r => r.Value ?? 0)
        .ThenByDescending(r => r.ExpectedPurchases)
        .ThenBy(r => r.CustomerId, StringComparer.Ordinal)
        .ToList();

    public static void PrintModel(ClvModel model, bool stored)
    {
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(inv, $"{(model.Model == PurchaseModelKind.BgNbd ? "BG/NBD" : "Pareto/NBD")} + Gamma-Gamma{(stored ? $", model {model.Version}" : "")}: calibration through {Day(model.CalibrationEnd)}, time in {model.Unit.ToString().ToLowerInvariant()}"));
        var table = new Table().Border(TableBorder.Rounded).AddColumns("model", "parameter", "estimate", "std. error");
        foreach (var fit in new[] { model.Purchases, model.Spend }.OfType<ModelFit>())
        {
            foreach (var p in fit.Parameters)
            {
                table.AddRow(fit.Model, p.Name, p.Value.ToString("0.####", inv), p.StandardError?.ToString("0.####", inv) ?? "—");
            }

            table.AddRow(fit.Model, "[dim]ln L[/]", fit.LogLikelihood.ToString("0.##", inv), string.Create(inv, $"[dim]{fit.Customers:N0} customers, {fit.DistinctHistories:N0} distinct[/]"));
        }

        AnsiConsole.Write(table);
        foreach (var warning in model.Warnings)
        {
            CliOutput.Warning(warning);
        }
    }

    public static void PrintPredictions(ClvPredictions predictions, string currency)
    {
        var inv = CultureInfo.InvariantCulture;
        var rows = predictions.Customers;
        var hasValue = predictions.Model.Spend is not null;
        var ranked = Ranked(predictions);
        Console.WriteLine(string.Create(inv, $"Predictions for {rows.Count:N0} customers, histories through {Day(predictions.HistoryEnd)}, over {predictions.Options.HorizonDays / ClvValueOptions.DaysPerMonth:0.#} months, discounted at {predictions.Options.AnnualDiscount:0.##%} a year, margin {predictions.Options.Margin:0.##%}:"));
        Console.WriteLine(string.Create(inv, $"  expected purchases   {predictions.TotalPurchases:N0}"));
        Console.WriteLine(string.Create(inv, $"  mean P(alive)        {(rows.Count == 0 ? 0 : rows.Average(r => r.ProbabilityAlive)):0.###}; {rows.LongCount(r => r.ProbabilityAlive < 0.5):N0} customers below 0.5"));
        if (hasValue)
        {
            Console.WriteLine(string.Create(inv, $"  total value          {predictions.TotalValue:N0} {currency} (mean {(rows.Count == 0 ? 0 : predictions.TotalValue / rows.Count):N2})"));
            var deciles = new Table().Border(TableBorder.Rounded).AddColumns("decile", "customers", "value", "share of value", "mean P(alive)");
            foreach (var d in Deciles(ranked))
            {
                deciles.AddRow(d.Decile.ToString(inv), d.Customers.ToString("N0", inv), d.Value.ToString("N0", inv), SegmentSupport.Percent(d.Share), d.MeanAlive.ToString("0.###", inv));
            }

            AnsiConsole.Write(deciles);
        }

        var top = new Table().Border(TableBorder.Rounded).AddColumns("customer", "value", "P(alive)", "expected purchases", "expected spend", "x");
        foreach (var r in ranked.Take(10))
        {
            top.AddRow(Markup.Escape(r.CustomerId), r.Value?.ToString("N2", inv) ?? "—", r.ProbabilityAlive.ToString("0.###", inv), r.ExpectedPurchases.ToString("0.##", inv), r.ExpectedSpend?.ToString("N2", inv) ?? "—", r.History.X.ToString(inv));
        }

        AnsiConsole.Write(top);
    }
}
