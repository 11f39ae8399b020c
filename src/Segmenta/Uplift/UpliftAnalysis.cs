using System.Globalization;
using Segmenta.Campaigns;
using Segmenta.Clustering;
using Segmenta.Features;
using Segmenta.Language;
using Segmenta.Model;
using Segmenta.Numerics;
using Segmenta.Warehouse;

namespace Segmenta.Uplift;

/// <summary>An uplift request that cannot be fitted: no such campaign, no holdout, an unknown input, too few customers.</summary>
public sealed class UpliftException(string message) : SegmentaException(message, FailureKind.BadInput);

/// <summary>A campaign without an uplift model was asked for one.</summary>
public sealed class UpliftNotFoundException(string message) : SegmentaException(message, FailureKind.NotFound);

/// <summary>The classic uplift quadrants a customer falls in by predicted conversion with and without contact.</summary>
public static class UpliftQuadrant
{
    /// <summary>Converts because of the contact: predicted uplift above the margin.</summary>
    public const string Persuadable = "persuadable";

    /// <summary>Converts anyway: no effect either way, predicted conversion without contact at or above the holdout's rate.</summary>
    public const string SureThing = "sure_thing";

    /// <summary>Does not convert either way: no effect, predicted conversion without contact below the holdout's rate.</summary>
    public const string LostCause = "lost_cause";

    /// <summary>Converts less because of the contact: predicted uplift below minus the margin.</summary>
    public const string SleepingDog = "sleeping_dog";

    /// <summary>The four, in the order reports show them.</summary>
    public static IReadOnlyList<string> All { get; } = [Persuadable, SureThing, LostCause, SleepingDog];

    /// <summary>The quadrant of an uplift and a baseline.</summary>
    public static string Of(double uplift, double baseline, double margin, double threshold) =>
        uplift >= margin && uplift > 0 ? Persuadable
        : uplift <= -margin && uplift < 0 ? SleepingDog
        : baseline >= threshold ? SureThing
        : LostCause;
}

/// <summary>
/// Uplift modelling from a randomized campaign (docs/uplift.md): per-customer predicted incremental effect of the contact on
/// conversion, revenue and visits, learned from the campaign's treated and holdout customers with their inputs as of the
/// launch, evaluated on customers held out of the fit, and stored for every customer scored at an instant of choice.
/// </summary>
public static class UpliftAnalysis
{
    /// <summary>The language namespace: <c>uplift.CAMPAIGN.field</c>.</summary>
    public const string Namespace = "uplift";

    /// <summary>Conversion: at least one conversion event in the window (0/1).</summary>
    public const string Conversion = "conversion";

    /// <summary>Net revenue in the window.</summary>
    public const string Revenue = "revenue";

    /// <summary>Visit: at least one visit event in the window (0/1).</summary>
    public const string Visit = "visit";

    /// <summary>The top shares uplift is reported at.</summary>
    public static IReadOnlyList<double> Shares { get; } = [0.1, 0.2, 0.3, 0.5];

    /// <summary>The smallest number of training customers per group a fit accepts.</summary>
    public const int MinimumPerGroup = 50;

