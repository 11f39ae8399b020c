using System.Text.Json;
using Segmenta.Model;
using Segmenta.Warehouse;

namespace Segmenta.Identity;

/// <summary>Rows an erasure deleted from one table.</summary>
/// <param name="Table">The table.</param>
/// <param name="Rows">Rows deleted.</param>
public sealed record ErasedTable(string Table, long Rows);

/// <summary>
/// An erasure request as recorded (<c>segmenta forget</c>, <c>DELETE /api/customers/{id}</c>): counts only, never the
/// personal data. <paramref name="NotFound"/> is how many requested ids matched nobody (they are suppressed all the same).
/// </summary>
/// <param name="RequestId">The request's number in <c>erasures</c>.</param>
/// <param name="RequestedAt">When it was made (ISO 8601 UTC).</param>
/// <param name="CompletedAt">When it finished, in the same transaction as the deletion.</param>
/// <param name="RequestedBy">Who asked: <c>cli</c>, or the API key's name.</param>
/// <param name="Requested">Ids in the request.</param>
/// <param name="Customers">Profiles erased.</param>
/// <param name="NotFound">Requested ids that matched no profile.</param>
/// <param name="Identifiers">Identifiers suppressed (user ids, anonymous ids, e-mail addresses).</param>
/// <param name="RowsDeleted">Rows deleted, all tables together.</param>
/// <param name="Tables">Rows deleted per table (tables with none left out).</param>
public sealed record ErasureDocument(
    long RequestId,
    string RequestedAt,
    string CompletedAt,
    string RequestedBy,
    int Requested,
    int Customers,
    int NotFound,
    int Identifiers,
    long RowsDeleted,
    IReadOnlyList<ErasedTable> Tables);

/// <summary>An erasure done: its record, and the values that named the people (for scrubbing files; never stored).</summary>
/// <param name="Document">The request as recorded.</param>
/// <param name="Values">Their customer ids, identifiers and e-mail addresses.</param>
public sealed record ErasureOutcome(ErasureDocument Document, ErasedValues Values);

/// <summary>
/// The values that name erased people: ids and identifiers, matched exactly, and e-mail addresses, matched in any case.
/// One test for the quarantine's raw records and for exported files alike.
/// </summary>
public sealed class ErasedValues(IEnumerable<string> ids, IEnumerable<string> emails)
{
    private readonly HashSet<string> ids = new(ids, StringComparer.Ordinal);
    private readonly HashSet<string> emails = new(emails.Select(e => e.Trim()), StringComparer.OrdinalIgnoreCase);

    /// <summary>Whether there is nothing to look for.</summary>
    public bool IsEmpty => ids.Count == 0 && emails.Count == 0;

    /// <summary>Whether <paramref name="value"/> (a whole value) names one of them.</summary>
    public bool Names(string value) => ids.Contains(value) || emails.Contains(value);

    /// <summary>Whether a token of <paramref name="text"/> (a raw record or a line, split at delimiters and quotes) names one of them.</summary>
    public bool Mentioned(string text) => Erasure.Tokens(text).Any(Names);
}

/// <summary>
/// Erases customers (docs/identity.md, "Erasure"): their profile, events, identifiers and links, quarantined records that
/// hold their ids or e-mail, memberships, features, scores, predictions, trait values and campaign assignments, on every
/// backend, in one transaction; their identifiers are suppressed (hashed) so that nothing of theirs is ingested again.
/// What belongs to the past as aggregates stays: snapshot sizes, ingest and refresh runs, fitted models.
/// </summary>
public static class Erasure
{
    /// <summary>Tables with a <c>customer_id</c> column whose rows of an erased profile are deleted.</summary>
    public static IReadOnlyList<string> ByCustomer { get; } =
    [
        Tables.Events, Tables.Customers, Tables.SegmentIntervals, Tables.SegmentStaging, Tables.CustomerFeatures,
        Tables.RfmScores, Tables.ClusterScores, Tables.ClvPredictions, Tables.CampaignAssignments, Tables.ComputedTraitValues, Tables.Identities,
        Tables.DestinationMembers, Tables.DestinationBatchMembers, Tables.DestinationStaging, Tables.SegmentLiveTouched, Tables.UpliftScores,
        Tables.OrderSummary,
    ];

    /// <summary>Tables whose rows are matched by identifier rather than by customer id.</summary>
    public static IReadOnlyList<string> ByIdentifier { get; } = [Tables.IdentityLinks, Tables.IdentityChanges, Tables.Quarantine];

