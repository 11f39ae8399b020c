using Segmenta.Numerics;
using Segmenta.Warehouse;

namespace Segmenta.Campaigns;

/// <summary>How to read a campaign out before (or at) the end of its window.</summary>
/// <param name="AsOf">Count outcomes up to this instant (default and at most: the window's end).</param>
/// <param name="Confidence">Of every interval.</param>
/// <param name="Cuped">Adjust each metric by its pre-period value (CUPED).</param>
/// <param name="PreWindowDays">The pre-period: this many days before the send (default: the outcome window's length).</param>
/// <param name="Tuning">Where the confidence sequence is tightest, in customers; null: the comparison's own customers.</param>
public sealed record ReadoutOptions(DateTime? AsOf = null, double Confidence = 0.95, bool Cuped = true, double? PreWindowDays = null, double? Tuning = null);

/// <summary>One metric of one comparison: the arms' means, CUPED's θ and variance reduction, and the estimates.</summary>
/// <param name="Metric">conversion (a proportion) or revenue (net revenue per recipient).</param>
/// <param name="ControlMean">The holdout's mean.</param>
/// <param name="TreatedMean">The arm's mean.</param>
/// <param name="ControlPreMean">The holdout's pre-period mean (the covariate).</param>
/// <param name="TreatedPreMean">The arm's pre-period mean.</param>
/// <param name="Theta">CUPED's θ (0 without CUPED).</param>
/// <param name="VarianceReduction">The share of the absolute difference's variance CUPED removed.</param>
/// <param name="Fixed">Fixed-horizon, unadjusted: valid only when looked at once, at the planned end.</param>
/// <param name="Adjusted">Fixed-horizon with CUPED (null without).</param>
/// <param name="Sequential">Always valid (on the CUPED estimator when on): the one to read at every look.</param>
/// <param name="RelativeSequential">The same, relative to the holdout's mean.</param>
public sealed record ReadoutMetric(
    string Metric,
    double ControlMean,
    double TreatedMean,
    double ControlPreMean,
    double TreatedPreMean,
    double Theta,
    double VarianceReduction,
    EffectEstimate Fixed,
    EffectEstimate? Adjusted,
    EffectEstimate Sequential,
    EffectEstimate RelativeSequential)
{
    /// <summary>The always-valid interval excludes zero: safe to act on now, however often the readout was looked at.</summary>
    public string Verdict => Sequential.Interval.Low > 0 ? "better" : Sequential.Interval.High < 0 ? "worse" : "keep_running";
}

/// <summary>One treated arm against its segment's holdout.</summary>
public sealed record ReadoutComparison(string Segment, string Arm, long Control, long Treated, double Tuning, IReadOnlyList<ReadoutMetric> Metrics);

/// <summary>A readout: when, which window, and every comparison.</summary>
public sealed record CampaignReadoutResult(LaunchedCampaign Campaign, DateTime From, DateTime To, bool Complete, DateTime PreFrom, ReadoutOptions Options, IReadOnlyList<ReadoutComparison> Comparisons);

/// <summary>
/// A campaign's readout that may be checked every day (docs/campaigns.md, "Readouts"): per segment, each treated arm against the
/// holdout on conversion and revenue per recipient, with CUPED (each metric adjusted by the same metric in the pre-period
/// window before the send) and the always-valid confidence sequence of <see cref="Experiments"/>. Customers erased since the
/// launch are left out (their pre-period is gone); <c>measure</c> counts them from their frozen outcomes.
/// </summary>
public static class CampaignReadout
{
    /// <summary>Reads <paramref name="campaign"/> out.</summary>
    public static CampaignReadoutResult Read(IWarehouse warehouse, LaunchedCampaign campaign, ReadoutOptions options)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        ArgumentNullException.ThrowIfNull(campaign);
        ArgumentNullException.ThrowIfNull(options);
        var to = options.AsOf is { } asOf && asOf < campaign.WindowEnd ? asOf : campaign.WindowEnd;
        if (to <= campaign.SendAt)
        {
            throw new CampaignException($"campaign `{campaign.Definition.Name}` is sent at {campaign.SendAt:yyyy-MM-dd'T'HH:mm:ss'Z'}: nothing to read out as of {to:yyyy-MM-dd'T'HH:mm:ss'Z'}");
        }

