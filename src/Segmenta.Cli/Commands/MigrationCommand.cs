using System.ComponentModel;
using System.Globalization;
using Segmenta.Clustering;
using Segmenta.Rfm;
using Segmenta.Segments;
using Spectre.Console.Cli;
using Segmenta.Documents;

namespace Segmenta.Cli.Commands;

internal sealed class MigrationSettings : WorkspaceSettingsBase
{
    [CommandArgument(0, "<FAMILY>")]
    [Description("`rfm` (the named RFM segments), `clusters` (the active model's), or segments separated by commas, in priority order.")]
    public string Family { get; init; } = "";

    [CommandOption("--from <INSTANT>")]
    [Description("The first instant (a date or an ISO 8601 time).")]
    public string? From { get; init; }

    [CommandOption("--to <INSTANT>")]
    [Description("The second instant. Default: the latest materialization.")]
    public string? To { get; init; }

    [CommandOption("--top <N>")]
    [Description("How many of the largest moves to list (default 10).")]
    public int Top { get; init; } = 10;
}

/// <summary><c>segmenta migration FAMILY --from T1 --to T2</c>: who moved between the family's segments, as a matrix of counts and shares and the largest flows.</summary>
internal sealed class MigrationCommand : GuardedCommand<MigrationSettings>
{
    protected override int Run(MigrationSettings settings, CancellationToken cancellation)
    {
        if (settings.From is null)
        {
            throw new UserInputException("--from is required: the instant the customers moved from");
        }

        if (settings.Top < 0)
        {
            throw new UserInputException("--top must be 0 or more");
        }

        var workspace = FindWorkspace(settings);
        using var warehouse = OpenWarehouse(workspace);
        var family = SegmentMigration.Family(SegmentSupport.Load(workspace, warehouse), warehouse, settings.Family);
        var from = SegmentSupport.Instant(workspace, "--from", settings.From);
        var to = settings.To is { } t ? SegmentSupport.Instant(workspace, "--to", t) : SegmentMaterializer.Latest(warehouse).Where(l => family.Contains(l.Key)).Select(l => l.Value).DefaultIfEmpty(from).Max();
        var matrix = SegmentMigration.Compute(warehouse, family, from, to);
        var flows = matrix.TopFlows(settings.Top);
        if (settings.Json)
        {
            CliOutput.WriteJson(SegmentDocuments.Migration(matrix, flows));
            return ExitCodes.Ok;
        }

        Print(matrix, flows);
        return ExitCodes.Ok;
    }

    /// <summary>The segments an analysis generated whose names start with <paramref name="prefix"/> (the RFM map's, the clusters'), in their order.</summary>
    internal static List<string> Generated(SegmentLibrary library, string prefix) => [.. library.Generated(prefix)];

    internal static void Print(MigrationMatrix m, IReadOnlyList<MigrationFlow> flows)
    {
        var inv = CultureInfo.InvariantCulture;
        var width = Math.Max(12, m.States.Max(s => s.Length) + 2);
        Console.WriteLine($"Migration from {SegmentSupport.Iso(m.From)} (rows) to {SegmentSupport.Iso(m.To)} (columns): customers, and the share of the row.");
        Console.WriteLine();
        Console.WriteLine("  " + "".PadRight(width) + string.Concat(m.States.Select((_, j) => Short(j).PadLeft(15))) + "total".PadLeft(10));
        for (var i = 0; i < m.States.Count; i++)
        {
            var cells = string.Concat(m.Counts[i].Select((n, j) => string.Create(inv, $"{n,8:N0} {m.Share(i, j),5:0%}").PadLeft(15)));
            Console.WriteLine($"  {Short(i)} {m.States[i].PadRight(width - 4)}{cells}{m.FromTotals[i].ToString("N0", inv),10}");
        }

        Console.WriteLine("  " + "total".PadRight(width) + string.Concat(m.ToTotals.Select(n => n.ToString("N0", inv).PadLeft(15))));
        Console.WriteLine();
        var everyone = m.FromTotals.Sum();
        Console.WriteLine(string.Create(inv, $"Stayed in their segment: {m.Stayed:N0} of {everyone:N0} ({(everyone == 0 ? 0 : (double)m.Stayed / everyone):0.0%})."));
        if (flows.Count > 0)
        {
            Console.WriteLine("Largest moves:");
            foreach (var f in flows)
            {
                Console.WriteLine(string.Create(inv, $"  {f.From} → {f.To}: {f.Customers:N0} ({f.ShareOfFrom:0.0%} of {f.From})"));
            }
        }
    }

    /// <summary>A column label: the state's number (rows carry the names).</summary>
    private static string Short(int i) => "[" + (i + 1).ToString(CultureInfo.InvariantCulture) + "]";
}
