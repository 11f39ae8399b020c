using Segmenta.Language;
using Segmenta.Model;
using Segmenta.Warehouse;

namespace Segmenta.Features;

/// <summary>One per-customer feature: what it means, its unit, and its value when there is no data.</summary>
/// <param name="Name">The column, and the name after <c>features.</c> in segments.</param>
/// <param name="Type">Its type in the segment language.</param>
/// <param name="Fractional">True when it is a ratio or average kept as a double-precision float.</param>
/// <param name="Unit">Days, orders, the workspace currency, a share 0–1, …</param>
/// <param name="Definition">What it is, exactly.</param>
/// <param name="WhenNoData">Its value for a customer without the events it needs.</param>
/// <param name="Trait">True for a demographic trait copied from the customer's profile.</param>
public sealed record FeatureDefinition(string Name, FieldType Type, bool Fractional, string Unit, string Definition, string WhenNoData, bool Trait = false);

/// <summary>
/// The per-customer features every segment, persona and model reads (docs/features.md is generated
/// from the same text). All of them are as of an instant: only events strictly before it count.
/// </summary>
public static class FeatureCatalog
{
    /// <summary>The prefix of features in segment text: <c>features.recency_days</c>.</summary>
    public const string Namespace = "features";


    /// <summary>Every feature, in table order.</summary>
    public static IReadOnlyList<FeatureDefinition> All { get; } =
    [
        new("first_purchase_at", FieldType.Timestamp, false, "instant (UTC)", "When the earliest kept order was placed (docs/features.md, \"Orders and refunds\").", "missing"),
        new("last_purchase_at", FieldType.Timestamp, false, "instant (UTC)", "When the latest kept order was placed.", "missing"),
        new("recency_days", FieldType.Integer, false, "days", "Whole 24-hour days from the last purchase to the as-of instant, rounded down (a purchase 30 hours ago is 1).", "missing"),
        new("frequency", FieldType.Integer, false, "orders", "Kept purchase orders: orders (distinct `order_id` values of purchase events; a purchase without an order id is an order of its own) that refunds did not cancel whole.", "0"),
        new("purchase_days", FieldType.Integer, false, "days", "Distinct calendar days, in the workspace time zone, on which a kept order was placed.", "0"),
        new("gross_revenue", FieldType.Number, false, "currency", "The sum of purchase revenue.", "0"),
        new("refunded", FieldType.Number, false, "currency", "The sum of refund amounts (refund revenue counts as money back whatever its sign: a returned order or a cancellation).", "0"),
        new("refunds", FieldType.Integer, false, "events", "Refund events (returns and cancellations).", "0"),
        new("refund_rate", FieldType.Number, true, "share 0–1", "`refunded / gross_revenue`, at most 1: the share of what was bought that came back (a rate, so big buyers are not \"returning-prone\" for their volume alone).", "missing (no purchase revenue)"),
        new("monetary", FieldType.Number, false, "currency", "Net revenue: `gross_revenue − refunded`. Can be negative when a refund exceeds what was bought in the data.", "0"),
        new("avg_order_value", FieldType.Number, true, "currency", "The mean net value of the kept orders (gross less the refunds matched to them): per order, never per line.", "missing (no orders)"),
        new("avg_days_between_purchases", FieldType.Number, true, "days", "Days from the first to the last purchase day, divided by `purchase_days − 1`: the mean gap between consecutive purchase days.", "missing (fewer than two purchase days)"),
        new("tenure_days", FieldType.Integer, false, "days", "Whole 24-hour days from the customer's first sign of life — the earlier of `signup_at` and the first event of any type — to the as-of instant.", "missing (no signup before as-of, no events)"),
        new("email_sends", FieldType.Integer, false, "e-mails", "E-mails sent: distinct `campaign_id` values of `email_sent` events (an event without a campaign is one e-mail).", "0"),
        new("email_open_rate", FieldType.Number, true, "share 0–1", "E-mails opened (distinct campaigns of `email_open` events) divided by `email_sends`, at most 1.", "missing (no e-mail sent)"),
        new("email_click_rate", FieldType.Number, true, "share 0–1", "Click-through rate: e-mails clicked (distinct campaigns of `email_click` events) divided by `email_sends`, at most 1.", "missing (no e-mail sent)"),
        new("ad_click_rate", FieldType.Number, true, "share 0–1", "`ad_click` events divided by `ad_impression` events, at most 1.", "missing (no impression)"),
        new("sessions", FieldType.Integer, false, "sessions", "`session` events.", "0"),
        new("time_on_site_seconds", FieldType.Number, false, "seconds", "The sum of `duration_seconds` over sessions.", "0"),
        new("avg_session_seconds", FieldType.Number, true, "seconds", "The mean `duration_seconds` of sessions that report one.", "missing (no timed session)"),
        new("preferred_channel", FieldType.Text, false, "channel", "The channel of most purchase events; ties go to the higher purchase revenue, then to the first name in byte order.", "missing (no purchase with a channel)"),
        new("top_category", FieldType.Text, false, "category", "The category of most purchase events; ties as for `preferred_channel`.", "missing (no purchase with a category)"),
        new("gender", FieldType.Text, false, "trait", "The profile's gender.", "missing", Trait: true),
        new("age", FieldType.Integer, false, "years", "The profile's age.", "missing", Trait: true),
        new("country", FieldType.Text, false, "trait", "The profile's country.", "missing", Trait: true),
        new("region", FieldType.Text, false, "trait", "The profile's region.", "missing", Trait: true),
        new("city", FieldType.Text, false, "trait", "The profile's city.", "missing", Trait: true),
        new("income", FieldType.Number, false, "currency per year", "The profile's income.", "missing", Trait: true),
    ];

    /// <summary>Finds a feature by name.</summary>
    public static FeatureDefinition? Find(string name) => All.FirstOrDefault(f => f.Name == name);

    /// <summary>
    /// Features as <c>features.NAME</c> in the segment language, computed at each evaluation's as-of
    /// instant (demographic traits are left out: segments name them directly).
    /// </summary>
    public static DerivedFieldSet FieldSet { get; } = new(
        Namespace,
        Tables.CustomerFeatures,
        All.Where(f => !f.Trait).Select(f => new FieldDefinition(f.Name, f.Type)).ToList(),
        "segmenta features")
    {
        Source = new FeatureSql(),
    };
}
