using Segmenta.Language;
using Segmenta.Numerics;
using Segmenta.Segments;
using Segmenta.Sql;
using Segmenta.Warehouse;

namespace Segmenta.Campaigns;

/// <summary>What one segment of a planned campaign can detect.</summary>
/// <param name="Segment">The segment.</param>
/// <param name="Customers">Customers it would get (after priority resolution).</param>
/// <param name="Holdout">Of them, kept out.</param>
/// <param name="Variant">Of them, getting the segment's own variant.</param>
/// <param name="Broadcast">Of them, getting the generic message.</param>
/// <param name="BaseRate">The expected holdout conversion rate over the window (see <paramref name="BaseRateReference"/>).</param>
/// <param name="DetectableVsHoldout">Minimum detectable absolute lift of the variant over the holdout.</param>
/// <param name="DetectableVsBroadcast">Minimum detectable absolute difference of the variant over the broadcast arm (null without one).</param>
/// <param name="PowerAtTarget">Power to detect the target relative lift against the holdout (null without a target).</param>
/// <param name="BaseRateReference">Where the base rate comes from: <c>earlier_members</c>, <c>assumed</c> or <c>none</c>.</param>
/// <param name="ReferenceCustomers">For <c>earlier_members</c>: how many customers the rate was measured on.</param>
public sealed record PlannedSegment(string Segment, long Customers, long Holdout, long Variant, long Broadcast, double BaseRate, double DetectableVsHoldout, double? DetectableVsBroadcast, double? PowerAtTarget, string BaseRateReference = "earlier_members", long ReferenceCustomers = 0)
{
    /// <summary>The minimum detectable lift relative to the base rate.</summary>
    public double? RelativeDetectableVsHoldout => BaseRate > 0 ? DetectableVsHoldout / BaseRate : null;
}

/// <summary>A campaign's power analysis before launch.</summary>
/// <param name="Definition">The campaign.</param>
/// <param name="AsOf">The instant membership was evaluated at.</param>
/// <param name="Alpha">The family-wise significance level.</param>
/// <param name="AlphaPerTest">Alpha divided by the number of segments (Bonferroni: what Holm needs of the smallest p-value, so a safe plan).</param>
/// <param name="Power">The power the detectable effects are computed for.</param>
/// <param name="TargetLift">The relative lift the power column is for, or null.</param>
/// <param name="Segments">Per segment.</param>
/// <param name="InSeveral">Customers in more than one target segment (each counted in the first).</param>
/// <param name="ReferenceAsOf">The earlier instant whose members give the base rates (as-of less the outcome window).</param>
public sealed record CampaignPlan(CampaignDefinition Definition, DateTime AsOf, double Alpha, double AlphaPerTest, double Power, double? TargetLift, IReadOnlyList<PlannedSegment> Segments, long InSeveral, DateTime ReferenceAsOf = default)
{
    /// <summary>Who the consent check left out before the arms were drawn (the planned sizes are of those left in).</summary>
    public Segments.ConsentCheck? Consent { get; init; }
}

/// <summary>
/// Plans a campaign: assigns its audience as a launch would (nothing is stored) and reports, per
/// segment, how many customers each arm gets and the smallest conversion lift the holdout can detect.
/// The base rate — what the holdout will convert at — is the segment's own rate in a comparable earlier window:
/// the segment's members one outcome window before the as-of, and the share of them converting in the window
/// that followed (what a holdout launched then saw). Not the current members' rate in the window just past: a
/// win-back segment ("no purchase in 90 days") has none there by construction, which made every lift look
/// undetectable. Without earlier members the rate is unknown and must be assumed (<c>--base-rate</c>).
/// </summary>
public static class CampaignPlanner
{
    /// <summary>The power analysis of <paramref name="definition"/> as of <paramref name="context"/>.</summary>
    public static CampaignPlan Plan(IWarehouse warehouse, SegmentLibrary library, CampaignDefinition definition, EvaluationContext context, double alpha, double power, double? targetLift, double? assumedBaseRate = null)
    {
        ArgumentNullException.ThrowIfNull(library);
        ArgumentNullException.ThrowIfNull(warehouse);
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(context);
        if (alpha is not (> 0 and < 1) || power is not (> 0 and < 1) || assumedBaseRate is not (null or (> 0 and < 1))
            || targetLift is { } wanted && (!double.IsFinite(wanted) || wanted <= -1))
        {
            throw new CampaignException("alpha, power and base rate must be between 0 and 1, and lift a finite number above -1 (0.2 = +20%)");
        }

        var assignment = CampaignLauncher.Assign(warehouse, library, definition, context);
        var reference = new EvaluationContext(context.AsOf.AddDays(-definition.Outcome.WindowDays), context.Zone);
        var converted = Converters(warehouse, definition, context);
        var tests = Math.Max(1, definition.Strata.Count);
        var perTest = alpha / tests;
        var rows = new List<PlannedSegment>();
        foreach (var segment in definition.Strata)
        {
            long customers = 0, holdout = 0, broadcast = 0;
            for (var i = 0; i < assignment.CustomerIds.Length; i++)
            {
                if (assignment.Segments[i] != segment)
                {
                    continue;
                }

                customers++;
                holdout += assignment.Arms[i] == CampaignDefinition.HoldoutArm ? 1 : 0;
                broadcast += assignment.Arms[i] == CampaignDefinition.BroadcastArm ? 1 : 0;
            }

            var variant = customers - holdout - broadcast;
            var (earlier, earlierConverted) = EarlierMembers(warehouse, library, segment, reference, converted);
            var (rate, source) = assumedBaseRate is { } assumed ? (assumed, "assumed")
                : earlier > 0 ? ((double)earlierConverted / earlier, "earlier_members")
                : (0.0, "none");
            rows.Add(new PlannedSegment(
                segment,
                customers,
                holdout,
                variant,
                broadcast,
                rate,
                Inference.MinimumDetectableEffect(rate, variant, holdout, perTest, power),
                definition.Broadcast is null ? null : Inference.MinimumDetectableEffect(rate, variant, broadcast, perTest, power),
                targetLift is { } lift ? Inference.Power(rate, rate * lift, variant, holdout, perTest) : null,
                source,
                earlier));
        }

        return new CampaignPlan(definition, context.AsOf, alpha, perTest, power, targetLift, rows, assignment.InSeveral, reference.AsOf) { Consent = assignment.Consent };
    }

    /// <summary>The segment's members at the reference instant, and how many of them are among <paramref name="converted"/>.</summary>
    private static (long Members, long Converted) EarlierMembers(IWarehouse warehouse, SegmentLibrary library, string segment, EvaluationContext reference, HashSet<string> converted)
    {
        if (library.Compilation.Find(segment) is not { } definition)
        {
            return (0, 0);
        }

        long members = 0, hits = 0;
        warehouse.Read(definition.Query(warehouse.Dialect, reference).Members(), r =>
        {
            members++;
            hits += converted.Contains(r.GetString(0)) ? 1 : 0;
        });
        return (members, hits);
    }

    /// <summary>Customers with a conversion in the window's length before the as-of.</summary>
    private static HashSet<string> Converters(IWarehouse warehouse, CampaignDefinition definition, EvaluationContext context)
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        warehouse.Read(CampaignSql.Converters(warehouse.Dialect, definition.Outcome.Conversion, context.AsOf.AddDays(-definition.Outcome.WindowDays), context.AsOf), r => result.Add(r.GetString(0)));
        return result;
    }
}
