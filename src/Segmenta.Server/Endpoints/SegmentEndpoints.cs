using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Segmenta.Access;
using Segmenta.Language;
using Segmenta.Segments;
using Segmenta.Documents;
using Segmenta.Server.Hosting;
using Segmenta.Workspaces;

namespace Segmenta.Server.Endpoints;

/// <summary>A segment's text as sent by an editor.</summary>
/// <param name="Text">One or more segment definitions in the segment language.</param>
/// <param name="AsOf">The instant to preview at (a date or ISO 8601 time); default: the workspace's, else now.</param>
/// <param name="Sample">Members to include in a preview (default 10, at most 100).</param>
internal sealed record SegmentText(string Text, string? AsOf = null, int? Sample = null);

/// <summary>
/// Segments as code over HTTP: list, show, check and preview text before it is saved (the builder's
/// inline diagnostics and live counts), save and delete files under <c>segments/</c>, preview, members
/// with paging, export, and history.
/// </summary>
internal static class SegmentEndpoints
{
    private const int MaxSample = 100;
    private const int MaxPage = 10_000;

    /// <summary>The export response header that says whether only consenting members were written.</summary>
    public const string ConsentCheckedHeader = "Segmenta-Consent-Checked";

    /// <summary>The export response header with how many members the consent check left out.</summary>
    public const string ConsentLeftOutHeader = "Segmenta-Consent-Left-Out";

    public static void MapSegments(this IEndpointRouteBuilder app)
    {
        var read = app.MapGroup("/api/segments").WithTags("Segments").RequireScope(ApiScopes.Read);
        read.MapGet("/", (WarehouseAccess access, CancellationToken ct) => access.Read(
            w => TypedResults.Ok(ApiContext.Views(access, w).Segments()), ct))
            .WithSummary("Every segment with its title, file, version and last materialization");

        app.MapGet("/api/history", (WarehouseAccess access, CancellationToken ct) => access.Read(
            w => TypedResults.Ok(ApiContext.Views(access, w).Histories()), ct)).WithTags("History").RequireScope(ApiScopes.Read).WithSummary("Every segment's size at every materialization: the trends");

        read.MapGet("/{name}", (string name, string? as_of, WarehouseAccess access, CancellationToken ct) => access.Read(
            w => TypedResults.Ok(ApiContext.Views(access, w).Segment(name, ApiContext.Context(access, as_of))), ct)).WithSummary("A segment's definition, dependencies, conditions, compiled SQL at the as-of, and recorded materializations");

        read.MapPost("/check", (SegmentText body, WarehouseAccess access, CancellationToken ct) => access.Read(w => TypedResults.Ok(Check(access, w, body).Document), ct))
            .WithSummary("Compile text against the workspace's other segments: diagnostics with line, column and what was expected");

        read.MapPost("/preview", (SegmentText body, WarehouseAccess access, CancellationToken ct) => access.Read(w =>
        {
            var (library, draft, document) = Check(access, w, body);
            var segments = library.Compilation.Segments.Where(s => s.File == draft).ToList();
            if (library.Compilation.Diagnostics.Any(d => d.File == draft) || segments.Count == 0)
            {
                return TypedResults.Ok(new DraftPreviewDocument(false, document, null));
            }

            var preview = SegmentPreview.Compute(w, segments[^1], ApiContext.Context(access, body.AsOf), Model.Traits.Resolve(w, null, Model.Traits.PreviewDefaults), Sample(body.Sample));
            return TypedResults.Ok(new DraftPreviewDocument(true, document, SegmentDocuments.Preview(preview)));
        }, ct)).WithSummary("Preview unsaved text (the last segment in it): size, shares, the count after each condition, a sample");

        read.MapGet("/{name}/preview", (string name, string? as_of, int? sample, string? traits, WarehouseAccess access, CancellationToken ct) => access.Read(
            w => TypedResults.Ok(ApiContext.Views(access, w).Preview(name, ApiContext.Context(access, as_of), traits, Sample(sample))), ct)).WithSummary("A saved segment's size, shares, count after each condition, and a sample of members");

        read.MapGet("/{name}/members", (string name, string? at, int? offset, int? limit, WarehouseAccess access, CancellationToken ct) => access.Read(w =>
        {
            var instant = at is null ? (DateTime?)null : ApiContext.Instant(access, "at", at);
            var page = limit ?? 100;
            if (page is < 1 or > MaxPage || offset is < 0)
            {
                throw ApiProblem.BadRequest($"limit must be between 1 and {MaxPage} and offset 0 or more");
            }

            var members = SegmentMaterializer.Members(w, name, instant ?? DateTime.MaxValue)
                ?? throw ApiProblem.NotFound($"`{name}` has no recorded membership{(instant is null ? "" : " at or before " + DocumentValues.Iso(instant.Value))}; a refresh (POST /api/refresh) records every segment");
            return TypedResults.Ok(SegmentDocuments.Members(members, instant, offset ?? 0, page));
        }, ct)).WithSummary("Who was in the segment at an instant (default: the latest), as recorded, a page at a time");

        read.MapGet("/{name}/history", (string name, WarehouseAccess access, CancellationToken ct) => access.Read(
            w => TypedResults.Ok(ApiContext.Views(access, w).History(name)), ct)).WithSummary("The segment's size at every materialization, with who entered and exited");

        read.MapGet("/{name}/export", (string name, string? format, string? traits, string? as_of, string? channel, bool? ignore_consent, HttpResponse response, WarehouseAccess access, CancellationToken ct) => access.Read(w =>
        {
            var consent = ConsentRequest.Of(channel, ignore_consent ?? false, "channel=email", "ignore_consent=true");
            var kind = (format ?? "csv").ToLowerInvariant() switch
            {
                "csv" => AudienceFormat.Csv,
                "json" => AudienceFormat.Json,
                "parquet" => AudienceFormat.Parquet,
                _ => throw ApiProblem.BadRequest($"unknown format `{format}`; expected csv, json or parquet"),
            };
            var library = ApiContext.Library(access, w);
            var segment = library.Require(name);
            var context = ApiContext.Context(access, as_of);
            var extension = kind.ToString().ToLowerInvariant();
            var path = Path.Combine(Path.GetTempPath(), $"segmenta-export-{Guid.NewGuid():N}.{extension}");
            var (_, check) = AudienceExport.Write(w, library.Compilation, segment, context, Model.Traits.Resolve(w, traits, Model.Traits.ExportDefaults, library.Schema), kind, path, consent);
            response.Headers[ConsentCheckedHeader] = check.Checked ? "true" : "false";
            response.Headers[ConsentLeftOutHeader] = check.TotalLeftOut.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.DeleteOnClose);
            var type = kind switch { AudienceFormat.Csv => "text/csv", AudienceFormat.Json => "application/json", _ => "application/vnd.apache.parquet" };
            return TypedResults.File(stream, type, $"{segment.Name}-{context.AsOf:yyyyMMdd'T'HHmmss}.{extension}");
        }, ct)).WithSummary("The members who consented to the channel (or, with ignore_consent=true, every member) with chosen traits as a CSV, JSON or Parquet file; headers say whether consent was checked and how many it left out");

