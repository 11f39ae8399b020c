using System.Globalization;
using System.Text.RegularExpressions;
using Segmenta.Configuration;
using Segmenta.Segments;

namespace Segmenta.Campaigns;

/// <summary>What one arm sends: the message, the offer, the channel and what a contact costs.</summary>
/// <param name="Name">The arm's name (in assignments, audience files and results).</param>
/// <param name="Message">The message, free text.</param>
/// <param name="Offer">The offer, free text.</param>
/// <param name="Channel">The channel (email, sms, push, phone, …).</param>
/// <param name="CostPerContact">What one contact costs; null: the campaign's <c>costs.per_contact</c>.</param>
public sealed record CampaignVariant(string Name, string? Message, string? Offer, string? Channel, decimal? CostPerContact);

/// <summary>One target segment of a campaign, in priority order, with the variant its members get.</summary>
/// <param name="Segment">The segment's name.</param>
/// <param name="Variant">Its own variant; null in a campaign whose arms were recorded elsewhere (the segment is then a stratum of the results).</param>
public sealed record CampaignTarget(string Segment, CampaignVariant? Variant);

/// <summary>The one-size-fits-all arm: a generic message to a random share of the same audience.</summary>
/// <param name="Share">The share of every segment's members that gets it.</param>
/// <param name="Variant">What it sends (its name is always <c>broadcast</c>).</param>
public sealed record CampaignBroadcast(double Share, CampaignVariant Variant);

/// <summary>What a campaign costs.</summary>
/// <param name="Fixed">Once, whatever the size (creative, set-up).</param>
/// <param name="PerContact">Per message sent, unless a variant says otherwise.</param>
/// <param name="PerRedemption">Per redeemed offer: each contacted customer who converts.</param>
public sealed record CampaignCosts(decimal Fixed, decimal PerContact, decimal PerRedemption);

/// <summary>Which events are the campaign's outcomes, and when.</summary>
/// <param name="WindowDays">The outcome window after the send, in days.</param>
/// <param name="Conversion">Event types that count as a conversion (their revenue is the campaign's revenue).</param>
/// <param name="Open">Event types that count as an open.</param>
/// <param name="Click">Event types that count as a click.</param>
/// <param name="Visit">Event types that count as a visit (their duration is time on site).</param>
/// <param name="ValuePerConversion">A fixed revenue per conversion event, for channels that report no amount; null: the events' revenue.</param>
public sealed record CampaignOutcome(
    double WindowDays,
    IReadOnlyList<string> Conversion,
    IReadOnlyList<string> Open,
    IReadOnlyList<string> Click,
    IReadOnlyList<string> Visit,
    decimal? ValuePerConversion);

/// <summary>Arms recorded by someone else's randomization (an experiment imported with its data), read from a customer trait.</summary>
/// <param name="Field">The customer column holding each customer's arm.</param>
/// <param name="Holdout">The value that marks the control group.</param>
/// <param name="Arms">The treated arms by value, in file order.</param>
public sealed record RecordedArms(string Field, string Holdout, IReadOnlyList<CampaignVariant> Arms);

/// <summary>
/// A campaign as written in <c>campaigns/NAME.yaml</c> (docs/campaigns.md): target segments in priority
/// order, each with its variant, an optional broadcast arm, a holdout share, the assignment salt, costs,
/// margin and the outcome definition. Or, for an experiment run elsewhere, the trait holding its arms.
/// </summary>
public sealed partial record CampaignDefinition
{
    /// <summary>The arm name of the control group.</summary>
    public const string HoldoutArm = "holdout";

    /// <summary>The arm name of the one-size-fits-all message.</summary>
    public const string BroadcastArm = "broadcast";

    /// <summary>The stratum of a campaign without target segments: every customer.</summary>
    public const string Everyone = "all";

    /// <summary>The campaign's name: lower snake case, from the file name unless given.</summary>
    public required string Name { get; init; }

    /// <summary>What it is for.</summary>
    public string? Description { get; init; }

    /// <summary>When the messages go out (UTC); null: the launch's as-of instant.</summary>
    public DateTime? SendAt { get; init; }

    /// <summary>The salt hashed with each customer id to choose its arm (default: the name).</summary>
    public required string Salt { get; init; }

    /// <summary>The share of each segment kept out as the control group.</summary>
    public double Holdout { get; init; }

    /// <summary>Target segments in priority order (empty: every customer, as one stratum).</summary>
    public required IReadOnlyList<CampaignTarget> Targets { get; init; }

