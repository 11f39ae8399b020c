using System.Globalization;
using Segmenta.Documents;
using Spectre.Console;

namespace Segmenta.Cli.Commands;

/// <summary><c>segmenta segment traits</c>: every computed trait with its type and version, and what the current snapshot stored of it.</summary>
internal sealed class SegmentTraitsCommand : GuardedCommand<WorkspaceSettingsBase>
{
    protected override int Run(WorkspaceSettingsBase settings, CancellationToken cancellation)
    {
        var workspace = FindWorkspace(settings);
        using var warehouse = OpenWarehouse(workspace);
        var document = new WorkspaceViews(workspace, warehouse).Traits();
        if (settings.Json)
        {
            CliOutput.WriteJson(document);
            return ExitCodes.Ok;
        }

        if (document.Traits.Count == 0)
        {
            Console.WriteLine("no computed traits; define one in segments/*.seg: trait refund_share = -sum(refund.revenue) / sum(purchase.revenue)");
            return ExitCodes.Ok;
        }

        var table = new Table().Border(TableBorder.Simple);
        foreach (var column in new[] { "name", "type", "file", "version", "customers", "stored values" })
        {
            table.AddColumn(column);
        }

        foreach (var t in document.Traits)
        {
            var stored = t.Stored;
            var summary = stored switch
            {
                null => "not stored yet (segmenta refresh)",
                { TopValues.Count: > 0 } => string.Join(", ", stored.TopValues.Select(v => $"{v.Value} ({v.Customers.ToString("N0", CultureInfo.InvariantCulture)})")),
                { Min: not null } => string.Create(CultureInfo.InvariantCulture, $"min {stored.Min:G6}, mean {stored.Mean:G6}, max {stored.Max:G6}"),
                _ => "",
            };
            table.AddRow(
                Markup.Escape(t.Name),
                t.Type,
                Markup.Escape($"{t.File}:{t.Line}"),
                t.Version + (stored is { Current: false } ? " (stored: " + stored.Version + ")" : ""),
                stored is null ? "-" : stored.Customers.ToString("N0", CultureInfo.InvariantCulture),
                Markup.Escape(summary));
        }

        AnsiConsole.Write(table);
        Console.WriteLine(document.StoredAsOf is { } asOf ? $"stored values: the refresh snapshot of {asOf}" : "no refresh snapshot yet: values are computed wherever a trait is used");
        return ExitCodes.Ok;
    }
}
