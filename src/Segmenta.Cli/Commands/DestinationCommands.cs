using System.ComponentModel;
using System.Globalization;
using Segmenta.Activation;
using Segmenta.Documents;
using Segmenta.Warehouse;
using Segmenta.Workspaces;
using Spectre.Console.Cli;

namespace Segmenta.Cli.Commands;

internal class DestinationSettings : WorkspaceSettingsBase
{
    [CommandArgument(0, "<DESTINATION>")]
    [Description("The destination's name (destinations/NAME.yaml).")]
    public string Destination { get; init; } = "";
}

internal class DestinationDeliverySettings : DestinationSettings
{
    [CommandOption("--wait <DURATION>")]
    [Description("How long to keep retrying failed webhook deliveries that come due (default 30s; 0s: one pass). What still waits is retried by the next sync, replay or `serve`.")]
    public string Wait { get; init; } = "30s";
}

internal sealed class DestinationSyncSettings : DestinationDeliverySettings
{
    [CommandOption("--full")]
    [Description("Send the whole audience again (a full resync) instead of who entered and exited since the last sync.")]
    public bool Full { get; init; }
}

internal sealed class DestinationLogSettings : DestinationSettings
{
    [CommandOption("--limit <N>")]
    [Description("Syncs to show, newest first (default 20).")]
    public int Limit { get; init; } = 20;

    [CommandOption("--batches")]
    [Description("Also list the webhook outbox: every batch with its status, tries and last error.")]
    public bool Batches { get; init; }
}

internal sealed class DestinationReplaySettings : DestinationDeliverySettings
{
    [CommandOption("--batch <ID>")]
    [Description("A batch to send again (repeatable; any status). Default: every dead letter.")]
    public string[] Batch { get; init; } = [];
}

/// <summary>What the destination verbs share: the runner over the workspace, and the wait option.</summary>
internal static class DestinationSupport
{
    private static readonly Lazy<HttpClient> Http = new(DestinationRunner.Client);

    public static DestinationRunner Runner(Workspace workspace, IWarehouse warehouse, Files.IParquetFiles parquet) =>
        new(warehouse, () => SegmentSupport.Load(workspace, warehouse), new DestinationContext(workspace.Root, workspace.Settings.Zone, TimeProvider.System, parquet), Http.Value, Environment.GetEnvironmentVariable);

    public static TimeSpan Wait(string text) =>
        Configuration.Durations.TryParse(text, out var wait) && wait <= TimeSpan.FromHours(6)
            ? wait
            : throw new UserInputException($"--wait must be a duration with its unit up to 6h (0s, 30s, 5m, 1h), not `{text}`");

    public static void PrintSync(SyncDocument s)
    {
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(inv, $"  {s.Segment}: {s.Kind} sync #{s.SyncId} of membership as of {s.AsOf}{(s.PreviousAsOf is { } p ? $" (previous {p})" : " (first)")}: {s.Entered:N0} entered, {s.Exited:N0} exited, audience {s.Audience:N0}{(s.LeftOutWithoutConsent > 0 ? $", {s.LeftOutWithoutConsent:N0} members left out without consent" : "")} — {s.Status}"));
        foreach (var file in s.Files)
        {
            Console.WriteLine($"    wrote {file}");
        }

        if (s.Detail is { } detail)
        {
            Console.WriteLine($"    note: {detail}");
        }
    }

    public static void PrintDelivery(DeliveryDocument d)
    {
        var inv = CultureInfo.InvariantCulture;
        foreach (var a in d.Attempts.Where(a => a.Outcome != BatchStatus.Delivered))
        {
            Console.WriteLine(string.Create(inv, $"    batch {a.BatchId} (#{a.Sequence}) try {a.Attempt}: {a.Error} → {(a.Outcome == "retry" ? $"retry at {a.NextAttemptAt}" : "dead letter")}"));
        }

        Console.WriteLine(string.Create(inv, $"  delivery: {d.Delivered} batch(es) delivered, {d.Pending} waiting{(d.NextAttemptAt is { } n ? $" (next try {n})" : "")}, {d.DeadLetters} in the dead letter"));
    }
}

/// <summary><c>segmenta destination list</c>: every destination with its segments' last syncs.</summary>
internal sealed class DestinationListCommand : GuardedCommand<WorkspaceSettingsBase>
{
    protected override int Run(WorkspaceSettingsBase settings, CancellationToken cancellation)
    {
        var workspace = FindWorkspace(settings);
        using var warehouse = OpenWarehouse(workspace);
        var document = new WorkspaceViews(workspace, warehouse).Destinations();
        if (settings.Json)
        {
            CliOutput.WriteJson(document);
            return ExitCodes.Ok;
        }

        if (document.Destinations.Count == 0)
        {
            Console.WriteLine($"No destinations: write one in {DestinationDefinition.Folder}/NAME.yaml (docs/activation.md).");
            return ExitCodes.Ok;
        }

        foreach (var d in document.Destinations)
        {
            Console.WriteLine($"{d.Name} ({d.Type}) → {d.Target}; consent: {d.ConsentChannel ?? "not checked"}{(d.PendingBatches + d.DeadLetters > 0 ? $"; outbox: {d.PendingBatches} waiting, {d.DeadLetters} dead letters" : "")}");
            foreach (var s in d.Segments)
            {
                Console.WriteLine(s.LastSync is { } last
                    ? string.Create(CultureInfo.InvariantCulture, $"  {s.Segment}: last sync #{last.SyncId} at {last.FinishedAt} (membership as of {last.AsOf}), audience {last.Audience:N0} — {last.Status}")
                    : $"  {s.Segment}: never synced");
            }
        }

        return ExitCodes.Ok;
    }
}