    /// <summary>The variant of a campaign without target segments.</summary>
    public CampaignVariant? Variant { get; init; }

    /// <summary>The optional one-size-fits-all arm.</summary>
    public CampaignBroadcast? Broadcast { get; init; }

    /// <summary>Arms recorded elsewhere; null: Segmenta assigns them.</summary>
    public RecordedArms? Recorded { get; init; }

    /// <summary>
    /// Whether the file says <c>consent: ignore</c>: the audience is not limited to customers who consented to its arms'
    /// channels (docs/identity.md). Otherwise every arm names its channel, and a customer joins only with consent to each
    /// channel its segment's arms use.
    /// </summary>
    public bool IgnoreConsent { get; init; }

    /// <summary>The channels a stratum's customers may be contacted on: its variant's, then the broadcast's (lower case, each once).</summary>
    public IReadOnlyList<string> ChannelsOf(string stratum) =>
        [.. new[] { VariantOf(stratum)?.Channel, Broadcast?.Variant.Channel }.OfType<string>().Select(c => c.Trim().ToLowerInvariant()).Distinct(StringComparer.Ordinal)];

    /// <summary>Costs.</summary>
    public CampaignCosts Costs { get; init; } = new(0, 0, 0);

    /// <summary>The share of revenue that is profit (gross margin).</summary>
    public double Margin { get; init; } = 1;

    /// <summary>What counts as an outcome, and when.</summary>
    public required CampaignOutcome Outcome { get; init; }

    /// <summary>Customer traits written to the audience files beside the id.</summary>
    public IReadOnlyList<string> ExportTraits { get; init; } = [];

    /// <summary>The audience files' format.</summary>
    public AudienceFormat ExportFormat { get; init; } = AudienceFormat.Csv;

    /// <summary>The file's text, stored with the launch so later edits cannot change what was launched.</summary>
    public required string Text { get; init; }

    /// <summary>The variant a target segment's members get (the campaign's own variant without targets).</summary>
    public CampaignVariant? VariantOf(string segment) =>
        Targets.Count == 0 ? Variant : Targets.FirstOrDefault(t => t.Segment == segment)?.Variant;

    /// <summary>Every treated arm, in order: recorded arms; or each target's variant, then broadcast.</summary>
    public IReadOnlyList<CampaignVariant> TreatedArms =>
        Recorded is { } recorded
            ? recorded.Arms
            : [.. (Targets.Count == 0 ? [Variant!] : Targets.Select(t => t.Variant!)), .. Broadcast is { } b ? new[] { b.Variant } : []];

    /// <summary>The strata of the results: the target segments, or <see cref="Everyone"/>.</summary>
    public IReadOnlyList<string> Strata => Targets.Count == 0 ? [Everyone] : [.. Targets.Select(t => t.Segment)];

    /// <summary>What one contact of <paramref name="arm"/> costs.</summary>
    public decimal ContactCost(string arm) => TreatedArms.FirstOrDefault(v => v.Name == arm)?.CostPerContact ?? Costs.PerContact;

    /// <summary>Whether a name can be a campaign's: lower snake case, as segment names.</summary>
    public static bool IsValidName(string name) => Workspaces.NamedFiles.IsValidName(name);

