using System.ComponentModel;
using System.Globalization;
using Segmenta.Campaigns;
using Segmenta.Cli.Charts;
using Spectre.Console;
using Spectre.Console.Cli;
using Segmenta.Documents;

namespace Segmenta.Cli.Commands;

internal sealed class MeasureSettings : WorkspaceSettingsBase
{
    [CommandArgument(0, "<CAMPAIGN>")]
    [Description("The launched campaign's name.")]
    public string Campaign { get; init; } = "";

    [CommandOption("--as-of <INSTANT>")]
    [Description("Count outcomes up to this instant (default: the end of the outcome window).")]
    public string? AsOf { get; init; }

    [CommandOption("--confidence <LEVEL>")]
    [Description("Confidence level of every interval (default 0.95).")]
    public double Confidence { get; init; } = 0.95;

    [CommandOption("--correction <METHOD>")]
    [Description("Multiple-comparison adjustment across segments: holm (default, family-wise error) or bh (Benjamini-Hochberg, false discovery rate).")]
    public string Correction { get; init; } = "holm";

    [CommandOption("--bootstrap <N>")]
    [Description("Bootstrap resamples for heavy-tailed means (default 2000; 0 for Welch intervals only).")]
    public int Bootstrap { get; init; } = 2000;

    [CommandOption("--charts <DIR>")]
    [Description("Write lift charts (SVG and PNG) into this folder.")]
    public string? Charts { get; init; }
}

/// <summary>
/// <c>segmenta measure</c>: what a launched campaign caused, per segment and arm against the holdout (and
/// each segment's own variant against the broadcast arm), with intervals, adjusted p-values, money and ROI.
/// </summary>
internal sealed class MeasureCommand : GuardedCommand<MeasureSettings>
{
    protected override int Run(MeasureSettings settings, CancellationToken cancellation)
    {
        if (settings.Confidence is not (> 0.5 and < 1) || settings.Bootstrap < 0)
        {
            throw new UserInputException("--confidence must be between 0.5 and 1 and --bootstrap zero or more");
        }

        var correction = settings.Correction.ToLowerInvariant() switch
        {
            "holm" => MultipleComparison.Holm,
            "bh" or "benjamini-hochberg" or "fdr" => MultipleComparison.BenjaminiHochberg,
            _ => throw new UserInputException($"--correction: unknown method `{settings.Correction}`; expected holm or bh"),
        };
        var workspace = FindWorkspace(settings);
        DateTime? asOf = settings.AsOf is null ? null : SegmentSupport.Context(workspace, settings.AsOf).AsOf;
        using var warehouse = OpenWarehouse(workspace);
        var campaign = CampaignSupport.Launched(warehouse, workspace, settings.Campaign);
        var result = CampaignMeasurement.Measure(warehouse, campaign, workspace.Settings.Zone, new MeasureOptions(settings.Confidence, correction, settings.Bootstrap, asOf), cancellation);
        var charts = settings.Charts is { } folder ? CampaignCharts.Write(result, folder) : [];
        if (settings.Json)
        {
            CliOutput.WriteJson(CampaignDocuments.Measurement(result, charts));
            return ExitCodes.Ok;
        }

        Print(result, workspace.Settings.Currency);
        foreach (var chart in charts.Where(c => c.EndsWith(".svg", StringComparison.Ordinal)))
        {
            Console.WriteLine($"Chart: {chart} (and .png)");
        }

        return ExitCodes.Ok;
    }

