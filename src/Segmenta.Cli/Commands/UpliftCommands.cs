using System.ComponentModel;
using System.Globalization;
using Segmenta.Cli.Charts;
using Segmenta.Documents;
using Segmenta.Uplift;
using Spectre.Console.Cli;

namespace Segmenta.Cli.Commands;

internal sealed class UpliftFitSettings : SegmentEvaluationSettings
{
    [CommandArgument(0, "<CAMPAIGN>")]
    [Description("A launched campaign with a randomized holdout (segmenta campaign list).")]
    public string Campaign { get; init; } = "";

    [CommandOption("--features <LIST>")]
    [Description("Inputs, comma-separated: catalog features as of the launch (recency_days, frequency, monetary, …) or customer columns. Never an outcome of the campaign.")]
    public string? Features { get; init; }

    [CommandOption("--arm <LIST>")]
    [Description("The treated arm(s) compared with the holdout, pooled. Default: every treated arm.")]
    public string? Arm { get; init; }

    [CommandOption("--method <METHOD>")]
    [Description("t_learner (default: one model per group, uplift is their difference) or transformed_outcome (one regression of Y·(T−p)/(p(1−p))).")]
    public string Method { get; init; } = "t_learner";

    [CommandOption("--test-share <SHARE>")]
    [Description("Customers held out of the fit to evaluate it on, by a seeded hash of their id. Default 0.3.")]
    public double TestShare { get; init; } = 0.3;

    [CommandOption("--seed <SEED>")]
    [Description("Seeds the split and the trees; the same seed gives the same model. Default 42.")]
    public int Seed { get; init; } = 42;

    [CommandOption("--trees <N>")]
    [Description("Boosting iterations per model. Default 100.")]
    public int Trees { get; init; } = 100;

    [CommandOption("--leaves <N>")]
    [Description("Leaves per tree. Default 8.")]
    public int Leaves { get; init; } = 8;

    [CommandOption("--learning-rate <RATE>")]
    [Description("Shrinkage per tree. Default 0.05.")]
    public double LearningRate { get; init; } = 0.05;

    [CommandOption("--min-leaf <N>")]
    [Description("Customers a leaf needs at least. Default 100.")]
    public int MinimumLeaf { get; init; } = 100;

    [CommandOption("--charts <DIR>")]
    [Description("Write the uplift and Qini curves per outcome (SVG and PNG) into this folder.")]
    public string? Charts { get; init; }

    [CommandOption("--dry-run")]
    [Description("Fit and report without storing the model or the scores.")]
    public bool DryRun { get; init; }
}

/// <summary>
/// <c>segmenta uplift fit</c>: learns each customer's incremental response to a randomized campaign, evaluates it on held-out
/// customers, and stores every customer's scores (as of --as-of) for segments (<c>uplift.CAMPAIGN.conversion</c>) and personas.
/// </summary>
internal sealed class UpliftFitCommand : GuardedCommand<UpliftFitSettings>
{
    protected override int Run(UpliftFitSettings settings, CancellationToken cancellation)
    {
        var method = settings.Method.ToLowerInvariant() switch
        {
            "t_learner" or "t-learner" or "two_models" => UpliftMethod.TLearner,
            "transformed_outcome" or "transformed-outcome" or "transformed" => UpliftMethod.TransformedOutcome,
            _ => throw new UserInputException($"--method: `{settings.Method}` is not t_learner or transformed_outcome"),
        };
        if (settings.Trees < 1 || settings.Leaves < 2 || settings.MinimumLeaf < 1 || !(settings.LearningRate > 0 && settings.LearningRate <= 1))
        {
            throw new UserInputException("--trees at least 1, --leaves at least 2, --min-leaf at least 1, --learning-rate in (0, 1]");
        }

        if (settings.TestShare is <= 0 or >= 1)
        {
            throw new UserInputException($"--test-share: {settings.TestShare.ToString(CultureInfo.InvariantCulture)} is not between 0 and 1 (exclusive)");
        }

        var request = new UpliftRequest(
            settings.Campaign,
            List(settings.Arm),
            List(settings.Features),
            method,
            settings.TestShare,
            settings.Seed,
            new BoostingOptions(settings.Trees, settings.Leaves, settings.LearningRate, settings.MinimumLeaf, settings.Seed));
        var workspace = FindWorkspace(settings);
        var context = SegmentSupport.Context(workspace, settings.AsOf);
        using var warehouse = OpenWarehouse(workspace);
        var now = TimeProvider.System.GetUtcNow().UtcDateTime;
        var fit = UpliftAnalysis.Fit(warehouse, request, context, now, cancellation);
        var model = settings.DryRun ? fit.Model : UpliftAnalysis.Store(warehouse, fit, now, cancellation);
        var charts = settings.Charts is { } folder ? UpliftCharts.Write(model, folder) : null;
        if (settings.Json)
        {
            CliOutput.WriteJson(UpliftDocuments.Model(model, !settings.DryRun, charts));
            return ExitCodes.Ok;
        }

        UpliftShowCommand.Print(model, !settings.DryRun);
        foreach (var chart in charts ?? [])
        {
            Console.WriteLine($"Wrote {chart}");
        }

        return ExitCodes.Ok;
    }

