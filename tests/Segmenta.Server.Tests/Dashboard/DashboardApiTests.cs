using System.Net;
using System.Text.Json;
using Xunit;

namespace Segmenta.Server.Tests;

/// <summary>What the dashboard reads beyond the CLI's documents, on the demo's workspace: the clusters drawn, trends, assets.</summary>
[Collection(DemoWorkspace.Name)]
public sealed class DashboardApiTests(BrowserFixture f)
{
    [Fact]
    public async Task The_cluster_projection_is_on_uncorrelated_principal_axes_and_keeps_every_customer_when_asked()
    {
        var m = await f.ApiAsync("/api/clusters?sample=20000");
        var k = m.GetProperty("k").GetInt32();
        var clusters = m.GetProperty("clusters").EnumerateArray().ToList();
        Assert.Equal(k, clusters.Count);
        Assert.Equal(k, m.GetProperty("projection").GetProperty("centroids").GetArrayLength());
        Assert.Contains(m.GetProperty("by_k").EnumerateArray(), q => q.GetProperty("k").GetInt32() == k);

        // Every customer drawn (the sample exceeds them), each in the cluster the profiles count.
        var points = m.GetProperty("projection").GetProperty("points").EnumerateArray().Select(p => (X: p[0].GetDouble(), Y: p[1].GetDouble(), C: p[2].GetInt32())).ToList();
        Assert.Equal(m.GetProperty("projection").GetProperty("customers").GetInt64(), points.Count);
        Assert.Equal(clusters.Select(c => c.GetProperty("customers").GetInt64()), clusters.Select(c => (long)points.Count(p => p.C == c.GetProperty("id").GetInt32())));

        // Principal components: centred, the first carries more variance than the second, the two are uncorrelated,
        // and their variances stand in the ratio the axes report.
        var (mx, my) = (points.Average(p => p.X), points.Average(p => p.Y));
        Assert.Equal(0, mx, 2);
        Assert.Equal(0, my, 2);
        var vx = points.Sum(p => (p.X - mx) * (p.X - mx)) / (points.Count - 1);
        var vy = points.Sum(p => (p.Y - my) * (p.Y - my)) / (points.Count - 1);
        var cxy = points.Sum(p => (p.X - mx) * (p.Y - my)) / (points.Count - 1);
        Assert.True(vx >= vy);
        Assert.InRange(cxy / Math.Sqrt(vx * vy), -0.01, 0.01);
        var axes = m.GetProperty("projection").GetProperty("axes").EnumerateArray().ToList();
        Assert.Equal(axes[0].GetProperty("variance").GetDouble() / axes[1].GetProperty("variance").GetDouble(), vx / vy, 2);
        Assert.All(axes, a => Assert.Equal(1, a.GetProperty("loadings").EnumerateArray().Sum(l => Math.Pow(l.GetProperty("weight").GetDouble(), 2)), 3));

        // The default draws a bounded sample.
        var sampled = await f.ApiAsync("/api/clusters");
        Assert.InRange(sampled.GetProperty("projection").GetProperty("points").GetArrayLength(), 1, 2000);
    }

    [Fact]
    public async Task One_segments_persona_is_its_entry_in_the_answer_for_all_as_the_report_assumes()
    {
        var all = await f.ApiAsync("/api/personas");
        foreach (var name in new[] { "lapsed_vips", "rfm_champions", "cluster_2" })
        {
            var one = await f.ApiAsync($"/api/personas?segments={name}");
            var entry = all.GetProperty("personas").EnumerateArray().Single(p => p.GetProperty("report").GetProperty("segment").GetString() == name);
            Assert.Equal(entry.GetRawText(), one.GetProperty("personas")[0].GetRawText());
        }
    }

