using System.ComponentModel;
using System.Globalization;
using Segmenta.Campaigns;
using Segmenta.Documents;
using Segmenta.Language;
using Segmenta.Segments;
using Segmenta.Uplift;
using Spectre.Console.Cli;

namespace Segmenta.Cli.Commands;

internal sealed class AllocateSettings : WorkspaceSettingsBase
{
    [CommandOption("--campaign <CAMPAIGN>")]
    [Description("The campaign whose uplift model ranks customers (segmenta uplift fit CAMPAIGN first).")]
    public string? Campaign { get; init; }

    [CommandOption("--budget <AMOUNT>")]
    [Description("Money to spend on contacts.")]
    public double? Budget { get; init; }

    [CommandOption("--cost <AMOUNT>")]
    [Description("Cost of one contact. Default: the campaign's per-arm cost_per_contact, else costs.per_contact.")]
    public double? Cost { get; init; }

    [CommandOption("--outcome <OUTCOME>")]
    [Description("The uplift valued: revenue (default; × --margin), conversion or visit (× --value).")]
    public string Outcome { get; init; } = UpliftAnalysis.Revenue;

    [CommandOption("--margin <SHARE>")]
    [Description("The share of incremental revenue that is profit. Default: the campaign's margin.")]
    public double? Margin { get; init; }

    [CommandOption("--value <AMOUNT>")]
    [Description("Profit of one incremental conversion or visit (with --outcome conversion or visit).")]
    public double? Value { get; init; }

    [CommandOption("--holdout <SHARE>")]
    [Description("The share of the chosen audience kept out of the contact so the campaign measures itself. Default 0.1.")]
    public double Holdout { get; init; } = 0.1;

    [CommandOption("--name <NAME>")]
    [Description("Write segments/NAME.seg (the audience) and campaigns/NAME.yaml (ready to launch). Default: CAMPAIGN_targeted.")]
    public string? Name { get; init; }

    [CommandOption("--channel <CHANNEL>")]
    [Description("The new campaign's channel. Default: the source arm's channel.")]
    public string? Channel { get; init; }

    [CommandOption("--force")]
    [Description("Replace existing files of that name.")]
    public bool Force { get; init; }

    [CommandOption("--dry-run")]
    [Description("Report without writing the segment and campaign files.")]
    public bool DryRun { get; init; }
}

