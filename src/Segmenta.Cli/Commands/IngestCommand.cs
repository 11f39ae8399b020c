using System.ComponentModel;
using Segmenta.Documents;
using Segmenta.DuckDb;
using Segmenta.Ingestion;
using Segmenta.Model;
using Segmenta.Warehouse;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Segmenta.Cli.Commands;

internal sealed class IngestSettings : WorkspaceSettingsBase
{
    [CommandArgument(0, "<FILE>")]
    [Description("The CSV, Parquet or JSON-lines file.")]
    public string File { get; init; } = "";

    [CommandOption("-m|--mapping <FILE>")]
    [Description("A mapping file (mappings/X.yaml) from source columns to the canonical model; default: columns by canonical name.")]
    public string? Mapping { get; init; }

    [CommandOption("--format <FORMAT>")]
    [Description("csv, jsonl or parquet (default: from the mapping or the extension).")]
    public string? Format { get; init; }

    [CommandOption("--max-quarantined <SHARE>")]
    [Description("The share of rows that may be set aside before the ingest warns and exits 1 (default 0.5: more than half is a mistake in the file or the mapping, such as a date format).")]
    public double MaxQuarantined { get; init; } = 0.5;

    public override ValidationResult Validate() =>
        MaxQuarantined is >= 0 and <= 1 ? ValidationResult.Success() : ValidationResult.Error("--max-quarantined must be a share between 0 and 1");
}

/// <summary><c>segmenta ingest customers|events FILE</c>: loads a file, quarantining what cannot be loaded.</summary>
internal abstract class IngestCommand(TableKind table) : GuardedCommand<IngestSettings>
{
    protected override int Run(IngestSettings settings, CancellationToken cancellation)
    {
        if (settings.Format is not (null or "csv" or "jsonl" or "parquet"))
        {
            throw new IngestSetupException($"unknown format `{settings.Format}`; expected csv, jsonl or parquet");
        }

        var workspace = FindWorkspace(settings);
        var mapping = settings.Mapping is null ? null : ResolveMapping(settings.Mapping, workspace.Root);
        using var warehouse = OpenWarehouse(workspace);
        var ingestor = new Ingestor(warehouse, workspace.Settings, TimeProvider.System, Parquet);
        var request = new IngestRequest(table, settings.File, mapping, settings.Format);
        IngestSummary summary;
        if (CliOutput.Interactive(settings.Json))
        {
            summary = default;
            AnsiConsole.Progress()
                .AutoClear(true)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask($"ingest {Path.GetFileName(settings.File)}", maxValue: 1);
                    summary = ingestor.Run(request, new Progress<IngestProgress>(p => task.Value = p.Length > 0 ? (double)p.Position / p.Length : 0), cancellation);
                    task.Value = 1;
                });
        }
        else
        {
            summary = ingestor.Run(request, null, cancellation);
        }

        if (settings.Json)
        {
            CliOutput.WriteJson(WorkspaceDocuments.Ingest(summary));
        }
        else
        {
            Console.WriteLine($"{CanonicalModel.TableName(table)} from {settings.File}: read {summary.Read:N0}, loaded {summary.Loaded:N0}, quarantined {summary.Quarantined:N0}, duplicates skipped {summary.Duplicates:N0}{(summary.Suppressed > 0 ? $", erased customers' records dropped {summary.Suppressed:N0}" : "")}");
            if (summary.Quarantined > 0)
            {
                Console.WriteLine("  see what was set aside: segmenta ingest quarantine");
            }
        }

        // Nothing is lost either way (the rows wait in quarantine), but a file that mostly does not load is a mistake
        // a script must not take for success.
        if (summary.Quarantined > 0 && summary.QuarantinedShare > settings.MaxQuarantined)
        {
            var first = warehouse.IngestRuns(1) is [var run] && warehouse.ReadQuarantine(run.RunId, 1) is [var row] ? row : null;
            CliOutput.Warning(string.Create(
                System.Globalization.CultureInfo.InvariantCulture,
                $"{summary.Quarantined:N0} of {summary.Read:N0} rows ({summary.QuarantinedShare * 100:0.#}%) were set aside, more than the {settings.MaxQuarantined * 100:0.#}% allowed (--max-quarantined){(first is null ? "" : $"; the first, line {first.Line}: {first.Reason}")}; check the mapping (`segmenta ingest quarantine` lists every row and why)"));
            return ExitCodes.Findings;
        }

        return ExitCodes.Ok;
    }

    /// <summary>A mapping given as a bare name is looked up in the workspace's mappings/ folder.</summary>
    private static string ResolveMapping(string mapping, string root)
    {
        if (File.Exists(mapping))
        {
            return mapping;
        }

        foreach (var candidate in new[] { Path.Combine(root, mapping), Path.Combine(root, "mappings", mapping), Path.Combine(root, "mappings", mapping + ".yaml") })
        {
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new IngestSetupException($"{mapping}: no such mapping file (looked here and in {Path.Combine(root, "mappings")})");
    }
}

internal sealed class IngestCustomersCommand() : IngestCommand(TableKind.Customers);

internal sealed class IngestEventsCommand() : IngestCommand(TableKind.Events);
