using System.ComponentModel;
using System.Globalization;
using System.Text;
using Segmenta.Campaigns;
using Spectre.Console.Cli;
using Segmenta.Documents;

namespace Segmenta.Cli.Commands;

internal sealed class CampaignNewSettings : WorkspaceSettingsBase
{
    [CommandArgument(0, "<NAME>")]
    [Description("The campaign's name (lower snake case); the file is campaigns/NAME.yaml.")]
    public string Name { get; init; } = "";

    [CommandOption("--segments <LIST>")]
    [Description("Comma-separated target segments in priority order (a customer in several gets the first). Default: every customer.")]
    public string? Segments { get; init; }

    [CommandOption("--holdout <SHARE>")]
    [Description("The share of each segment kept out as control (default 0.1).")]
    public double Holdout { get; init; } = 0.1;

    [CommandOption("--broadcast <SHARE>")]
    [Description("The share of each segment that gets one generic message instead of its own (default 0: no broadcast arm).")]
    public double Broadcast { get; init; }

    [CommandOption("--channel <CHANNEL>")]
    [Description("The channel of every variant (default email).")]
    public string Channel { get; init; } = "email";

    [CommandOption("--cost-per-contact <AMOUNT>")]
    [Description("What one message costs (default 0).")]
    public decimal CostPerContact { get; init; }

    [CommandOption("--margin <SHARE>")]
    [Description("The share of revenue that is profit (default 1).")]
    public double Margin { get; init; } = 1;

    [CommandOption("--window <SPAN>")]
    [Description("The outcome window after the send (default 14 days).")]
    public string Window { get; init; } = "14 days";

    [CommandOption("--force")]
    [Description("Replace an existing campaign file.")]
    public bool Force { get; init; }
}

/// <summary><c>segmenta campaign new</c>: writes campaigns/NAME.yaml from options, checked by the same parser that launches it.</summary>
internal sealed class CampaignNewCommand : GuardedCommand<CampaignNewSettings>
{
    protected override int Run(CampaignNewSettings settings, CancellationToken cancellation)
    {
        if (!CampaignDefinition.IsValidName(settings.Name))
        {
            throw new UserInputException($"campaign name `{settings.Name}` must be lower snake case (letters, digits, _)");
        }

        var workspace = FindWorkspace(settings);
        var path = Path.Combine(workspace.Root, CampaignFiles.Folder, settings.Name + ".yaml");
        if (File.Exists(path) && !settings.Force)
        {
            throw new UserInputException($"{path} exists; edit it, or pass --force to replace it");
        }

        var segments = settings.Segments?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) ?? [];
        if (segments.Length > 0)
        {
            using var warehouse = OpenWarehouse(workspace);
            var library = SegmentSupport.Load(workspace, warehouse);
            foreach (var segment in segments)
            {
                SegmentSupport.Resolve(library, segment);
            }
        }

        var text = Template(settings, segments);
        var definition = CampaignDefinition.Parse(settings.Name + ".yaml", text);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        Workspaces.AtomicFile.WriteAllText(path, text);
        if (settings.Json)
        {
            CliOutput.WriteJson(new CampaignCreatedDocument(definition.Name, path, CampaignDocuments.Definition(definition)));
        }
        else
        {
            Console.WriteLine($"Wrote {path}: edit each variant's message and offer, then `segmenta campaign plan {definition.Name}` and `segmenta campaign launch {definition.Name}`");
        }

        return ExitCodes.Ok;
    }

    private static string Template(CampaignNewSettings s, string[] segments)
    {
        var inv = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine(inv, $"# Campaign {s.Name}: docs/campaigns.md describes every key.");
        text.AppendLine(inv, $"description: \"\"");
        text.AppendLine(inv, $"# send_at: 2025-01-01T09:00:00Z     # default: the launch's as-of instant");
        text.AppendLine(inv, $"salt: {s.Name}                      # hashed with each customer id to choose its arm");
        text.AppendLine(inv, $"holdout: {s.Holdout}");
        text.AppendLine("# consent: ignore                  # default: only customers who consented to their arms' channels (docs/identity.md)");
        if (segments.Length > 0)
        {
            text.AppendLine("segments:                          # priority order: a customer in several gets the first");
            foreach (var segment in segments)
            {
                text.AppendLine(inv, $"  {segment}: {{ message: \"\", offer: \"\", channel: {s.Channel} }}");
            }
        }
        else
        {
            text.AppendLine(inv, $"variant: {{ message: \"\", offer: \"\", channel: {s.Channel} }}");
        }

        if (s.Broadcast > 0)
        {
            text.AppendLine(inv, $"broadcast: {{ share: {s.Broadcast}, message: \"\", offer: \"\", channel: {s.Channel} }}");
        }

        text.AppendLine(inv, $"costs: {{ fixed: 0, per_contact: {s.CostPerContact}, per_redemption: 0 }}");
        text.AppendLine(inv, $"margin: {s.Margin}");
        text.AppendLine("outcome:");
        text.AppendLine(inv, $"  window: {s.Window}");
        text.AppendLine("  conversion: [purchase]");
        text.AppendLine("  open: [email_open, push_open]");
        text.AppendLine("  click: [email_click, ad_click, sms_click]");
        text.AppendLine("  visit: [session]");
        text.AppendLine("export: { format: csv, traits: [email, first_name, last_name] }");
        return text.ToString();
    }
}
