using Segmenta.Campaigns;
using Segmenta.Numerics;
using static Segmenta.Documents.DocumentValues;

namespace Segmenta.Documents;

/// <summary>An interval's bounds (null where a bound is not finite).</summary>
public sealed record IntervalDocument(double? Low, double? High);

/// <summary>A treated arm: its message, offer, channel and what one contact costs.</summary>
public sealed record ArmDefinitionDocument(string Arm, string? Message, string? Offer, string? Channel, decimal CostPerContact);

/// <summary>A campaign file as read (campaigns/NAME.yaml). <c>holdout</c>: The holdout share (null with recorded arms).</summary>
public sealed record CampaignDefinitionDocument(
    string Name,
    string? Description,
    string? SendAt,
    string Salt,
    double? Holdout,
    RecordedArmsDocument? RecordedArms,
    IReadOnlyList<string> Segments,
    IReadOnlyList<ArmDefinitionDocument> Arms,
    double? BroadcastShare,
    CampaignCostsDocument Costs,
    double Margin,
    CampaignOutcomeDocument Outcome);

/// <summary>Arms recorded by someone else's randomization: the customer field and the value that marks the holdout.</summary>
public sealed record RecordedArmsDocument(string Field, string Holdout);

/// <summary>What a campaign costs: fixed, per contact, per redemption.</summary>
public sealed record CampaignCostsDocument(decimal Fixed, decimal PerContact, decimal PerRedemption);

/// <summary>What counts as an outcome, and in how many days after the send.</summary>
public sealed record CampaignOutcomeDocument(double WindowDays, IReadOnlyList<string> Conversion, IReadOnlyList<string> Open, IReadOnlyList<string> Click, IReadOnlyList<string> Visit, decimal? ValuePerConversion);

/// <summary>A launched campaign (<c>GET /api/campaigns</c>).</summary>
public sealed record LaunchedCampaignDocument(string Name, string LaunchedAt, string SendAt, long Customers, CampaignDefinitionDocument Definition);

/// <summary>Arm sizes per segment and the smallest lift each can detect (<c>campaign plan</c>).</summary>
public sealed record CampaignPlanDocument(
    string Campaign,
    string AsOf,
    double Alpha,
    double AlphaPerSegment,
    double Power,
    double? TargetLift,
    double BaseRateWindowDays,
    string BaseRateReferenceAsOf,
    long InSeveralSegments,
    IReadOnlyList<PlannedSegmentDocument> Segments,
    ConsentCheckDocument? Consent);

/// <summary>One segment's arms in a plan, its base rate (and where it came from) and the lifts it can detect.</summary>
public sealed record PlannedSegmentDocument(
    string Segment,
    long Customers,
    long Holdout,
    long Variant,
    long Broadcast,
    double BaseRate,
    string BaseRateReference,
    long ReferenceCustomers,
    double? DetectableLift,
    double? DetectableRelativeLift,
    double? DetectableVsBroadcast,
    double? PowerAtTarget);

/// <summary>A launch or a dry run: the frozen audience's arms and its files (<c>campaign launch</c>).</summary>
public sealed record CampaignLaunchDocument(
    string Campaign,
    bool DryRun,
    string AsOf,
    string SendAt,
    long Customers,
    long InSeveralSegments,
    long OutsideSegments,
    IReadOnlyList<ArmCountDocument> Arms,
    IReadOnlyList<AudienceFileDocument> Files,
    ConsentCheckDocument Consent);

/// <summary>Customers of one segment in one arm.</summary>
public sealed record ArmCountDocument(string Segment, string Arm, long Customers);

/// <summary>An audience file written for an arm.</summary>
public sealed record AudienceFileDocument(string Arm, string Path, long Customers);

/// <summary>What a launched campaign caused per segment and arm (<c>measure</c>, <c>GET /api/campaigns/{name}/results</c>).</summary>
public sealed record MeasurementDocument(
    string Campaign,
    string? Description,
    string AudienceAsOf,
    long Customers,
    MeasurementWindowDocument Window,
    string? LatestEventAt,
    double Confidence,
    string Correction,
    string ProportionInterval,
    string MeanInterval,
    int BootstrapReplicates,
    int? ClvModel,
    double Margin,
    IReadOnlyList<ArmOutcomeDocument> Arms,
    IReadOnlyList<ComparisonDocument> Comparisons,
    CampaignTotalsDocument Totals,
    IReadOnlyList<string> Charts);

/// <summary>The outcome window; <c>complete</c> once its end has passed.</summary>
public sealed record MeasurementWindowDocument(string From, string To, double Days, bool Complete);

