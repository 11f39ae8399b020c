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
              {"type": "track", "event": "Order Completed", "messageId": "anon-1", "anonymousId": "a-1", "timestamp": "2024-12-19T10:00:00Z"},
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

        // Acknowledged means stored: the four distinct valid events are there at once, the anonymous visitor's purchase
        // attributed to web-1 through the alias.
        Assert.Equal(before + 4, await Events());
        Assert.Equal(1, await Size("segment t where email = \"web1@example.com\" and country = \"SE\" and count(purchase) = 2 and sum(purchase.revenue) = 120.5 and count(email_open) = 1 and count(page_view) = 1"));

        var quarantine = (await Get("/api/ingest/quarantine?limit=50")).EnumerateArray().Where(q => q.GetProperty("source").GetString() == "http:/v1").ToList();
        var reasons = quarantine.Select(q => (q.GetProperty("line").GetInt64(), q.GetProperty("reason").GetString()!)).ToList();
        Assert.Contains(reasons, r => r.Item1 == 6 && r.Item2.Contains("Levitated", StringComparison.Ordinal));
        Assert.DoesNotContain(reasons, r => r.Item1 is 7 or 8);
        var link = (await Get("/api/customers/web-1/identity")).GetProperty("links")[0];
        Assert.Equal(("alias", "merged"), (link.GetProperty("source").GetString(), link.GetProperty("outcome").GetString()));
        Assert.Contains(reasons, r => r.Item1 == 9 && r.Item2.Contains("JSON object", StringComparison.Ordinal));
        Assert.Contains(quarantine, q => q.GetProperty("raw").GetString()!.Contains("Levitated", StringComparison.Ordinal));

        // A client that did not hear the answer sends the batch again: nothing is stored twice.
        Assert.Equal(HttpStatusCode.OK, (await tracker.PostAsync(new Uri("/v1/batch", UriKind.Relative), Body(batch))).StatusCode);
        Assert.Equal(before + 4, await Events());
    }

    [Fact]
    public async Task AnonymousVisitor_LogsIn_HistoryIsTheirs_AndAfterErasureTheyAreNeverStoredAgain()
    {
        // Browsing with an anonymous id only, then an identify that carries both ids: the browsing is the user's.
        using var tracker = Tracker();
        async Task Send(string path, string json) =>
            Assert.Equal(HttpStatusCode.OK, (await tracker.PostAsync(new Uri(path, UriKind.Relative), Body(json))).StatusCode);
        await Send("/v1/page", """{"anonymousId": "cookie-77", "messageId": "v77-1", "timestamp": "2024-12-10T09:00:00Z", "name": "Boots"}""");
        await Send("/v1/track", """{"anonymousId": "cookie-77", "event": "Product Added", "messageId": "v77-2", "timestamp": "2024-12-10T09:02:00Z", "properties": {"category": "boots"}}""");
        Assert.Equal(1, await Size("segment t where is anonymous and did cart_add where category = \"boots\""));
        await Send("/v1/identify", """{"userId": "user-77", "anonymousId": "cookie-77", "timestamp": "2024-12-10T09:05:00Z", "traits": {"email": "u77@example.com"}}""");
        Assert.Equal(1, await Size("segment t where email = \"u77@example.com\" and is not anonymous and count(page_view) = 1 and did cart_add where category = \"boots\""));
        Assert.Equal(0, await Size("segment t where is anonymous and did cart_add where category = \"boots\""));

        var identity = await Get("/api/customers/user-77/identity");
        Assert.Equal(["user_id:user-77", "anonymous_id:cookie-77"], identity.GetProperty("identifiers").EnumerateArray().Select(i => i.GetProperty("kind").GetString() + ":" + i.GetProperty("id").GetString()));
        Assert.Equal("merged", identity.GetProperty("links")[0].GetProperty("outcome").GetString());

        // Erased: gone from every endpoint; a later message with either id is dropped, not stored.
        using (var admin = server.Client(server.Admin))
        {
            var erased = await admin.DeleteAsync(new Uri("/api/customers/user-77", UriKind.Relative));
            var document = JsonDocument.Parse(await erased.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal(HttpStatusCode.OK, erased.StatusCode);
            Assert.Equal(1, document.GetProperty("customers").GetInt32());
            Assert.DoesNotContain("user-77", document.GetRawText(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync(new Uri("/api/customers/user-77/identity", UriKind.Relative))).StatusCode);
        }

        var events = await Events();
        await Send("/v1/track", """{"userId": "user-77", "event": "Order Completed", "messageId": "v77-3", "timestamp": "2024-12-11T09:00:00Z"}""");
        await Send("/v1/page", """{"anonymousId": "cookie-77", "messageId": "v77-4", "timestamp": "2024-12-11T09:01:00Z"}""");
        Assert.Equal(events, await Events());
        Assert.Equal(0, await Size("segment t where email = \"u77@example.com\""));
        var runs = (await Get("/api/ingest/runs")).EnumerateArray().Take(2).Select(r => r.GetProperty("suppressed").GetInt64()).ToList();
        Assert.Equal([1L, 1L], runs);
        var log = (await Get("/api/erasures")).EnumerateArray().ToList();
        Assert.Contains(log, e => e.GetProperty("customers").GetInt32() == 1 && e.GetProperty("requested_by").GetString() == "admin");
    }

    [Fact]
    public async Task Consent_OverTheTrackingApi_IsTheProfilesTimeStampedFacts()
    {
        // A visitor allows push before logging in; the identify's opt-in trait is e-mail's baseline; an unsubscribe withdraws it.
        using var tracker = Tracker();
        async Task Send(string path, string json) =>
            Assert.Equal(HttpStatusCode.OK, (await tracker.PostAsync(new Uri(path, UriKind.Relative), Body(json))).StatusCode);
        const string Who = "segment t where email = \"u88@example.com\" and ";
        await Send("/v1/track", """{"anonymousId": "cookie-88", "event": "Consent Granted", "messageId": "c88-1", "timestamp": "2024-12-12T09:00:00Z", "properties": {"channel": "push"}}""");
        await Send("/v1/identify", """{"userId": "user-88", "anonymousId": "cookie-88", "timestamp": "2024-12-12T09:05:00Z", "traits": {"email": "u88@example.com", "email_opt_in": true}}""");
        Assert.Equal(1, await Size(Who + "consented push and consented email and not consented sms"));
        await Send("/v1/track", """{"userId": "user-88", "event": "Unsubscribed", "messageId": "c88-2", "timestamp": "2024-12-13T09:00:00Z"}""");
        Assert.Equal(1, await Size(Who + "consented push and not consented email"));

        // An identify that states an opt-in is a dated fact too: it overrides the unsubscribe before it, and a later
        // opt-out overrides a grant; a resent identify adds nothing.
        await Send("/v1/identify", """{"userId": "user-88", "messageId": "c88-4", "timestamp": "2024-12-14T09:00:00Z", "traits": {"email_opt_in": true}}""");
        Assert.Equal(1, await Size(Who + "consented email"));
        await Send("/v1/track", """{"userId": "user-88", "event": "Consent Granted", "messageId": "c88-5", "timestamp": "2024-12-15T09:00:00Z", "properties": {"channel": "email"}}""");
        await Send("/v1/identify", """{"userId": "user-88", "messageId": "c88-6", "timestamp": "2024-12-16T09:00:00Z", "traits": {"email_opt_in": false}}""");
        var events = await Events();
        await Send("/v1/identify", """{"userId": "user-88", "messageId": "c88-6", "timestamp": "2024-12-16T09:00:00Z", "traits": {"email_opt_in": false}}""");
        Assert.Equal(events, await Events());
        Assert.Equal(1, await Size(Who + "not consented email and consented push"));

        // A withdrawal that names no channel is set aside with why, not applied to some channel.
        await Send("/v1/track", """{"userId": "user-88", "event": "Consent Withdrawn", "messageId": "c88-3", "timestamp": "2024-12-14T09:00:00Z"}""");
        Assert.Equal(1, await Size(Who + "consented push"));
        using var admin = server.Client(server.Admin);
        var quarantine = await (await admin.GetAsync(new Uri("/api/ingest/quarantine?limit=100", UriKind.Relative))).Content.ReadAsStringAsync();
        Assert.Contains("a `consent_withdrawn` event needs the channel it is about", quarantine, StringComparison.Ordinal);
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
    public async Task Batch_PoisonBesideLegitimateClients_OnlyThePoisonIsSetAside()
    {
        // One client sends a NUL in userId, a revenue past DECIMAL(18,4), a lone surrogate and an oversized message
        // while six others send clean batches: every clean batch is acknowledged and stored, the poison quarantined.
        // (A NUL or the revenue turned whole group-commit flushes into 500 for everyone: 37–50% of clean batches failed.)
        var before = await Events();
        const int clients = 6, batches = 6, perBatch = 50;
        var poison = new[]
        {
            """{"type":"track","userId":"C1\u0000zz","event":"Order Completed","messageId":"poison-nul","properties":{"revenue":5}}""",
            """{"type":"track","userId":"p-1","event":"Order Completed","messageId":"poison-big","properties":{"revenue":99999999999999.99995}}""",
            """{"type":"track","userId":"p-1","event":"Order Completed","messageId":"poison-surrogate","properties":{"product_id":"\udc00"}}""",
            "{\"type\":\"track\",\"userId\":\"p-1\",\"event\":\"Order Completed\",\"messageId\":\"poison-huge\",\"properties\":{\"note\":\"" + new string('x', 40_000) + "\"}}",
        };
        var poisonAnswers = new List<HttpStatusCode>();
        var stop = new CancellationTokenSource();
        var poisoner = Task.Run(async () =>
        {
            using var tracker = Tracker();
            while (!stop.IsCancellationRequested)
            {
                var response = await tracker.PostAsync(new Uri("/v1/batch", UriKind.Relative), Body("{\"batch\": [" + string.Join(",", poison) + "]}"));
                lock (poisonAnswers)
                {
                    poisonAnswers.Add(response.StatusCode);
                }
            }
        });
        var answers = new List<HttpStatusCode>();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async c =>
        {
            using var tracker = Tracker();
            for (var b = 0; b < batches; b++)
            {
                var messages = Enumerable.Range(0, perBatch).Select(i => new { type = "track", userId = $"clean-{c}", @event = "Product Viewed", messageId = $"clean-{c}-{b}-{i}", timestamp = "2024-12-30T12:00:00Z" });
                var response = await tracker.PostAsync(new Uri("/v1/batch", UriKind.Relative), Body(JsonSerializer.Serialize(new { batch = messages })));
                lock (answers)
                {
                    answers.Add(response.StatusCode);
                }
            }
        }));
        await stop.CancelAsync();
        await poisoner;

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a));
        Assert.All(poisonAnswers, a => Assert.Equal(HttpStatusCode.OK, a));
        Assert.NotEmpty(poisonAnswers);
        Assert.Equal(before + (clients * batches * perBatch), await Events());
        var reasons = (await Get("/api/ingest/quarantine?limit=1000")).EnumerateArray()
            .Select(q => q.GetProperty("reason").GetString()!).ToList();
        Assert.Contains(reasons, r => r.StartsWith("customer_id: contains the control character U+0000", StringComparison.Ordinal));
        Assert.Contains(reasons, r => r.StartsWith("revenue: `99999999999999.99995` is too large", StringComparison.Ordinal));
        Assert.Contains(reasons, r => r.Contains("not valid text", StringComparison.Ordinal));
        Assert.Contains(reasons, r => r.StartsWith("the message is 40,", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Collector_FlushThatStillFails_IsStoredAgainPerRequest_OnlyTheFaultyRequestIsAnswered()
    {
        // Should a flush fail for a reason conversion did not catch, the requests in it are stored one by one:
        // the request that carries the fault gets the error, the others their acknowledgement.
        var mappings = Segmenta.Collection.TrackingMappings.For(server.Workspace);
        var release = new TaskCompletionSource();
        var entered = new TaskCompletionSource();
        var flushes = new List<(int Requests, bool Stored)>();
        async Task<Segmenta.Collection.TrackingFlush> Store(IReadOnlyList<Segmenta.Collection.TrackingMessage> messages)
        {
            entered.TrySetResult();
            await release.Task;
            var faulty = messages.Any(m => m.Raw.Contains("fault", StringComparison.Ordinal));
            lock (flushes)
            {
                flushes.Add((messages.Select(m => m.Raw).Distinct().Count(), !faulty));
            }

            return faulty ? throw new InvalidOperationException("the warehouse refused a value") : new Segmenta.Collection.TrackingFlush(messages.Count, new(), new());
        }

        using var collector = new Server.Collection.EventCollector(mappings, Microsoft.Extensions.Logging.Abstractions.NullLogger<Server.Collection.EventCollector>.Instance, Store);
        await collector.StartAsync(CancellationToken.None);
        Segmenta.Collection.TrackingMessage Message(string id) => Segmenta.Collection.TrackingMessage.Read(
            JsonDocument.Parse($"{{\"type\":\"track\",\"userId\":\"u\",\"event\":\"Product Viewed\",\"messageId\":\"{id}\"}}").RootElement, 1, null, ServerFixture.AsOf, mappings.Vocabulary);

        var first = collector.Submit([Message("clean-0")], CancellationToken.None);   // taken alone; the store waits
        await entered.Task;
        var queued = new[] { "clean-1", "fault-2", "clean-3" }.Select(id => collector.Submit([Message(id)], CancellationToken.None)).ToList();
        release.SetResult();   // the three queued while the first was stored: one flush, which fails, then one each

        await first;
        await queued[0];
        await queued[2];
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => queued[1]);
        Assert.Equal("the warehouse refused a value", failure.Message);
        Assert.Equal([(1, true), (3, false), (1, true), (1, false), (1, true)], flushes);
        await collector.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Batch_TooManyMessagesOrBodyNotText_IsRefusedBeforeAnythingIsStored()
    {
        // 4 MiB of empty objects took 2 GB per request as parsed messages; now a count check answers 413 first.
        using var tracker = Tracker();
        var many = "{\"batch\": [" + string.Join(",", Enumerable.Repeat("{}", Endpoints.CollectEndpoints.MaxMessagesPerRequest + 1)) + "]}";
        var response = await tracker.PostAsync(new Uri("/v1/batch", UriKind.Relative), Body(many));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("at most 5,000 messages", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Bytes that are not UTF-8 are a client's mistake: 400 with problem details, not 500.
        var invalid = new ByteArrayContent([.. "{\"batch\": [{\"type\":\"track\",\"userId\":\""u8, 0xC3, 0x28, .. "\"}]}"u8]);
        invalid.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        response = await tracker.PostAsync(new Uri("/v1/batch", UriKind.Relative), invalid);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
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
    public async Task RateLimit_WithoutAKey_IsPerAddress()
    {
        // Guessing keys, or flooding 401s, is limited like any key: the address has a bucket of its own.
        using var anonymous = limited.Server.Client(null);
        var codes = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            codes.Add((await anonymous.GetAsync(new Uri("/api/status", UriKind.Relative))).StatusCode);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, codes[0]);
        Assert.Contains(HttpStatusCode.TooManyRequests, codes);
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
