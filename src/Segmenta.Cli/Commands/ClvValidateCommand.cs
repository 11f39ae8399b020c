using System.ComponentModel;
using System.Globalization;
using Segmenta.Cli.Charts;
using Segmenta.Clv;
using Spectre.Console;
using Spectre.Console.Cli;
using Segmenta.Documents;

namespace Segmenta.Cli.Commands;

internal sealed class ClvValidateSettings : SegmentEvaluationSettings
{
    [CommandOption("--model <MODEL>")]
    [Description("The purchase model: mbgnbd (default), bgnbd or pareto.")]
    public string Model { get; init; } = "mbgnbd";

    [CommandOption("--unit <UNIT>")]
    [Description("weeks (default) or days.")]
    public string Unit { get; init; } = "weeks";

    [CommandOption("--calibration-end <DATE>")]
    [Description("The last day of the calibration period (required).")]
    public string? CalibrationEnd { get; init; }

    [CommandOption("--holdout-end <DATE>")]
    [Description("The last day of the holdout. Default: the last whole day before the as-of.")]
    public string? HoldoutEnd { get; init; }

    [CommandOption("--censor <X>")]
    [Description("Calibration purchases from which customers share the last bin (default 7: 0, 1, …, 6, 7+).")]
    public int Censor { get; init; } = 7;

    [CommandOption("--charts <DIR>")]
    [Description("Also draw the comparisons as SVG and PNG charts in this folder.")]
    public string? Charts { get; init; }
}

/// <summary>
/// <c>segmenta clv validate</c>: fits on a calibration period (nothing stored) and compares the predictions
/// with the holdout: purchases by calibration frequency, the cohort's weekly and cumulative purchases.
/// </summary>
internal sealed class ClvValidateCommand : GuardedCommand<ClvValidateSettings>
{
    protected override int Run(ClvValidateSettings settings, CancellationToken cancellation)
    {
        var kind = ClvSupport.Model(settings.Model);
        var unit = ClvSupport.Unit(settings.Unit);
        var calibrationEnd = SegmentSupport.Date("--calibration-end", settings.CalibrationEnd ?? throw new UserInputException("--calibration-end DATE is required (the last day of the calibration period)"));
        if (settings.Censor < 1)
        {
            throw new UserInputException("--censor must be 1 or more");
        }

        var workspace = FindWorkspace(settings);
        var context = SegmentSupport.Context(workspace, settings.AsOf);
        var holdoutEnd = settings.HoldoutEnd is { } h ? SegmentSupport.Date("--holdout-end", h) : ClvAnalysis.LastCompleteDay(context);
        if (holdoutEnd <= calibrationEnd)
        {
            throw new UserInputException($"the holdout must end after the calibration period ({DocumentValues.Day(holdoutEnd)} is not after {DocumentValues.Day(calibrationEnd)})");
        }

        using var warehouse = OpenWarehouse(workspace);
        var validation = ClvValidator.Validate(warehouse, workspace.Settings.Zone, kind, unit, calibrationEnd, holdoutEnd, settings.Censor);
        var charts = settings.Charts is { } folder ? ClvCharts.Write(validation, folder) : [];
        if (settings.Json)
        {
            CliOutput.WriteJson(ClvDocuments.Validation(validation, charts));
            return ExitCodes.Ok;
        }

        Print(validation, charts);
        return ExitCodes.Ok;
    }

    private static void Print(ClvValidation v, IReadOnlyList<string> charts)
    {
        var inv = CultureInfo.InvariantCulture;
        ClvSupport.PrintModel(v.Model, stored: false);
        Console.WriteLine(string.Create(inv, $"Holdout through {DocumentValues.Day(v.HoldoutEnd)} ({v.HoldoutLength:0.#} {v.Model.Unit.ToString().ToLowerInvariant()}), {v.Customers:N0} customers: {v.HoldoutActual:N0} purchases, {v.HoldoutPredicted:N0} predicted ({(v.HoldoutActual == 0 ? 0 : (v.HoldoutPredicted / v.HoldoutActual) - 1):+0.0%;-0.0%}); mean absolute error per customer {v.MeanAbsoluteError:0.###}"));
        var bins = new Table().Border(TableBorder.Rounded).Title("Holdout purchases by calibration purchases").AddColumns("x", "customers", "actual", "predicted");
        foreach (var b in v.ByFrequency)
        {
            bins.AddRow(b.Label, b.Customers.ToString("N0", inv), b.Actual.ToString("0.###", inv), b.Predicted.ToString("0.###", inv));
        }

        AnsiConsole.Write(bins);
        var weeks = new Table().Border(TableBorder.Rounded).Title("Cumulative repeat purchases (every 4th week and the last)").AddColumns("week", "ends", "actual", "predicted");
        foreach (var w in v.Tracking.Where((w, i) => i % 4 == 3 || i == v.Tracking.Count - 1))
        {
            weeks.AddRow(w.Week.ToString(inv), DocumentValues.Day(w.End), w.CumulativeActual.ToString("N0", inv), w.CumulativePredicted.ToString("N0", inv));
        }

        AnsiConsole.Write(weeks);
        foreach (var chart in charts)
        {
            Console.WriteLine($"Wrote {chart}");
        }
    }
}
