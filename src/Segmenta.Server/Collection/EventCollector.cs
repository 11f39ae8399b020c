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
/// </summary>
internal sealed partial class EventCollector(WarehouseAccess access, TrackingMappings mappings, ILogger<EventCollector> log) : BackgroundService
{
    /// <summary>A flush stops taking requests at this many messages (memory and transaction size).</summary>
    private const int MaxMessagesPerFlush = 200_000;

    private readonly Channel<Submission> queue = Channel.CreateBounded<Submission>(new BoundedChannelOptions(4096) { SingleReader = true });

    public TrackingMappings Mappings { get; } = mappings;

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
            while (count < MaxMessagesPerFlush && reader.TryRead(out var submission))
            {
                batch.Add(submission);
                count += submission.Messages.Count;
            }

            var messages = new List<TrackingMessage>(count);
            foreach (var submission in batch)
            {
                messages.AddRange(submission.Messages);
            }

            try
            {
                var flush = await access.Use(
                    warehouse => new TrackingLoader(warehouse, access.Settings, Mappings, access.Time).Store(messages),
                    CancellationToken.None).ConfigureAwait(false);
                foreach (var submission in batch)
                {
                    submission.Done.SetResult(flush);
                }
            }
#pragma warning disable CA1031 // The failure belongs to the requests in the flush: each of them is answered with it.
            catch (Exception e)
#pragma warning restore CA1031
            {
                LogFlushFailed(log, e, messages.Count);
                foreach (var submission in batch)
                {
                    submission.Done.SetException(e);
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "storing {Count} collected messages failed; their requests were answered with the error")]
    private static partial void LogFlushFailed(ILogger logger, Exception exception, int count);

    private sealed record Submission(IReadOnlyList<TrackingMessage> Messages, TaskCompletionSource<TrackingFlush> Done);
}
