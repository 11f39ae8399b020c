using System.Text.Json;
using System.Text.Json.Serialization;
using Segmenta.Language;
using Segmenta.Model;

namespace Segmenta.Uplift;

/// <summary>How per-customer uplift is learned.</summary>
public enum UpliftMethod
{
    /// <summary>Two models (T-learner): the outcome among treated customers and among control customers; uplift is their difference.</summary>
    TLearner,

    /// <summary>
    /// One regression of the transformed outcome Z = Y · (T − p) / (p (1 − p)), p the treated share: E[Z | x] is the uplift
    /// itself (Athey and Imbens), for any treated share and for revenue as well as conversion.
    /// </summary>
    TransformedOutcome,
}

/// <summary>What to fit: which campaign and arm, on which inputs, by which method.</summary>
/// <param name="Campaign">A launched campaign with a holdout.</param>
/// <param name="Arms">The treated arms compared with the holdout (pooled); empty means every treated arm.</param>
/// <param name="Features">Inputs: catalog features at the launch instant, or customer columns. Never an outcome of the campaign.</param>
/// <param name="Method">The learner.</param>
/// <param name="TestShare">Customers held out (by a seeded hash of their id) to evaluate on; the model never sees them.</param>
/// <param name="Seed">Seeds the split and the trees.</param>
/// <param name="Boosting">The trees.</param>
public sealed record UpliftRequest(
    string Campaign,
    IReadOnlyList<string> Arms,
    IReadOnlyList<string> Features,
    UpliftMethod Method = UpliftMethod.TLearner,
    double TestShare = 0.3,
    int Seed = 42,
    BoostingOptions? Boosting = null);

/// <summary>An input as encoded: a number as is (missing is NaN), or a category one-hot over its most frequent training levels.</summary>
/// <param name="Name">The feature or column.</param>
/// <param name="Categorical">One-hot encoded.</param>
/// <param name="Levels">The levels with a column of their own (others, and a missing value, have none).</param>
public sealed record UpliftInput(string Name, bool Categorical, IReadOnlyList<string> Levels);

/// <summary>Whether the model ranks customers better than chance on the held-out part.</summary>
/// <param name="TopShare">The share ranked highest.</param>
/// <param name="Top">The uplift the top share showed.</param>
/// <param name="Rest">The uplift the others showed.</param>
/// <param name="Difference">Top − rest.</param>
/// <param name="StandardError">Of the difference.</param>
/// <param name="P">One-sided p-value of "no difference" against "the top gains more".</param>
public sealed record RankingCheck(double TopShare, double Top, double Rest, double Difference, double StandardError, double P)
{
    /// <summary>The top share's uplift is above the rest's at the 5% level: the ranking carries information.</summary>
    public bool Informative => P < 0.05;
}

/// <summary>How one outcome's uplift predictions did on the held-out customers.</summary>
/// <param name="Outcome">conversion, revenue or visit.</param>
/// <param name="Treated">Held-out treated customers.</param>
/// <param name="Control">Held-out control customers.</param>
/// <param name="TreatedMean">Their mean outcome.</param>
/// <param name="ControlMean">Their mean outcome.</param>
/// <param name="AverageEffect">TreatedMean − ControlMean: the campaign's average effect on the held-out part.</param>
/// <param name="AverageEffectError">Its standard error.</param>
/// <param name="UpliftAuc">Normalized area under the uplift curve (0 random, 1 perfect).</param>
/// <param name="QiniCoefficient">Normalized area under the Qini curve (0 random, 1 perfect).</param>
/// <param name="UpliftAtK">Uplift among the top 10%, 20%, 30% and 50% (sklift's overall strategy).</param>
/// <param name="UpliftCurve">The uplift curve, thinned to about 100 points.</param>
/// <param name="QiniCurve">The Qini curve, thinned.</param>
/// <param name="Bins">Ten bins by predicted uplift with the uplift each showed.</param>
/// <param name="Ranking">Top 30% against the rest.</param>
public sealed record UpliftEvaluation(
    string Outcome,
    long Treated,
    long Control,
    double TreatedMean,
    double ControlMean,
    double AverageEffect,
    double AverageEffectError,
    double UpliftAuc,
    double QiniCoefficient,
    IReadOnlyList<UpliftAtShare> UpliftAtK,
    UpliftCurve UpliftCurve,
    UpliftCurve QiniCurve,
    IReadOnlyList<UpliftBin> Bins,
    RankingCheck Ranking);

/// <summary>Uplift among the top share of customers by predicted uplift.</summary>
public sealed record UpliftAtShare(double Share, double Uplift);

