using System.ComponentModel;
using Segmenta.Clv;
using Segmenta.Segments;
using Spectre.Console.Cli;
using Segmenta.Documents;

namespace Segmenta.Cli.Commands;

internal sealed class ClvFitSettings : ClvValueSettings
{
    [CommandOption("--model <MODEL>")]
    [Description("The purchase model: mbgnbd (default), bgnbd or pareto. Spend is always Gamma-Gamma.")]
    public string Model { get; init; } = "mbgnbd";

    [CommandOption("--unit <UNIT>")]
    [Description("weeks (default) or days: the time unit of t_x, T and the rate parameters.")]
    public string Unit { get; init; } = "weeks";

    [CommandOption("--calibration-end <DATE>")]
    [Description("The last day the fit sees. Default: the last whole day before the as-of.")]
    public string? CalibrationEnd { get; init; }

    [CommandOption("--dry-run")]
    [Description("Fit and report without storing the model or predictions.")]
    public bool DryRun { get; init; }
}

/// <summary>
/// <c>segmenta clv fit</c>: fits the purchase model and Gamma-Gamma to every customer's history through the
/// calibration end, stores the fit as the next version and every customer's predictions from it.
/// </summary>
internal sealed class ClvFitCommand : GuardedCommand<ClvFitSettings>
{
    protected override int Run(ClvFitSettings settings, CancellationToken cancellation)
    {
        var format = SegmentSupport.Format(settings.Format);
        if (settings.DryRun && settings.Out is not null)
        {
            throw new UserInputException("--out writes the stored predictions; leave out --dry-run");
        }

        var kind = ClvSupport.Model(settings.Model);
        var unit = ClvSupport.Unit(settings.Unit);
        var options = ClvSupport.ValueOptions(settings);
        var workspace = FindWorkspace(settings);
        var context = SegmentSupport.Context(workspace, settings.AsOf);
        var end = ClvSupport.CalibrationEnd(settings.CalibrationEnd, context);

        using var warehouse = OpenWarehouse(workspace);
        var days = PurchaseDays.Read(warehouse, workspace.Settings.Zone, end);
        var customers = days.Calibration(unit);
        var model = ClvAnalysis.FitAndDiagnose(days, customers, kind, unit, end);
        var predictions = ClvAnalysis.Predict(model, customers, end, options);
        var summary = ClvPredictCommand.Summarize(predictions);
        if (!settings.DryRun)
        {
            model = ClvAnalysis.Store(warehouse, model, TimeProvider.System.GetUtcNow().UtcDateTime, predictions, cancellation);
        }

        var path = ClvPredictCommand.WriteRows(warehouse, settings, format);
        if (settings.Json)
        {
            CliOutput.WriteJson(new ClvFitDocument(AnalysisDocuments.Model(model, !settings.DryRun), summary.GetAwaiter().GetResult(), path));
            return ExitCodes.Ok;
        }

        ClvSupport.PrintModel(model, !settings.DryRun);
        ClvSupport.PrintPredictions(summary.GetAwaiter().GetResult(), workspace.Settings.Currency);
        if (path is not null)
        {
            Console.WriteLine($"Wrote every customer's predictions to {path}");
        }

        if (!settings.DryRun)
        {
            Console.WriteLine("Segments can use clv.value, clv.p_alive, clv.expected_purchases and clv.expected_spend.");
        }

        return ExitCodes.Ok;
    }
}
