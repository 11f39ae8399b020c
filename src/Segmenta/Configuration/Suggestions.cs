namespace Segmenta.Configuration;

/// <summary>"Did you mean" suggestions by edit distance, shared by every place that resolves a user's name.</summary>
public static class Suggestions
{
    /// <summary>" — did you mean `x`?" for the closest candidate, or "" when none is close enough.</summary>
    public static string DidYouMean(string name, IEnumerable<string> candidates) => Hint(Closest(name, candidates));

    /// <summary>" — did you mean `x`?" for a suggestion, or "" for none.</summary>
    public static string Hint(string? suggestion) => suggestion is null ? "" : $" — did you mean `{suggestion}`?";

    /// <summary>The candidate closest to <paramref name="name"/>, or null when none is close enough to be a likely typo.</summary>
    public static string? Closest(string name, IEnumerable<string> candidates)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(candidates);
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            var distance = Distance(name.ToUpperInvariant(), candidate.ToUpperInvariant());
            if (distance < bestDistance)
            {
                (best, bestDistance) = (candidate, distance);
            }
        }

        return best is not null && bestDistance <= Math.Max(1, name.Length / 3) ? best : null;
    }

    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
