using Segmenta.Ingestion;
using Segmenta.Warehouse;
using Segmenta.Workspaces;

namespace Segmenta.Collection;

/// <summary>What one flush stored: the identify and alias calls as customer runs, the rest as one event run.</summary>
/// <param name="Messages">Messages in the flush.</param>
/// <param name="Customers">The identify and alias calls' outcome (summed over their runs).</param>
/// <param name="Events">The track, page and screen calls' outcome, unsupported messages quarantined with them.</param>
public sealed record TrackingFlush(int Messages, IngestSummary Customers, IngestSummary Events);

/// <summary>
/// Stores Tracking API messages through the ingestor, exactly as a file is stored: the same mapping
/// conversion, quarantine with reason and raw message, and dedupe by <c>messageId</c> against
/// everything already stored. Each table's messages are one run in one transaction, so when
/// <see cref="Store"/> returns they are durable, and when it throws nothing of its table was written.
/// </summary>
public sealed class TrackingLoader
{
    /// <summary>The source name of the runs and quarantine entries of collected messages.</summary>
    public const string Source = "http:/v1";

    private readonly Ingestor ingestor;
    private readonly TrackingMappings mappings;

    /// <summary>Creates a loader over a warehouse.</summary>
    public TrackingLoader(IWarehouse warehouse, WorkspaceSettings settings, TrackingMappings mappings, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(mappings);
        ingestor = new Ingestor(warehouse, settings, time);
        this.mappings = mappings;
    }

    /// <summary>Stores the messages: profiles first (so events find their customer's traits), then events.</summary>
    public TrackingFlush Store(IReadOnlyList<TrackingMessage> messages, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var customers = new IngestSummary();

        foreach (var round in Rounds(messages.Where(m => m.Call == TrackingCall.Identify)))
        {
            customers = Add(customers, Load(round, mappings.Customers, keepMissingTraits: true, cancellation));
        }

        // Alias calls are runs of their own, so that their links are recorded as explicit.
        foreach (var round in Rounds(messages.Where(m => m.Call == TrackingCall.Alias)))
        {
            customers = Add(customers, Load(round, mappings.Customers, keepMissingTraits: true, cancellation, aliases: true));
        }

        // Events, and the consent facts the identify calls state (their opt-in traits, at their time).
        var others = messages.Where(m => !m.IsProfile).Concat(messages.SelectMany(m => m.ConsentFacts(mappings.Vocabulary))).ToList();
        var events = others.Count == 0 ? new IngestSummary() : Load(others, mappings.Events, keepMissingTraits: false, cancellation);
        return new TrackingFlush(messages.Count, customers, events);
    }

    /// <summary>
    /// Profile messages in runs of one row per customer: a user identified (or aliased) twice in a flush is stored in two
    /// successive runs, in arrival order, so the later call's traits win as they would one call at a time.
    /// </summary>
    private static List<List<TrackingMessage>> Rounds(IEnumerable<TrackingMessage> messages)
    {
        var rounds = new List<List<TrackingMessage>>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var message in messages)
        {
            var round = 0;
            if ((message.UserId ?? (message.AnonymousId is { } a ? Identity.Identifier.AnonymousPrefix + a : null)) is { } id)
            {
                seen[id] = round = seen.GetValueOrDefault(id, -1) + 1;
            }

            while (rounds.Count <= round)
            {
                rounds.Add([]);
            }

            rounds[round].Add(message);
        }

        return rounds;
    }

    private IngestSummary Load(IReadOnlyList<TrackingMessage> messages, IngestMapping mapping, bool keepMissingTraits, CancellationToken cancellation, bool aliases = false)
    {
        using var source = new TrackingSource(Source, mappings.Vocabulary, messages);
        return ingestor.Load(source, mapping, new IngestLoadOptions(Source, KeepMissingTraits: keepMissingTraits, Aliases: aliases), cancellation: cancellation);
    }

    private static IngestSummary Add(IngestSummary a, IngestSummary b) =>
        new(a.Read + b.Read, a.Loaded + b.Loaded, a.Quarantined + b.Quarantined, a.Duplicates + b.Duplicates, a.Skipped + b.Skipped);
}
