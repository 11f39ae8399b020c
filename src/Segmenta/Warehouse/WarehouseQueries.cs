using Segmenta.Model;
using Segmenta.Sql;

namespace Segmenta.Warehouse;

/// <summary>
/// The warehouse's bookkeeping reads (quarantine, ingest runs, summary), written once over
/// <see cref="ISqlReader.Read"/> in SQL every backend runs.
/// </summary>
public static class WarehouseQueries
{
    /// <summary>Rows set aside by ingestion, newest run first.</summary>
    public static IReadOnlyList<QuarantineEntry> ReadQuarantine(IWarehouse warehouse, long? runId, int limit)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        var result = new List<QuarantineEntry>();
        warehouse.Read(WarehouseSql.Quarantine(warehouse.Dialect, runId, limit), r => result.Add(new QuarantineEntry(r.GetInt64(0), r.GetString(1), r.GetInt64(2), r.GetString(3), r.GetString(4))));
        return result;
    }

    /// <summary>The ingest runs, newest first.</summary>
    public static IReadOnlyList<IngestRunRecord> IngestRuns(IWarehouse warehouse, int limit)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        var result = new List<IngestRunRecord>();
        warehouse.Read(WarehouseSql.IngestRuns(warehouse.Dialect, limit), r => result.Add(new IngestRunRecord(
            r.GetInt64(0),
            r.GetString(1) == "customers" ? TableKind.Customers : TableKind.Events,
            r.GetString(2),
            r.IsDBNull(3) ? null : r.GetString(3),
            r.GetDateTime(4),
            r.GetDateTime(5),
            new IngestSummary(r.GetInt64(6), r.GetInt64(7), r.GetInt64(8), r.GetInt64(9), r.GetInt64(10), r.GetInt64(11)))));
        return result;
    }

    /// <summary>What the warehouse holds, in brief.</summary>
    public static WarehouseSummary Summarize(IWarehouse warehouse)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        var types = new List<(string, long)>();
        warehouse.Read(
            WarehouseSql.EventTypes(warehouse.Dialect),
            r => types.Add((r.GetString(0), r.GetInt64(1))));
        WarehouseSummary? summary = null;
        warehouse.Read(
            WarehouseSql.Totals(warehouse.Dialect),
            r => summary = new WarehouseSummary(
                r.GetInt64(0),
                r.GetInt64(1),
                types,
                r.GetDecimal(2),
                r.IsDBNull(3) ? null : DateTime.SpecifyKind(r.GetDateTime(3), DateTimeKind.Utc),
                r.IsDBNull(4) ? null : DateTime.SpecifyKind(r.GetDateTime(4), DateTimeKind.Utc),
                r.GetInt64(5),
                r.GetInt64(6)));
        return summary!;
    }
}
