using System.Globalization;
using Segmenta.Configuration;
using Segmenta.Segments;
using Segmenta.Workspaces;

namespace Segmenta.Activation;

/// <summary>Where a destination sends its segments.</summary>
public enum DestinationType
{
    /// <summary>Signed JSON batches of who entered and exited, POSTed to a URL (docs/activation.md, "Webhooks").</summary>
    Webhook,

    /// <summary>CSV, JSON lines or Parquet files dropped into a folder.</summary>
    File,

    /// <summary>Google Customer Match upload files: normalized, SHA-256-hashed contact data.</summary>
    GoogleCustomerMatch,

    /// <summary>Meta (Facebook) Custom Audience customer-list files: normalized, SHA-256-hashed contact data.</summary>
    MetaCustomAudience,
}

/// <summary>What each sync of a file destination writes.</summary>
public enum SyncMode
{
    /// <summary>Who entered and who exited since the last sync (one file each).</summary>
    Incremental,

    /// <summary>The whole audience every time.</summary>
    Full,
}

/// <summary>The file formats of a file destination.</summary>
public enum DropFormat
{
    /// <summary>RFC 4180 CSV with a header.</summary>
    Csv,

    /// <summary>One JSON object per line.</summary>
    Jsonl,

    /// <summary>Apache Parquet.</summary>
    Parquet,
}

/// <summary>How a failed delivery is retried: exponential backoff with jitter, then a dead letter.</summary>
/// <param name="Attempts">Deliveries tried in all before the batch becomes a dead letter.</param>
/// <param name="Initial">The wait after the first failure.</param>
/// <param name="Maximum">The longest wait between two tries.</param>
public sealed record RetryPolicy(int Attempts, TimeSpan Initial, TimeSpan Maximum)
{
    /// <summary>The default: 15 tries, 2 s doubling up to 10 minutes — about 77 minutes before a dead letter, so an hour's outage loses nothing.</summary>
    public static RetryPolicy Default { get; } = new(15, TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(10));

    /// <summary>
    /// The wait after failed try number <paramref name="attempt"/> (1-based): <c>min(maximum, initial × 2^(attempt−1))</c>,
    /// scaled by a jitter factor <c>0.5 + 0.5·u</c> for <paramref name="u"/> in [0, 1) so receivers recovering from an
    /// outage are not hit by every sender at once ("equal jitter").
    /// </summary>
    public TimeSpan Delay(int attempt, double u)
    {
        var exponential = Initial.TotalSeconds * Math.Pow(2, Math.Clamp(attempt - 1, 0, 60));
        return TimeSpan.FromSeconds(Math.Min(Maximum.TotalSeconds, exponential) * (0.5 + (0.5 * Math.Clamp(u, 0, 1))));
    }

    /// <summary>The longest time from the first failure to the dead letter (every wait at its full length).</summary>
    public TimeSpan Patience => TimeSpan.FromSeconds(Enumerable.Range(1, Attempts - 1).Sum(a => Delay(a, 1).TotalSeconds));
}

/// <summary>A webhook's endpoint and signing key.</summary>
/// <param name="Url">Where batches are POSTed (https; plain http only to a loopback address).</param>
/// <param name="SecretVariable">The environment variable holding the HMAC-SHA256 signing secret (never the secret itself).</param>
/// <param name="BatchSize">Customers per batch at most.</param>
/// <param name="Timeout">How long one delivery may take.</param>
public sealed record WebhookSettings(Uri Url, string SecretVariable, int BatchSize, TimeSpan Timeout);

/// <summary>A file destination's folder, format and mode (ad-platform destinations write CSV to a folder too).</summary>
/// <param name="Folder">The folder, relative to the workspace or absolute.</param>
/// <param name="Format">The file format.</param>
/// <param name="Mode">Incremental (entered and exited files) or full (the whole audience).</param>
public sealed record DropSettings(string Folder, DropFormat Format, SyncMode Mode);

/// <summary>
/// A destination as written in <c>destinations/NAME.yaml</c> (docs/activation.md): where the members of its segments go,
/// the consent they need, which traits travel with them, and how delivery is retried. Secrets come from the
/// environment, never from the file.
/// </summary>
public sealed record DestinationDefinition
{
    /// <summary>The folder of destination files in a workspace.</summary>
    public const string Folder = "destinations";

