using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Segmenta.Clustering;
using Segmenta.Segments;
using Spectre.Console;
using Spectre.Console.Cli;
using Segmenta.Documents;

namespace Segmenta.Cli.Commands;

internal sealed class ClusterSettings : AnalysisSettings
{
    [CommandOption("--features <LIST>")]
    [Description("Numeric inputs, comma-separated, each NAME or NAME:WEIGHT: features (recency_days, frequency, monetary, …), traits (age, income) or numeric customer columns.")]
    public string? Features { get; init; }

    [CommandOption("--categorical <LIST>")]
    [Description("Categorical inputs, one-hot encoded (the 10 most frequent levels), each NAME or NAME:WEIGHT: gender, country, preferred_channel, …")]
    public string? Categorical { get; init; }

    [CommandOption("-k|--clusters <K>")]
    [Description("A number of clusters (5) or a range to choose from by silhouette (2..10, the default).")]
    public string K { get; init; } = "2..10";

    [CommandOption("--seed <SEED>")]
    [Description("Seeds k-means++ and the silhouette sample; the same seed gives the same clusters. Default 42.")]
    public ulong Seed { get; init; } = 42;

    [CommandOption("--scale <SCALING>")]
    [Description("zscore (default), robust (median and interquartile range) or none.")]
    public string Scale { get; init; } = "zscore";

    [CommandOption("--log <LIST>")]
    [Description("auto (default: money and count inputs with skewness above 1), none, or the inputs to log: sign(x)·ln(1 + |x|).")]
    public string Log { get; init; } = "auto";

    [CommandOption("--missing <POLICY>")]
    [Description("A missing numeric value becomes the input's median (default), mean or zero; drop leaves the customer out of every cluster.")]
    public string Missing { get; init; } = "median";

    [CommandOption("--init <N>")]
    [Description("k-means++ starts per k; the lowest inertia wins. Default 10.")]
    public int Initializations { get; init; } = 10;

    [CommandOption("--silhouette-sample <N>")]
    [Description("Customers the silhouette is computed on, a seeded sample when there are more. Default 5000.")]
    public int SilhouetteSample { get; init; } = ClusterQuality.DefaultSilhouetteSample;

    [CommandOption("--dry-run")]
    [Description("Fit and report without storing the model (the active model and the cluster_N segments stay as they are).")]
    public bool DryRun { get; init; }
}

/// <summary><c>segmenta cluster</c>: fits k-means to chosen inputs, chooses k, stores the model and reports the clusters.</summary>
internal sealed class ClusterCommand : GuardedCommand<ClusterSettings>
{
    protected override int Run(ClusterSettings settings, CancellationToken cancellation)
    {
        var format = SegmentSupport.Format(settings.Format);
        var request = Request(settings);
        var workspace = FindWorkspace(settings);
        var context = SegmentSupport.Context(workspace, settings.AsOf);
        using var warehouse = OpenWarehouse(workspace);
        var clock = Stopwatch.StartNew();
        var result = ClusterAnalysis.Fit(warehouse, context, request);
        var seconds = clock.Elapsed.TotalSeconds;
        var model = settings.DryRun ? result.Model : ClusterAnalysis.Store(warehouse, result.Model, TimeProvider.System.GetUtcNow().UtcDateTime);
        string? path = null;
        if (settings.Out is { } file)
        {
            AudienceExport.WriteQuery(warehouse, ClusterAnalysis.Assignments(warehouse.Dialect, context, model), ClusterAnalysis.AssignmentColumns, format, file);
            path = Path.GetFullPath(file);
        }

        if (settings.Json)
        {
            CliOutput.WriteJson(AnalysisDocuments.Cluster(result, settings.DryRun ? null : model.Version, path));
        }
        else
        {
            Print(result, settings.DryRun ? null : model.Version, seconds);
            if (path is not null)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Wrote every customer's cluster to {path}"));
            }
        }