    /// <summary>Reads <c>campaigns/NAME.yaml</c>; mistakes are <see cref="ConfigurationException"/>s with line and column.</summary>
    public static CampaignDefinition Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new CampaignException($"{path}: no such campaign file");
        }

        return Parse(path, File.ReadAllText(path));
    }

    /// <summary>Parses campaign text; <paramref name="file"/> names it in messages and gives the default name.</summary>
    public static CampaignDefinition Parse(string file, string text)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(text);
        var root = YamlSection.Load(file, text);
        root.RejectUnknownKeys("name", "description", "send_at", "salt", "holdout", "segments", "variant", "broadcast", "assignment", "costs", "margin", "outcome", "export", "consent");
        var name = root.GetString("name") ?? Path.GetFileNameWithoutExtension(file);
        if (!IsValidName(name))
        {
            throw root.Has("name")
                ? root.ErrorAt("name", $"campaign name `{name}` must be lower snake case (letters, digits, _)")
                : new CampaignException($"{file}: the file name `{name}` is not a campaign name (lower snake case); rename it or give `name:`");
        }

        DateTime? sendAt = null;
        if (root.GetString("send_at") is { } sendText)
        {
            sendAt = DateTime.TryParse(sendText, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var t)
                ? DateTime.SpecifyKind(t, DateTimeKind.Utc)
                : throw root.ErrorAt("send_at", $"`{sendText}` is not a time; expected ISO 8601 such as 2025-01-01T09:00:00Z");
        }

        var costs = new CampaignCosts(0, 0, 0);
        if (root.GetSection("costs") is { } c)
        {
            c.RejectUnknownKeys("fixed", "per_contact", "per_redemption");
            costs = new CampaignCosts(Money(c, "fixed") ?? 0, Money(c, "per_contact") ?? 0, Money(c, "per_redemption") ?? 0);
        }

        var recorded = ParseRecorded(root);
        var targets = new List<CampaignTarget>();
        foreach (var entry in root.GetEntries("segments"))
        {
            CampaignVariant? variant = null;
            if (entry.Section is { } spec)
            {
                variant = ParseVariant(spec, spec.GetString("name") ?? entry.Key, named: true);
            }
            else if (!string.IsNullOrEmpty(entry.Scalar))
            {
                throw entry.Error($"segment `{entry.Key}` takes its variant as a mapping (message, offer, channel, cost_per_contact), or nothing");
            }

            if (recorded is null)
            {
                variant ??= new CampaignVariant(entry.Key, null, null, null, null);
            }
            else if (variant is not null)
            {
                throw entry.Error($"segment `{entry.Key}` names a variant, but this campaign's arms are recorded in `{recorded.Field}`: list segments without variants to break the results down");
            }

            targets.Add(new CampaignTarget(entry.Key, variant));
        }

        CampaignVariant? single = null;
        if (root.GetSection("variant") is { } variantSection)
        {
            if (targets.Count > 0 || recorded is not null)
            {
                throw root.ErrorAt("variant", "a top-level `variant` is for a campaign to every customer; with `segments` or `assignment`, give each its own");
            }

            single = ParseVariant(variantSection, variantSection.GetString("name") ?? "message", named: true);
        }
        else if (targets.Count == 0 && recorded is null)
        {
            single = new CampaignVariant("message", null, null, null, null);
        }

        CampaignBroadcast? broadcast = null;
        if (root.GetSection("broadcast") is { } b)
        {
            if (recorded is not null)
            {
                throw root.ErrorAt("broadcast", "a campaign with recorded arms cannot add a broadcast arm");
            }

            var share = b.GetShare("share") ?? throw b.ErrorHere("`broadcast` needs `share`: the part of each segment that gets the generic message");
            broadcast = new CampaignBroadcast(share, ParseVariant(b, BroadcastArm, named: false, "share"));
        }

        var holdout = root.GetShare("holdout") ?? 0;
        if (recorded is not null && root.Has("holdout"))
        {
            throw root.ErrorAt("holdout", $"the holdout of a campaign with recorded arms is the value `{recorded.Holdout}` of `{recorded.Field}`, not a share");
        }

        if (holdout + (broadcast?.Share ?? 0) >= 1)
        {
            throw root.ErrorAt("holdout", $"holdout ({holdout:0.###}) and broadcast ({broadcast?.Share ?? 0:0.###}) shares leave nobody for the segments' own variants");
        }

        var ignoreConsent = root.GetString("consent") switch
        {
            null or "required" => false,
            "ignore" => true,
            var other => throw root.ErrorAt("consent", $"`consent: {other}`: expected `required` (the default: only customers who consented to an arm's channel) or `ignore`"),
        };
        var armNames = new HashSet<string>(StringComparer.Ordinal) { HoldoutArm };
        var definition = new CampaignDefinition
        {
            Name = name,
            Description = root.GetString("description"),
            SendAt = sendAt,
            Salt = root.GetString("salt") ?? name,
            Holdout = holdout,
            Targets = targets,
            Variant = single,
            Broadcast = broadcast,
            Recorded = recorded,
            Costs = costs,
            Margin = root.GetShare("margin") ?? 1,
            Outcome = ParseOutcome(root),
            ExportTraits = root.GetSection("export")?.GetStringList("traits") ?? [],
            ExportFormat = ParseFormat(root),
            IgnoreConsent = ignoreConsent,
            Text = text,
        };
        foreach (var arm in definition.TreatedArms)
        {
            if (!armNames.Add(arm.Name))
            {
                throw root.ErrorHere($"two arms are named `{arm.Name}`; give each variant its own `name`");
            }

            if (recorded is null && !ignoreConsent && string.IsNullOrWhiteSpace(arm.Channel))
            {
                throw root.ErrorAt(broadcast?.Variant == arm ? "broadcast" : single is null ? "segments" : "variant", $"arm `{arm.Name}` names no `channel`, so its audience cannot be limited to customers who consented to it (docs/identity.md): "
                    + "give its channel (email, sms, push, phone, mail, ads), or `consent: ignore` to contact customers without that check");
            }
        }

        return definition;
    }

    private static RecordedArms? ParseRecorded(YamlSection root)
    {
        if (root.GetSection("assignment") is not { } a)
        {
            return null;
        }

        a.RejectUnknownKeys("field", "holdout", "arms");
        var field = a.RequireString("field");
        var holdout = a.RequireString("holdout");
        var arms = new List<CampaignVariant>();
        foreach (var entry in a.GetEntries("arms"))
        {
            arms.Add(entry.Section is { } spec ? ParseVariant(spec, entry.Key, named: false) : new CampaignVariant(entry.Key, null, null, null, null));
        }

        if (arms.Count == 0)
        {
            throw a.ErrorHere("`assignment` needs `arms`: each value of the field that marks a treated group");
        }

        return new RecordedArms(field, holdout, arms);
    }

    private static readonly string[] VariantKeys = ["message", "offer", "channel", "cost_per_contact"];
    private static readonly string[] NameKey = ["name"];

    private static CampaignVariant ParseVariant(YamlSection spec, string name, bool named, params string[] extra)
    {
        spec.RejectUnknownKeys([.. VariantKeys, .. named ? NameKey : [], .. extra]);
        return new CampaignVariant(name, spec.GetString("message"), spec.GetString("offer"), spec.GetString("channel"), Money(spec, "cost_per_contact"));
    }

    private static CampaignOutcome ParseOutcome(YamlSection root)
    {
        var o = root.GetSection("outcome");
        o?.RejectUnknownKeys("window", "conversion", "open", "click", "visit", "value_per_conversion");
        var window = 14.0;
        if (o?.GetString("window") is { } windowText)
        {
            window = WindowPattern().Match(windowText.Trim()) is { Success: true } m
                ? double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) * (m.Groups[2].Value.StartsWith('w') ? 7 : m.Groups[2].Value.StartsWith('h') ? 1.0 / 24 : 1)
                : throw o.ErrorAt("window", $"`{windowText}` is not a window; expected a number of hours, days or weeks, such as 14 days");
            if (window <= 0)
            {
                throw o.ErrorAt("window", "the outcome window must be longer than zero");
            }
        }

        IReadOnlyList<string> Types(string key, params string[] defaults) => o is not null && o.Has(key) ? o.GetStringList(key) : defaults;
        var conversion = Types("conversion", "purchase");
        if (conversion.Count == 0)
        {
            throw o!.ErrorAt("conversion", "name at least one conversion event type");
        }

        return new CampaignOutcome(
            window,
            conversion,
            Types("open", "email_open", "push_open"),
            Types("click", "email_click", "ad_click", "sms_click"),
            Types("visit", "session"),
            o is null ? null : Money(o, "value_per_conversion"));
    }

    private static AudienceFormat ParseFormat(YamlSection root)
    {
        var export = root.GetSection("export");
        export?.RejectUnknownKeys("traits", "format");
        return export?.GetString("format") switch
        {
            null or "csv" => AudienceFormat.Csv,
            "json" => AudienceFormat.Json,
            "parquet" => AudienceFormat.Parquet,
            var other => throw export!.ErrorAt("format", $"unknown format `{other}`; expected csv, json or parquet"),
        };
    }

    private static decimal? Money(YamlSection section, string key)
    {
        if (section.GetString(key) is not { } text)
        {
            return null;
        }

        return decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var value) && value >= 0
            ? value
            : throw section.ErrorAt(key, $"`{key}` must be an amount of zero or more, not `{text}`");
    }

    [GeneratedRegex(@"^(\d+(?:\.\d+)?)\s*(hours?|h|days?|d|weeks?|w)$", RegexOptions.CultureInvariant)]
    private static partial Regex WindowPattern();
}

/// <summary>A campaign cannot be found, launched or measured as asked.</summary>
public sealed class CampaignException(string message) : SegmentaException(message, FailureKind.BadInput);
