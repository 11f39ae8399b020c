using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Segmenta.Documents;
using Segmenta.DuckDb;
using Segmenta.Generation;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Segmenta.Cli.Commands;

internal sealed class GenerateSettings : CommandSettings, IJsonSettings
{
    [CommandOption("--customers <N>")]
    [Description("Customers to create (default 50000).")]
    public int Customers { get; init; } = 50_000;

    [CommandOption("--events <N>")]
    [Description("Target number of events (default 1000000); the result is within a fraction of a percent.")]
    public long Events { get; init; } = 1_000_000;

    [CommandOption("--seed <S>")]
    [Description("Random seed; the same seed gives the same bytes (default 42).")]
    public int Seed { get; init; } = 42;

    [CommandOption("--as-of <INSTANT>")]
    [Description("End of the generated history, exclusive (default 2025-01-01T00:00:00Z).")]
    public string? AsOf { get; init; }

    [CommandOption("--error-rate <RATE>")]
    [Description("Share of rows written malformed on purpose, to exercise quarantine (default 0).")]
    public double ErrorRate { get; init; }

    [CommandOption("--format <FORMAT>")]
    [Description("csv, parquet or both (default csv). Parquet files are written beside the CSV.")]
    public string Format { get; init; } = "csv";

    [CommandOption("-o|--out <DIR>")]
    [Description("Output folder (default ./generated).")]
    public string Out { get; init; } = "generated";

    [CommandOption("--json")]
    [Description("Print the result as JSON.")]
    public bool Json { get; init; }

    public override ValidationResult Validate()
    {
        if (Customers <= 0 || Events < 0)
        {
            return ValidationResult.Error("--customers must be positive and --events not negative");
        }

        if (ErrorRate is < 0 or > 1)
        {
            return ValidationResult.Error("--error-rate must be between 0 and 1");
        }

        if (Format is not ("csv" or "parquet" or "both"))
        {
            return ValidationResult.Error("--format must be csv, parquet or both");
        }

        return AsOf is not null && !TryParseInstant(AsOf, out _)
            ? ValidationResult.Error($"--as-of `{AsOf}` is not an ISO 8601 instant such as 2025-01-01T00:00:00Z")
            : ValidationResult.Success();
    }

    public static bool TryParseInstant(string text, out DateTime utc)
    {
        var ok = DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed);
        utc = parsed.UtcDateTime;
        return ok;
    }
}

/// <summary><c>segmenta generate</c>: a synthetic customer base, as CSV and optionally Parquet.</summary>
internal sealed class GenerateCommand : GuardedCommand<GenerateSettings>
{
    protected override int Run(GenerateSettings settings, CancellationToken cancellation)
    {
        var asOf = settings.AsOf is null ? GeneratorOptions.DefaultAsOf : GenerateSettings.TryParseInstant(settings.AsOf, out var a) ? a : GeneratorOptions.DefaultAsOf;
        var options = new GeneratorOptions(settings.Customers, settings.Events, settings.Seed, asOf, settings.ErrorRate);
        var clock = Stopwatch.StartNew();
        var result = Generate(options, settings.Out, settings.Format, CliOutput.Interactive(settings.Json));
        if (settings.Json)
        {
            CliOutput.WriteJson(new GeneratedDocument(result.Base.Customers, result.Base.Events, result.Base.MalformedRows, result.Files, Math.Round(clock.Elapsed.TotalSeconds, 2)));
        }
        else
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Generated {result.Base.Customers:N0} customers and {result.Base.Events:N0} events in {clock.Elapsed.TotalSeconds:F1} s (seed {settings.Seed})"));
            foreach (var file in result.Files)
            {
                Console.WriteLine("  " + file);
            }
        }

        return ExitCodes.Ok;
    }

    internal static (GeneratedBase Base, IReadOnlyList<string> Files) Generate(GeneratorOptions options, string directory, string format, bool interactive)
    {
        GeneratedBase result = null!;
        if (interactive)
        {
            AnsiConsole.Progress().AutoClear(true).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask("generate", maxValue: 1);
                    result = CustomerBaseGenerator.Write(options, directory, new Progress<double>(p => task.Value = p));
                    task.Value = 1;
                });
        }
        else
        {
            result = CustomerBaseGenerator.Write(options, directory);
        }

        var csv = new[] { result.CustomersFile, result.EventsFile, result.PersonasFile, result.ConsentsFile };
        var files = new List<string>();
        if (format is "parquet" or "both")
        {
            foreach (var file in csv)
            {
                var parquet = Path.ChangeExtension(file, ".parquet");
                Parquet.FromCsv(file, parquet);
                files.Add(Path.GetFullPath(parquet));
            }
        }

        if (format == "parquet")
        {
            foreach (var file in csv)
            {
                File.Delete(file);
            }
        }
        else
        {
            files.InsertRange(0, csv.Select(Path.GetFullPath));
        }

        return (result, files);
    }
}
