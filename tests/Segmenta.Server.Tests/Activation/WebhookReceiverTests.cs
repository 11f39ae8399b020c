using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Segmenta.Activation;
using Segmenta.DuckDb;
using Segmenta.Generation;
using Segmenta.Ingestion;
using Segmenta.Language;
using Segmenta.Model;
using Segmenta.Segments;
using Segmenta.Testing;
using Segmenta.Workspaces;
using Xunit;

namespace Segmenta.Server.Tests.Activation;

/// <summary>
/// Webhook delivery against a real HTTP receiver on loopback (a small ASP.NET host in the test) that fails on purpose, is
/// slower than the sender's timeout, refuses a batch, and is down: nothing is lost, every request is signed, batches
/// arrive in order, and nothing arrives twice except the documented at-least-once repeat of a batch whose answer came
/// too late, which carries the same idempotency key and the same bytes.
/// </summary>
public sealed class WebhookReceiverTests : IDisposable
{
    private static readonly DateTime AsOf = new(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private const string Secret = "test-secret-0123456789abcdef0123456789";

    private readonly TempDir dir = TestPaths.NewTempDir();
    private readonly Workspace workspace;
    private readonly DuckDbWarehouse warehouse;

    public WebhookReceiverTests()
    {
        var root = Path.Combine(dir.Path, "ws");
        Workspace.Init(root, new WorkspaceSettings { Name = "webhooks", AsOf = AsOf });
        workspace = Workspace.Open(root);
        warehouse = DuckDbWarehouse.Open(workspace.WarehousePath);
        var data = CustomerBaseGenerator.Write(new GeneratorOptions(400, 8000, 5, AsOf), Path.Combine(dir.Path, "data"));
        var ingestor = new Ingestor(warehouse, workspace.Settings, TimeProvider.System);
        ingestor.Run(new IngestRequest(TableKind.Customers, data.CustomersFile));
        ingestor.Run(new IngestRequest(TableKind.Events, data.EventsFile));
        File.WriteAllText(Path.Combine(root, "segments", "buyers.seg"), "segment buyers where count(purchase, last 365 days) >= 1\n");
        SegmentMaterializer.Materialize(warehouse, [Library().Require("buyers")], new EvaluationContext(AsOf, TimeZoneInfo.Utc), AsOf);
    }

    private SegmentLibrary Library() => SegmentLibrary.Load(workspace, SegmentLibrary.SchemaOf(warehouse, workspace.Settings));

    private DestinationRunner Runner(HttpClient http) =>
        new(warehouse, Library, new DestinationContext(workspace.Root, TimeZoneInfo.Utc, TimeProvider.System), http, v => v == "HOOK_SECRET" ? Secret : null);

    /// <summary>The destination under test; its timeout is long unless a test is about a late answer: a machine slow enough to keep a
    /// loopback receiver's answer past half a second (seen once in a loaded suite) must not fail a test of signing or retries.</summary>
    private DestinationDefinition Destination(int port, string retry, string timeout = "10s")
    {
        File.WriteAllText(Path.Combine(workspace.Root, "destinations", "hook.yaml"), $"""
            type: webhook
            segments: [buyers]
            consent: ignore
            traits: [email, country]
            url: http://127.0.0.1:{port}/hook
            secret_env: HOOK_SECRET
            batch_size: 40
            timeout: {timeout}
            retry: {retry}
            """);
        return DestinationFiles.Load(workspace, "hook");
    }

    private IReadOnlyList<string> Members() => SegmentMaterializer.Members(warehouse, "buyers", AsOf)!.CustomerIds;

    [Fact]
    public async Task FailingAndSlowReceiver_GetsEveryMemberOnce_InOrder_WithRetriesUnderTheSameKey()
    {
        // The first three requests fail with 503; the fifth is processed but answered after the sender's timeout.
        await using var receiver = await Receiver.Start(Secret, 0, (n, _) => n <= 3 ? (503, TimeSpan.Zero) : n == 5 ? (200, TimeSpan.FromSeconds(1.5)) : (200, TimeSpan.Zero));
        using var http = DestinationRunner.Client();
        var run = Runner(http).Sync(Destination(receiver.Port, "{ attempts: 8, initial: 50ms, max: 200ms }", timeout: "500ms"), full: false, wait: TimeSpan.FromSeconds(60));

        Assert.True(run.Complete, JsonSerializer.Serialize(run.Delivery));
        var members = Members();
        var batches = (members.Count + 39) / 40;
        Assert.Equal(batches, run.Delivery!.Delivered);
        Assert.Equal(members.Count, run.Syncs.Single().Sync.Entered);

        // Every request was signed with the secret and the time it was sent.
        Assert.All(receiver.Requests, r => Assert.True(r.SignatureOk, r.Problem));

        // Deduplicated by idempotency key, the receiver has every member exactly once, and first saw the batches in order.
        var firstSeen = receiver.Requests.Where(r => r.Body.Contains("segment_membership", StringComparison.Ordinal)).GroupBy(r => r.Key).Select(g => g.First()).ToList();
        Assert.Equal(batches, firstSeen.Count);
        Assert.Equal([.. Enumerable.Range(1, batches).Select(i => (long)i)], firstSeen.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("sequence").GetInt64()));
        var received = firstSeen.SelectMany(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("entered").EnumerateArray().Select(e => e.GetProperty("customer_id").GetString()!)).ToList();
        Assert.Equal(members.Order(StringComparer.Ordinal), received.Order(StringComparer.Ordinal));

        // The slow answer made the sender try that batch again: the same key, the same bytes, a later signature.
        var repeated = receiver.Requests.GroupBy(r => r.Key).Where(g => g.Count() > 1).ToList();
        Assert.NotEmpty(repeated);
        Assert.All(repeated, g => Assert.Single(g.Select(r => r.Body).Distinct()));
        Assert.Contains(run.Delivery.Attempts, a => a.Outcome == "retry" && a.HttpStatus == 503);
        Assert.Contains(run.Delivery.Attempts, a => a.Outcome == "retry" && a.HttpStatus is null && a.Error!.Contains("no answer within", StringComparison.Ordinal));

        // A second sync has nothing to send.
        var again = Runner(http).Sync(DestinationFiles.Load(workspace, "hook"), full: false, wait: TimeSpan.Zero);
        Assert.Equal((0L, 0L, "up_to_date"), (again.Syncs.Single().Sync.Entered, again.Syncs.Single().Sync.Exited, again.Syncs.Single().Status));
    }

