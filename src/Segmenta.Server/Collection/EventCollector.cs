using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Segmenta.Collection;
using Segmenta.Server.Hosting;

namespace Segmenta.Server.Collection;

/// <summary>
/// Group commit for the Tracking API: requests hand their parsed messages to one writer, which stores
/// everything that queued up while the previous flush was committing as one run per table, then
/// acknowledges every request in it. A request is answered only after its messages are committed (or
/// with an error, after nothing of them was), so a client that saw 200 never loses an event and a
/// client that retries after an error never duplicates one (messageId dedupe).
///
/// One client's bad data never fails another's request: every message is converted and checked before it is
/// written (a bad one is quarantined with its reason), and should a flush still fail, each request in it is
/// stored again on its own, so only the request that carries the fault is answered with it.
/// </summary>
internal sealed partial class EventCollector : BackgroundService
{
    /// <summary>A flush stops taking requests at this many messages (memory and transaction size).</summary>
    private const int MaxMessagesPerFlush = 200_000;

    /// <summary>A flush stops taking requests at this many characters of raw messages (memory).</summary>
    private const long MaxCharactersPerFlush = 64L << 20;

    private readonly Func<IReadOnlyList<TrackingMessage>, Task<TrackingFlush>> store;
    private readonly Action<IReadOnlyList<TrackingMessage>>? stored;
    private readonly ILogger<EventCollector> log;

    public EventCollector(WarehouseAccess access, TrackingMappings mappings, DestinationDispatcher destinations, ILogger<EventCollector> log)
        : this(mappings, log, messages => access.Collect(warehouse => new TrackingLoader(warehouse, access.Settings, mappings, access.Time).Store(messages), CancellationToken.None), destinations.Stored)
    {
    }

    /// <summary>A collector over any store (tests inject faults through it); <paramref name="stored"/> hears of each flush once it is answered.</summary>
    internal EventCollector(TrackingMappings mappings, ILogger<EventCollector> log, Func<IReadOnlyList<TrackingMessage>, Task<TrackingFlush>> store, Action<IReadOnlyList<TrackingMessage>>? stored = null)
    {
        Mappings = mappings;
        this.log = log;
        this.store = store;
        this.stored = stored;
    }

    private readonly Channel<Submission> queue = Channel.CreateBounded<Submission>(new BoundedChannelOptions(4096) { SingleReader = true });

    public TrackingMappings Mappings { get; }

    /// <summary>Queues messages and completes once they are durably stored.</summary>
    public async Task<TrackingFlush> Submit(IReadOnlyList<TrackingMessage> messages, CancellationToken cancellation)
    {
        var submission = new Submission(messages, new TaskCompletionSource<TrackingFlush>(TaskCreationOptions.RunContinuationsAsynchronously));
        try
        {
            await queue.Writer.WriteAsync(submission, cancellation).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            throw new ApiProblem(503, "Shutting down", "the server is stopping; send the events again to another instance or after restart");
        }

        // Once queued, the messages are stored whether or not the client still waits: a retry is a duplicate, not a loss.
        return await submission.Done.Task.ConfigureAwait(false);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Everything queued is still stored before the host stops.
        queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reader = queue.Reader;
        var batch = new List<Submission>();
        while (await reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            batch.Clear();
            var count = 0;
            var characters = 0L;
            while (count < MaxMessagesPerFlush && characters < MaxCharactersPerFlush && reader.TryRead(out var submission))
            {
                batch.Add(submission);
                count += submission.Messages.Count;
                characters += submission.Messages.Sum(m => (long)m.Raw.Length);
            }

            if (batch.Count > 0)
            {
                await Flush(batch).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Stores the submissions as one run and answers each; if that fails, stores each on its own.</summary>
    private async Task Flush(IReadOnlyList<Submission> batch)
    {
        try
        {
            List<TrackingMessage> messages = [.. batch.SelectMany(s => s.Messages)];
            var flush = await store(messages).ConfigureAwait(false);
            foreach (var submission in batch)
            {
                submission.Done.SetResult(flush);
            }

            // Acknowledged first; then the segments that read what changed are brought up to date for these customers.
            stored?.Invoke(messages);
        }
#pragma warning disable CA1031 // The failure belongs to the requests in the flush: each of them is answered with it.
        catch (Exception e) when (batch.Count > 1)
        {
            LogFlushSplit(log, e, batch.Count);
            foreach (var submission in batch)
            {
                await Flush([submission]).ConfigureAwait(false);
            }
        }
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogFlushFailed(log, e, batch[0].Messages.Count);
            batch[0].Done.SetException(e);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "storing the messages of {Requests} requests together failed; storing each request on its own")]
    private static partial void LogFlushSplit(ILogger logger, Exception exception, int requests);

    [LoggerMessage(Level = LogLevel.Error, Message = "storing the {Count} collected messages of one request failed; it was answered with the error")]
    private static partial void LogFlushFailed(ILogger logger, Exception exception, int count);

    private sealed record Submission(IReadOnlyList<TrackingMessage> Messages, TaskCompletionSource<TrackingFlush> Done);
}