/// <summary>
/// <c>segmenta allocate</c>: chooses whom to contact for a budget from an uplift model — in order of predicted incremental value,
/// while the contact is predicted to pay — with the expected incremental profit and ROI against spend calibrated on held-out
/// customers, and writes the audience segment and a campaign file with its holdout, ready to launch.
/// </summary>
internal sealed class AllocateCommand : GuardedCommand<AllocateSettings>
{
    protected override int Run(AllocateSettings settings, CancellationToken cancellation)
    {
        var campaignName = settings.Campaign ?? throw new UserInputException("--campaign: name the campaign whose uplift model ranks customers");
        var budget = settings.Budget ?? throw new UserInputException("--budget: give the money to spend on contacts");
        var outcome = settings.Outcome.ToLowerInvariant();
        if (outcome is not (UpliftAnalysis.Revenue or UpliftAnalysis.Conversion or UpliftAnalysis.Visit))
        {
            throw new UserInputException($"--outcome: `{settings.Outcome}` is not revenue, conversion or visit");
        }

        var name = settings.Name ?? campaignName + "_targeted";
        if (!CampaignDefinition.IsValidName(name))
        {
            throw new UserInputException($"--name: `{name}` must be lower snake case (letters, digits, _)");
        }

        var workspace = FindWorkspace(settings);
        using var warehouse = OpenWarehouse(workspace);
        var model = UpliftAnalysis.Require(warehouse, campaignName);
        var source = CampaignLauncher.Find(warehouse, campaignName)!.Definition;
        var arm = source.TreatedArms.FirstOrDefault(a => model.Arms.Contains(a.Name, StringComparer.Ordinal));
        var cost = settings.Cost ?? (double)(arm?.CostPerContact ?? source.Costs.PerContact);
        var value = outcome == UpliftAnalysis.Revenue
            ? settings.Margin ?? source.Margin
            : settings.Value ?? throw new UserInputException($"--value: give the profit of one incremental {outcome}");
        var request = new AllocationRequest(campaignName, budget, cost, outcome, value, settings.Holdout);
        var result = BudgetAllocation.Allocate(model, UpliftAnalysis.Scores(warehouse, campaignName), request);

        string? segmentFile = null, campaignFile = null;
        if (!settings.DryRun && result.Audience > 0)
        {
            segmentFile = Path.Combine(workspace.Root, Workspaces.Workspace.SegmentsFolder, name + SegmentLibrary.Extension);
            campaignFile = Path.Combine(workspace.Root, CampaignFiles.Folder, name + ".yaml");
            foreach (var file in new[] { segmentFile, campaignFile }.Where(f => File.Exists(f) && !settings.Force))
            {
                throw new UserInputException($"{file} exists; pass --force to replace it, or choose another --name");
            }

            var segmentText = BudgetAllocation.SegmentText(result, name);
            var campaignText = BudgetAllocation.CampaignText(result, source, name, name, settings.Channel ?? arm?.Channel);
            CampaignDefinition.Parse(name + ".yaml", campaignText);
            Directory.CreateDirectory(Path.GetDirectoryName(segmentFile)!);
            Directory.CreateDirectory(Path.GetDirectoryName(campaignFile)!);
            Workspaces.AtomicFile.WriteAllText(segmentFile, segmentText);
            Workspaces.AtomicFile.WriteAllText(campaignFile, campaignText);
        }

        if (settings.Json)
        {
            CliOutput.WriteJson(AllocationDocuments.Of(result, segmentFile, campaignFile));
            return ExitCodes.Ok;
        }

        Print(result, workspace.Settings.Currency);
        if (segmentFile is not null)
        {
            Console.WriteLine($"Wrote {segmentFile} and {campaignFile}: segmenta campaign plan {name}, then segmenta campaign launch {name}");
        }

        return ExitCodes.Ok;
    }

    private static void Print(AllocationResult r, string currency)
    {
        var inv = CultureInfo.InvariantCulture;
        var q = r.Request;
        var chosen = r.Chosen;
        Console.WriteLine(string.Create(inv, $"Budget {q.Budget:N2} {currency} at {q.CostPerContact:N2} per contact over {r.Scored:N0} customers ranked by {BudgetAllocation.Field(r)} (model {r.Model.Version})"));
        Console.WriteLine(string.Create(inv, $"  {r.Profitable:N0} are predicted to pay for a contact; chosen: the top {r.Audience:N0} ({(r.Limit == "budget" ? "the budget's limit" : "every predicted-profitable customer")}), {q.Holdout:P0} of them held out"));
        Console.WriteLine(string.Create(inv, $"  {chosen.Contacts:N0} contacts, spend {chosen.Spend:N2}: expected incremental profit {chosen.Expected:N2} ({q.Confidence:P0} interval {chosen.ExpectedInterval.Low:N2} to {chosen.ExpectedInterval.High:N2}), ROI {Format(chosen.Roi)} — what held-out customers of the same predicted uplift showed; the model's own prediction: {chosen.Predicted:N2}"));
        Console.WriteLine(string.Create(inv, $"  marginal ROI of the last contact: {r.MarginalRoi:0.##} ({r.MarginalRoiInterval.Low:0.##} to {r.MarginalRoiInterval.High:0.##}); contacting everyone: {r.Everyone.Contacts:N0} contacts, expected profit {r.Everyone.Expected:N2} ({r.Everyone.ExpectedInterval.Low:N2} to {r.Everyone.ExpectedInterval.High:N2})"));
        foreach (var warning in AllocationDocuments.Warnings(r))
        {
            Console.WriteLine("  warning: " + warning);
        }
    }

    private static string Format(double? roi) => roi is { } v ? v.ToString("0.##", CultureInfo.InvariantCulture) : "—";
}