    /// <summary>Reads the campaign's customers, inputs and outcomes, fits, evaluates on the held-out part, and scores everyone as of <paramref name="scoring"/>.</summary>
    /// <remarks><paramref name="now"/> tells whether the outcome window has ended: before its end, outcomes are partial and the model says so.</remarks>
    public static UpliftFit Fit(IWarehouse warehouse, UpliftRequest request, EvaluationContext scoring, DateTime now, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(scoring);
        if (request.TestShare is <= 0 or >= 1)
        {
            throw new UpliftException("the held-out share must be between 0 and 1 (exclusive)");
        }

        var campaign = CampaignLauncher.Find(warehouse, request.Campaign)
            ?? throw new UpliftException($"no launched campaign `{request.Campaign}`: launch it first (segmenta campaign launch), or see segmenta campaign list");
        var definition = campaign.Definition;
        var armsLaunched = definition.TreatedArms.Select(a => a.Name).ToList();
        foreach (var arm in request.Arms.Where(a => !armsLaunched.Contains(a, StringComparer.Ordinal)))
        {
            throw new UpliftException($"campaign `{campaign.Definition.Name}` has no treated arm `{arm}`; its arms: {string.Join(", ", armsLaunched)}");
        }

        var arms = request.Arms.Count == 0 ? armsLaunched : [.. request.Arms];
        var outcomes = new List<string> { Conversion, Revenue };
        if (definition.Outcome.Visit.Count > 0)
        {
            outcomes.Add(Visit);
        }

        // Outcomes in the window, as the measurement reads them.
        var to = campaign.WindowEnd;
        var rows = new Dictionary<string, (byte Treated, double Conversion, double Revenue, double Visit)>(StringComparer.Ordinal);
        warehouse.Read(CampaignSql.Outcomes(warehouse.Dialect, campaign, to), r =>
        {
            var arm = r.GetString(2);
            var treated = arm == CampaignDefinition.HoldoutArm ? (byte)0 : arms.Contains(arm, StringComparer.Ordinal) ? (byte)1 : (byte)2;
            if (treated < 2)
            {
                rows[r.GetString(0)] = (treated, r.GetInt64(3) > 0 ? 1 : 0, r.GetDouble(4), r.GetInt64(7) > 0 ? 1 : 0);
            }
        });
        cancellation.ThrowIfCancellationRequested();

        // Inputs as of the launch: what was known when the arms were drawn.
        var zone = scoring.Zone;
        var launchContext = new EvaluationContext(campaign.AsOf, zone);
        var (numeric, categorical) = Resolve(warehouse, request.Features);
        var launchInputs = ClusterInputQuery.Read(warehouse, launchContext, numeric, categorical);
        cancellation.ThrowIfCancellationRequested();

        var ids = new List<string>();
        var index = new List<int>();
        for (var i = 0; i < launchInputs.Customers.Count; i++)
        {
            if (rows.ContainsKey(launchInputs.Customers[i]))
            {
                ids.Add(launchInputs.Customers[i]);
                index.Add(i);
            }
        }

        var salt = string.Create(CultureInfo.InvariantCulture, $"uplift:{request.Seed}");
        var isTest = ids.Select(id => CampaignLauncher.Bucket(salt, id) < request.TestShare).ToArray();
        var treatedAll = ids.Select(id => rows[id].Treated).ToArray();
        var trainT = Pick(treatedAll, isTest, false);
        long trainTreated = trainT.LongCount(t => t == 1), trainControl = trainT.Length - trainTreated;

        if (trainControl < MinimumPerGroup || trainTreated < MinimumPerGroup)
        {
            throw new UpliftException(string.Create(CultureInfo.InvariantCulture, $"campaign `{definition.Name}` leaves {trainTreated:N0} treated and {trainControl:N0} holdout customers to learn from (at least {MinimumPerGroup} of each are needed; uplift needs a randomized holdout)"));
        }

        var encoder = UpliftEncoder.Fit(numeric, categorical, launchInputs, [.. index.Where((_, k) => !isTest[k])]);
        var matrix = encoder.Encode(launchInputs, index);
        var trainRows = Pick(matrix, isTest, false);
        var testRows = Pick(matrix, isTest, true);
        var testT = Pick(treatedAll, isTest, true);
        var treatedShare = (double)trainTreated / (trainTreated + trainControl);
        var boosting = request.Boosting ?? new BoostingOptions(Seed: request.Seed);

        var learners = new Dictionary<string, UpliftLearner.Fitted>(StringComparer.Ordinal);
        var evaluations = new List<UpliftEvaluation>();
        foreach (var outcome in outcomes)
        {
            var y = ids.Select(id => Value(rows[id], outcome)).ToArray();
            var fitted = UpliftLearner.Fit(trainRows, Pick(y, isTest, false), trainT, binary: outcome != Revenue, request.Method, treatedShare, boosting);
            learners[outcome] = fitted;
            evaluations.Add(Evaluate(outcome, Pick(y, isTest, true), fitted.Uplift(testRows), testT));
            cancellation.ThrowIfCancellationRequested();
        }

        // Everyone scored with their inputs as of the scoring instant.
        var scoringInputs = ClusterInputQuery.Read(warehouse, scoring, numeric, categorical);
        var everyone = encoder.Encode(scoringInputs, [.. Enumerable.Range(0, scoringInputs.Customers.Count)]);
        var scores = outcomes.ToDictionary(o => o, o => learners[o].Uplift(everyone), StringComparer.Ordinal);
        var baseline = learners[Conversion].Baseline(everyone);
        var conversion = evaluations[0];
        var margin = conversion.AverageEffectError;
        var threshold = UpliftMetrics.Groups(Pick(ids.Select(id => rows[id].Conversion).ToArray(), isTest, false), trainT, [.. Enumerable.Range(0, trainT.Length)]).Control.Mean;
        var quadrants = scores[Conversion].Select((u, i) => UpliftQuadrant.Of(u, baseline[i], margin, threshold)).ToArray();
        var counts = UpliftQuadrant.All.Select(q => new QuadrantCount(q, quadrants.LongCount(x => x == q))).ToList();

        var model = new UpliftModel(
            0,
            definition.Name,
            arms,
            request.Method,
            campaign.AsOf,
            campaign.SendAt,
            to,
            now >= to,
            treatedShare,
            trainTreated,
            trainControl,
            encoder.Inputs,
            outcomes,
            evaluations,
            margin,
            threshold,
            scoring.AsOf,
            scoringInputs.Customers.Count,
            counts,
            request with { Boosting = boosting });
        return new UpliftFit(model, [.. scoringInputs.Customers], scores, baseline, quadrants);
    }

