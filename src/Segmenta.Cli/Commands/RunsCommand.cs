using System.ComponentModel;
using System.Globalization;
using Segmenta.Model;
using Segmenta.Documents;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Segmenta.Cli.Commands;

internal sealed class RunsSettings : WorkspaceSettingsBase
{
    [CommandOption("--limit <N>")]
    [Description("At most this many runs (default 20).")]
    public int Limit { get; init; } = 20;
}

/// <summary><c>segmenta ingest runs</c>: the history of ingest runs and their counts.</summary>
internal sealed class RunsCommand : GuardedCommand<RunsSettings>
{
    protected override int Run(RunsSettings settings, CancellationToken cancellation)
    {
        var workspace = FindWorkspace(settings);
        using var warehouse = OpenWarehouse(workspace);
        var runs = warehouse.IngestRuns(settings.Limit);
        if (settings.Json)
        {
            CliOutput.WriteJson(SegmentDocuments.IngestRuns(runs));
            return ExitCodes.Ok;
        }

        var table = new Table().AddColumns("run", "table", "source", "finished (UTC)", "read", "loaded", "quarantined", "duplicates");
        foreach (var r in runs)
        {
            table.AddRow(
                r.RunId.ToString(CultureInfo.InvariantCulture),
                CanonicalModel.TableName(r.Table),
                Markup.Escape(Path.GetFileName(r.Source)),
                r.FinishedAt.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                r.Summary.Read.ToString("N0", CultureInfo.InvariantCulture),
                r.Summary.Loaded.ToString("N0", CultureInfo.InvariantCulture),
                r.Summary.Quarantined.ToString("N0", CultureInfo.InvariantCulture),
                r.Summary.Duplicates.ToString("N0", CultureInfo.InvariantCulture));
        }

        AnsiConsole.Write(table);
        return ExitCodes.Ok;
    }
}
