using System.ComponentModel;
using System.Globalization;
using Segmenta.Campaigns;
using Segmenta.Configuration;
using Segmenta.Numerics;
using Segmenta.Warehouse;
using Segmenta.Workspaces;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Segmenta.Cli.Commands;

/// <summary>Options of the campaign verbs that name a campaign.</summary>
internal class CampaignSettings : SegmentEvaluationSettings
{
    [CommandArgument(0, "<CAMPAIGN>")]
    [Description("The campaign: NAME for campaigns/NAME.yaml, or a path to a campaign file.")]
    public string Campaign { get; init; } = "";
}

/// <summary>What the campaign verbs share: a launched campaign or exit 2, and the arm counts as a table.</summary>
internal static class CampaignSupport
{
    /// <summary>The launched campaign of that name, or exit 2 saying how to launch it.</summary>
    public static LaunchedCampaign Launched(IWarehouse warehouse, Workspace workspace, string name) =>
        CampaignLauncher.Find(warehouse, name)
        ?? throw new UserInputException($"campaign `{name}` has not been launched"
            + (CampaignFiles.List(workspace).Any(f => Path.GetFileNameWithoutExtension(f) == name) ? $"; run `segmenta campaign launch {name}`" : Suggestions.DidYouMean(name, CampaignLauncher.Launched(warehouse).Select(c => c.Definition.Name))));

    /// <summary>Customers per segment and arm, as a table.</summary>
    public static void PrintCounts(IEnumerable<ArmCount> counts)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumns("segment", "arm", "customers");
        foreach (var c in counts)
        {
            table.AddRow(Markup.Escape(c.Segment), Markup.Escape(c.Arm), c.Customers.ToString("N0", CultureInfo.InvariantCulture));
        }

        AnsiConsole.Write(table);
    }

    public static string Money(double value) => value.ToString("N2", CultureInfo.InvariantCulture);

    /// <summary>
    /// What the campaign caused, each figure with its interval; when the net profit's interval spans zero it says
    /// so first and claims no ROI (the demo and <c>measure</c> print it).
    /// </summary>
    public static string Headline(CampaignTotals t, MoneyIntervals m, double confidence)
    {
        var inv = CultureInfo.InvariantCulture;
        var level = confidence.ToString("0.##%", inv);
        var revenue = $"incremental revenue {Money(t.IncrementalRevenue ?? 0)} ({Money(m.IncrementalRevenue.Low)} to {Money(m.IncrementalRevenue.High)})";
        var net = $"net profit {Money(t.NetProfit ?? 0)} ({Money(m.NetProfit.Low)} to {Money(m.NetProfit.High)})";
        return m.Verdict == "inconclusive"
            ? $"Caused (against the holdouts, {level} intervals): not distinguishable from zero — {net}, {revenue}; no ROI is claimed."
            : $"Caused (against the holdouts, {level} intervals): a {m.Verdict} — {net}, {revenue}, ROI {(t.Roi is { } roi ? roi.ToString("0.0%", inv) : "—")} ({(m.Roi is { } r ? $"{r.Low.ToString("0.0%", inv)} to {r.High.ToString("0.0%", inv)}" : "—")}).";
    }

    public static string Share(double value) => double.IsFinite(value) ? (value * 100).ToString("0.00", CultureInfo.InvariantCulture) + "%" : "—";

    public static string P(double p) => !double.IsFinite(p) ? "—" : p < 0.0001 ? "<0.0001" : p.ToString("0.0000", CultureInfo.InvariantCulture);
}
