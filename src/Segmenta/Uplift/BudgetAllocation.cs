using System.Globalization;
using System.Text;
using Segmenta.Campaigns;
using Segmenta.Numerics;

namespace Segmenta.Uplift;

/// <summary>What to allocate: a budget over the customers an uplift model scored.</summary>
/// <param name="Campaign">The campaign whose uplift model ranks customers.</param>
/// <param name="Budget">Money to spend on contacts.</param>
/// <param name="CostPerContact">What one contact costs.</param>
/// <param name="Outcome">The outcome whose uplift is the value: revenue (default), conversion or visit.</param>
/// <param name="ValuePerUnit">Profit per unit of the outcome: the margin for revenue, the profit of one conversion or visit otherwise.</param>
/// <param name="Holdout">The share of the chosen audience kept out of the contact, so the next campaign measures itself.</param>
/// <param name="Confidence">Of the intervals.</param>
public sealed record AllocationRequest(string Campaign, double Budget, double CostPerContact, string Outcome, double ValuePerUnit, double Holdout = 0.1, double Confidence = 0.95);

/// <summary>Contacting the top-ranked customers up to a spend: expected incremental profit and ROI.</summary>
/// <param name="Contacts">Customers contacted (the audience less its holdout).</param>
/// <param name="Spend">Contacts × cost.</param>
/// <param name="Predicted">The model's own sum of predicted uplift × value − spend (optimistic: the model grading itself).</param>
/// <param name="Expected">The incremental profit the held-out customers of each uplift bin actually showed, summed over the contacts − spend.</param>
/// <param name="ExpectedInterval">Its interval (the bins' standard errors, added in quadrature).</param>
/// <param name="Roi">Expected ÷ spend.</param>
/// <param name="RoiInterval">Its interval.</param>
public sealed record AllocationPoint(long Contacts, double Spend, double Predicted, double Expected, Interval ExpectedInterval, double? Roi, Interval? RoiInterval);

/// <summary>The chosen audience and the curve it was chosen from.</summary>
/// <param name="Request">The request.</param>
/// <param name="Model">The uplift model.</param>
/// <param name="Scored">Customers ranked.</param>
/// <param name="Profitable">Customers whose predicted uplift × value exceeds the cost of contacting them.</param>
/// <param name="Audience">Customers chosen, holdout included: the top <paramref name="Audience"/> by predicted uplift (ties at the cut included).</param>
/// <param name="Threshold">The predicted uplift of the last customer chosen.</param>
/// <param name="Limit">What stopped the choice: <c>budget</c>, or <c>profitable</c> (no further customer is predicted to pay for their contact).</param>
/// <param name="Chosen">The chosen audience's contacts, spend, and expected profit.</param>
/// <param name="MarginalRoi">The return of the last unit of budget: the last contact's bin's realized uplift × value ÷ cost − 1.</param>
/// <param name="MarginalRoiInterval">Its interval.</param>
/// <param name="Curve">Expected profit and ROI against spend, contacting more and more of the ranking, up to everyone.</param>
public sealed record AllocationResult(
    AllocationRequest Request,
    UpliftModel Model,
    long Scored,
    long Profitable,
    long Audience,
    double Threshold,
    string Limit,
    AllocationPoint Chosen,
    double MarginalRoi,
    Interval MarginalRoiInterval,
    IReadOnlyList<AllocationPoint> Curve)
{
    /// <summary>Contacting every scored customer: the curve's last point.</summary>
    public AllocationPoint Everyone => Curve[^1];
}

/// <summary>
/// Budget allocation over an uplift ranking (docs/uplift.md, "Allocating a budget"): contact customers in order of predicted
/// incremental value while each is predicted to pay for the contact and the budget lasts. Every figure is valued twice —
/// by the model's own predictions, and by what held-out customers in the same uplift bin actually did (with intervals),
/// which is the one to trust.
/// </summary>
public static class BudgetAllocation
{
    /// <summary>Points of the spend curve.</summary>
    public const int CurvePoints = 20;

