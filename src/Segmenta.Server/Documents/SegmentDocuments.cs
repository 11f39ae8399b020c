using System.Globalization;
using Segmenta.Language;
using Segmenta.Segments;
using Segmenta.Warehouse;

namespace Segmenta.Server.Documents;

/// <summary>
/// Segments, their previews and diagnostics, the warehouse status and migration matrices as JSON documents: the stable shape (snake_case field names) that the CLI's <c>--json</c>, the REST API and the report share.
/// </summary>
internal static class SegmentDocuments
{
    /// <summary>One materialization in a segment's history.</summary>
    internal sealed record HistoryRow(string AsOf, string Version, long Size, long Entered, long Exited, double? Change, bool NewVersion);

    public static object Preview(SegmentPreview p) => new
    {
        name = p.Name,
        title = p.Title,
        version = p.Version,
        as_of = Documents.Iso(p.AsOf),
        size = p.Size,
        customers = p.Customers,
        share_of_customers = Math.Round(p.ShareOfCustomers, 6),
        net_revenue = p.MemberRevenue,
        net_revenue_all_customers = p.Revenue,
        share_of_net_revenue = Math.Round(p.ShareOfRevenue, 6),
        lifetime = p.Lifetime is not { } l ? null : new
        {
            members_predicted = l.Predicted,
            members_value = l.Value,
            all_customers_value = l.TotalValue,
            share_of_value = Math.Round(l.ShareOfValue, 6),
            members_mean_p_alive = l.MeanProbabilityAlive,
            warnings = l.Warnings,
        },
        steps = p.Steps.Select(s => new { condition = s.Condition, remaining = s.Remaining }),
        sample = p.Sample.Select(row => p.SampleColumns.Select((c, i) => (c, v: row[i])).ToDictionary(x => x.c, x => Plain(x.v))),
        seconds = Math.Round(p.Elapsed.TotalSeconds, 3),
    };

    /// <summary>A segment's definition, dependencies, compiled SQL at the context's as-of and recorded history (the shape of <c>segment show</c>).</summary>
    public static object Show(SegmentLibrary library, SegmentDefinition segment, IWarehouse warehouse, EvaluationContext context)
    {
        var sql = segment.Query(warehouse.Dialect, context).Members();
        return new
        {
            name = segment.Name,
            title = segment.Title,
            description = segment.Description,
            file = segment.File,
            line = segment.Span.Line,
            version = segment.Version,
            generated = library.IsGenerated(segment.File),
            depends_on = segment.DependsOn,
            used_by = library.Compilation.Segments.Where(s => s.DependsOn.Contains(segment.Name)).Select(s => s.Name).ToList(),
            conditions = segment.ConditionTexts,
            definition = segment.Text,
            sql = new { dialect = warehouse.Dialect.Name, text = sql.Text, parameters = sql.Parameters.Select(p => p is DateTime t ? Documents.Iso(t) : p) },
            materializations = SegmentMaterializer.History(warehouse, segment.Name)
                .Select(m => new { version = m.Version, as_of = Documents.Iso(m.AsOf), materialized_at = Documents.Iso(m.MaterializedAt), size = m.Size }),
        };
    }

    public static object? Plain(object? value) => value switch
    {
        DateTime t => Documents.Iso(t),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        _ => value,
    };

    public static object Diagnostic(Diagnostic d) => new
    {
        code = d.Code,
        message = d.Message,
        file = d.File,
        line = d.Line,
        column = d.Column,
        length = d.Span.Length,
    };

    public static object Status(string root, IWarehouse warehouse, WarehouseSummary s) => new
    {
        workspace = root,
        warehouse = warehouse.Description,
        schema_version = warehouse.SchemaVersion,
        customers = s.Customers,
        events = s.Events,
        event_types = s.EventTypes.Select(t => new { event_type = t.EventType, count = t.Count }),
        net_revenue = s.PurchaseRevenue,
        first_event = s.FirstEvent?.ToString("O", CultureInfo.InvariantCulture),
        last_event = s.LastEvent?.ToString("O", CultureInfo.InvariantCulture),
        quarantined = s.Quarantined,
        ingest_runs = s.IngestRuns,
    };

    public static object Migration(MigrationMatrix m, IReadOnlyList<MigrationFlow> flows) => new
    {
        from = Documents.Iso(m.From),
        to = Documents.Iso(m.To),
        states = m.States,
        counts = m.Counts,
        shares = m.Counts.Select((row, i) => row.Select((_, j) => Math.Round(m.Share(i, j), 6))),
        from_totals = m.FromTotals,
        to_totals = m.ToTotals,
        stayed = m.Stayed,
        top_flows = flows.Select(f => new { from = f.From, to = f.To, customers = f.Customers, share_of_from = Math.Round(f.ShareOfFrom, 6) }),
        sources = m.Sources.Select(s => new { segment = s.Segment, from = Documents.Iso(s.From), to = Documents.Iso(s.To) }),
    };