        var preDays = options.PreWindowDays ?? campaign.Definition.Outcome.WindowDays;
        var preFrom = campaign.SendAt.AddDays(-preDays);
        var post = Rows(warehouse, campaign, to);
        var pre = Rows(warehouse, campaign with { SendAt = preFrom }, campaign.SendAt);
        var alpha = 1 - options.Confidence;
        var groups = post.GroupBy(p => p.Value.Segment, StringComparer.Ordinal).OrderBy(g => campaign.Definition.Strata.ToList().IndexOf(g.Key)).ToList();
        var comparisons = new List<ReadoutComparison>();
        foreach (var segment in groups)
        {
            // In customer-id order, once: sums run the same way every time (byte-identical results).
            var control = segment.Where(r => r.Value.Arm == CampaignDefinition.HoldoutArm).OrderBy(r => r.Key, StringComparer.Ordinal).ToList();
            foreach (var arm in segment.Select(r => r.Value.Arm).Where(a => a != CampaignDefinition.HoldoutArm).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
            {
                var treated = segment.Where(r => r.Value.Arm == arm).OrderBy(r => r.Key, StringComparer.Ordinal).ToList();
                if (control.Count < 2 || treated.Count < 2)
                {
                    continue;
                }

                var tuning = options.Tuning ?? (control.Count + treated.Count);
                var metrics = new List<ReadoutMetric>
                {
                    Metric("conversion", true, r => r.Conversions > 0 ? 1 : 0),
                    Metric("revenue", false, r => r.Revenue),
                };
                comparisons.Add(new ReadoutComparison(segment.Key, arm, control.Count, treated.Count, tuning, metrics));

                ReadoutMetric Metric(string name, bool proportion, Func<Outcome, double> value)
                {
                    ArmMoments Moments(List<KeyValuePair<string, Outcome>> rows)
                    {
                        var m = new ArmMoments(0, 0, 0, proportion);
                        foreach (var (id, outcome) in rows)
                        {
                            m = m.Add(value(outcome), pre.TryGetValue(id, out var before) ? value(before) : 0);
                        }

                        return m;
                    }

                    var c = Moments(control);
                    var t = Moments(treated);
                    double? theta = options.Cuped ? Experiments.Theta(c, t) : null;
                    return new ReadoutMetric(
                        name,
                        c.Mean,
                        t.Mean,
                        c.PreMean,
                        t.PreMean,
                        theta ?? 0,
                        theta is { } th ? Experiments.VarianceReduction(c, t, th) : 0,
                        Experiments.FixedHorizon(c, t, relative: false, alpha),
                        theta is null ? null : Experiments.FixedHorizon(c, t, relative: false, alpha, theta),
                        Experiments.Sequential(c, t, relative: false, alpha, tuning, theta),
                        Experiments.Sequential(c, t, relative: true, alpha, tuning, theta));
                }
            }
        }

        return new CampaignReadoutResult(campaign, campaign.SendAt, to, to >= campaign.WindowEnd, preFrom, options, comparisons);
    }

    /// <summary>One customer's outcomes in a window.</summary>
    private sealed record Outcome(string Segment, string Arm, long Conversions, double Revenue);

    private static Dictionary<string, Outcome> Rows(IWarehouse warehouse, LaunchedCampaign campaign, DateTime to)
    {
        var rows = new Dictionary<string, Outcome>(StringComparer.Ordinal);
        warehouse.Read(CampaignSql.Outcomes(warehouse.Dialect, campaign, to), r => rows[r.GetString(0)] = new Outcome(r.GetString(1), r.GetString(2), r.GetInt64(3), r.GetDouble(4)));
        return rows;
    }
}
