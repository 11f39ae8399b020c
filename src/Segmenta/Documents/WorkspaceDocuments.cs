using Segmenta.Access;
using Segmenta.Ingestion;
using Segmenta.Segments;
using Segmenta.Warehouse;
using static Segmenta.Documents.DocumentValues;

namespace Segmenta.Documents;

/// <summary>A failure as <c>--json</c> prints it: one document on stdout, beside the <c>error:</c> line on stderr.</summary>
public sealed record ErrorDocument(ErrorDetail Error);

/// <summary>What failed.</summary>
/// <param name="Code">The kind of failure: bad_input, not_found, conflict, cannot_fit, warehouse_unavailable, step_failed, interrupted.</param>
/// <param name="Message">The message for people, as on stderr.</param>
/// <param name="ExitCode">The process's exit code (docs/cli.md).</param>
public sealed record ErrorDetail(string Code, string Message, int ExitCode);

/// <summary>A workspace created (<c>init</c>): its folder, its warehouse and the warehouse's schema version.</summary>
public sealed record WorkspaceCreatedDocument(string Workspace, string Warehouse, int SchemaVersion);

/// <summary>
/// A file loaded (<c>ingest</c>): rows read, loaded, set aside in quarantine, skipped as already loaded, and dropped as an
/// erased customer's; <paramref name="Reader"/> says who read it: <c>warehouse</c> (DuckDB's parallel CSV reader, a clean
/// file) or <c>rows</c> (Segmenta row by row), with the same result either way (docs/ingestion.md).
/// </summary>
public sealed record IngestResultDocument(long Read, long Loaded, long Quarantined, long Duplicates, long Suppressed, string Reader);

/// <summary>
/// The workspace's segment files checked (<c>segment check</c>): the files, the segments that compiled in dependency order,
/// those that did not (in file order, each with its first error), diagnostics and warnings.
/// </summary>
public sealed record LibraryCheckDocument(IReadOnlyList<string?> Files, IReadOnlyList<CompiledSegmentDocument> Segments, IReadOnlyList<DiagnosticDocument> Diagnostics, IReadOnlyList<SegmentWarningDocument> Warnings, IReadOnlyList<NotCompiledSegmentDocument> NotCompiled, IReadOnlyList<CompiledTraitDocument> Traits);

/// <summary>A computed trait that compiled: its type, where it is written and its version.</summary>
public sealed record CompiledTraitDocument(string Name, string Type, string? File, int Line, string Version, IReadOnlyList<string> Uses);

/// <summary>A segment left out for its errors: its name (null when the text does not get that far), where, and its first error.</summary>
public sealed record NotCompiledSegmentDocument(string? Name, string? File, int Line, DiagnosticDocument? FirstError);

/// <summary>A segment that compiled: where it is written and its version.</summary>
public sealed record CompiledSegmentDocument(string Name, string? Title, string? File, int Line, string Version, IReadOnlyList<string> DependsOn);

/// <summary>Something a segment reads that holds no value for any customer (it compiles, but likely selects nobody).</summary>
public sealed record SegmentWarningDocument(string Segment, string? File, int Line, string Trait, string Message);

/// <summary>Segments materialized as of an instant (<c>segment materialize</c>); <c>skipped_with_errors</c> counts diagnostics left out.</summary>
public sealed record MaterializedDocument(string AsOf, IReadOnlyList<MaterializedSegmentDocument> Segments, int SkippedWithErrors);

/// <summary>One segment stored: its version and how many members.</summary>
public sealed record MaterializedSegmentDocument(string Name, string Version, long Size);

/// <summary>A segment's members written to a file (<c>segment export</c>).</summary>
public sealed record ExportDocument(string Segment, string Version, string AsOf, string Format, string Path, long Members, ConsentCheckDocument Consent);

