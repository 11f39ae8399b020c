using System.ComponentModel;
using System.Globalization;
using Segmenta.Campaigns;
using Segmenta.Configuration;
using Spectre.Console;
using Spectre.Console.Cli;
using Segmenta.Documents;

namespace Segmenta.Cli.Commands;

/// <summary><c>segmenta campaign list</c>: the campaign files and the launched campaigns.</summary>
internal sealed class CampaignListCommand : GuardedCommand<WorkspaceSettingsBase>
{
    protected override int Run(WorkspaceSettingsBase settings, CancellationToken cancellation)
    {
        var workspace = FindWorkspace(settings);
        using var warehouse = OpenWarehouse(workspace);
        var launched = CampaignLauncher.Launched(warehouse).ToDictionary(c => c.Definition.Name, StringComparer.Ordinal);
        var rows = new List<(string Name, string? File, string? Problem, LaunchedCampaign? Launch)>();
        foreach (var file in CampaignFiles.List(workspace))
        {
            string name = Path.GetFileNameWithoutExtension(file);
            string? problem = null;
            try
            {
                name = CampaignDefinition.Parse(Path.GetRelativePath(workspace.Root, file), File.ReadAllText(file)).Name;
            }
            catch (Exception e) when (e is ConfigurationException or CampaignException)
            {
                problem = e.Message;
            }

            rows.Add((name, Path.GetRelativePath(workspace.Root, file), problem, launched.GetValueOrDefault(name)));
        }

        rows.AddRange(launched.Values.Where(l => rows.All(r => r.Name != l.Definition.Name)).Select(l => (l.Definition.Name, (string?)null, (string?)null, (LaunchedCampaign?)l)));
        rows.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        if (settings.Json)
        {
            CliOutput.WriteJson(rows.Select(r => new CampaignEntryDocument(
                r.Name,
                r.File,
                r.Problem,
                r.Launch is { } l ? SegmentSupport.Iso(l.LaunchedAt) : null,
                r.Launch is { } s ? SegmentSupport.Iso(s.SendAt) : null,
                r.Launch?.Customers)).ToList());
            return ExitCodes.Ok;
        }

        if (rows.Count == 0)
        {
            Console.WriteLine("No campaigns yet: `segmenta campaign new NAME --segments a,b` writes campaigns/NAME.yaml.");
            return ExitCodes.Ok;
        }

        var table = new Table().Border(TableBorder.Rounded).AddColumns("campaign", "file", "status", "customers", "sent");
        foreach (var r in rows)
        {
            table.AddRow(
                Markup.Escape(r.Name),
                Markup.Escape(r.File ?? "—"),
                r.Problem is not null ? "[red]error[/]: " + Markup.Escape(r.Problem) : r.Launch is null ? "draft" : "launched",
                r.Launch?.Customers.ToString("N0", CultureInfo.InvariantCulture) ?? "",
                r.Launch is { } l ? SegmentSupport.Iso(l.SendAt) : "");
        }

        AnsiConsole.Write(table);
        return ExitCodes.Ok;
    }
}

/// <summary><c>segmenta campaign show</c>: a campaign's definition and, once launched, its frozen audience per segment and arm.</summary>
internal sealed class CampaignShowCommand : GuardedCommand<CampaignSettings>
{
    protected override int Run(CampaignSettings settings, CancellationToken cancellation)
    {
        var workspace = FindWorkspace(settings);
        using var warehouse = OpenWarehouse(workspace);
        var launch = CampaignLauncher.Find(warehouse, settings.Campaign);
        var definition = launch?.Definition ?? CampaignFiles.LoadNameOrPath(workspace, settings.Campaign);
        var counts = launch is null ? [] : CampaignLauncher.StoredCounts(warehouse, definition);
        if (settings.Json)
        {
            CliOutput.WriteJson(new CampaignShowDocument(
                definition.Name,
                CampaignDocuments.Definition(definition),
                launch is null ? null : new CampaignLaunchedDocument(
                    SegmentSupport.Iso(launch.LaunchedAt), SegmentSupport.Iso(launch.AsOf), SegmentSupport.Iso(launch.SendAt), SegmentSupport.Iso(launch.WindowEnd), launch.Customers, CampaignDocuments.Counts(counts))));
            return ExitCodes.Ok;
        }

        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine($"Campaign {definition.Name}{(definition.Description is { Length: > 0 } d ? ": " + d : "")}");
        Console.WriteLine(launch is null
            ? "  not launched yet"
            : string.Create(inv, $"  launched {SegmentSupport.Iso(launch.LaunchedAt)}; audience as of {SegmentSupport.Iso(launch.AsOf)}; sent {SegmentSupport.Iso(launch.SendAt)}; outcomes until {SegmentSupport.Iso(launch.WindowEnd)}"));
        Console.WriteLine(definition.Recorded is { } recorded
            ? $"  arms recorded in `{recorded.Field}`; holdout: `{recorded.Holdout}`"
            : string.Create(inv, $"  holdout {definition.Holdout:0.##%}{(definition.Broadcast is { } b ? string.Create(inv, $", broadcast {b.Share:0.##%}") : "")}, salt `{definition.Salt}`"));
        var arms = new Table().Border(TableBorder.Rounded).AddColumns("arm", "channel", "offer", "message", "cost/contact");
        foreach (var v in definition.TreatedArms)
        {
            arms.AddRow(Markup.Escape(v.Name), Markup.Escape(v.Channel ?? ""), Markup.Escape(v.Offer ?? ""), Markup.Escape(v.Message ?? ""), definition.ContactCost(v.Name).ToString(inv));
        }

        AnsiConsole.Write(arms);
        if (counts.Count > 0)
        {
            CampaignSupport.PrintCounts(counts);
        }

        return ExitCodes.Ok;
    }
}
