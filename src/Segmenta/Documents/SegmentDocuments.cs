using System.Globalization;
using Segmenta.Language;
using Segmenta.Segments;
using Segmenta.Warehouse;
using static Segmenta.Documents.DocumentValues;

namespace Segmenta.Documents;

/// <summary>A segment's size, shares, the count after each condition and a sample of members (<c>segment preview</c>, <c>GET /api/segments/{name}/preview</c>). <c>net_revenue</c>: The members' net revenue (purchases less refunds) before the as-of. <c>net_revenue_all_customers</c>: Every customer's net revenue before the as-of. <c>seconds</c>: How long the preview took (left out of reports). <c>anonymous_members</c>: members known only by anonymous ids (docs/identity.md).</summary>
public sealed record PreviewDocument(
    string Name,
    string? Title,
    string Version,
    string AsOf,
    long Size,
    long AnonymousMembers,
    long Customers,
    double ShareOfCustomers,
    decimal NetRevenue,
    decimal NetRevenueAllCustomers,
    double ShareOfNetRevenue,
    PreviewLifetimeDocument? Lifetime,
    IReadOnlyList<PreviewStepDocument> Steps,
    IReadOnlyList<Dictionary<string, object?>> Sample,
    double Seconds);

/// <summary>What the stored CLV predictions say about a preview's members beside all customers.</summary>
public sealed record PreviewLifetimeDocument(long MembersPredicted, double MembersValue, double AllCustomersValue, double ShareOfValue, double MembersMeanPAlive, IReadOnlyList<string>? Warnings);

/// <summary>The members left after a condition, in the order written.</summary>
public sealed record PreviewStepDocument(string Condition, long Remaining, IReadOnlyList<FunnelStepDocument>? Funnel);

/// <summary>A step of a funnel condition and the customers who reached it (of those meeting every condition before the funnel).</summary>
public sealed record FunnelStepDocument(string Step, long Reached);

/// <summary>A segment's definition, dependencies, compiled SQL and recorded materializations (<c>segment show</c>).</summary>
public sealed record SegmentShowDocument(
    string Name,
    string? Title,
    string? Description,
    string? File,
    int Line,
    string Version,
    bool Generated,
    IReadOnlyList<string> DependsOn,
    IReadOnlyList<string> UsedBy,
    IReadOnlyList<string> Conditions,
    string Definition,
    CompiledSqlDocument Sql,
    IReadOnlyList<MaterializationDocument> Materializations);

/// <summary>SQL as one backend runs it, with its parameters in order.</summary>
public sealed record CompiledSqlDocument(string Dialect, string Text, IReadOnlyList<object?> Parameters);

/// <summary>One stored materialization of a segment.</summary>
public sealed record MaterializationDocument(string Version, string AsOf, string MaterializedAt, long Size);

/// <summary>A compiler diagnostic: code, message, where (file, 1-based line and column) and the length of the text it covers.</summary>
public sealed record DiagnosticDocument(string Code, string Message, string? File, int Line, int Column, int Length);

/// <summary>What the warehouse holds (<c>status</c>, <c>GET /api/status</c>). <c>net_revenue</c>: Every purchase less every refund, all time.</summary>
public sealed record StatusDocument(
    string Workspace,
    string Warehouse,
    int SchemaVersion,
    long Customers,
    long Events,
    IReadOnlyList<EventTypeCountDocument> EventTypes,
    decimal NetRevenue,
    string? FirstEvent,
    string? LastEvent,
    long Quarantined,
    long IngestRuns);

/// <summary>Events of one type.</summary>
public sealed record EventTypeCountDocument(string EventType, long Count);

/// <summary>Who moved between the states of a segment family from one instant to another (<c>migration</c>).</summary>
public sealed record MigrationDocument(
    string From,
    string To,
    IReadOnlyList<string> States,
    IReadOnlyList<IReadOnlyList<long>> Counts,
    IReadOnlyList<IReadOnlyList<double>> Shares,
    IReadOnlyList<long> FromTotals,
    IReadOnlyList<long> ToTotals,
    long Stayed,
    IReadOnlyList<MigrationFlowDocument> TopFlows,
    IReadOnlyList<MigrationSourceDocument> Sources);

