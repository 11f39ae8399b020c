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

/// <summary>Finding campaign files and writing the campaign verbs' JSON.</summary>
internal static class CampaignSupport
{
    /// <summary>The folder of campaign files in a workspace.</summary>
    public const string Folder = "campaigns";

    /// <summary>Reads a campaign file by name (campaigns/NAME.yaml) or path.</summary>
    public static CampaignDefinition Load(Workspace workspace, string nameOrPath)
    {
        if (nameOrPath.EndsWith(".yaml", StringComparison.Ordinal) || nameOrPath.EndsWith(".yml", StringComparison.Ordinal) || nameOrPath.Contains('/', StringComparison.Ordinal))
        {
            return CampaignDefinition.Load(nameOrPath);
        }

        foreach (var extension in new[] { ".yaml", ".yml" })
        {
            var path = Path.Combine(workspace.Root, Folder, nameOrPath + extension);
            if (File.Exists(path))
            {
                var definition = CampaignDefinition.Parse(Path.GetRelativePath(workspace.Root, path), File.ReadAllText(path));
                return definition.Name == nameOrPath
                    ? definition
                    : throw new UserInputException($"{Folder}/{nameOrPath}{extension} names its campaign `{definition.Name}`; use that name as the file name");
            }
        }

        var known = Files(workspace).Select(Path.GetFileNameWithoutExtension).OfType<string>().ToList();
        throw new UserInputException($"no campaign `{nameOrPath}`: {Folder}/{nameOrPath}.yaml does not exist{Suggestions.DidYouMean(nameOrPath, known)}"
            + (known.Count == 0 ? "; create one with `segmenta campaign new`" : ""));
    }

    /// <summary>The launched campaign of that name, or exit 2 saying how to launch it.</summary>
    public static LaunchedCampaign Launched(IWarehouse warehouse, Workspace workspace, string name) =>
        CampaignLauncher.Find(warehouse, name)
        ?? throw new UserInputException($"campaign `{name}` has not been launched"
            + (Files(workspace).Any(f => Path.GetFileNameWithoutExtension(f) == name) ? $"; run `segmenta campaign launch {name}`" : Suggestions.DidYouMean(name, CampaignLauncher.Launched(warehouse).Select(c => c.Definition.Name))));

    /// <summary>The workspace's campaign files, by name.</summary>
    public static IReadOnlyList<string> Files(Workspace workspace)
    {
        var folder = Path.Combine(workspace.Root, Folder);
        return Directory.Exists(folder)
            ? [.. Directory.EnumerateFiles(folder).Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal)).Order(StringComparer.Ordinal)]
            : [];
    }

    /// <summary>A finite number, or null (JSON has no NaN).</summary>
    public static double? Number(double value) => double.IsFinite(value) ? value : null;

    public static object? IntervalJson(Interval? interval) => interval is { } i ? new { low = Number(i.Low), high = Number(i.High) } : null;

    public static object VariantJson(CampaignVariant v, CampaignDefinition d) => new
    {
        arm = v.Name,
        message = v.Message,
        offer = v.Offer,
        channel = v.Channel,
        cost_per_contact = d.ContactCost(v.Name),
    };

    public static object DefinitionJson(CampaignDefinition d) => new
    {
        name = d.Name,
        description = d.Description,
        send_at = d.SendAt is { } s ? SegmentSupport.Iso(s) : null,
        salt = d.Salt,
        holdout = d.Recorded is null ? d.Holdout : (double?)null,
        recorded_arms = d.Recorded is { } r ? new { field = r.Field, holdout = r.Holdout } : null,
        segments = d.Strata,
        arms = d.TreatedArms.Select(v => VariantJson(v, d)),
        broadcast_share = d.Broadcast?.Share,
        costs = new { @fixed = d.Costs.Fixed, per_contact = d.Costs.PerContact, per_redemption = d.Costs.PerRedemption },
        margin = d.Margin,
        outcome = new
        {
            window_days = d.Outcome.WindowDays,
            conversion = d.Outcome.Conversion,
            open = d.Outcome.Open,
            click = d.Outcome.Click,
            visit = d.Outcome.Visit,
            value_per_conversion = d.Outcome.ValuePerConversion,
        },
    };

    public static object CountsJson(IEnumerable<ArmCount> counts) => counts.Select(c => new { segment = c.Segment, arm = c.Arm, customers = c.Customers });

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

    public static string Share(double value) => double.IsFinite(value) ? (value * 100).ToString("0.00", CultureInfo.InvariantCulture) + "%" : "—";

    public static string P(double p) => !double.IsFinite(p) ? "—" : p < 0.0001 ? "<0.0001" : p.ToString("0.0000", CultureInfo.InvariantCulture);
}