/// <summary><c>segmenta destination test NAME</c>: checks a destination without sending customer data; exit 1 when a check fails.</summary>
internal sealed class DestinationTestCommand : GuardedCommand<DestinationSettings>
{
    protected override int Run(DestinationSettings settings, CancellationToken cancellation)
    {
        var workspace = FindWorkspace(settings);
        var destination = DestinationFiles.Load(workspace, settings.Destination);
        using var warehouse = OpenWarehouse(workspace);
        var checks = DestinationSupport.Runner(workspace, warehouse, Parquet).Test(destination, cancellation);
        var document = DestinationTestDocument.Of(destination, checks);
        if (settings.Json)
        {
            CliOutput.WriteJson(document);
        }
        else
        {
            Console.WriteLine($"{destination.Name} ({destination.TypeName}):");
            foreach (var c in checks)
            {
                Console.WriteLine($"  {(c.Ok ? "ok  " : "FAIL")} {c.Name}: {c.Detail}");
            }
        }

        return document.Ok ? ExitCodes.Ok : ExitCodes.Findings;
    }
}

/// <summary>
/// <c>segmenta destination sync NAME</c>: who entered and exited each segment since the last sync (or everyone, <c>--full</c>)
/// to the destination; webhooks are delivered, retried while <c>--wait</c> allows. Exit 1 when batches still wait or are dead.
/// </summary>
internal sealed class DestinationSyncCommand : GuardedCommand<DestinationSyncSettings>
{
    protected override int Run(DestinationSyncSettings settings, CancellationToken cancellation)
    {
        var wait = DestinationSupport.Wait(settings.Wait);
        var workspace = FindWorkspace(settings);
        var destination = DestinationFiles.Load(workspace, settings.Destination);
        using var warehouse = OpenWarehouse(workspace);
        var run = DestinationSupport.Runner(workspace, warehouse, Parquet).Sync(destination, settings.Full, wait, cancellation);
        var document = SyncRunDocument.Of(run);
        if (settings.Json)
        {
            CliOutput.WriteJson(document);
        }
        else
        {
            Console.WriteLine($"{destination.Name} ({destination.TypeName}) → {destination.Target}:");
            foreach (var s in document.Syncs)
            {
                DestinationSupport.PrintSync(s);
            }

            if (document.Delivery is { } delivery)
            {
                DestinationSupport.PrintDelivery(delivery);
            }
        }

        return run.Complete ? ExitCodes.Ok : ExitCodes.Findings;
    }
}

/// <summary><c>segmenta destination log NAME</c>: the destination's syncs, newest first, and with <c>--batches</c> its outbox.</summary>
internal sealed class DestinationLogCommand : GuardedCommand<DestinationLogSettings>
{
    protected override int Run(DestinationLogSettings settings, CancellationToken cancellation)
    {
        if (settings.Limit < 1)
        {
            throw new UserInputException("--limit must be at least 1");
        }

        var workspace = FindWorkspace(settings);
        var destination = DestinationFiles.Load(workspace, settings.Destination);
        using var warehouse = OpenWarehouse(workspace);
        var log = DestinationDocuments.Log(warehouse, destination, settings.Limit, settings.Batches ? int.MaxValue : null);
        if (settings.Json)
        {
            CliOutput.WriteJson(log);
            return ExitCodes.Ok;
        }

        var syncs = log.Syncs;

        Console.WriteLine(syncs.Count == 0 ? $"{destination.Name}: never synced" : $"{destination.Name}: the last {syncs.Count} sync(s), newest first");
        foreach (var s in syncs)
        {
            Console.WriteLine($"  #{s.SyncId} {s.FinishedAt}");
            DestinationSupport.PrintSync(s);
        }

        foreach (var b in log.Batches ?? [])
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  batch {b.BatchId} #{b.Sequence} sync #{b.SyncId} {b.Segment} part {b.Part}/{b.Parts}: {b.Status}, {b.Attempts} tr{(b.Attempts == 1 ? "y" : "ies")}{(b.LastError is { } e ? $", last error: {e}" : "")}"));
        }

        return ExitCodes.Ok;
    }
}

/// <summary><c>segmenta destination replay NAME</c>: sends dead letters (or the named batches) again, under their idempotency keys.</summary>
internal sealed class DestinationReplayCommand : GuardedCommand<DestinationReplaySettings>
{
    protected override int Run(DestinationReplaySettings settings, CancellationToken cancellation)
    {
        var wait = DestinationSupport.Wait(settings.Wait);
        var workspace = FindWorkspace(settings);
        var destination = DestinationFiles.Load(workspace, settings.Destination);
        using var warehouse = OpenWarehouse(workspace);
        var (requeued, delivery) = DestinationSupport.Runner(workspace, warehouse, Parquet).Replay(destination, settings.Batch, wait, cancellation);
        var document = ReplayDocument.Of(destination.Name, requeued, delivery);
        if (settings.Json)
        {
            CliOutput.WriteJson(document);
        }
        else
        {
            Console.WriteLine(requeued.Count == 0 ? $"{destination.Name}: nothing to replay (no dead letters)" : $"{destination.Name}: {requeued.Count} batch(es) sent again");
            DestinationSupport.PrintDelivery(document.Delivery);
        }

        return delivery.Pending == 0 && delivery.Dead == 0 ? ExitCodes.Ok : ExitCodes.Findings;
    }
}