/// <summary>Customers who moved from one state to another, with their share of the state they left.</summary>
public sealed record MigrationFlowDocument(string From, string To, long Customers, double ShareOfFrom);

/// <summary>The materializations a migration compares for one segment.</summary>
public sealed record MigrationSourceDocument(string Segment, string From, string To);

/// <summary>The segments of a library with their last materialization (<c>segment list</c>, <c>GET /api/segments</c>). <c>errors</c>: Diagnostics in the library (segments with errors are left out).</summary>
public sealed record SegmentListDocument(IReadOnlyList<SegmentListEntry> Segments, int Errors);

/// <summary>One segment of <see cref="SegmentListDocument"/>.</summary>
public sealed record SegmentListEntry(string Name, string? Title, string? File, string Version, IReadOnlyList<string> DependsOn, bool Generated, LastMaterializationDocument? LastMaterialization);

/// <summary>A segment's newest materialization; <c>current</c> when it was made by the definition as it is now.</summary>
public sealed record LastMaterializationDocument(long Size, string AsOf, string MaterializedAt, string Version, bool Current);

/// <summary>A segment's size at every materialization, oldest first (<c>history</c>).</summary>
public sealed record HistoryDocument(string Segment, IReadOnlyList<HistoryRow> Materializations);

/// <summary>One materialization in a segment's history: who entered and exited since the previous one and the relative change in size (null after an empty one).</summary>
public sealed record HistoryRow(string AsOf, string Version, long Size, long Entered, long Exited, double? Change, bool NewVersion);

/// <summary>Every segment's history (<c>GET /api/history</c>).</summary>
public sealed record HistoriesDocument(IReadOnlyList<HistoryDocument> Segments);

/// <summary>Who was in a segment at an instant, as recorded (<c>members</c>), a page of the ids.</summary>
public sealed record MembersDocument(string Segment, string? At, string AnsweredBy, string Version, int Size, int Offset, IReadOnlyList<string> CustomerIds);

/// <summary>One ingest run (<c>ingest runs</c>): a file or a flush of collected events.</summary>
public sealed record IngestRunDocument(long RunId, string Table, string Source, string? Mapping, string StartedAt, string FinishedAt, long Read, long Loaded, long Quarantined, long Duplicates, long Skipped, long Suppressed);

/// <summary>A row set aside, with its source, line, reason and raw record (<c>ingest quarantine</c>).</summary>
public sealed record QuarantineDocument(long RunId, string Source, long Line, string Reason, string Raw);

/// <summary>Text compiled with the workspace's other segments (<c>POST /api/segments/check</c>). <c>errors_elsewhere</c>: Diagnostics in the workspace's other files.</summary>
public sealed record SegmentCheckDocument(bool Ok, IReadOnlyList<CheckedSegmentDocument> Segments, IReadOnlyList<DiagnosticDocument> Diagnostics, int ErrorsElsewhere);

/// <summary>A segment the checked text defines.</summary>
public sealed record CheckedSegmentDocument(string Name, string? Title, int Line, string Version, IReadOnlyList<string> DependsOn, IReadOnlyList<string> Conditions);

/// <summary>Unsaved text checked and, when it compiles, its last segment previewed (<c>POST /api/segments/preview</c>).</summary>
public sealed record DraftPreviewDocument(bool Ok, SegmentCheckDocument Check, PreviewDocument? Preview);

/// <summary>
/// Segments, their previews and diagnostics, the warehouse status and migration matrices as documents: the
/// stable shape (snake_case field names through <see cref="ResultJson"/>) that the CLI's <c>--json</c>, the REST API
/// and the report share.
/// </summary>
public static class SegmentDocuments
{
    public static PreviewDocument Preview(SegmentPreview p) => new(
        p.Name,
        p.Title,
        p.Version,
        Iso(p.AsOf),
        p.Size,
        p.AnonymousMembers,
        p.Customers,
        Math.Round(p.ShareOfCustomers, 6),
        p.MemberRevenue,
        p.Revenue,
        Math.Round(p.ShareOfRevenue, 6),
        p.Lifetime is not { } l ? null : new PreviewLifetimeDocument(l.Predicted, l.Value, l.TotalValue, Math.Round(l.ShareOfValue, 6), l.MeanProbabilityAlive, l.Warnings),
        [.. p.Steps.Select(s => new PreviewStepDocument(s.Condition, s.Remaining, s.Funnel is null ? null : [.. s.Funnel.Select(f => new FunnelStepDocument(f.Step, f.Reached))]))],
        [.. p.Sample.Select(row => p.SampleColumns.Select((c, i) => (c, v: row[i])).ToDictionary(x => x.c, x => Plain(x.v)))],
        Math.Round(p.Elapsed.TotalSeconds, 3));

