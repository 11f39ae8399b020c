using System.ComponentModel;
using System.Globalization;
using Segmenta.Campaigns;
using Spectre.Console.Cli;
using Segmenta.Documents;

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
    protected override int Run(CampaignLaunchSettings settings, CancellationToken cancellation)
    {
        var workspace = FindWorkspace(settings);
        var definition = CampaignFiles.LoadNameOrPath(workspace, settings.Campaign);
        var context = SegmentSupport.Context(workspace, settings.AsOf);
        var format = settings.Format is { } chosen ? SegmentSupport.Format(chosen) : definition.ExportFormat;
        using var warehouse = OpenWarehouse(workspace);
        var library = SegmentSupport.Load(workspace, warehouse);
        var traits = Model.Traits.Resolve(warehouse, settings.Traits ?? (definition.ExportTraits.Count > 0 ? string.Join(',', definition.ExportTraits) : null), Model.Traits.ExportDefaults, library.Schema);
        var folder = settings.Out ?? Path.Combine(workspace.Root, "exports", CampaignFiles.Folder, definition.Name);
        var (launched, assignment, files) = CampaignLauncher.LaunchOrPreview(
            warehouse, library, definition, context, TimeProvider.System.GetUtcNow().UtcDateTime, settings.DryRun, traits, format, folder, cancellation);
        var counts = assignment.Counts(definition);
        if (settings.Json)
        {
            CliOutput.WriteJson(CampaignDocuments.Launch(definition, settings.DryRun, context.AsOf, launched, assignment, files));
            return ExitCodes.Ok;
        }

        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(inv, $"{(settings.DryRun ? "Would launch" : "Launched")} {definition.Name}: {assignment.CustomerIds.Length:N0} customers as of {SegmentSupport.Iso(context.AsOf)}, sent {SegmentSupport.Iso(launched?.SendAt ?? definition.SendAt ?? context.AsOf)}"));
        Console.WriteLine("  " + SegmentSupport.ConsentLine(assignment.Consent));
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
