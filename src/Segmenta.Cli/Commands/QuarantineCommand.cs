using System.ComponentModel;
using Spectre.Console;
using Segmenta.Documents;
using Spectre.Console.Cli;

namespace Segmenta.Cli.Commands;

internal sealed class QuarantineSettings : WorkspaceSettingsBase
{
    [CommandOption("--run <ID>")]
    [Description("Only rows set aside by this ingest run.")]
    public long? Run { get; init; }

    [CommandOption("--limit <N>")]
    [Description("At most this many rows (default 50).")]
    public int Limit { get; init; } = 50;
}

/// <summary><c>segmenta ingest quarantine</c>: what ingestion set aside, with file, line and reason.</summary>
internal sealed class QuarantineCommand : GuardedCommand<QuarantineSettings>
{
    protected override int Run(QuarantineSettings settings, CancellationToken cancellation)
    {
        var workspace = FindWorkspace(settings);
        using var warehouse = OpenWarehouse(workspace);
        var rows = warehouse.ReadQuarantine(settings.Run, settings.Limit);
        if (settings.Json)
        {
            CliOutput.WriteJson(SegmentDocuments.Quarantine(rows));
            return ExitCodes.Ok;
        }

        if (rows.Count == 0)
        {
            Console.WriteLine("The quarantine is empty.");
            return ExitCodes.Ok;
        }

        var table = new Table().AddColumns("run", "source", "line", "reason", "record");
        foreach (var r in rows)
        {
            table.AddRow(
                Markup.Escape(r.RunId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                Markup.Escape(Path.GetFileName(r.Source)),
                r.Line.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Markup.Escape(r.Reason),
                Markup.Escape(r.Raw.Length > 60 ? r.Raw[..57] + "..." : r.Raw));
        }

        AnsiConsole.Write(table);
        return ExitCodes.Ok;
    }
}
