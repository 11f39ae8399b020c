using System.Data;
using Segmenta.Sql;
using Segmenta.Warehouse;

namespace Segmenta.Identity;

/// <summary>One identifier of a profile.</summary>
/// <param name="Kind"><c>user_id</c> or <c>anonymous_id</c>.</param>
/// <param name="Id">Its value.</param>
public sealed record ProfileIdentifier(string Kind, string Id);

/// <summary>A link touching a profile, with what resolution made of it.</summary>
/// <param name="A">One identifier (<c>kind:id</c>).</param>
/// <param name="B">The other.</param>
/// <param name="SeenAt">The earliest evidence (ISO 8601 UTC), null when the source gave no time.</param>
/// <param name="Source"><c>observed</c> (a row carried both) or <c>alias</c>.</param>
/// <param name="RunId">The ingest run that first saw it (0: none).</param>
/// <param name="Outcome"><c>merged</c>, <c>redundant</c>, <c>refused</c> or <c>undone</c>.</param>
/// <param name="Reason">Why refused, or why undone.</param>
public sealed record ProfileLink(string A, string B, string? SeenAt, string Source, long RunId, string Outcome, string? Reason);

/// <summary>A change of one of the profile's identifiers (or of an identifier that left it).</summary>
/// <param name="ChangeId">Its number, in order.</param>
/// <param name="ChangedAt">When (ISO 8601 UTC).</param>
/// <param name="RunId">The ingest run, null for an undo or erasure.</param>
/// <param name="Identifier"><c>kind:id</c>.</param>
/// <param name="FromCustomerId">The profile before.</param>
/// <param name="ToCustomerId">The profile after.</param>
/// <param name="Reason">Why.</param>
public sealed record ProfileChange(long ChangeId, string ChangedAt, long? RunId, string Identifier, string FromCustomerId, string ToCustomerId, string Reason);

/// <summary>
/// Who a customer is (<c>segmenta identity show</c>, <c>GET /api/customers/{id}/identity</c>): the profile's identifiers,
/// the links that made it (and those refused or undone), and the history of changes.
/// </summary>
/// <param name="CustomerId">The profile's stable id.</param>
/// <param name="Anonymous">True when it holds no user id.</param>
/// <param name="Exists">False when no customer, event or identifier of that id is stored.</param>
/// <param name="Events">Events attributed to the profile.</param>
/// <param name="Identifiers">Its identifiers (an unlinked one is implied by its id).</param>
/// <param name="Links">Links touching its identifiers.</param>
/// <param name="Changes">Changes of its identifiers, and of identifiers that left it, oldest first.</param>
public sealed record IdentityProfileDocument(
    string CustomerId,
    bool Anonymous,
    bool Exists,
    long Events,
    IReadOnlyList<ProfileIdentifier> Identifiers,
    IReadOnlyList<ProfileLink> Links,
    IReadOnlyList<ProfileChange> Changes);

/// <summary>Reads a profile's identity from the warehouse.</summary>
public static class IdentityProfile
{
    /// <summary>The identity of <paramref name="customerId"/>.</summary>
    public static IdentityProfileDocument Read(ISqlReader reader, string customerId)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(customerId);
        var d = reader.Dialect;
        // The identifier the profile is named after, then the others resolution gave it.
        var own = Identifier.OfCustomerId(customerId);
        var identifiers = new List<ProfileIdentifier> { new(own.KindName, own.Value) };
        reader.Read(IdentitySql.IdentifiersOf(d, customerId), r =>
        {
            var identifier = new ProfileIdentifier(r.GetString(0), r.GetString(1));
            if (!identifiers.Contains(identifier))
            {
                identifiers.Add(identifier);
            }
        });

        long events = 0;
        var customers = 0L;
        reader.Read(IdentitySql.Presence(d, customerId), r => (events, customers) = (r.GetInt64(0), r.GetInt64(1)));

        var keys = identifiers.Select(i => (i.Kind, i.Id)).ToHashSet();
        var links = new List<ProfileLink>();
        var stored = IdentityStore.ReadLinks(reader).Values
            .Where(l => keys.Contains((l.Link.A.KindName, l.Link.A.Value)) || keys.Contains((l.Link.B.KindName, l.Link.B.Value)))
            .OrderBy(l => l.Link, Comparer<IdentityLink>.Create(IdentityGraph.CompareLinks));
        foreach (var l in stored)
        {
            links.Add(new ProfileLink(
                l.Link.A.ToString(), l.Link.B.ToString(), l.Link.SeenAt is { } seen ? Documents.DocumentValues.Iso(seen) : null,
                l.Link.SourceName, l.RunId, ResolvedLink.Name(l.Outcome), l.Reason ?? l.Link.UndoReason));
        }

        var changes = new List<ProfileChange>();
        reader.Read(IdentitySql.ChangesOf(d, customerId), r => changes.Add(new ProfileChange(
                r.GetInt64(0), Documents.DocumentValues.Iso(DateTime.SpecifyKind(r.GetDateTime(1), DateTimeKind.Utc)), r.IsDBNull(2) ? null : r.GetInt64(2),
                r.GetString(3) + ":" + r.GetString(4), r.GetString(5), r.GetString(6), r.GetString(7))));

        var exists = events > 0 || customers > 0 || links.Count > 0;
        return new IdentityProfileDocument(
            customerId, customerId.StartsWith(Identifier.AnonymousPrefix, StringComparison.Ordinal), exists, events, identifiers, links, changes);
    }
}
