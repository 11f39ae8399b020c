using System.Data;
using Segmenta.Clv;
using Segmenta.Features;
using Segmenta.Language;
using Segmenta.Numerics;
using Segmenta.Sql;
using Segmenta.Warehouse;

namespace Segmenta.Campaigns;

/// <summary>The multiple-comparison adjustment applied across a campaign's segments.</summary>
public enum MultipleComparison
{
    /// <summary>Holm's step-down method: the family-wise error rate.</summary>
    Holm,

    /// <summary>Benjamini and Hochberg's step-up method: the false discovery rate.</summary>
    BenjaminiHochberg,
}

/// <summary>How to measure.</summary>
/// <param name="Confidence">The level of every interval.</param>
/// <param name="Correction">The adjustment of p-values across segments.</param>
/// <param name="BootstrapReplicates">Resamples for bootstrap intervals.</param>
/// <param name="AsOf">Count outcomes up to this instant (default: the window's end).</param>
public sealed record MeasureOptions(double Confidence = 0.95, MultipleComparison Correction = MultipleComparison.Holm, int BootstrapReplicates = 2000, DateTime? AsOf = null);

/// <summary>What one arm of one segment did in the outcome window.</summary>
/// <param name="Segment">The segment (or <see cref="CampaignMeasurement.Overall"/> for the arms pooled over segments).</param>
/// <param name="Arm">The arm (pooled: each segment's own variant is <see cref="CampaignMeasurement.SegmentedArm"/>).</param>
/// <param name="Recipients">Customers in the arm (contacts, unless it is the holdout).</param>
/// <param name="Opened">Customers with an open.</param>
/// <param name="Clicked">Customers with a click.</param>
/// <param name="Visited">Customers with a visit.</param>
/// <param name="SecondsOnSite">Mean seconds on site per recipient (durations of visit events).</param>
/// <param name="Converted">Customers with a conversion.</param>
/// <param name="ConversionInterval">Wilson interval of the conversion rate.</param>
/// <param name="Orders">Orders among the conversions: distinct order ids (an event without one is an order of its own), so that an order of many lines counts once.</param>
/// <param name="Revenue">Their revenue.</param>
/// <param name="Cost">What the arm cost: contacts, redemptions and its share of the fixed cost (by contacts).</param>
/// <param name="ClvMean">Mean predicted lifetime value after the window (null without a CLV model).</param>
public sealed record ArmResult(
    string Segment,
    string Arm,
    long Recipients,
    long Opened,
    long Clicked,
    long Visited,
    double SecondsOnSite,
    long Converted,
    Interval ConversionInterval,
    long Orders,
    double Revenue,
    double Cost,
    double? ClvMean)
{
    /// <summary>Share of recipients who opened.</summary>
    public double OpenRate => Rate(Opened);

    /// <summary>Share of recipients who clicked (click-through rate per recipient).</summary>
    public double ClickRate => Rate(Clicked);

    /// <summary>Share of recipients who visited.</summary>
    public double VisitRate => Rate(Visited);

    /// <summary>Share of recipients who converted.</summary>
    public double ConversionRate => Rate(Converted);

    /// <summary>Revenue per recipient.</summary>
    public double RevenuePerRecipient => Recipients == 0 ? 0 : Revenue / Recipients;

    /// <summary>Average order value (null without orders).</summary>
    public double? AverageOrderValue => Orders == 0 ? null : Revenue / Orders;

    private double Rate(long count) => Recipients == 0 ? 0 : (double)count / Recipients;
}

/// <summary>A difference of two proportions (treated − control).</summary>
/// <param name="Treated">The treated arm's rate.</param>
/// <param name="Control">The comparison arm's rate.</param>
/// <param name="Difference">Absolute lift.</param>
/// <param name="Interval">Newcombe's hybrid score interval of the difference.</param>
/// <param name="Relative">Relative lift (treated / control − 1); null when the control rate is 0.</param>
/// <param name="RelativeInterval">Katz's log interval of the relative lift.</param>
/// <param name="P">Two-sided p-value of the pooled two-proportion z test.</param>
/// <param name="AdjustedP">The p-value adjusted across the family (segments × arms of this comparison).</param>
public sealed record ProportionLift(double Treated, double Control, double Difference, Interval Interval, double? Relative, Interval? RelativeInterval, double P, double AdjustedP);