    /// <summary>The segments of a library with their last materialization (the shape of <c>segment list</c>).</summary>
    public static object List(SegmentLibrary library, IReadOnlyList<Materialization> history)
    {
        var latest = history
            .GroupBy(m => m.Segment)
            .ToDictionary(g => g.Key, g => g.OrderByDescending(m => m.MaterializedAt).ThenByDescending(m => m.AsOf).First(), StringComparer.Ordinal);
        return new
        {
            segments = library.Compilation.Segments.Select(s => (Segment: s, Last: latest.GetValueOrDefault(s.Name))).Select(r => new
            {
                name = r.Segment.Name,
                title = r.Segment.Title,
                file = r.Segment.File,
                version = r.Segment.Version,
                depends_on = r.Segment.DependsOn,
                generated = library.IsGenerated(r.Segment.File),
                last_materialization = r.Last is null ? null : new
                {
                    size = r.Last.Size,
                    as_of = Documents.Iso(r.Last.AsOf),
                    materialized_at = Documents.Iso(r.Last.MaterializedAt),
                    version = r.Last.Version,
                    current = r.Last.Version == r.Segment.Version,
                },
            }),
            errors = library.Compilation.Diagnostics.Count,
        };
    }

    /// <summary>A segment's size at every materialization, oldest first, with entered, exited and the change (the shape of <c>history</c>).</summary>
    public static object History(string segment, IReadOnlyList<Materialization> newestFirst) => new
    {
        segment,
        materializations = HistoryRows(newestFirst).Select(r => new
        {
            as_of = r.AsOf,
            version = r.Version,
            size = r.Size,
            entered = r.Entered,
            exited = r.Exited,
            change = r.Change,
            new_version = r.NewVersion,
        }).ToList(),
    };

    /// <summary>The rows of <see cref="History"/>, oldest first: the change is relative to the previous size (null after an empty one).</summary>
    public static List<HistoryRow> HistoryRows(IReadOnlyList<Materialization> newestFirst)
    {
        var history = newestFirst.Reverse().ToList();
        return history.Select((m, i) => new HistoryRow(
            Documents.Iso(m.AsOf),
            m.Version,
            m.Size,
            m.Entered,
            m.Exited,
            i == 0 || history[i - 1].Size == 0 ? null : Math.Round((double)(m.Size - history[i - 1].Size) / history[i - 1].Size, 6),
            i > 0 && history[i - 1].Version != m.Version)).ToList();
    }

    /// <summary>Who was in a segment at an instant, as recorded (the shape of <c>members</c>); a page of the ids when <paramref name="limit"/> is above 0.</summary>
    public static object Members(MembersAt members, DateTime? at, int offset, int limit) => new
    {
        segment = members.Segment,
        at = at is { } t ? Documents.Iso(t) : null,
        answered_by = Documents.Iso(members.AnsweredBy),
        version = members.Version,
        size = members.CustomerIds.Count,
        offset,
        customer_ids = limit == 0 ? members.CustomerIds.Skip(offset).ToList() : members.CustomerIds.Skip(offset).Take(limit).ToList(),
    };

    /// <summary>Ingest runs, newest first (the shape of <c>ingest runs</c>): files and collected events alike.</summary>
    public static object IngestRuns(IEnumerable<IngestRunRecord> runs) => runs.Select(r => new
    {
        run_id = r.RunId,
        table = Model.CanonicalModel.TableName(r.Table),
        source = r.Source,
        mapping = r.Mapping,
        started_at = r.StartedAt.ToString("O", CultureInfo.InvariantCulture),
        finished_at = r.FinishedAt.ToString("O", CultureInfo.InvariantCulture),
        read = r.Summary.Read,
        loaded = r.Summary.Loaded,
        quarantined = r.Summary.Quarantined,
        duplicates = r.Summary.Duplicates,
        skipped = r.Summary.Skipped,
    }).ToList();

    /// <summary>Rows set aside, with source, line, reason and the raw record (the shape of <c>ingest quarantine</c>).</summary>
    public static object Quarantine(IEnumerable<QuarantineEntry> rows) =>
        rows.Select(r => new { run_id = r.RunId, source = r.Source, line = r.Line, reason = r.Reason, raw = r.Raw }).ToList();
}
