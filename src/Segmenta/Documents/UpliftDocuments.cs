using System.Globalization;
using Segmenta.Uplift;
using static Segmenta.Documents.DocumentValues;

namespace Segmenta.Documents;

/// <summary>An uplift model as <c>uplift fit</c>, <c>uplift show</c> and <c>GET /api/uplift/{campaign}</c> report it.</summary>
public sealed record UpliftModelDocument(
    int? Version,
    string Campaign,
    IReadOnlyList<string> Arms,
    string Method,
    string LaunchAsOf,
    string WindowFrom,
    string WindowTo,
    bool WindowComplete,
    double TreatedShare,
    long TrainTreated,
    long TrainControl,
    double TestShare,
    int Seed,
    BoostingOptions Boosting,
    IReadOnlyList<UpliftInput> Inputs,
    IReadOnlyList<UpliftEvaluationDocument> Evaluations,
    string ScoredAsOf,
    long Scored,
    double? QuadrantMargin,
    double? BaselineThreshold,
    IReadOnlyList<QuadrantCount> Quadrants,
    IReadOnlyList<string> Fields,
    IReadOnlyList<string> Warnings,
    IReadOnlyList<string>? Charts);

/// <summary>One outcome's held-out evaluation; null where a measure is undefined (an empty group).</summary>
public sealed record UpliftEvaluationDocument(
    string Outcome,
    long Treated,
    long Control,
    double? TreatedMean,
    double? ControlMean,
    double? AverageEffect,
    double? AverageEffectError,
    double? UpliftAuc,
    double? QiniCoefficient,
    IReadOnlyList<UpliftAtShareDocument> UpliftAtK,
    UpliftRankingDocument Ranking,
    IReadOnlyList<UpliftBinDocument> Bins,
    UpliftCurveDocument UpliftCurve,
    UpliftCurveDocument QiniCurve);

/// <summary>Uplift among the top share by predicted uplift.</summary>
public sealed record UpliftAtShareDocument(double Share, double? Uplift);

/// <summary>Top 30% against the rest on the held-out customers.</summary>
public sealed record UpliftRankingDocument(double TopShare, double? Top, double? Rest, double? Difference, double? StandardError, double? P, bool Informative);

/// <summary>One bin by predicted uplift: predicted against realized.</summary>
public sealed record UpliftBinDocument(int Bin, double? Predicted, double? Low, long Treated, long Control, double? TreatedMean, double? ControlMean, double? Realized, double? StandardError);

/// <summary>A curve's points: customers targeted and the curve's value.</summary>
public sealed record UpliftCurveDocument(IReadOnlyList<double> Targeted, IReadOnlyList<double?> Value);

/// <summary>Every campaign's newest uplift model.</summary>
public sealed record UpliftListDocument(IReadOnlyList<UpliftModelDocument> Models);

/// <summary>Builds the uplift documents.</summary>
public static class UpliftDocuments
{
    /// <summary>The document of <paramref name="model"/>; <paramref name="stored"/> false for a dry run (no version).</summary>
    public static UpliftModelDocument Model(UpliftModel model, bool stored, IReadOnlyList<string>? charts = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new UpliftModelDocument(
            stored ? model.Version : null,
            model.Campaign,
            model.Arms,
            model.Method == UpliftMethod.TLearner ? "t_learner" : "transformed_outcome",
            Iso(model.LaunchAsOf),
            Iso(model.WindowFrom),
            Iso(model.WindowTo),
            model.WindowComplete,
            model.TreatedShare,
            model.TrainTreated,
            model.TrainControl,
            model.Request.TestShare,
            model.Request.Seed,
            model.Request.Boosting ?? new BoostingOptions(),
            model.Inputs,
            [.. model.Evaluations.Select(Evaluation)],
            Iso(model.ScoredAsOf),
            model.Scored,
            Number(model.QuadrantMargin),
            Number(model.BaselineThreshold),
            model.Quadrants,
            [.. model.FieldSet().Fields.Select(f => model.Namespace + "." + f.Name)],
            Warnings(model),
            charts);
    }

    /// <summary>
    /// What a reader must know before using the scores: an incomplete window, a ranking no better than chance (of every
    /// outcome, or only of <paramref name="outcome"/>).
    /// </summary>
    public static IReadOnlyList<string> Warnings(UpliftModel model, string? outcome = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var inv = CultureInfo.InvariantCulture;
        var warnings = new List<string>();
        if (!model.WindowComplete)
        {
            warnings.Add($"the data does not reach the end of the outcome window ({Iso(model.WindowTo)}): outcomes are partial");
        }

        foreach (var e in model.Evaluations.Where(e => !e.Ranking.Informative && (outcome is null || e.Outcome == outcome)))
        {
            warnings.Add(string.Create(inv, $"{e.Outcome}: on the held-out customers, the top {e.Ranking.TopShare:P0} by predicted uplift did not gain more than the rest (difference {e.Ranking.Difference:G3} ± {e.Ranking.StandardError:G3}, p = {e.Ranking.P:0.###}): the ranking is not distinguishable from random targeting; use the average effect ({e.AverageEffect:G3} ± {e.AverageEffectError:G3}) instead"));
        }

        return warnings;
    }

