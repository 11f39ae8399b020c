using System.Collections.Frozen;
using System.Text.RegularExpressions;

namespace Segmenta.Model;

/// <summary>
/// The canonical warehouse model every source is mapped onto (DESIGN.md, "The canonical model").
/// Mappings may declare extra customer traits and event properties; those become typed columns too.
/// </summary>
public static partial class CanonicalModel
{
    /// <summary>The customer key column, present in both tables.</summary>
    public const string CustomerId = "customer_id";

    /// <summary>The event dedupe key.</summary>
    public const string EventId = "event_id";

    /// <summary>The event type column.</summary>
    public const string EventType = "event_type";

    /// <summary>Whether a canonical text field is an identifier (a key or a code other systems share), which must be printable.</summary>
    public static bool IsIdentifier(string field) =>
        field is CustomerId or EventId or EventType or "order_id" or "campaign_id" or AnonymousId or UserId or "message_id";

    /// <summary>An anonymous visitor's id (a cookie or device id), on events and as a link on profiles.</summary>
    public const string AnonymousId = "anonymous_id";

    /// <summary>The user id an event came with (null: none, or loaded before identity resolution, when it is the customer id).</summary>
    public const string UserId = "user_id";

    /// <summary>When a profile row linked its ids (the call's timestamp): orders links, never stored as a trait.</summary>
    public const string IdentifiedAt = "identified_at";

    /// <summary>The instant an event occurred (UTC).</summary>
    public const string OccurredAt = "occurred_at";

    /// <summary>Canonical customer columns, in table order.</summary>
    public static IReadOnlyList<FieldDefinition> CustomerFields { get; } =
    [
        new(CustomerId, FieldType.Text),
        new("email", FieldType.Text),
        new("first_name", FieldType.Text),
        new("last_name", FieldType.Text),
        new("gender", FieldType.Text),
        new("birth_date", FieldType.Date),
        new("age", FieldType.Integer),
        new("country", FieldType.Text),
        new("region", FieldType.Text),
        new("city", FieldType.Text),
        new("postal_code", FieldType.Text),
        new("income", FieldType.Number),
        new("signup_at", FieldType.Timestamp),
        new("email_opt_in", FieldType.Boolean),
    ];

    /// <summary>Canonical event columns, in table order (the loader's run id follows them).</summary>
    public static IReadOnlyList<FieldDefinition> EventFields { get; } =
    [
        new(EventId, FieldType.Text),
        new(CustomerId, FieldType.Text),
        new(EventType, FieldType.Text),
        new(OccurredAt, FieldType.Timestamp),
        new("revenue", FieldType.Number),
        new("quantity", FieldType.Integer),
        new("order_id", FieldType.Text),
        new("product", FieldType.Text),
        new("category", FieldType.Text),
        new("channel", FieldType.Text),
        new("campaign_id", FieldType.Text),
        new("duration_seconds", FieldType.Number),
        new(AnonymousId, FieldType.Text),
        new(UserId, FieldType.Text),
    ];

    /// <summary>
    /// Fields a customers mapping may fill that link identities rather than describe the customer: an anonymous id the
    /// profile's user was seen with, and when. They are not columns of <c>customers</c> (docs/identity.md).
    /// </summary>
    public static IReadOnlyList<FieldDefinition> CustomerLinkFields { get; } =
    [
        new(AnonymousId, FieldType.Text),
        new(IdentifiedAt, FieldType.Timestamp),
    ];

    /// <summary>Whether a customers field links identities instead of being stored (<see cref="CustomerLinkFields"/>).</summary>
    public static bool IsCustomerLink(string field) => field is AnonymousId or IdentifiedAt;

    /// <summary>
    /// The event types every workspace knows. A workspace adds its own in segmenta.yaml; an event of
    /// any other type is quarantined, because a typo there would silently empty a segment.
    /// </summary>
    public static IReadOnlyList<string> StandardEventTypes { get; } =
    [
        "purchase", "refund", "page_view", "session", "product_view", "cart_add", "checkout",
        "email_sent", "email_open", "email_click", "email_unsubscribe",
        "ad_impression", "ad_click", "push_open", "sms_click", "signup", "support_ticket",
        Consent.GrantedEvent, Consent.WithdrawnEvent,
    ];

    private static readonly FrozenDictionary<string, FieldDefinition> CustomerByName =
        CustomerFields.Concat(CustomerLinkFields).ToFrozenDictionary(f => f.Name, StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, FieldDefinition> EventByName =
        EventFields.ToFrozenDictionary(f => f.Name, StringComparer.Ordinal);

    /// <summary>The canonical columns of a table.</summary>
    public static IReadOnlyList<FieldDefinition> Fields(TableKind table) =>
        table == TableKind.Customers ? CustomerFields : EventFields;

    /// <summary>Finds a canonical column by name.</summary>
    public static FieldDefinition? Find(TableKind table, string name) =>
        (table == TableKind.Customers ? CustomerByName : EventByName).GetValueOrDefault(name);

    /// <summary>The table name in the warehouse.</summary>
    public static string TableName(TableKind table) => table == TableKind.Customers ? "customers" : "events";

    /// <summary>True when <paramref name="name"/> is usable as a declared column name: lower snake case, 1–63 characters.</summary>
    public static bool IsValidFieldName(string name) => FieldNamePattern().IsMatch(name);

    [GeneratedRegex("^[a-z][a-z0-9_]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex FieldNamePattern();
}
