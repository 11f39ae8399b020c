using System.Globalization;
using Segmenta.Documents;
using Segmenta.Warehouse;
using Spectre.Console.Cli;

namespace Segmenta.Cli.Commands;

/// <summary><c>segmenta status</c>: what the workspace's warehouse holds.</summary>
internal sealed class StatusCommand : GuardedCommand<WorkspaceSettingsBase>
{
    protected override int Run(WorkspaceSettingsBase settings, CancellationToken cancellation)
    {
        var workspace = FindWorkspace(settings);
        using var warehouse = OpenWarehouse(workspace);
        var summary = warehouse.Summarize();
        if (settings.Json)
        {
            CliOutput.WriteJson(SegmentDocuments.Status(workspace.Root, warehouse, summary));
        }
        else
        {
            Print(workspace.Root, warehouse, summary, workspace.Settings.Currency);
        }

        return ExitCodes.Ok;
    }

    internal static void Print(string root, IWarehouse warehouse, WarehouseSummary s, string currency)
    {
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine($"Workspace  {root}");
        Console.WriteLine($"Warehouse  {warehouse.Description} (schema v{warehouse.SchemaVersion})");
        Console.WriteLine(string.Create(inv, $"Customers  {s.Customers:N0}"));
        Console.WriteLine(string.Create(inv, $"Events     {s.Events:N0}") + (s.FirstEvent is { } f && s.LastEvent is { } l ? $" from {f:yyyy-MM-dd} to {l:yyyy-MM-dd}" : ""));
        foreach (var (type, count) in s.EventTypes)
        {
            Console.WriteLine(string.Create(inv, $"  {type,-18} {count,12:N0}"));
        }

        Console.WriteLine(string.Create(inv, $"Revenue    {s.PurchaseRevenue:N2} {currency} (purchases less refunds)"));
        Console.WriteLine(string.Create(inv, $"Quarantine {s.Quarantined:N0} rows from {s.IngestRuns:N0} ingest runs"));
    }
}