    public static void Print(CampaignResult r, string currency)
    {
        var inv = CultureInfo.InvariantCulture;
        var d = r.Campaign.Definition;
        Console.WriteLine(string.Create(inv, $"Campaign {d.Name}: {r.Campaign.Customers:N0} customers (audience as of {SegmentSupport.Iso(r.Campaign.AsOf)}), outcomes {SegmentSupport.Iso(r.From)} to {SegmentSupport.Iso(r.To)}{(r.WindowComplete ? "" : " — the window is not over")}"));
        if (r.LatestEvent is { } latest && latest < r.To)
        {
            Console.WriteLine($"Note: the newest event in the warehouse is at {SegmentSupport.Iso(latest)}, before the end of what is measured: if outcomes still arrive, measure again later.");
        }

        var arms = new Table().Border(TableBorder.Rounded).AddColumns("segment", "arm", "recipients", "open", "click", "visit", "conversion (CI)", "revenue/recipient", "AOV", "cost");
        foreach (var a in r.Arms)
        {
            arms.AddRow(
                Markup.Escape(a.Segment),
                Markup.Escape(a.Arm),
                a.Recipients.ToString("N0", inv),
                CampaignSupport.Share(a.OpenRate),
                CampaignSupport.Share(a.ClickRate),
                CampaignSupport.Share(a.VisitRate),
                $"{CampaignSupport.Share(a.ConversionRate)} ({CampaignSupport.Share(a.ConversionInterval.Low)}–{CampaignSupport.Share(a.ConversionInterval.High)})",
                a.RevenuePerRecipient.ToString("N3", inv),
                a.AverageOrderValue?.ToString("N2", inv) ?? "—",
                CampaignSupport.Money(a.Cost));
        }

        AnsiConsole.Write(arms);
        var correction = r.Options.Correction == MultipleComparison.Holm ? "Holm" : "Benjamini-Hochberg";
        Console.WriteLine(string.Create(inv, $"Lift ({r.Options.Confidence:0.##%} intervals: Newcombe for rates; Welch or bootstrap (b) for means; p adjusted across segments by {correction}):"));
        var lifts = new Table().Border(TableBorder.Rounded).AddColumns("segment", "arm", "vs", "conversion lift (CI)", "p adj.", "visit lift", "revenue/recipient lift (CI)", "p adj.", "incr. revenue (CI)", "net profit (CI)", "ROI", "CLV uplift");
        foreach (var c in r.Comparisons)
        {
            var rev = c.RevenuePerRecipient;
            lifts.AddRow(
                Markup.Escape(c.Segment),
                Markup.Escape(c.Arm),
                c.Against,
                $"{Signed(c.Conversion.Difference)} ({Signed(c.Conversion.Interval.Low)}, {Signed(c.Conversion.Interval.High)})",
                CampaignSupport.P(c.Conversion.AdjustedP),
                Signed(c.Visit.Difference),
                string.Create(inv, $"{rev.Difference:+0.000;-0.000} ({rev.Interval.Low:+0.000;-0.000}, {rev.Interval.High:+0.000;-0.000}){(rev.Method == "bootstrap" ? " b" : "")}"),
                CampaignSupport.P(rev.AdjustedP),
                $"{CampaignSupport.Money(c.IncrementalRevenue)} ({CampaignSupport.Money(c.Money.IncrementalRevenue.Low)}, {CampaignSupport.Money(c.Money.IncrementalRevenue.High)})",
                $"{CampaignSupport.Money(c.NetProfit)} ({CampaignSupport.Money(c.Money.NetProfit.Low)}, {CampaignSupport.Money(c.Money.NetProfit.High)})",
                c.Money.Verdict == "inconclusive" ? "[dim]not distinguishable from 0[/]" : c.Roi is { } roi ? roi.ToString("0.0%", inv) : "—",
                c.ClvUplift is { } u ? CampaignSupport.Money(u) : "—");
        }

        AnsiConsole.Write(lifts);
        var t = r.Totals;
        Console.WriteLine(string.Create(inv, $"Totals: {t.Contacts:N0} contacts, {t.Conversions:N0} converted ({CampaignSupport.Share(t.Contacts == 0 ? 0 : (double)t.Conversions / t.Contacts)}), revenue {CampaignSupport.Money(t.Revenue)} {currency}, cost {CampaignSupport.Money(t.Cost)}, profit {CampaignSupport.Money(t.Profit)} at margin {d.Margin:0.##%} (every contacted conversion)"));
        if (t.IncrementalRevenue is { } incremental && t.Money is { } m)
        {
            Console.WriteLine(CampaignSupport.Headline(t, m, r.Options.Confidence));
        }
        else
        {
            Console.WriteLine("No holdout: what the campaign caused cannot be separated from what would have happened anyway.");
        }

        string Signed(double v) => double.IsFinite(v) ? (v >= 0 ? "+" : "") + CampaignSupport.Share(v) : "—";
    }
}