/// <summary>What one arm of one segment did in the window (net revenue: purchases less refunds).</summary>
public sealed record ArmOutcomeDocument(
    string Segment,
    string Arm,
    long Recipients,
    long Opened,
    double OpenRate,
    long Clicked,
    double ClickRate,
    long Visited,
    double VisitRate,
    double SecondsOnSite,
    long Converted,
    double ConversionRate,
    IntervalDocument? ConversionInterval,
    long Orders,
    double NetRevenue,
    double RevenuePerRecipient,
    double? AverageOrderValue,
    double Cost,
    double? ClvMean);

/// <summary>An arm against its holdout (or the broadcast arm): lifts with intervals and adjusted p-values, money and ROI.</summary>
public sealed record ComparisonDocument(
    string Segment,
    string Arm,
    string Against,
    ProportionLiftDocument Conversion,
    ProportionLiftDocument Visit,
    MeanLiftDocument RevenuePerRecipient,
    MeanLiftDocument? Clv,
    double IncrementalConversions,
    double IncrementalRevenue,
    double IncrementalProfit,
    double Cost,
    double NetProfit,
    double? Roi,
    double? ClvUplift,
    MoneyDocument Money);

/// <summary>A difference of proportions with its interval (Newcombe), the relative lift and the p-values.</summary>
public sealed record ProportionLiftDocument(double Treated, double Control, double Difference, IntervalDocument? Interval, double? Relative, IntervalDocument? RelativeInterval, double P, double AdjustedP);

/// <summary>A difference of means with its interval (Welch or bootstrap, as <c>method</c> says), the relative lift and the p-values.</summary>
public sealed record MeanLiftDocument(
    double Treated,
    double Control,
    double Difference,
    IntervalDocument? Interval,
    string Method,
    WelchDocument Welch,
    IntervalDocument? Bootstrap,
    double? Relative,
    IntervalDocument? RelativeInterval,
    double P,
    double AdjustedP);

/// <summary>Welch's t-test: the statistic, degrees of freedom, standard error and interval.</summary>
public sealed record WelchDocument(double? T, double? Df, double? StandardError, IntervalDocument? Interval);

/// <summary>The intervals of the incremental money and the verdict (gain, loss or inconclusive).</summary>
public sealed record MoneyDocument(double[] IncrementalRevenueInterval, double[] NetProfitInterval, double[]? RoiInterval, string Verdict);

/// <summary>Every arm together: contacts, conversions, money and ROI.</summary>
public sealed record CampaignTotalsDocument(
    long Contacts,
    long Conversions,
    double ConversionRate,
    double NetRevenue,
    double Cost,
    double Profit,
    double? IncrementalRevenue,
    double? IncrementalProfit,
    double? NetProfit,
    double? Roi,
    MoneyDocument? Money);

/// <summary>
/// Campaign definitions, arms and measurements as documents: the stable shape (snake_case field names through
/// <see cref="ResultJson"/>) that the CLI's <c>--json</c>, the REST API and the report share.
/// </summary>
public static class CampaignDocuments
{
    public static IntervalDocument? Interval(Interval? interval) => interval is { } i ? new(Number(i.Low), Number(i.High)) : null;

    public static CampaignDefinitionDocument Definition(CampaignDefinition d)
    {
        ArgumentNullException.ThrowIfNull(d);
        return new(
            d.Name,
            d.Description,
            d.SendAt is { } s ? Iso(s) : null,
            d.Salt,
            d.Recorded is null ? d.Holdout : null,
            d.Recorded is { } r ? new RecordedArmsDocument(r.Field, r.Holdout) : null,
            d.Strata,
            [.. d.TreatedArms.Select(v => new ArmDefinitionDocument(v.Name, v.Message, v.Offer, v.Channel, d.ContactCost(v.Name)))],
            d.Broadcast?.Share,
            new CampaignCostsDocument(d.Costs.Fixed, d.Costs.PerContact, d.Costs.PerRedemption),
            d.Margin,
            new CampaignOutcomeDocument(d.Outcome.WindowDays, d.Outcome.Conversion, d.Outcome.Open, d.Outcome.Click, d.Outcome.Visit, d.Outcome.ValuePerConversion));
    }

    /// <summary>The launched campaigns with their definitions.</summary>
    public static IReadOnlyList<LaunchedCampaignDocument> Launched(IEnumerable<LaunchedCampaign> campaigns) =>
        [.. campaigns.Select(c => new LaunchedCampaignDocument(c.Definition.Name, Iso(c.LaunchedAt), Iso(c.SendAt), c.Customers, Definition(c.Definition)))];