    /// <summary>The name: lower snake case, the file's name unless given.</summary>
    public required string Name { get; init; }

    /// <summary>What it is for.</summary>
    public string? Description { get; init; }

    /// <summary>The kind of destination.</summary>
    public required DestinationType Type { get; init; }

    /// <summary>The segments synced to it, in file order.</summary>
    public required IReadOnlyList<string> Segments { get; init; }

    /// <summary>The consent every member needs to be sent (or the file's explicit <c>consent: ignore</c>).</summary>
    public required ConsentRequest Consent { get; init; }

    /// <summary>Customer traits sent with each member who enters (webhooks and file drops).</summary>
    public IReadOnlyList<string> Traits { get; init; } = [];

    /// <summary>The webhook's endpoint; null for the other types.</summary>
    public WebhookSettings? Webhook { get; init; }

    /// <summary>The folder files go to; null for webhooks.</summary>
    public DropSettings? Drop { get; init; }

    /// <summary>For ad platforms: the match keys whose customer trait the file names (the others are read from <see cref="DefaultMatch"/>'s trait where the customers have it).</summary>
    public IReadOnlyDictionary<string, string> Match { get; init; } = new Dictionary<string, string>();

    /// <summary>For ad platforms: the country calling code put before a phone number written without one (<c>1</c>, <c>44</c>); null: such numbers are left out.</summary>
    public string? PhoneCountryCode { get; init; }

    /// <summary>How failed webhook deliveries are retried.</summary>
    public RetryPolicy Retry { get; init; } = RetryPolicy.Default;

    /// <summary>The file it was read from, relative to the workspace.</summary>
    public required string File { get; init; }

    /// <summary>The type as written in files and documents.</summary>
    public string TypeName => TypeNames.First(t => t.Value == Type).Key;

    private static readonly IReadOnlyDictionary<string, DestinationType> TypeNames = new Dictionary<string, DestinationType>(StringComparer.Ordinal)
    {
        ["webhook"] = DestinationType.Webhook,
        ["file"] = DestinationType.File,
        ["google_customer_match"] = DestinationType.GoogleCustomerMatch,
        ["meta_custom_audience"] = DestinationType.MetaCustomAudience,
    };

    /// <summary>The match keys an ad platform takes, and the trait each is read from unless the file says otherwise.</summary>
    public static IReadOnlyDictionary<string, string> DefaultMatch { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["email"] = "email",
        ["phone"] = "phone",
        ["first_name"] = "first_name",
        ["last_name"] = "last_name",
        ["country"] = "country",
        ["zip"] = "postal_code",
    };

    /// <summary>The consent channel an ad platform's audience needs unless its file says otherwise.</summary>
    public const string AdsChannel = "ads";

    /// <summary>Whether a sync sends the whole audience: when asked (a full resync), or always for files whose mode is <c>full</c>.</summary>
    public bool SyncsInFull(bool asked) => asked || Drop?.Mode == SyncMode.Full;

    /// <summary>Whether the type is an ad platform's audience.</summary>
    public bool IsAdPlatform => Type is DestinationType.GoogleCustomerMatch or DestinationType.MetaCustomAudience;

    /// <summary>Parses destination text; <paramref name="file"/> names it in messages and gives the default name.</summary>
    public static DestinationDefinition Parse(string file, string text)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(text);
        var root = YamlSection.Load(file, text);
        if (root.Has("secret"))
        {
            throw root.ErrorAt("secret", "secrets never live in files: name the environment variable that holds it with `secret_env`");
        }

        root.RejectUnknownKeys("name", "description", "type", "segments", "consent", "traits", "url", "secret_env", "batch_size", "timeout", "retry", "folder", "format", "mode", "match", "phone_country_code");
        var name = root.GetString("name") ?? Path.GetFileNameWithoutExtension(file);
        if (!NamedFiles.IsValidName(name))
        {
            throw root.Has("name")
                ? root.ErrorAt("name", $"destination name `{name}` must be lower snake case (letters, digits, _)")
                : new DestinationException($"{file}: the file name `{name}` is not a destination name (lower snake case); rename it or give `name:`");
        }

