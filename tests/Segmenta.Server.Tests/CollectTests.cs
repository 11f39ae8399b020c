using Xunit;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Segmenta.Server.Tests;

/// <summary>The Segment Tracking API endpoints: durable acknowledgement, dedupe, quarantine, partial profiles.</summary>
public sealed class CollectTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private HttpClient Tracker()
    {
        // Segment's libraries send the write key as the basic-auth user name with an empty password.
        var client = server.Client(null);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(server.Ingest + ":")));
        return client;
    }

    private static StringContent Body(string json) => new(json, Encoding.UTF8, "application/json");

    private async Task<JsonElement> Get(string path)
    {
        using var client = server.Client(server.Admin);
        var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private async Task<long> Events() => (await Get("/api/status")).GetProperty("events").GetInt64();

    private async Task<long> Size(string text)
    {
        using var client = server.Client(server.Admin);
        var response = await client.PostAsync(new Uri("/api/segments/preview", UriKind.Relative), Body(JsonSerializer.Serialize(new { text, sample = 0 })));
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return json.GetProperty("preview").GetProperty("size").GetInt64();
    }

    [Fact]
    public async Task Batch_StoresValidMessages_QuarantinesTheRest_AndARetryAddsNothing()
    {
        const string batch = """
            {"batch": [
              {"type": "identify", "userId": "web-1", "traits": {"email": "web1@example.com", "age": 33, "address": {"country": "SE", "city": "Lund"}}},
              {"type": "track", "userId": "web-1", "event": "Order Completed", "messageId": "web-1-o1", "timestamp": "2024-12-20T10:00:00Z", "properties": {"revenue": 120.5, "category": "shoes", "order_id": "o1"}},
              {"type": "track", "userId": "web-1", "event": "Email Opened", "messageId": "web-1-e1", "timestamp": "2024-12-21T08:00:00Z"},
              {"type": "page", "userId": "web-1", "messageId": "web-1-p1", "timestamp": "2024-12-21T08:01:00Z", "name": "Home"},
              {"type": "track", "userId": "web-1", "event": "Order Completed", "messageId": "web-1-o1", "timestamp": "2024-12-20T10:00:00Z", "properties": {"revenue": 120.5}},
              {"type": "track", "userId": "web-1", "event": "Levitated", "messageId": "web-1-x"},
              {"type": "track", "event": "Order Completed", "messageId": "anon-1", "anonymousId": "a-1"},
              {"type": "alias", "userId": "web-1", "previousId": "a-1"},
              "not an object"
            ]}
            """;
        var before = await Events();
        using var tracker = Tracker();
        var response = await tracker.PostAsync(new Uri("/v1/batch", UriKind.Relative), Body(batch));
        var ack = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(ack.GetProperty("success").GetBoolean());
        Assert.Equal(9, ack.GetProperty("received").GetInt32());

        // Acknowledged means stored: the three distinct valid events are there at once.
        Assert.Equal(before + 3, await Events());
        Assert.Equal(1, await Size("segment t where email = \"web1@example.com\" and country = \"SE\" and count(purchase) = 1 and sum(purchase.revenue) = 120.5 and count(email_open) = 1 and count(page_view) = 1"));

        var quarantine = (await Get("/api/ingest/quarantine?limit=50")).EnumerateArray().Where(q => q.GetProperty("source").GetString() == "http:/v1").ToList();
        var reasons = quarantine.Select(q => (q.GetProperty("line").GetInt64(), q.GetProperty("reason").GetString()!)).ToList();
        Assert.Contains(reasons, r => r.Item1 == 6 && r.Item2.Contains("Levitated", StringComparison.Ordinal));
        Assert.Contains(reasons, r => r.Item1 == 7 && r.Item2.Contains("customer_id", StringComparison.Ordinal));
        Assert.Contains(reasons, r => r.Item1 == 8 && r.Item2.Contains("alias", StringComparison.Ordinal));
        Assert.Contains(reasons, r => r.Item1 == 9 && r.Item2.Contains("JSON object", StringComparison.Ordinal));
        Assert.Contains(quarantine, q => q.GetProperty("raw").GetString()!.Contains("Levitated", StringComparison.Ordinal));

        // A client that did not hear the answer sends the batch again: nothing is stored twice.
        Assert.Equal(HttpStatusCode.OK, (await tracker.PostAsync(new Uri("/v1/batch", UriKind.Relative), Body(batch))).StatusCode);
        Assert.Equal(before + 3, await Events());
    }

    [Fact]
    public async Task Identify_PartialTraits_KeepWhatWasStored()
    {
        using var tracker = Tracker();
        Assert.Equal(HttpStatusCode.OK, (await tracker.PostAsync(new Uri("/v1/identify", UriKind.Relative), Body("""{"userId": "app-7", "traits": {"email": "app7@example.com", "gender": "F"}}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await tracker.PostAsync(new Uri("/v1/identify", UriKind.Relative), Body("""{"userId": "app-7", "traits": {"age": 61}}"""))).StatusCode);
        Assert.Equal(1, await Size("segment t where email = \"app7@example.com\" and gender = \"F\" and age = 61"));
    }

    [Fact]
    public async Task Batch_ConcurrentClients_EveryAcknowledgedEventIsStoredOnce()
    {
        var before = await Events();
        const int clients = 8, batches = 5, perBatch = 200;
        var acknowledged = 0L;
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async c =>
        {
            using var tracker = Tracker();
            for (var b = 0; b < batches; b++)
            {
                var messages = Enumerable.Range(0, perBatch).Select(i => new
                {
                    type = "track",
                    userId = $"load-{c}-{i % 20}",
                    @event = "Product Viewed",
                    messageId = $"load-{c}-{b}-{i}",
                    timestamp = "2024-12-30T12:00:00Z",
                    properties = new { product_id = "p" + i },
                });
                var response = await tracker.PostAsync(new Uri("/v1/batch", UriKind.Relative), Body(JsonSerializer.Serialize(new { batch = messages })));
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Interlocked.Add(ref acknowledged, perBatch);
            }
        }));
        Assert.Equal(clients * batches * perBatch, acknowledged);
        Assert.Equal(before + acknowledged, await Events());
    }

    [Fact]
    public async Task Batch_NotJsonOrNoBatchArray_IsRefusedWithProblem()
    {
        using var tracker = Tracker();
        var response = await tracker.PostAsync(new Uri("/v1/batch", UriKind.Relative), Body("{\"batch\": [ {\"type\": "));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.BadRequest, (await tracker.PostAsync(new Uri("/v1/batch", UriKind.Relative), Body("{\"events\": []}"))).StatusCode);
    }
}

/// <summary>Per-key rate limits and the request size limit.</summary>
public sealed class LimitTests(LimitedServerFixture limited) : IClassFixture<LimitedServerFixture>
{
    [Fact]
    public async Task RateLimit_BeyondBurst_Is429WithRetryAfter_PerKey()
    {
        using var reader = limited.Server.Client(limited.Server.Reader);
        var codes = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            codes.Add((await reader.GetAsync(new Uri("/api/segments", UriKind.Relative))).StatusCode);
        }

        Assert.Contains(HttpStatusCode.TooManyRequests, codes);
        Assert.Equal(HttpStatusCode.OK, codes[0]);
        var rejected = await reader.GetAsync(new Uri("/api/segments", UriKind.Relative));
        Assert.Equal(HttpStatusCode.TooManyRequests, rejected.StatusCode);
        Assert.True(rejected.Headers.Contains("Retry-After"));

        // Another key has its own bucket.
        using var admin = limited.Server.Client(limited.Server.Admin);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync(new Uri("/api/segments", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task RequestBody_OverTheLimit_Is413()
    {
        using var tracker = limited.Server.Client(limited.Server.Ingest);
        var big = "{\"batch\": [" + string.Join(',', Enumerable.Repeat("{\"type\":\"track\",\"userId\":\"u\",\"event\":\"purchase\"}", 100)) + "]}";
        var response = await tracker.PostAsync(new Uri("/v1/batch", UriKind.Relative), new StringContent(big, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }
}
