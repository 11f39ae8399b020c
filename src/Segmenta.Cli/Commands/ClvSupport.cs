using System.ComponentModel;
using System.Globalization;
using Segmenta.Clv;
using Segmenta.Features;
using Spectre.Console;
using Spectre.Console.Cli;
using Segmenta.Documents;

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
    [Description("The share of revenue that is profit, in (0, 1]]; 1 (default) values revenue.")]
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

    public static PurchaseModelKind Model(string text) => ClvFitter.ParseModel(text) switch
    {
        null => throw new UserInputException($"--model: unknown model `{text}`; expected {ClvFitter.ModelNames}"),
        PurchaseModelKind.BgBb => throw new UserInputException("--model bgbb: BG/BB is the model for discrete opportunities (x donations in n yearly appeals); a workspace's purchases are in continuous time, so use mbgnbd, bgnbd or pareto (docs/clv.md)"),
        var kind => kind.Value,
    };

    /// <summary>The calibration end: the given day, or the last whole day before the as-of; never on or after the as-of.</summary>
    public static DateOnly CalibrationEnd(string? text, Language.EvaluationContext context)
    {
        var last = ClvAnalysis.LastCompleteDay(context);
        var end = text is null ? last : SegmentSupport.Date("--calibration-end", text);
        return end <= last ? end : throw new UserInputException($"--calibration-end {DocumentValues.Day(end)} is not before the as-of; the last whole day is {DocumentValues.Day(last)}");
    }

    /// <summary>The repeat-purchase summary's unit (also for <c>rfm summary</c>).</summary>
    public static SummaryUnit Unit(string text) => text.ToLowerInvariant() switch
    {
        "weeks" or "week" => SummaryUnit.Weeks,
        "days" or "day" => SummaryUnit.Days,
        _ => throw new UserInputException($"--unit: unknown unit `{text}`; expected weeks or days"),
    };

    public static void PrintModel(ClvModel model, bool stored)
    {
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(inv, $"{ClvFitter.DisplayName(model.Model)} + Gamma-Gamma{(stored ? $", model {model.Version}" : "")}: calibration through {DocumentValues.Day(model.CalibrationEnd)}, time in {model.Unit.ToString().ToLowerInvariant()}"));
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
        if (model.Diagnostics is { } d)
        {
            Console.WriteLine(string.Create(inv, $"P(alive) at the calibration end: mean {d.MeanProbabilityAlive:0.###}, {d.ShareAlmostSurelyAlive:0.0%} of customers at 0.99 or more; {d.OneTimeBuyers:N0} one-time buyers"));
            Console.WriteLine(d.Holdout is { } h
                ? string.Create(inv, $"Holdout check: refitted through {DocumentValues.Day(h.CalibrationEnd)}, {h.Predicted:N0} purchases predicted to {DocumentValues.Day(h.HoldoutEnd)}, {h.Actual:N0} made ({(double.IsFinite(h.RelativeError) ? h.RelativeError.ToString("+0.0%;-0.0%", inv) : "none made")}), mean absolute error {h.MeanAbsoluteError:0.###} per customer")
                : $"Holdout check: not made ({d.HoldoutSkipped})");
        }

        foreach (var warning in model.Warnings)
        {
            CliOutput.Warning(warning);
        }
    }

    /// <summary>Prints the predictions' summary (<see cref="AnalysisDocuments.Predictions"/>): totals, value deciles, the top ten.</summary>
    public static void PrintPredictions(PredictionsDocument predictions, string currency)
    {
        var inv = CultureInfo.InvariantCulture;
        var n = predictions.Customers;
        Console.WriteLine(string.Create(inv, $"Predictions for {n:N0} customers, histories through {predictions.HistoryEnd}, over {predictions.HorizonDays / ClvValueOptions.DaysPerMonth:0.#} months, discounted at {predictions.Discount:0.##%} a year, margin {predictions.Margin:0.##%}:"));
        Console.WriteLine(string.Create(inv, $"  expected purchases   {predictions.ExpectedPurchases:N0}"));
        Console.WriteLine(string.Create(inv, $"  mean P(alive)        {predictions.MeanPAlive:0.###}; {predictions.LikelyInactive:N0} customers below 0.5"));
        if (predictions.TotalValue is { } total)
        {
            Console.WriteLine(string.Create(inv, $"  total value          {total:N0} {currency} (mean {predictions.MeanValue ?? 0:N2})"));
            var deciles = new Table().Border(TableBorder.Rounded).AddColumns("decile", "customers", "value", "share of value", "mean P(alive)");
            foreach (var d in predictions.Deciles)
            {
                deciles.AddRow(d.Decile.ToString(inv), d.Customers.ToString("N0", inv), d.Value.ToString("N0", inv), SegmentSupport.Percent(d.ShareOfValue), d.MeanPAlive.ToString("0.###", inv));
            }

            AnsiConsole.Write(deciles);
        }

        var top = new Table().Border(TableBorder.Rounded).AddColumns("customer", "value", "P(alive)", "expected purchases", "expected spend", "x");
        foreach (var r in predictions.Top)
        {
            top.AddRow(Markup.Escape(r.CustomerId), r.Value?.ToString("N2", inv) ?? "—", r.PAlive.ToString("0.###", inv), r.ExpectedPurchases.ToString("0.##", inv), r.ExpectedSpend?.ToString("N2", inv) ?? "—", r.X.ToString(inv));
        }

        AnsiConsole.Write(top);
    }
}