        var typeText = root.RequireString("type");
        if (!TypeNames.TryGetValue(typeText, out var type))
        {
            throw root.ErrorAt("type", $"unknown destination type `{typeText}`{Suggestions.DidYouMean(typeText, [.. TypeNames.Keys])}; expected one of {string.Join(", ", TypeNames.Keys)}");
        }

        var segments = root.GetStringList("segments");
        if (segments.Count == 0)
        {
            throw root.ErrorAt("segments", "a destination syncs at least one segment: `segments: [name, …]`");
        }

        if (segments.FirstOrDefault(s => !NamedFiles.IsValidName(s)) is { } badSegment)
        {
            throw root.ErrorAt("segments", $"`{NamedFiles.Shown(badSegment)}` is not a segment name");
        }

        if (segments.GroupBy(s => s, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw root.ErrorAt("segments", $"segment `{twice.Key}` is listed twice");
        }

        var adPlatform = type is DestinationType.GoogleCustomerMatch or DestinationType.MetaCustomAudience;
        var consentText = root.GetString("consent") ?? (adPlatform ? AdsChannel : null);
        var consent = consentText switch
        {
            null => throw root.ErrorHere("say which channel's consent members need (`consent: email`), or `consent: ignore` to send every member"),
            "ignore" => ConsentRequest.Skipped($"{file} says `consent: ignore`"),
            _ => ConsentRequest.For(consentText.Trim().ToLowerInvariant()),
        };

        var definition = new DestinationDefinition
        {
            Name = name,
            Description = root.GetString("description"),
            Type = type,
            Segments = segments,
            Consent = consent,
            Traits = root.GetStringList("traits"),
            File = file,
            Retry = ParseRetry(root),
        };

        return type switch
        {
            DestinationType.Webhook => definition with { Webhook = ParseWebhook(root) },
            DestinationType.File => definition with { Drop = ParseDrop(root, name, allowFormat: true) },
            _ => definition with
            {
                Drop = ParseDrop(root, name, allowFormat: false),
                Match = ParseMatch(root),
                PhoneCountryCode = ParseCountryCode(root),
            },
        };
    }

    private static void Refuse(YamlSection root, string type, params string[] keys)
    {
        if (keys.FirstOrDefault(root.Has) is { } key)
        {
            throw root.ErrorAt(key, $"`{key}` does not apply to a {type} destination");
        }
    }

