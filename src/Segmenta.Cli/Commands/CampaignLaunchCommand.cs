using System.ComponentModel;
using System.Globalization;
using Segmenta.Campaigns;
using Spectre.Console.Cli;
using Segmenta.Server.Documents;

namespace Segmenta.Cli.Commands;

internal sealed class CampaignLaunchSettings : CampaignSettings
{
    [CommandOption("-o|--out <DIR>")]
    [Description("Where to write one audience file per treated arm (default: exports/campaigns/NAME in the workspace).")]
    public string? Out { get; init; }

    [CommandOption("-f|--format <FORMAT>")]
    [Description("Audience file format: csv, json or parquet (default: the campaign's export.format, else csv).")]
    public string? Format { get; init; }

    [CommandOption("--traits <LIST>")]
    [Description("Comma-separated traits after customer_id and segment (default: the campaign's export.traits, else email, first_name, last_name).")]
    public string? Traits { get; init; }

    [CommandOption("--dry-run")]
    [Description("Assign and count, but store and write nothing.")]
    public bool DryRun { get; init; }
}

/// <summary>
/// <c>segmenta campaign launch</c>: freezes the audience (each target segment as of the instant, first
/// segment wins), assigns every customer to an arm by hash, stores it, and writes the audience files.
/// </summary>
internal sealed class CampaignLaunchCommand : GuardedCommand<CampaignLaunchSettings>
{
    private static readonly string[] DefaultTraits = ["email", "first_name", "last_name"];

    protected override int Run(CampaignLaunchSettings settings, CancellationToken cancellation)
    {
        var workspace = FindWorkspace(settings);
        var definition = CampaignSupport.Load(workspace, settings.Campaign);
        var context = SegmentSupport.Context(workspace, settings.AsOf);
        var format = settings.Format is { } chosen ? SegmentSupport.Format(chosen) : definition.ExportFormat;
        using var warehouse = OpenWarehouse(workspace);
        var library = SegmentSupport.Load(workspace, warehouse);
        var traits = Model.Traits.Resolve(warehouse, settings.Traits ?? (definition.ExportTraits.Count > 0 ? string.Join(',', definition.ExportTraits) : null), DefaultTraits);
        LaunchedCampaign? launched = null;
        CampaignAssignment assignment;
        IReadOnlyList<AudienceFile> files = [];
        if (settings.DryRun)
        {
            if (CampaignLauncher.Find(warehouse, definition.Name) is not null)
            {
                throw new UserInputException($"campaign `{definition.Name}` is already launched");
            }

            assignment = CampaignLauncher.Assign(warehouse, library, definition, context);
        }
        else
        {
            launched = CampaignLauncher.Launch(warehouse, library, definition, context, TimeProvider.System.GetUtcNow().UtcDateTime, out assignment, cancellation);
            var folder = settings.Out ?? Path.Combine(workspace.Root, "exports", CampaignSupport.Folder, definition.Name);
            files = CampaignLauncher.Export(warehouse, launched, traits, format, folder);
        }

        var counts = assignment.Counts(definition);
        if (settings.Json)
        {
            CliOutput.WriteJson(new
            {
                campaign = definition.Name,
                dry_run = settings.DryRun,
                as_of = SegmentSupport.Iso(context.AsOf),
                send_at = SegmentSupport.Iso(launched?.SendAt ?? definition.SendAt ?? context.AsOf),
                customers = assignment.CustomerIds.Length,
                in_several_segments = assignment.InSeveral,
                outside_segments = assignment.Outside,
                arms = CampaignDocuments.CountsJson(counts),
                files = files.Select(f => new { arm = f.Arm, path = f.Path, customers = f.Customers }),
            });
            return ExitCodes.Ok;
        }

        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(inv, $"{(settings.DryRun ? "Would launch" : "Launched")} {definition.Name}: {assignment.CustomerIds.Length:N0} customers as of {SegmentSupport.Iso(context.AsOf)}, sent {SegmentSupport.Iso(launched?.SendAt ?? definition.SendAt ?? context.AsOf)}"));
        if (assignment.InSeveral > 0)
        {
            Console.WriteLine(string.Create(inv, $"  {assignment.InSeveral:N0} customers were in several target segments; each went to the first in the campaign's order"));
        }

        if (assignment.Outside > 0)
        {
            CliOutput.Warning(string.Create(inv, $"{assignment.Outside:N0} customers with a recorded arm are in none of the campaign's segments and were left out"));
        }

        CampaignSupport.PrintCounts(counts);
        foreach (var f in files)
        {
            Console.WriteLine(string.Create(inv, $"  audience {f.Arm,-20} {f.Customers,9:N0}  {f.Path}"));
        }

        return ExitCodes.Ok;
    }
}