    /// <summary>A segment's definition, dependencies, compiled SQL at the context's as-of and recorded history.</summary>
    public static SegmentShowDocument Show(SegmentLibrary library, SegmentDefinition segment, IWarehouse warehouse, EvaluationContext context)
    {
        ArgumentNullException.ThrowIfNull(library);
        ArgumentNullException.ThrowIfNull(segment);
        ArgumentNullException.ThrowIfNull(warehouse);
        var sql = segment.Query(warehouse.Dialect, context).Members();
        return new(
            segment.Name,
            segment.Title,
            segment.Description,
            segment.File,
            segment.Span.Line,
            segment.Version,
            library.IsGenerated(segment.File),
            segment.DependsOn,
            [.. library.Compilation.Segments.Where(s => s.DependsOn.Contains(segment.Name)).Select(s => s.Name)],
            segment.ConditionTexts,
            segment.Text,
            new CompiledSqlDocument(warehouse.Dialect.Name, sql.Text, [.. sql.Parameters.Select(p => p is DateTime t ? Iso(t) : p)]),
            [.. SegmentMaterializer.History(warehouse, segment.Name).Select(m => new MaterializationDocument(m.Version, Iso(m.AsOf), Iso(m.MaterializedAt), m.Size))]);
    }

    public static DiagnosticDocument Diagnostic(Diagnostic d) => new(d.Code, d.Message, d.File, d.Line, d.Column, d.Span.Length);

    public static StatusDocument Status(string root, IWarehouse warehouse, WarehouseSummary s) => new(
        root,
        warehouse.Description,
        warehouse.SchemaVersion,
        s.Customers,
        s.Events,
        [.. s.EventTypes.Select(t => new EventTypeCountDocument(t.EventType, t.Count))],
        s.PurchaseRevenue,
        s.FirstEvent?.ToString("O", CultureInfo.InvariantCulture),
        s.LastEvent?.ToString("O", CultureInfo.InvariantCulture),
        s.Quarantined,
        s.IngestRuns);

    public static MigrationDocument Migration(MigrationMatrix m, IReadOnlyList<MigrationFlow> flows) => new(
        Iso(m.From),
        Iso(m.To),
        m.States,
        m.Counts,
        [.. m.Counts.Select((row, i) => (IReadOnlyList<double>)[.. row.Select((_, j) => Math.Round(m.Share(i, j), 6))])],
        m.FromTotals,
        m.ToTotals,
        m.Stayed,
        [.. flows.Select(f => new MigrationFlowDocument(f.From, f.To, f.Customers, Math.Round(f.ShareOfFrom, 6)))],
        [.. m.Sources.Select(s => new MigrationSourceDocument(s.Segment, Iso(s.From), Iso(s.To)))]);

    /// <summary>The segments of a library with their last materialization.</summary>
    public static SegmentListDocument List(SegmentLibrary library, IReadOnlyList<Materialization> history)
    {
        var latest = history
            .GroupBy(m => m.Segment)
            .ToDictionary(g => g.Key, g => g.OrderByDescending(m => m.MaterializedAt).ThenByDescending(m => m.AsOf).First(), StringComparer.Ordinal);
        return new(
            [.. library.Compilation.Segments.Select(s => (Segment: s, Last: latest.GetValueOrDefault(s.Name))).Select(r => new SegmentListEntry(
                r.Segment.Name,
                r.Segment.Title,
                r.Segment.File,
                r.Segment.Version,
                r.Segment.DependsOn,
                library.IsGenerated(r.Segment.File),
                r.Last is null ? null : new LastMaterializationDocument(r.Last.Size, Iso(r.Last.AsOf), Iso(r.Last.MaterializedAt), r.Last.Version, r.Last.Version == r.Segment.Version)))],
            library.Compilation.Diagnostics.Count);
    }

