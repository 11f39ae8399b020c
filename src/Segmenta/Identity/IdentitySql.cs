using Segmenta.Model;
using Segmenta.Sql;
using Segmenta.Warehouse;

namespace Segmenta.Identity;

/// <summary>
/// Every statement of identity resolution and erasure (docs/identity.md): the links an ingest run's rows carry, the
/// stored graph, re-attribution of anonymous events and the folding of absorbed profiles. Tables through
/// <see cref="Tables"/>, values as parameters.
/// </summary>
public static class IdentitySql
{
    private static readonly string Anonymous = Identifier.Name(IdentifierKind.AnonymousId);

    /// <summary>The user and anonymous ids a run's events carried together, with the earliest event of each pair.</summary>
    public static SqlStatement EventPairs(ISqlDialect d, long runId) => Build(d, sql => sql.Append(
        $"""
        SELECT user_id, anonymous_id, min(occurred_at) FROM {Q(d, Tables.Events)}
        WHERE {WarehouseSchema.IngestRunColumn} = {sql.Parameter(runId)} AND user_id IS NOT NULL AND anonymous_id IS NOT NULL
        GROUP BY user_id, anonymous_id
        """));

    /// <summary>The user and anonymous ids staged profiles carried together, with the earliest time given (null without <paramref name="timed"/>).</summary>
    public static SqlStatement ProfilePairs(ISqlDialect d, string stage, bool timed) => Build(d, sql => sql.Append(
        $"""
        SELECT customer_id, anonymous_id, {(timed ? "min(identified_at)" : $"CAST(NULL AS {d.TimestampType})")} FROM {Q(d, stage)}
        WHERE anonymous_id IS NOT NULL AND customer_id NOT LIKE {sql.Parameter(Identifier.AnonymousPrefix + "%")}
        GROUP BY customer_id, anonymous_id
        """));

    /// <summary>The condition on <c>events</c> that selects an ingest run's rows.</summary>
    public static Func<SqlBuilder, string> RunRows(ISqlDialect d, long runId)
    {
        ArgumentNullException.ThrowIfNull(d);
        return sql => $"{Q(d, Tables.Events)}.{WarehouseSchema.IngestRunColumn} = {sql.Parameter(runId)}";
    }

    /// <summary>Every stored link: kind_a, id_a, kind_b, id_b, seen_at, source, run_id, outcome, reason, undone_at, undo_reason.</summary>
    public static SqlStatement Links(ISqlDialect d) =>
        new($"SELECT kind_a, id_a, kind_b, id_b, seen_at, source, run_id, outcome, reason, undone_at, undo_reason FROM {Q(d, Tables.IdentityLinks)}", []);

    /// <summary>Every identifier whose profile is not its own: kind, id, customer_id.</summary>
    public static SqlStatement Identities(ISqlDialect d) => new($"SELECT kind, id, customer_id FROM {Q(d, Tables.Identities)}", []);

    /// <summary>A profile's identifiers: kind, id.</summary>
    public static SqlStatement IdentifiersOf(ISqlDialect d, string customerId) => Build(d, sql => sql.Append(
        $"SELECT kind, id FROM {Q(d, Tables.Identities)} WHERE customer_id = {sql.Parameter(customerId)} ORDER BY kind DESC, id"));

    /// <summary>One row: a customer id's events and customer rows.</summary>
    public static SqlStatement Presence(ISqlDialect d, string customerId) => Build(d, sql => sql.Append(
        $"""
        SELECT (SELECT count(*) FROM {Q(d, Tables.Events)} WHERE customer_id = {sql.Parameter(customerId)}),
               (SELECT count(*) FROM {Q(d, Tables.Customers)} WHERE customer_id = {sql.Parameter(customerId)})
        """));

    /// <summary>A profile's consent facts (event_type, channel, occurred_at), oldest first; a grant before a withdrawal at one instant.</summary>
    public static SqlStatement ConsentFacts(ISqlDialect d, string customerId) => Build(d, sql =>
    {
        List<string> types = [Consent.GrantedEvent, Consent.WithdrawnEvent, .. Consent.WithdrawalEvents.Keys];
        sql.Append(
            $"""
            SELECT event_type, channel, occurred_at FROM {Q(d, Tables.Events)}
            WHERE customer_id = {sql.Parameter(customerId)} AND event_type IN ({sql.ParameterList(types)}) ORDER BY occurred_at, event_type
            """);
    });