    /// <summary>Tables that hold no personal data (aggregates, definitions, runs, models, hashes), left as they are.</summary>
    public static IReadOnlyList<string> WithoutPersonalData { get; } =
    [
        Tables.SchemaVersions, Tables.SegmentDefinitions, Tables.IngestRuns, Tables.SegmentMaterializations, Tables.AnalysisRuns,
        Tables.ClusterModels, Tables.ClvModels, Tables.Campaigns, Tables.RefreshRuns, Tables.Suppressions, Tables.Erasures, Tables.ErasedOutcomes,
        Tables.DestinationSyncs, Tables.DestinationBatches, Tables.SegmentLiveUpdates, Tables.UpliftModels,
        Tables.EventIdHashes, Tables.EventIdHashFunction, Tables.OrderSummaryState,
    ];

    /// <summary>Erases the profiles <paramref name="customerIds"/> name, in one transaction, and records the request.</summary>
    /// <remarks>
    /// Their outcomes in the campaigns they were assigned to are frozen first, without their ids (<c>erased_outcomes</c>),
    /// so a campaign's measurement stays what it was (docs/campaigns.md).
    /// </remarks>
    public static ErasureOutcome Forget(IWarehouse warehouse, IReadOnlyList<string> customerIds, string requestedBy, DateTime requestedAt, TimeZoneInfo zone, TimeProvider time, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        ArgumentNullException.ThrowIfNull(customerIds);
        ArgumentNullException.ThrowIfNull(requestedBy);
        ArgumentNullException.ThrowIfNull(time);
        var requested = customerIds.Where(id => !string.IsNullOrWhiteSpace(id)).Select(id => id.Trim()).Distinct(StringComparer.Ordinal).ToList();
        var d = warehouse.Dialect;

        // Who: each requested profile, with every identifier resolution gave it and the e-mail on its profile.
        var profiles = new HashSet<string>(StringComparer.Ordinal);
        foreach (var chunk in requested.Chunk(500))
        {
            warehouse.Read(IdentitySql.KnownProfiles(d, chunk), r => profiles.Add(r.GetString(0)));
        }

        long requestId = 1;
        warehouse.Read(IdentitySql.NextErasure(d), r => requestId = r.GetInt64(0));
        var frozen = Campaigns.CampaignMeasurement.FreezeOutcomes(warehouse, [.. profiles.Order(StringComparer.Ordinal)], zone, requestedAt, requestId);
        cancellation.ThrowIfCancellationRequested();
        using var tx = warehouse.BeginTransaction();
        tx.Append(Tables.ErasedOutcomes, frozen, cancellation);

        var identifiers = new HashSet<Identifier>();
        var emails = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in requested)
        {
            // A requested id is suppressed even when nothing of it is stored yet (a request ahead of the data).
            identifiers.Add(Identifier.OfCustomerId(id));
        }

        var chunks = profiles.Order(StringComparer.Ordinal).Chunk(500).ToList();
        foreach (var chunk in chunks)
        {
            tx.Read(IdentitySql.IdentifiersOfProfiles(d, chunk), r => identifiers.Add(new Identifier(Identifier.ParseKind(r.GetString(0))!.Value, r.GetString(1))));
            tx.Read(IdentitySql.EmailsOf(d, chunk), r => emails.Add(r.GetString(0)));
        }

        var deleted = new Dictionary<string, long>(StringComparer.Ordinal);
        void Count(string table, long rows) => deleted[table] = deleted.GetValueOrDefault(table) + rows;
        foreach (var chunk in chunks)
        {
            cancellation.ThrowIfCancellationRequested();
            foreach (var table in ByCustomer)
            {
                Count(table, tx.Execute(IdentitySql.DeleteByCustomer(d, table, chunk)));
            }

            Count(Tables.IdentityChanges, tx.Execute(IdentitySql.DeleteChangesOfProfiles(d, chunk)));
        }

        foreach (var chunk in identifiers.Order().Chunk(250))
        {
            Count(Tables.IdentityLinks, tx.Execute(IdentitySql.DeleteLinksOf(d, chunk)));
            Count(Tables.IdentityChanges, tx.Execute(IdentitySql.DeleteChangesOf(d, chunk)));
        }