    /// <summary>Stores a fit: the model with the next version and the campaign's scores in place of the previous ones, in one transaction.</summary>
    public static UpliftModel Store(IWarehouse warehouse, UpliftFit fit, DateTime now, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        ArgumentNullException.ThrowIfNull(fit);
        var d = warehouse.Dialect;
        var version = 1;
        warehouse.Read(UpliftSql.NextVersion(d), r => version = checked((int)r.GetInt64(0)));
        var model = fit.Model with { Version = version };
        var n = fit.Customers.Count;
        double? Score(string outcome, int i) => fit.Scores.TryGetValue(outcome, out var s) ? s[i] : null;
        var rows = new TableRows(n)
            .Add("campaign", Enumerable.Repeat<string?>(model.Campaign, n).ToArray())
            .Add(CanonicalModel.CustomerId, fit.Customers.ToArray<string?>())
            .Add(Conversion, Enumerable.Range(0, n).Select(i => Score(Conversion, i)).ToArray())
            .Add(Revenue, Enumerable.Range(0, n).Select(i => Score(Revenue, i)).ToArray())
            .Add(Visit, Enumerable.Range(0, n).Select(i => Score(Visit, i)).ToArray())
            .Add("baseline", fit.Baseline.Select(b => (double?)b).ToArray())
            .Add("quadrant", fit.Quadrants.ToArray<string?>());
        warehouse.AppendInTransaction(
            [UpliftSql.InsertModel(d, model.Campaign, version, now, model.ScoredAsOf, model.ToJson()), UpliftSql.ClearScores(d, model.Campaign)],
            Tables.UpliftScores,
            rows,
            cancellation);
        return model;
    }

