using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Xunit;

namespace Segmenta.Server.Tests;

/// <summary>
/// The security suite, as a list a reviewer can read (docs/security.md states the threat model it checks):
/// <list type="number">
/// <item>Auth matrix: every endpoint the host maps is in <see cref="Matrix"/> with its scope; without a key it is 401,
/// with a key that lacks the scope 403, and no endpoint is left out of the table.</item>
/// <item>Traversal: every name that becomes a path (segment, campaign) refuses names that leave its folder.</item>
/// <item>Injection: user strings in segment text, query parameters and names reach SQL only as parameters.</item>
/// <item>Bodies: oversized, malformed, deep, not UTF-8, hostile segment text: a 4xx or a diagnostic, never a crash,
/// a stall or a 500.</item>
/// <item>Headers: nosniff and no-store on API answers and exports.</item>
/// <item>Poison messages beside legitimate clients and rate limits by address: <see cref="CollectTests"/> and <see cref="LimitTests"/>.</item>
/// </list>
/// </summary>
public sealed class SecurityTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    /// <summary>Every endpoint, a request that reaches it, and the scope it needs (null: anyone).</summary>
    private static readonly (string Method, string Route, string Path, string? Scope)[] Matrix =
    [
        ("GET", "/", "/", null),
        ("GET", "/assets/app.css", "/assets/app.css", null),
        ("GET", "/assets/app.js", "/assets/app.js", null),
        ("GET", "/health", "/health", null),
        ("GET", "/openapi/{documentName}.json", "/openapi/v1.json", "read"),
        ("GET", "/api/status", "/api/status", "read"),
        ("GET", "/api/ingest/runs", "/api/ingest/runs", "read"),
        ("GET", "/api/ingest/quarantine", "/api/ingest/quarantine", "read"),
        ("GET", "/api/features", "/api/features", "read"),
        ("GET", "/api/traits", "/api/traits", "read"),
        ("GET", "/api/schema", "/api/schema", "read"),
        ("GET", "/api/rfm", "/api/rfm", "read"),
        ("GET", "/api/clusters", "/api/clusters", "read"),
        ("GET", "/api/clv", "/api/clv", "read"),
        ("GET", "/api/personas", "/api/personas", "read"),
        ("GET", "/api/migration", "/api/migration?family=rfm&from=2024-12-01", "read"),
        ("GET", "/api/history", "/api/history", "read"),
        ("GET", "/api/campaigns", "/api/campaigns", "read"),
        ("GET", "/api/campaigns/{name}/results", "/api/campaigns/nothing/results", "read"),
        ("GET", "/api/uplift", "/api/uplift", "read"),
        ("GET", "/api/insights", "/api/insights", "read"),
        ("GET", "/api/uplift/{campaign}", "/api/uplift/nothing", "read"),
        ("GET", "/api/campaigns/{name}/plan", "/api/campaigns/nothing/plan", "read"),
        ("POST", "/api/campaigns/{name}/launch", "/api/campaigns/nothing/launch?dry_run=true", "admin"),
        ("GET", "/api/refresh", "/api/refresh", "read"),
        ("POST", "/api/refresh", "/api/refresh", "admin"),
        ("GET", "/api/segments/", "/api/segments", "read"),
        ("POST", "/api/segments/check", "/api/segments/check", "read"),
        ("POST", "/api/segments/preview", "/api/segments/preview", "read"),
        ("GET", "/api/segments/{name}", "/api/segments/buyers", "read"),
        ("GET", "/api/segments/{name}/preview", "/api/segments/buyers/preview", "read"),
        ("GET", "/api/segments/{name}/members", "/api/segments/buyers/members", "read"),
        ("GET", "/api/segments/{name}/history", "/api/segments/buyers/history", "read"),
        ("GET", "/api/segments/{name}/export", "/api/segments/buyers/export?channel=email", "read"),
        ("PUT", "/api/segments/{name}", "/api/segments/matrix_probe", "admin"),
        ("DELETE", "/api/segments/{name}", "/api/segments/matrix_probe", "admin"),
        ("POST", "/v1/identify", "/v1/identify", "ingest"),
        ("POST", "/v1/track", "/v1/track", "ingest"),
        ("POST", "/v1/page", "/v1/page", "ingest"),
        ("POST", "/v1/screen", "/v1/screen", "ingest"),
        ("POST", "/v1/batch", "/v1/batch", "ingest"),
        ("POST", "/v1/alias", "/v1/alias", "ingest"),
        ("GET", "/api/customers/{id}/identity", "/api/customers/nobody/identity", "read"),
        ("DELETE", "/api/customers/{id}", "/api/customers/matrix_probe_nobody", "admin"),
        ("POST", "/api/erasures", "/api/erasures", "admin"),
        ("GET", "/api/erasures", "/api/erasures", "admin"),
        ("GET", "/api/destinations/", "/api/destinations", "read"),
        ("GET", "/api/destinations/{name}", "/api/destinations/nothing", "read"),
        ("GET", "/api/destinations/{name}/log", "/api/destinations/nothing/log", "read"),
        ("POST", "/api/destinations/{name}/sync", "/api/destinations/nothing/sync", "admin"),
        ("POST", "/api/destinations/{name}/test", "/api/destinations/nothing/test", "admin"),
        ("POST", "/api/destinations/{name}/replay", "/api/destinations/nothing/replay", "admin"),
    ];

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private async Task<HttpResponseMessage> Send(string? token, string method, string path, HttpContent? body = null)
    {
        using var client = server.Client(token);
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative)) { Content = body ?? (method is "POST" or "PUT" ? Json("{}") : null) };
        return await client.SendAsync(request);
    }

    [Fact]
    public void Matrix_ListsEveryEndpointTheHostMaps()
    {
        var listed = Matrix.Select(m => (m.Method, m.Route)).ToHashSet();
        var missing = server.Routes.Where(r => !listed.Contains(r)).ToList();
        Assert.True(missing.Count == 0, "endpoints without a row in the security matrix: " + string.Join(", ", missing));
    }

    [Fact]
    public async Task Matrix_WithoutKey401_WithoutTheScope403()
    {
        var keys = new Dictionary<string, string> { ["read"] = server.Reader, ["ingest"] = server.Ingest };
        var failures = new List<string>();
        foreach (var (method, _, path, scope) in Matrix.Where(m => m.Scope is not null))
        {
            var anonymous = await Send(null, method, path);
            if (anonymous.StatusCode != HttpStatusCode.Unauthorized)
            {
                failures.Add($"{method} {path} without a key: {(int)anonymous.StatusCode}");
            }

            // Every key whose scopes do not include this one (admin includes read and ingest).
            foreach (var (held, token) in keys.Where(k => k.Key != scope && scope != "read" || k.Key == "ingest" && scope == "read"))
            {
                var response = await Send(token, method, path);
                if (response.StatusCode != HttpStatusCode.Forbidden)
                {
                    failures.Add($"{method} {path} with a {held} key: {(int)response.StatusCode}");
                }
            }

            // With the scope it is not refused for lack of one.
            var allowed = await Send(scope == "admin" ? server.Admin : keys[scope!], method, path);
            if (allowed.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.InternalServerError)
            {
                failures.Add($"{method} {path} with its scope: {(int)allowed.StatusCode}");
            }
        }

        foreach (var (method, _, path, _) in Matrix.Where(m => m.Scope is null))
        {
            var anonymous = await Send(null, method, path);
            if (!anonymous.IsSuccessStatusCode)
            {
                failures.Add($"{method} {path} is public but answered {(int)anonymous.StatusCode}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Theory]
    [InlineData("GET", "/api/campaigns/segmenta.yaml/plan")]
    [InlineData("GET", "/api/campaigns/segmenta.yml/plan")]
    [InlineData("GET", "/api/campaigns/..%2Fsegmenta.yaml/plan")]
    [InlineData("GET", "/api/campaigns/..%2F..%2Fetc%2Fpasswd/plan")]
    [InlineData("POST", "/api/campaigns/segmenta.yaml/launch?dry_run=true")]
    [InlineData("GET", "/api/campaigns/..%2Fsegmenta/results")]
    [InlineData("GET", "/api/segments/..%2Fsegmenta.yaml")]
    [InlineData("PUT", "/api/segments/..%2F..%2Fescaped")]
    [InlineData("PUT", "/api/segments/segmenta.yaml")]
    [InlineData("DELETE", "/api/segments/..%2Fsegmenta")]
    [InlineData("GET", "/api/segments/..%2Fsegmenta/export")]
    [InlineData("GET", "/api/destinations/..%2Fsegmenta")]
    [InlineData("GET", "/api/destinations/segmenta.yaml/log")]
    [InlineData("POST", "/api/destinations/..%2F..%2Fsegmenta/sync")]
    [InlineData("POST", "/api/destinations/..%2Fsegmenta/test")]
    public async Task Traversal_NamesThatLeaveTheirFolder_AreRefusedAndNothingOfTheFileIsShown(string method, string path)
    {
        var settings = await File.ReadAllTextAsync(Path.Combine(server.Workspace.Root, Workspaces.WorkspaceSettings.FileName));
        var body = method == "PUT" ? Json("""{"text": "segment escaped where age > 1"}""") : null;
        var response = await Send(server.Admin, method, path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, $"{method} {path}: {(int)response.StatusCode} {text}");
        Assert.DoesNotContain("api-tests", text, StringComparison.Ordinal);   // the workspace name, from segmenta.yaml
        Assert.DoesNotContain("rate_limit", text, StringComparison.Ordinal);
        Assert.Equal(settings, await File.ReadAllTextAsync(Path.Combine(server.Workspace.Root, Workspaces.WorkspaceSettings.FileName)));
        Assert.False(File.Exists(Path.Combine(server.Workspace.Root, "escaped.seg")));
        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(server.Workspace.Root)!, "escaped.seg")));
    }

    [Theory]
    [InlineData("""segment x where country = "'; DROP TABLE customers; --" """)]
    [InlineData("""segment x where email contains "\" OR 1=1 --" and city starts with "%_" """)]
    [InlineData("""segment x where count(purchase where category = "x'); DELETE FROM events; --") > 0""")]
    public async Task Injection_SegmentText_ReachesSqlOnlyAsParameters(string text)
    {
        var before = await Status();
        var response = await Send(server.Reader, "POST", "/api/segments/preview", Json(JsonSerializer.Serialize(new { text, as_of = "2025-01-01" })));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var preview = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("preview");
        Assert.Equal(0, preview.GetProperty("size").GetInt64());
        Assert.Equal(before, await Status());
    }

    [Theory]
    [InlineData("/api/segments/buyers/preview?as_of=2025-01-01%27%3B%20DROP%20TABLE%20customers%3B--")]
    [InlineData("/api/segments/buyers/preview?traits=email%22%3B%20DROP%20TABLE%20customers%3B--")]
    [InlineData("/api/segments/buyers/export?traits=%22%2C%28SELECT%201%29%2C%22")]
    [InlineData("/api/segments/buyers/export?channel=email%27%20or%201%3D1--")]
    [InlineData("/api/segments/buyers/export?channel=email%20or%20age%20%3E%200")]
    [InlineData("/api/migration?family=rfm%27%3B%20DROP%20TABLE%20customers%3B--&from=2024-12-01")]
    [InlineData("/api/personas?segments=buyers%27%29%3B%20DROP%20TABLE%20customers%3B--")]
    [InlineData("/api/campaigns/x%27%3B%20DROP%20TABLE%20customers%3B--/results")]
    [InlineData("/api/campaigns/buyers/plan?lift=Infinity")]
    [InlineData("/api/campaigns/buyers/plan?lift=NaN")]
    public async Task Injection_QueryParametersAndNames_AreRefusedAsClientMistakes(string path)
    {
        var before = await Status();
        var response = await Send(server.Reader, "GET", path);
        Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(before, await Status());
    }

    [Fact]
    public async Task Bodies_HostileSegmentText_IsADiagnosticNotACrashOrAStall()
    {
        // 35,001 segments chained by `in segment` (1.4 MB) overflowed the stack and took the server down.
        var chain = string.Join("\n", Enumerable.Range(1, 35_000).Select(i => $"segment c{i} where in segment c{i - 1}").Prepend("segment c0 where age > 30"));
        var response = await Send(server.Reader, "POST", "/api/segments/check", Json(JsonSerializer.Serialize(new { text = chain })));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var check = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.False(check.GetProperty("ok").GetBoolean());
        Assert.Contains(check.GetProperty("diagnostics").EnumerateArray(), d => d.GetProperty("code").GetString() == "SEG011");

        // Each level referring to the one before twice: the SQL doubled per level (84 s and 1.4 GB at depth 18).
        var diamond = string.Join("\n", Enumerable.Range(1, 24).Select(i => $"segment b{i} where in segment b{i - 1} or in segment b{i - 1}")
            .Prepend("segment b0 where did session then purchase within 2 days"));
        response = await Send(server.Reader, "POST", "/api/segments/preview", Json(JsonSerializer.Serialize(new { text = diamond, as_of = "2025-01-01", sample = 0 })));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        // The server still answers.
        Assert.Equal(HttpStatusCode.OK, (await Send(null, "GET", "/health")).StatusCode);
    }

    [Fact]
    public async Task Bodies_MalformedDeepOrNotText_Are400ProblemsNot500()
    {
        var bodies = new List<HttpContent>
        {
            Json("{\"text\": "),
            Json(new string('[', 10_000) + new string(']', 10_000)),
            Json("{\"text\": " + new string('[', 10_000) + new string(']', 10_000) + "}"),
            Json("{\"text\": \"segment x where country = \\\"\\udc00\\\"\"}"),
            Json("[1, 2, 3]"),
            Json("null"),
            Json("{\"text\": 42}"),
        };
        var invalid = new ByteArrayContent([.. "{\"text\": \"segment x where city = \\\""u8, 0xFF, 0xFE, .. "\\\"\"}"u8]);
        invalid.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        bodies.Add(invalid);
        var failures = new List<string>();
        foreach (var body in bodies)
        {
            var shown = await body.ReadAsStringAsync();
            var response = await Send(server.Reader, "POST", "/api/segments/check", body);
            if (response.StatusCode != HttpStatusCode.BadRequest || response.Content.Headers.ContentType?.MediaType != "application/problem+json")
            {
                failures.Add($"{shown[..Math.Min(60, shown.Length)]}: {(int)response.StatusCode} {response.Content.Headers.ContentType?.MediaType}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Theory]
    [InlineData("/api/status")]
    [InlineData("/api/segments/buyers/export?format=csv&ignore_consent=true")]
    [InlineData("/api/segments/nope")]
    [InlineData("/health")]
    public async Task Headers_NoSniffingAndNoCaching(string path)
    {
        var response = await Send(server.Reader, "GET", path);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.True(response.Headers.CacheControl?.NoStore, $"{path}: Cache-Control {response.Headers.CacheControl}");
    }

    private async Task<(long Customers, long Events)> Status()
    {
        var status = JsonDocument.Parse(await (await Send(server.Admin, "GET", "/api/status")).Content.ReadAsStringAsync()).RootElement;
        return (status.GetProperty("customers").GetInt64(), status.GetProperty("events").GetInt64());
    }
}