    /// <summary>Allocates <paramref name="request"/>'s budget over the stored scores of <paramref name="model"/>.</summary>
    public static AllocationResult Allocate(UpliftModel model, IReadOnlyList<UpliftScore> scores, AllocationRequest request)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(request);
        if (!(request.Budget > 0) || !double.IsFinite(request.Budget))
        {
            throw new UpliftException("the budget must be a positive amount");
        }

        if (!(request.CostPerContact > 0) || !double.IsFinite(request.CostPerContact))
        {
            throw new UpliftException("the cost per contact must be positive (give --cost, or costs in the campaign file)");
        }

        if (request.Holdout is < 0 or >= 1)
        {
            throw new UpliftException("the holdout share must be at least 0 and below 1");
        }

        var evaluation = model.Evaluation(request.Outcome)
            ?? throw new UpliftException($"the uplift model of `{model.Campaign}` has no outcome `{request.Outcome}` (it has {string.Join(", ", model.Outcomes)})");
        var predicted = scores.Select(s => Score(s, request.Outcome)).Where(v => v is not null).Select(v => v!.Value).ToArray();
        Array.Sort(predicted, (a, b) => b.CompareTo(a));
        var n = predicted.Length;
        var unit = request.ValuePerUnit;
        var cost = request.CostPerContact;
        var contactShare = 1 - request.Holdout;
        var z = Inference.Z(request.Confidence);

        // Calibration: each score falls in the held-out bin whose range holds it; the bin's realized uplift is what a
        // customer there is worth on average, with the bin's standard error.
        var bins = evaluation.Bins.Where(b => b.Treated > 0 && b.Control > 0).ToList();
        int BinOf(double score)
        {
            for (var b = 0; b < bins.Count; b++)
            {
                if (score >= bins[b].Low)
                {
                    return b;
                }
            }

            return bins.Count - 1;
        }

        // Prefix sums along the ranking: predicted value, and per bin the customers taken.
        var binOf = predicted.Select(BinOf).ToArray();
        AllocationPoint Point(long audience)
        {
            var perBin = new long[bins.Count];
            double predictedSum = 0;
            for (var i = 0; i < audience; i++)
            {
                perBin[binOf[i]]++;
                predictedSum += predicted[i];
            }

            var contacts = (long)Math.Round(audience * contactShare);
            var spend = contacts * cost;
            double expected = 0, variance = 0;
            for (var b = 0; b < bins.Count; b++)
            {
                var taken = perBin[b] * contactShare;
                expected += taken * bins[b].Realized * unit;
                variance += Math.Pow(taken * bins[b].StandardError * unit, 2);
            }

            var se = Math.Sqrt(variance);
            var profit = expected - spend;
            var interval = new Interval(profit - (z * se), profit + (z * se));
            return new AllocationPoint(
                contacts,
                spend,
                (predictedSum * contactShare * unit) - spend,
                profit,
                interval,
                spend > 0 ? profit / spend : null,
                spend > 0 ? new Interval(interval.Low / spend, interval.High / spend) : null);
        }

        // Whom: in order of predicted uplift, while the contact is predicted to pay and the budget lasts. Ties at the cut
        // are all in, as `top N by` takes them.
        var profitable = predicted.LongCount(v => v * unit > cost);
        var affordable = (long)Math.Floor(request.Budget / (cost * contactShare));
        var limit = affordable < profitable ? "budget" : "profitable";
        var take = Math.Min(affordable, profitable);
        while (take > 0 && take < n && predicted[take] == predicted[take - 1] && Math.Round((take + 1) * contactShare) * cost <= request.Budget)
        {
            take++;
        }

