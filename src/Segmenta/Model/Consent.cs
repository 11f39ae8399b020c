namespace Segmenta.Model;

/// <summary>
/// Consent per channel (docs/identity.md, "Consent"): time-stamped facts, not a flag. A fact is an event —
/// <c>consent_granted</c> or <c>consent_withdrawn</c> with the channel in its <c>channel</c> property, or
/// <c>email_unsubscribe</c> (a withdrawal of e-mail) — so it is attributed to the resolved profile, moved by identity
/// resolution and erased with the person like every event. A customer trait <c>CHANNEL_opt_in</c> (<c>email_opt_in</c>)
/// is the undated baseline: it decides only while the customer has no dated fact for the channel before the as-of
/// instant. Otherwise the latest fact decides, and a grant and a withdrawal at the same instant count as withdrawn.
/// No fact and no true baseline: not consented.
/// </summary>
public static class Consent
{
    /// <summary>The event type of a grant.</summary>
    public const string GrantedEvent = "consent_granted";

    /// <summary>The event type of a withdrawal.</summary>
    public const string WithdrawnEvent = "consent_withdrawn";

    /// <summary>The suffix of a baseline trait: <c>email_opt_in</c> is e-mail's.</summary>
    public const string OptInSuffix = "_opt_in";

    /// <summary>The channels every workspace knows; a boolean customer trait <c>X_opt_in</c> adds channel <c>X</c>.</summary>
    public static IReadOnlyList<string> StandardChannels { get; } = ["email", "sms", "push", "phone", "mail", "ads"];

    /// <summary>Event types that withdraw one channel's consent by their name (an e-mail tool's unsubscribe).</summary>
    public static IReadOnlyDictionary<string, string> WithdrawalEvents { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["email_unsubscribe"] = "email",
    };

    /// <summary>The baseline trait of a channel.</summary>
    public static string OptInTrait(string channel) => channel + OptInSuffix;

    /// <summary>The channel's baseline among the customer fields: the boolean trait <c>CHANNEL_opt_in</c>, or null.</summary>
    public static FieldDefinition? Baseline(IEnumerable<FieldDefinition> customerFields, string channel)
    {
        ArgumentNullException.ThrowIfNull(customerFields);
        return customerFields.FirstOrDefault(f => IsBaseline(f) && f.Name == OptInTrait(channel));
    }

    /// <summary>The channel an opt-in trait's name is for (<c>sms_opt_in</c>: sms), or null for another name.</summary>
    public static string? ChannelOf(string traitName)
    {
        ArgumentNullException.ThrowIfNull(traitName);
        return traitName.EndsWith(OptInSuffix, StringComparison.Ordinal) && traitName.Length > OptInSuffix.Length ? traitName[..^OptInSuffix.Length] : null;
    }

    private static bool IsBaseline(FieldDefinition f) => f.Type == FieldType.Boolean && ChannelOf(f.Name) is not null;

    /// <summary>Whether an event type records consent (a grant or a withdrawal of a channel named in the event).</summary>
    public static bool IsConsentEvent(string eventType) => eventType is GrantedEvent or WithdrawnEvent;

    /// <summary>The channels a workspace knows: the standard ones, then those its boolean <c>*_opt_in</c> traits add, in order.</summary>
    public static IReadOnlyList<string> Channels(IEnumerable<FieldDefinition> customerFields)
    {
        ArgumentNullException.ThrowIfNull(customerFields);
        var declared = customerFields.Where(IsBaseline).Select(f => ChannelOf(f.Name)!);
        return [.. StandardChannels.Concat(declared).Distinct(StringComparer.Ordinal)];
    }

    /// <summary>The text of the condition that holds for customers who consented to <paramref name="channel"/>.</summary>
    public static string Condition(string channel) => "consented " + channel;
}
