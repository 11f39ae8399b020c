using System.ComponentModel;
using System.Globalization;
using Segmenta.Documents;
using Segmenta.Language;
using Segmenta.Segments;
using Spectre.Console.Cli;

namespace Segmenta.Cli.Commands;

internal sealed class SegmentMaterializeSettings : SegmentEvaluationSettings
{
    [CommandArgument(0, "[SEGMENTS]")]
    [Description("Segments to materialize (default: all that compile).")]
    public string[] Segments { get; init; } = [];
}

/// <summary><c>segmenta segment materialize</c>: stores memberships with the as-of instant and the definition's version.</summary>
internal sealed class SegmentMaterializeCommand : GuardedCommand<SegmentMaterializeSettings>
{
    protected override int Run(SegmentMaterializeSettings settings, CancellationToken cancellation)
    {
        var workspace = FindWorkspace(settings);
        var context = SegmentSupport.Context(workspace, settings.AsOf);
        using var warehouse = OpenWarehouse(workspace);
        var library = SegmentSupport.Load(workspace, warehouse);
        IReadOnlyList<SegmentDefinition> chosen = settings.Segments.Length == 0
            ? library.Compilation.InDependencyOrder()
            : settings.Segments.SelectMany(n => SegmentSupport.Resolve(library, n)).DistinctBy(s => s.Name).ToList();
        if (chosen.Count == 0)
        {
            throw new UserInputException("no segments to materialize: write one in segments/*.seg (see docs/language.md)");
        }

        var stored = SegmentMaterializer.Materialize(warehouse, chosen, context, TimeProvider.System.GetUtcNow().UtcDateTime, cancellation);
        if (settings.Json)
        {
            CliOutput.WriteJson(WorkspaceDocuments.Materialized(context.AsOf, stored, settings.Segments.Length == 0 ? library.Compilation.Diagnostics.Count : 0));
        }
        else
        {
            foreach (var m in stored)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{m.Segment,-28} {m.Size,12:N0} members   version {m.Version}"));
            }

            Console.WriteLine($"Stored {stored.Count} segment(s) as of {SegmentSupport.Iso(context.AsOf)}.");
            if (settings.Segments.Length == 0 && library.Compilation.Diagnostics.Count > 0)
            {
                Console.WriteLine($"Segments with errors were skipped ({library.Compilation.Diagnostics.Count} error(s)); run `segmenta segment check`.");
            }
        }

        return ExitCodes.Ok;
    }
}
