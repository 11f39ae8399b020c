using System.Globalization;
using System.IO.Hashing;
using System.Text;
using System.Text.Json;

namespace Segmenta.Collection;

/// <summary>
/// The Tracking API calls Segmenta stores: identify becomes a customer profile, alias links two ids of one person, track,
/// page and screen become events.
/// </summary>
public enum TrackingCall
{
    /// <summary>A call that cannot be stored (not an object, no or unknown <c>type</c>); quarantined with its reason.</summary>
    Unsupported,

    /// <summary>Who a user is: traits for the customer profile.</summary>
    Identify,

    /// <summary>Something a user did.</summary>
    Track,

    /// <summary>A page a user viewed (stored as a <c>Page Viewed</c> event).</summary>
    Page,

    /// <summary>A mobile screen a user viewed (stored as a <c>Screen Viewed</c> event).</summary>
    Screen,

    /// <summary>That an earlier id (<c>previousId</c>, typically the anonymous id before sign-up) is the user <c>userId</c>.</summary>
    Alias,
}

/// <summary>
/// One message of the Segment Tracking API spec (https://segment.com/docs/connections/spec/), flattened
/// to dotted names (<c>properties.revenue</c>, <c>traits.address.city</c>) over a fixed vocabulary of
/// the names the mappings read, with the raw JSON kept for quarantine. Parsed on the request's thread,
/// so the single writer only converts and stores.
/// </summary>
public sealed class TrackingMessage
{
    private TrackingMessage(TrackingCall call, string?[] values, string raw, int index, string? problem)
    {
        Call = call;
        Values = values;
        Raw = raw;
        Index = index;
        Problem = problem;
    }

    /// <summary>What kind of call it is.</summary>
    public TrackingCall Call { get; }

    /// <summary>The value of each vocabulary name (null: absent).</summary>
    internal string?[] Values { get; }

    /// <summary>The message as received, for quarantine.</summary>
    public string Raw { get; }

    /// <summary>The message's 1-based position in its request (the "line" of its quarantine entry).</summary>
    public int Index { get; }

    /// <summary>Why the message cannot be stored, or null.</summary>
    public string? Problem { get; }

    /// <summary>The customer the message is about (<c>userId</c>), or null.</summary>
    public string? UserId { get; private init; }

    /// <summary>The anonymous visitor the message is about (<c>anonymousId</c>, or an alias's <c>previousId</c>), or null.</summary>
    public string? AnonymousId { get; private init; }

    /// <summary>Whether the message describes or links a profile (identify, alias) rather than being an event.</summary>
    public bool IsProfile => Call is TrackingCall.Identify or TrackingCall.Alias;

    /// <summary>The property a consent track call names its channel in.</summary>
    internal const string ChannelProperty = "properties.channel";

    /// <summary>
    /// The consent facts an identify states (docs/identity.md, "Consent"): for each trait <c>X_opt_in</c> the mappings read
    /// that it carries as true or false, a <c>Consent Granted</c> or <c>Consent Withdrawn</c> track call for channel X at the
    /// identify's time, with a message id derived from the identify's (a resend is a duplicate). So an opt-out sent with
    /// an identify is a dated fact that overrides an earlier grant, not only the undated baseline the trait sets.
    /// </summary>
    internal IEnumerable<TrackingMessage> ConsentFacts(TrackingVocabulary vocabulary)
    {
        if (Call != TrackingCall.Identify || Problem is not null)
        {
            yield break;
        }

        foreach (var (ordinal, channel) in vocabulary.OptIns)
        {
            var value = Values[ordinal];
            if (value is not ("true" or "false"))
            {
                continue;
            }

            var values = (string?[])Values.Clone();
            vocabulary.Set(values, "type", "track");
            vocabulary.Set(values, "event", value == "true" ? "Consent Granted" : "Consent Withdrawn");
            vocabulary.Set(values, ChannelProperty, channel);
            vocabulary.Set(values, "messageId", vocabulary.Get(Values, "messageId") + ":consent:" + channel);
            yield return new TrackingMessage(TrackingCall.Track, values, Raw, Index, null) { UserId = UserId, AnonymousId = AnonymousId };
        }
    }