    /// <summary>The newest model of every campaign that has one, by campaign name.</summary>
    public static IReadOnlyList<UpliftModel> Active(IWarehouse warehouse, string? campaign = null)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        var models = new List<UpliftModel>();
        warehouse.Read(UpliftSql.Newest(warehouse.Dialect, campaign), r => models.Add(UpliftModel.FromJson(r.GetString(0))));
        return models;
    }

    /// <summary>The newest model of <paramref name="campaign"/>; without one, not found, saying how to fit one.</summary>
    public static UpliftModel Require(IWarehouse warehouse, string campaign) =>
        Active(warehouse, campaign) is [var model] ? model
            : throw new UpliftNotFoundException($"no uplift model for campaign `{campaign}`: fit one with segmenta uplift fit {campaign} --features …");

    /// <summary>A campaign's stored scores in customer-id order.</summary>
    public static IReadOnlyList<UpliftScore> Scores(IWarehouse warehouse, string campaign)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        var scores = new List<UpliftScore>();
        warehouse.Read(UpliftSql.Scores(warehouse.Dialect, campaign), r => scores.Add(new UpliftScore(
            r.GetString(0),
            r.IsDBNull(1) ? null : r.GetDouble(1),
            r.IsDBNull(2) ? null : r.GetDouble(2),
            r.IsDBNull(3) ? null : r.GetDouble(3),
            r.IsDBNull(4) ? null : r.GetDouble(4),
            r.IsDBNull(5) ? null : r.GetString(5))));
        return scores;
    }

    /// <summary>The held-out evaluation of one outcome's predicted uplift.</summary>
    internal static UpliftEvaluation Evaluate(string outcome, double[] y, double[] uplift, byte[] treated)
    {
        var (t, c) = UpliftMetrics.Groups(y, treated, [.. Enumerable.Range(0, y.Length)]);
        var (effect, se) = UpliftMetrics.Difference(t, c);
        return new UpliftEvaluation(
            outcome,
            t.N,
            c.N,
            t.Mean,
            c.Mean,
            effect,
            se,
            // sklift's perfect uplift curve is defined for yes/no outcomes only; the Qini curve's perfect ranking holds for any.
            y.All(v => v is 0 or 1) ? UpliftMetrics.UpliftAuc(y, uplift, treated) : double.NaN,
            UpliftMetrics.QiniCoefficient(y, uplift, treated),
            [.. Shares.Select(k => new UpliftAtShare(k, UpliftMetrics.UpliftAtK(y, uplift, treated, k)))],
            UpliftMetrics.Uplift(y, uplift, treated).Thin(100),
            UpliftMetrics.Qini(y, uplift, treated).Thin(100),
            UpliftMetrics.Bins(y, uplift, treated, 10),
            Ranking(y, uplift, treated, 0.3));
    }

    /// <summary>Top share against the rest: each part's treated − control difference, Welch-style standard error, one-sided p.</summary>
    private static RankingCheck Ranking(double[] y, double[] uplift, byte[] treated, double share)
    {
        var order = UpliftMetrics.Descending(uplift);
        var cut = (int)(order.Length * share);
        var top = Part(order.AsSpan(0, cut));
        var rest = Part(order.AsSpan(cut));
        var difference = top.Effect - rest.Effect;
        var se = Math.Sqrt((top.StandardError * top.StandardError) + (rest.StandardError * rest.StandardError));
        var p = se > 0 ? 1 - Inference.NormalCdf(difference / se) : double.NaN;
        return new RankingCheck(share, top.Effect, rest.Effect, difference, se, p);

        (double Effect, double StandardError) Part(ReadOnlySpan<int> part)
        {
            var (t, c) = UpliftMetrics.Groups(y, treated, part);
            return UpliftMetrics.Difference(t, c);
        }
    }

    private static (IReadOnlyList<InputColumn> Numeric, IReadOnlyList<InputColumn> Categorical) Resolve(IWarehouse warehouse, IReadOnlyList<string> names)
    {
        if (names.Count == 0)
        {
            throw new UpliftException("name the inputs to learn from: --features months_since_purchase,history,zip_area (catalog features as of the launch, or customer columns; never an outcome of the campaign)");
        }

        var columns = warehouse.Columns(TableKind.Customers);
        bool IsNumber(string name)
        {
            var type = FeatureCatalog.Find(name)?.Type ?? columns.FirstOrDefault(c => c.Name == name)?.Type;
            return type is FieldType.Integer or FieldType.Number;
        }

        var numeric = names.Where(IsNumber).ToList();
        var categorical = names.Where(n => !IsNumber(n)).ToList();
        try
        {
            return (ClusterInputQuery.Resolve(numeric, columns, numeric: true), ClusterInputQuery.Resolve(categorical, columns, numeric: false));
        }
        catch (ClusterSetupException e)
        {
            throw new UpliftException(e.Message);
        }
    }

    private static double Value((byte Treated, double Conversion, double Revenue, double Visit) row, string outcome) => outcome switch
    {
        Conversion => row.Conversion,
        Revenue => row.Revenue,
        _ => row.Visit,
    };

    private static T[] Pick<T>(IReadOnlyList<T> values, bool[] isTest, bool test)
    {
        var result = new List<T>();
        for (var i = 0; i < values.Count; i++)
        {
            if (isTest[i] == test)
            {
                result.Add(values[i]);
            }
        }

        return [.. result];
    }
}

/// <summary>A fitted model (not yet stored) with every scored customer's predictions.</summary>
/// <param name="Model">The model.</param>
/// <param name="Customers">Scored customers, in customer-id byte order.</param>
/// <param name="Scores">Per outcome, each customer's predicted uplift.</param>
/// <param name="Baseline">Each customer's predicted conversion without contact.</param>
/// <param name="Quadrants">Each customer's quadrant.</param>
public sealed record UpliftFit(UpliftModel Model, IReadOnlyList<string> Customers, IReadOnlyDictionary<string, double[]> Scores, double[] Baseline, string[] Quadrants);

/// <summary>One customer's stored uplift scores.</summary>
public sealed record UpliftScore(string CustomerId, double? Conversion, double? Revenue, double? Visit, double? Baseline, string? Quadrant);
