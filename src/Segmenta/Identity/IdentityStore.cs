using System.Data;
using System.Globalization;
using Segmenta.Ingestion;
using Segmenta.Model;
using Segmenta.Sql;
using Segmenta.Warehouse;

namespace Segmenta.Identity;

/// <summary>What one resolution pass changed.</summary>
/// <param name="NewLinks">Links seen for the first time (or earlier than before).</param>
/// <param name="Changed">Identifiers whose profile changed.</param>
/// <param name="Reattributed">Events moved to another profile (the run's own anonymous events included).</param>
/// <param name="Absorbed">Profiles merged into another and removed.</param>
public readonly record struct IdentityPassResult(int NewLinks, int Changed, long Reattributed, long Absorbed);

/// <summary>
/// The identity graph as stored in the warehouse (docs/identity.md): links in <c>identity_links</c>, each linked
/// identifier's profile in <c>identities</c>, every change in <c>identity_changes</c>. A pass runs inside the caller's
/// transaction (an ingest run's, an undo's, an erasure's): it resolves all links again (<see cref="IdentityGraph"/>),
/// stores what changed, moves the events of changed anonymous ids to their profile, and folds profiles that were
/// absorbed into the profile that absorbed them. Events that came with a user id always stay with that user.
/// </summary>
public static class IdentityStore
{
    /// <summary>
    /// Resolves an ingest run's identities, inside its transaction, after its rows are in place and before bare
    /// customers are created for them: links the ids its rows carried together (events from <c>events</c>, profiles
    /// from <paramref name="customerStage"/>), then attributes its anonymous events.
    /// </summary>
    public static IdentityPassResult ResolveRun(IWarehouseTransaction tx, IngestLoadRequest run, long runId, string? customerStage, IReadOnlyList<FieldDefinition> customerColumns, DateTime at)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(customerColumns);
        var d = tx.Dialect;
        SqlStatement pairs;
        if (run.Table == TableKind.Events)
        {
            pairs = IdentitySql.EventPairs(d, runId);
        }
        else if (customerStage is not null && run.Columns.Any(c => c.Name == CanonicalModel.AnonymousId))
        {
            pairs = IdentitySql.ProfilePairs(d, customerStage, run.Columns.Any(c => c.Name == CanonicalModel.IdentifiedAt));
        }
        else
        {
            return Apply(tx, [], runId, at, customerColumns, null, foldProfiles: run.Table == TableKind.Customers);
        }

