using Segmenta.Documents;
using System.ComponentModel;
using System.Globalization;
using Segmenta.Configuration;
using Segmenta.Language;
using Segmenta.Model;
using Segmenta.Segments;
using Segmenta.Warehouse;
using Segmenta.Workspaces;
using Spectre.Console.Cli;

namespace Segmenta.Cli.Commands;

/// <summary>Options of the segment verbs that evaluate membership.</summary>
internal class SegmentEvaluationSettings : WorkspaceSettingsBase
{
    [CommandOption("--as-of <INSTANT>")]
    [Description("Evaluate as of this instant: a date (its start in the workspace time zone) or an ISO 8601 time. Default: the workspace's as_of, else now.")]
    public string? AsOf { get; init; }
}

/// <summary>What the segment verbs share: the library, the as-of instant, traits, and printing diagnostics with a caret.</summary>
internal static class SegmentSupport
{
    public static SegmentLibrary Load(Workspace workspace, IWarehouse warehouse, IEnumerable<string>? extraFiles = null) =>
        SegmentLibrary.Load(workspace, SegmentLibrary.SchemaOf(warehouse, workspace.Settings), extraFiles);

    /// <summary>The as-of instant, taken once: the option, the workspace's setting, or now.</summary>
    public static EvaluationContext Context(Workspace workspace, string? asOf) => workspace.Settings.Context(asOf, "--as-of", TimeProvider.System);

    /// <summary>An instant option: a date (its start in the workspace time zone) or an ISO 8601 time, to whole seconds.</summary>
    public static DateTime Instant(Workspace workspace, string option, string text) => workspace.Settings.Instant(option, text);

    /// <summary>Finds a segment by name, or the segments of a file; unknown names get a suggestion.</summary>
    public static IReadOnlyList<SegmentDefinition> Resolve(SegmentLibrary library, string nameOrFile)
    {
        if (nameOrFile.EndsWith(SegmentLibrary.Extension, StringComparison.Ordinal) || nameOrFile.Contains('/', StringComparison.Ordinal))
        {
            var inFile = library.InFile(nameOrFile);
            if (inFile.Count == 0)
            {
                throw new UserInputException($"{nameOrFile} defines no segment that compiles; run `segmenta segment check`");
            }

            return inFile;
        }

        try
        {
            return [library.Require(nameOrFile)];
        }
        catch (SegmentErrorsException e)
        {
            throw new UserInputException($"{e.Message}; run `segmenta segment check` to see them");
        }
        catch (UnknownSegmentException e)
        {
            throw new UserInputException(e.Message);
        }
    }

    /// <summary>The mistake of naming a segment with no recorded history, with a suggestion among those that have one.</summary>
    public static UserInputException NoHistory(IWarehouse warehouse, string segment)
    {
        var known = SegmentMaterializer.Latest(warehouse).Keys.Order(StringComparer.Ordinal).ToList();
        return new UserInputException($"`{segment}` has no recorded history{Suggestions.DidYouMean(segment, known)}; `segmenta refresh` records every segment (backfill with --from/--to)");
    }

    /// <summary>Prints diagnostics like a compiler: file:line:column, code and message, the line, and a caret under the span.</summary>
    public static void PrintDiagnostics(SegmentLibrary library, IEnumerable<Diagnostic> diagnostics, TextWriter output)
    {
        foreach (var d in diagnostics)
        {
            output.WriteLine($"{d.File ?? "<text>"}:{d.Line}:{d.Column}: error {d.Code}: {d.Message}");
            if (library.TextOf(d.File) is { } text)
            {
                var lines = d.Excerpt(text).Split('\n');
                var gutter = d.Line.ToString(CultureInfo.InvariantCulture);
                output.WriteLine($"  {gutter} | {lines[0]}");
                output.WriteLine($"  {new string(' ', gutter.Length)} | {lines[1]}");
            }
        }
    }

    /// <summary>Reads a file format option.</summary>
    public static AudienceFormat Format(string format) => format.ToLowerInvariant() switch
    {
        "csv" => AudienceFormat.Csv,
        "json" => AudienceFormat.Json,
        "parquet" => AudienceFormat.Parquet,
        _ => throw new UserInputException($"unknown format `{format}`; expected csv, json or parquet"),
    };

    public static string Iso(DateTime t) => DocumentValues.Iso(t);

    /// <summary>The line that says what a consent check did where data left: who it left out, or that it did not run and why.</summary>
    public static string ConsentLine(ConsentCheck check)
    {
        ArgumentNullException.ThrowIfNull(check);
        return check.Checked
            ? "Consent checked: " + (check.LeftOut.Count == 0 ? "nobody left out" : string.Join("; ", check.LeftOut.Select(l =>
                string.Create(CultureInfo.InvariantCulture, $"{l.Customers:N0} of {l.Segment} left out (no consent to {l.Channel})"))))
            : $"Consent NOT checked: {check.NotCheckedBecause}";
    }

    /// <summary>A YYYY-MM-DD option value, or exit 2 saying which option is wrong.</summary>
    public static DateOnly Date(string option, string text) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? day
            : throw new UserInputException($"{option}: `{text}` is not a date; expected YYYY-MM-DD");

    public static string Percent(double share) => (share * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";
}
