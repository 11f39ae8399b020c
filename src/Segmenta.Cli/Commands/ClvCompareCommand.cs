using System.ComponentModel;
using System.Globalization;
using Segmenta.Clv;
using Segmenta.Documents;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Segmenta.Cli.Commands;

internal sealed class ClvCompareSettings : AnalysisSettings
{
    [CommandOption("--unit <UNIT>")]
    [Description("weeks (default) or days: the time unit of t_x, T and the rate parameters.")]
    public string Unit { get; init; } = "weeks";

    [CommandOption("--calibration-end <DATE>")]
    [Description("The last day the fits see. Default: the last whole day before the as-of.")]
    public string? CalibrationEnd { get; init; }
}

/// <summary>
/// <c>segmenta clv compare</c>: BG/NBD, MBG/NBD and Pareto/NBD on the workspace's histories, each with its
/// diagnostics (ln L, holdout check, P(alive) spread, warnings), and the one to use. Nothing is stored.
/// Exit 0 when a model fits cleanly, 1 (findings) when none does.
/// </summary>
internal sealed class ClvCompareCommand : GuardedCommand<ClvCompareSettings>
{
    protected override int Run(ClvCompareSettings settings, CancellationToken cancellation)
    {
        var unit = ClvSupport.Unit(settings.Unit);
        var workspace = FindWorkspace(settings);
        var context = SegmentSupport.Context(workspace, settings.AsOf);
        var end = ClvSupport.CalibrationEnd(settings.CalibrationEnd, context);
        using var warehouse = OpenWarehouse(workspace);
        var days = PurchaseDays.Read(warehouse, workspace.Settings.Zone, end);
        var customers = days.Calibration(unit);
        var holdout = ClvDiagnosis.Holdout(days, unit, end, customers);
        var result = ClvComparison.Compare(kind => ClvAnalysis.FitAndDiagnose(customers, kind, unit, end, holdout));
        var exit = result.Recommended is null ? ExitCodes.Findings : ExitCodes.Ok;
        if (settings.Json)
        {
            CliOutput.WriteJson(ClvDocuments.Comparison(result, end, unit, customers.Count));
            return exit;
        }

        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(inv, $"Purchase models on {customers.Count:N0} customers, calibration through {DocumentValues.Day(end)} (nothing stored):"));
        var table = new Table().Border(TableBorder.Rounded).AddColumns("model", "ln L", "holdout predicted", "holdout actual", "error", "MAE / customer", "mean P(alive)", "P(alive) ≥ 0.99", "warnings");
        foreach (var c in result.Candidates)
        {
            if (c.Model is not { } m)
            {
                table.AddRow(ClvFitter.ModelName(c.Kind), "failed", "", "", "", "", "", "", Markup.Escape(c.Problem ?? ""));
                continue;
            }

            var d = m.Diagnostics!;
            var h = d.Holdout;
            table.AddRow(
                ClvFitter.ModelName(c.Kind),
                m.Purchases.LogLikelihood.ToString("N2", inv),
                h?.Predicted.ToString("N0", inv) ?? "—",
                h?.Actual.ToString("N0", inv) ?? "—",
                h is null || !double.IsFinite(h.RelativeError) ? "—" : h.RelativeError.ToString("+0.0%;-0.0%", inv),
                h?.MeanAbsoluteError.ToString("0.###", inv) ?? "—",
                d.MeanProbabilityAlive.ToString("0.###", inv),
                d.ShareAlmostSurelyAlive.ToString("0.0%", inv),
                (m.Purchases.Warnings.Count + d.Warnings.Count).ToString(inv));
        }

        AnsiConsole.Write(table);
        if (result.Candidates.FirstOrDefault(c => c.Model?.Diagnostics?.HoldoutSkipped is not null)?.Model?.Diagnostics?.HoldoutSkipped is { } skipped)
        {
            Console.WriteLine($"No holdout check: {skipped}.");
        }

        foreach (var c in result.Candidates.Where(c => c.Model is not null))
        {
            foreach (var warning in c.Model!.Purchases.Warnings.Concat(c.Model.Diagnostics!.Warnings))
            {
                CliOutput.Warning(warning);
            }
        }

        Console.WriteLine(result.Recommended is { } best
            ? $"Use {ClvFitter.ModelName(best)}: {result.Reason}. (clv fit uses {ClvFitter.ModelName(ClvFitter.DefaultModel)} unless --model says otherwise.)"
            : $"No recommendation: {result.Reason}.");
        return exit;
    }
}
