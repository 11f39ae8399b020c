using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Segmenta.Language;
using Segmenta.Refresh;

namespace Segmenta.Server.Hosting;

/// <summary>Where the host's refreshes stand, for <c>GET /api/refresh</c>.</summary>
internal sealed record RefreshState(string? Every, DateTime? NextAt, DateTime? RunningSince, DateTime? RunningAsOf, string? LastError);

/// <summary>
/// Refreshes the workspace on the interval of <c>server.refresh_every</c> (and on demand): the same
/// pipeline as <c>segmenta refresh</c>, as of the current instant to the second. The next run is due
/// one interval after the newest snapshot, so a restart neither skips nor repeats one; a failed run is
/// recorded by the pipeline and retried after the interval (or a quarter of it, at most an hour). Each committed refresh
/// has every destination synced with the new membership.
/// </summary>
internal sealed partial class RefreshScheduler(WarehouseAccess access, DestinationDispatcher destinations, ILogger<RefreshScheduler> log) : BackgroundService
{
    private readonly SemaphoreSlim running = new(1, 1);
    private readonly Lock state = new();
    private DateTime? nextAt;
    private DateTime? runningSince;
    private DateTime? runningAsOf;
    private string? lastError;

    public RefreshInterval? Every => access.Settings.Server.RefreshEvery;

    public RefreshState State()
    {
        lock (state)
        {
            return new RefreshState(Every?.ToString(), nextAt, runningSince, runningAsOf, lastError);
        }
    }

    /// <summary>Refreshes to <paramref name="asOf"/> (default: now) unless a refresh is running (then 409).</summary>
    public async Task<RefreshReport> RunNow(DateTime? asOf, CancellationToken cancellation)
    {
        if (!await running.WaitAsync(0, cancellation).ConfigureAwait(false))
        {
            throw new ApiProblem(409, "A refresh is running", "a refresh is already running; see GET /api/refresh for when it started");
        }

        try
        {
            // Now, to the second — or the latest instant a live update recorded, when one ran a second ahead of the clock.
            var now = EvaluationContext.WholeSeconds(access.Time.GetUtcNow().UtcDateTime);
            var recorded = asOf is null ? await access.Read(w => Segments.SegmentMaterializer.Latest(w).Values.DefaultIfEmpty(now).Max(), cancellation).ConfigureAwait(false) : now;
            var instant = asOf ?? (recorded > now ? recorded : now);
            lock (state)
            {
                runningSince = access.Time.GetUtcNow().UtcDateTime;
                runningAsOf = instant;
            }

            try
            {
                var report = await access.Use(
                    warehouse => RefreshPipeline.Run(access.Workspace, warehouse, new EvaluationContext(instant, access.Settings.Zone), access.Time, null, cancellation),
                    cancellation).ConfigureAwait(false);
                lock (state)
                {
                    lastError = null;
                }

                destinations.SyncAllSoon();
                return report;
            }
            catch (RefreshFailedException e)
            {
                lock (state)
                {
                    lastError = e.Message;
                }

                throw;
            }
        }
        finally
        {
            lock (state)
            {
                runningSince = null;
                runningAsOf = null;
            }

            running.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (Every is not { } every)
        {
            return;
        }

        var latest = await access.Use(RefreshRuns.Current, stoppingToken).ConfigureAwait(false);
        var due = latest is null ? access.Time.GetUtcNow().UtcDateTime : every.After(latest.AsOf, 1);
        while (!stoppingToken.IsCancellationRequested)
        {
            lock (state)
            {
                nextAt = due;
            }

            var wait = due - access.Time.GetUtcNow().UtcDateTime;
            if (wait > TimeSpan.Zero)
            {
                // Waits in steps of at most a day so a long interval still follows the clock.
                await Task.Delay(wait < TimeSpan.FromDays(1) ? wait : TimeSpan.FromDays(1), access.Time, stoppingToken).ConfigureAwait(false);
                continue;
            }

            try
            {
                var report = await RunNow(null, stoppingToken).ConfigureAwait(false);
                due = every.After(report.AsOf, 1);
                LogRefreshed(log, report.AsOf, report.Alerts.Count);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (ApiProblem)
            {
                // A refresh asked for through the API is running; look again shortly.
                due = access.Time.GetUtcNow().UtcDateTime.AddMinutes(1);
            }
#pragma warning disable CA1031 // A scheduled refresh that fails is recorded and retried; the host keeps serving.
            catch (Exception e)
#pragma warning restore CA1031
            {
                LogRefreshFailed(log, e);
                var interval = every.After(DateTime.UnixEpoch, 1) - DateTime.UnixEpoch;
                due = access.Time.GetUtcNow().UtcDateTime + TimeSpan.FromTicks(Math.Min(interval.Ticks / 4, TimeSpan.TicksPerHour));
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "scheduled refresh as of {AsOf:O}: {Alerts} drift alert(s)")]
    private static partial void LogRefreshed(ILogger logger, DateTime asOf, int alerts);

    [LoggerMessage(Level = LogLevel.Error, Message = "scheduled refresh failed; it is recorded and will be retried")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception);

    public override void Dispose()
    {
        running.Dispose();
        base.Dispose();
    }
}