/// <summary>A difference of two means (treated − control).</summary>
/// <param name="Treated">The treated arm's mean.</param>
/// <param name="Control">The comparison arm's mean.</param>
/// <param name="Difference">Absolute lift.</param>
/// <param name="Interval">The interval shown: bootstrap when either group is too skewed for its size (Cochran's rule), else Welch.</param>
/// <param name="Method"><c>bootstrap</c> or <c>welch</c>: which <see cref="Interval"/> is.</param>
/// <param name="Welch">Welch's t test (its p-value is the one reported).</param>
/// <param name="Bootstrap">The percentile bootstrap interval, when computed.</param>
/// <param name="Relative">Relative lift; null when the control mean is not positive.</param>
/// <param name="RelativeInterval">Delta-method log interval of the relative lift.</param>
/// <param name="P">Welch's two-sided p-value.</param>
/// <param name="AdjustedP">The p-value adjusted across the family.</param>
public sealed record MeanLift(double Treated, double Control, double Difference, Interval Interval, string Method, WelchTest Welch, Interval? Bootstrap, double? Relative, Interval? RelativeInterval, double P, double AdjustedP);

/// <summary>One treated arm of one segment against its comparison arm, with the money.</summary>
/// <param name="Segment">The segment, or <see cref="CampaignMeasurement.Overall"/>.</param>
/// <param name="Arm">The treated arm.</param>
/// <param name="Against"><c>holdout</c>, or <c>broadcast</c> for a segment's own variant against the generic message.</param>
/// <param name="Conversion">Conversion rate lift.</param>
/// <param name="Visit">Visit rate lift.</param>
/// <param name="RevenuePerRecipient">Revenue per recipient lift.</param>
/// <param name="Clv">Lift of the mean change in predicted lifetime value from the send to the window's end (null without a CLV model).</param>
/// <param name="IncrementalConversions">Conversion lift × recipients.</param>
/// <param name="IncrementalRevenue">Revenue-per-recipient lift × recipients.</param>
/// <param name="IncrementalProfit">Incremental revenue × margin, before the campaign's cost.</param>
/// <param name="Cost">The treated arm's cost (against the broadcast arm: the difference in cost).</param>
/// <param name="NetProfit">Incremental profit − cost.</param>
/// <param name="Roi">Net profit / cost (null when nothing was spent).</param>
/// <param name="ClvUplift">Lifetime-value lift × recipients (null without a CLV model).</param>
/// <param name="Money">The intervals of the incremental revenue, net profit and ROI, and whether the net profit is distinguishable from zero.</param>
public sealed record ArmComparison(
    string Segment,
    string Arm,
    string Against,
    ProportionLift Conversion,
    ProportionLift Visit,
    MeanLift RevenuePerRecipient,
    MeanLift? Clv,
    double IncrementalConversions,
    double IncrementalRevenue,
    double IncrementalProfit,
    double Cost,
    double NetProfit,
    double? Roi,
    double? ClvUplift,
    MoneyIntervals Money);

/// <summary>What the money figures of a comparison or a campaign are known to within: their intervals at the measurement's confidence.</summary>
/// <param name="IncrementalRevenue">Revenue caused: the revenue-per-recipient lift's interval × recipients (summed in quadrature over segments for a campaign).</param>
/// <param name="NetProfit">Incremental revenue × margin − cost (the cost is known): the revenue interval, scaled and shifted.</param>
/// <param name="Roi">Net profit / cost; null when nothing was spent.</param>
public sealed record MoneyIntervals(Interval IncrementalRevenue, Interval NetProfit, Interval? Roi)
{
    /// <summary>
    /// <c>gain</c> when the whole net-profit interval is above zero, <c>loss</c> when below, else <c>inconclusive</c>:
    /// the data cannot tell a profit from a loss, and neither the point estimate nor the ROI may be read as a result.
    /// </summary>
    public string Verdict => NetProfit.Low > 0 ? "gain" : NetProfit.High < 0 ? "loss" : "inconclusive";

    /// <summary>The intervals of money <paramref name="revenue"/> known to within, for <paramref name="margin"/> and a known <paramref name="cost"/>.</summary>
    public static MoneyIntervals Of(Interval revenue, double margin, double cost)
    {
        var net = new Interval((revenue.Low * margin) - cost, (revenue.High * margin) - cost);
        return new MoneyIntervals(revenue, net, cost > 0 ? new Interval(net.Low / cost, net.High / cost) : null);
    }
}

