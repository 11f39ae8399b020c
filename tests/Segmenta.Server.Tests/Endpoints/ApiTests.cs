using Xunit;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Segmenta.Access;

namespace Segmenta.Server.Tests;

/// <summary>The REST API against a real host: keys and scopes, segments, analyses, refresh, OpenAPI.</summary>
public sealed class ApiTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private static async Task<JsonElement> Json(HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode} {response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static StringContent Body(object value) => new(JsonSerializer.Serialize(value), Encoding.UTF8, "application/json");

    /// <summary>Customers from the generated file matching a predicate on its columns (an evaluation independent of SQL).</summary>
    private List<string> CustomersWhere(Func<Dictionary<string, string>, bool> predicate)
    {
        var lines = File.ReadAllLines(server.Base.CustomersFile);
        var header = lines[0].Split(',');
        return lines.Skip(1).Select(l => header.Zip(l.Split(','), (h, v) => (h, v)).ToDictionary(x => x.h, x => x.v))
            .Where(predicate).Select(r => r["customer_id"]).ToList();
    }

    [Fact]
    public async Task Health_WithoutKey_Answers()
    {
        using var client = server.Client(null);
        var health = await Json(await client.GetAsync(new Uri("/health", UriKind.Relative)));
        Assert.Equal("ok", health.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Api_WithoutOrWithBadKey_IsUnauthorizedProblem()
    {
        using var anonymous = server.Client(null);
        var problem = await Json(await anonymous.GetAsync(new Uri("/api/status", UriKind.Relative)), HttpStatusCode.Unauthorized);
        Assert.Equal(401, problem.GetProperty("status").GetInt32());
        Assert.Contains("segmenta keys create", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        using var forged = server.Client(server.Reader[..^4] + "AAAA");
        await Json(await forged.GetAsync(new Uri("/api/status", UriKind.Relative)), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Scopes_IngestKeyReads_IsForbidden_ReadKeyWrites_IsForbidden()
    {
        using var ingest = server.Client(server.Ingest);
        var problem = await Json(await ingest.GetAsync(new Uri("/api/segments", UriKind.Relative)), HttpStatusCode.Forbidden);
        Assert.Contains("`read` scope", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        using var reader = server.Client(server.Reader);
        await Json(await reader.PutAsync(new Uri("/api/segments/nope", UriKind.Relative), Body(new { text = "segment nope where age > 1" })), HttpStatusCode.Forbidden);
        await Json(await reader.PostAsync(new Uri("/v1/track", UriKind.Relative), Body(new { userId = "x", @event = "purchase" })), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Keys_RevokedWhileServing_StopsWorking()
    {
        var created = server.Keys.Create("short-lived", [ApiScopes.Read], TimeProvider.System);
        using var client = server.Client(created.Token);
        await Json(await client.GetAsync(new Uri("/api/status", UriKind.Relative)));
        Assert.True(server.Keys.Revoke("short-lived", TimeProvider.System));
        await Json(await client.GetAsync(new Uri("/api/status", UriKind.Relative)), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Status_CountsTheGeneratedBase()
    {
        using var client = server.Client(server.Reader);
        var status = await Json(await client.GetAsync(new Uri("/api/status", UriKind.Relative)));
        Assert.Equal(server.Base.Customers, status.GetProperty("customers").GetInt64());
    }

    [Fact]
    public async Task Preview_DraftText_SizeAndStepsMatchTheCustomerFile()
    {
        using var client = server.Client(server.Reader);
        var response = await Json(await client.PostAsync(new Uri("/api/segments/preview", UriKind.Relative), Body(new
        {
            text = "segment draft_older_us\nwhere age >= 50\n  and country = \"US\"",
            sample = 3,
        })));
        Assert.True(response.GetProperty("ok").GetBoolean());
        var preview = response.GetProperty("preview");
        var older = CustomersWhere(r => int.TryParse(r["age"], CultureInfo.InvariantCulture, out var a) && a >= 50);
        var olderUs = CustomersWhere(r => int.TryParse(r["age"], CultureInfo.InvariantCulture, out var a) && a >= 50 && r["country"] == "US");
        Assert.Equal(olderUs.Count, preview.GetProperty("size").GetInt64());
        var steps = preview.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("remaining").GetInt64()).ToList();
        Assert.Equal([older.Count, olderUs.Count], steps);
        Assert.Equal(3, preview.GetProperty("sample").GetArrayLength());
        Assert.All(preview.GetProperty("sample").EnumerateArray(), m => Assert.Contains(m.GetProperty("customer_id").GetString(), olderUs));
    }

    [Fact]
    public async Task Check_BadText_DiagnosticWithLineColumnAndExpectation()
    {
        using var client = server.Client(server.Reader);
        var check = await Json(await client.PostAsync(new Uri("/api/segments/check", UriKind.Relative), Body(new { text = "segment broken\nwhere age >= \n  and country = \"US\"" })));
        Assert.False(check.GetProperty("ok").GetBoolean());
        var d = check.GetProperty("diagnostics")[0];
        Assert.Equal(3, d.GetProperty("line").GetInt32());
        Assert.Equal(3, d.GetProperty("column").GetInt32());
        Assert.Contains("expected", d.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, check.GetProperty("errors_elsewhere").GetInt32());
    }

    [Fact]
    public async Task SaveSegment_CompilesWritesListsAndDeletes()
    {
        using var admin = server.Client(server.Admin);
        var bad = await Json(await admin.PutAsync(new Uri("/api/segments/vip_women", UriKind.Relative), Body(new { text = "segment vip_women where gender = " })), HttpStatusCode.UnprocessableEntity);
        Assert.NotEmpty(bad.GetProperty("diagnostics").EnumerateArray());
        var file = Path.Combine(server.Workspace.Root, "segments", "vip_women.seg");
        Assert.False(File.Exists(file));

        await Json(await admin.PutAsync(new Uri("/api/segments/vip_women", UriKind.Relative), Body(new { text = "segment vip_women \"VIP women\"\nwhere in segment buyers and gender = \"F\"" })), HttpStatusCode.Created);
        Assert.True(File.Exists(file));
        var list = await Json(await admin.GetAsync(new Uri("/api/segments", UriKind.Relative)));
        var saved = list.GetProperty("segments").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "vip_women");
        Assert.Equal("buyers", saved.GetProperty("depends_on")[0].GetString());
        var shown = await Json(await admin.GetAsync(new Uri("/api/segments/vip_women?as_of=2024-06-01", UriKind.Relative)));
        Assert.Equal(["in segment buyers", "gender = \"F\""], shown.GetProperty("conditions").EnumerateArray().Select(c => c.GetString()));
        Assert.Contains("2024-06-01T00:00:00Z", shown.GetProperty("sql").GetProperty("parameters").EnumerateArray().Select(p => p.ToString()));

        var preview = await Json(await admin.GetAsync(new Uri("/api/segments/vip_women/preview?sample=0", UriKind.Relative)));
        var women = CustomersWhere(r => r["gender"] == "F").ToHashSet();
        Assert.InRange(preview.GetProperty("size").GetInt64(), 1, women.Count);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync(new Uri("/api/segments/vip_women", UriKind.Relative))).StatusCode);
        Assert.False(File.Exists(file));
        var gone = await Json(await admin.GetAsync(new Uri("/api/segments/vip_women", UriKind.Relative)), HttpStatusCode.NotFound);
        Assert.Contains("unknown segment", gone.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownSegment_NotFoundWithSuggestion()
    {
        using var client = server.Client(server.Reader);
        var problem = await Json(await client.GetAsync(new Uri("/api/segments/buyer/preview", UriKind.Relative)), HttpStatusCode.NotFound);
        Assert.Contains("did you mean `buyers`", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var badDate = await Json(await client.GetAsync(new Uri("/api/segments/buyers/preview?as_of=yesterday", UriKind.Relative)), HttpStatusCode.BadRequest);
        Assert.Contains("as_of", badDate.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refresh_ThenMembersPagedHistoryAndMigration()
    {
        using var admin = server.Client(server.Admin);
        var report = await Json(await admin.PostAsync(new Uri("/api/refresh?as_of=2025-01-01", UriKind.Relative), null));
        Assert.Equal("2025-01-01T00:00:00Z", report.GetProperty("as_of").GetString());
        var state = await Json(await admin.GetAsync(new Uri("/api/refresh", UriKind.Relative)));
        Assert.Equal("ok", state.GetProperty("last_run").GetProperty("status").GetString());
        Assert.Equal("2025-01-01T00:00:00Z", state.GetProperty("current_snapshot").GetString());

        var all = await Json(await admin.GetAsync(new Uri("/api/segments/buyers/members?limit=10000", UriKind.Relative)));
        var ids = all.GetProperty("customer_ids").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Equal(all.GetProperty("size").GetInt64(), ids.Count);
        var page = await Json(await admin.GetAsync(new Uri("/api/segments/buyers/members?offset=5&limit=7", UriKind.Relative)));
        Assert.Equal(ids.Skip(5).Take(7), page.GetProperty("customer_ids").EnumerateArray().Select(e => e.GetString()));

        var history = await Json(await admin.GetAsync(new Uri("/api/segments/buyers/history", UriKind.Relative)));
        Assert.Equal(ids.Count, history.GetProperty("materializations")[0].GetProperty("size").GetInt64());

        // The computed trait stored by the refresh: every customer has a count, and they add up to the purchases of the
        // year before the snapshot in the generated events file.
        var names = await Json(await admin.GetAsync(new Uri("/api/schema", UriKind.Relative)));
        Assert.Contains("purchase", names.GetProperty("event_types").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains(("purchases_365", "integer"), names.GetProperty("computed_traits").EnumerateArray().Select(t => (t.GetProperty("name").GetString(), t.GetProperty("type").GetString())));
        Assert.Contains("older_buyers", names.GetProperty("segments").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains("rfm.segment", names.GetProperty("fields").EnumerateArray().Select(t => t.GetProperty("name").GetString()));
        Assert.Contains("most_frequent", names.GetProperty("functions").EnumerateArray().Select(e => e.GetString()));

        var traits = await Json(await admin.GetAsync(new Uri("/api/traits", UriKind.Relative)));
        Assert.Equal("2025-01-01T00:00:00Z", traits.GetProperty("stored_as_of").GetString());
        var trait = traits.GetProperty("traits")[0];
        Assert.Equal(("purchases_365", "integer"), (trait.GetProperty("name").GetString(), trait.GetProperty("type").GetString()));
        var stored = trait.GetProperty("stored");
        Assert.True(stored.GetProperty("current").GetBoolean());
        Assert.Equal(2000, stored.GetProperty("customers").GetInt64());
        var snapshot = new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var purchases = File.ReadLines(server.Base.EventsFile).Skip(1).Select(l => l.Split(','))
            .Count(f => f[2] == "purchase" && DateTime.Parse(f[3], CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal) is var t && t >= snapshot.AddDays(-365) && t < snapshot);
        Assert.Equal(purchases / 2000.0, stored.GetProperty("mean").GetDouble(), 6);

        var migration = await Json(await admin.GetAsync(new Uri("/api/migration?family=rfm&from=2025-01-01", UriKind.Relative)));
        Assert.True(migration.GetProperty("states").GetArrayLength() > 1);

        var export = await admin.GetAsync(new Uri("/api/segments/older_buyers/export?format=csv&traits=email,age&ignore_consent=true", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        Assert.Equal("false", export.Headers.GetValues("Segmenta-Consent-Checked").Single());
        var rows = (await export.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("customer_id,email,age", rows[0]);
        Assert.All(rows.Skip(1), r => Assert.True(int.Parse(r.Split(',')[2], CultureInfo.InvariantCulture) >= 50));
        Assert.All(rows.Skip(1), r => Assert.Contains(r.Split(',')[0], ids));

        // For a channel: only those who consented (here the e-mail opt-in trait), the rest counted in a header; no channel, no export.
        var optedIn = File.ReadLines(server.Base.CustomersFile).Skip(1).Select(l => l.Split(',')).Where(f => f[^1] == "true").Select(f => f[0]).ToHashSet(StringComparer.Ordinal);
        var mail = await admin.GetAsync(new Uri("/api/segments/older_buyers/export?format=csv&traits=email&channel=email", UriKind.Relative));
        Assert.Equal("true", mail.Headers.GetValues("Segmenta-Consent-Checked").Single());
        var mailed = (await mail.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(r => r.Split(',')[0]).ToList();
        Assert.Equal(rows.Skip(1).Select(r => r.Split(',')[0]).Where(optedIn.Contains), mailed);
        Assert.Equal((rows.Length - 1 - mailed.Count).ToString(CultureInfo.InvariantCulture), mail.Headers.GetValues("Segmenta-Consent-Left-Out").Single());
        Assert.True(mailed.Count > 0 && mailed.Count < rows.Length - 1);
        var unsaid = await Json(await admin.GetAsync(new Uri("/api/segments/older_buyers/export", UriKind.Relative)), HttpStatusCode.BadRequest);
        Assert.StartsWith("say which channel the audience is for", unsaid.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // A computed trait is a column like any other: every older buyer bought at least twice in the year.
        var withTrait = await admin.GetAsync(new Uri("/api/segments/older_buyers/export?format=csv&traits=purchases_365&as_of=2025-01-01&ignore_consent=true", UriKind.Relative));
        var traitRows = (await withTrait.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("customer_id,purchases_365", traitRows[0]);
        Assert.All(traitRows.Skip(1), r => Assert.True(long.Parse(r.Split(',')[1], CultureInfo.InvariantCulture) >= 2));

        // Without traits, the same columns as `segment export` writes (they differed: email, country, age).
        var plain = await admin.GetAsync(new Uri("/api/segments/older_buyers/export?format=csv&ignore_consent=true", UriKind.Relative));
        Assert.Equal("customer_id,email,first_name,last_name", (await plain.Content.ReadAsStringAsync()).Split('\n')[0]);

        // A trait the customers lack: 400 naming it and the traits there are.
        var wrong = await Json(await admin.GetAsync(new Uri("/api/segments/older_buyers/export?traits=emial&channel=email", UriKind.Relative)), HttpStatusCode.BadRequest);
        Assert.StartsWith("unknown trait `emial`", wrong.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("traits: customer_id, email,", wrong.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Analyses_RfmAndPersonas_Answer()
    {
        using var client = server.Client(server.Reader);
        var rfm = await Json(await client.GetAsync(new Uri("/api/rfm", UriKind.Relative)));
        Assert.Equal(server.Base.Customers, rfm.GetProperty("customers").GetInt64());
        var personas = await Json(await client.GetAsync(new Uri("/api/personas?segments=buyers", UriKind.Relative)));
        var persona = personas.GetProperty("personas")[0];
        Assert.Equal("buyers", persona.GetProperty("report").GetProperty("segment").GetString());
        Assert.False(string.IsNullOrEmpty(persona.GetProperty("card").GetProperty("heading").GetString()));
        await Json(await client.GetAsync(new Uri("/api/clv", UriKind.Relative)), HttpStatusCode.NotFound);
        await Json(await client.GetAsync(new Uri("/api/campaigns/spring/results", UriKind.Relative)), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Campaigns_ArePlannedThenLaunchedOverTheApi()
    {
        File.WriteAllText(Path.Combine(server.Workspace.Root, "campaigns", "easter.yaml"), """
            description: Easter offers
            salt: easter-2025
            holdout: 0.2
            segments:
              older_buyers: { name: classic, message: "A classic for Easter", channel: email }
              buyers: { name: fresh, message: "Something new for Easter", channel: email }
            outcome:
              window: 14 days
              conversion: [purchase]
            """);
        using var reader = server.Client(server.Reader);
        using var admin = server.Client(server.Admin);
        var older = (await Json(await reader.GetAsync(new Uri("/api/segments/older_buyers/preview?sample=0", UriKind.Relative)))).GetProperty("size").GetInt64();
        var buyers = (await Json(await reader.GetAsync(new Uri("/api/segments/buyers/preview?sample=0", UriKind.Relative)))).GetProperty("size").GetInt64();

        // The plan: a customer in both segments belongs to the first, older_buyers.
        var plan = await Json(await reader.GetAsync(new Uri("/api/campaigns/easter/plan?lift=0.2", UriKind.Relative)));
        var segments = plan.GetProperty("segments").EnumerateArray().ToList();
        Assert.Equal(["older_buyers", "buyers"], segments.Select(x => x.GetProperty("segment").GetString()));
        // Only customers who consented to e-mail, the arms' channel, are drawn; the plan says how many of each segment it left out.
        var consent = plan.GetProperty("consent");
        Assert.True(consent.GetProperty("checked").GetBoolean());
        var leftOut = consent.GetProperty("left_out_by_segment").EnumerateArray().ToList();
        Assert.Equal(["older_buyers:email", "buyers:email"], leftOut.Select(l => l.GetProperty("segment").GetString() + ":" + l.GetProperty("channel").GetString()));
        Assert.All(leftOut, l => Assert.True(l.GetProperty("customers").GetInt64() > 0));
        Assert.Equal([older, buyers - older], segments.Select((x, i) => x.GetProperty("customers").GetInt64() + leftOut[i].GetProperty("customers").GetInt64()));
        buyers -= consent.GetProperty("left_out").GetInt64();
        Assert.All(segments, x => Assert.Equal(x.GetProperty("customers").GetInt64(), x.GetProperty("holdout").GetInt64() + x.GetProperty("variant").GetInt64() + x.GetProperty("broadcast").GetInt64()));
        await Json(await reader.GetAsync(new Uri("/api/campaigns/eastr/plan", UriKind.Relative)), HttpStatusCode.NotFound);

        // Launching needs admin; a dry run assigns without storing; the launch stores and writes audience files, once.
        await Json(await reader.PostAsync(new Uri("/api/campaigns/easter/launch", UriKind.Relative), null), HttpStatusCode.Forbidden);
        var dry = await Json(await admin.PostAsync(new Uri("/api/campaigns/easter/launch?dry_run=true", UriKind.Relative), null));
        Assert.Equal(buyers, dry.GetProperty("customers").GetInt64());
        Assert.DoesNotContain((await Json(await reader.GetAsync(new Uri("/api/campaigns", UriKind.Relative)))).EnumerateArray(), c => c.GetProperty("name").GetString() == "easter");
        var launched = await Json(await admin.PostAsync(new Uri("/api/campaigns/easter/launch", UriKind.Relative), null));
        Assert.Equal(buyers, launched.GetProperty("customers").GetInt64());
        Assert.All(launched.GetProperty("files").EnumerateArray(), f => Assert.True(File.Exists(f.GetProperty("path").GetString())));
        Assert.Equal(buyers, launched.GetProperty("files").EnumerateArray().Sum(f => f.GetProperty("customers").GetInt64()) + launched.GetProperty("arms").EnumerateArray().Where(a => a.GetProperty("arm").GetString() == "holdout").Sum(a => a.GetProperty("customers").GetInt64()));
        var listed = (await Json(await reader.GetAsync(new Uri("/api/campaigns", UriKind.Relative)))).EnumerateArray().Single(c => c.GetProperty("name").GetString() == "easter");
        Assert.Equal(buyers, listed.GetProperty("customers").GetInt64());
        var again = await Json(await admin.PostAsync(new Uri("/api/campaigns/easter/launch", UriKind.Relative), null), HttpStatusCode.Conflict);
        Assert.Contains("frozen", again.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenApi_DescribesTheEndpoints()
    {
        using var client = server.Client(server.Reader);
        var document = await Json(await client.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative)));
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/v1/batch", paths);
        Assert.Contains("/api/segments/{name}/preview", paths);
        Assert.Contains("/api/refresh", paths);
    }
}
