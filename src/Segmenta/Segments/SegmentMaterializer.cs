using System.Data;
using Segmenta.Language;
using Segmenta.Sql;
using Segmenta.Warehouse;

namespace Segmenta.Segments;

/// <summary>One stored materialization of a segment: its size and the customers who moved.</summary>
/// <param name="Segment">The segment's name.</param>
/// <param name="Version">The definition's version (a hash of its text).</param>
/// <param name="AsOf">The instant membership was evaluated at.</param>
/// <param name="MaterializedAt">When it was stored.</param>
/// <param name="Size">Members.</param>
/// <param name="Entered">Members who were not members at the segment's previous materialization (all of them at the first).</param>
/// <param name="Exited">Members of the previous materialization who are no longer members.</param>
public sealed record Materialization(string Segment, string Version, DateTime AsOf, DateTime MaterializedAt, long Size, long Entered, long Exited);

/// <summary>The members of a segment at a past instant, as the materialization at or before it recorded them.</summary>
/// <param name="Segment">The segment.</param>
/// <param name="At">The instant asked about.</param>
/// <param name="AnsweredBy">The materialization that answers: the segment's last at or before <paramref name="At"/>.</param>
/// <param name="Version">The definition's version at that materialization.</param>
/// <param name="CustomerIds">The members, in byte order of their ids.</param>
public sealed record MembersAt(string Segment, DateTime At, DateTime AnsweredBy, string Version, IReadOnlyList<string> CustomerIds);

/// <summary>Membership history cannot be written or read as asked (it only moves forward; nothing is recorded that early).</summary>
public sealed class HistoryException(string message) : SegmentaException(message, FailureKind.Conflict);

/// <summary>
/// Stores segment membership over time compactly: one row per stay of a customer in a segment
/// (<see cref="Tables.SegmentIntervals"/>: entered at one materialization, exited at a later one or still in),
/// plus one row per segment and materialization with its size and how many entered and exited. Who was
/// in a segment at any instant is exact: the members of its last materialization at or before it.
/// History moves forward: a segment is materialized at or after its latest instant; at the same
/// instant the new result replaces the old (a repeated refresh changes nothing), before it is refused.
/// </summary>
public static class SegmentMaterializer
{



    /// <summary>Materializes <paramref name="segments"/> (in dependency order) in one transaction and returns what was stored.</summary>
    public static IReadOnlyList<Materialization> Materialize(
        IWarehouse warehouse,
        IReadOnlyList<SegmentDefinition> segments,
        EvaluationContext context,
        DateTime now,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        ArgumentNullException.ThrowIfNull(segments);
        ArgumentNullException.ThrowIfNull(context);
        CheckForward(warehouse, segments.Select(s => s.Name), context.AsOf);
        using var transaction = warehouse.BeginTransaction();
        var stored = Record(transaction, segments, context, now, cancellation);
        transaction.Commit();
        return stored;
    }

    /// <summary>
    /// Refuses an instant before a segment's latest materialization (history only moves forward):
    /// call before any work, outside the transaction.
    /// </summary>
    public static void CheckForward(ISqlReader reader, IEnumerable<string> segments, DateTime asOf)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(segments);
        var latest = Latest(reader);
        var behind = segments.Where(s => latest.TryGetValue(s, out var at) && at > asOf).ToList();
        if (behind.Count > 0)
        {
            var at = behind.Max(s => latest[s]);
            throw new HistoryException(
                $"history only moves forward: {string.Join(", ", behind.Take(3))}{(behind.Count > 3 ? $" and {behind.Count - 3} more" : "")} already recorded at {Iso(at)}, after {Iso(asOf)}; "
                + "materialize at or after it (the same instant replaces it)");
        }
    }

    /// <summary>Each segment's latest recorded instant: a materialization, or a live update after a collection flush.</summary>
    public static IReadOnlyDictionary<string, DateTime> Latest(ISqlReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var result = new Dictionary<string, DateTime>(StringComparer.Ordinal);
        reader.Read(SegmentSql.Latest(reader.Dialect), r => result[r.GetString(0)] = Utc(r, 1));
        return result;
    }

    /// <summary>
    /// Records <paramref name="segments"/>' members at the context's instant inside an open transaction (whose
    /// other writes their queries see): replaces a materialization at the same instant, closes the stays of
    /// those who left, opens stays for those who joined, and stores size, entered and exited counts.
    /// </summary>
    public static IReadOnlyList<Materialization> Record(
        IWarehouseTransaction transaction,
        IReadOnlyList<SegmentDefinition> segments,
        EvaluationContext context,
        DateTime now,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(segments);
        ArgumentNullException.ThrowIfNull(context);
        if (segments.Count == 0)
        {
            return [];
        }

        foreach (var statement in SegmentSql.Record(transaction.Dialect, segments, context, now))
        {
            cancellation.ThrowIfCancellationRequested();
            transaction.Execute(statement);
        }

        var stored = History(transaction, null).Where(m => m.AsOf == context.AsOf).ToDictionary(m => m.Segment, StringComparer.Ordinal);
        return segments.Select(s => stored[s.Name]).ToList();
    }

    /// <summary>Stored materializations, newest as-of first (all segments, or one).</summary>
    public static IReadOnlyList<Materialization> History(ISqlReader reader, string? segment)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var result = new List<Materialization>();
        reader.Read(SegmentSql.History(reader.Dialect, segment), r => result.Add(new Materialization(r.GetString(0), r.GetString(1), Utc(r, 2), Utc(r, 3), r.GetInt64(4), r.GetInt64(5), r.GetInt64(6))));
        return result;
    }

    /// <summary>
    /// Who was in <paramref name="segment"/> at <paramref name="at"/>: the members its last materialization at or
    /// before that instant recorded. Null when nothing was recorded that early.
    /// </summary>
    public static MembersAt? Members(ISqlReader reader, string segment, DateTime at)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(segment);
        if (History(reader, segment).FirstOrDefault(m => m.AsOf <= at) is not { } answer)
        {
            return null;
        }

        var ids = new List<string>();
        reader.Read(SegmentSql.MembersAt(reader.Dialect, segment, answer.AsOf), r => ids.Add(r.GetString(0)));
        return new MembersAt(segment, at, answer.AsOf, answer.Version, ids);
    }

    /// <summary>
    /// The customers whose stay in <paramref name="segment"/> covers <paramref name="at"/> exactly (a materialization or a
    /// live update may have recorded it), in byte order of their ids.
    /// </summary>
    public static IReadOnlyList<string> MembersAtInstant(ISqlReader reader, string segment, DateTime at)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(segment);
        var ids = new List<string>();
        reader.Read(SegmentSql.MembersAt(reader.Dialect, segment, at), r => ids.Add(r.GetString(0)));
        return ids;
    }

    private static DateTime Utc(IDataRecord r, int i) => DateTime.SpecifyKind(r.GetDateTime(i), DateTimeKind.Utc);

    private static string Iso(DateTime t) => t.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