    /// <summary>One profile's values of the given customer columns.</summary>
    public static SqlStatement Traits(ISqlDialect d, string customerId, IReadOnlyList<string> columns) => Build(d, sql => sql.Append(
        $"SELECT {string.Join(", ", columns.Select(d.QuoteIdentifier))} FROM {Q(d, Tables.Customers)} WHERE customer_id = {sql.Parameter(customerId)}"));

    /// <summary>Changes into or out of a profile, oldest first.</summary>
    public static SqlStatement ChangesOf(ISqlDialect d, string customerId) => Build(d, sql => sql.Append(
        $"""
        SELECT change_id, changed_at, run_id, kind, id, from_customer_id, to_customer_id, reason FROM {Q(d, Tables.IdentityChanges)}
        WHERE from_customer_id = {sql.Parameter(customerId)} OR to_customer_id = {sql.Parameter(customerId)} ORDER BY change_id
        """));

    /// <summary>Marks a link undone, with when and why.</summary>
    public static SqlStatement UndoLink(ISqlDialect d, Identifier a, Identifier b, DateTime at, string reason) => Build(d, sql => sql.Append(
        $"""
        UPDATE {Q(d, Tables.IdentityLinks)} SET undone_at = {sql.Parameter(at)}, undo_reason = {sql.Parameter(reason)}
        WHERE kind_a = {sql.Parameter(a.KindName)} AND id_a = {sql.Parameter(a.Value)} AND kind_b = {sql.Parameter(b.KindName)} AND id_b = {sql.Parameter(b.Value)}
        """));

    /// <summary>Empties a table (the graph's tables are rewritten whole by each pass).</summary>
    public static SqlStatement DeleteAll(ISqlDialect d, string table) => new($"DELETE FROM {Q(d, table)}", []);

    /// <summary>The next change's number.</summary>
    public static SqlStatement NextChange(ISqlDialect d) => new($"SELECT coalesce(max(change_id), 0) + 1 FROM {Q(d, Tables.IdentityChanges)}", []);

    /// <summary>
    /// Moves anonymous events (those without a user id) whose anonymous id changed profile, from change
    /// <paramref name="firstChange"/> on, to the profile it changed to.
    /// </summary>
    public static SqlStatement ReattributeChanged(ISqlDialect d, long firstChange) => Build(d, sql =>
    {
        var events = Q(d, Tables.Events);
        sql.Append(
            $"""
            UPDATE {events} SET customer_id = c.to_customer_id FROM {Q(d, Tables.IdentityChanges)} c
            WHERE c.change_id >= {sql.Parameter(firstChange)} AND c.kind = {sql.Parameter(Anonymous)} AND c.id = {events}.anonymous_id
              AND {events}.user_id IS NULL AND {events}.customer_id <> c.to_customer_id
            """);
    });

    /// <summary>
    /// Attributes the anonymous events <paramref name="rows"/> selects (an ingest run's, stored under their anonymous id's
    /// own name) to the profile their anonymous id belongs to, where that is another.
    /// </summary>
    public static SqlStatement ReattributeRows(ISqlDialect d, Func<SqlBuilder, string> rows) => Build(d, sql =>
    {
        ArgumentNullException.ThrowIfNull(rows);
        var events = Q(d, Tables.Events);
        sql.Append(
            $"""
            UPDATE {events} SET customer_id = i.customer_id FROM {Q(d, Tables.Identities)} i
            WHERE i.kind = {sql.Parameter(Anonymous)} AND i.id = {events}.anonymous_id AND {events}.user_id IS NULL
              AND {events}.customer_id <> i.customer_id AND {rows(sql)}
            """);
    });

    /// <summary>
    /// A bare customer row for every profile the graph knows that has none: those identifiers belong to, and those
    /// identifiers changed to from change <paramref name="firstChange"/> on (an undo gives an anonymous id its own again).
    /// </summary>
    public static SqlStatement InsertProfiles(ISqlDialect d, long? firstChange) => Build(d, sql =>
    {
        var changed = firstChange is { } first
            ? $" UNION SELECT to_customer_id FROM {Q(d, Tables.IdentityChanges)} WHERE change_id >= {sql.Parameter(first)}"
            : "";
        sql.Append(
            $"""
            INSERT INTO {Q(d, Tables.Customers)} (customer_id)
            SELECT p.customer_id FROM (SELECT DISTINCT customer_id FROM {Q(d, Tables.Identities)}{changed}) p
            WHERE NOT EXISTS (SELECT 1 FROM {Q(d, Tables.Customers)} c WHERE c.customer_id = p.customer_id)
            """);
    });

