using System.Globalization;
using System.Net;
using Segmenta.Segments;
using Segmenta.Warehouse;

namespace Segmenta.Activation;

/// <summary>A sync run of a destination: each segment's sync, then (webhooks) the delivery of the outbox.</summary>
/// <param name="Destination">The destination.</param>
/// <param name="Full">Whether it was a full resync.</param>
/// <param name="Syncs">Each segment's sync, as the log has it now.</param>
/// <param name="Delivery">The delivery run (webhooks only).</param>
public sealed record SyncRun(DestinationDefinition Destination, bool Full, IReadOnlyList<SyncLogEntry> Syncs, DeliveryReport? Delivery)
{
    /// <summary>Whether everything reached the destination: no batch waits and none is in the dead letter.</summary>
    public bool Complete => Delivery is null || (Delivery.Pending == 0 && Delivery.Dead == 0);
}

/// <summary>One check of <see cref="DestinationRunner.Test"/>.</summary>
/// <param name="Name">What was checked.</param>
/// <param name="Ok">Whether it passed.</param>
/// <param name="Detail">What was found.</param>
public sealed record DestinationTestCheck(string Name, bool Ok, string Detail);

/// <summary>
/// The one way hosts (CLI, server) sync, deliver, test and replay a destination: the sync, then delivery of the webhook
/// outbox with the secret read from the environment, over an HTTP client that never follows a redirect (a redirect
/// could carry customer data to a host the destination file does not name).
/// </summary>
/// <param name="Warehouse">The warehouse.</param>
/// <param name="Library">Reads the workspace's segments (for the check and the consent condition), asked only by what needs them: a delivery or a replay compiles nothing.</param>
/// <param name="Context">Folder, time zone, clock, Parquet.</param>
/// <param name="Http">The HTTP client webhooks are sent with (<see cref="Client"/>).</param>
/// <param name="Environment">Reads an environment variable (the webhook's secret).</param>
public sealed record DestinationRunner(IWarehouse Warehouse, Func<SegmentLibrary> Library, DestinationContext Context, HttpClient Http, Func<string, string?> Environment)
{
    /// <summary>An HTTP client for webhooks: no redirects, no cookies, timeouts per request (the destination's).</summary>
    public static HttpClient Client() => new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectTimeout = TimeSpan.FromSeconds(10),
        AutomaticDecompression = DecompressionMethods.None,
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    /// <summary>
    /// Syncs every segment of the destination, then delivers its outbox, waiting up to <paramref name="wait"/> for retries
    /// that come due. A webhook's secret is read first, so a missing one fails before anything is recorded.
    /// </summary>
    public SyncRun Sync(DestinationDefinition destination, bool full, TimeSpan wait, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var secret = destination.Webhook is null ? null : destination.Secret(Environment);
        var syncs = DestinationSync.Sync(Warehouse, Library(), destination, Context, full, cancellation);
        var delivery = secret is null ? null : WebhookDelivery.Deliver(Warehouse, destination, secret, Http, Context, wait, cancellation);
        return new SyncRun(destination, destination.SyncsInFull(full), Logged(destination, syncs), delivery);
    }

    /// <summary>Delivers what waits in a webhook's outbox (the server's retry loop), without syncing.</summary>
    public DeliveryReport Deliver(DestinationDefinition destination, TimeSpan wait, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        return WebhookDelivery.Deliver(Warehouse, destination, destination.Secret(Environment), Http, Context, wait, cancellation);
    }

    /// <summary>Requeues the named batches (every dead letter when none is named) and delivers.</summary>
    public (IReadOnlyList<string> Requeued, DeliveryReport Delivery) Replay(DestinationDefinition destination, IReadOnlyList<string> batchIds, TimeSpan wait, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (destination.Webhook is null)
        {
            throw new DestinationException($"destination `{destination.Name}` writes files, which have no batches to replay; sync it in full to write its audience again (`segmenta destination sync {destination.Name} --full`, or POST /api/destinations/{destination.Name}/sync?full=true)");
        }

        var secret = destination.Secret(Environment);
        var requeued = WebhookDelivery.Replay(Warehouse, destination, batchIds, Context.Now());
        return (requeued, WebhookDelivery.Deliver(Warehouse, destination, secret, Http, Context, wait, cancellation));
    }

    /// <summary>
    /// Checks a destination without sending customer data: its segments, traits and consent channel; that each segment
    /// has stored membership; for a webhook its secret and the receiver's answer to a signed test request; for files that
    /// the folder can be written.
    /// </summary>
    public IReadOnlyList<DestinationTestCheck> Test(DestinationDefinition destination, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var checks = new List<DestinationTestCheck>();
        try
        {
            var check = DestinationCheck.Validate(Warehouse, Library(), destination);
            var what = $"segments {string.Join(", ", destination.Segments)}; " + (check.Channel is { } c ? $"consent to {c} checked" : "consent not checked")
                + (destination.IsAdPlatform ? $"; match keys {string.Join(", ", check.MatchTraits.Select(m => $"{m.Key} ← {m.Value}"))}" : destination.Traits.Count > 0 ? $"; traits {string.Join(", ", destination.Traits)}" : "");
            checks.Add(new("workspace", true, what));
        }
        catch (SegmentaException e)
        {
            checks.Add(new("workspace", false, e.Message));
        }

        var latest = SegmentMaterializer.Latest(Warehouse);
        var missing = destination.Segments.Where(s => !latest.ContainsKey(s)).ToList();
        checks.Add(missing.Count == 0
            ? new("membership", true, string.Join(", ", destination.Segments.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s} as of {latest[s]:yyyy-MM-dd'T'HH:mm:ss'Z'}"))))
            : new("membership", false, $"no stored membership for {string.Join(", ", missing)}: run `segmenta refresh` first"));

        if (destination.Webhook is { } webhook)
        {
            byte[]? secret = null;
            try
            {
                secret = destination.Secret(Environment);
                checks.Add(new("secret", true, $"{webhook.SecretVariable} is set ({secret.Length} bytes){(secret.Length < 32 ? "; a secret of at least 32 random bytes is recommended" : "")}"));
            }
            catch (DestinationException e)
            {
                checks.Add(new("secret", false, e.Message));
            }

            if (secret is not null)
            {
                var answer = WebhookDelivery.Test(destination, secret, Http, Context, cancellation);
                checks.Add(new("receiver", answer.Ok, answer.Ok
                    ? string.Create(CultureInfo.InvariantCulture, $"{answer.Url} answered HTTP {answer.HttpStatus} in {answer.Seconds:0.000} s")
                    : $"{answer.Url}: {answer.Error ?? $"HTTP {answer.HttpStatus}"}"));
            }
        }
        else
        {
            var folder = Path.GetFullPath(Path.Combine(Context.Root, destination.Drop!.Folder));
            try
            {
                Directory.CreateDirectory(folder);
                var probe = Path.Combine(folder, ".segmenta-probe");
                File.WriteAllText(probe, "");
                File.Delete(probe);
                checks.Add(new("folder", true, $"{folder} can be written"));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                checks.Add(new("folder", false, $"{folder} cannot be written: {e.Message}"));
            }
        }

        return checks;
    }

    private IReadOnlyList<SyncLogEntry> Logged(DestinationDefinition destination, IReadOnlyList<SegmentSync> syncs)
    {
        var log = DestinationLog.Syncs(Warehouse, destination.Name, Math.Max(syncs.Count * 4, 64));
        return [.. syncs.Select(s => log.FirstOrDefault(e => e.Sync.SyncId == s.SyncId) ?? new SyncLogEntry(s, 0, 0, 0))];
    }
}
