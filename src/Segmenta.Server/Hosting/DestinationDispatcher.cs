using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Segmenta.Activation;
using Segmenta.Documents;

namespace Segmenta.Server.Hosting;

/// <summary>
/// The host's side of activation (docs/activation.md): syncs asked for through the API or following a refresh, and a loop
/// that delivers every webhook's due batches — retries included — every <see cref="Poll"/>. All of it runs on the
/// dispatch connection (<see cref="WarehouseAccess.Dispatch{T}"/>), one piece at a time, so a slow receiver holds up
/// neither the API nor a refresh. Destination files are read afresh each time (destinations as code); secrets come from
/// the host's environment.
/// </summary>
internal sealed partial class DestinationDispatcher(WarehouseAccess access, ILogger<DestinationDispatcher> log, Files.IParquetFiles? parquet) : BackgroundService
{
    /// <summary>How often due webhook batches are looked for.</summary>
    public static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);

    private readonly HttpClient http = DestinationRunner.Client();
    private readonly SemaphoreSlim wake = new(0, int.MaxValue);
    private int syncAllPending;
    private readonly Lock pendingLock = new();
    private HashSet<Identity.Identifier> pendingIdentifiers = [];
    private bool pendingEvents;
    private bool pendingProfiles;

    /// <summary>
    /// Hears of a collection flush once it is acknowledged: the customers it touched are queued for a live update of the
    /// segments that read what changed (docs/activation.md, "Near-real-time membership"), merged with other flushes that
    /// arrive meanwhile.
    /// </summary>
    public void Stored(IReadOnlyList<Segmenta.Collection.TrackingMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        lock (pendingLock)
        {
            foreach (var message in messages)
            {
                if (message.UserId is { Length: > 0 } user)
                {
                    pendingIdentifiers.Add(new Identity.Identifier(Identity.IdentifierKind.UserId, user));
                }

                if (message.AnonymousId is { Length: > 0 } anonymous)
                {
                    pendingIdentifiers.Add(new Identity.Identifier(Identity.IdentifierKind.AnonymousId, anonymous));
                }

                pendingEvents = true;
                pendingProfiles |= message.IsProfile;
            }
        }

        wake.Release();
    }

    /// <summary>The live change waiting, taken (null when none waits).</summary>
    private Segments.LiveChange? TakeLiveChange()
    {
        lock (pendingLock)
        {
            if (pendingIdentifiers.Count == 0)
            {
                return null;
            }

            var change = new Segments.LiveChange(pendingIdentifiers, pendingEvents, pendingProfiles);
            pendingIdentifiers = [];
            pendingEvents = pendingProfiles = false;
            return change;
        }
    }

    /// <summary>
    /// Applies the waiting live change on the writer connection (it writes the membership history a refresh writes), one
    /// second ahead of the clock so the events just acknowledged — stamped up to now — are before the instant; then, if any
    /// customer entered or left a segment, syncs the webhooks.
    /// </summary>
    private async Task ApplyLive(CancellationToken cancellation)
    {
        if (TakeLiveChange() is not { } change)
        {
            return;
        }

        var update = await access.Use(warehouse =>
        {
            var at = Language.EvaluationContext.WholeSeconds(access.Time.GetUtcNow().UtcDateTime).AddSeconds(1);
            return Segments.LiveMembership.Apply(warehouse, Endpoints.ApiContext.Library(access, warehouse).Compilation, change, new Language.EvaluationContext(at, access.Settings.Zone), cancellation);
        }, cancellation).ConfigureAwait(false);
        LogLive(log, update.Touched, update.Segments.Count, update.Changes);
        if (update.Changes > 0)
        {
            await SyncAll(cancellation, webhooksOnly: true).ConfigureAwait(false);
        }
    }

    /// <summary>Asks the loop to sync every destination on its next pass (a refresh committed new membership).</summary>
    public void SyncAllSoon()
    {
        Interlocked.Exchange(ref syncAllPending, 1);
        wake.Release();
    }

    /// <summary>Syncs one destination (then delivers what is due once; the loop retries the rest).</summary>
    public Task<SyncRunDocument> Sync(string name, bool full, CancellationToken cancellation) => access.Dispatch(warehouse =>
    {
        var destination = DestinationFiles.Load(access.Workspace, name);
        var run = Runner(warehouse).Sync(destination, full, TimeSpan.Zero, cancellation);
        wake.Release();
        return SyncRunDocument.Of(run);
    }, cancellation);

    /// <summary>Checks one destination (a signed test request for a webhook).</summary>
    public Task<DestinationTestDocument> Test(string name, CancellationToken cancellation) => access.Dispatch(warehouse =>
    {
        var destination = DestinationFiles.Load(access.Workspace, name);
        return DestinationTestDocument.Of(destination, Runner(warehouse).Test(destination, cancellation));
    }, cancellation);

    /// <summary>Requeues a webhook's dead letters (or the named batches) and delivers them once.</summary>
    public Task<ReplayDocument> Replay(string name, IReadOnlyList<string> batches, CancellationToken cancellation) => access.Dispatch(warehouse =>
    {
        var destination = DestinationFiles.Load(access.Workspace, name);
        var (requeued, delivery) = Runner(warehouse).Replay(destination, batches, TimeSpan.Zero, cancellation);
        return ReplayDocument.Of(destination.Name, requeued, delivery);
    }, cancellation);

    /// <summary>
    /// Syncs every destination after the membership changed (a refresh committed) — or only the webhooks, after a live
    /// update: files and ad-platform lists are picked up in batches, so they follow the refresh's cadence rather than
    /// gaining a file every second under load. One pass on the dispatch connection, the segments compiled once; a
    /// destination whose file does not read or whose sync fails is logged and left for the next time, the others go on.
    /// </summary>
    public Task SyncAll(CancellationToken cancellation, bool webhooksOnly = false) => access.Dispatch(warehouse =>
    {
        var runner = Runner(warehouse);
        foreach (var (name, destination, problem) in Files())
        {
            if (destination is null)
            {
                LogSyncFailed(log, name, problem!);
                continue;
            }

            if (webhooksOnly && destination.Webhook is null)
            {
                continue;
            }

            try
            {
                runner.Sync(destination, full: false, TimeSpan.Zero, cancellation);
            }
            catch (SegmentaException e)
            {
                LogSyncFailed(log, name, e.Message);
            }
        }

        wake.Release();
        return 0;
    }, cancellation);

    /// <summary>A runner over a connection: the segments are compiled on first need, once.</summary>
    private DestinationRunner Runner(Warehouse.IWarehouse warehouse)
    {
        var library = new Lazy<Segments.SegmentLibrary>(() => Endpoints.ApiContext.Library(access, warehouse));
        return new(warehouse, () => library.Value, new DestinationContext(access.Workspace.Root, access.Settings.Zone, access.Time, parquet), http, Environment.GetEnvironmentVariable);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await wake.WaitAsync(Poll, stoppingToken).ConfigureAwait(false);
                await ApplyLive(stoppingToken).ConfigureAwait(false);
                if (Interlocked.Exchange(ref syncAllPending, 0) == 1)
                {
                    await SyncAll(stoppingToken).ConfigureAwait(false);
                }

                await access.Dispatch(warehouse =>
                {
                    var runner = Runner(warehouse);
                    foreach (var destination in Webhooks())
                    {
                        var report = runner.Deliver(destination, TimeSpan.Zero, stoppingToken);
                        foreach (var dead in report.Attempts.Where(a => a.Outcome == BatchStatus.Dead))
                        {
                            LogDeadLetter(log, destination.Name, dead.BatchId, dead.Error);
                        }
                    }

                    return 0;
                }, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // A delivery pass that fails is logged; batches stay in the outbox and the next pass tries again.
            catch (Exception e)
#pragma warning restore CA1031
            {
                LogDeliveryFailed(log, e);
            }
        }
    }

    /// <summary>Every destination file, read afresh: its definition, or why it does not read (the API reports it too).</summary>
    private IEnumerable<(string Name, DestinationDefinition? Destination, string? Problem)> Files()
    {
        foreach (var name in Workspaces.NamedFiles.Names(access.Workspace, DestinationDefinition.Folder))
        {
            DestinationDefinition? destination = null;
            string? problem = null;
            try
            {
                destination = DestinationFiles.Load(access.Workspace, name);
            }
            catch (SegmentaException e)
            {
                problem = e.Message;
            }

            yield return (name, destination, problem);
        }
    }

    /// <summary>The webhook destinations that read and whose secret is set (delivery passes skip the others quietly, every second).</summary>
    private IEnumerable<DestinationDefinition> Webhooks() =>
        Files().Select(f => f.Destination).OfType<DestinationDefinition>()
            .Where(d => d.Webhook is { } w && Environment.GetEnvironmentVariable(w.SecretVariable) is { Length: > 0 });

    [LoggerMessage(Level = LogLevel.Information, Message = "live update: {Touched} customers, {Segments} segments, {Changes} entered or exited")]
    private static partial void LogLive(ILogger logger, long touched, int segments, long changes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "destination {Destination}: sync failed: {Reason}")]
    private static partial void LogSyncFailed(ILogger logger, string destination, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "destination {Destination}: batch {Batch} is a dead letter: {Reason}")]
    private static partial void LogDeadLetter(ILogger logger, string destination, string batch, string? reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "webhook delivery pass failed; batches stay in the outbox")]
    private static partial void LogDeliveryFailed(ILogger logger, Exception exception);

    public override void Dispose()
    {
        http.Dispose();
        wake.Dispose();
        base.Dispose();
    }
}