/// <summary>The campaign's money, whether or not it kept a holdout.</summary>
/// <param name="Contacts">Customers contacted (every treated arm).</param>
/// <param name="Conversions">Contacted customers who converted.</param>
/// <param name="Revenue">Their revenue in the window.</param>
/// <param name="Cost">Fixed + per contact + per redemption.</param>
/// <param name="Profit">Revenue × margin − cost (attributing every contacted conversion to the campaign: an upper bound without a holdout).</param>
/// <param name="IncrementalRevenue">Revenue caused, summed over segments against their holdouts (null without a holdout).</param>
/// <param name="IncrementalProfit">Incremental revenue × margin (null without a holdout).</param>
/// <param name="NetProfit">Incremental profit − cost.</param>
/// <param name="Roi">(Incremental profit − cost) / cost.</param>
/// <param name="Money">The intervals of the incremental figures (null without a holdout): each segment's revenue interval as a normal
/// standard error (its half-width over z), the segments' errors added in quadrature (their customers are disjoint).</param>
public sealed record CampaignTotals(long Contacts, long Conversions, double Revenue, double Cost, double Profit, double? IncrementalRevenue, double? IncrementalProfit, double? NetProfit, double? Roi, MoneyIntervals? Money = null);

/// <summary>A campaign's measurement.</summary>
/// <param name="Campaign">The launched campaign.</param>
/// <param name="From">Start of the outcome window (the send).</param>
/// <param name="To">End of what was counted: the window's end, or the as-of when earlier.</param>
/// <param name="WindowComplete">Whether the whole window was counted.</param>
/// <param name="LatestEvent">The warehouse's newest event (outcomes after it cannot have arrived yet).</param>
/// <param name="Options">How it was measured.</param>
/// <param name="Arms">Per segment and arm, then the arms pooled over segments.</param>
/// <param name="Comparisons">Treated arms against the holdout and, with a broadcast arm, each segment's variant against it.</param>
/// <param name="Totals">The money.</param>
/// <param name="ClvModelVersion">The CLV model used for the uplift, or null.</param>
public sealed record CampaignResult(
    LaunchedCampaign Campaign,
    DateTime From,
    DateTime To,
    bool WindowComplete,
    DateTime? LatestEvent,
    MeasureOptions Options,
    IReadOnlyList<ArmResult> Arms,
    IReadOnlyList<ArmComparison> Comparisons,
    CampaignTotals Totals,
    int? ClvModelVersion);

/// <summary>
/// Measures a launched campaign from ordinary events: each assigned customer's conversions, revenue,
/// opens, clicks and visits in the outcome window, compared arm against holdout within each segment
/// (and pooled), with intervals, adjusted p-values, incremental money and ROI, and the lifetime-value
/// uplift from the active CLV model. Docs: docs/campaigns.md.
/// </summary>
public static class CampaignMeasurement
{
    /// <summary>The segment name of arms pooled over every segment.</summary>
    public const string Overall = "(all segments)";

    /// <summary>The pooled name of the segments' own variants.</summary>
    public const string SegmentedArm = "segmented";