        return ExitCodes.Ok;
    }

    /// <summary>The request the options describe; every mistake is a user error naming the option.</summary>
    internal static ClusterRequest Request(ClusterSettings settings)
    {
        var numeric = Inputs("--features", settings.Features).ToList();
        var categorical = Inputs("--categorical", settings.Categorical).Select(i => new CategoricalInput(i.Name, i.Weight)).ToList();
        if (numeric.Count + categorical.Count == 0)
        {
            throw new UserInputException("name what to cluster on: --features recency_days,frequency,monetary (and/or --categorical gender,country)");
        }

        var (minK, maxK) = ParseK(settings.K);
        var scaling = settings.Scale.ToLowerInvariant() switch
        {
            "zscore" or "z" or "standard" => FeatureScaling.ZScore,
            "robust" => FeatureScaling.Robust,
            "none" => FeatureScaling.None,
            _ => throw new UserInputException($"--scale: `{settings.Scale}` is not zscore, robust or none"),
        };
        var missing = settings.Missing.ToLowerInvariant() switch
        {
            "median" => MissingValues.Median,
            "mean" => MissingValues.Mean,
            "zero" => MissingValues.Zero,
            "drop" => MissingValues.Drop,
            _ => throw new UserInputException($"--missing: `{settings.Missing}` is not median, mean, zero or drop"),
        };
        var autoLog = settings.Log.Equals("auto", StringComparison.OrdinalIgnoreCase);
        var logged = autoLog || settings.Log.Equals("none", StringComparison.OrdinalIgnoreCase)
            ? []
            : settings.Log.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        if (logged.FirstOrDefault(l => !numeric.Any(n => n.Name == l)) is { } stray)
        {
            throw new UserInputException($"--log: `{stray}` is not one of --features; give auto, none or some of {string.Join(", ", numeric.Select(n => n.Name))}");
        }

        if (settings.Initializations < 1)
        {
            throw new UserInputException("--init: at least 1 start");
        }

        if (settings.SilhouetteSample < 2)
        {
            throw new UserInputException("--silhouette-sample: at least 2 customers");
        }

        return new ClusterRequest(
            numeric.Select(n => new NumericInput(n.Name, n.Weight, logged.Contains(n.Name))).ToList(),
            categorical,
            scaling,
            missing,
            minK,
            maxK,
            settings.Seed,
            settings.Initializations,
            autoLog,
            settings.SilhouetteSample);
    }

    private static IEnumerable<(string Name, double Weight)> Inputs(string option, string? list)
    {
        foreach (var item in (list ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = item.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                yield return (item, 1);
                continue;
            }

            var weightText = item[(colon + 1)..];
            if (!double.TryParse(weightText, NumberStyles.Float, CultureInfo.InvariantCulture, out var weight) || !(weight > 0) || !double.IsFinite(weight))
            {
                throw new UserInputException($"{option}: the weight of `{item[..colon]}` must be a positive number (got `{weightText}`)");
            }

            yield return (item[..colon], weight);
        }
    }

    private static (int Min, int Max) ParseK(string text)
    {
        var inv = CultureInfo.InvariantCulture;
        var parts = text.Split("..", StringSplitOptions.TrimEntries);
        if (parts.Length is 1 or 2 && parts.All(p => int.TryParse(p, NumberStyles.None, inv, out var k) && k is >= 1 and <= 50))
        {
            var min = int.Parse(parts[0], inv);
            var max = int.Parse(parts[^1], inv);
            if (min <= max)
            {
                return (min, max);
            }
        }

        throw new UserInputException($"-k: `{text}` is neither a number of clusters (5) nor a range (2..10), between 1 and 50");
    }

    internal static void Print(ClusterResult result, int? version, double? seconds)
    {
        var inv = CultureInfo.InvariantCulture;
        var model = result.Model;
        var inputs = string.Join(", ", result.Inputs.Select(i => i.Log ? $"log {i.Name}" : i.Name));
        var scaling = model.Preparation.Scaling switch
        {
            FeatureScaling.ZScore => "z-scores",
            FeatureScaling.Robust => "robust scaling",
            _ => "unscaled",
        };
        Console.WriteLine(string.Create(inv, $"k-means as of {SegmentSupport.Iso(model.AsOf)}: {result.Clustered:N0} of {result.Customers:N0} customers on {inputs} ({scaling}, missing values: {model.Preparation.Missing.ToString().ToLowerInvariant()}), seed {model.Request.Seed}, {model.Request.Initializations} starts per k{(seconds is { } elapsed ? $", in {elapsed:0.0} s" : "")}"));
        foreach (var input in result.Inputs.Where(i => i.Missing > 0))
        {
            Console.WriteLine(string.Create(inv, $"  {input.Name}: {input.Missing:N0} customers without a value{(input.Fill is { } fill ? $", taken as {fill:0.###}" : input.Categorical ? ", no level" : ", left out")}"));
        }

        if (result.Choice.ByK.Count > 1)
        {
            var byK = new Table().Border(TableBorder.Simple);
            foreach (var column in new[] { "k", "inertia", "silhouette", "Calinski–Harabasz", "Davies–Bouldin" })
            {
                byK.AddColumn(column, c => c.Alignment = Justify.Right);
            }

            foreach (var q in result.Choice.ByK)
            {
                byK.AddRow(
                    (q.K == model.K ? "*" : "") + q.K.ToString(inv),
                    q.Inertia.ToString("N1", inv),
                    q.Silhouette.ToString("0.000", inv),
                    q.CalinskiHarabasz.ToString("N1", inv),
                    q.DaviesBouldin.ToString("0.000", inv));
            }

            AnsiConsole.Write(byK);
        }

        Console.WriteLine(result.Choice.Reason + string.Create(inv, $". Inertia {model.Inertia:N2} after {result.Iterations} iterations{(result.Converged ? "" : " (not converged)")}."));
        var clusters = new Table().Border(TableBorder.Simple);
        clusters.AddColumn("cluster");
        clusters.AddColumn("customers", c => c.Alignment = Justify.Right);
        clusters.AddColumn("share", c => c.Alignment = Justify.Right);
        var centers = result.Clusters[0].Centers;
        foreach (var center in centers)
        {
            clusters.AddColumn(Markup.Escape(center.Level is null ? center.Input : "=" + center.Level), c => c.Alignment = Justify.Right);
        }

        foreach (var c in result.Clusters)
        {
            clusters.AddRow([
                ClusterAnalysis.SegmentName(c.Id),
                c.Customers.ToString("N0", inv),
                SegmentSupport.Percent(c.Share),
                .. c.Centers.Select(x => x.Level is null ? Number(x.Center) : SegmentSupport.Percent(x.Center)),
            ]);
        }

        clusters.AddRow(["(all)", result.Clustered.ToString("N0", inv), "100%", .. centers.Select(x => x.Level is null ? Number(x.Overall) : SegmentSupport.Percent(x.Overall))]);
        AnsiConsole.Write(clusters);
        Console.WriteLine("Centers are in the inputs' own units" + (result.Inputs.Any(i => i.Categorical)
            ? $"; =LEVEL columns are the share of the cluster with that level of {string.Join(", ", result.Inputs.Where(i => i.Categorical).Select(i => i.Name))}."
            : "."));
        Console.WriteLine(version is { } v
            ? string.Create(inv, $"Stored as model {v}, now active: segments {ClusterAnalysis.SegmentName(1)}..{ClusterAnalysis.SegmentName(model.K)}; in segments: cluster = 1. Describe them: segmenta persona {ClusterAnalysis.SegmentName(1)}.")
            : "Not stored (--dry-run): the active model, if any, is unchanged.");
    }

    private static string Number(double value) =>
        Math.Abs(value) >= 1000 ? value.ToString("N0", CultureInfo.InvariantCulture) : value.ToString("0.##", CultureInfo.InvariantCulture);
}
