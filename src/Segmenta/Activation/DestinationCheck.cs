using Segmenta.Configuration;
using Segmenta.Model;
using Segmenta.Segments;
using Segmenta.Warehouse;

namespace Segmenta.Activation;

/// <summary>
/// A destination checked against the workspace before anything is sent: its segments exist, its consent channel is one
/// the workspace knows, its traits and match keys are customer columns.
/// </summary>
/// <param name="Channel">The consent channel as the workspace knows it; null when the file says <c>consent: ignore</c>.</param>
/// <param name="Traits">The customer columns sent with entering members (webhooks, files).</param>
/// <param name="MatchTraits">For ad platforms: the customer column each usable match key is read from.</param>
/// <param name="Detail">What the check wants said with every sync (consent not checked, match keys the data lacks).</param>
public sealed record DestinationCheck(string? Channel, IReadOnlyList<string> Traits, IReadOnlyDictionary<string, string> MatchTraits, string? Detail)
{
    /// <summary>Checks a destination; mistakes are <see cref="DestinationException"/>s (and the library's unknown-segment errors).</summary>
    public static DestinationCheck Validate(IWarehouse warehouse, SegmentLibrary library, DestinationDefinition destination)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        ArgumentNullException.ThrowIfNull(library);
        ArgumentNullException.ThrowIfNull(destination);
        foreach (var segment in destination.Segments)
        {
            library.Require(segment);
        }

        var channel = destination.Consent.Channel is { } c ? ConsentFilter.Channel(library.Schema, c) : null;
        var columns = warehouse.Columns(TableKind.Customers).Select(f => f.Name).ToList();
        var known = columns.ToHashSet(StringComparer.Ordinal);
        foreach (var trait in destination.Traits)
        {
            if (!known.Contains(trait))
            {
                throw new DestinationException($"{destination.File}: unknown trait `{trait}`{Suggestions.DidYouMean(trait, columns)}; a destination sends customer traits: {string.Join(", ", columns)}");
            }
        }

        var match = new Dictionary<string, string>(StringComparer.Ordinal);
        var missing = new List<string>();
        if (destination.IsAdPlatform)
        {
            foreach (var (key, fallback) in DestinationDefinition.DefaultMatch)
            {
                if (destination.Match.TryGetValue(key, out var trait))
                {
                    match[key] = known.Contains(trait)
                        ? trait
                        : throw new DestinationException($"{destination.File}: match key `{key}` reads trait `{trait}`, which customers do not have{Suggestions.DidYouMean(trait, columns)}");
                }
                else if (known.Contains(fallback))
                {
                    match[key] = fallback;
                }
                else
                {
                    missing.Add(key);
                }
            }

            if (!match.ContainsKey("email") && !match.ContainsKey("phone") && !(match.ContainsKey("first_name") && match.ContainsKey("last_name") && match.ContainsKey("country") && match.ContainsKey("zip")))
            {
                throw new DestinationException($"{destination.File}: customers have no e-mail, no phone and no full name with country and zip to match on; name the traits that hold them under `match:`");
            }
        }

        var notes = new List<string>();
        if (destination.Consent.SkippedBecause is { } why)
        {
            notes.Add($"consent not checked: {why}");
        }

        if (missing.Count > 0)
        {
            notes.Add($"customers have no trait for match keys {string.Join(", ", missing)}");
        }

        return new DestinationCheck(channel, destination.Traits, match, notes.Count == 0 ? null : string.Join("; ", notes));
    }
}