    private static UpliftEvaluationDocument Evaluation(UpliftEvaluation e) => new(
        e.Outcome,
        e.Treated,
        e.Control,
        Number(e.TreatedMean),
        Number(e.ControlMean),
        Number(e.AverageEffect),
        Number(e.AverageEffectError),
        Number(e.UpliftAuc),
        Number(e.QiniCoefficient),
        [.. e.UpliftAtK.Select(u => new UpliftAtShareDocument(u.Share, Number(u.Uplift)))],
        new UpliftRankingDocument(e.Ranking.TopShare, Number(e.Ranking.Top), Number(e.Ranking.Rest), Number(e.Ranking.Difference), Number(e.Ranking.StandardError), Number(e.Ranking.P), e.Ranking.Informative),
        [.. e.Bins.Select(b => new UpliftBinDocument(b.Bin, Number(b.Predicted), Number(b.Low), b.Treated, b.Control, Number(b.TreatedMean), Number(b.ControlMean), Number(b.Realized), Number(b.StandardError)))],
        Curve(e.UpliftCurve),
        Curve(e.QiniCurve));

    private static UpliftCurveDocument Curve(UpliftCurve c) => new(c.Targeted, [.. c.Value.Select(Number)]);
}

/// <summary>A budget allocation as <c>segmenta allocate</c> reports it.</summary>
public sealed record AllocationDocument(
    string Campaign,
    int Model,
    string Outcome,
    string Field,
    double Budget,
    double CostPerContact,
    double ValuePerUnit,
    double Holdout,
    double Confidence,
    long Scored,
    long Profitable,
    long Audience,
    double? Threshold,
    string Limit,
    AllocationPointDocument Chosen,
    double? MarginalRoi,
    IntervalDocument MarginalRoiInterval,
    AllocationPointDocument Everyone,
    IReadOnlyList<AllocationPointDocument> Curve,
    IReadOnlyList<string> Warnings,
    string? SegmentFile,
    string? CampaignFile);

/// <summary>One point of the spend curve: contacts, spend, the model's own prediction, the held-out-calibrated expectation with its interval, ROI.</summary>
public sealed record AllocationPointDocument(long Contacts, double Spend, double? PredictedProfit, double? ExpectedProfit, IntervalDocument ExpectedProfitInterval, double? Roi, IntervalDocument? RoiInterval);

/// <summary>Builds the allocation document.</summary>
public static class AllocationDocuments
{
    /// <summary>The document of <paramref name="result"/> with the files written (null on a dry run).</summary>
    public static AllocationDocument Of(AllocationResult result, string? segmentFile, string? campaignFile)
    {
        ArgumentNullException.ThrowIfNull(result);
        var r = result.Request;
        return new AllocationDocument(
            r.Campaign,
            result.Model.Version,
            r.Outcome,
            BudgetAllocation.Field(result),
            r.Budget,
            r.CostPerContact,
            r.ValuePerUnit,
            r.Holdout,
            r.Confidence,
            result.Scored,
            result.Profitable,
            result.Audience,
            Number(result.Threshold),
            result.Limit,
            Point(result.Chosen),
            Number(result.MarginalRoi),
            new IntervalDocument(Number(result.MarginalRoiInterval.Low), Number(result.MarginalRoiInterval.High)),
            Point(result.Everyone),
            [.. result.Curve.Select(Point)],
            Warnings(result),
            segmentFile,
            campaignFile);
    }

    /// <summary>What the reader must know: the model's own warnings, and an expected profit whose interval holds zero.</summary>
    public static IReadOnlyList<string> Warnings(AllocationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var inv = CultureInfo.InvariantCulture;
        var warnings = UpliftDocuments.Warnings(result.Model, result.Request.Outcome).ToList();
        var chosen = result.Chosen;
        if (result.Audience == 0)
        {
            warnings.Add(string.Create(inv, $"no customer is predicted to pay for a contact at {result.Request.CostPerContact}: nobody was chosen"));
        }
        else if (chosen.ExpectedInterval.Low <= 0)
        {
            warnings.Add(string.Create(inv, $"the expected incremental profit ({chosen.Expected:0.##}, {result.Request.Confidence:P0} interval {chosen.ExpectedInterval.Low:0.##} to {chosen.ExpectedInterval.High:0.##}) is not distinguishable from zero: the held-out customers do not show that this audience pays"));
        }

        return warnings;
    }

    private static AllocationPointDocument Point(AllocationPoint p) => new(
        p.Contacts,
        p.Spend,
        Number(p.Predicted),
        Number(p.Expected),
        new IntervalDocument(Number(p.ExpectedInterval.Low), Number(p.ExpectedInterval.High)),
        p.Roi is { } roi ? Number(roi) : null,
        p.RoiInterval is { } i ? new IntervalDocument(Number(i.Low), Number(i.High)) : null);
}
