using Segmenta.Campaigns;
using Segmenta.Numerics;

namespace Segmenta.Server.Documents;

/// <summary>
/// Campaign definitions, arms and measurements as JSON documents: the stable shape (snake_case field names) that the CLI's <c>--json</c>, the REST API and the report share.
/// </summary>
internal static class CampaignDocuments
{
    public static object? IntervalJson(Interval? interval) => interval is { } i ? new { low = Documents.Number(i.Low), high = Documents.Number(i.High) } : null;

    public static object VariantJson(CampaignVariant v, CampaignDefinition d) => new
    {
        arm = v.Name,
        message = v.Message,
        offer = v.Offer,
        channel = v.Channel,
        cost_per_contact = d.ContactCost(v.Name),
    };

    public static object DefinitionJson(CampaignDefinition d) => new
    {
        name = d.Name,
        description = d.Description,
        send_at = d.SendAt is { } s ? Documents.Iso(s) : null,
        salt = d.Salt,
        holdout = d.Recorded is null ? d.Holdout : (double?)null,
        recorded_arms = d.Recorded is { } r ? new { field = r.Field, holdout = r.Holdout } : null,
        segments = d.Strata,
        arms = d.TreatedArms.Select(v => VariantJson(v, d)),
        broadcast_share = d.Broadcast?.Share,
        costs = new { @fixed = d.Costs.Fixed, per_contact = d.Costs.PerContact, per_redemption = d.Costs.PerRedemption },
        margin = d.Margin,
        outcome = new
        {
            window_days = d.Outcome.WindowDays,
            conversion = d.Outcome.Conversion,
            open = d.Outcome.Open,
            click = d.Outcome.Click,
            visit = d.Outcome.Visit,
            value_per_conversion = d.Outcome.ValuePerConversion,
        },
    };

    /// <summary>Arm sizes per segment and the smallest lift each can detect (the shape of <c>campaign plan</c>).</summary>
    public static object Plan(CampaignPlan plan, CampaignDefinition definition) => new
    {
        campaign = definition.Name,
        as_of = Documents.Iso(plan.AsOf),
        alpha = plan.Alpha,
        alpha_per_segment = plan.AlphaPerTest,
        power = plan.Power,
        target_lift = plan.TargetLift,
        base_rate_window_days = definition.Outcome.WindowDays,
        base_rate_reference_as_of = Documents.Iso(plan.ReferenceAsOf),
        in_several_segments = plan.InSeveral,
        segments = plan.Segments.Select(s => new
        {
            segment = s.Segment,
            customers = s.Customers,
            holdout = s.Holdout,
            variant = s.Variant,
            broadcast = s.Broadcast,
            base_rate = s.BaseRate,
            base_rate_reference = s.BaseRateReference,
            reference_customers = s.ReferenceCustomers,
            detectable_lift = Documents.Number(s.DetectableVsHoldout),
            detectable_relative_lift = s.RelativeDetectableVsHoldout is { } r ? Documents.Number(r) : null,
            detectable_vs_broadcast = s.DetectableVsBroadcast is { } b ? Documents.Number(b) : null,
            power_at_target = s.PowerAtTarget is { } p ? Documents.Number(p) : null,
        }),
    };

    /// <summary>A launch (or a dry run): the frozen audience's arms and the audience files (the shape of <c>campaign launch</c>).</summary>
    public static object Launch(CampaignDefinition definition, bool dryRun, DateTime asOf, LaunchedCampaign? launched, CampaignAssignment assignment, IReadOnlyList<AudienceFile> files) => new
    {
        campaign = definition.Name,
        dry_run = dryRun,
        as_of = Documents.Iso(asOf),
        send_at = Documents.Iso(launched?.SendAt ?? definition.SendAt ?? asOf),
        customers = assignment.CustomerIds.Length,
        in_several_segments = assignment.InSeveral,
        outside_segments = assignment.Outside,
        arms = CountsJson(assignment.Counts(definition)),
        files = files.Select(f => new { arm = f.Arm, path = f.Path, customers = f.Customers }),
    };

    public static object CountsJson(IEnumerable<ArmCount> counts) => counts.Select(c => new { segment = c.Segment, arm = c.Arm, customers = c.Customers });

