using Segmenta.Language;
using Segmenta.Model;

namespace Segmenta.Tests.Language;

/// <summary>The schema, other segments and as-of instant the compiler tests share.</summary>
internal static class LanguageFixtures
{
    /// <summary>RFM and CLV as a later analysis registers them: the parser knows nothing of them.</summary>
    public static readonly SegmentSchema Schema = SegmentSchema.Canonical(["loyalty_redeem"])
        .WithDerived(new DerivedFieldSet("rfm", "fixture_rfm", [new("segment", FieldType.Text), new("r", FieldType.Integer), new("f", FieldType.Integer), new("m", FieldType.Integer)], "segmenta rfm"))
        .WithDerived(new DerivedFieldSet("clv", "fixture_clv", [new("p_alive", FieldType.Number), new("clv_12m", FieldType.Number)], "segmenta clv"));

    public const string Library = """
        segment vip "VIPs" where sum(purchase.revenue, last 365 days) >= 1000
        segment unsubscribed where did email_unsubscribe
        segment vip_abroad where in segment vip and country != "US"
        segment quick_buyer where did email_click then purchase within 2 days
        segment big_spender where top 10% by sum(purchase.revenue, last 365 days)
        segment twice_quick where in segment quick_buyer or in segment quick_buyer
        segment mixed where (in segment vip and in segment quick_buyer) or (in segment vip_abroad and not in segment big_spender) or in segment twice_quick
        trait refund_share "Refund share" description "Refunds as a share of purchases" = -sum(refund.revenue) / sum(purchase.revenue)
        trait favourite_category = most_frequent(purchase.category)
        trait days_between_purchases = (days_since(first(purchase)) - days_since(last(purchase))) / (count(purchase) - 1)
        trait net_revenue = sum(purchase.revenue) + sum(refund.revenue)
        trait yearly_value = net_revenue / days_since(signup_at) * 365
        trait age_in_days = days_since(birth_date)
        segment returners where refund_share > 0.2
        """;

    public static readonly SegmentCompilation Others = SegmentCompiler.Compile(Library, Schema);

    /// <summary>New York, so that calendar days and UTC instants differ and the tests see it.</summary>
    public static readonly EvaluationContext Context = new(new DateTime(2025, 1, 1, 12, 0, 0, DateTimeKind.Utc), TimeZoneInfo.FindSystemTimeZoneById("America/New_York"));
}