    private static List<string> List(string? text) =>
        [.. (text ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)];
}

internal sealed class UpliftShowSettings : WorkspaceSettingsBase
{
    [CommandArgument(0, "[CAMPAIGN]")]
    [Description("The campaign whose newest model to show. Default: every campaign's.")]
    public string? Campaign { get; init; }
}

/// <summary><c>segmenta uplift show</c>: the stored models, their held-out evaluation and quadrants.</summary>
internal sealed class UpliftShowCommand : GuardedCommand<UpliftShowSettings>
{
    protected override int Run(UpliftShowSettings settings, CancellationToken cancellation)
    {
        var workspace = FindWorkspace(settings);
        using var warehouse = OpenWarehouse(workspace);
        IReadOnlyList<UpliftModel> models = settings.Campaign is { } name ? [UpliftAnalysis.Require(warehouse, name)] : UpliftAnalysis.Active(warehouse);

        if (settings.Json)
        {
            CliOutput.WriteJson(new UpliftListDocument([.. models.Select(m => UpliftDocuments.Model(m, stored: true))]));
            return ExitCodes.Ok;
        }

        if (models.Count == 0)
        {
            Console.WriteLine("No uplift model yet: segmenta uplift fit CAMPAIGN --features …");
        }

        foreach (var model in models)
        {
            Print(model, stored: true);
        }

        return ExitCodes.Ok;
    }

    internal static void Print(UpliftModel model, bool stored)
    {
        var inv = CultureInfo.InvariantCulture;
        var method = model.Method == UpliftMethod.TLearner ? "T-learner (two LightGBM models)" : "transformed outcome (one LightGBM regression)";
        Console.WriteLine(string.Create(inv, $"Uplift of {model.Campaign} ({string.Join(" + ", model.Arms)} vs holdout){(stored ? $", model {model.Version}" : " (dry run, not stored)")}: {method}"));
        Console.WriteLine(string.Create(inv, $"  learned from {model.TrainTreated:N0} treated and {model.TrainControl:N0} holdout customers (inputs as of {SegmentSupport.Iso(model.LaunchAsOf)}: {string.Join(", ", model.Inputs.Select(i => i.Name))}); {model.Request.TestShare:P0} held out"));
        foreach (var e in model.Evaluations)
        {
            var at = string.Join(", ", e.UpliftAtK.Select(u => string.Create(inv, $"@{u.Share:P0} {u.Uplift:G3}")));
            Console.WriteLine(string.Create(inv, $"  {e.Outcome}: held-out average effect {e.AverageEffect:G3} ± {e.AverageEffectError:G3} (treated {e.TreatedMean:G3}, control {e.ControlMean:G3}); Qini coefficient {e.QiniCoefficient:0.000}, {(double.IsNaN(e.UpliftAuc) ? "AUUC normalized for yes/no outcomes only" : $"normalized AUUC {e.UpliftAuc:0.000}")}; uplift {at}"));
        }

        foreach (var warning in UpliftDocuments.Warnings(model))
        {
            Console.WriteLine("  warning: " + warning);
        }

        Console.WriteLine(string.Create(inv, $"  scored {model.Scored:N0} customers as of {SegmentSupport.Iso(model.ScoredAsOf)}: {string.Join(", ", model.Quadrants.Select(q => $"{q.Customers:N0} {q.Quadrant.Replace('_', ' ')}s"))}"));
        if (stored)
        {
            Console.WriteLine($"  Segments can use {string.Join(", ", model.FieldSet().Fields.Select(f => model.Namespace + "." + f.Name))}.");
        }
    }
}
