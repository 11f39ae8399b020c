using System.Net;
using System.Text.Json;
using Segmenta.Segments;
using Xunit;

namespace Segmenta.Server.Tests.Activation;

/// <summary>
/// Destinations through the host (docs/activation.md): a refresh committed through the API has every destination synced
/// by the host's dispatcher, the webhook's batches reach a real receiver, and the API lists destinations with their last
/// syncs, the log, a test and a sync on demand.
/// </summary>
public sealed class DestinationApiTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private const string SecretVariable = "SEGMENTA_TEST_API_HOOK_SECRET";
    private const string Secret = "api-test-secret-0123456789abcdef012345";

    [Fact]
    public async Task Refresh_SyncsEveryDestination_AndTheApiShowsTheLastSyncAndTheLog()
    {
        Environment.SetEnvironmentVariable(SecretVariable, Secret);
        await using var receiver = await Receiver.Start(Secret, 0, (_, _) => (200, TimeSpan.Zero));
        var folder = Path.Combine(server.Workspace.Root, "destinations");
        await File.WriteAllTextAsync(Path.Combine(folder, "crm.yaml"), $"""
            type: webhook
            segments: [buyers]
            consent: ignore
            traits: [email]
            url: http://127.0.0.1:{receiver.Port}/hook
            secret_env: {SecretVariable}
            batch_size: 100
            """);
        await File.WriteAllTextAsync(Path.Combine(folder, "drop.yaml"), "type: file\nsegments: [older_buyers]\nconsent: email\n");
        using var admin = server.Client(server.Admin);
        using var reader = server.Client(server.Reader);

        var refresh = await admin.PostAsync(new Uri("/api/refresh?as_of=2025-01-01", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.OK, refresh.StatusCode);

        // The dispatcher syncs every destination on its next pass; the receiver then has every member of buyers.
        var members = await server.Access.Read(w => SegmentMaterializer.Members(w, "buyers", ServerFixture.AsOf)!.CustomerIds, CancellationToken.None);
        Assert.NotEmpty(members);
        JsonElement list;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            list = JsonDocument.Parse(await reader.GetStringAsync(new Uri("/api/destinations", UriKind.Relative))).RootElement.GetProperty("destinations");
            var synced = list.EnumerateArray().All(d => d.GetProperty("segments")[0].GetProperty("last_sync").ValueKind == JsonValueKind.Object);
            if ((synced && list[0].GetProperty("segments")[0].GetProperty("last_sync").GetProperty("status").GetString() == "delivered") || DateTime.UtcNow > deadline)
            {
                break;
            }

            await Task.Delay(100);
        }

        Assert.Equal(members.Order(StringComparer.Ordinal), Received(receiver).Order(StringComparer.Ordinal));
        Assert.Equal(["crm", "drop"], list.EnumerateArray().Select(d => d.GetProperty("name").GetString()));
        var crm = list[0].GetProperty("segments")[0].GetProperty("last_sync");
        Assert.Equal(("delivered", (long)members.Count), (crm.GetProperty("status").GetString(), crm.GetProperty("entered").GetInt64()));
        var drop = list[1].GetProperty("segments")[0].GetProperty("last_sync");
        Assert.Equal("email", list[1].GetProperty("consent_channel").GetString());
        Assert.True(File.Exists(drop.GetProperty("files")[0].GetString()));

        var again = JsonDocument.Parse(await (await admin.PostAsync(new Uri("/api/destinations/crm/sync", UriKind.Relative), null)).Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("up_to_date", again.GetProperty("syncs")[0].GetProperty("status").GetString());

        var log = JsonDocument.Parse(await reader.GetStringAsync(new Uri("/api/destinations/crm/log?batches=true", UriKind.Relative))).RootElement;
        Assert.Equal(2, log.GetProperty("syncs").GetArrayLength());
        Assert.All(log.GetProperty("batches").EnumerateArray(), b => Assert.Equal("delivered", b.GetProperty("status").GetString()));

        var test = JsonDocument.Parse(await (await admin.PostAsync(new Uri("/api/destinations/crm/test", UriKind.Relative), null)).Content.ReadAsStringAsync()).RootElement;
        Assert.True(test.GetProperty("ok").GetBoolean(), test.ToString());

        // Near-real-time: two purchases collected for a new user make them a buyer within seconds of the acknowledgement —
        // the live update evaluates the touched customer, records the entry, and the destination sends it.
        using var tracker = server.Client(server.Ingest);
        var now = DateTime.UtcNow.AddMinutes(-1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var batch = $$$"""{"batch": [{"type": "track", "userId": "live-1", "event": "Order Completed", "messageId": "live-1-a", "timestamp": "{{{now}}}", "properties": {"revenue": 20}}, {"type": "track", "userId": "live-1", "event": "Order Completed", "messageId": "live-1-b", "timestamp": "{{{now}}}", "properties": {"revenue": 30}}]}""";
        Assert.Equal(HttpStatusCode.OK, (await tracker.PostAsync(new Uri("/v1/batch", UriKind.Relative), new StringContent(batch, System.Text.Encoding.UTF8, "application/json"))).StatusCode);
        deadline = DateTime.UtcNow.AddSeconds(60);
        while (!Received(receiver).Contains("live-1") && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.Contains("live-1", Received(receiver));
        var live = await server.Access.Read(w => SegmentMaterializer.Latest(w)["buyers"], CancellationToken.None);
        Assert.True(live > ServerFixture.AsOf, "the entry was recorded by a live update, after the refresh");
        Assert.Contains("live-1", await server.Access.Read(w => SegmentMaterializer.MembersAtInstant(w, "buyers", live), CancellationToken.None));

        // The file drop follows the refresh's cadence: the live update synced the webhook only.
        var dropLog = JsonDocument.Parse(await reader.GetStringAsync(new Uri("/api/destinations/drop/log", UriKind.Relative))).RootElement;
        Assert.Equal(1, dropLog.GetProperty("syncs").GetArrayLength());

        var unknown = await reader.GetAsync(new Uri("/api/destinations/crn", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("did you mean `crm`", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static List<string> Received(Receiver receiver) =>
        [.. receiver.Requests.Where(r => r.Body.Contains("segment_membership", StringComparison.Ordinal)).GroupBy(r => r.Key).Select(g => g.First())
            .SelectMany(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("entered").EnumerateArray().Select(e => e.GetProperty("customer_id").GetString()!))];
}
