using System.ComponentModel;
using System.Globalization;
using Segmenta.Segments;
using Spectre.Console.Cli;
using Segmenta.Documents;

namespace Segmenta.Cli.Commands;

internal sealed class HistorySettings : WorkspaceSettingsBase
{
    [CommandArgument(0, "<SEGMENT>")]
    [Description("The segment.")]
    public string Segment { get; init; } = "";
}

/// <summary><c>segmenta history NAME</c>: a segment's size at every materialization, with who entered and exited.</summary>
internal sealed class HistoryCommand : GuardedCommand<HistorySettings>
{
    protected override int Run(HistorySettings settings, CancellationToken cancellation)
    {
        var workspace = FindWorkspace(settings);
        using var warehouse = OpenWarehouse(workspace);
        var newestFirst = SegmentMaterializer.History(warehouse, settings.Segment);
        if (newestFirst.Count == 0)
        {
            throw SegmentSupport.NoHistory(warehouse, settings.Segment);
        }

        if (settings.Json)
        {
            CliOutput.WriteJson(SegmentDocuments.History(settings.Segment, newestFirst));
            return ExitCodes.Ok;
        }

        var rows = SegmentDocuments.HistoryRows(newestFirst);
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine($"{settings.Segment}: {rows.Count} materialization(s), {rows[0].AsOf} to {rows[^1].AsOf}");
        Console.WriteLine();
        Console.WriteLine($"  {"as of",-20} {"size",10} {"change",8} {"entered",9} {"exited",9}  version");
        foreach (var r in rows)
        {
            var change = r.Change is { } c ? c.ToString("+0.0%;-0.0%;0.0%", inv) : "";
            Console.WriteLine(string.Create(inv, $"  {r.AsOf,-20} {r.Size,10:N0} {change,8} {r.Entered,9:N0} {r.Exited,9:N0}  {r.Version}{(r.NewVersion ? " (new definition)" : "")}"));
        }

        return ExitCodes.Ok;
    }
}