        foreach (var chunk in identifiers.Where(i => i.Kind == IdentifierKind.AnonymousId).Select(i => i.Value).Order(StringComparer.Ordinal).Chunk(500))
        {
            // Another profile's events that carried the person's device id keep their profile but lose the id.
            tx.Execute(IdentitySql.ForgetAnonymousIds(d, chunk));
        }

        // Quarantined records keep the raw text: one is theirs when a token of it (split at delimiters and quotes) is one of their ids or e-mails.
        var values = new ErasedValues(identifiers.Select(i => i.Value).Concat(profiles), emails);
        var quarantined = new List<(long Run, string Source, long Line)>();
        tx.Read(IdentitySql.QuarantineRecords(d), r =>
        {
            if (values.Mentioned(r.GetString(3)))
            {
                quarantined.Add((r.GetInt64(0), r.GetString(1), r.GetInt64(2)));
            }
        });
        foreach (var (run, source, line) in quarantined)
        {
            Count(Tables.Quarantine, tx.Execute(IdentitySql.DeleteQuarantined(d, run, source, line)));
        }

        // Never again: hashes of every identifier and e-mail.
        var hashes = identifiers.Select(i => (Kind: i.KindName, Hash: Suppression.Hash(i.KindName, i.Value)))
            .Concat(emails.Select(e => (Kind: Suppression.Email, Hash: Suppression.Hash(Suppression.Email, e))))
            .Distinct()
            .ToList();
        var known = Suppression.Read(tx);
        var fresh = hashes.Where(h => !known.Contains(h.Hash)).OrderBy(h => h.Kind, StringComparer.Ordinal).ThenBy(h => h.Hash, StringComparer.Ordinal).ToList();
        tx.Append(Tables.Suppressions, new TableRows(fresh.Count)
            .Add("kind", fresh.Select(h => (string?)h.Kind).ToArray())
            .Add("hash", fresh.Select(h => (string?)h.Hash).ToArray())
            .Add("request_id", Enumerable.Repeat((long?)requestId, fresh.Count).ToArray())
            .Add("suppressed_at", Enumerable.Repeat((DateTime?)requestedAt, fresh.Count).ToArray()), cancellation);

        var tables = deleted.Where(p => p.Value > 0).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => new ErasedTable(p.Key, p.Value)).ToList();
        var completedAt = time.GetUtcNow().UtcDateTime;
        var document = new ErasureDocument(
            requestId, Documents.DocumentValues.Iso(requestedAt), Documents.DocumentValues.Iso(completedAt), requestedBy, requested.Count, profiles.Count,
            requested.Count(id => !profiles.Contains(id)), hashes.Count, tables.Sum(t => t.Rows), tables);
        tx.Execute(IdentitySql.InsertErasure(d, document, requestedAt, completedAt, JsonSerializer.Serialize(tables, ResultJson.Compact)));
        tx.Commit();
        return new ErasureOutcome(document, values);
    }

    /// <summary>The recorded erasure requests, newest first.</summary>
    public static IReadOnlyList<ErasureDocument> Requests(ISqlReader reader, int limit)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var requests = new List<ErasureDocument>();
        reader.Read(IdentitySql.Erasures(reader.Dialect, limit), r => requests.Add(new ErasureDocument(
            r.GetInt64(0),
            Documents.DocumentValues.Iso(DateTime.SpecifyKind(r.GetDateTime(1), DateTimeKind.Utc)),
            Documents.DocumentValues.Iso(DateTime.SpecifyKind(r.GetDateTime(2), DateTimeKind.Utc)),
            r.GetString(3),
            (int)r.GetInt64(4),
            (int)r.GetInt64(5),
            (int)r.GetInt64(6),
            (int)r.GetInt64(7),
            r.GetInt64(8),
            JsonSerializer.Deserialize<List<ErasedTable>>(r.GetString(9), ResultJson.Compact) ?? [])));
        return requests;
    }

    /// <summary>The tokens of a raw record: split at delimiters, quotes, brackets and whitespace.</summary>
    internal static IEnumerable<string> Tokens(string raw) =>
        raw.Split([',', ';', '\t', '|', '"', '\'', ':', '{', '}', '[', ']', ' ', '\n', '\r', '=', '(', ')'], StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The canonical fields whose values name a person in a file (for callers that clean exported files).</summary>
    public static IReadOnlyList<string> IdentifierFields { get; } = [CanonicalModel.CustomerId, CanonicalModel.UserId, CanonicalModel.AnonymousId, "email"];
}