    /// <summary>A segment's size at every materialization, oldest first, with entered, exited and the change.</summary>
    public static HistoryDocument History(string segment, IReadOnlyList<Materialization> newestFirst) => new(segment, HistoryRows(newestFirst));

    /// <summary>Every segment's history, by name.</summary>
    public static HistoriesDocument Histories(IReadOnlyList<Materialization> history) => new(
        [.. history.GroupBy(m => m.Segment).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => History(g.Key, [.. g]))]);  // newest first within a segment, as History reads them

    /// <summary>The rows of <see cref="History"/>, oldest first: the change is relative to the previous size (null after an empty one).</summary>
    public static List<HistoryRow> HistoryRows(IReadOnlyList<Materialization> newestFirst)
    {
        ArgumentNullException.ThrowIfNull(newestFirst);
        var history = newestFirst.Reverse().ToList();
        return history.Select((m, i) => new HistoryRow(
            Iso(m.AsOf),
            m.Version,
            m.Size,
            m.Entered,
            m.Exited,
            i == 0 || history[i - 1].Size == 0 ? null : Math.Round((double)(m.Size - history[i - 1].Size) / history[i - 1].Size, 6),
            i > 0 && history[i - 1].Version != m.Version)).ToList();
    }

    /// <summary>Who was in a segment at an instant, as recorded; a page of the ids when <paramref name="limit"/> is above 0.</summary>
    public static MembersDocument Members(MembersAt members, DateTime? at, int offset, int limit) => new(
        members.Segment,
        at is { } t ? Iso(t) : null,
        Iso(members.AnsweredBy),
        members.Version,
        members.CustomerIds.Count,
        offset,
        limit == 0 ? [.. members.CustomerIds.Skip(offset)] : [.. members.CustomerIds.Skip(offset).Take(limit)]);

    /// <summary>Ingest runs, newest first: files and collected events alike.</summary>
    public static IReadOnlyList<IngestRunDocument> IngestRuns(IEnumerable<IngestRunRecord> runs) => [.. runs.Select(r => new IngestRunDocument(
        r.RunId,
        Model.CanonicalModel.TableName(r.Table),
        r.Source,
        r.Mapping,
        r.StartedAt.ToString("O", CultureInfo.InvariantCulture),
        r.FinishedAt.ToString("O", CultureInfo.InvariantCulture),
        r.Summary.Read,
        r.Summary.Loaded,
        r.Summary.Quarantined,
        r.Summary.Duplicates,
        r.Summary.Skipped,
        r.Summary.Suppressed))];

    /// <summary>Rows set aside, with source, line, reason and the raw record.</summary>
    public static IReadOnlyList<QuarantineDocument> Quarantine(IEnumerable<QuarantineEntry> rows) =>
        [.. rows.Select(r => new QuarantineDocument(r.RunId, r.Source, r.Line, r.Reason, r.Raw))];

    /// <summary>Text compiled as the file <paramref name="draft"/> of <paramref name="library"/>: its segments and its own diagnostics.</summary>
    public static SegmentCheckDocument Check(SegmentLibrary library, string draft)
    {
        ArgumentNullException.ThrowIfNull(library);
        var mine = library.Compilation.Diagnostics.Where(d => d.File == draft).ToList();
        return new(
            mine.Count == 0,
            [.. library.Compilation.Segments.Where(s => s.File == draft).Select(s => new CheckedSegmentDocument(s.Name, s.Title, s.Span.Line, s.Version, s.DependsOn, s.ConditionTexts))],
            [.. mine.Select(Diagnostic)],
            library.Compilation.Diagnostics.Count - mine.Count);
    }
}

/// <summary>The workspace's computed traits (<c>segment traits</c>, <c>GET /api/traits</c>), with what the current refresh snapshot stored of each.</summary>
/// <param name="StoredAsOf">The current snapshot's instant; null before the first refresh.</param>
/// <param name="Traits">Each trait that compiled, in file order.</param>
public sealed record TraitsDocument(string? StoredAsOf, IReadOnlyList<TraitDocument> Traits);

