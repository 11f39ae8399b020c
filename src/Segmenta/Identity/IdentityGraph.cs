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

    /// <summary>The identifier a profile is named after (the inverse of <see cref="DefaultCustomerId"/>).</summary>
    public static Identifier OfCustomerId(string customerId)
    {
        ArgumentNullException.ThrowIfNull(customerId);
        return customerId.StartsWith(AnonymousPrefix, StringComparison.Ordinal)
            ? new Identifier(IdentifierKind.AnonymousId, customerId[AnonymousPrefix.Length..])
            : new Identifier(IdentifierKind.UserId, customerId);
    }

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

    /// <summary>The source's name in tables and documents: <c>observed</c> or <c>alias</c>.</summary>
    public string SourceName => Source == LinkSource.Alias ? "alias" : "observed";

    /// <summary>Reads a source's name.</summary>
    public static LinkSource ParseSource(string name) => name == "alias" ? LinkSource.Alias : LinkSource.Observed;
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
public sealed record ResolvedLink(IdentityLink Link, LinkOutcome Outcome, string? Reason)
{
    /// <summary>An outcome's name in tables and documents: <c>merged</c>, <c>redundant</c>, <c>refused</c> or <c>undone</c>.</summary>
    public static string Name(LinkOutcome outcome) => outcome.ToString().ToLowerInvariant();
}

/// <summary>
/// The graph's result: each linked identifier's customer id (<see cref="Profiles"/>, in identifier order: user ids, then
/// anonymous ids, each by value), and each link's outcome in the order applied.
/// </summary>
public sealed class IdentityResolution
{
    private readonly Dictionary<Identifier, string> byIdentifier;

    internal IdentityResolution(IReadOnlyList<(Identifier Id, string CustomerId)> profiles, IReadOnlyList<ResolvedLink> links)
    {
        Profiles = profiles;
        Links = links;
        byIdentifier = new Dictionary<Identifier, string>(profiles.Count);
        foreach (var (id, customer) in profiles)
        {
            byIdentifier[id] = customer;
        }
    }

    /// <summary>Every linked identifier with its profile's customer id, in identifier order.</summary>
    public IReadOnlyList<(Identifier Id, string CustomerId)> Profiles { get; }

    /// <summary>Each link's outcome, in the order applied.</summary>
    public IReadOnlyList<ResolvedLink> Links { get; }

    /// <summary>The customer id of <paramref name="id"/>'s profile (its own default when it is in no link).</summary>
    public string CustomerOf(Identifier id) => byIdentifier.TryGetValue(id, out var customer) ? customer : id.DefaultCustomerId;
}

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
        var ordered = links.ToArray();
        Array.Sort(ordered, CompareLinks);
        var index = new Dictionary<Identifier, int>(ordered.Length * 2);
        var nodes = new List<Identifier>(ordered.Length * 2);
        var parent = new List<int>(ordered.Length * 2);

        // Per root: how many user ids its profile holds, the smallest of them, and its smallest anonymous id.
        var users = new List<int>(ordered.Length * 2);
        var firstUser = new List<string?>(ordered.Length * 2);
        var firstAnonymous = new List<string?>(ordered.Length * 2);

        int Node(Identifier id)
        {
            if (!index.TryGetValue(id, out var i))
            {
                i = parent.Count;
                index[id] = i;
                nodes.Add(id);
                parent.Add(i);
                var user = id.Kind == IdentifierKind.UserId;
                users.Add(user ? 1 : 0);
                firstUser.Add(user ? id.Value : null);
                firstAnonymous.Add(user ? null : id.Value);
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

        static string? Smaller(string? x, string? y) => x is null ? y : y is null ? x : string.CompareOrdinal(x, y) <= 0 ? x : y;

        var resolved = new List<ResolvedLink>(ordered.Length);
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

            if (users[a] + users[b] > rules.MaxUserIds)
            {
                var held = string.Join(" and ", new[] { firstUser[a], firstUser[b] }.Where(u => u is not null).Select(u => "user_id:" + u));
                resolved.Add(new ResolvedLink(link, LinkOutcome.Refused, $"would put {held} in one profile (at most {rules.MaxUserIds} user id{(rules.MaxUserIds == 1 ? "" : "s")} per profile)"));
                continue;
            }

            // The smaller index becomes the root, so the structure is the same for the same links.
            var (root, child) = a < b ? (a, b) : (b, a);
            parent[child] = root;
            users[root] += users[child];
            firstUser[root] = Smaller(firstUser[root], firstUser[child]);
            firstAnonymous[root] = Smaller(firstAnonymous[root], firstAnonymous[child]);
            resolved.Add(new ResolvedLink(link, LinkOutcome.Merged, null));
        }

        // Each profile's name: its first user id, else anon: and its smallest anonymous id.
        // In identifier order (user ids, then anonymous ids, each by value): sorted per kind by the ordinal comparer.
        var profiles = new List<(Identifier, string)>(nodes.Count);
        foreach (var kind in new[] { IdentifierKind.UserId, IdentifierKind.AnonymousId })
        {
            var positions = Enumerable.Range(0, nodes.Count).Where(i => nodes[i].Kind == kind).ToArray();
            var values = positions.Select(i => nodes[i].Value).ToArray();
            Array.Sort(values, positions, StringComparer.Ordinal);
            foreach (var i in positions)
            {
                var root = Find(i);
                profiles.Add((nodes[i], firstUser[root] ?? Identifier.AnonymousPrefix + firstAnonymous[root]));
            }
        }

        return new IdentityResolution(profiles, resolved);
    }
}