/// <summary>
/// What the consent check did where data left (docs/identity.md): <c>checked</c> false with <c>not_checked_because</c> when the
/// user overrode it (or the arms were recorded elsewhere); else who it left out — customers of a segment who had not consented
/// to the channel at the as-of instant.
/// </summary>
public sealed record ConsentCheckDocument(bool Checked, string? NotCheckedBecause, long LeftOut, IReadOnlyList<ConsentLeftOutDocument> LeftOutBySegment)
{
    /// <summary>The document of a check.</summary>
    public static ConsentCheckDocument Of(Segments.ConsentCheck check)
    {
        ArgumentNullException.ThrowIfNull(check);
        return new(check.Checked, check.NotCheckedBecause, check.TotalLeftOut, [.. check.LeftOut.Select(l => new ConsentLeftOutDocument(l.Segment, l.Channel, l.Customers))]);
    }
}

/// <summary>Customers of one segment left out for want of consent to one channel.</summary>
public sealed record ConsentLeftOutDocument(string Segment, string Channel, long Customers);

/// <summary>An API key as listed (<c>keys list</c>): never its token, which only its creation shows.</summary>
public sealed record ApiKeyDocument(string Id, string Name, IReadOnlyList<string> Scopes, string CreatedAt, string? RevokedAt, bool Active);

/// <summary>A key just created (<c>keys create</c>) with its token, shown this once.</summary>
public sealed record CreatedKeyDocument(string Id, string Name, IReadOnlyList<string> Scopes, string Token);

/// <summary>A synthetic base written (<c>generate</c>).</summary>
public sealed record GeneratedDocument(long Customers, long Events, long MalformedRows, IReadOnlyList<string> Files, double Seconds);

/// <summary>A server started (<c>serve</c>): where it listens and what it serves.</summary>
public sealed record ServingDocument(string Address, string Dashboard, string Workspace, string Warehouse, int Keys, string? RefreshEvery);

/// <summary>The workspace's documents of its own: setup, ingest, segment files and exports, keys.</summary>
public static class WorkspaceDocuments
{
    public static IngestResultDocument Ingest(IngestSummary s) => new(s.Read, s.Loaded, s.Quarantined, s.Duplicates, s.Suppressed, s.WholeFile ? "warehouse" : "rows");

    /// <summary>A check of the user's segment files.</summary>
    public static LibraryCheckDocument Check(IReadOnlyList<string?> files, IReadOnlyList<Language.SegmentDefinition> segments, IEnumerable<Language.Diagnostic> diagnostics, IEnumerable<(Language.SegmentDefinition Segment, string Trait, string Message)> warnings, IEnumerable<Language.FailedSegment> failed, IEnumerable<Language.ComputedTrait> traits) => new(
        files,
        [.. segments.Select(s => new CompiledSegmentDocument(s.Name, s.Title, s.File, s.Span.Line, s.Version, s.DependsOn))],
        [.. diagnostics.Select(SegmentDocuments.Diagnostic)],
        [.. warnings.Select(w => new SegmentWarningDocument(w.Segment.Name, w.Segment.File, w.Segment.Span.Line, w.Trait, w.Message))],
        [.. failed.Select(f => new NotCompiledSegmentDocument(f.Name, f.File, f.Line, f.FirstError is { } d ? SegmentDocuments.Diagnostic(d) : null))],
        [.. traits.Select(t => new CompiledTraitDocument(t.Name, Model.FieldTypes.Name(t.Type), t.File, t.Span.Line, t.Version, t.Uses))]);

    public static MaterializedDocument Materialized(DateTime asOf, IEnumerable<Materialization> stored, int skippedWithErrors) =>
        new(Iso(asOf), [.. stored.Select(m => new MaterializedSegmentDocument(m.Segment, m.Version, m.Size))], skippedWithErrors);

    public static ApiKeyDocument Key(ApiKey k)
    {
        ArgumentNullException.ThrowIfNull(k);
        return new(k.Id, k.Name, k.Scopes, Iso(k.CreatedAt), k.RevokedAt is { } r ? Iso(r) : null, k.Active);
    }

    public static CreatedKeyDocument Created(CreatedKey created)
    {
        ArgumentNullException.ThrowIfNull(created);
        return new(created.Key.Id, created.Key.Name, created.Key.Scopes, created.Token);
    }
}

/// <summary>A key revoked (<c>keys revoke</c>).</summary>
public sealed record RevokedKeyDocument(string Revoked);