    public static object Measurement(CampaignResult r, IReadOnlyList<string> charts)
    {
        var d = r.Campaign.Definition;
        return new
        {
            campaign = d.Name,
            description = d.Description,
            audience_as_of = Documents.Iso(r.Campaign.AsOf),
            customers = r.Campaign.Customers,
            window = new { from = Documents.Iso(r.From), to = Documents.Iso(r.To), days = d.Outcome.WindowDays, complete = r.WindowComplete },
            latest_event_at = r.LatestEvent is { } t ? Documents.Iso(t) : null,
            confidence = r.Options.Confidence,
            correction = r.Options.Correction == MultipleComparison.Holm ? "holm" : "benjamini-hochberg",
            proportion_interval = "newcombe",
            mean_interval = "welch, or percentile bootstrap when either arm fails Cochran's rule n > 25 * skewness^2",
            bootstrap_replicates = r.Options.BootstrapReplicates,
            clv_model = r.ClvModelVersion,
            margin = d.Margin,
            arms = r.Arms.Select(a => new
            {
                segment = a.Segment,
                arm = a.Arm,
                recipients = a.Recipients,
                opened = a.Opened,
                open_rate = a.OpenRate,
                clicked = a.Clicked,
                click_rate = a.ClickRate,
                visited = a.Visited,
                visit_rate = a.VisitRate,
                seconds_on_site = a.SecondsOnSite,
                converted = a.Converted,
                conversion_rate = a.ConversionRate,
                conversion_interval = CampaignDocuments.IntervalJson(a.ConversionInterval),
                orders = a.Orders,
                net_revenue = a.Revenue,
                revenue_per_recipient = a.RevenuePerRecipient,
                average_order_value = a.AverageOrderValue,
                cost = a.Cost,
                clv_mean = a.ClvMean,
            }),
            comparisons = r.Comparisons.Select(c => new
            {
                segment = c.Segment,
                arm = c.Arm,
                against = c.Against,
                conversion = ProportionJson(c.Conversion),
                visit = ProportionJson(c.Visit),
                revenue_per_recipient = MeanJson(c.RevenuePerRecipient),
                clv = c.Clv is null ? null : MeanJson(c.Clv),
                incremental_conversions = c.IncrementalConversions,
                incremental_revenue = c.IncrementalRevenue,
                incremental_profit = c.IncrementalProfit,
                cost = c.Cost,
                net_profit = c.NetProfit,
                roi = c.Roi,
                clv_uplift = c.ClvUplift,
                money = MoneyJson(c.Money),
            }),
            totals = new
            {
                contacts = r.Totals.Contacts,
                conversions = r.Totals.Conversions,
                conversion_rate = r.Totals.Contacts == 0 ? 0 : (double)r.Totals.Conversions / r.Totals.Contacts,
                net_revenue = r.Totals.Revenue,
                cost = r.Totals.Cost,
                profit = r.Totals.Profit,
                incremental_revenue = r.Totals.IncrementalRevenue,
                incremental_profit = r.Totals.IncrementalProfit,
                net_profit = r.Totals.NetProfit,
                roi = r.Totals.Roi,
                money = r.Totals.Money is { } m ? MoneyJson(m) : null,
            },
            charts,
        };
    }

    /// <summary>The intervals of the incremental money and the verdict (gain, loss or inconclusive).</summary>
    public static object MoneyJson(MoneyIntervals m) => new
    {
        incremental_revenue_interval = new[] { m.IncrementalRevenue.Low, m.IncrementalRevenue.High },
        net_profit_interval = new[] { m.NetProfit.Low, m.NetProfit.High },
        roi_interval = m.Roi is { } roi ? new[] { roi.Low, roi.High } : null,
        verdict = m.Verdict,
    };

    public static object ProportionJson(ProportionLift p) => new
    {
        treated = p.Treated,
        control = p.Control,
        difference = p.Difference,
        interval = CampaignDocuments.IntervalJson(p.Interval),
        relative = p.Relative,
        relative_interval = CampaignDocuments.IntervalJson(p.RelativeInterval),
        p = p.P,
        adjusted_p = p.AdjustedP,
    };

    public static object MeanJson(MeanLift m) => new
    {
        treated = m.Treated,
        control = m.Control,
        difference = m.Difference,
        interval = CampaignDocuments.IntervalJson(m.Interval),
        method = m.Method,
        welch = new { t = Documents.Number(m.Welch.T), df = Documents.Number(m.Welch.DegreesOfFreedom), standard_error = Documents.Number(m.Welch.StandardError), interval = CampaignDocuments.IntervalJson(m.Welch.Confidence) },
        bootstrap = CampaignDocuments.IntervalJson(m.Bootstrap),
        relative = m.Relative,
        relative_interval = CampaignDocuments.IntervalJson(m.RelativeInterval),
        p = m.P,
        adjusted_p = m.AdjustedP,
    };
}