    /// <summary>Measures <paramref name="campaign"/>.</summary>
    public static CampaignResult Measure(IWarehouse warehouse, LaunchedCampaign campaign, TimeZoneInfo zone, MeasureOptions options, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        ArgumentNullException.ThrowIfNull(campaign);
        ArgumentNullException.ThrowIfNull(options);
        var definition = campaign.Definition;
        var to = options.AsOf is { } asOf && asOf < campaign.WindowEnd ? asOf : campaign.WindowEnd;
        if (to <= campaign.SendAt)
        {
            throw new CampaignException($"campaign `{definition.Name}` is sent at {campaign.SendAt:yyyy-MM-dd'T'HH:mm:ss'Z'}: nothing to measure as of {to:yyyy-MM-dd'T'HH:mm:ss'Z'}");
        }

        var (outcomes, values, changes) = ReadOutcomes(warehouse, campaign, zone, to);
        cancellation.ThrowIfCancellationRequested();

        // Groups: each segment's arms, then the arms pooled over segments.
        var groups = new Dictionary<(string Segment, string Arm), List<int>>();
        var pooled = definition.Targets.Count > 1;
        for (var i = 0; i < outcomes.Segments.Length; i++)
        {
            Add((outcomes.Segments[i], outcomes.Arms[i]), i);
            if (pooled)
            {
                Add((Overall, PooledArm(definition, outcomes.Arms[i])), i);
            }
        }

        void Add((string, string) key, int i)
        {
            if (!groups.TryGetValue(key, out var list))
            {
                groups[key] = list = [];
            }

            list.Add(i);
        }

        var z = Inference.Z(options.Confidence);
        var order = definition.Strata.SelectMany(s => CampaignLauncher.ArmsOf(definition, s).Select(a => (s, a))).ToList();
        if (pooled)
        {
            order.AddRange(PooledArms(definition).Select(a => (Overall, a)));
        }

        var totalContacts = outcomes.Arms.LongCount(a => a != CampaignDefinition.HoldoutArm);
        var contactCost = definition.TreatedArms.ToDictionary(a => a.Name, a => (double)definition.ContactCost(a.Name), StringComparer.Ordinal);
        var arms = order.Select(key => Summarize(key.Item1, key.Item2, groups.GetValueOrDefault(key) ?? [], outcomes, values, definition, contactCost, totalContacts, z)).ToList();
        var byKey = arms.ToDictionary(a => (a.Segment, a.Arm));

        var comparisons = new List<(ArmComparison Draft, string Family)>();
        var seed = (ulong)BitConverter.DoubleToInt64Bits(CampaignLauncher.Bucket(definition.Salt, "bootstrap"));
        foreach (var (segment, arm) in order.Where(k => k.Item2 != CampaignDefinition.HoldoutArm))
        {
            var level = segment == Overall ? "overall" : "segment";
            if (byKey.TryGetValue((segment, CampaignDefinition.HoldoutArm), out var holdout) && holdout.Recipients > 0)
            {
                comparisons.Add((Compare(byKey[(segment, arm)], holdout, groups, outcomes, changes, definition, options, z, seed++, againstBroadcast: false), level + "/holdout"));
            }

            if (arm != CampaignDefinition.BroadcastArm && definition.Broadcast is not null && byKey.TryGetValue((segment, CampaignDefinition.BroadcastArm), out var broadcast) && broadcast.Recipients > 0)
            {
                comparisons.Add((Compare(byKey[(segment, arm)], broadcast, groups, outcomes, changes, definition, options, z, seed++, againstBroadcast: true), level + "/broadcast"));
            }
        }

        var adjusted = Adjust(comparisons, options.Correction);
        var latest = LatestEvent(warehouse);
        return new CampaignResult(campaign, campaign.SendAt, to, to >= campaign.WindowEnd, latest, options, arms, adjusted, Totals(definition, arms, adjusted, options.Confidence), ClvAnalysis.Active(warehouse)?.Version);
    }

    /// <summary>Each customer's outcomes in the window, in the order of their values (never of their ids).</summary>
    private sealed record Outcomes(string[] Segments, string[] Arms, long[] Conversions, double[] Revenue, bool[] Opened, bool[] Clicked, bool[] Visited, double[] Seconds);

    /// <summary>One assigned customer's outcomes: a stored customer's (with their id), or an erased customer's, frozen with their lifetime values.</summary>
    private sealed record OutcomeRow(string? Id, string Segment, string Arm, long Conversions, double Revenue, long Opens, long Clicks, long Visits, double Seconds, double? ClvBefore = null, double? ClvAfter = null)
    {
        public static OutcomeRow Read(IDataRecord r) =>
            new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt64(3), r.GetDouble(4), r.GetInt64(5), r.GetInt64(6), r.GetInt64(7), r.GetDouble(8));