    /// <summary>Arm sizes per segment and the smallest lift each can detect.</summary>
    public static CampaignPlanDocument Plan(CampaignPlan plan, CampaignDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(definition);
        return new(
            definition.Name,
            Iso(plan.AsOf),
            plan.Alpha,
            plan.AlphaPerTest,
            plan.Power,
            plan.TargetLift,
            definition.Outcome.WindowDays,
            Iso(plan.ReferenceAsOf),
            plan.InSeveral,
            [.. plan.Segments.Select(s => new PlannedSegmentDocument(
                s.Segment,
                s.Customers,
                s.Holdout,
                s.Variant,
                s.Broadcast,
                s.BaseRate,
                s.BaseRateReference,
                s.ReferenceCustomers,
                Number(s.DetectableVsHoldout),
                s.RelativeDetectableVsHoldout is { } r ? Number(r) : null,
                s.DetectableVsBroadcast is { } b ? Number(b) : null,
                s.PowerAtTarget is { } p ? Number(p) : null))],
            plan.Consent is { } consent ? ConsentCheckDocument.Of(consent) : null);
    }

    /// <summary>A launch (or a dry run): the frozen audience's arms and the audience files.</summary>
    public static CampaignLaunchDocument Launch(CampaignDefinition definition, bool dryRun, DateTime asOf, LaunchedCampaign? launched, CampaignAssignment assignment, IReadOnlyList<AudienceFile> files)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(assignment);
        return new(
            definition.Name,
            dryRun,
            Iso(asOf),
            Iso(launched?.SendAt ?? definition.SendAt ?? asOf),
            assignment.CustomerIds.Length,
            assignment.InSeveral,
            assignment.Outside,
            Counts(assignment.Counts(definition)),
            [.. files.Select(f => new AudienceFileDocument(f.Arm, f.Path, f.Customers))],
            ConsentCheckDocument.Of(assignment.Consent));
    }

    public static IReadOnlyList<ArmCountDocument> Counts(IEnumerable<ArmCount> counts) => [.. counts.Select(c => new ArmCountDocument(c.Segment, c.Arm, c.Customers))];

    public static MeasurementDocument Measurement(CampaignResult r, IReadOnlyList<string> charts)
    {
        ArgumentNullException.ThrowIfNull(r);
        var d = r.Campaign.Definition;
        return new(
            d.Name,
            d.Description,
            Iso(r.Campaign.AsOf),
            r.Campaign.Customers,
            new MeasurementWindowDocument(Iso(r.From), Iso(r.To), d.Outcome.WindowDays, r.WindowComplete),
            r.LatestEvent is { } t ? Iso(t) : null,
            r.Options.Confidence,
            r.Options.Correction == MultipleComparison.Holm ? "holm" : "benjamini-hochberg",
            "newcombe",
            "welch, or percentile bootstrap when either arm fails Cochran's rule n > 25 * skewness^2",
            r.Options.BootstrapReplicates,
            r.ClvModelVersion,
            d.Margin,
            [.. r.Arms.Select(a => new ArmOutcomeDocument(
                a.Segment, a.Arm, a.Recipients, a.Opened, a.OpenRate, a.Clicked, a.ClickRate, a.Visited, a.VisitRate, a.SecondsOnSite,
                a.Converted, a.ConversionRate, Interval(a.ConversionInterval), a.Orders, a.Revenue, a.RevenuePerRecipient, a.AverageOrderValue, a.Cost, a.ClvMean))],
            [.. r.Comparisons.Select(c => new ComparisonDocument(
                c.Segment, c.Arm, c.Against, Proportion(c.Conversion), Proportion(c.Visit), Mean(c.RevenuePerRecipient), c.Clv is null ? null : Mean(c.Clv),
                c.IncrementalConversions, c.IncrementalRevenue, c.IncrementalProfit, c.Cost, c.NetProfit, c.Roi, c.ClvUplift, Money(c.Money)))],
            new CampaignTotalsDocument(
                r.Totals.Contacts,
                r.Totals.Conversions,
                r.Totals.Contacts == 0 ? 0 : (double)r.Totals.Conversions / r.Totals.Contacts,
                r.Totals.Revenue,
                r.Totals.Cost,
                r.Totals.Profit,
                r.Totals.IncrementalRevenue,
                r.Totals.IncrementalProfit,
                r.Totals.NetProfit,
                r.Totals.Roi,
                r.Totals.Money is { } m ? Money(m) : null),
            charts);
    }

    /// <summary>The intervals of the incremental money and the verdict (gain, loss or inconclusive).</summary>
    public static MoneyDocument Money(MoneyIntervals m)
    {
        ArgumentNullException.ThrowIfNull(m);
        return new(
            [m.IncrementalRevenue.Low, m.IncrementalRevenue.High],
            [m.NetProfit.Low, m.NetProfit.High],
            m.Roi is { } roi ? [roi.Low, roi.High] : null,
            m.Verdict);
    }

    public static ProportionLiftDocument Proportion(ProportionLift p)
    {
        ArgumentNullException.ThrowIfNull(p);
        return new(p.Treated, p.Control, p.Difference, Interval(p.Interval), p.Relative, Interval(p.RelativeInterval), p.P, p.AdjustedP);
    }

    public static MeanLiftDocument Mean(MeanLift m)
    {
        ArgumentNullException.ThrowIfNull(m);
        return new(
            m.Treated,
            m.Control,
            m.Difference,
            Interval(m.Interval),
            m.Method,
            new WelchDocument(Number(m.Welch.T), Number(m.Welch.DegreesOfFreedom), Number(m.Welch.StandardError), Interval(m.Welch.Confidence)),
            Interval(m.Bootstrap),
            m.Relative,
            Interval(m.RelativeInterval),
            m.P,
            m.AdjustedP);
    }
}

