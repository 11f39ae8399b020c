using System.ComponentModel;
using System.Globalization;
using Segmenta.Language;
using Segmenta.Personas;
using Segmenta.Segments;
using Spectre.Console;
using Spectre.Console.Cli;
using Segmenta.Documents;

namespace Segmenta.Cli.Commands;

internal sealed class PersonaSettings : SegmentEvaluationSettings
{
    [CommandArgument(0, "[SEGMENT]")]
    [Description("Segment names or .seg files: rule-based (lapsed_vips), RFM (rfm_champions) or cluster (cluster_2) segments.")]
    public string[] Segments { get; init; } = [];

    [CommandOption("--all")]
    [Description("Every segment of the workspace, the generated RFM and cluster segments included.")]
    public bool All { get; init; }

    [CommandOption("--format <FORMAT>")]
    [Description("text (cards, the default), markdown or html (a self-contained page).")]
    public string Format { get; init; } = "text";

    [CommandOption("-o|--out <FILE>")]
    [Description("Write the cards to this file (replaced if it exists) instead of the terminal.")]
    public string? Out { get; init; }
}

/// <summary><c>segmenta persona</c>: each segment as a persona card — size and value, what sets it apart, channels, RFM mix, a name and a strategy.</summary>
internal sealed class PersonaCommand : GuardedCommand<PersonaSettings>
{
    protected override int Run(PersonaSettings settings, CancellationToken cancellation)
    {
        var format = settings.Format.ToLowerInvariant();
        if (format is not ("text" or "markdown" or "html"))
        {
            throw new UserInputException($"--format: `{settings.Format}` is not text, markdown or html");
        }

        if (settings.All == (settings.Segments.Length > 0))
        {
            throw new UserInputException("name the segments to describe (segmenta persona cluster_1 rfm_champions), or --all");
        }

        var workspace = FindWorkspace(settings);
        var context = SegmentSupport.Context(workspace, settings.AsOf);
        using var warehouse = OpenWarehouse(workspace);
        var extra = settings.Segments.Where(s => s.EndsWith(SegmentLibrary.Extension, StringComparison.Ordinal) && File.Exists(s)).ToList();
        var library = SegmentSupport.Load(workspace, warehouse, extra);
        var segments = settings.All
            ? library.Compilation.Segments.ToList()
            : settings.Segments.SelectMany(s => SegmentSupport.Resolve(library, s)).DistinctBy(s => s.Name).ToList();
        var reports = new WorkspaceViews(workspace, warehouse).DescribePersonas(context, segments);
        var currency = workspace.Settings.Currency;
        if (settings.Json)
        {
            CliOutput.WriteJson(new PersonaReportsDocument(SegmentSupport.Iso(context.AsOf), [.. reports.Select(AnalysisDocuments.Persona)]));
            return ExitCodes.Ok;
        }

        var cards = reports.Select(r => PersonaCard.Of(r, currency)).ToList();
        var title = string.Create(CultureInfo.InvariantCulture, $"Personas as of {SegmentSupport.Iso(context.AsOf)}");
        string? text = format switch
        {
            "markdown" => $"# {title}\n\n" + string.Join("\n", cards.Select(c => c.ToMarkdown())),
            "html" => PersonaCard.ToHtml(cards, title),
            _ => null,
        };
        if (settings.Out is { } file)
        {
            Workspaces.AtomicFile.WriteAllText(file, text ?? string.Join("\n", cards.Select(Plain)));
            Console.Error.WriteLine($"Wrote {cards.Count} persona card{(cards.Count == 1 ? "" : "s")} to {Path.GetFullPath(file)}");
        }
        else if (text is not null)
        {
            Console.Write(text);
        }
        else
        {
            Console.WriteLine(title);
            foreach (var card in cards)
            {
                Print(card);
            }
        }

        return ExitCodes.Ok;
    }

    /// <summary>A card as a terminal panel.</summary>
    internal static void Print(PersonaCard card)
    {
        var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        foreach (var (label, line) in card.Lines)
        {
            grid.AddRow(new Markup($"[bold]{Markup.Escape(label)}[/]"), new Text(line));
        }

        AnsiConsole.Write(new Panel(grid).Header($" {Markup.Escape(card.Heading)} · {Markup.Escape(card.Subheading)} ").Border(BoxBorder.Rounded).Expand());
    }

    /// <summary>A card as plain text lines (for a file).</summary>
    private static string Plain(PersonaCard card) =>
        $"{card.Heading} · {card.Subheading}\n" + string.Concat(card.Lines.Select(l => $"  {l.Label}: {l.Text}\n"));

}
