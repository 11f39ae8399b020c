using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Segmenta.Rfm;
using Segmenta.Segments;
using Spectre.Console;
using Spectre.Console.Cli;
using Segmenta.Documents;
using Segmenta.Features;

namespace Segmenta.Cli.Commands;

internal sealed class RfmSettings : AnalysisSettings
{
    [CommandOption("--bins <N>")]
    [Description("Scores run 1..N (2–10). Default: segmenta.yaml's rfm.bins, else 5.")]
    public int? Bins { get; init; }

    [CommandOption("--method <METHOD>")]
    [Description("quantiles (cut at the quantiles) or ranks (by rank); both give equal values equal scores. Default: segmenta.yaml's rfm.method, else quantiles.")]
    public string? Method { get; init; }

    [CommandOption("--store")]
    [Description("Also store the scores in rfm_scores with their as-of (replacing any stored at that instant), for later comparison.")]
    public bool Store { get; init; }
}

/// <summary><c>segmenta rfm</c>: RFM scores of every customer with an order, the named segments and the R×F grid.</summary>
internal sealed class RfmCommand : GuardedCommand<RfmSettings>
{
    protected override int Run(RfmSettings settings, CancellationToken cancellation)
    {
        var format = SegmentSupport.Format(settings.Format);
        var workspace = FindWorkspace(settings);
        var options = workspace.Settings.Rfm;
        if (settings.Bins is { } bins)
        {
            options = options with { Bins = RfmOptions.CheckBins(bins) is { } problem ? throw new UserInputException("--bins: " + problem) : bins };
        }

        if (settings.Method is { } methodText)
        {
            options = options with { Method = RfmOptions.TryParseMethod(methodText, out var method) is { } problem ? throw new UserInputException("--method: " + problem) : method };
        }

        using var warehouse = OpenWarehouse(workspace);
        var clock = Stopwatch.StartNew();
        var context = OrderSummary.Prepare(warehouse, SegmentSupport.Context(workspace, settings.AsOf));
        var report = settings.Store
            ? RfmAnalysis.Materialize(warehouse, context, options, TimeProvider.System.GetUtcNow().UtcDateTime, cancellation)
            : RfmAnalysis.Compute(warehouse, context, options);
        var seconds = clock.Elapsed.TotalSeconds;
        string? path = null;
        if (settings.Out is { } file)
        {
            var rows = settings.Store ? RfmAnalysis.Stored(warehouse.Dialect, context.AsOf) : RfmAnalysis.Scores(warehouse.Dialect, context, options);
            AudienceExport.WriteQuery(warehouse, rows, RfmAnalysis.StoredColumns, format, file);
            path = Path.GetFullPath(file);
        }

        if (settings.Json)
        {
            CliOutput.WriteJson(AnalysisDocuments.Rfm(report, settings.Store, path, seconds));
        }
        else
        {
            Print(report, workspace.Settings.Currency, seconds);
            if (path is not null)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Wrote the scores of {report.Scored:N0} customers to {path}"));
            }
        }

        return ExitCodes.Ok;
    }

    /// <summary>The named segments as a table, then the R×F grid.</summary>
    internal static void Print(RfmReport report, string currency, double? seconds)
    {
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(inv, $"RFM as of {SegmentSupport.Iso(report.AsOf)}: {report.Scored:N0} of {report.Customers:N0} customers scored ({report.Options.Bins} bins, {RfmOptions.MethodName(report.Options.Method)}){(seconds is { } elapsed ? $" in {elapsed:0.0} s" : "")}"));
        var table = new Table().Border(TableBorder.Simple);
        foreach (var column in new[] { "segment", "customers", "share", $"revenue ({currency})", "share of revenue", "avg R", "avg F", "avg M" })
        {
            table.AddColumn(Markup.Escape(column), c => c.Alignment = column == "segment" ? Justify.Left : Justify.Right);
        }

        foreach (var s in report.Segments)
        {
            table.AddRow(
                Markup.Escape(s.Segment),
                s.Customers.ToString("N0", inv),
                SegmentSupport.Percent(s.Share),
                s.Revenue.ToString("N2", inv),
                SegmentSupport.Percent(s.ShareOfRevenue),
                s.AvgR.ToString("0.00", inv),
                s.AvgF.ToString("0.00", inv),
                s.AvgM.ToString("0.00", inv));
        }

        table.AddRow(
            "(no purchases)",
            report.WithoutPurchases.ToString("N0", inv),
            SegmentSupport.Percent(report.Customers == 0 ? 0 : (double)report.WithoutPurchases / report.Customers),
            "", "", "", "", "");
        AnsiConsole.Write(table);

        Console.WriteLine("R×F grid: customers and revenue per cell (R = recency score across, F = frequency score down; 5 is best).");
        var grid = new Table().Border(TableBorder.Simple);
        grid.AddColumn("");
        var bins = report.Options.Bins;
        for (var r = 1; r <= bins; r++)
        {
            grid.AddColumn(string.Create(inv, $"R={r}"), c => c.Alignment = Justify.Right);
        }

        for (var f = bins; f >= 1; f--)
        {
            var row = new List<string> { string.Create(inv, $"F={f}") };
            for (var r = 1; r <= bins; r++)
            {
                var cell = report.Grid.First(c => c.R == r && c.F == f);
                row.Add(cell.Customers == 0 ? "·" : string.Create(inv, $"{cell.Customers:N0} / {Compact(cell.Revenue)}"));
            }

            grid.AddRow(row.ToArray());
        }

        AnsiConsole.Write(grid);
        Console.WriteLine("Each segment is also a segment of its own: segment preview rfm_champions; in segments: rfm.segment = \"Champions\", rfm.r >= 4.");
    }

    private static string Compact(decimal value)
    {
        var inv = CultureInfo.InvariantCulture;
        var abs = Math.Abs(value);
        return abs >= 1_000_000 ? (value / 1_000_000).ToString("0.0", inv) + "M"
            : abs >= 1_000 ? (value / 1_000).ToString("0.0", inv) + "k"
            : value.ToString("0", inv);
    }
}