    private static WebhookSettings ParseWebhook(YamlSection root)
    {
        Refuse(root, "webhook", "folder", "format", "mode", "match", "phone_country_code");
        var urlText = root.RequireString("url");
        if (!Uri.TryCreate(urlText, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
        {
            throw root.ErrorAt("url", $"`{urlText}` is not an http(s) URL");
        }

        if (url.Scheme == Uri.UriSchemeHttp && !url.IsLoopback)
        {
            throw root.ErrorAt("url", "customer data travels over https only; plain http is allowed to a loopback address (development, tests)");
        }

        if (!string.IsNullOrEmpty(url.UserInfo))
        {
            throw root.ErrorAt("url", "credentials in the URL would be stored in the file; sign with `secret_env` instead");
        }

        var secret = root.RequireString("secret_env");
        if (!Model.CanonicalModel.IsValidFieldName(secret.ToLowerInvariant()))
        {
            throw root.ErrorAt("secret_env", $"`secret_env` names an environment variable (letters, digits, _), not `{NamedFiles.Shown(secret)}`");
        }

        var batch = root.GetNumber("batch_size", 1) ?? 500;
        if (batch > 10_000 || batch != Math.Floor(batch))
        {
            throw root.ErrorAt("batch_size", "`batch_size` must be a whole number from 1 to 10000");
        }

        var timeout = root.GetDuration("timeout", TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(5)) ?? TimeSpan.FromSeconds(10);
        return new WebhookSettings(url, secret, (int)batch, timeout);
    }

    private static RetryPolicy ParseRetry(YamlSection root)
    {
        if (root.GetSection("retry") is not { } retry)
        {
            return RetryPolicy.Default;
        }

        retry.RejectUnknownKeys("attempts", "initial", "max");
        var attempts = retry.GetNumber("attempts", 1) ?? RetryPolicy.Default.Attempts;
        if (attempts > 100 || attempts != Math.Floor(attempts))
        {
            throw retry.ErrorAt("attempts", "`attempts` must be a whole number from 1 to 100");
        }

        var initial = retry.GetDuration("initial", TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(1)) ?? RetryPolicy.Default.Initial;
        var maximum = retry.GetDuration("max", TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(6)) ?? RetryPolicy.Default.Maximum;
        return maximum < initial
            ? throw retry.ErrorAt("max", "`max` must be at least `initial`")
            : new RetryPolicy((int)attempts, initial, maximum);
    }

    private static DropSettings ParseDrop(YamlSection root, string name, bool allowFormat)
    {
        Refuse(root, allowFormat ? "file" : "ad-platform", "url", "secret_env", "batch_size", "timeout", "retry");
        if (allowFormat)
        {
            Refuse(root, "file", "match", "phone_country_code");
        }
        else
        {
            Refuse(root, "ad-platform (files are CSV, as the platforms take them)", "format");
            Refuse(root, "ad-platform (the match keys are the data sent)", "traits");
        }

        var folder = root.GetString("folder") ?? Path.Combine("exports", Folder, name);
        var formatText = root.GetString("format") ?? "csv";
        var format = formatText switch
        {
            "csv" => DropFormat.Csv,
            "jsonl" => DropFormat.Jsonl,
            "parquet" => DropFormat.Parquet,
            _ => throw root.ErrorAt("format", $"unknown format `{formatText}`; expected csv, jsonl or parquet"),
        };
        var modeText = root.GetString("mode") ?? "incremental";
        var mode = modeText switch
        {
            "incremental" => SyncMode.Incremental,
            "full" => SyncMode.Full,
            _ => throw root.ErrorAt("mode", $"unknown mode `{modeText}`; expected incremental or full"),
        };
        return new DropSettings(folder, format, mode);
    }

    private static Dictionary<string, string> ParseMatch(YamlSection root)
    {
        var match = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in root.GetEntries("match"))
        {
            if (!DefaultMatch.ContainsKey(entry.Key))
            {
                throw entry.Error($"unknown match key `{entry.Key}`{Suggestions.DidYouMean(entry.Key, [.. DefaultMatch.Keys])}; expected one of {string.Join(", ", DefaultMatch.Keys)}");
            }

            match[entry.Key] = entry.Scalar is { Length: > 0 } trait ? trait : throw entry.Error($"`{entry.Key}` names the customer trait that holds it");
        }

        return match;
    }

    private static string? ParseCountryCode(YamlSection root)
    {
        var text = root.GetString("phone_country_code")?.Trim().TrimStart('+');
        return text is null || (text.Length is >= 1 and <= 3 && text.All(char.IsAsciiDigit) && text[0] != '0')
            ? text
            : throw root.ErrorAt("phone_country_code", "`phone_country_code` is a country calling code of 1 to 3 digits (1, 44, 353)");
    }

    /// <summary>A description of the destination's target for lists: its URL or folder.</summary>
    public string Target => Webhook is { } w ? w.Url.GetLeftPart(UriPartial.Path) : Drop!.Folder;

    /// <summary>The webhook's secret from the environment, or a <see cref="DestinationException"/> naming the variable to set.</summary>
    public byte[] Secret(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var variable = Webhook?.SecretVariable ?? throw new DestinationException($"destination `{Name}` is not a webhook");
        var value = environment(variable);
        return string.IsNullOrEmpty(value)
            ? throw new DestinationException($"destination `{Name}` signs with the secret in the environment variable {variable}, which is not set")
            : System.Text.Encoding.UTF8.GetBytes(value);
    }

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Name} ({TypeName})");
}

/// <summary>A destination that cannot be read, named, reached or synced as asked.</summary>
public sealed class DestinationException(string message, FailureKind kind = FailureKind.BadInput) : SegmentaException(message, kind);