/// <summary>One computed trait: its definition and version, the traits it uses, and its stored values' summary (null when none are stored).</summary>
public sealed record TraitDocument(string Name, string? Title, string? Description, string Type, string? File, int Line, string Version, IReadOnlyList<string> Uses, string Definition, StoredTraitDocument? Stored);

/// <summary>
/// What a snapshot stored of a trait: the version it was computed with (<see cref="Current"/>: the same as the definition's now),
/// customers with a value, and for numbers min, mean and max, for text the most common values.
/// </summary>
public sealed record StoredTraitDocument(string Version, bool Current, long Customers, double? Min, double? Mean, double? Max, IReadOnlyList<TraitValueDocument> TopValues);

/// <summary>A text value of a trait and how many customers have it.</summary>
public sealed record TraitValueDocument(string Value, long Customers);

/// <summary>Computed traits as documents.</summary>
public static class TraitDocuments
{
    /// <summary>The compiled traits beside what <paramref name="stored"/> (the current snapshot, if any) holds of each.</summary>
    public static TraitsDocument List(IReadOnlyList<Language.ComputedTrait> traits, (DateTime AsOf, IReadOnlyList<StoredTrait> Traits)? stored)
    {
        ArgumentNullException.ThrowIfNull(traits);
        return new(
            stored is { } s ? DocumentValues.Iso(s.AsOf) : null,
            [.. traits.Select(t =>
            {
                var kept = stored?.Traits.FirstOrDefault(x => x.Trait == t.Name);
                return new TraitDocument(
                    t.Name, t.Title, t.Description, Model.FieldTypes.Name(t.Type), t.File, t.Span.Line, t.Version, t.Uses, t.Text,
                    kept is null ? null : new StoredTraitDocument(kept.Version, kept.Version == t.Version, kept.Customers, Round(kept.Min), Round(kept.Mean), Round(kept.Max), [.. kept.TopValues.Select(v => new TraitValueDocument(v.Value, v.Customers))]));
            })]);
    }

    private static double? Round(double? value) => value is { } v ? Math.Round(v, 6) : null;
}

/// <summary>
/// What segment text can name in this workspace (<c>GET /api/schema</c>), for the dashboard's editor to colour and complete:
/// event types and properties, customer traits, computed traits, computed fields (<c>rfm.segment</c>), segments, functions, keywords.
/// </summary>
public sealed record LanguageSchemaDocument(
    IReadOnlyList<string> EventTypes,
    IReadOnlyList<NamedTypeDocument> EventProperties,
    IReadOnlyList<NamedTypeDocument> Traits,
    IReadOnlyList<NamedTypeDocument> ComputedTraits,
    IReadOnlyList<NamedTypeDocument> Fields,
    IReadOnlyList<string> Segments,
    IReadOnlyList<string> Functions,
    IReadOnlyList<string> Keywords,
    IReadOnlyList<string> ConsentChannels)
{
    /// <summary>The schema of a compiled library.</summary>
    public static LanguageSchemaDocument Of(SegmentLibrary library)
    {
        ArgumentNullException.ThrowIfNull(library);
        var schema = library.Schema;
        static NamedTypeDocument Named(string name, Model.FieldType type) => new(name, Model.FieldTypes.Name(type));
        return new(
            [.. schema.EventTypes, Language.SegmentSchema.AnyEvent],
            [.. schema.EventFields.Where(f => f.Name != Model.CanonicalModel.CustomerId).Select(f => Named(f.Name, f.Type))],
            [.. schema.CustomerFields.Where(f => f.Name != Model.CanonicalModel.CustomerId).Select(f => Named(f.Name, f.Type))],
            [.. schema.ComputedTraits.Select(t => Named(t.Name, t.Type))],
            [.. schema.DerivedSets.SelectMany(d => d.Fields.Select(f => Named(d.Namespace + "." + f.Name, f.Type)))],
            [.. library.Compilation.Segments.Select(s => s.Name)],
            Language.LanguageVocabulary.Functions,
            Language.LanguageVocabulary.Keywords,
            Model.Consent.Channels(schema.CustomerFields));
    }
}

/// <summary>A name and its type (text, integer, number, boolean, date, timestamp).</summary>
public sealed record NamedTypeDocument(string Name, string Type);
