using System.ComponentModel;
using System.Globalization;
using Segmenta.Documents;
using Segmenta.Insights;
using Spectre.Console.Cli;

namespace Segmenta.Cli.Commands;

internal sealed class InsightsSettings : WorkspaceSettingsBase
{
    [CommandOption("--fdr <RATE>")]
    [Description("The false discovery rate the feed controls (Benjamini-Hochberg over every test). Default 0.05.")]
    public double Fdr { get; init; } = 0.05;
}

/// <summary><c>segmenta insights</c>: the ranked findings of the current snapshot, each with its evidence, effect size and q-value.</summary>
internal sealed class InsightsCommand : GuardedCommand<InsightsSettings>
{
    protected override int Run(InsightsSettings settings, CancellationToken cancellation)
    {
        if (settings.Fdr is <= 0 or >= 1)
        {
            throw new UserInputException("--fdr: a rate between 0 and 1");
        }

        var workspace = FindWorkspace(settings);
        using var warehouse = OpenWarehouse(workspace);
        var feed = InsightAnalysis.Build(warehouse, SegmentSupport.Load(workspace, warehouse), workspace.Settings.Zone, settings.Fdr, cancellation);
        if (settings.Json)
        {
            CliOutput.WriteJson(InsightDocuments.Of(feed));
            return ExitCodes.Ok;
        }

        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(inv, $"Insights of the snapshot {SegmentSupport.Iso(feed.AsOf)}: {feed.Insights.Count(i => !double.IsNaN(i.Q))} of {feed.Tested} hypotheses tested pass a {feed.FalseDiscoveryRate:P0} false discovery rate (Benjamini-Hochberg)"));
        foreach (var (insight, rank) in feed.Insights.Select((i, k) => (i, k + 1)))
        {
            var q = double.IsNaN(insight.Q) ? "census, no test" : insight.Q < 0.0001 ? "q < 0.0001" : string.Create(inv, $"q = {insight.Q:0.####}");
            Console.WriteLine(string.Create(inv, $"  {rank}. {insight.Headline} ({q})"));
            Console.WriteLine("     " + insight.Evidence);
        }

        foreach (var line in feed.NotChecked)
        {
            Console.WriteLine("  not checked: " + line);
        }

        return ExitCodes.Ok;
    }
}