    /// <summary>
    /// Reads one message. <paramref name="defaultType"/> is the call of a single-call endpoint
    /// (<c>/v1/track</c>), null for <c>/v1/batch</c> where every message names its <c>type</c>.
    /// <paramref name="receivedAt"/> is stamped as <c>receivedAt</c>, the event time of a message without
    /// a <c>timestamp</c>; a message without a <c>messageId</c> gets one derived from its content, so a
    /// resend is still recognized as a duplicate.
    /// </summary>
    public static TrackingMessage Read(JsonElement element, int index, TrackingCall? defaultType, DateTime receivedAt, TrackingVocabulary vocabulary, int maxBytes = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        var raw = element.GetRawText();
        var values = new string?[vocabulary.Count];
        if (element.ValueKind != JsonValueKind.Object)
        {
            return new TrackingMessage(TrackingCall.Unsupported, values, raw, index, $"expected a JSON object, found {element.ValueKind.ToString().ToLowerInvariant()}");
        }

        if (Encoding.UTF8.GetByteCount(raw) is var bytes && bytes > maxBytes)
        {
            return new TrackingMessage(TrackingCall.Unsupported, values, raw, index, string.Create(CultureInfo.InvariantCulture, $"the message is {bytes:N0} bytes; at most {maxBytes:N0} are stored"));
        }

        try
        {
            Ingestion.JsonLinesRecordSource.Collect(element, "", (key, value) =>
            {
                if (vocabulary.Ordinal(key) is var i && i >= 0)
                {
                    values[i] = value;
                }
            });
        }
        catch (JsonException e)
        {
            // A string escape that is not text (a lone surrogate such as \udc00): the message, not the request, is bad.
            return new TrackingMessage(TrackingCall.Unsupported, new string?[vocabulary.Count], raw, index, e.Message);
        }

        var typeText = element.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        TrackingCall call;
        string? problem = null;
        if (typeText is null)
        {
            call = defaultType ?? TrackingCall.Unsupported;
            problem = defaultType is null ? "a batch message needs a `type` (identify, alias, track, page or screen)" : null;
        }
        else
        {
            call = typeText switch
            {
                "identify" => TrackingCall.Identify,
                "track" => TrackingCall.Track,
                "page" => TrackingCall.Page,
                "screen" => TrackingCall.Screen,
                "alias" => TrackingCall.Alias,
                _ => TrackingCall.Unsupported,
            };
            if (call == TrackingCall.Unsupported)
            {
                problem = $"unsupported call type `{typeText}`; Segmenta stores identify, alias, track, page and screen";
            }
            else if (defaultType is { } expected && call != expected)
            {
                problem = $"a `{typeText}` message sent to the {expected.ToString().ToLowerInvariant()} endpoint; send it to /v1/{typeText} or /v1/batch";
                call = TrackingCall.Unsupported;
            }
        }

        vocabulary.Set(values, "type", call == TrackingCall.Unsupported ? typeText : call.ToString().ToLowerInvariant());
        vocabulary.Set(values, "receivedAt", receivedAt.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        if (call is TrackingCall.Page or TrackingCall.Screen)
        {
            vocabulary.Set(values, "event", call == TrackingCall.Page ? "Page Viewed" : "Screen Viewed");
        }

        if (vocabulary.Get(values, "messageId") is null)
        {
            vocabulary.Set(values, "messageId", "h-" + ContentHash(raw));
        }

        if (call == TrackingCall.Alias && problem is null && (vocabulary.Get(values, "userId") is null || vocabulary.Get(values, "previousId") is null))
        {
            problem = "an alias needs a `userId` and a `previousId`";
        }

        return new TrackingMessage(call, values, raw, index, problem)
        {
            UserId = vocabulary.Get(values, "userId"),
            AnonymousId = call == TrackingCall.Alias ? vocabulary.Get(values, "previousId") : vocabulary.Get(values, "anonymousId"),
        };
    }

    private static string ContentHash(string raw)
    {
        var hash = XxHash128.HashToUInt128(Encoding.UTF8.GetBytes(raw));
        return hash.ToString("x32", CultureInfo.InvariantCulture);
    }
}