        var admin = app.MapGroup("/api/segments").WithTags("Segments").RequireScope(ApiScopes.Admin);
        admin.MapPut("/{name}", async Task<Results<Ok<SegmentCheckDocument>, Created<SegmentCheckDocument>, UnprocessableEntity<SegmentCheckDocument>>> (string name, SegmentText body, WarehouseAccess access, CancellationToken ct) =>
            await access.Use(w => Save(access, w, name, body), ct).ConfigureAwait(false))
            .WithSummary("Save text as segments/NAME.seg after it compiles (422 with diagnostics when it does not)");
        admin.MapDelete("/{name}", (string name, WarehouseAccess access, CancellationToken ct) => access.Use<IResult>(w =>
        {
            var path = FileOf(access.Workspace, name);
            if (!File.Exists(path))
            {
                throw ApiProblem.NotFound($"segments/{name}{SegmentLibrary.Extension} does not exist (segments defined in other files are changed by editing those files)");
            }

            File.Delete(path);
            return TypedResults.NoContent();
        }, ct)).Produces(StatusCodes.Status204NoContent).WithSummary("Delete segments/NAME.seg (its recorded history stays readable)");
    }

    private static int Sample(int? sample) => sample is { } n
        ? n is >= 0 and <= MaxSample ? n : throw ApiProblem.BadRequest($"sample must be between 0 and {MaxSample}")
        : 10;

    /// <summary>The segment file an API name saves to; names are identifiers, so they cannot leave the folder.</summary>
    private static string FileOf(Workspace workspace, string name)
    {
        if (!Model.CanonicalModel.IsValidFieldName(name))
        {
            throw ApiProblem.BadRequest($"`{name}` is not a segment name: lower snake case, starting with a letter");
        }

        return Path.Combine(workspace.Root, Workspace.SegmentsFolder, name + SegmentLibrary.Extension);
    }

    /// <summary>Compiles the text as the file it would be saved as (or a draft), with everything else in the workspace.</summary>
    private static (SegmentLibrary Library, string Draft, SegmentCheckDocument Document) Check(WarehouseAccess access, Warehouse.IWarehouse warehouse, SegmentText body, string? name = null)
    {
        if (body?.Text is null)
        {
            throw ApiProblem.BadRequest("send {\"text\": \"segment …\"}");
        }

        var draft = name is null ? "<draft>" : Path.Combine(Workspace.SegmentsFolder, name + SegmentLibrary.Extension);
        var library = ApiContext.Library(access, warehouse).With(new SegmentSource(draft, body.Text));
        return (library, draft, SegmentDocuments.Check(library, draft));
    }

    private static Results<Ok<SegmentCheckDocument>, Created<SegmentCheckDocument>, UnprocessableEntity<SegmentCheckDocument>> Save(WarehouseAccess access, Warehouse.IWarehouse warehouse, string name, SegmentText body)
    {
        var path = FileOf(access.Workspace, name);
        var (library, draft, document) = Check(access, warehouse, body, name);
        if (library.Compilation.Diagnostics.Any(d => d.File == draft))
        {
            return TypedResults.UnprocessableEntity(document);
        }

        if (!library.Compilation.Segments.Any(s => s.File == draft && s.Name == name))
        {
            throw new ApiProblem(422, "The text does not define the segment", $"the text must define `segment {name}` (it is saved as segments/{name}{SegmentLibrary.Extension})");
        }

        var existed = File.Exists(path);
        AtomicFile.WriteAllText(path, body.Text.EndsWith('\n') ? body.Text : body.Text + "\n");
        return existed ? TypedResults.Ok(document) : TypedResults.Created($"/api/segments/{name}", document);
    }
}
