using System.ComponentModel;
using Segmenta.Documents;
using Segmenta.Warehouse;
using Segmenta.Workspaces;
using Spectre.Console.Cli;

namespace Segmenta.Cli.Commands;

internal sealed class InitSettings : CommandSettings, IJsonSettings
{
    [CommandArgument(0, "[DIR]")]
    [Description("Where to create the workspace (default: the current folder).")]
    public string Directory { get; init; } = ".";

    [CommandOption("--timezone <ZONE>")]
    [Description("IANA time zone of the workspace (default UTC).")]
    public string TimeZone { get; init; } = "UTC";

    [CommandOption("--currency <CODE>")]
    [Description("Currency of revenue (default USD).")]
    public string Currency { get; init; } = "USD";

    [CommandOption("--warehouse <CONNECTION>")]
    [Description("Keep the data in PostgreSQL instead of an embedded DuckDB file: an Npgsql connection string such as \"Host=db;Database=segmenta;Username=me\" (the password comes from PGPASSWORD or ~/.pgpass). A missing database is created.")]
    public string? Warehouse { get; init; }

    [CommandOption("--shard <CONNECTION>")]
    [Description("A worker of a sharded PostgreSQL warehouse (repeat per worker): customers and events are partitioned across them by customer.")]
    public string[] Shards { get; init; } = [];

    [CommandOption("--json")]
    [Description("Print the result as JSON.")]
    public bool Json { get; init; }
}

/// <summary><c>segmenta init [DIR]</c>: writes segmenta.yaml and the workspace folders, and creates the warehouse.</summary>
internal sealed class InitCommand : GuardedCommand<InitSettings>
{
    protected override int Run(InitSettings settings, CancellationToken cancellation)
    {
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(settings.TimeZone, out _))
        {
            throw new WorkspaceException($"unknown time zone `{settings.TimeZone}`; expected an IANA name such as Europe/London");
        }

        foreach (var connection in settings.Shards.Prepend(settings.Warehouse ?? ""))
        {
            if (WarehouseSettings.RejectPassword(connection) is { } why)
            {
                throw new UserInputException(why);
            }
        }

        if (settings.Shards.Length > 0 && settings.Warehouse is null)
        {
            throw new UserInputException("--shard needs --warehouse (the coordinator's connection string)");
        }

        var name = Path.GetFileName(Path.GetFullPath(settings.Directory).TrimEnd(Path.DirectorySeparatorChar));
        var workspace = Workspace.Init(settings.Directory, new WorkspaceSettings
        {
            Name = string.IsNullOrEmpty(name) ? "segmenta" : name,
            TimeZone = settings.TimeZone,
            Currency = settings.Currency,
            Warehouse = settings.Warehouse is { } connectionString
                ? new WarehouseSettings("postgres", ConnectionString: connectionString, Shards: settings.Shards)
                : new WarehouseSettings(),
        });
        IWarehouse warehouse;
        try
        {
            warehouse = OpenWarehouse(workspace, create: true);
        }
        catch
        {
            // A workspace whose warehouse cannot be reached is not created: fix the address and run init again.
            File.Delete(Path.Combine(workspace.Root, WorkspaceSettings.FileName));
            throw;
        }

        using (warehouse)
        {
            if (settings.Json)
            {
                CliOutput.WriteJson(new WorkspaceCreatedDocument(workspace.Root, warehouse.Description, warehouse.SchemaVersion));
            }
            else
            {
                Console.WriteLine($"Created workspace {workspace.Root}");
                Console.WriteLine($"  settings   {WorkspaceSettings.FileName}");
                Console.WriteLine($"  warehouse  {warehouse.Description} (schema v{warehouse.SchemaVersion})");
                Console.WriteLine($"  folders    {string.Join(", ", Workspace.Folders.Select(f => f + "/"))}");
            }
        }

        return ExitCodes.Ok;
    }
}