        var chosen = Point(take);
        var threshold = take > 0 ? predicted[take - 1] : double.NaN;
        var last = take > 0 ? bins[binOf[take - 1]] : bins[0];
        var marginal = (last.Realized * unit / cost) - 1;
        var marginalSe = last.StandardError * unit / cost;
        var curve = Enumerable.Range(1, CurvePoints).Select(k => Point((long)Math.Round((double)n * k / CurvePoints))).ToList();
        return new AllocationResult(
            request,
            model,
            n,
            profitable,
            take,
            threshold,
            limit,
            chosen,
            marginal,
            new Interval(marginal - (z * marginalSe), marginal + (z * marginalSe)),
            curve);
    }

    /// <summary>The language field the ranking uses: <c>uplift.CAMPAIGN.OUTCOME</c>.</summary>
    public static string Field(AllocationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return $"{result.Model.Namespace}.{result.Request.Outcome}";
    }

    /// <summary>The segment file of the chosen audience: the top N by the model's field.</summary>
    public static string SegmentText(AllocationResult result, string name)
    {
        ArgumentNullException.ThrowIfNull(result);
        var inv = CultureInfo.InvariantCulture;
        var r = result.Request;
        var text = new StringBuilder();
        text.Append(inv, $"# Written by segmenta allocate --campaign {r.Campaign} --budget {r.Budget}: the customers whose contact is predicted to pay\n");
        text.Append(inv, $"# most ({r.Outcome} uplift × {r.ValuePerUnit} per unit against {r.CostPerContact} per contact), uplift model {result.Model.Version}.\n");
        text.Append(inv, $"segment {name} \"Top {result.Audience:N0} by predicted {r.Outcome} uplift of {r.Campaign}\"\n");
        text.Append(inv, $"  description \"Allocated {r.Budget} at {r.CostPerContact} per contact; expected incremental profit {result.Chosen.Expected:0.##} ({result.Chosen.ExpectedInterval.Low:0.##} to {result.Chosen.ExpectedInterval.High:0.##})\"\n");
        text.Append(inv, $"where top {result.Audience} by {Field(result)}\n");
        return text.ToString();
    }

    /// <summary>The campaign file that sends to the chosen audience with a holdout, measured like the source campaign.</summary>
    public static string CampaignText(AllocationResult result, CampaignDefinition source, string name, string segment, string? channel)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(source);
        var inv = CultureInfo.InvariantCulture;
        var r = result.Request;
        var o = source.Outcome;
        string List(IReadOnlyList<string> types) => "[" + string.Join(", ", types) + "]";
        var text = new StringBuilder();
        text.Append(inv, $"# Written by segmenta allocate from the uplift model of {r.Campaign} (version {result.Model.Version}): launch with\n");
        text.Append(inv, $"#   segmenta campaign launch {name}\n");
        text.Append(inv, $"# Expected: {result.Chosen.Contacts:N0} contacts, spend {result.Chosen.Spend:0.##}, incremental profit {result.Chosen.Expected:0.##} ({result.Chosen.ExpectedInterval.Low:0.##} to {result.Chosen.ExpectedInterval.High:0.##}).\n");
        text.Append(inv, $"description: \"Targeted by predicted {r.Outcome} uplift of {r.Campaign}, budget {r.Budget}\"\n");
        text.Append(inv, $"holdout: {r.Holdout}\n");
        text.Append(inv, $"segments:\n  {segment}: {{ name: {segment}, channel: {channel ?? "email"}, cost_per_contact: {r.CostPerContact} }}\n");
        if (r.Outcome == UpliftAnalysis.Revenue)
        {
            text.Append(inv, $"margin: {r.ValuePerUnit}\n");
        }

        text.Append(inv, $"outcome:\n  window: {o.WindowDays} days\n  conversion: {List(o.Conversion)}\n");
        if (o.Open.Count > 0)
        {
            text.Append(inv, $"  open: {List(o.Open)}\n");
        }

        if (o.Click.Count > 0)
        {
            text.Append(inv, $"  click: {List(o.Click)}\n");
        }

        if (o.Visit.Count > 0)
        {
            text.Append(inv, $"  visit: {List(o.Visit)}\n");
        }

        if (o.ValuePerConversion is { } value)
        {
            text.Append(inv, $"  value_per_conversion: {value}\n");
        }

        if (source.IgnoreConsent)
        {
            text.Append("consent: ignore\n");
        }

        return text.ToString();
    }

    private static double? Score(UpliftScore s, string outcome) => outcome switch
    {
        UpliftAnalysis.Conversion => s.Conversion,
        UpliftAnalysis.Revenue => s.Revenue,
        _ => s.Visit,
    };
}
