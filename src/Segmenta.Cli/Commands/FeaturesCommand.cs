using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Segmenta.Features;
using Segmenta.Model;
using Segmenta.Segments;
using Segmenta.Documents;
using Spectre.Console;
using Spectre.Console.Cli;
using Segmenta.Warehouse;

namespace Segmenta.Cli.Commands;

/// <summary>Options of verbs that can also write their per-customer rows to a file.</summary>
internal class AnalysisSettings : SegmentEvaluationSettings
{
    [CommandOption("-o|--out <FILE>")]
    [Description("Also write the per-customer rows to this file (replaced if it exists).")]
    public string? Out { get; init; }

    [CommandOption("-f|--format <FORMAT>")]
    [Description("The --out file's format: csv (default), json or parquet.")]
    public string Format { get; init; } = "csv";
}

/// <summary><c>segmenta features</c>: computes every customer's features as of an instant, stores them, and describes them.</summary>
internal sealed class FeaturesCommand : GuardedCommand<AnalysisSettings>
{
    protected override int Run(AnalysisSettings settings, CancellationToken cancellation)
    {
        var format = SegmentSupport.Format(settings.Format);
        var workspace = FindWorkspace(settings);
        var context = SegmentSupport.Context(workspace, settings.AsOf);
        using var warehouse = OpenWarehouse(workspace);
        var clock = Stopwatch.StartNew();
        var run = FeatureSnapshots.Materialize(warehouse, context, TimeProvider.System.GetUtcNow().UtcDateTime, cancellation);
        var seconds = clock.Elapsed.TotalSeconds;
        var distributions = FeatureSnapshots.Describe(warehouse, context.AsOf);
        string? path = null;
        if (settings.Out is { } file)
        {
            AudienceExport.WriteQuery(warehouse, FeatureSnapshots.Rows(warehouse.Dialect, context.AsOf), FeatureSnapshots.Columns, format, file);
            path = Path.GetFullPath(file);
        }

        if (settings.Json)
        {
            CliOutput.WriteJson(AnalysisDocuments.Features(context.AsOf, run.Rows, distributions, path, seconds));
            return ExitCodes.Ok;
        }

        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(inv, $"Features of {run.Rows:N0} customers as of {SegmentSupport.Iso(context.AsOf)}, stored in {Tables.CustomerFeatures} ({seconds:0.0} s). In segments: features.NAME (docs/features.md)."));
        var table = new Table().Border(TableBorder.Simple);
        foreach (var column in new[] { "feature", "unit", "present", "mean", "min", "median", "max", "most common" })
        {
            table.AddColumn(column, c => c.Alignment = column is "feature" or "unit" or "most common" ? Justify.Left : Justify.Right);
        }

        foreach (var d in distributions)
        {
            var cells = new List<string> { d.Feature.Name, d.Feature.Unit, d.Present.ToString("N0", inv) };
            if (d.Feature.Type is FieldType.Integer or FieldType.Number)
            {
                cells.AddRange([Number(d.Mean), Number(d.Min), Number(d.Median), Number(d.Max), ""]);
            }
            else if (d.Feature.Type == FieldType.Timestamp)
            {
                cells.AddRange(["", d.First is { } f ? SegmentSupport.Iso(f)[..10] : "", "", d.Last is { } l ? SegmentSupport.Iso(l)[..10] : "", ""]);
            }
            else
            {
                var top = string.Join(", ", d.Top.Select(t => $"{t.Value} {SegmentSupport.Percent(d.Present == 0 ? 0 : (double)t.Count / d.Present)}"));
                cells.AddRange(["", "", "", "", top]);
            }

            table.AddRow(cells.Select(Markup.Escape).ToArray());
        }

        AnsiConsole.Write(table);
        if (path is not null)
        {
            Console.WriteLine(string.Create(inv, $"Wrote {run.Rows:N0} rows to {path}"));
        }

        return ExitCodes.Ok;
    }

    private static string Number(double? value) => value switch
    {
        null => "",
        var v when Math.Abs(v.Value) >= 1000 => v.Value.ToString("N0", CultureInfo.InvariantCulture),
        var v => v.Value.ToString("0.###", CultureInfo.InvariantCulture),
    };
}