    [Fact]
    public async Task ReceiverDown_BatchesWait_ThenArriveWhenItIsBack_AndDeadLettersAreReplayed()
    {
        var port = FreePort();
        using var http = DestinationRunner.Client();

        // Down: the first batch is retried, later ones wait behind it; nothing is lost.
        var destination = Destination(port, "{ attempts: 30, initial: 100ms, max: 300ms }");
        var waiting = Runner(http).Sync(destination, full: false, wait: TimeSpan.FromMilliseconds(400));
        Assert.False(waiting.Complete);
        Assert.Equal(0, waiting.Delivery!.Delivered);
        Assert.All(waiting.Delivery.Attempts, a => Assert.Equal(1L, a.Sequence));
        Assert.Contains("cannot connect", waiting.Delivery.Attempts[0].Error, StringComparison.Ordinal);
        Assert.Equal("pending", waiting.Syncs.Single().Status);

        // Back: the outbox drains in order.
        await using (var receiver = await Receiver.Start(Secret, port, (_, _) => (200, TimeSpan.Zero)))
        {
            var drained = Runner(http).Deliver(destination, TimeSpan.FromSeconds(30));
            Assert.Equal((0, 0), (drained.Pending, drained.Dead));
            var sequences = receiver.Requests.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("sequence").GetInt64()).ToList();
            Assert.Equal(sequences.Order(), sequences);
            Assert.Equal(Members().Count, receiver.Requests.Sum(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("entered").GetArrayLength()));
        }

