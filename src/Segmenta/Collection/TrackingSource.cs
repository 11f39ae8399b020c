using System.Collections.Frozen;
using Segmenta.Ingestion;

namespace Segmenta.Collection;

/// <summary>
/// The flattened names the tracking mappings read (plus the ones Segmenta stamps itself), each with an
/// ordinal: a message keeps only these, so a flush binds the mappings to the same columns every time.
/// </summary>
public sealed class TrackingVocabulary
{
    private readonly FrozenDictionary<string, int> ordinals;

    internal TrackingVocabulary(IEnumerable<string> names)
    {
        Names = names.Concat(["type", "messageId", "userId", "receivedAt", "event", TrackingMessage.ChannelProperty]).Distinct(StringComparer.Ordinal).ToList();
        ordinals = Names.Select((n, i) => (n, i)).ToFrozenDictionary(x => x.n, x => x.i, StringComparer.Ordinal);
        OptIns = [.. Names.Select((n, i) => (Ordinal: i, Channel: n.StartsWith(TraitPrefix, StringComparison.Ordinal) ? Model.Consent.ChannelOf(n[TraitPrefix.Length..]) : null))
            .Where(x => x.Channel is not null).Select(x => (x.Ordinal, x.Channel!))];
    }

    private const string TraitPrefix = "traits.";

    /// <summary>The opt-in traits the mappings read (<c>traits.X_opt_in</c>): each one's ordinal and its channel X.</summary>
    internal IReadOnlyList<(int Ordinal, string Channel)> OptIns { get; }

    /// <summary>The names, in ordinal order.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>How many names.</summary>
    public int Count => Names.Count;

    /// <summary>The ordinal of a name, or -1.</summary>
    public int Ordinal(string name) => ordinals.TryGetValue(name, out var i) ? i : -1;

    internal string? Get(string?[] values, string name) => values[ordinals[name]];

    internal void Set(string?[] values, string name, string? value) => values[ordinals[name]] = value;
}

/// <summary>Messages of one flush as a record source, so they go through the same converter as a file.</summary>
internal sealed class TrackingSource(string name, TrackingVocabulary vocabulary, IReadOnlyList<TrackingMessage> messages) : IRecordSource
{
    private int position = -1;

    public string Name { get; } = name;

    public IReadOnlyList<string> Columns => vocabulary.Names;

    public long Line => messages[position].Index;

    public string? RecordError => messages[position].Problem;

    public long Position => position + 1;

    public long Length => messages.Count;

    public bool Read() => ++position < messages.Count;

    public bool IsNull(int ordinal) => messages[position].Values[ordinal] is null;

    public ReadOnlySpan<char> Value(int ordinal) => messages[position].Values[ordinal];

    public string RawRecord() => messages[position].Raw;

    public void Dispose()
    {
    }
}
