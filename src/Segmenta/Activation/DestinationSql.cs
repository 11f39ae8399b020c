using Segmenta.Model;
using Segmenta.Sql;
using Segmenta.Warehouse;

namespace Segmenta.Activation;

/// <summary>
/// Every statement of activation: the sync log, the members each destination holds, the staging of a sync's changes and
/// the webhook outbox. Tables are named through <see cref="Tables"/> and quoted by the dialect; values are parameters.
/// </summary>
internal static class DestinationSql
{
    /// <summary>What a sync's staged change is.</summary>
    public const string Entered = "entered";

    /// <summary>What a sync's staged change is.</summary>
    public const string Exited = "exited";

    private const string SyncColumns = "s.sync_id, s.destination, s.segment, s.kind, s.started_at, s.finished_at, s.as_of, s.previous_as_of, s.audience, s.entered, s.exited, s.left_out, s.batches, s.files, s.detail";

    private static SqlStatement Build(ISqlDialect d, Action<SqlBuilder> write)
    {
        var sql = new SqlBuilder(d);
        write(sql);
        return sql.Build();
    }

    private static string Q(ISqlDialect d, string table) => d.QuoteIdentifier(table);

    /// <summary>The members a destination holds for a segment: <c>customer_id</c>, ordered by id (bytes).</summary>
    public static SqlStatement Members(ISqlDialect d, string destination, string segment) => Build(d, sql =>
        sql.Append($"SELECT customer_id FROM {Q(d, Tables.DestinationMembers)} WHERE destination = {sql.Parameter(destination)} AND segment = {sql.Parameter(segment)} ORDER BY {d.BinaryOrder("customer_id")}"));

    /// <summary>The last sync of a destination's segment: <c>as_of</c>.</summary>
    public static SqlStatement LastAsOf(ISqlDialect d, string destination, string segment) => Build(d, sql =>
        sql.Append($"SELECT as_of FROM {Q(d, Tables.DestinationSyncs)} WHERE destination = {sql.Parameter(destination)} AND segment = {sql.Parameter(segment)} ORDER BY sync_id DESC LIMIT 1"));

    /// <summary>The next sync's number and the next batch sequence of the destination.</summary>
    public static SqlStatement Next(ISqlDialect d, string destination) => Build(d, sql =>
        sql.Append($"SELECT (SELECT coalesce(max(sync_id), 0) + 1 FROM {Q(d, Tables.DestinationSyncs)}), (SELECT coalesce(max(sequence), 0) + 1 FROM {Q(d, Tables.DestinationBatches)} WHERE destination = {sql.Parameter(destination)})"));

    /// <summary>The staged changes with <paramref name="traits"/> of the customers (null when the profile is gone), entered first, by id (bytes).</summary>
    public static SqlStatement StagedWithTraits(ISqlDialect d, IReadOnlyList<string> traits) => Build(d, sql =>
    {
        var columns = string.Concat(traits.Select(t => $", c.{d.QuoteIdentifier(t)}"));
        sql.Append($"SELECT s.customer_id, s.change{columns} FROM {Q(d, Tables.DestinationStaging)} s LEFT JOIN {Q(d, Tables.Customers)} c ON c.{d.QuoteIdentifier(CanonicalModel.CustomerId)} = s.customer_id ORDER BY s.change, {d.BinaryOrder("s.customer_id")}");
    });

    /// <summary>Applies the staged changes to what the destination holds: the exited go, the entered come with <paramref name="since"/>.</summary>
    public static IEnumerable<SqlStatement> ApplyStaged(ISqlDialect d, string destination, string segment, DateTime since)
    {
        var members = Q(d, Tables.DestinationMembers);
        var staging = Q(d, Tables.DestinationStaging);
        yield return Build(d, sql => sql.Append(
            $"DELETE FROM {members} WHERE destination = {sql.Parameter(destination)} AND segment = {sql.Parameter(segment)} AND customer_id IN (SELECT customer_id FROM {staging} WHERE change = {sql.Parameter(Exited)})"));
        yield return Build(d, sql => sql.Append(
            $"""
            INSERT INTO {members} (destination, segment, customer_id, since)
            SELECT {sql.Parameter(destination)}, {sql.Parameter(segment)}, s.customer_id, {sql.Parameter(since)} FROM {staging} s
            WHERE s.change = {sql.Parameter(Entered)}
              AND NOT EXISTS (SELECT 1 FROM {members} m WHERE m.destination = {sql.Parameter(destination)} AND m.segment = {sql.Parameter(segment)} AND m.customer_id = s.customer_id)
            """));
    }

    /// <summary>Empties the staging.</summary>
    public static SqlStatement ClearStaging(ISqlDialect d) => new($"DELETE FROM {Q(d, Tables.DestinationStaging)}", []);

