using System.Globalization;

namespace Segmenta.Personas;

/// <summary>
/// The documented rules (docs/personas.md) that name a persona from its most distinctive traits and
/// suggest a strategy. Everything is a pure function of the report, so names and strategies are
/// deterministic.
/// </summary>
internal static class PersonaPlaybook
{
    /// <summary>A mean at least this many base standard deviations from the base's is distinctive.</summary>
    public const double Distinctive = 0.5;

    /// <summary>A level over-indexing at least this much names the persona.</summary>
    public const double NamingLift = 1.5;

    /// <summary>The share of members in one RFM segment from which its playbook applies.</summary>
    public const double DominantRfmShare = 0.4;

    /// <summary>The share of members preferring a channel for the strategy to name it.</summary>
    public const double MainChannelShare = 0.3;

    /// <summary>Adjectives from numeric measures: (measure, word when higher, word when lower).</summary>
    private static readonly (string Measure, string? High, string? Low)[] Adjectives =
    [
        ("age", "older", "young"),
        ("income", "affluent", "budget-conscious"),
        ("tenure_days", "long-standing", "new"),
        ("recency_days", "lapsed", "recently active"),
        ("email_open_rate", "e-mail-engaged", "e-mail-averse"),
        ("sessions", "browsing-heavy", null),
        ("ad_click_rate", "ad-responsive", null),
        ("refund_rate", "returning-prone", null),
    ];

    /// <summary>Nouns from behavior, the first that applies: (measure, direction, noun).</summary>
    private static readonly (string Measure, int Direction, string Noun)[] Nouns =
    [
        ("monetary", 1, "high-spenders"),
        ("frequency", 1, "regulars"),
        ("avg_order_value", 1, "big-basket buyers"),
        ("monetary", -1, "light buyers"),
    ];

    /// <summary>The strategy for a dominant named RFM segment (the standard map's names).</summary>
    private static readonly Dictionary<string, string> RfmPlays = new(StringComparer.Ordinal)
    {
        ["Champions"] = "Reward them: loyalty perks, early access and referral asks; they need no discount.",
        ["Loyal Customers"] = "Upsell and cross-sell higher-value products; invite reviews and a higher loyalty tier.",
        ["Potential Loyalists"] = "Build the habit: a membership or loyalty-program offer and recommendations after each order.",
        ["New Customers"] = "Nurture: an onboarding series and a timely second-purchase incentive.",
        ["Promising"] = "Earn the next order: content that builds awareness, a free-shipping trial.",
        ["Need Attention"] = "Re-engage with limited-time offers tailored to what they bought before.",
        ["About to Sleep"] = "Reactivate before they lapse: popular products and a modest discount.",
        ["At Risk"] = "Win back: personalized reminders, renewals and their favorite categories.",
        ["Can't Lose Them"] = "Win them back at almost any cost: personal outreach, the strongest offers, and ask what went wrong.",
        ["Hibernating"] = "Low-cost reactivation in cheap channels; stop if they do not respond.",
        ["Lost"] = "Keep them out of paid campaigns; at most one last low-cost win-back attempt.",
    };

    /// <summary>The name: up to three adjectives, strongest first, and a noun.</summary>
    public static (string Name, IReadOnlyList<string> Reasons) Name(PersonaReport report)
    {
        var inv = CultureInfo.InvariantCulture;
        var words = new List<(double Strength, int Order, string Word, string Reason)>();
        for (var i = 0; i < Adjectives.Length; i++)
        {
            var (measure, high, low) = Adjectives[i];
            // A measure most members lack (recency among mostly non-buyers) does not name them.
            if (report.Measure(measure) is { } m && 2 * m.Present >= report.Size && Math.Abs(m.Difference) >= Distinctive && (m.Difference > 0 ? high : low) is { } word)
            {
                words.Add((Math.Abs(m.Difference), i, word, string.Create(inv, $"{word}: mean {measure} {Show(m.Mean)} against {Show(m.BaseMean)} ({m.Difference:+0.0;-0.0} standard deviations)")));
            }
        }

        foreach (var level in report.OverIndexing.Where(l => l.Trait is "preferred_channel" or "top_category" && l.Lift >= NamingLift))
        {
            var word = level.Trait == "preferred_channel" ? $"{level.Level}-first" : $"{level.Level}-loving";
            if (words.All(w => !w.Word.EndsWith(level.Trait == "preferred_channel" ? "-first" : "-loving", StringComparison.Ordinal)))
            {
                // A lift of 1.5 weighs as much as half a standard deviation.
                words.Add((level.Lift - 1, Adjectives.Length, word, string.Create(inv, $"{word}: {level.Trait} = {level.Level} for {Percent(level.Share)} of members against {Percent(level.BaseShare)} (lift {level.Lift:0.0})")));
            }
        }

        // The three strongest, then in a natural order: demographics, tenure and behavior, channel and category.
        var chosen = words.OrderByDescending(w => w.Strength).ThenBy(w => w.Order).Take(3).OrderBy(w => w.Order).ToList();
        string noun;
        string nounReason;
        if (report.RfmMix.FirstOrDefault(s => s.Name == PersonaAnalysis.NoPurchases) is { Share: >= 0.5 } prospects)
        {
            noun = "prospects";
            nounReason = string.Create(inv, $"prospects: {Percent(prospects.Share)} of members have not purchased");
        }
        else if (Nouns.FirstOrDefault(n => report.Measure(n.Measure) is { } m && m.Difference * n.Direction >= Distinctive) is { Noun: not null } rule)
        {
            var m = report.Measure(rule.Measure)!;
            noun = rule.Noun;
            nounReason = string.Create(inv, $"{noun}: mean {rule.Measure} {Show(m.Mean)} against {Show(m.BaseMean)} ({m.Difference:+0.0;-0.0} standard deviations)");
        }
        else if (report.RfmMix.Where(s => s.Name != PersonaAnalysis.NoPurchases && s.Name != PersonaAnalysis.RefundsOnly).MaxBy(s => s.Share) is { Share: >= DominantRfmShare } dominant)
        {
            // Nothing else stands out: the RFM segment most of them are in says who they are.
            var rfmName = dominant.Name.ToLowerInvariant();
            noun = rfmName.EndsWith('s') ? rfmName : rfmName + " customers";
            nounReason = string.Create(inv, $"{noun}: {Percent(dominant.Share)} of members are RFM {dominant.Name}");
        }
        else if (report.RfmMix.FirstOrDefault(s => s.Name == PersonaAnalysis.RefundsOnly) is { Share: >= 0.5 } refunders)
        {
            noun = "refund-only customers";
            nounReason = string.Create(inv, $"refund-only customers: {Percent(refunders.Share)} of members have refunds or cancellations but no kept order");
        }
        else
        {
            noun = "typical customers";
            nounReason = "typical customers: spend, frequency and RFM mix are like everyone's";
        }

        var name = string.Join(' ', chosen.Select(w => w.Word).Append(noun));
        return (char.ToUpperInvariant(name[0]) + name[1..], [.. chosen.Select(w => w.Reason), nounReason]);
    }