/// <summary>A campaign file or a launched campaign (<c>campaign list</c>); <c>problem</c> says why a file does not read.</summary>
public sealed record CampaignEntryDocument(string Name, string? File, string? Problem, string? LaunchedAt, string? SendAt, long? Customers);

/// <summary>A campaign file written from a template (<c>campaign new</c>).</summary>
public sealed record CampaignCreatedDocument(string Campaign, string Path, CampaignDefinitionDocument Definition);

/// <summary>A campaign's definition and, once launched, its launch (<c>campaign show</c>).</summary>
public sealed record CampaignShowDocument(string Campaign, CampaignDefinitionDocument Definition, CampaignLaunchedDocument? Launched);

/// <summary>When a campaign was launched, its audience's instant, the send, the end of its outcome window and its arms.</summary>
public sealed record CampaignLaunchedDocument(string LaunchedAt, string AudienceAsOf, string SendAt, string WindowEnd, long Customers, IReadOnlyList<ArmCountDocument> Arms);

/// <summary>A campaign readout as <c>segmenta readout</c> prints it.</summary>
public sealed record ReadoutDocument(
    string Campaign,
    string From,
    string To,
    bool Complete,
    string PreFrom,
    double Confidence,
    bool Cuped,
    IReadOnlyList<ReadoutComparisonDocument> Comparisons);

/// <summary>One treated arm against its segment's holdout.</summary>
public sealed record ReadoutComparisonDocument(string Segment, string Arm, long Control, long Treated, double Tuning, IReadOnlyList<ReadoutMetricDocument> Metrics);

/// <summary>One metric: means, CUPED's θ and variance reduction, the fixed-horizon, adjusted and always-valid estimates, and the verdict.</summary>
public sealed record ReadoutMetricDocument(
    string Metric,
    double? ControlMean,
    double? TreatedMean,
    double? ControlPreMean,
    double? TreatedPreMean,
    double? Theta,
    double? VarianceReduction,
    EffectDocument Fixed,
    EffectDocument? Adjusted,
    EffectDocument Sequential,
    EffectDocument RelativeSequential,
    string Verdict);

/// <summary>An estimate with its standard error, interval and p-value.</summary>
public sealed record EffectDocument(double? Estimate, double? StandardError, IntervalDocument Interval, double? P);

/// <summary>Builds the readout document.</summary>
public static class ReadoutDocuments
{
    /// <summary>The document of <paramref name="r"/>.</summary>
    public static ReadoutDocument Of(CampaignReadoutResult r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return new ReadoutDocument(
            r.Campaign.Definition.Name,
            DocumentValues.Iso(r.From),
            DocumentValues.Iso(r.To),
            r.Complete,
            DocumentValues.Iso(r.PreFrom),
            r.Options.Confidence,
            r.Options.Cuped,
            [.. r.Comparisons.Select(c => new ReadoutComparisonDocument(c.Segment, c.Arm, c.Control, c.Treated, c.Tuning, [.. c.Metrics.Select(Metric)]))]);
    }

    private static ReadoutMetricDocument Metric(ReadoutMetric m) => new(
        m.Metric,
        DocumentValues.Number(m.ControlMean),
        DocumentValues.Number(m.TreatedMean),
        DocumentValues.Number(m.ControlPreMean),
        DocumentValues.Number(m.TreatedPreMean),
        DocumentValues.Number(m.Theta),
        DocumentValues.Number(m.VarianceReduction),
        Effect(m.Fixed),
        m.Adjusted is { } a ? Effect(a) : null,
        Effect(m.Sequential),
        Effect(m.RelativeSequential),
        m.Verdict);

    private static EffectDocument Effect(Numerics.EffectEstimate e) => new(
        DocumentValues.Number(e.Estimate),
        DocumentValues.Number(e.StandardError),
        new IntervalDocument(DocumentValues.Number(e.Interval.Low), DocumentValues.Number(e.Interval.High)),
        DocumentValues.Number(e.P));
}
