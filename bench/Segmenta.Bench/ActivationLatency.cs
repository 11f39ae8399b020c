using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Segmenta.Activation;

namespace Segmenta.Bench;

/// <summary>
/// From an event's acknowledgement to its webhook delivery (bench/server.sh, issue 28): a receiver on loopback (verifying
/// each signature) and a load of purchases by new users — each of whom enters the bench's live segment with that one
/// event — at a steady rate; per user, the time from the batch's acknowledgement to the entry's arrival.
/// </summary>
internal static class ActivationLatency
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static async Task<int> Run(string url, string key, int port, string secret, double seconds, int rate, int batch)
    {
        var arrived = new ConcurrentDictionary<string, double>(StringComparer.Ordinal);
        var badSignatures = 0;
        var clock = Stopwatch.StartNew();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port.ToString(Inv)}/hook/");
        listener.Start();
        var receiving = Task.Run(async () =>
        {
            while (listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await listener.GetContextAsync().ConfigureAwait(false);
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }

                using var buffer = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(buffer).ConfigureAwait(false);
                var body = buffer.ToArray();
                var at = clock.Elapsed.TotalMilliseconds;
                if (!WebhookSignature.Verify(Encoding.UTF8.GetBytes(secret), body, context.Request.Headers[WebhookSignature.Header], DateTimeOffset.UtcNow, WebhookSignature.DefaultWindow, out _))
                {
                    Interlocked.Increment(ref badSignatures);
                }

                var root = JsonDocument.Parse(body).RootElement;
                if (root.TryGetProperty("entered", out var entered))
                {
                    foreach (var e in entered.EnumerateArray())
                    {
                        arrived.TryAdd(e.GetProperty("customer_id").GetString()!, at);
                    }
                }

                context.Response.StatusCode = 200;
                context.Response.Close();
            }
        });

        using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromMinutes(2) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(key + ":")));
        // Batches go out on a fixed schedule, each on its own (up to 16 in flight), so the rate does not depend on how
        // long an acknowledgement takes.
        var acknowledged = new ConcurrentDictionary<string, double>(StringComparer.Ordinal);
        var interval = TimeSpan.FromSeconds((double)batch / rate);
        var inFlight = new SemaphoreSlim(16);
        var sends = new List<Task>();
        var next = clock.Elapsed;
        var user = 0;
        var failed = 0;
        var start = clock.Elapsed;
        while (clock.Elapsed - start < TimeSpan.FromSeconds(seconds))
        {
            var now = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", Inv);
            var ids = Enumerable.Range(0, batch).Select(_ => "live-" + (++user).ToString(Inv)).ToList();
            var body = "{\"batch\":[" + string.Join(",", ids.Select(id =>
                $"{{\"type\":\"track\",\"messageId\":\"{id}\",\"userId\":\"{id}\",\"event\":\"Order Completed\",\"timestamp\":\"{now}\",\"properties\":{{\"revenue\":25}}}}")) + "]}";
            await inFlight.WaitAsync().ConfigureAwait(false);
            sends.Add(Task.Run(async () =>
            {
                try
                {
                    using var response = await http.PostAsync("/v1/batch", new StringContent(body, Encoding.UTF8, "application/json")).ConfigureAwait(false);
                    var at = clock.Elapsed.TotalMilliseconds;
                    if (response.IsSuccessStatusCode)
                    {
                        ids.ForEach(id => acknowledged[id] = at);
                    }
                    else
                    {
                        Interlocked.Add(ref failed, ids.Count);
                    }
                }
                finally
                {
                    inFlight.Release();
                }
            }));
            next += interval;
            if (next > clock.Elapsed)
            {
                await Task.Delay(next - clock.Elapsed).ConfigureAwait(false);
            }
        }

        await Task.WhenAll(sends).ConfigureAwait(false);
        var sent = clock.Elapsed - start;
        var wait = Stopwatch.StartNew();
        while (acknowledged.Keys.Any(id => !arrived.ContainsKey(id)) && wait.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(100).ConfigureAwait(false);
        }

        listener.Stop();
        await receiving.ConfigureAwait(false);
        var latencies = acknowledged.Where(a => arrived.ContainsKey(a.Key)).Select(a => (arrived[a.Key] - a.Value) / 1000).Order().ToList();
        double P(double p) => latencies.Count == 0 ? double.NaN : Math.Round(latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(p * latencies.Count) - 1)], 3);
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            seconds = Math.Round(sent.TotalSeconds, 1),
            events_per_second = Math.Round(acknowledged.Count / sent.TotalSeconds),
            acknowledged = acknowledged.Count,
            failed,
            delivered = latencies.Count,
            missing = acknowledged.Count - latencies.Count,
            bad_signatures = badSignatures,
            latency_s_p50 = P(0.50),
            latency_s_p95 = P(0.95),
            latency_s_p99 = P(0.99),
            latency_s_max = latencies.Count == 0 ? double.NaN : Math.Round(latencies[^1], 3),
        }));
        return latencies.Count == acknowledged.Count && badSignatures == 0 ? 0 : 1;
    }
}
