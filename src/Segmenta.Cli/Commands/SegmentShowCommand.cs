using System.ComponentModel;
using System.Globalization;
using Segmenta.Segments;
using Segmenta.Documents;
using Spectre.Console.Cli;

namespace Segmenta.Cli.Commands;

internal sealed class SegmentShowSettings : SegmentEvaluationSettings
{
    [CommandArgument(0, "<SEGMENT>")]
    [Description("The segment's name.")]
    public string Segment { get; init; } = "";

    [CommandOption("--sql")]
    [Description("Also print the SQL the segment compiles to for this warehouse, with its parameters.")]
    public bool Sql { get; init; }
}

/// <summary><c>segmenta segment show</c>: a segment's definition, dependencies, compiled SQL and stored history.</summary>
internal sealed class SegmentShowCommand : GuardedCommand<SegmentShowSettings>
{
    protected override int Run(SegmentShowSettings settings, CancellationToken cancellation)
    {
        var workspace = FindWorkspace(settings);
        using var warehouse = OpenWarehouse(workspace);
        var library = SegmentSupport.Load(workspace, warehouse);
        var segment = SegmentSupport.Resolve(library, settings.Segment)[0];
        var usedBy = library.Compilation.Segments.Where(s => s.DependsOn.Contains(segment.Name)).Select(s => s.Name).ToList();
        var history = SegmentMaterializer.History(warehouse, segment.Name);
        var sql = settings.Sql ? segment.Query(warehouse.Dialect, SegmentSupport.Context(workspace, settings.AsOf)).Members() : null;
        if (settings.Json)
        {
            CliOutput.WriteJson(SegmentDocuments.Show(library, segment, warehouse, SegmentSupport.Context(workspace, settings.AsOf)));
            return ExitCodes.Ok;
        }

        Console.WriteLine($"{segment.Name}{(segment.Title is null ? "" : " — " + segment.Title)}");
        if (segment.Description is not null)
        {
            Console.WriteLine($"  {segment.Description}");
        }

        Console.WriteLine($"  defined in  {segment.File}:{segment.Span.Line}   version {segment.Version}");
        Console.WriteLine($"  depends on  {(segment.DependsOn.Count == 0 ? "-" : string.Join(", ", segment.DependsOn))}");
        Console.WriteLine($"  used by     {(usedBy.Count == 0 ? "-" : string.Join(", ", usedBy))}");
        Console.WriteLine();
        Console.WriteLine(segment.Text);
        if (sql is not null)
        {
            Console.WriteLine();
            Console.WriteLine($"-- {warehouse.Dialect.Name} SQL");
            Console.WriteLine(sql.Text);
            for (var i = 0; i < sql.Parameters.Count; i++)
            {
                var p = sql.Parameters[i];
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"-- ${i + 1} = {(p is DateTime t ? SegmentSupport.Iso(t) : p is string s ? "'" + s + "'" : Convert.ToString(p, CultureInfo.InvariantCulture))}"));
            }
        }

        Console.WriteLine();
        Console.WriteLine(history.Count == 0 ? "Never materialized." : "Materializations:");
        foreach (var m in history)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  as of {SegmentSupport.Iso(m.AsOf)}  {m.Size,10:N0} members  version {m.Version}{(m.Version == segment.Version ? "" : " (older)")}  stored {SegmentSupport.Iso(m.MaterializedAt)}"));
        }

        return ExitCodes.Ok;
    }
}
