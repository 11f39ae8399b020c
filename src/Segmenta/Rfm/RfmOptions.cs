using System.Globalization;
using Segmenta.Configuration;

namespace Segmenta.Rfm;

/// <summary>How scores are cut from values (docs/rfm.md). Both give equal values equal scores.</summary>
public enum RfmMethod
{
    /// <summary>
    /// Cut points at the quantiles: the k-th cut is the value at position ⌈k·n/N⌉ of the n scored
    /// customers ordered from worst to best; a customer's score is 1 plus the number of cuts its value
    /// is strictly better than.
    /// </summary>
    Quantiles,

    /// <summary>
    /// By rank: with w the number of customers strictly worse, the score is 1 + ⌊N·w/n⌋, so a group of
    /// tied customers lands in the bin where the group starts.
    /// </summary>
    Ranks,
}

/// <summary>How RFM is scored and named: bins, the quantile method, and the score map.</summary>
/// <param name="Bins">Scores run 1..Bins (2–10).</param>
/// <param name="Method">How values are cut into scores.</param>
/// <param name="Map">The rules that name score cells.</param>
public sealed record RfmOptions(int Bins, RfmMethod Method, RfmScoreMap Map)
{
    /// <summary>Five bins, quantiles, the standard segments.</summary>
    public static RfmOptions Default { get; } = new(5, RfmMethod.Quantiles, RfmScoreMap.Standard);

    /// <summary>The smallest and largest number of bins.</summary>
    public const int MinBins = 2, MaxBins = 10;

    /// <summary>The method's name in options and JSON.</summary>
    public static string MethodName(RfmMethod method) => method.ToString().ToLowerInvariant();

    /// <summary>Reads a method name; returns what is wrong, or null.</summary>
    public static string? TryParseMethod(string text, out RfmMethod method) =>
        Enum.TryParse(text, ignoreCase: true, out method) && Enum.IsDefined(method) && !int.TryParse(text, out _)
            ? null
            : $"unknown RFM method `{text}`; expected quantiles or ranks";

    /// <summary>Why a number of bins cannot be used, or null.</summary>
    public static string? CheckBins(int bins) =>
        bins is >= MinBins and <= MaxBins ? null : string.Create(CultureInfo.InvariantCulture, $"the number of bins must be {MinBins}–{MaxBins}, not {bins}");

    /// <summary>Reads the <c>rfm:</c> section of segmenta.yaml; mistakes point at their line.</summary>
    internal static RfmOptions Parse(YamlSection section)
    {
        section.RejectUnknownKeys("bins", "method", "scale", "segments", "other");
        var bins = Default.Bins;
        if (section.GetString("bins") is { } binsText)
        {
            if (!int.TryParse(binsText, NumberStyles.None, CultureInfo.InvariantCulture, out bins) || CheckBins(bins) is not null)
            {
                throw section.ErrorAt("bins", CheckBins(bins) ?? $"`bins` must be a whole number, not `{binsText}`");
            }
        }

        var method = Default.Method;
        if (section.GetString("method") is { } methodText && TryParseMethod(methodText, out method) is { } badMethod)
        {
            throw section.ErrorAt("method", badMethod);
        }

        var map = Default.Map;
        if (section.Has("segments"))
        {
            var scale = 5;
            if (section.GetString("scale") is { } scaleText
                && (!int.TryParse(scaleText, NumberStyles.None, CultureInfo.InvariantCulture, out scale) || CheckBins(scale) is not null))
            {
                throw section.ErrorAt("scale", $"`scale` is the score range the rules are written on, {MinBins}–{MaxBins}, not `{scaleText}`");
            }

            var rules = new List<RfmRule>();
            foreach (var entry in section.GetEntries("segments"))
            {
                var texts = entry.Value switch
                {
                    YamlDotNet.RepresentationModel.YamlScalarNode s => [s.Value ?? ""],
                    YamlDotNet.RepresentationModel.YamlSequenceNode list => list.Children.Select(c => (c as YamlDotNet.RepresentationModel.YamlScalarNode)?.Value ?? throw entry.Error($"`{entry.Key}`: each rule is a text such as \"r4-5 fm4-5\"")).ToList(),
                    _ => throw entry.Error($"`{entry.Key}` must be a rule such as \"r4-5 fm4-5\", or a list of rules"),
                };
                foreach (var text in texts)
                {
                    if (RfmScoreMap.TryParseRule(entry.Key, text, scale, out var rule) is { } problem)
                    {
                        throw entry.Error($"segment `{entry.Key}`: {problem}");
                    }

                    rules.Add(rule!);
                }
            }

            if (rules.Count == 0)
            {
                throw section.ErrorAt("segments", "`segments` names at least one segment, such as `Champions: \"r5 fm4-5\"`");
            }

            map = new RfmScoreMap(scale, rules, section.GetString("other") ?? RfmScoreMap.Other);
        }
        else if (section.Has("scale") || section.Has("other"))
        {
            throw section.ErrorAt(section.Has("scale") ? "scale" : "other", "`scale` and `other` belong to a custom `segments` map");
        }

        return new RfmOptions(bins, method, map);
    }
}