    /// <summary>Records a sync.</summary>
    public static SqlStatement InsertSync(ISqlDialect d, SegmentSync s) => Build(d, sql => sql.Append(
        $"""
        INSERT INTO {Q(d, Tables.DestinationSyncs)} (sync_id, destination, segment, kind, started_at, finished_at, as_of, previous_as_of, audience, entered, exited, left_out, batches, files, detail)
        VALUES ({sql.Parameter(s.SyncId)}, {sql.Parameter(s.Destination)}, {sql.Parameter(s.Segment)}, {sql.Parameter(s.Kind)}, {sql.Parameter(s.StartedAt)}, {sql.Parameter(s.FinishedAt)}, {sql.Parameter(s.AsOf)}, {sql.Parameter(s.PreviousAsOf)},
                {sql.Parameter(s.Audience)}, {sql.Parameter(s.Entered)}, {sql.Parameter(s.Exited)}, {sql.Parameter(s.LeftOut)}, {sql.Parameter((long)s.Batches)}, {sql.Parameter(s.Files.Count == 0 ? null : string.Join("\n", s.Files))}, {sql.Parameter(s.Detail)})
        """));

    /// <summary>
    /// A destination's syncs, newest first, each with its batches counted by status:
    /// <c>sync columns…, delivered, pending, dead</c>.
    /// </summary>
    public static SqlStatement Syncs(ISqlDialect d, string? destination, int limit) => Build(d, sql =>
    {
        var name = sql.Parameter(destination);
        sql.Append(
            $"""
            SELECT {SyncColumns},
                   coalesce(b.delivered, 0), coalesce(b.pending, 0), coalesce(b.dead, 0)
            FROM {Q(d, Tables.DestinationSyncs)} s
            LEFT JOIN (
              SELECT sync_id,
                     count(*) FILTER (WHERE status = {sql.Parameter(BatchStatus.Delivered)}) AS delivered,
                     count(*) FILTER (WHERE status = {sql.Parameter(BatchStatus.Pending)}) AS pending,
                     count(*) FILTER (WHERE status = {sql.Parameter(BatchStatus.Dead)}) AS dead
              FROM {Q(d, Tables.DestinationBatches)} GROUP BY sync_id
            ) b ON b.sync_id = s.sync_id
            WHERE {name} IS NULL OR s.destination = {name}
            ORDER BY s.sync_id DESC
            LIMIT {sql.Parameter((long)limit)}
            """);
    });

    private const string BatchColumns = "batch_id, destination, sequence, sync_id, segment, kind, as_of, part, parts, created_at, status, attempts, next_attempt_at, last_attempt_at, delivered_at, last_status, last_error";

    /// <summary>A destination's batches of the given statuses (all when empty), oldest sequence first.</summary>
    public static SqlStatement Batches(ISqlDialect d, string destination, IReadOnlyCollection<string> statuses, int limit) => Build(d, sql =>
        sql.Append($"SELECT {BatchColumns} FROM {Q(d, Tables.DestinationBatches)} WHERE destination = {sql.Parameter(destination)}{(statuses.Count == 0 ? "" : $" AND status IN ({sql.ParameterList(statuses)})")} ORDER BY sequence LIMIT {sql.Parameter((long)limit)}"));

    /// <summary>One batch by its id.</summary>
    public static SqlStatement Batch(ISqlDialect d, string batchId) => Build(d, sql =>
        sql.Append($"SELECT {BatchColumns} FROM {Q(d, Tables.DestinationBatches)} WHERE batch_id = {sql.Parameter(batchId)}"));

    /// <summary>What a batch carries: <c>customer_id, change, traits</c>, entered first, by id (bytes).</summary>
    public static SqlStatement BatchMembers(ISqlDialect d, string batchId) => Build(d, sql =>
        sql.Append($"SELECT customer_id, change, traits FROM {Q(d, Tables.DestinationBatchMembers)} WHERE batch_id = {sql.Parameter(batchId)} ORDER BY change, {d.BinaryOrder("customer_id")}"));

    /// <summary>Records a try: the batch's status, attempts, next try, and what the receiver said.</summary>
    public static SqlStatement RecordAttempt(ISqlDialect d, string batchId, string status, int attempts, DateTime attemptedAt, DateTime? next, int? httpStatus, string? error) => Build(d, sql => sql.Append(
        $"""
        UPDATE {Q(d, Tables.DestinationBatches)}
        SET status = {sql.Parameter(status)}, attempts = {sql.Parameter((long)attempts)}, last_attempt_at = {sql.Parameter(attemptedAt)}, next_attempt_at = {sql.Parameter(next)},
            delivered_at = {(status == BatchStatus.Delivered ? sql.Parameter(attemptedAt) : "delivered_at")}, last_status = {sql.Parameter(httpStatus is { } h ? (long?)h : null)}, last_error = {sql.Parameter(error)}
        WHERE batch_id = {sql.Parameter(batchId)}
        """));

    /// <summary>Puts batches back in the queue for a replay: pending, due now, their tries counted afresh.</summary>
    public static SqlStatement Requeue(ISqlDialect d, IReadOnlyCollection<string> batchIds, DateTime now) => Build(d, sql => sql.Append(
        $"UPDATE {Q(d, Tables.DestinationBatches)} SET status = {sql.Parameter(BatchStatus.Pending)}, attempts = 0, next_attempt_at = {sql.Parameter(now)} WHERE batch_id IN ({sql.ParameterList(batchIds)})"));
}

/// <summary>The states of a webhook batch.</summary>
public static class BatchStatus
{
    /// <summary>Waiting for its first or next try.</summary>
    public const string Pending = "pending";

    /// <summary>The receiver answered 2xx.</summary>
    public const string Delivered = "delivered";

    /// <summary>Every try failed (or the receiver refused it for good): kept for a replay.</summary>
    public const string Dead = "dead_letter";
}
