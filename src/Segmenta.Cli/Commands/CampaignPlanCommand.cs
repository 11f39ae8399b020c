using System.ComponentModel;
using System.Globalization;
using Segmenta.Campaigns;
using Spectre.Console;
using Spectre.Console.Cli;
using Segmenta.Documents;

namespace Segmenta.Cli.Commands;

internal sealed class CampaignPlanSettings : CampaignSettings
{
    [CommandOption("--alpha <LEVEL>")]
    [Description("Family-wise significance level across the segments (default 0.05; each segment is planned at alpha / segments).")]
    public double Alpha { get; init; } = 0.05;

    [CommandOption("--power <SHARE>")]
    [Description("The power the minimum detectable effects are for (default 0.8).")]
    public double Power { get; init; } = 0.8;

    [CommandOption("--lift <SHARE>")]
    [Description("A relative conversion lift to report the power for (0.2 = +20%).")]
    public double? Lift { get; init; }

    [CommandOption("--base-rate <SHARE>")]
    [Description("Assume this holdout conversion rate over the window (0.05 = 5%) instead of measuring it on the segment's members one window earlier.")]
    public double? BaseRate { get; init; }
}

/// <summary><c>segmenta campaign plan</c>: per segment, arm sizes and the smallest conversion lift the holdout can detect.</summary>
internal sealed class CampaignPlanCommand : GuardedCommand<CampaignPlanSettings>
{
    protected override int Run(CampaignPlanSettings settings, CancellationToken cancellation)
    {
        var workspace = FindWorkspace(settings);
        var definition = CampaignFiles.LoadNameOrPath(workspace, settings.Campaign);
        var context = SegmentSupport.Context(workspace, settings.AsOf);
        using var warehouse = OpenWarehouse(workspace);
        var library = SegmentSupport.Load(workspace, warehouse);
        var plan = CampaignPlanner.Plan(warehouse, library, definition, context, settings.Alpha, settings.Power, settings.Lift, settings.BaseRate);
        if (settings.Json)
        {
            CliOutput.WriteJson(CampaignDocuments.Plan(plan, definition));
            return ExitCodes.Ok;
        }

        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(inv, $"Plan for {definition.Name} as of {SegmentSupport.Iso(plan.AsOf)}: holdout {definition.Holdout:0.##%}, alpha {plan.Alpha} over {plan.Segments.Count} segment(s) ({plan.AlphaPerTest:0.####} each), power {plan.Power:0.##%}"));
        Console.WriteLine(settings.BaseRate is { } assumed
            ? string.Create(inv, $"Base rate: assumed {CampaignSupport.Share(assumed)} (--base-rate) for every segment.")
            : string.Create(inv, $"Base rate: each segment's members as of {SegmentSupport.Iso(plan.ReferenceAsOf)}, the share of them converting in the {definition.Outcome.WindowDays:0.##} days after (what a holdout launched then saw); \"none\" where the segment had no members then — give --base-rate."));
        if (plan.Consent is { } consent)
        {
            Console.WriteLine(SegmentSupport.ConsentLine(consent));
        }

        var table = new Table().Border(TableBorder.Rounded).AddColumns("segment", "customers", "holdout", "variant", "broadcast", "base rate", "detectable lift", "relative", "vs broadcast", settings.Lift is { } l ? string.Create(inv, $"power at {l:+0.##%}") : "");
        foreach (var s in plan.Segments)
        {
            table.AddRow(
                Markup.Escape(s.Segment),
                s.Customers.ToString("N0", inv),
                s.Holdout.ToString("N0", inv),
                s.Variant.ToString("N0", inv),
                s.Broadcast.ToString("N0", inv),
                s.BaseRateReference == "none" ? "none" : CampaignSupport.Share(s.BaseRate),
                "+" + CampaignSupport.Share(s.DetectableVsHoldout),
                s.RelativeDetectableVsHoldout is { } r ? "+" + CampaignSupport.Share(r) : "—",
                s.DetectableVsBroadcast is { } b ? "+" + CampaignSupport.Share(b) : "—",
                s.PowerAtTarget is { } p ? CampaignSupport.Share(p) : "");
        }

        AnsiConsole.Write(table);
        return ExitCodes.Ok;
    }
}