    /// <summary>The strategy: the dominant RFM segment's play, else the first behavioral rule that applies; then the channel to use.</summary>
    public static (string Strategy, string Reason) Strategy(PersonaReport report)
    {
        var inv = CultureInfo.InvariantCulture;
        string play;
        string reason;
        var dominant = report.RfmMix.Where(s => s.Name is not (PersonaAnalysis.NoPurchases or PersonaAnalysis.RefundsOnly)).MaxBy(s => s.Share);
        var noPurchases = report.RfmMix.FirstOrDefault(s => s.Name == PersonaAnalysis.NoPurchases);
        if (report.Size == 0)
        {
            return ("No members at this instant: nothing to target.", "empty segment");
        }

        if (noPurchases is { Share: >= 0.5 })
        {
            play = "Convert: a first-purchase incentive and social proof, in the channels they already use.";
            reason = string.Create(inv, $"{Percent(noPurchases.Share)} of members have not purchased");
        }
        else if (report.RfmMix.FirstOrDefault(s => s.Name == PersonaAnalysis.RefundsOnly) is { Share: >= 0.5 } refunders)
        {
            play = "Find out what went wrong before selling again: a service follow-up on the returned or cancelled orders, no discount push.";
            reason = string.Create(inv, $"{Percent(refunders.Share)} of members have refunds or cancellations but no kept order");
        }
        else if (dominant is { Share: >= DominantRfmShare } && RfmPlays.TryGetValue(dominant.Name, out var rfmPlay))
        {
            play = rfmPlay;
            reason = string.Create(inv, $"{Percent(dominant.Share)} of members are RFM {dominant.Name}");
        }
        else if (report.Measure("recency_days") is { Difference: >= Distinctive } lapsed)
        {
            play = RfmPlays["At Risk"];
            reason = string.Create(inv, $"lapsed: mean recency {Show(lapsed.Mean)} days against {Show(lapsed.BaseMean)}");
        }
        else if (report.Measure("tenure_days") is { Difference: <= -Distinctive } young)
        {
            play = RfmPlays["New Customers"];
            reason = string.Create(inv, $"new: mean tenure {Show(young.Mean)} days against {Show(young.BaseMean)}");
        }
        else if (report.Measure("monetary") is { Difference: >= Distinctive } rich)
        {
            play = RfmPlays["Loyal Customers"];
            reason = string.Create(inv, $"high value: mean net revenue {Show(rich.Mean)} against {Show(rich.BaseMean)}");
        }
        else
        {
            play = "Engage: test messages and offers against a holdout to learn what moves them.";
            reason = "no dominant RFM segment or distinctive behavior";
        }

        var channel = report.Channels.Count > 0 ? report.Channels[0] : null;
        var via = channel is null || channel.Share < MainChannelShare ? "" : string.Create(inv, $" Reach them where they buy: {channel.Name} ({Percent(channel.Share)} of members prefer it).");
        var email = report.Measure("email_open_rate") is { Present: > 0 } open && !double.IsNaN(open.Index)
            ? open.Index >= 120 ? " E-mail works well for them." : open.Index <= 80 ? " E-mail underperforms for them: favor other channels." : ""
            : "";
        return (play + via + email, reason);
    }

    /// <summary>A share as a percentage with <paramref name="decimals"/> decimals: 0.623 is "62%", or "62.3%" with one.</summary>
    internal static string Percent(double share, int decimals = 0) =>
        (share * 100).ToString(decimals == 0 ? "0" : "0." + new string('0', decimals), CultureInfo.InvariantCulture) + "%";

    /// <summary>A number for a sentence: thousands separated, at most two decimals.</summary>
    internal static string Show(double value) =>
        double.IsNaN(value) ? "n/a"
        : Math.Abs(value) >= 1000 ? value.ToString("N0", CultureInfo.InvariantCulture)
        : value.ToString("0.##", CultureInfo.InvariantCulture);
}
