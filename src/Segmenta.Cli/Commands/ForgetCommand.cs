using System.ComponentModel;
using Segmenta.Identity;
using Spectre.Console.Cli;

namespace Segmenta.Cli.Commands;

internal sealed class ForgetSettings : WorkspaceSettingsBase
{
    [CommandArgument(0, "[CUSTOMERS]")]
    [Description("Customer ids to erase (a user id, or anon:… for an anonymous visitor).")]
    public string[] CustomerIds { get; init; } = [];

    [CommandOption("--file <PATH>")]
    [Description("A file of customer ids, one per line (a bulk request).")]
    public string? File { get; init; }
}

/// <summary>
/// <c>segmenta forget</c>: erases customers from every table and from the files under exports/, suppresses their ids so
/// nothing of theirs is ingested again, and records the request without the personal data (docs/identity.md).
/// </summary>
internal sealed class ForgetCommand : GuardedCommand<ForgetSettings>
{
    protected override int Run(ForgetSettings settings, CancellationToken cancellation)
    {
        var ids = settings.CustomerIds.ToList();
        if (settings.File is { } file)
        {
            if (!System.IO.File.Exists(file))
            {
                throw new UserInputException($"{file}: no such file");
            }

            ids.AddRange(System.IO.File.ReadLines(file).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')));
        }

        if (ids.Count == 0)
        {
            throw new UserInputException("name the customers to erase: segmenta forget ID [ID …] or --file ids.txt");
        }

        var workspace = FindWorkspace(settings);
        using var warehouse = OpenWarehouse(workspace);
        var now = DateTime.UtcNow;
        var outcome = Erasure.Forget(warehouse, ids, "cli", now, workspace.Settings.Zone, TimeProvider.System, cancellation);
        var files = ExportScrubber.Scrub(Path.Combine(workspace.Root, "exports"), outcome.Values, Parquet);
        var document = new ForgetDocument(outcome.Document, [.. files.Select(f => new ScrubbedFile(Path.GetRelativePath(workspace.Root, f.Path), f.RecordsRemoved))]);
        if (settings.Json)
        {
            CliOutput.WriteJson(document);
            return ExitCodes.Ok;
        }

        var e = outcome.Document;
        Console.WriteLine($"erasure #{e.RequestId}: {e.Customers:N0} of {e.Requested:N0} customers found and erased, {e.RowsDeleted:N0} rows deleted, {e.Identifiers:N0} identifiers suppressed");
        foreach (var t in e.Tables)
        {
            Console.WriteLine($"  {t.Table}: {t.Rows:N0}");
        }

        foreach (var f in document.Files)
        {
            Console.WriteLine($"  {f.Path}: {f.RecordsRemoved:N0} records removed");
        }

        if (e.NotFound > 0)
        {
            CliOutput.Warning($"{e.NotFound:N0} ids matched no stored customer; they are suppressed all the same");
        }

        return ExitCodes.Ok;
    }
}

/// <summary>What <c>forget --json</c> prints: the request as recorded and the exported files scrubbed.</summary>
internal sealed record ForgetDocument(ErasureDocument Erasure, IReadOnlyList<ScrubbedFile> Files);
