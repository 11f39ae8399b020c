using System.ComponentModel;
using System.Globalization;
using Segmenta.Documents;
using Segmenta.Features;
using Segmenta.Segments;
using Spectre.Console.Cli;

namespace Segmenta.Cli.Commands;

internal sealed class RfmSummarySettings : WorkspaceSettingsBase
{
    [CommandOption("--calibration-end <DATE>")]
    [Description("The last day of the calibration period (a date in the workspace time zone; required).")]
    public string? CalibrationEnd { get; init; }

    [CommandOption("--holdout-end <DATE>")]
    [Description("The last day of a holdout period after it: x_holdout and holdout_spend count purchases up to it.")]
    public string? HoldoutEnd { get; init; }

    [CommandOption("--unit <UNIT>")]
    [Description("weeks (default) or days: the unit of t_x and T.")]
    public string Unit { get; init; } = "weeks";

    [CommandOption("-o|--out <FILE>")]
    [Description("Write one row per customer (customer_id, x, t_x, t, mean_repeat_spend, x_holdout, holdout_spend).")]
    public string? Out { get; init; }

    [CommandOption("-f|--format <FORMAT>")]
    [Description("The --out file's format: csv (default), json or parquet.")]
    public string Format { get; init; } = "csv";
}

/// <summary>
/// <c>segmenta rfm summary</c>: the per-customer repeat-purchase summary (x, t_x, T, mean repeat spend,
/// holdout purchases) that the lifetime-value models read, as in the BTYD literature.
/// </summary>
internal sealed class RfmSummaryCommand : GuardedCommand<RfmSummarySettings>
{
    protected override int Run(RfmSummarySettings settings, CancellationToken cancellation)
    {
        var format = SegmentSupport.Format(settings.Format);
        var calibrationEnd = SegmentSupport.Date("--calibration-end", settings.CalibrationEnd ?? throw new UserInputException("--calibration-end DATE is required (the last day of the calibration period)"));
        DateOnly? holdoutEnd = settings.HoldoutEnd is { } h ? SegmentSupport.Date("--holdout-end", h) : null;
        if (holdoutEnd <= calibrationEnd)
        {
            throw new UserInputException("--holdout-end must come after --calibration-end");
        }

        var unit = ClvSupport.Unit(settings.Unit);
        var workspace = FindWorkspace(settings);
        using var warehouse = OpenWarehouse(workspace);
        var period = new SummaryPeriod(calibrationEnd, holdoutEnd, unit);
        var query = RepeatPurchaseSummary.Query(warehouse.Dialect, workspace.Settings.Zone, period);
        long customers = 0, repeaters = 0, holdoutTransactions = 0;
        double sumX = 0, sumT = 0;
        warehouse.Read(query, r =>
        {
            customers++;
            var x = r.GetInt64(1);
            repeaters += x > 0 ? 1 : 0;
            sumX += x;
            sumT += r.GetDouble(3);
            holdoutTransactions += r.GetInt64(5);
        });
        string? path = null;
        if (settings.Out is { } file)
        {
            AudienceExport.WriteQuery(warehouse, query, RepeatPurchaseSummary.Columns, format, file);
            path = Path.GetFullPath(file);
        }

        var unitName = unit.ToString().ToLowerInvariant();
        if (settings.Json)
        {
            CliOutput.WriteJson(new RepeatSummaryDocument(
                DocumentValues.Day(calibrationEnd),
                holdoutEnd is { } end ? DocumentValues.Day(end) : null,
                unitName,
                customers,
                repeaters,
                customers == 0 ? 0 : Math.Round(sumX / customers, 6),
                customers == 0 ? 0 : Math.Round(sumT / customers, 6),
                holdoutTransactions,
                Math.Round(period.HoldoutLength, 6),
                path));
            return ExitCodes.Ok;
        }

        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(inv, $"Repeat-purchase summary, calibration through {calibrationEnd:yyyy-MM-dd}{(holdoutEnd is { } he ? $", holdout through {he:yyyy-MM-dd} ({period.HoldoutLength:0.##} {unitName})" : "")}, in {unitName}:"));
        Console.WriteLine(string.Create(inv, $"  customers who bought by then   {customers:N0}"));
        Console.WriteLine(string.Create(inv, $"  of whom bought again (x > 0)   {repeaters:N0} ({SegmentSupport.Percent(customers == 0 ? 0 : (double)repeaters / customers)})"));
        Console.WriteLine(string.Create(inv, $"  mean repeat transactions x     {(customers == 0 ? 0 : sumX / customers):0.###}"));
        Console.WriteLine(string.Create(inv, $"  mean age T                     {(customers == 0 ? 0 : sumT / customers):0.###} {unitName}"));
        if (holdoutEnd is not null)
        {
            Console.WriteLine(string.Create(inv, $"  holdout transactions           {holdoutTransactions:N0}"));
        }

        if (path is not null)
        {
            Console.WriteLine(string.Create(inv, $"Wrote {customers:N0} rows to {path}"));
        }

        return ExitCodes.Ok;
    }
}
