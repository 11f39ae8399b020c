using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Segmenta.Configuration;

/// <summary>
/// A typed, position-aware view of one YAML mapping node. Every getter reports mistakes as a
/// <see cref="ConfigurationException"/> that points at the offending line and column, and
/// <see cref="RejectUnknownKeys"/> turns a misspelt key into an error instead of a silently ignored one.
/// </summary>
internal sealed class YamlSection
{
    private readonly YamlMappingNode node;

    private YamlSection(string file, YamlMappingNode node)
    {
        File = file;
        this.node = node;
    }

    public string File { get; }

    public static YamlSection Load(string file, string text)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new ConfigurationException(file, (int)e.Start.Line, (int)e.Start.Column, "this is not valid YAML: " + e.InnerException?.Message ?? e.Message);
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new ConfigurationException(file, 1, 1, "expected a YAML mapping of keys to values");
        }

        return new YamlSection(file, root);
    }

    public IEnumerable<string> Keys => node.Children.Keys.Select(k => ((YamlScalarNode)k).Value ?? "");

    public bool Has(string key) => Find(key) is not null;

    public string? GetString(string key)
    {
        var value = Find(key);
        return value switch
        {
            null => null,
            YamlScalarNode scalar => scalar.Value,
            _ => throw Error(value, $"`{key}` must be a single value"),
        };
    }

    public string RequireString(string key) =>
        GetString(key) ?? throw new ConfigurationException(File, Line(node), Column(node), $"missing key `{key}`");

    public bool? GetBoolean(string key)
    {
        var text = GetString(key);
        if (text is null)
        {
            return null;
        }

        return text.ToUpperInvariant() switch
        {
            "TRUE" or "YES" or "ON" => true,
            "FALSE" or "NO" or "OFF" => false,
            _ => throw Error(Find(key)!, $"`{key}` must be true or false, not `{text}`"),
        };
    }

    /// <summary>A share between 0 and 1, written as <c>0.2</c> or <c>20%</c>; null when absent.</summary>
    public double? GetShare(string key)
    {
        if (GetString(key) is not { } text)
        {
            return null;
        }

        var percent = text.EndsWith('%');
        return double.TryParse(percent ? text[..^1] : text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
               && (percent ? value / 100 : value) is var share and >= 0 and <= 1
            ? share
            : throw ErrorAt(key, $"`{key}` must be a share between 0 and 1 (or a percentage), not `{text}`");
    }

    /// <summary>A number of at least <paramref name="minimum"/>; null when absent.</summary>
    public double? GetNumber(string key, double minimum)
    {
        if (GetString(key) is not { } text)
        {
            return null;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) && value >= minimum
            ? value
            : throw ErrorAt(key, string.Create(CultureInfo.InvariantCulture, $"`{key}` must be a number of at least {minimum}, not `{text}`"));
    }

    /// <summary>
    /// A duration written with its unit (<c>250ms</c>, <c>2s</c>, <c>10m</c>, <c>1h</c>) between <paramref name="minimum"/> and
    /// <paramref name="maximum"/>; null when absent.
    /// </summary>
    public TimeSpan? GetDuration(string key, TimeSpan minimum, TimeSpan maximum)
    {
        if (GetString(key) is not { } text)
        {
            return null;
        }

        TimeSpan? duration = Durations.TryParse(text, out var parsed) ? parsed : null;
        return duration is { } d && d >= minimum && d <= maximum
            ? d
            : throw ErrorAt(key, string.Create(CultureInfo.InvariantCulture, $"`{key}` must be a duration with its unit (250ms, 2s, 10m, 1h) from {minimum.TotalSeconds}s to {maximum.TotalSeconds}s, not `{text}`"));
    }

    public IReadOnlyList<string> GetStringList(string key)
    {
        var value = Find(key);
        switch (value)
        {
            case null:
                return [];
            case YamlScalarNode scalar:
                return [scalar.Value ?? ""];
            case YamlSequenceNode sequence:
                return sequence.Children
                    .Select(c => c is YamlScalarNode s ? s.Value ?? "" : throw Error(c, $"`{key}` must be a list of values"))
                    .ToList();
            default:
                throw Error(value, $"`{key}` must be a list of values");
        }
    }

    public YamlSection? GetSection(string key)
    {
        var value = Find(key);
        return value switch
        {
            null => null,
            YamlMappingNode mapping => new YamlSection(File, mapping),
            _ => throw Error(value, $"`{key}` must be a mapping of keys to values"),
        };
    }

    /// <summary>The entries of a mapping-valued key, in file order, each with its position.</summary>
    public IReadOnlyList<YamlEntry> GetEntries(string key)
    {
        var value = Find(key);
        switch (value)
        {
            case null:
                return [];
            case YamlMappingNode mapping:
                return mapping.Children
                    .Select(kv => new YamlEntry(this, ((YamlScalarNode)kv.Key).Value ?? "", kv.Key, kv.Value))
                    .ToList();
            default:
                throw Error(value, $"`{key}` must be a mapping of keys to values");
        }
    }

    public void RejectUnknownKeys(params string[] known)
    {
        foreach (var (keyNode, _) in node.Children)
        {
            var key = ((YamlScalarNode)keyNode).Value ?? "";
            if (!known.Contains(key, StringComparer.Ordinal))
            {
                var suggestion = Suggestions.Closest(key, known);
                throw Error(keyNode, $"unknown key `{key}`" + (suggestion is null ? $"; expected one of {string.Join(", ", known)}" : $" — did you mean `{suggestion}`?"));
            }
        }
    }

    /// <summary>An error pointing at the value of <paramref name="key"/>.</summary>
    public ConfigurationException ErrorAt(string key, string problem) => Error(Find(key) ?? node, problem);

    /// <summary>file:line:column of a key's value.</summary>
    public string PositionOf(string key)
    {
        var at = Find(key) ?? node;
        return string.Create(CultureInfo.InvariantCulture, $"{File}:{Line(at)}:{Column(at)}");
    }

    public ConfigurationException ErrorHere(string problem) => Error(node, problem);

    internal ConfigurationException Error(YamlNode at, string problem) => new(File, Line(at), Column(at), problem);

    internal static YamlSection Wrap(string file, YamlMappingNode mapping) => new(file, mapping);

    private YamlNode? Find(string key)
    {
        return node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;
    }

    private static int Line(YamlNode n) => (int)n.Start.Line;

    private static int Column(YamlNode n) => (int)n.Start.Column;
}

/// <summary>One key of a YAML mapping with its value node, for sections whose keys are user names.</summary>
internal sealed record YamlEntry(YamlSection Parent, string Key, YamlNode KeyNode, YamlNode Value)
{
    public string? Scalar => Value is YamlScalarNode s ? s.Value : null;

    public YamlSection? Section => Value is YamlMappingNode m ? YamlSection.Wrap(Parent.File, m) : null;

    public IReadOnlyDictionary<string, string> ScalarMap()
    {
        if (Value is not YamlMappingNode m)
        {
            throw Error($"`{Key}` must be a mapping of values");
        }

        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in m.Children)
        {
            result[((YamlScalarNode)k).Value ?? ""] = v is YamlScalarNode s ? s.Value ?? "" : throw Parent.Error(v, "expected a single value");
        }

        return result;
    }

    public ConfigurationException Error(string problem) => Parent.Error(KeyNode, problem);

    public string Position => string.Create(CultureInfo.InvariantCulture, $"{Parent.File}:{KeyNode.Start.Line}:{KeyNode.Start.Column}");
}