/// <summary>
/// A fitted uplift model: what it was fitted on, how it did on held-out customers, and the instant its stored scores
/// are for. The trees themselves are not kept: scores are computed when the model is fitted (refit to rescore).
/// </summary>
/// <param name="Version">Stored version (0 before storing).</param>
/// <param name="Campaign">The campaign.</param>
/// <param name="Arms">Treated arms pooled against the holdout.</param>
/// <param name="Method">The learner.</param>
/// <param name="LaunchAsOf">The launch's as-of: the inputs the model learned from are as of then.</param>
/// <param name="WindowFrom">Start of the outcome window.</param>
/// <param name="WindowTo">End of the outcome window read.</param>
/// <param name="WindowComplete">Whether the data reaches the end of the window.</param>
/// <param name="TreatedShare">The treated share of the training customers (p of the transformed outcome).</param>
/// <param name="TrainTreated">Training customers treated.</param>
/// <param name="TrainControl">Training customers in the holdout.</param>
/// <param name="Inputs">The inputs as encoded.</param>
/// <param name="Outcomes">The outcomes modelled.</param>
/// <param name="Evaluations">Per outcome, on the held-out customers.</param>
/// <param name="QuadrantMargin">An uplift in conversion within ± this is "no effect" (the held-out average effect's standard error).</param>
/// <param name="BaselineThreshold">A predicted conversion without contact at or above this (the training holdout's rate) is a "sure thing".</param>
/// <param name="ScoredAsOf">The instant the stored scores' inputs are as of.</param>
/// <param name="Scored">Customers scored.</param>
/// <param name="Quadrants">Scored customers per quadrant.</param>
/// <param name="Request">The request.</param>
public sealed record UpliftModel(
    int Version,
    string Campaign,
    IReadOnlyList<string> Arms,
    UpliftMethod Method,
    DateTime LaunchAsOf,
    DateTime WindowFrom,
    DateTime WindowTo,
    bool WindowComplete,
    double TreatedShare,
    long TrainTreated,
    long TrainControl,
    IReadOnlyList<UpliftInput> Inputs,
    IReadOnlyList<string> Outcomes,
    IReadOnlyList<UpliftEvaluation> Evaluations,
    double QuadrantMargin,
    double BaselineThreshold,
    DateTime ScoredAsOf,
    long Scored,
    IReadOnlyList<QuadrantCount> Quadrants,
    UpliftRequest Request)
{
    /// <summary>The namespace of its scores in the segment language: <c>uplift.CAMPAIGN</c>.</summary>
    public string Namespace => UpliftAnalysis.Namespace + "." + Campaign;

    /// <summary>The evaluation of one outcome, if modelled.</summary>
    public UpliftEvaluation? Evaluation(string outcome) => Evaluations.FirstOrDefault(e => e.Outcome == outcome);

    /// <summary>The model as stored (one line of JSON).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, UpliftModelJson.Default.UpliftModel);

    /// <summary>Reads a model written by <see cref="ToJson"/>.</summary>
    public static UpliftModel FromJson(string json) =>
        JsonSerializer.Deserialize(json, UpliftModelJson.Default.UpliftModel) ?? throw new JsonException("an uplift model was expected");

    /// <summary>
    /// <c>uplift.CAMPAIGN.conversion</c>, <c>.revenue</c>, <c>.visit</c> (predicted incremental effect of contact),
    /// <c>.baseline</c> (predicted conversion without it) and <c>.quadrant</c>, read from the stored scores.
    /// </summary>
    public DerivedFieldSet FieldSet() => new(
        Namespace,
        Warehouse.Tables.UpliftScores,
        [
            .. Outcomes.Select(o => new FieldDefinition(o, FieldType.Number)),
            new FieldDefinition("baseline", FieldType.Number),
            new FieldDefinition("quadrant", FieldType.Text),
        ],
        $"segmenta uplift fit {Campaign}")
    {
        Source = new UpliftSql.Source(Campaign),
    };
}

/// <summary>Customers of one uplift quadrant.</summary>
public sealed record QuadrantCount(string Quadrant, long Customers);

/// <summary>
/// The stored model's JSON contract, generated at build time (as <c>Segmenta.Clv.ClvModelJson</c>): the same text reflection
/// wrote, without building the contract on first use in every command that reads the models. Storage keeps undefined
/// measures (an empty group's mean) as NaN, a named literal; documents show them as null.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    Converters = [typeof(SnakeCaseEnum<UpliftMethod>)])]
[JsonSerializable(typeof(UpliftModel))]
internal sealed partial class UpliftModelJson : JsonSerializerContext;
