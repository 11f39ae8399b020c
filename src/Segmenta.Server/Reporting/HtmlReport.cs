using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Segmenta.Documents;
using Segmenta.Server.Hosting;
using Segmenta.Warehouse;
using Segmenta.Workspaces;

namespace Segmenta.Server.Reporting;

/// <summary>What a report holds.</summary>
/// <param name="Html">The self-contained page.</param>
/// <param name="Documents">API answers saved in it.</param>
/// <param name="Missing">Paths the API answered with a problem (saved as such: the view shows the same notice the dashboard would).</param>
public sealed record ReportResult(string Html, int Documents, IReadOnlyList<string> Missing);

/// <summary>
/// <c>segmenta report</c>: the dashboard as one HTML file that needs no server and no network. The
/// report starts the real host in-process on a free loopback port with a read key that exists only in
/// this process and a clock fixed at the as-of, reads every answer the dashboard's views ask for, and
/// writes the bundled script and stylesheet with those answers into one page. The same inputs give the
/// same bytes: the as-of is an input and when and how long the work ran is left out.
/// </summary>
public static class HtmlReport
{
    /// <summary>Builds the report of <paramref name="workspace"/> as of <paramref name="asOf"/> (UTC); the warehouse stays open, the caller's.</summary>
    public static async Task<ReportResult> BuildAsync(Workspace workspace, IWarehouse warehouse, DateTime asOf, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        ArgumentNullException.ThrowIfNull(warehouse);
        var token = "session_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var app = SegmentaHost.Build(new ServerStart(workspace, warehouse, "http://127.0.0.1:0", new FixedTime(asOf), SessionToken: token, Scheduled: false, OwnsWarehouse: false));
        await using (app.ConfigureAwait(false))
        {
            await app.StartAsync(cancellation).ConfigureAwait(false);
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            using var client = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromMinutes(10) };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            var crawl = new Crawl(client, cancellation);
            await crawl.AllAsync().ConfigureAwait(false);
            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);

            var report = new JsonObject
            {
                ["as_of"] = DocumentValues.Iso(asOf),
                ["workspace"] = workspace.Settings.Name,
                ["documents"] = crawl.Documents,
            };
            var json = report.ToJsonString(new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
            var html = Dashboard.Report(json, $"Segmenta report · {workspace.Settings.Name} · {asOf:yyyy-MM-dd}");
            return new ReportResult(html, crawl.Documents.Count, crawl.Missing);
        }
    }

    /// <summary>Reads what the dashboard's views read, in a fixed order (Dashboard/src/views.js names the same paths).</summary>
    private sealed class Crawl(HttpClient client, CancellationToken cancellation)
    {
        public JsonObject Documents { get; } = [];

        public List<string> Missing { get; } = [];

        public async Task AllAsync()
        {
            foreach (var path in new[] { "/api/status", "/api/rfm", "/api/clusters", "/api/clv" })
            {
                await GetAsync(path).ConfigureAwait(false);
            }

            // Each persona is described against the same base whichever segments are asked for together, so
            // one segment's answer is its entry of the answer for all (the server tests check this): asking
            // once instead of once per segment saves most of the report's time.
            var personas = await GetAsync("/api/personas").ConfigureAwait(false);

            var segments = await GetAsync("/api/segments").ConfigureAwait(false);
            foreach (var name in Names(segments?["segments"], "name"))
            {
                var q = Uri.EscapeDataString(name);
                await GetAsync($"/api/segments/{q}").ConfigureAwait(false);
                await GetAsync($"/api/segments/{q}/preview").ConfigureAwait(false);
                await GetAsync($"/api/segments/{q}/history").ConfigureAwait(false);
                var persona = (personas?["personas"]?.AsArray() ?? []).FirstOrDefault(p => p?["report"]?["segment"]?.GetValue<string>() == name);
                if (persona is not null && personas is not null)
                {
                    Documents[$"/api/personas?segments={q}"] = new JsonObject
                    {
                        ["as_of"] = personas["as_of"]!.DeepClone(),
                        ["currency"] = personas["currency"]!.DeepClone(),
                        ["personas"] = new JsonArray(persona.DeepClone()),
                    };
                }
                else
                {
                    await GetAsync($"/api/personas?segments={q}").ConfigureAwait(false);
                }
            }

            var campaigns = await GetAsync("/api/campaigns").ConfigureAwait(false);
            foreach (var name in Names(campaigns, "name"))
            {
                await GetAsync($"/api/campaigns/{Uri.EscapeDataString(name)}/results").ConfigureAwait(false);
            }

            // The migration view opens on the family's first and last snapshots.
            var history = await GetAsync("/api/history").ConfigureAwait(false);
            foreach (var (family, prefix) in new[] { ("rfm", "rfm_"), ("clusters", "cluster_") })
            {
                var instants = (history?["segments"]?.AsArray() ?? [])
                    .Where(h => h!["segment"]!.GetValue<string>().StartsWith(prefix, StringComparison.Ordinal))
                    .SelectMany(h => h!["materializations"]!.AsArray().Select(m => m!["as_of"]!.GetValue<string>()))
                    .Distinct().Order(StringComparer.Ordinal).ToList();
                if (instants.Count >= 2)
                {
                    await GetAsync($"/api/migration?family={family}&from={Uri.EscapeDataString(instants[0])}&to={Uri.EscapeDataString(instants[^1])}").ConfigureAwait(false);
                }
            }
        }

        private static IEnumerable<string> Names(JsonNode? list, string field) =>
            list is JsonArray array ? array.Select(n => n?[field]?.GetValue<string>()).OfType<string>() : [];

        private async Task<JsonNode?> GetAsync(string path)
        {
            using var response = await client.GetAsync(path, cancellation).ConfigureAwait(false);
            var text = await response.Content.ReadAsStringAsync(cancellation).ConfigureAwait(false);
            var node = text.Length == 0 ? null : JsonNode.Parse(text);
            if (response.IsSuccessStatusCode)
            {
                WithoutTimings(node);
                Documents[path] = node;
                return node;
            }

            Missing.Add($"{path}: {(int)response.StatusCode} {node?["detail"] ?? node?["title"]}");
            Documents[path] = new JsonObject
            {
                ["__problem"] = true,
                ["status"] = (int)response.StatusCode,
                ["title"] = node?["title"]?.GetValue<string>(),
                ["detail"] = node?["detail"]?.GetValue<string>(),
            };
            return null;
        }

        /// <summary>
        /// Drops when and how long the work ran (<c>seconds</c>, <c>materialized_at</c>): facts about the runs,
        /// not the data; they differ run to run, the report must not. The views do not show them.
        /// </summary>
        private static void WithoutTimings(JsonNode? node)
        {
            switch (node)
            {
                case JsonObject o:
                    o.Remove("seconds");
                    o.Remove("materialized_at");
                    foreach (var (_, child) in o)
                    {
                        WithoutTimings(child);
                    }

                    break;
                case JsonArray a:
                    foreach (var child in a)
                    {
                        WithoutTimings(child);
                    }

                    break;
            }
        }
    }

    private sealed class FixedTime(DateTime instant) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => new(DateTime.SpecifyKind(instant, DateTimeKind.Utc));
    }
}
