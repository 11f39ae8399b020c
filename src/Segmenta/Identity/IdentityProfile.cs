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

/// <summary>A channel's consent for the profile at the document's as-of instant, and what decided it (docs/identity.md, "Consent").</summary>
/// <param name="Channel">The channel.</param>
/// <param name="Consented">Whether it may be contacted there.</param>
/// <param name="DecidedBy">The deciding fact's event type, or the baseline trait (<c>email_opt_in = true</c>), or <c>nothing</c>.</param>
/// <param name="DecidedAt">When the deciding fact occurred (ISO 8601 UTC); null for the baseline.</param>
public sealed record ProfileConsent(string Channel, bool Consented, string DecidedBy, string? DecidedAt);

/// <summary>One consent fact of the profile: a grant or withdrawal event.</summary>
/// <param name="Channel">The channel (lower case).</param>
/// <param name="EventType">The event type.</param>
/// <param name="OccurredAt">When (ISO 8601 UTC).</param>
public sealed record ProfileConsentFact(string Channel, string EventType, string OccurredAt);

/// <summary>
/// Who a customer is (<c>segmenta identity show</c>, <c>GET /api/customers/{id}/identity</c>): the profile's identifiers,
/// the links that made it (and those refused or undone), the history of changes, and its consent per channel.
/// </summary>
/// <param name="CustomerId">The profile's stable id.</param>
/// <param name="Anonymous">True when it holds no user id.</param>
/// <param name="Exists">False when no customer, event or identifier of that id is stored.</param>
/// <param name="Events">Events attributed to the profile.</param>
/// <param name="Identifiers">Its identifiers (an unlinked one is implied by its id).</param>
/// <param name="Links">Links touching its identifiers.</param>
/// <param name="Changes">Changes of its identifiers, and of identifiers that left it, oldest first.</param>
/// <param name="AsOf">The instant consent is stated at (ISO 8601 UTC).</param>
/// <param name="Consent">Per channel with evidence (a fact or a baseline trait value), its consent at <paramref name="AsOf"/>.</param>
/// <param name="ConsentFacts">Every consent fact of the profile, oldest first (later ones than the as-of too).</param>
public sealed record IdentityProfileDocument(
    string CustomerId,
    bool Anonymous,
    bool Exists,
    long Events,
    IReadOnlyList<ProfileIdentifier> Identifiers,
    IReadOnlyList<ProfileLink> Links,
    IReadOnlyList<ProfileChange> Changes,
    string AsOf,
    IReadOnlyList<ProfileConsent> Consent,
    IReadOnlyList<ProfileConsentFact> ConsentFacts);

/// <summary>Reads a profile's identity from the warehouse.</summary>
public static class IdentityProfile
{
    /// <summary>The identity of <paramref name="customerId"/>, with its consent at <paramref name="asOf"/>.</summary>
    public static IdentityProfileDocument Read(IWarehouse reader, string customerId, DateTime asOf)
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
        var (consent, facts) = Consents(reader, customerId, asOf);
        return new IdentityProfileDocument(
            customerId, customerId.StartsWith(Identifier.AnonymousPrefix, StringComparison.Ordinal), exists, events, identifiers, links, changes,
            Documents.DocumentValues.Iso(asOf), consent, facts);
    }

    /// <summary>
    /// The profile's consent facts and, per channel with evidence, the state at <paramref name="asOf"/> by the rule of
    /// docs/identity.md (the same the language's <c>consented</c> compiles to; a contract test holds the two together).
    /// </summary>
    private static (List<ProfileConsent> Consent, List<ProfileConsentFact> Facts) Consents(IWarehouse warehouse, string customerId, DateTime asOf)
    {
        var d = warehouse.Dialect;
        var facts = new List<(string Channel, string Type, DateTime At)>();
        warehouse.Read(IdentitySql.ConsentFacts(d, customerId), r =>
        {
            var type = r.GetString(0);
            var channel = Model.Consent.WithdrawalEvents.TryGetValue(type, out var named) ? named : r.IsDBNull(1) ? null : r.GetString(1).ToLowerInvariant();
            if (channel is not null)
            {
                facts.Add((channel, type, DateTime.SpecifyKind(r.GetDateTime(2), DateTimeKind.Utc)));
            }
        });

        var columns = warehouse.Columns(Model.TableKind.Customers);
        var channels = Model.Consent.Channels(columns);
        var baselines = channels.Select(c => Model.Consent.Baseline(columns, c)?.Name).OfType<string>().ToList();
        var baseline = new Dictionary<string, bool>(StringComparer.Ordinal);
        if (baselines.Count > 0)
        {
            warehouse.Read(IdentitySql.Traits(d, customerId, baselines), r =>
            {
                for (var i = 0; i < baselines.Count; i++)
                {
                    if (!r.IsDBNull(i))
                    {
                        baseline[baselines[i]] = r.GetBoolean(i);
                    }
                }
            });
        }

        var states = new List<ProfileConsent>();
        foreach (var channel in channels)
        {
            var trait = Model.Consent.OptInTrait(channel);
            var before = facts.Where(f => f.Channel == channel && f.At < asOf).ToList();
            if (before.Count > 0)
            {
                // The latest fact decides; at one instant a withdrawal wins.
                var at = before.Max(f => f.At);
                var deciding = before.Where(f => f.At == at).OrderBy(f => f.Type == Model.Consent.GrantedEvent ? 1 : 0).First();
                states.Add(new ProfileConsent(channel, deciding.Type == Model.Consent.GrantedEvent, deciding.Type, Documents.DocumentValues.Iso(at)));
            }
            else if (baseline.TryGetValue(trait, out var value))
            {
                states.Add(new ProfileConsent(channel, value, $"{trait} = {(value ? "true" : "false")}", null));
            }
            else if (facts.Any(f => f.Channel == channel))
            {
                states.Add(new ProfileConsent(channel, false, "nothing", null));
            }
        }

        return (states, [.. facts.Select(f => new ProfileConsentFact(f.Channel, f.Type, Documents.DocumentValues.Iso(f.At)))]);
    }
}
