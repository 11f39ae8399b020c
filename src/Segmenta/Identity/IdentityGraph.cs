namespace Segmenta.Identity;

/// <summary>The kinds of identifier a message or row can carry.</summary>
public enum IdentifierKind
{
    /// <summary>A user id (the mapping's <c>customer_id</c>, the Tracking API's <c>userId</c>): names its profile.</summary>
    UserId,

    /// <summary>An anonymous visitor's id (a cookie or device id; the Tracking API's <c>anonymousId</c>).</summary>
    AnonymousId,
}

/// <summary>One identifier: its kind and value.</summary>
public readonly record struct Identifier(IdentifierKind Kind, string Value) : IComparable<Identifier>
{
    /// <summary>The prefix of the customer id of a profile known only by anonymous ids (user ids may not start with it).</summary>
    public const string AnonymousPrefix = "anon:";

    /// <summary>The kind's name in tables, documents and the CLI.</summary>
    public string KindName => Name(Kind);

    /// <summary>The name of a kind: <c>user_id</c> or <c>anonymous_id</c>.</summary>
    public static string Name(IdentifierKind kind) => kind == IdentifierKind.UserId ? "user_id" : "anonymous_id";

    /// <summary>Reads a kind's name.</summary>
    public static IdentifierKind? ParseKind(string? name) => name switch
    {
        "user_id" => IdentifierKind.UserId,
        "anonymous_id" => IdentifierKind.AnonymousId,
        _ => null,
    };

    /// <summary>The customer id of a profile that holds only this identifier.</summary>
    public string DefaultCustomerId => Kind == IdentifierKind.UserId ? Value : AnonymousPrefix + Value;

    /// <inheritdoc />
    public int CompareTo(Identifier other) =>
        Kind != other.Kind ? Kind.CompareTo(other.Kind) : string.CompareOrdinal(Value, other.Value);

    /// <summary>Orders identifiers: user ids first, then by value.</summary>
    public static bool operator <(Identifier left, Identifier right) => left.CompareTo(right) < 0;

    /// <summary>Orders identifiers.</summary>
    public static bool operator <=(Identifier left, Identifier right) => left.CompareTo(right) <= 0;

    /// <summary>Orders identifiers.</summary>
    public static bool operator >(Identifier left, Identifier right) => left.CompareTo(right) > 0;

    /// <summary>Orders identifiers.</summary>
    public static bool operator >=(Identifier left, Identifier right) => left.CompareTo(right) >= 0;

    /// <inheritdoc />
    public override string ToString() => KindName + ":" + Value;
}

/// <summary>How a link came to be known.</summary>
public enum LinkSource
{
    /// <summary>A row (event or profile) carried both identifiers.</summary>
    Observed,

    /// <summary>An explicit <c>alias</c> call.</summary>
    Alias,
}

/// <summary>
/// Evidence that two identifiers are one person. <see cref="A"/> orders before <see cref="B"/>; <see cref="SeenAt"/> is
/// the earliest time the data carries for it (the event's time, the call's timestamp; null when a file gave none), never
/// when it arrived, so the graph does not depend on arrival order.
/// </summary>
public sealed record IdentityLink(Identifier A, Identifier B, DateTime? SeenAt, LinkSource Source, DateTime? UndoneAt = null, string? UndoReason = null)
{
    /// <summary>A link between two identifiers in canonical order.</summary>
    public static IdentityLink Between(Identifier x, Identifier y, DateTime? seenAt, LinkSource source) =>
        x.CompareTo(y) <= 0 ? new IdentityLink(x, y, seenAt, source) : new IdentityLink(y, x, seenAt, source);

    /// <summary>Whether the link takes part in resolution (it was not undone).</summary>
    public bool Active => UndoneAt is null;
}

/// <summary>What resolution made of one link.</summary>
public enum LinkOutcome
{
    /// <summary>It joined two profiles into one.</summary>
    Merged,

    /// <summary>Its identifiers were already one profile through earlier links.</summary>
    Redundant,

    /// <summary>Joining would break a rule (two user ids in one profile); the identifiers stay apart.</summary>
    Refused,

    /// <summary>It was undone and takes no part.</summary>
    Undone,
}

/// <summary>The rules resolution applies.</summary>
/// <param name="MaxUserIds">The most user ids one profile may hold (1: a shared device never merges two customers).</param>
public sealed record IdentityRules(int MaxUserIds = 1)
{
    /// <summary>The default rules.</summary>
    public static IdentityRules Default { get; } = new();
}

