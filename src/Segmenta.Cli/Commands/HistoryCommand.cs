using System.ComponentModel;
using System.Globalization;
using Segmenta.Segments;
using Spectre.Console.Cli;
using Segmenta.Server.Documents;

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
        var history = SegmentMaterializer.History(warehouse, settings.Segment).Reverse().ToList();
        if (history.Count == 0)
        {
            throw SegmentSupport.NoHistory(warehouse, settings.Segment);
        }

        var rows = history.Select((m, i) => new
        {
            as_of = SegmentSupport.Iso(m.AsOf),
            version = m.Version,
            size = m.Size,
            entered = m.Entered,
            exited = m.Exited,
            change = i == 0 || history[i - 1].Size == 0 ? (double?)null : Math.Round((double)(m.Size - history[i - 1].Size) / history[i - 1].Size, 6),
            new_version = i > 0 && history[i - 1].Version != m.Version,
        }).ToList();
        if (settings.Json)
        {
            CliOutput.WriteJson(SegmentDocuments.History(settings.Segment, SegmentMaterializer.History(warehouse, settings.Segment)));
            return ExitCodes.Ok;
        }

        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine($"{settings.Segment}: {history.Count} materialization(s), {SegmentSupport.Iso(history[0].AsOf)} to {SegmentSupport.Iso(history[^1].AsOf)}");
        Console.WriteLine();
        Console.WriteLine($"  {"as of",-20} {"size",10} {"change",8} {"entered",9} {"exited",9}  version");
        foreach (var r in rows)
        {
            var change = r.change is { } c ? c.ToString("+0.0%;-0.0%;0.0%", inv) : "";
            Console.WriteLine(string.Create(inv, $"  {r.as_of,-20} {r.size,10:N0} {change,8} {r.entered,9:N0} {r.exited,9:N0}  {r.version}{(r.new_version ? " (new definition)" : "")}"));
        }

        return ExitCodes.Ok;
    }
}
