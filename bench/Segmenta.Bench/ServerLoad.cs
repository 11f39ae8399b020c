using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using DuckDB.NET.Data;

namespace Segmenta.Bench;

/// <summary>
/// The server's load benchmark (bench/server.sh): a load generator of Tracking API batches, a sequential
/// preview client for latency percentiles, and the after-run count of what was stored.
/// </summary>
internal static class ServerLoad
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>
    /// For <paramref name="seconds"/>, <paramref name="clients"/> concurrent clients each send batches of
    /// <paramref name="batch"/> track calls (unique random messageIds ending <c>-load</c>, existing customers, purchases
    /// and page views) and wait for each acknowledgement before the next. Prints one JSON object.
    /// </summary>
    public static async Task<int> Track(string url, string key, string customersCsv, double seconds, int clients, int batch)
    {
        var customers = File.ReadLines(customersCsv).Skip(1).Select(l => l[..l.IndexOf(',', StringComparison.Ordinal)]).ToArray();
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
        {
            BaseAddress = new Uri(url),
            Timeout = TimeSpan.FromMinutes(2),
        };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(key + ":")));
        long sent = 0, acknowledged = 0, failed = 0;
        var latencies = new List<double>();
        var errors = new List<string>();
        var clock = Stopwatch.StartNew();
        var deadline = TimeSpan.FromSeconds(seconds);
        var tasks = Enumerable.Range(0, clients).Select(client => Task.Run(async () =>
        {
            var batches = new BatchWriter(customers, "load", client + 1);
            var mine = new List<double>();
            while (clock.Elapsed < deadline)
            {
                var body = batches.Next(batch);
                var start = clock.Elapsed;
                Interlocked.Add(ref sent, batch);
                try
                {
                    using var response = await http.PostAsync("/v1/batch", new StringContent(body, Encoding.UTF8, "application/json")).ConfigureAwait(false);
                    var text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                    if (response.IsSuccessStatusCode)
                    {
                        Interlocked.Add(ref acknowledged, JsonDocument.Parse(text).RootElement.GetProperty("received").GetInt64());
                    }
                    else
                    {
                        Interlocked.Add(ref failed, batch);
                        lock (errors)
                        {
                            errors.Add($"{(int)response.StatusCode} {text[..Math.Min(200, text.Length)]}");
                        }
                    }
                }
                catch (HttpRequestException e)
                {
                    Interlocked.Add(ref failed, batch);
                    lock (errors)
                    {
                        errors.Add(e.Message);
                    }
                }

                mine.Add((clock.Elapsed - start).TotalMilliseconds);
            }

            lock (latencies)
            {
                latencies.AddRange(mine);
            }
        })).ToArray();
        await Task.WhenAll(tasks).ConfigureAwait(false);
        var elapsed = clock.Elapsed.TotalSeconds;
        latencies.Sort();
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            seconds = Math.Round(elapsed, 2),
            clients,
            batch,
            requests = latencies.Count,
            sent,
            acknowledged,
            failed,
            events_per_second = Math.Round(acknowledged / elapsed),
            batch_ms_p50 = Percentile(latencies, 0.50),
            batch_ms_p99 = Percentile(latencies, 0.99),
            errors = errors.Take(5),
        }));
        return failed == 0 ? 0 : 1;
    }

    /// <summary>One client asks for a saved segment's preview <paramref name="requests"/> times in a row (after two warm-ups); prints latency percentiles and the sizes seen.</summary>
    public static async Task<int> Preview(string url, string key, string segment, string asOf, int requests)
    {
        using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromMinutes(2) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var path = $"/api/segments/{segment}/preview?as_of={asOf}&sample=10";
        var latencies = new List<double>();
        var sizes = new SortedSet<long>();
        for (var i = -2; i < requests; i++)
        {
            var clock = Stopwatch.StartNew();
            using var response = await http.GetAsync(path).ConfigureAwait(false);
            var text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            var ms = clock.Elapsed.TotalMilliseconds;
            if (!response.IsSuccessStatusCode)
            {
                Console.Error.WriteLine($"{(int)response.StatusCode} {text}");
                return 1;
            }

            if (i >= 0)
            {
                latencies.Add(ms);
                sizes.Add(JsonDocument.Parse(text).RootElement.GetProperty("size").GetInt64());
            }
        }

        latencies.Sort();
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            requests,
            ms_p50 = Percentile(latencies, 0.50),
            ms_p95 = Percentile(latencies, 0.95),
            ms_p99 = Percentile(latencies, 0.99),
            ms_max = Math.Round(latencies[^1], 1),
            sizes,
        }));
        return 0;
    }

    /// <summary>
    /// Reads and acknowledgements while a refresh runs: starts <c>POST /api/refresh</c> and, until it answers, one client
    /// asks for a saved segment's preview in a row and <paramref name="clients"/> clients send batches of
    /// <paramref name="batch"/> track calls (random messageIds ending <c>-during</c>); prints the latencies of the requests that
    /// started during the refresh, as one JSON object.
    /// </summary>
    public static async Task<int> DuringRefresh(string url, string adminKey, string trackKey, string segment, string asOf, string customersCsv, int clients, int batch)
    {
        var customers = File.ReadLines(customersCsv).Skip(1).Select(l => l[..l.IndexOf(',', StringComparison.Ordinal)]).ToArray();
        HttpClient Client(AuthenticationHeaderValue auth)
        {
            var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients + 2 }) { BaseAddress = new Uri(url), Timeout = TimeSpan.FromMinutes(10) };
            http.DefaultRequestHeaders.Authorization = auth;
            return http;
        }

        using var admin = Client(new AuthenticationHeaderValue("Bearer", adminKey));
        using var reader = Client(new AuthenticationHeaderValue("Bearer", adminKey));
        using var tracker = Client(new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(trackKey + ":"))));
        var clock = Stopwatch.StartNew();
        var refresh = admin.PostAsync($"/api/refresh?as_of={asOf}", null);
        var previews = new List<double>();
        var acks = new List<double>();
        long acknowledged = 0, failed = 0;
        var errors = new List<string>();
        async Task Loop(Func<Task<bool>> request, List<double> latencies)
        {
            while (!refresh.IsCompleted)
            {
                var start = clock.Elapsed;
                var ok = await request().ConfigureAwait(false);
                lock (latencies)
                {
                    latencies.Add((clock.Elapsed - start).TotalMilliseconds);
                }

                if (!ok)
                {
                    Interlocked.Increment(ref failed);
                }
            }
        }

        var preview = Loop(async () =>
        {
            using var response = await reader.GetAsync($"/api/segments/{segment}/preview?as_of={asOf}&sample=10").ConfigureAwait(false);
            return response.IsSuccessStatusCode;
        }, previews);
        var trackers = Enumerable.Range(0, clients).Select(client =>
        {
            var batches = new BatchWriter(customers, "during", 1000 + client);
            return Loop(async () =>
            {
                using var response = await tracker.PostAsync("/v1/batch", new StringContent(batches.Next(batch), Encoding.UTF8, "application/json")).ConfigureAwait(false);
                var text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                {
                    lock (errors)
                    {
                        errors.Add($"{(int)response.StatusCode} {text[..Math.Min(200, text.Length)]}");
                    }

                    return false;
                }

                Interlocked.Add(ref acknowledged, JsonDocument.Parse(text).RootElement.GetProperty("received").GetInt64());
                return true;
            }, acks);
        }).ToList();
        using var refreshed = await refresh.ConfigureAwait(false);
        var refreshSeconds = clock.Elapsed.TotalSeconds;
        await Task.WhenAll([preview, .. trackers]).ConfigureAwait(false);
        previews.Sort();
        acks.Sort();
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            refresh_status = (int)refreshed.StatusCode,
            refresh_seconds = Math.Round(refreshSeconds, 2),
            previews = previews.Count,
            preview_ms_p50 = Percentile(previews, 0.50),
            preview_ms_p99 = Percentile(previews, 0.99),
            preview_ms_max = previews.Count == 0 ? 0 : Math.Round(previews[^1], 1),
            batches = acks.Count,
            ack_ms_p50 = Percentile(acks, 0.50),
            ack_ms_p99 = Percentile(acks, 0.99),
            ack_ms_max = acks.Count == 0 ? 0 : Math.Round(acks[^1], 1),
            acknowledged,
            failed,
            errors = errors.Take(5),
        }));
        return refreshed.IsSuccessStatusCode && failed == 0 ? 0 : 1;
    }

    /// <summary>
    /// Tracking API batches of track calls (a quarter purchases) for existing customers, with messageIds of 32 random hex
    /// digits and <c>-KIND</c>, as SDKs send random UUIDs: they spread over the whole range of stored ids, so that the
    /// duplicate check cannot skip stored row groups by their min/max (ids that sort after every stored one flattered
    /// events/s about fourfold, issue 30). Seeded: the same run sends the same ids.
    /// </summary>
    private sealed class BatchWriter(string[] customers, string kind, int seed)
    {
        private readonly Random random = new(seed);
        private readonly StringBuilder body = new();
        private readonly byte[] id = new byte[16];

        public string Next(int batch)
        {
            body.Clear().Append("{\"batch\":[");
            for (var i = 0; i < batch; i++)
            {
                var purchase = random.Next(4) == 0;
                var at = new DateTime(2024, 12, 1, 0, 0, 0, DateTimeKind.Utc).AddSeconds(random.Next(31 * 86_400));
                body.Append(i == 0 ? "" : ",")
                    .Append("{\"type\":\"track\",\"messageId\":\"").Append(MessageId()).Append('-').Append(kind)
                    .Append("\",\"userId\":\"").Append(customers[random.Next(customers.Length)])
                    .Append("\",\"event\":\"").Append(purchase ? "Order Completed" : "Page Viewed")
                    .Append("\",\"timestamp\":\"").Append(at.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", Inv)).Append('"');
                if (purchase)
                {
                    body.Append(",\"properties\":{\"revenue\":").Append((random.Next(500, 20_000) / 100.0).ToString(Inv)).Append('}');
                }

                body.Append('}');
            }

            return body.Append("]}").ToString();
        }

        private string MessageId()
        {
            random.NextBytes(id);
            return Convert.ToHexStringLower(id);
        }
    }

    /// <summary>After the server stopped: events stored from the load (messageIds ending <c>-load</c>), rows quarantined from the collection endpoint, total events, and events stored from the load during the refresh (<c>-during</c>).</summary>
    public static int Stored(string database)
    {
        using var connection = new DuckDBConnection($"Data Source={database};ACCESS_MODE=READ_ONLY");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT (SELECT count(*) FROM events WHERE event_id LIKE '%-load'),
                   (SELECT count(DISTINCT event_id) FROM events WHERE event_id LIKE '%-load'),
                   (SELECT count(*) FROM quarantine WHERE source LIKE 'http:%'),
                   (SELECT count(*) FROM events),
                   (SELECT count(*) FROM events WHERE event_id LIKE '%-during')
            """;
        using var reader = command.ExecuteReader();
        reader.Read();
        Console.WriteLine(string.Create(Inv, $"{reader.GetInt64(0)} {reader.GetInt64(1)} {reader.GetInt64(2)} {reader.GetInt64(3)} {reader.GetInt64(4)}"));
        return 0;
    }

    /// <summary>The nearest-rank percentile of sorted values, in ms to a tenth.</summary>
    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : Math.Round(sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)], 1);
}