        /// <summary>Rows in the order of their values (segment, arm, then each outcome; lifetime values too when <paramref name="withValues"/>), never of ids.</summary>
        public static IOrderedEnumerable<OutcomeRow> ByValues(IEnumerable<OutcomeRow> rows, bool withValues) => rows
            .OrderBy(r => r.Segment, StringComparer.Ordinal).ThenBy(r => r.Arm, StringComparer.Ordinal)
            .ThenBy(r => r.Conversions).ThenBy(r => r.Revenue).ThenBy(r => r.Opens).ThenBy(r => r.Clicks).ThenBy(r => r.Visits).ThenBy(r => r.Seconds)
            .ThenBy(r => withValues ? r.ClvAfter : null).ThenBy(r => withValues ? r.ClvBefore : null);
    }

    /// <summary>
    /// Every assigned customer's outcomes with their lifetime value after the window and its change since the send (null
    /// without a CLV model): stored customers' computed now, erased customers' as frozen at their erasure. Rows are put
    /// in the order of their values, so that a measurement (and its bootstrap) depends on what customers did, not on how
    /// their ids sort, and stands when a customer is erased and their frozen row takes their place.
    /// </summary>
    private static (Outcomes Outcomes, double[]? Values, double[]? Changes) ReadOutcomes(IWarehouse warehouse, LaunchedCampaign campaign, TimeZoneInfo zone, DateTime to)
    {
        var rows = new List<OutcomeRow>();
        warehouse.Read(CampaignSql.Outcomes(warehouse.Dialect, campaign, to), r => rows.Add(OutcomeRow.Read(r)));
        warehouse.Read(CampaignSql.ErasedOutcomes(warehouse.Dialect, campaign.Definition.Name, to), r => rows.Add(new OutcomeRow(
            null, r.GetString(0), r.GetString(1), r.GetInt64(2), r.GetDouble(3), r.GetInt64(4), r.GetInt64(5), r.GetInt64(6), r.GetDouble(7),
            r.IsDBNull(8) ? null : r.GetDouble(8), r.IsDBNull(9) ? null : r.GetDouble(9))));

        // Lifetime value after the window, and its change since the send: comparing changes removes the
        // spread between customers from the uplift's variance (randomization keeps both unbiased).
        var withValues = false;
        if (ClvAnalysis.Active(warehouse) is { } clv && rows.All(r => r.Id is not null || (r.ClvBefore is not null && r.ClvAfter is not null))
            && WithLifetimeValues(warehouse, zone, clv, campaign, to, rows) is { } valued)
        {
            rows = valued;
            withValues = true;
        }

        rows = [.. OutcomeRow.ByValues(rows, withValues)];
        var outcomes = new Outcomes(
            [.. rows.Select(r => r.Segment)],
            [.. rows.Select(r => r.Arm)],
            [.. rows.Select(r => r.Conversions)],
            [.. rows.Select(r => r.Revenue)],
            [.. rows.Select(r => r.Opens > 0)],
            [.. rows.Select(r => r.Clicks > 0)],
            [.. rows.Select(r => r.Visits > 0)],
            [.. rows.Select(r => r.Seconds)]);
        return withValues
            ? (outcomes, [.. rows.Select(r => r.ClvAfter!.Value)], [.. rows.Select(r => r.ClvAfter!.Value - r.ClvBefore!.Value)])
            : (outcomes, null, null);
    }

    /// <summary>
    /// The rows with each stored customer's lifetime value at the send and at <paramref name="to"/> (rows without an id, frozen
    /// ones, keep theirs); null when the model gives no values.
    /// </summary>
    private static List<OutcomeRow>? WithLifetimeValues(IWarehouse warehouse, TimeZoneInfo zone, ClvModel clv, LaunchedCampaign campaign, DateTime to, List<OutcomeRow> rows)
    {
        var ids = rows.Where(r => r.Id is not null).Select(r => r.Id!).ToArray();
        if (ClvValues(warehouse, zone, clv, ids, to) is not { } after || ClvValues(warehouse, zone, clv, ids, campaign.SendAt) is not { } before)
        {
            return null;
        }

        var byId = ids.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i, StringComparer.Ordinal);
        return [.. rows.Select(r => r.Id is { } id ? r with { ClvBefore = before[byId[id]], ClvAfter = after[byId[id]] } : r)];
    }

    /// <summary>
    /// The outcomes of <paramref name="customerIds"/> in every campaign they were assigned to, frozen as of now (or the
    /// window's end) without their ids, for an erasure to store before it deletes them (docs/identity.md, "Erasure").
    /// </summary>
    public static TableRows FreezeOutcomes(IWarehouse warehouse, IReadOnlyList<string> customerIds, TimeZoneInfo zone, DateTime now, long requestId)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        ArgumentNullException.ThrowIfNull(customerIds);
        var frozen = new List<(string Campaign, DateTime To, OutcomeRow Row)>();
        var names = new List<string>();
        foreach (var chunk in customerIds.Chunk(500))
        {
            warehouse.Read(CampaignSql.CampaignsOf(warehouse.Dialect, chunk), r => names.Add(r.GetString(0)));
        }

        var clv = ClvAnalysis.Active(warehouse);
        foreach (var name in names.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var campaign = CampaignLauncher.Find(warehouse, name);
            if (campaign is null || now <= campaign.SendAt)
            {
                continue;
            }

            var to = now < campaign.WindowEnd ? now : campaign.WindowEnd;
            var rows = new List<OutcomeRow>();
            foreach (var chunk in customerIds.Chunk(500))
            {
                warehouse.Read(CampaignSql.Outcomes(warehouse.Dialect, campaign, to, chunk), r => rows.Add(OutcomeRow.Read(r)));
            }

            if (clv is not null && WithLifetimeValues(warehouse, zone, clv, campaign, to, rows) is { } valued)
            {
                rows = valued;
            }

            // In the order of their values, like the measurement's own rows: nothing of the ids' order is kept.
            frozen.AddRange(OutcomeRow.ByValues(rows, withValues: true).Select(r => (name, to, r)));
        }

        return new TableRows(frozen.Count)
            .Add("campaign", frozen.Select(f => (string?)f.Campaign).ToArray())
            .Add("request_id", Enumerable.Repeat((long?)requestId, frozen.Count).ToArray())
            .Add("segment", frozen.Select(f => (string?)f.Row.Segment).ToArray())
            .Add("arm", frozen.Select(f => (string?)f.Row.Arm).ToArray())
            .Add("frozen_to", frozen.Select(f => (DateTime?)f.To).ToArray())
            .Add("conversions", frozen.Select(f => (long?)f.Row.Conversions).ToArray())
            .Add("revenue", frozen.Select(f => (double?)f.Row.Revenue).ToArray())
            .Add("opens", frozen.Select(f => (long?)f.Row.Opens).ToArray())
            .Add("clicks", frozen.Select(f => (long?)f.Row.Clicks).ToArray())
            .Add("visits", frozen.Select(f => (long?)f.Row.Visits).ToArray())
            .Add("seconds", frozen.Select(f => (double?)f.Row.Seconds).ToArray())
            .Add("clv_before", frozen.Select(f => f.Row.ClvBefore).ToArray())
            .Add("clv_after", frozen.Select(f => f.Row.ClvAfter).ToArray());
    }

    /// <summary>
    /// Each customer's lifetime value from the active model, with its history through the last whole day
    /// before <paramref name="to"/>; customers who never bought are worth 0 (the models value buyers).
    /// Null when the model has no spend part.
    /// </summary>
    private static double[]? ClvValues(IWarehouse warehouse, TimeZoneInfo zone, ClvModel model, string[] customerIds, DateTime to)
    {
        var end = ClvAnalysis.LastCompleteDay(new EvaluationContext(to, zone));
        var customers = ClvAnalysis.ReadSummary(warehouse, zone, new SummaryPeriod(end, null, model.Unit));
        var predictions = ClvAnalysis.Predict(model, customers, end, new ClvValueOptions());
        if (predictions.Customers.Any(p => p.Value is null))
        {
            return null;
        }

        var byId = predictions.Customers.ToDictionary(p => p.CustomerId, p => p.Value!.Value, StringComparer.Ordinal);
        return [.. customerIds.Select(id => byId.GetValueOrDefault(id))];
    }

    private static string PooledArm(CampaignDefinition definition, string arm) =>
        definition.Recorded is null && arm is not (CampaignDefinition.HoldoutArm or CampaignDefinition.BroadcastArm) ? SegmentedArm : arm;

    private static IEnumerable<string> PooledArms(CampaignDefinition definition) =>
        definition.Recorded is { } recorded
            ? [CampaignDefinition.HoldoutArm, .. recorded.Arms.Select(a => a.Name)]
            : [CampaignDefinition.HoldoutArm, SegmentedArm, .. definition.Broadcast is null ? [] : new[] { CampaignDefinition.BroadcastArm }];

    private static ArmResult Summarize(
        string segment, string arm, List<int> members, Outcomes o, double[]? values, CampaignDefinition definition, Dictionary<string, double> contactCostByArm, long totalContacts, double z)
    {
        long opened = 0, clicked = 0, visited = 0, converted = 0, orders = 0;
        double seconds = 0, revenue = 0, clv = 0, contactCost = 0;
        foreach (var i in members)
        {
            opened += o.Opened[i] ? 1 : 0;
            clicked += o.Clicked[i] ? 1 : 0;
            visited += o.Visited[i] ? 1 : 0;
            converted += o.Conversions[i] > 0 ? 1 : 0;
            orders += o.Conversions[i];
            seconds += o.Seconds[i];
            revenue += o.Revenue[i];
            clv += values?[i] ?? 0;
            contactCost += contactCostByArm.GetValueOrDefault(o.Arms[i]);
        }

        var n = members.Count;
        var cost = 0.0;
        if (arm != CampaignDefinition.HoldoutArm && n > 0)
        {
            cost = contactCost + (converted * (double)definition.Costs.PerRedemption) + (totalContacts == 0 ? 0 : (double)definition.Costs.Fixed * n / totalContacts);
        }

        return new ArmResult(segment, arm, n, opened, clicked, visited, n == 0 ? 0 : seconds / n, converted, Inference.Wilson(converted, n, z), orders, revenue, cost, values is null || n == 0 ? null : clv / n);
    }

    private static ArmComparison Compare(
        ArmResult treated, ArmResult control, Dictionary<(string, string), List<int>> groups, Outcomes o, double[]? values, CampaignDefinition definition, MeasureOptions options, double z, ulong seed, bool againstBroadcast)
    {
        var t = groups.GetValueOrDefault((treated.Segment, treated.Arm)) ?? [];
        var c = groups.GetValueOrDefault((control.Segment, control.Arm)) ?? [];
        var conversion = Proportion(treated.Converted, treated.Recipients, control.Converted, control.Recipients, z);
        var visit = Proportion(treated.Visited, treated.Recipients, control.Visited, control.Recipients, z);
        var revenue = Mean([.. t.Select(i => o.Revenue[i])], [.. c.Select(i => o.Revenue[i])], options, seed);
        MeanLift? clv = values is null ? null : Mean([.. t.Select(i => values[i])], [.. c.Select(i => values[i])], options, seed ^ 0x5DEECE66DUL);
        var n = treated.Recipients;
        var incrementalRevenue = revenue.Difference * n;
        var incrementalProfit = incrementalRevenue * definition.Margin;
        var cost = againstBroadcast ? treated.Cost - (control.Recipients == 0 ? 0 : control.Cost * n / control.Recipients) : treated.Cost;
        var net = incrementalProfit - cost;
        var money = MoneyIntervals.Of(new Interval(revenue.Interval.Low * n, revenue.Interval.High * n), definition.Margin, cost);
        return new ArmComparison(
            treated.Segment,
            treated.Arm,
            againstBroadcast ? CampaignDefinition.BroadcastArm : CampaignDefinition.HoldoutArm,
            conversion,
            visit,
            revenue,
            clv,
            conversion.Difference * n,
            incrementalRevenue,
            incrementalProfit,
            cost,
            net,
            cost > 0 ? net / cost : null,
            clv is null ? null : clv.Difference * n,
            money);
    }

    private static ProportionLift Proportion(long k1, long n1, long k2, long n2, double z)
    {
        var p1 = n1 == 0 ? 0 : (double)k1 / n1;
        var p2 = n2 == 0 ? 0 : (double)k2 / n2;
        var p = Statistics.TwoSidedP(Statistics.TwoProportionZ(k1, n1, k2, n2));
        if (k1 + k2 == 0)
        {
            p = 1;
        }

        return new ProportionLift(p1, p2, p1 - p2, Inference.Newcombe(k1, n1, k2, n2, z), p2 > 0 ? (p1 / p2) - 1 : null, Inference.RelativeLiftOfProportions(k1, n1, k2, n2, z), p, p);
    }

    private static MeanLift Mean(double[] treated, double[] control, MeasureOptions options, ulong seed)
    {
        var a = Moments.Of(treated);
        var b = Moments.Of(control);
        var welch = Inference.Welch(a, b, options.Confidence);
        var heavy = Moments.SkewedForItsSize(treated) || Moments.SkewedForItsSize(control);
        Interval? bootstrap = heavy && options.BootstrapReplicates > 0 && treated.Length > 1 && control.Length > 1
            ? Inference.BootstrapDifference(treated, control, options.BootstrapReplicates, options.Confidence, seed)
            : null;
        var p = double.IsNaN(welch.P) ? 1 : welch.P;
        return new MeanLift(
            a.Mean,
            b.Mean,
            welch.Difference,
            bootstrap ?? welch.Confidence,
            bootstrap is null ? "welch" : "bootstrap",
            welch,
            bootstrap,
            b.Mean > 0 ? (a.Mean / b.Mean) - 1 : null,
            Inference.RelativeLiftOfMeans(a, b, Inference.Z(options.Confidence)),
            p,
            p);
    }

    /// <summary>Adjusts each metric's p-values within its family: one level (segments or pooled) and one comparison (against holdout or broadcast).</summary>
    private static ArmComparison[] Adjust(List<(ArmComparison Draft, string Family)> comparisons, MultipleComparison correction)
    {
        Func<IReadOnlyList<double>, double[]> adjust = correction == MultipleComparison.Holm ? Inference.Holm : Inference.BenjaminiHochberg;
        var result = comparisons.Select(c => c.Draft).ToArray();
        foreach (var family in comparisons.Select((c, i) => (c.Family, i)).GroupBy(x => x.Family, x => x.i))
        {
            var members = family.ToArray();
            var conversion = adjust([.. members.Select(i => result[i].Conversion.P)]);
            var visit = adjust([.. members.Select(i => result[i].Visit.P)]);
            var revenue = adjust([.. members.Select(i => result[i].RevenuePerRecipient.P)]);
            var clv = adjust([.. members.Select(i => result[i].Clv?.P ?? double.NaN)]);
            for (var j = 0; j < members.Length; j++)
            {
                var r = result[members[j]];
                result[members[j]] = r with
                {
                    Conversion = r.Conversion with { AdjustedP = conversion[j] },
                    Visit = r.Visit with { AdjustedP = visit[j] },
                    RevenuePerRecipient = r.RevenuePerRecipient with { AdjustedP = revenue[j] },
                    Clv = r.Clv is null ? null : r.Clv with { AdjustedP = clv[j] },
                };
            }
        }

        return result;
    }

    private static CampaignTotals Totals(CampaignDefinition definition, IReadOnlyList<ArmResult> arms, IReadOnlyList<ArmComparison> comparisons, double confidence)
    {
        var treated = arms.Where(a => a.Segment != Overall && a.Arm != CampaignDefinition.HoldoutArm).ToList();
        var contacts = treated.Sum(a => a.Recipients);
        var cost = contacts == 0 ? 0 : treated.Sum(a => a.Cost);
        var revenue = treated.Sum(a => a.Revenue);
        var vsHoldout = comparisons.Where(c => c.Segment != Overall && c.Against == CampaignDefinition.HoldoutArm).ToList();
        var hasHoldout = treated.Count > 0 && vsHoldout.Count == treated.Count;
        double? incremental = hasHoldout ? vsHoldout.Sum(c => c.IncrementalRevenue) : null;
        double? incrementalProfit = incremental * definition.Margin;
        double? net = incrementalProfit - cost;
        MoneyIntervals? money = null;
        if (incremental is { } sum)
        {
            // Each segment's interval back to a standard error, added in quadrature, and out again at the same z.
            var z = Inference.Z(confidence);
            var se = Math.Sqrt(vsHoldout.Sum(c => Math.Pow((c.Money.IncrementalRevenue.High - c.Money.IncrementalRevenue.Low) / (2 * z), 2)));
            money = MoneyIntervals.Of(new Interval(sum - (z * se), sum + (z * se)), definition.Margin, cost);
        }

        return new CampaignTotals(
            contacts,
            treated.Sum(a => a.Converted),
            revenue,
            cost,
            (revenue * definition.Margin) - cost,
            incremental,
            incrementalProfit,
            net,
            cost > 0 ? net / cost : null,
            money);
    }

    private static DateTime? LatestEvent(IWarehouse warehouse)
    {
        DateTime? latest = null;
        warehouse.Read(CampaignSql.LatestEvent(warehouse.Dialect), r => latest = r.IsDBNull(0) ? null : DateTime.SpecifyKind(r.GetDateTime(0), DateTimeKind.Utc));
        return latest;
    }
}
