using System.ComponentModel;
using Segmenta.Cli;
using Segmenta.Rfm;
using Spectre.Console.Cli;

namespace Segmenta.Cli.Commands;

internal sealed class SegmentCheckSettings : WorkspaceSettingsBase
{
    [CommandArgument(0, "[FILES]")]
    [Description("Segment files outside segments/ to check as well (segments/*.seg are always checked).")]
    public string[] Files { get; init; } = [];
}

/// <summary><c>segmenta segment check</c>: compiles every segment file like a compiler; exit 1 when there is any diagnostic.</summary>
internal sealed class SegmentCheckCommand : GuardedCommand<SegmentCheckSettings>
{
    protected override int Run(SegmentCheckSettings settings, CancellationToken cancellation)
    {
        var workspace = FindWorkspace(settings);
        foreach (var file in settings.Files.Where(f => !File.Exists(f)))
        {
            throw new UserInputException($"no such file: {file}");
        }

        using var warehouse = OpenWarehouse(workspace);
        var library = SegmentSupport.Load(workspace, warehouse, settings.Files);
        var compilation = library.Compilation;

        // What the user wrote is checked; the named RFM segments generated from the score map are not files.
        var files = library.Sources.Where(s => s.File != RfmAnalysis.SegmentsSource).Select(s => s.File).ToList();
        var segments = compilation.InDependencyOrder().Where(s => s.File != RfmAnalysis.SegmentsSource).ToList();
        if (settings.Json)
        {
            CliOutput.WriteJson(new
            {
                files,
                segments = segments.Select(s => new { name = s.Name, title = s.Title, file = s.File, line = s.Span.Line, version = s.Version, depends_on = s.DependsOn }),
                diagnostics = compilation.Diagnostics.Select(SegmentSupport.DiagnosticJson),
            });
        }
        else
        {
            SegmentSupport.PrintDiagnostics(library, compilation.Diagnostics, Console.Out);
            var errors = compilation.Diagnostics.Count;
            Console.WriteLine($"{files.Count} file{(files.Count == 1 ? "" : "s")}, {segments.Count} segment{(segments.Count == 1 ? "" : "s")} compiled, {errors} error{(errors == 1 ? "" : "s")}");
        }

        return compilation.Success ? ExitCodes.Ok : ExitCodes.Findings;
    }
}