    /// <summary>
    /// Copies into each absorbing profile the traits it lacks from one absorbed profile (a row named after an anonymous id
    /// that now belongs to another profile; the smallest id first, so the result does not depend on the engine).
    /// </summary>
    public static SqlStatement FoldAbsorbed(ISqlDialect d, IReadOnlyList<string> traits) => Build(d, sql =>
    {
        var customers = Q(d, Tables.Customers);
        sql.Append(
            $"""
            UPDATE {customers} SET {string.Join(", ", traits.Select(d.QuoteIdentifier).Select(t => $"{t} = coalesce({customers}.{t}, o.{t})"))}
            FROM {customers} o, {Absorbed(d, sql)} m
            WHERE {customers}.customer_id = m.to_id AND o.customer_id = m.from_id
            """);
    });

    /// <summary>
    /// One row if any anonymous id belongs to a profile not named after it, none otherwise: without one no profile can
    /// be absorbed, and <see cref="FoldAbsorbed"/> and <see cref="DeleteAbsorbed"/>, which join every customer row, are
    /// skipped (a profiles run of 3M customers: 3.2 s saved).
    /// </summary>
    public static SqlStatement AnyAbsorbing(ISqlDialect d) => Build(d, sql =>
        sql.Append(
            $"""
            SELECT 1 FROM {Q(d, Tables.Identities)} i
            WHERE i.kind = {sql.Parameter(Anonymous)} AND i.customer_id <> {sql.Parameter(Identifier.AnonymousPrefix)} || i.id
            LIMIT 1
            """));

    /// <summary>Deletes the absorbed profiles <see cref="FoldAbsorbed"/> folded.</summary>
    public static SqlStatement DeleteAbsorbed(ISqlDialect d) => Build(d, sql =>
        sql.Append($"DELETE FROM {Q(d, Tables.Customers)} WHERE customer_id IN (SELECT from_id FROM {Absorbed(d, sql)} m)"));

    /// <summary>Per absorbing profile, its smallest absorbed profile: to_id, from_id.</summary>
    private static string Absorbed(ISqlDialect d, SqlBuilder sql) =>
        $"""
        (SELECT i.customer_id AS to_id, min(c.customer_id) AS from_id
         FROM {Q(d, Tables.Customers)} c JOIN {Q(d, Tables.Identities)} i ON i.kind = {sql.Parameter(Anonymous)} AND c.customer_id = {sql.Parameter(Identifier.AnonymousPrefix)} || i.id
         WHERE i.customer_id <> c.customer_id GROUP BY i.customer_id)
        """;

    /// <summary>Which of <paramref name="ids"/> name a stored profile (a customer row, events, or identities).</summary>
    public static SqlStatement KnownProfiles(ISqlDialect d, IReadOnlyList<string> ids) => Build(d, sql =>
    {
        var list = sql.ParameterList(ids);
        sql.Append(
            $"""
            SELECT customer_id FROM {Q(d, Tables.Customers)} WHERE customer_id IN ({list})
            UNION SELECT customer_id FROM {Q(d, Tables.Events)} WHERE customer_id IN ({list})
            UNION SELECT customer_id FROM {Q(d, Tables.Identities)} WHERE customer_id IN ({list})
            """);
    });

    /// <summary>The identifiers resolution gave the profiles: kind, id.</summary>
    public static SqlStatement IdentifiersOfProfiles(ISqlDialect d, IReadOnlyList<string> profiles) => Build(d, sql =>
        sql.Append($"SELECT kind, id FROM {Q(d, Tables.Identities)} WHERE customer_id IN ({sql.ParameterList(profiles)})"));

    /// <summary>The e-mail addresses on the profiles.</summary>
    public static SqlStatement EmailsOf(ISqlDialect d, IReadOnlyList<string> profiles) => Build(d, sql =>
        sql.Append($"SELECT email FROM {Q(d, Tables.Customers)} WHERE email IS NOT NULL AND customer_id IN ({sql.ParameterList(profiles)})"));

    /// <summary>Deletes the profiles' rows from a table with a <c>customer_id</c>.</summary>
    public static SqlStatement DeleteByCustomer(ISqlDialect d, string table, IReadOnlyList<string> profiles) => Build(d, sql =>
        sql.Append($"DELETE FROM {Q(d, table)} WHERE customer_id IN ({sql.ParameterList(profiles)})"));

    /// <summary>Deletes the changes into or out of the profiles.</summary>
    public static SqlStatement DeleteChangesOfProfiles(ISqlDialect d, IReadOnlyList<string> profiles) => Build(d, sql =>
    {
        var list = sql.ParameterList(profiles);
        sql.Append($"DELETE FROM {Q(d, Tables.IdentityChanges)} WHERE from_customer_id IN ({list}) OR to_customer_id IN ({list})");
    });