    [Fact]
    public async Task The_reports_documents_are_the_APIs_answers_to_the_same_paths()
    {
        // The report builds its documents in process; the API answers from the same core. Path by path they must
        // agree (but for when and how long the work ran, which the report leaves out).
        var html = File.ReadAllText(f.Report);
        const string open = "<script id=\"segmenta-report\" type=\"application/json\">";
        var start = html.IndexOf(open, StringComparison.Ordinal) + open.Length;
        var data = html[start..html.IndexOf("</script>", start, StringComparison.Ordinal)].Replace("<\\/", "</", StringComparison.Ordinal);
        var documents = System.Text.Json.Nodes.JsonNode.Parse(data)!["documents"]!.AsObject();
        Assert.True(documents.Count > 20, $"only {documents.Count} documents in the report");
        foreach (var (path, saved) in documents)
        {
            if (saved is System.Text.Json.Nodes.JsonObject o && o["__problem"] is not null)
            {
                Assert.Fail($"{path}: the report saved a problem: {o["detail"]}");
            }

            var answer = System.Text.Json.Nodes.JsonNode.Parse((await f.ApiAsync(path)).GetRawText());
            WithoutTimings(answer);
            Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(saved, answer), $"{path}: the report's document differs from the API's answer");
        }
    }

    private static void WithoutTimings(System.Text.Json.Nodes.JsonNode? node)
    {
        if (node is System.Text.Json.Nodes.JsonObject o)
        {
            o.Remove("seconds");
            o.Remove("materialized_at");
            o.Remove("started_at");
            o.Remove("finished_at");
            foreach (var (_, child) in o)
            {
                WithoutTimings(child);
            }
        }
        else if (node is System.Text.Json.Nodes.JsonArray a)
        {
            foreach (var child in a)
            {
                WithoutTimings(child);
            }
        }
    }

    [Fact]
    public async Task Features_come_from_the_newest_snapshot_at_or_before_the_instant()
    {
        var features = await f.ApiAsync("/api/features?as_of=2025-03-01");
        Assert.Equal("2025-01-01T00:00:00Z", features.GetProperty("as_of").GetString());
        Assert.Equal((await f.ApiAsync("/api/status")).GetProperty("customers").GetInt64(), features.GetProperty("customers").GetInt64());
        var frequency = features.GetProperty("features").EnumerateArray().Single(x => x.GetProperty("name").GetString() == "frequency");
        Assert.Equal("features.frequency", frequency.GetProperty("in_segments").GetString());
        Assert.True(frequency.GetProperty("max").GetDouble() >= frequency.GetProperty("median").GetDouble());

        using var client = new HttpClient { BaseAddress = new Uri(f.Address) };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", f.Reader);
        using var before = await client.GetAsync("/api/features?as_of=2020-01-01");
        Assert.Equal(HttpStatusCode.NotFound, before.StatusCode);
    }

    [Fact]
    public async Task Trends_hold_every_segments_history()
    {
        var trends = await f.ApiAsync("/api/history");
        var segments = trends.GetProperty("segments").EnumerateArray().ToList();
        Assert.Contains(segments, s => s.GetProperty("segment").GetString() == "lapsed_vips");
        foreach (var s in segments.Where(s => s.GetProperty("segment").GetString() is "lapsed_vips" or "rfm_lost"))
        {
            var one = await f.ApiAsync($"/api/segments/{s.GetProperty("segment").GetString()}/history");
            Assert.Equal(one.GetRawText(), s.GetRawText());
        }
    }

    [Fact]
    public async Task The_page_and_its_assets_are_served_without_a_key_with_a_strict_policy()
    {
        using var client = new HttpClient { BaseAddress = new Uri(f.Address) };
        using var page = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("default-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        var html = await page.Content.ReadAsStringAsync();
        var script = System.Text.RegularExpressions.Regex.Match(html, "src=\"(/assets/app.js\\?v=[0-9a-f]+)\"").Groups[1].Value;
        using var asset = await client.GetAsync(script);
        Assert.Equal(HttpStatusCode.OK, asset.StatusCode);
        Assert.Contains("Chart", await asset.Content.ReadAsStringAsync(), StringComparison.Ordinal);  // the charting library is in the bundle, not on a CDN
        using var again = new HttpRequestMessage(HttpMethod.Get, script);
        again.Headers.IfNoneMatch.Add(asset.Headers.ETag!);
        using var cached = await client.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, cached.StatusCode);
        Assert.DoesNotContain("http", html.Replace("http-equiv", "", StringComparison.Ordinal), StringComparison.Ordinal);

        // The API itself still needs a key.
        using var api = await client.GetAsync("/api/status");
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
    }
}
