using System.ComponentModel;
using System.Globalization;
using Segmenta.Campaigns;
using Segmenta.Documents;
using Spectre.Console.Cli;

namespace Segmenta.Cli.Commands;

internal sealed class ReadoutSettings : WorkspaceSettingsBase
{
    [CommandArgument(0, "<CAMPAIGN>")]
    [Description("The launched campaign's name.")]
    public string Campaign { get; init; } = "";

    [CommandOption("--as-of <INSTANT>")]
    [Description("Count outcomes up to this instant (default: now, at most the end of the outcome window).")]
    public string? AsOf { get; init; }

    [CommandOption("--confidence <LEVEL>")]
    [Description("Confidence level of every interval and sequence (default 0.95).")]
    public double Confidence { get; init; } = 0.95;

    [CommandOption("--no-cuped")]
    [Description("Do not adjust by the pre-period (CUPED is on by default).")]
    public bool NoCuped { get; init; }

    [CommandOption("--pre-window <DAYS>")]
    [Description("Days before the send whose same metric is the covariate (default: the outcome window's length).")]
    public double? PreWindow { get; init; }

    [CommandOption("--tuning <N>")]
    [Description("Customers at which the always-valid sequence is tightest (default: the comparison's own customers).")]
    public double? Tuning { get; init; }
}

/// <summary>
/// <c>segmenta readout</c>: a campaign's result that may be checked every day without inflating false positives — CUPED-adjusted
/// estimates with always-valid intervals, per segment and arm against the holdout, and whether it is safe to act yet.
/// </summary>
internal sealed class ReadoutCommand : GuardedCommand<ReadoutSettings>
{
    protected override int Run(ReadoutSettings settings, CancellationToken cancellation)
    {
        if (settings.Confidence is not (> 0.5 and < 1) || settings.PreWindow is <= 0 || settings.Tuning is <= 0)
        {
            throw new UserInputException("--confidence between 0.5 and 1; --pre-window and --tuning positive");
        }

        var workspace = FindWorkspace(settings);
        var asOf = SegmentSupport.Context(workspace, settings.AsOf).AsOf;
        using var warehouse = OpenWarehouse(workspace);
        var campaign = CampaignSupport.Launched(warehouse, workspace, settings.Campaign);
        var result = CampaignReadout.Read(warehouse, campaign, new ReadoutOptions(asOf, settings.Confidence, !settings.NoCuped, settings.PreWindow, settings.Tuning));
        if (settings.Json)
        {
            CliOutput.WriteJson(ReadoutDocuments.Of(result));
            return ExitCodes.Ok;
        }

        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(inv, $"Readout of {result.Campaign.Definition.Name}: outcomes {SegmentSupport.Iso(result.From)} to {SegmentSupport.Iso(result.To)}{(result.Complete ? " (window complete)" : " (window still open)")}; {(result.Options.Cuped ? $"CUPED on the same metric from {SegmentSupport.Iso(result.PreFrom)}" : "no CUPED")}; always-valid {result.Options.Confidence:P0} intervals (Waudby-Smith confidence sequences): safe to check every day"));
        foreach (var c in result.Comparisons)
        {
            foreach (var m in c.Metrics)
            {
                var s = m.Sequential;
                var p = s.P < 0.001 ? "< 0.001" : s.P.ToString("0.###", inv);
                var cuped = !result.Options.Cuped ? ""
                    : m.ControlPreMean == 0 && m.TreatedPreMean == 0 ? ", no pre-period values: CUPED had nothing to adjust by"
                    : string.Create(inv, $", CUPED removed {m.VarianceReduction:P0} of the variance (θ {m.Theta:G3})");
                Console.WriteLine(string.Create(inv, $"  {c.Segment} · {c.Arm} vs holdout ({c.Treated:N0} / {c.Control:N0}), {m.Metric}: {m.TreatedMean:G4} vs {m.ControlMean:G4}, difference {s.Estimate:G4} [{s.Interval.Low:G4}, {s.Interval.High:G4}] (p {p}){cuped} → {m.Verdict.Replace('_', ' ')}"));
            }
        }

        return ExitCodes.Ok;
    }
}