        var observed = new List<IdentityLink>();
        tx.Read(pairs, r => observed.Add(IdentityLink.Between(
            new Identifier(IdentifierKind.UserId, r.GetString(0)),
            new Identifier(IdentifierKind.AnonymousId, r.GetString(1)),
            r.IsDBNull(2) ? null : DateTime.SpecifyKind(r.GetDateTime(2), DateTimeKind.Utc),
            run.Aliases ? LinkSource.Alias : LinkSource.Observed)));
        return Apply(tx, observed, runId, at, customerColumns, IdentitySql.RunRows(d, runId), foldProfiles: run.Table == TableKind.Customers);
    }

    /// <summary>
    /// Adds <paramref name="observed"/> links (keeping each link's earliest evidence), resolves again if anything is new,
    /// and re-attributes. <paramref name="alsoAttribute"/> is a condition on <c>events</c> (aliased as the table) for
    /// rows to attribute even when nothing changed (an ingest run's own rows), or null. <paramref name="foldProfiles"/>: the
    /// run stored profiles, so anonymous ones among them are folded into their user's even when no link is new.
    /// </summary>
    public static IdentityPassResult Apply(IWarehouseTransaction tx, IReadOnlyList<IdentityLink> observed, long? runId, DateTime at, IReadOnlyList<FieldDefinition> customerColumns, Func<SqlBuilder, string>? alsoAttribute, string? cause = null, bool foldProfiles = false)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(observed);

        // Nothing new to link (most runs, and every collection flush of identified users): attribute the run's anonymous
        // events by the stored graph, fold a profiles run's anonymous rows, and leave the graph unread.
        IdentityPassResult Unchanged()
        {
            var moved = Reattribute(tx, null, alsoAttribute);
            return new IdentityPassResult(0, 0, moved, foldProfiles ? Absorb(tx, customerColumns, null, insertProfiles: false) : 0);
        }

        if (observed.Count == 0 && cause is null)
        {
            return Unchanged();
        }

        var links = ReadLinks(tx);
        var fresh = new List<StoredLink>();
        foreach (var link in observed)
        {
            var key = (link.A, link.B);
            if (!links.TryGetValue(key, out var stored))
            {
                links[key] = new StoredLink(link, runId ?? 0, LinkOutcome.Merged, null);
                fresh.Add(links[key]);
            }
            else if (stored.Link.SeenAt is { } before && (link.SeenAt is null || link.SeenAt < before))
            {
                links[key] = stored with { Link = stored.Link with { SeenAt = link.SeenAt } };
                fresh.Add(links[key]);
            }
        }

        if (fresh.Count == 0 && cause is null)
        {
            return Unchanged();
        }

        var resolution = IdentityGraph.Resolve(links.Values.Select(l => l.Link), IdentityRules.Default);
        var current = ReadIdentities(tx);
        var reasons = Reasons(fresh, resolution, runId, cause);
        var changes = new List<(Identifier Id, string From, string To, string Reason)>();
        foreach (var (id, customer) in resolution.Profiles)
        {
            var from = current.TryGetValue(id, out var c) ? c : id.DefaultCustomerId;
            if (from != customer)
            {
                changes.Add((id, from, customer, reasons.GetValueOrDefault(customer) ?? cause ?? "resolved again"));
            }
        }

        WriteLinks(tx, links, resolution);
        var first = WriteChanges(tx, resolution.Profiles, changes, runId, at);
        var reattributed = Reattribute(tx, first, alsoAttribute);
        var absorbed = Absorb(tx, customerColumns, first, insertProfiles: true);
        return new IdentityPassResult(fresh.Count, changes.Count, reattributed, absorbed);
    }

    /// <summary>
    /// Undoes the link between <paramref name="x"/> and <paramref name="y"/> (a wrong merge): it takes no further part,
    /// even when the same evidence arrives again, and the profiles are resolved without it; events move back.
    /// Returns null when no such link is stored.
    /// </summary>
    public static IdentityPassResult? Undo(IWarehouseTransaction tx, Identifier x, Identifier y, string reason, DateTime at, IReadOnlyList<FieldDefinition> customerColumns)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(reason);
        var (a, b) = x.CompareTo(y) <= 0 ? (x, y) : (y, x);
        var changed = tx.Execute(IdentitySql.UndoLink(tx.Dialect, a, b, at, reason));
        if (changed == 0)
        {
            return null;
        }

        return Apply(tx, [], null, at, customerColumns, null, $"undid link {a} ~ {b} ({reason})");
    }

    /// <summary>Every stored link with its outcome, keyed by its two identifiers.</summary>
    public static Dictionary<(Identifier, Identifier), StoredLink> ReadLinks(ISqlReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var d = reader.Dialect;
        var links = new Dictionary<(Identifier, Identifier), StoredLink>();
        reader.Read(
            IdentitySql.Links(d),
            r =>
            {
                var link = new IdentityLink(
                    new Identifier(Identifier.ParseKind(r.GetString(0))!.Value, r.GetString(1)),
                    new Identifier(Identifier.ParseKind(r.GetString(2))!.Value, r.GetString(3)),
                    Utc(r, 4),
                    IdentityLink.ParseSource(r.GetString(5)),
                    Utc(r, 9),
                    r.IsDBNull(10) ? null : r.GetString(10));
                links[(link.A, link.B)] = new StoredLink(link, r.GetInt64(6), Enum.Parse<LinkOutcome>(r.GetString(7), ignoreCase: true), r.IsDBNull(8) ? null : r.GetString(8));
            });
        return links;
    }

    /// <summary>Each identifier whose profile is not its own (any other names its own: <see cref="Identifier.DefaultCustomerId"/>).</summary>
    public static Dictionary<Identifier, string> ReadIdentities(ISqlReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var d = reader.Dialect;
        var identities = new Dictionary<Identifier, string>();
        reader.Read(
            IdentitySql.Identities(d),
            r => identities[new Identifier(Identifier.ParseKind(r.GetString(0))!.Value, r.GetString(1))] = r.GetString(2));
        return identities;
    }

    /// <summary>A link's name in text: <c>user_id:u1 ~ anonymous_id:d7</c>.</summary>
    public static string Describe(IdentityLink link)
    {
        ArgumentNullException.ThrowIfNull(link);
        return $"{link.A} ~ {link.B}";
    }

    /// <summary>Why each profile changed: the new links that joined it (the first three named).</summary>
    private static Dictionary<string, string> Reasons(List<StoredLink> fresh, IdentityResolution resolution, long? runId, string? cause)
    {
        var byProfile = new Dictionary<string, (List<IdentityLink> Named, int Count)>(StringComparer.Ordinal);
        foreach (var stored in fresh)
        {
            var profile = resolution.CustomerOf(stored.Link.A);
            if (!byProfile.TryGetValue(profile, out var entry))
            {
                entry = ([], 0);
            }

            if (entry.Named.Count < 3)
            {
                entry.Named.Add(stored.Link);
            }

            byProfile[profile] = (entry.Named, entry.Count + 1);
        }

        var run = runId is { } id and > 0 ? string.Create(CultureInfo.InvariantCulture, $" in ingest run {id}") : "";
        return byProfile.ToDictionary(
            p => p.Key,
            p => (cause is null ? "" : cause + "; ") + "linked " + string.Join(", ", p.Value.Named.Select(Describe)) + (p.Value.Count > 3 ? $" and {p.Value.Count - 3} more" : "") + run,
            StringComparer.Ordinal);
    }

    /// <summary>Rewrites every link with its outcome, in the order resolution applied them.</summary>
    private static void WriteLinks(IWarehouseTransaction tx, Dictionary<(Identifier, Identifier), StoredLink> stored, IdentityResolution resolution)
    {
        var links = resolution.Links;
        var n = links.Count;
        string?[] kindA = new string?[n], idA = new string?[n], kindB = new string?[n], idB = new string?[n], source = new string?[n], outcome = new string?[n], reason = new string?[n], undoReason = new string?[n];
        DateTime?[] seen = new DateTime?[n], undone = new DateTime?[n];
        var run = new long?[n];
        for (var i = 0; i < n; i++)
        {
            var l = links[i].Link;
            (kindA[i], idA[i], kindB[i], idB[i]) = (l.A.KindName, l.A.Value, l.B.KindName, l.B.Value);
            seen[i] = l.SeenAt;
            source[i] = l.SourceName;
            run[i] = stored[(l.A, l.B)].RunId;
            outcome[i] = ResolvedLink.Name(links[i].Outcome);
            reason[i] = links[i].Reason;
            undone[i] = l.UndoneAt;
            undoReason[i] = l.UndoReason;
        }

        var rows = new TableRows(n)
            .Add("kind_a", kindA).Add("id_a", idA).Add("kind_b", kindB).Add("id_b", idB).Add("seen_at", seen).Add("source", source)
            .Add("run_id", run).Add("outcome", outcome).Add("reason", reason).Add("undone_at", undone).Add("undo_reason", undoReason);
        tx.Execute(IdentitySql.DeleteAll(tx.Dialect, Tables.IdentityLinks));
        tx.Append(Tables.IdentityLinks, rows);
    }

    /// <summary>
    /// Stores the profile of every linked identifier that is not its own (an identifier absent from <c>identities</c> names
    /// its own profile: a user id, or <c>anon:</c> and an anonymous id) and records the changes; returns the first change's id.
    /// </summary>
    private static long WriteChanges(IWarehouseTransaction tx, IReadOnlyList<(Identifier Id, string CustomerId)> profiles, List<(Identifier Id, string From, string To, string Reason)> changes, long? runId, DateTime at)
    {
        var d = tx.Dialect;
        var ordered = profiles.Where(p => p.CustomerId != p.Id.DefaultCustomerId).ToList();
        tx.Execute(IdentitySql.DeleteAll(d, Tables.Identities));
        tx.Append(Tables.Identities, new TableRows(ordered.Count)
            .Add("kind", ordered.Select(p => (string?)p.Id.KindName).ToArray())
            .Add("id", ordered.Select(p => (string?)p.Id.Value).ToArray())
            .Add("customer_id", ordered.Select(p => (string?)p.CustomerId).ToArray()));

        long first = 1;
        tx.Read(IdentitySql.NextChange(d), r => first = r.GetInt64(0));
        var n = changes.Count;
        tx.Append(Tables.IdentityChanges, new TableRows(n)
            .Add("change_id", Enumerable.Range(0, n).Select(i => (long?)(first + i)).ToArray())
            .Add("run_id", Enumerable.Repeat(runId is > 0 ? runId : null, n).ToArray())
            .Add("changed_at", Enumerable.Repeat((DateTime?)at, n).ToArray())
            .Add("kind", changes.Select(c => (string?)c.Id.KindName).ToArray())
            .Add("id", changes.Select(c => (string?)c.Id.Value).ToArray())
            .Add("from_customer_id", changes.Select(c => (string?)c.From).ToArray())
            .Add("to_customer_id", changes.Select(c => (string?)c.To).ToArray())
            .Add("reason", changes.Select(c => (string?)c.Reason).ToArray()));
        return first;
    }

    /// <summary>
    /// Attributes anonymous events (those that came without a user id) to their anonymous id's profile: the ids changed
    /// from change <paramref name="first"/> on, and the rows <paramref name="alsoAttribute"/> selects.
    /// </summary>
    private static long Reattribute(IWarehouseTransaction tx, long? first, Func<SqlBuilder, string>? alsoAttribute) =>
        (first is { } f ? tx.Execute(IdentitySql.ReattributeChanged(tx.Dialect, f)) : 0)
        + (alsoAttribute is null ? 0 : tx.Execute(IdentitySql.ReattributeRows(tx.Dialect, alsoAttribute)));

    /// <summary>
    /// Folds each absorbed profile (a customer row named after an anonymous id that now belongs to another profile) into
    /// the profile that absorbed it: traits the absorbing profile lacks are taken from it, then its row is removed.
    /// Profiles that only exist through their identities get a bare row. Returns the rows removed.
    /// </summary>
    private static long Absorb(IWarehouseTransaction tx, IReadOnlyList<FieldDefinition> customerColumns, long? firstChange, bool insertProfiles)
    {
        var d = tx.Dialect;
        if (insertProfiles)
        {
            tx.Execute(IdentitySql.InsertProfiles(d, firstChange));
        }

        var anyAbsorbing = false;
        tx.Read(IdentitySql.AnyAbsorbing(d), _ => anyAbsorbing = true);
        if (!anyAbsorbing)
        {
            return 0;
        }

        var traits = customerColumns.Select(c => c.Name).Where(n => n != CanonicalModel.CustomerId && !CanonicalModel.IsCustomerLink(n)).ToList();
        long removed = 0;
        while (true)
        {
            // One absorbed row per absorbing profile at a time, until none is left.
            if (traits.Count > 0)
            {
                tx.Execute(IdentitySql.FoldAbsorbed(d, traits));
            }

            var deleted = tx.Execute(IdentitySql.DeleteAbsorbed(d));
            removed += deleted;
            if (deleted == 0)
            {
                return removed;
            }
        }
    }

    private static DateTime? Utc(IDataRecord r, int i) => r.IsDBNull(i) ? null : DateTime.SpecifyKind(r.GetDateTime(i), DateTimeKind.Utc);
}

/// <summary>A stored link: the link, the run that first saw it, and what the latest resolution made of it.</summary>
public sealed record StoredLink(IdentityLink Link, long RunId, LinkOutcome Outcome, string? Reason);
