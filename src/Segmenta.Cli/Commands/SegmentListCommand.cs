using System.Globalization;
using Segmenta.Segments;
using Spectre.Console;
using Segmenta.Documents;

namespace Segmenta.Cli.Commands;

/// <summary><c>segmenta segment list</c>: every segment with its title and its last materialization.</summary>
internal sealed class SegmentListCommand : GuardedCommand<WorkspaceSettingsBase>
{
    protected override int Run(WorkspaceSettingsBase settings, CancellationToken cancellation)
    {
        var workspace = FindWorkspace(settings);
        using var warehouse = OpenWarehouse(workspace);
        var library = SegmentSupport.Load(workspace, warehouse);
        var latest = SegmentMaterializer.History(warehouse, null)
            .GroupBy(m => m.Segment)
            .ToDictionary(g => g.Key, g => g.OrderByDescending(m => m.MaterializedAt).ThenByDescending(m => m.AsOf).First(), StringComparer.Ordinal);
        var rows = library.Compilation.Segments.Select(s => (Segment: s, Last: latest.GetValueOrDefault(s.Name))).ToList();
        if (settings.Json)
        {
            CliOutput.WriteJson(SegmentDocuments.List(library, SegmentMaterializer.History(warehouse, null)));
            return ExitCodes.Ok;
        }

        var table = new Table().Border(TableBorder.Simple);
        foreach (var column in new[] { "name", "title", "file", "size", "as of", "materialized" })
        {
            table.AddColumn(column);
        }

        foreach (var (segment, last) in rows)
        {
            var size = last is null ? "-" : last.Size.ToString("N0", CultureInfo.InvariantCulture) + (last.Version == segment.Version ? "" : " (older version)");
            table.AddRow(
                Markup.Escape(segment.Name),
                Markup.Escape(segment.Title ?? ""),
                Markup.Escape($"{segment.File}:{segment.Span.Line}"),
                size,
                last is null ? "-" : SegmentSupport.Iso(last.AsOf),
                last is null ? "never" : SegmentSupport.Iso(last.MaterializedAt));
        }

        AnsiConsole.Write(table);
        if (library.Compilation.Diagnostics.Count > 0)
        {
            Console.WriteLine($"{library.Compilation.Diagnostics.Count} error(s) in segment files; run `segmenta segment check`");
        }

        return ExitCodes.Ok;
    }
}