        Assert.Equal("delivered", DestinationLog.Syncs(warehouse, "hook", 1).Single().Status);

        // A receiver that refuses a batch (400) dead-letters it at once; the next batches still flow. A full resync makes
        // batches again; after the receiver is fixed, a replay sends the dead letter under its key.
        await using (var refusing = await Receiver.Start(Secret, port, (n, _) => n == 1 ? (400, TimeSpan.Zero) : (200, TimeSpan.Zero)))
        {
            var run = Runner(http).Sync(Destination(port, "{ attempts: 3, initial: 50ms, max: 100ms }"), full: true, wait: TimeSpan.FromSeconds(30));
            Assert.Equal(1, run.Delivery!.Dead);
            var dead = Assert.Single(WebhookDelivery.Batches(warehouse, "hook", [BatchStatus.Dead], 10));
            Assert.Equal((1, 400), (dead.Attempts, dead.LastStatus));
            Assert.Contains("replay", dead.LastError, StringComparison.Ordinal);
            Assert.Equal("dead_letter", run.Syncs.Single().Status);

            var (requeued, replayed) = Runner(http).Replay(DestinationFiles.Load(workspace, "hook"), [], TimeSpan.FromSeconds(30));
            Assert.Equal([dead.BatchId], requeued);
            Assert.Equal((1, 0, 0), (replayed.Delivered, replayed.Pending, replayed.Dead));
            Assert.Equal(2, refusing.Requests.Count(r => r.Key == dead.BatchId));
        }
    }

    [Fact]
    public async Task TestRequest_IsSignedAndCarriesNoCustomerData()
    {
        await using var receiver = await Receiver.Start(Secret, 0, (_, _) => (204, TimeSpan.Zero));
        using var http = DestinationRunner.Client();
        var checks = Runner(http).Test(Destination(receiver.Port, "{ attempts: 2 }"));
        Assert.All(checks, c => Assert.True(c.Ok, $"{c.Name}: {c.Detail}"));
        var request = Assert.Single(receiver.Requests);
        Assert.True(request.SignatureOk);
        Assert.Equal("test", JsonDocument.Parse(request.Body).RootElement.GetProperty("type").GetString());
        Assert.DoesNotContain("customer_id", request.Body, StringComparison.Ordinal);
        Assert.StartsWith("test-", request.Key, StringComparison.Ordinal);
    }

    [Fact]
    public void FileDrop_InParquet_HasEveryMemberWithTheTraitsTypes()
    {
        File.WriteAllText(Path.Combine(workspace.Root, "destinations", "lake.yaml"), "type: file\nsegments: [buyers]\nconsent: ignore\ntraits: [email, age, signup_at]\nformat: parquet\n");
        var destination = DestinationFiles.Load(workspace, "lake");
        var context = new DestinationContext(workspace.Root, TimeZoneInfo.Utc, TimeProvider.System, DuckDbParquetFiles.Instance);
        var sync = DestinationSync.Sync(warehouse, Library(), destination, context, full: false).Single();
        var file = Assert.Single(sync.Files);
        Assert.EndsWith("-entered.parquet", file, StringComparison.Ordinal);
        using var duck = new DuckDB.NET.Data.DuckDBConnection("DataSource=:memory:");
        duck.Open();
        using var command = duck.CreateCommand();
        command.CommandText = $"SELECT count(*), count(DISTINCT customer_id), any_value(typeof(age)), any_value(typeof(signup_at)), any_value(typeof(email)) FROM read_parquet('{file.Replace("'", "''", StringComparison.Ordinal)}')";
        using var reader = command.ExecuteReader();
        Assert.True(reader.Read());
        Assert.Equal((long)Members().Count, reader.GetInt64(0));
        Assert.Equal(reader.GetInt64(0), reader.GetInt64(1));
        Assert.Equal(("BIGINT", "TIMESTAMP", "VARCHAR"), (reader.GetString(2), reader.GetString(3), reader.GetString(4)));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        warehouse.Dispose();
        dir.Dispose();
    }
}
