using System.ComponentModel;
using System.Globalization;
using Segmenta.Segments;
using Spectre.Console;
using Spectre.Console.Cli;
using Segmenta.Documents;

namespace Segmenta.Cli.Commands;

internal sealed class SegmentPreviewSettings : SegmentEvaluationSettings
{
    [CommandArgument(0, "<SEGMENT>")]
    [Description("A segment name, or a .seg file (each of its segments is previewed).")]
    public string Segment { get; init; } = "";

    [CommandOption("--sample <N>")]
    [Description("Members to show (default 10).")]
    public int Sample { get; init; } = 10;

    [CommandOption("--traits <LIST>")]
    [Description("Comma-separated traits to show for sampled members (default: email, country, age).")]
    public string? Traits { get; init; }
}

/// <summary><c>segmenta segment preview</c>: size, shares, the count after each condition, and a sample of members.</summary>
internal sealed class SegmentPreviewCommand : GuardedCommand<SegmentPreviewSettings>
{

    protected override int Run(SegmentPreviewSettings settings, CancellationToken cancellation)
    {
        if (settings.Sample < 0)
        {
            throw new UserInputException("--sample must be 0 or more");
        }

        var workspace = FindWorkspace(settings);
        var context = SegmentSupport.Context(workspace, settings.AsOf);
        using var warehouse = OpenWarehouse(workspace);
        var extra = settings.Segment.EndsWith(SegmentLibrary.Extension, StringComparison.Ordinal) && File.Exists(settings.Segment) ? [settings.Segment] : Array.Empty<string>();
        var library = SegmentSupport.Load(workspace, warehouse, extra);
        var segments = SegmentSupport.Resolve(library, settings.Segment);
        var traits = Model.Traits.Resolve(warehouse, settings.Traits, Model.Traits.PreviewDefaults, library.Schema);
        var previews = segments.Select(s => SegmentPreview.Compute(warehouse, s, context, traits, settings.Sample)).ToList();
        if (settings.Json)
        {
            var json = previews.Select(SegmentDocuments.Preview).ToList();
            CliOutput.WriteJson<object>(json.Count == 1 ? json[0] : json);
            return ExitCodes.Ok;
        }

        foreach (var preview in previews)
        {
            Print(preview, workspace.Settings.Currency);
        }

        return ExitCodes.Ok;
    }

    private static void Print(SegmentPreview p, string currency)
    {
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine($"{p.Name}{(p.Title is null ? "" : $" — {p.Title}")}   (version {p.Version}, as of {SegmentSupport.Iso(p.AsOf)})");
        Console.WriteLine(string.Create(inv, $"  size      {p.Size:N0} of {p.Customers:N0} customers ({SegmentSupport.Percent(p.ShareOfCustomers)}){(p.AnonymousMembers > 0 ? $", {p.AnonymousMembers:N0} of them anonymous visitors" : "")}"));
        Console.WriteLine(string.Create(inv, $"  revenue   {p.MemberRevenue:N2} {currency} net (purchases less refunds) of the members, of {p.Revenue:N2} for all customers ({SegmentSupport.Percent(p.ShareOfRevenue)})"));
        if (p.Lifetime is { } l)
        {
            Console.WriteLine(string.Create(inv, $"  CLV       {l.Value:N2} {currency} predicted for {l.Predicted:N0} members ({SegmentSupport.Percent(l.ShareOfValue)} of all customers' predicted value), members' mean P(alive) {l.MeanProbabilityAlive:0.00}"));
            foreach (var warning in l.Warnings ?? [])
            {
                CliOutput.Warning(warning);
            }
        }
        Console.WriteLine("  why this size:");
        var before = p.Customers;
        foreach (var step in p.Steps)
        {
            Console.WriteLine(string.Create(inv, $"    {step.Remaining,12:N0}  {(before == 0 ? 0 : 100.0 * step.Remaining / before),5:0.0}% kept  {Shorten(step.Condition, 90)}"));
            var reached = before;
            foreach (var funnel in step.Funnel ?? [])
            {
                Console.WriteLine(string.Create(inv, $"      {funnel.Reached,12:N0}  {(reached == 0 ? 0 : 100.0 * funnel.Reached / reached),5:0.0}% on    {Shorten(funnel.Step, 86)}"));
                reached = funnel.Reached;
            }

            before = step.Remaining;
        }

        if (p.Sample.Count > 0)
        {
            var table = new Table().Border(TableBorder.Simple);
            foreach (var column in p.SampleColumns)
            {
                table.AddColumn(Markup.Escape(column));
            }

            foreach (var row in p.Sample)
            {
                table.AddRow(row.Select(v => Markup.Escape(DocumentValues.Plain(v) is { } x ? Convert.ToString(x, inv) ?? "" : "")).ToArray());
            }

            Console.WriteLine(string.Create(inv, $"  sample of {p.Sample.Count} members:"));
            AnsiConsole.Write(table);
        }

        Console.WriteLine(string.Create(inv, $"  computed in {p.Elapsed.TotalMilliseconds:0} ms"));
        Console.WriteLine();
    }

    private static string Shorten(string text, int width) => text.Length <= width ? text : text[..(width - 1)] + "…";
}