/// <summary>A resolved link with what became of it.</summary>
public sealed record ResolvedLink(IdentityLink Link, LinkOutcome Outcome, string? Reason);

/// <summary>The graph's result: each linked identifier's customer id, and each link's outcome in the order applied.</summary>
public sealed record IdentityResolution(IReadOnlyDictionary<Identifier, string> CustomerIds, IReadOnlyList<ResolvedLink> Links);

/// <summary>
/// Resolves identity links into profiles. Links are applied in a canonical order (earliest evidence first, then by
/// identifiers), each joining two profiles unless that breaks a rule, so the same links give the same profiles
/// whatever order they arrived in. A profile's customer id is its user id; a profile without one is named by its
/// smallest anonymous id (<c>anon:…</c>).
/// </summary>
public static class IdentityGraph
{
    /// <summary>The order links are applied in: undated (a file's) first, then by time, then by identifiers.</summary>
    public static int CompareLinks(IdentityLink x, IdentityLink y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        var c = Nullable.Compare(x.SeenAt, y.SeenAt);
        if (c == 0)
        {
            c = x.A.CompareTo(y.A);
        }

        if (c == 0)
        {
            c = x.B.CompareTo(y.B);
        }

        return c;
    }

    /// <summary>Resolves <paramref name="links"/> under <paramref name="rules"/>.</summary>
    public static IdentityResolution Resolve(IEnumerable<IdentityLink> links, IdentityRules rules)
    {
        ArgumentNullException.ThrowIfNull(links);
        ArgumentNullException.ThrowIfNull(rules);
        var ordered = links.ToList();
        ordered.Sort(CompareLinks);
        var index = new Dictionary<Identifier, int>();
        var parent = new List<int>();
        var userIds = new List<SortedSet<string>?>();

        int Node(Identifier id)
        {
            if (!index.TryGetValue(id, out var i))
            {
                i = parent.Count;
                index[id] = i;
                parent.Add(i);
                userIds.Add(id.Kind == IdentifierKind.UserId ? new SortedSet<string>(StringComparer.Ordinal) { id.Value } : null);
            }

            return i;
        }

        int Find(int i)
        {
            while (parent[i] != i)
            {
                parent[i] = parent[parent[i]];
                i = parent[i];
            }

            return i;
        }

        var resolved = new List<ResolvedLink>(ordered.Count);
        foreach (var link in ordered)
        {
            if (!link.Active)
            {
                Node(link.A);
                Node(link.B);
                resolved.Add(new ResolvedLink(link, LinkOutcome.Undone, link.UndoReason));
                continue;
            }

            int a = Find(Node(link.A)), b = Find(Node(link.B));
            if (a == b)
            {
                resolved.Add(new ResolvedLink(link, LinkOutcome.Redundant, null));
                continue;
            }

            var ua = userIds[a];
            var ub = userIds[b];
            var together = (ua?.Count ?? 0) + (ub?.Count ?? 0);
            if (together > rules.MaxUserIds)
            {
                var held = string.Join(" and ", new[] { ua, ub }.Where(s => s is not null).SelectMany(s => s!).Select(v => "user_id:" + v));
                resolved.Add(new ResolvedLink(link, LinkOutcome.Refused, $"would put {held} in one profile (at most {rules.MaxUserIds} user id{(rules.MaxUserIds == 1 ? "" : "s")} per profile)"));
                continue;
            }

            // The root keeps the user ids; the smaller index wins so that the structure is the same for the same links.
            var (root, child) = a < b ? (a, b) : (b, a);
            parent[child] = root;
            if (userIds[child] is { } moved)
            {
                (userIds[root] ??= new SortedSet<string>(StringComparer.Ordinal)).UnionWith(moved);
                userIds[child] = null;
            }

            resolved.Add(new ResolvedLink(link, LinkOutcome.Merged, null));
        }

        // Each profile's name: its first user id, else its smallest anonymous id.
        var names = new Dictionary<int, string>();
        foreach (var (id, i) in index.OrderBy(p => p.Key))
        {
            var root = Find(i);
            if (names.ContainsKey(root))
            {
                continue;
            }

            names[root] = userIds[root] is { Count: > 0 } users ? users.Min! : id.DefaultCustomerId;
        }

        var customerIds = index.ToDictionary(p => p.Key, p => names[Find(p.Value)]);
        return new IdentityResolution(customerIds, resolved);
    }
}
