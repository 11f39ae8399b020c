using System.Data;
using Segmenta.Warehouse;

namespace Segmenta.Activation;

/// <summary>A sync as the log shows it: what it recorded, and how its webhook batches fared since.</summary>
/// <param name="Sync">The sync.</param>
/// <param name="Delivered">Its batches the receiver took.</param>
/// <param name="Pending">Its batches waiting for a try.</param>
/// <param name="Dead">Its batches in the dead letter.</param>
public sealed record SyncLogEntry(SegmentSync Sync, int Delivered, int Pending, int Dead)
{
    /// <summary>
    /// The outcome: <c>dead_letter</c> when a batch failed for good, <c>pending</c> while one waits, <c>delivered</c> when the
    /// receiver took every batch, <c>written</c> when files were written, <c>up_to_date</c> when nothing had changed.
    /// </summary>
    public string Status => Dead > 0 ? "dead_letter"
        : Pending > 0 ? "pending"
        : Sync.Batches > 0 ? "delivered"
        : Sync.Files.Count > 0 ? "written"
        : "up_to_date";
}

/// <summary>The sync log (docs/activation.md, "The sync log"): every sync of every destination, newest first.</summary>
public static class DestinationLog
{
    /// <summary>The latest <paramref name="limit"/> syncs of one destination (all when null), newest first.</summary>
    public static IReadOnlyList<SyncLogEntry> Syncs(ISqlReader reader, string? destination, int limit)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var result = new List<SyncLogEntry>();
        reader.Read(DestinationSql.Syncs(reader.Dialect, destination, limit), r => result.Add(new SyncLogEntry(
            new SegmentSync(
                r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), Utc(r, 4), Utc(r, 5), Utc(r, 6), r.IsDBNull(7) ? null : Utc(r, 7),
                r.GetInt64(8), r.GetInt64(9), r.GetInt64(10), r.GetInt64(11), (int)r.GetInt64(12),
                r.IsDBNull(13) ? [] : r.GetString(13).Split('\n'), r.IsDBNull(14) ? null : r.GetString(14)),
            (int)r.GetInt64(15), (int)r.GetInt64(16), (int)r.GetInt64(17))));
        return result;
    }

    /// <summary>Each segment's latest sync to the destination, in the order of <paramref name="segments"/> (null where none).</summary>
    public static IReadOnlyList<SyncLogEntry?> Latest(ISqlReader reader, string destination, IReadOnlyList<string> segments)
    {
        ArgumentNullException.ThrowIfNull(segments);
        var all = Syncs(reader, destination, int.MaxValue);
        return [.. segments.Select(s => all.FirstOrDefault(e => e.Sync.Segment == s))];
    }

    private static DateTime Utc(IDataRecord r, int i) => DateTime.SpecifyKind(r.GetDateTime(i), DateTimeKind.Utc);
}