    /// <summary>Deletes the links with one of the identifiers at either end.</summary>
    public static SqlStatement DeleteLinksOf(ISqlDialect d, IReadOnlyList<Identifier> identifiers) => Build(d, sql =>
        sql.Append($"DELETE FROM {Q(d, Tables.IdentityLinks)} WHERE {Matches(sql, identifiers, "kind_a", "id_a")} OR {Matches(sql, identifiers, "kind_b", "id_b")}"));

    /// <summary>Deletes the changes of the identifiers.</summary>
    public static SqlStatement DeleteChangesOf(ISqlDialect d, IReadOnlyList<Identifier> identifiers) => Build(d, sql =>
        sql.Append($"DELETE FROM {Q(d, Tables.IdentityChanges)} WHERE {Matches(sql, identifiers, "kind", "id")}"));

    /// <summary>Forgets anonymous ids on the events of other profiles that carried them (a device the erased person shared).</summary>
    public static SqlStatement ForgetAnonymousIds(ISqlDialect d, IReadOnlyList<string> anonymousIds) => Build(d, sql =>
        sql.Append($"UPDATE {Q(d, Tables.Events)} SET anonymous_id = NULL WHERE anonymous_id IN ({sql.ParameterList(anonymousIds)})"));

    /// <summary>Every quarantined record: run_id, source, line, raw.</summary>
    public static SqlStatement QuarantineRecords(ISqlDialect d) => new($"SELECT run_id, source, line, raw FROM {Q(d, Tables.Quarantine)}", []);

    /// <summary>Deletes one quarantined record.</summary>
    public static SqlStatement DeleteQuarantined(ISqlDialect d, long run, string source, long line) => Build(d, sql =>
        sql.Append($"DELETE FROM {Q(d, Tables.Quarantine)} WHERE run_id = {sql.Parameter(run)} AND source = {sql.Parameter(source)} AND line = {sql.Parameter(line)}"));

    /// <summary>The next erasure request's number.</summary>
    public static SqlStatement NextErasure(ISqlDialect d) => new($"SELECT coalesce(max(request_id), 0) + 1 FROM {Q(d, Tables.Erasures)}", []);

    /// <summary>Records an erasure request (counts only).</summary>
    public static SqlStatement InsertErasure(ISqlDialect d, ErasureDocument e, DateTime requestedAt, DateTime completedAt, string detail) => Build(d, sql =>
    {
        ArgumentNullException.ThrowIfNull(e);
        sql.Append(
            $"""
            INSERT INTO {Q(d, Tables.Erasures)} (request_id, requested_at, completed_at, requested_by, requested, customers, not_found, identifiers, rows_deleted, detail)
            VALUES ({sql.Parameter(e.RequestId)}, {sql.Parameter(requestedAt)}, {sql.Parameter(completedAt)}, {sql.Parameter(e.RequestedBy)}, {sql.Parameter((long)e.Requested)},
                    {sql.Parameter((long)e.Customers)}, {sql.Parameter((long)e.NotFound)}, {sql.Parameter((long)e.Identifiers)}, {sql.Parameter(e.RowsDeleted)}, {sql.Parameter(detail)})
            """);
    });

    /// <summary>Recorded erasure requests, newest first.</summary>
    public static SqlStatement Erasures(ISqlDialect d, int limit) => Build(d, sql => sql.Append(
        $"""
        SELECT request_id, requested_at, completed_at, requested_by, requested, customers, not_found, identifiers, rows_deleted, detail
        FROM {Q(d, Tables.Erasures)} ORDER BY request_id DESC LIMIT {sql.Parameter((long)limit)}
        """));

    private static string Matches(SqlBuilder sql, IReadOnlyList<Identifier> identifiers, string kind, string id) =>
        identifiers.Count == 0 ? "false" : "(" + string.Join(" OR ", identifiers.Select(i => $"({kind} = {sql.Parameter(i.KindName)} AND {id} = {sql.Parameter(i.Value)})")) + ")";

    /// <summary>Every suppressed identifier's hash.</summary>
    public static SqlStatement SuppressedHashes(ISqlDialect d) => new($"SELECT hash FROM {Q(d, Tables.Suppressions)}", []);

    private static string Q(ISqlDialect d, string table) => d.QuoteIdentifier(table);

    private static SqlStatement Build(ISqlDialect d, Action<SqlBuilder> write)
    {
        ArgumentNullException.ThrowIfNull(d);
        var sql = new SqlBuilder(d);
        write(sql);
        return sql.Build();
    }
}
