using System.ComponentModel;
using Segmenta.Clustering;
using Segmenta.Configuration;
using Segmenta.DuckDb;
using Segmenta.Files;
using Segmenta.Ingestion;
using Segmenta.Postgres;
using Segmenta.Warehouse;
using Segmenta.Workspaces;
using Spectre.Console.Cli;

namespace Segmenta.Cli.Commands;

/// <summary>Settings of a verb that can print its result as JSON: then its failures are JSON too.</summary>
internal interface IJsonSettings
{
    /// <summary>--json.</summary>
    bool Json { get; }
}

/// <summary>Options every verb that works in a workspace takes.</summary>
internal class WorkspaceSettingsBase : CommandSettings, IJsonSettings
{
    [CommandOption("-w|--workspace <DIR>")]
    [Description("The workspace folder (default: the current folder or the nearest one above it with segmenta.yaml).")]
    public string? Workspace { get; init; }

    [CommandOption("--json")]
    [Description("Print the result as JSON for scripts.")]
    public bool Json { get; init; }
}

/// <summary>A mistake in a command's arguments: one "error:" line and exit 2.</summary>
internal sealed class UserInputException(string message) : SegmentaException(message, FailureKind.BadInput);

/// <summary>
/// The one place where a verb's failures become a message and an exit code: every failure the core reports is a
/// <see cref="SegmentaException"/>, one "error:" line and the exit code of its kind (<see cref="ExitCodes.For"/>);
/// driver exceptions are warehouse trouble, exit 3; anything else is a bug and shows its trace.
/// </summary>
internal abstract class GuardedCommand<TSettings> : Command<TSettings>
    where TSettings : CommandSettings
{
    public sealed override int Execute(CommandContext context, TSettings settings, CancellationToken cancellationToken)
    {
        try
        {
            return Run(settings, cancellationToken);
        }
        catch (SegmentaException e)
        {
            return CliOutput.Fail(settings is IJsonSettings { Json: true }, e.Kind, e.Message);
        }
        catch (Exception e) when (Backends.IsDriverException(e))
        {
            return CliOutput.Fail(settings is IJsonSettings { Json: true }, FailureKind.WarehouseUnavailable, "the warehouse failed: " + e.Message);
        }
        catch (OperationCanceledException)
        {
            return CliOutput.Fail(settings is IJsonSettings { Json: true }, null, "interrupted; the step in progress was rolled back");
        }
    }

    protected abstract int Run(TSettings settings, CancellationToken cancellation);

    /// <summary>How this program reads and writes Parquet files, whatever the warehouse.</summary>
    protected static IParquetFiles Parquet { get; } = DuckDbParquetFiles.Instance;

    /// <summary>The warehouses this program offers: its one composition of the adapters.</summary>
    protected static WarehouseBackends Backends { get; } = new([new DuckDbBackend(), new PostgresBackend(Parquet)]);

    protected static Workspace FindWorkspace(WorkspaceSettingsBase settings) =>
        settings.Workspace is { } dir ? Workspace.Open(dir) : Workspace.Find(Directory.GetCurrentDirectory());

    /// <summary>Opens the workspace's warehouse; <paramref name="create"/> also creates a missing PostgreSQL database.</summary>
    protected static IWarehouse OpenWarehouse(Workspace workspace, bool create = false)
    {
        return Backends.Open(workspace, create);
    }
}
