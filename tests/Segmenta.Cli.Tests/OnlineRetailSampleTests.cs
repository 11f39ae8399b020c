using System.Text.Json;
using Segmenta.Testing;
using Xunit;

namespace Segmenta.Cli.Tests;

/// <summary>
/// samples/online_retail/run.sh as a user runs it: the whole journey on a real shop, one JSON array of steps, the
/// customers' countries checked against the most frequent country of their lines in the CSV, counted here.
/// </summary>
public sealed class OnlineRetailSampleTests : IDisposable
{
    private readonly TempDir dir = TestPaths.NewTempDir();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void RunSh_Json_WholeJourneyWithCountriesFromTheInvoiceLines()
    {
        Assert.Equal(0, CliRunner.Run(dir.Path, "init", "--timezone", "Europe/London", "--currency", "GBP").ExitCode);
        var (code, stdout, stderr) = CliRunner.Script(dir.Path, TestPaths.Sample("online_retail/run.sh"), "--json");
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var steps = doc.RootElement.EnumerateArray().ToDictionary(s => s.GetProperty("step").GetString()!, s => s.GetProperty("result"));
        Assert.Equal(
            ["ingest_events", "ingest_customers", "status", "check", "features", "rfm", "clusters", "clv_compare", "clv_fit", "preview", "personas", "plan", "refresh", "report"],
            doc.RootElement.EnumerateArray().Select(s => s.GetProperty("step").GetString()));

        // One profile per CustomerID, its country the one on most of its lines (ties: the first seen), counted here.
        var lines = OnlineRetailCsv.Read(TestPaths.DataFile("online_retail.csv"));
        var countries = new Dictionary<string, Dictionary<string, (int Lines, int First)>>(StringComparer.Ordinal);
        for (var i = 0; i < lines.Count; i++)
        {
            var mine = countries.TryGetValue(lines[i].Customer, out var m) ? m : countries[lines[i].Customer] = new(StringComparer.Ordinal);
            mine[lines[i].Country] = mine.TryGetValue(lines[i].Country, out var c) ? (c.Lines + 1, c.First) : (1, i);
        }

        var country = countries.ToDictionary(kv => kv.Key, kv => kv.Value.OrderByDescending(v => v.Value.Lines).ThenBy(v => v.Value.First).First().Key);
        Assert.Equal(countries.Count, steps["ingest_customers"].GetProperty("loaded").GetInt64());
        var uk = country.Count(c => c.Value == "United Kingdom");
        Assert.Equal(3_950, uk); // the UK customer count usually quoted for this dataset

        var check = steps["check"];
        Assert.Empty(check.GetProperty("warnings").EnumerateArray());
        Assert.Equal(0, CliRunner.Run(dir.Path, "segment", "preview", "uk_customers", "--as-of", "2011-12-10").ExitCode);
        using (var preview = JsonDocument.Parse(CliRunner.Run(dir.Path, "segment", "preview", "uk_customers", "--as-of", "2011-12-10", "--json").Out))
        {
            Assert.Equal(uk, preview.RootElement.GetProperty("size").GetInt64());
        }

        // Personas: what a segment buys, with lift (international customers pay postage: the POST line), checked here;
        // refund-only customers are not "prospects" to win with a first-purchase incentive; big buyers are not
        // "returning-prone" for their volume (a refund rate decides, not a refund count).
        var personas = steps["personas"].GetProperty("personas").EnumerateArray().ToDictionary(p => p.GetProperty("segment").GetString()!);
        var postBuyers = lines.Where(l => l.Product == "POST" && !l.Cancelled).Select(l => l.Customer).ToHashSet(StringComparer.Ordinal);

        var international = country.Where(c => c.Value != "United Kingdom").Select(c => c.Key).ToList();
        var post = personas["international"].GetProperty("buys").EnumerateArray().Single(b => b.GetProperty("level").GetString() == "POST");
        Assert.Equal("product", post.GetProperty("trait").GetString());
        Assert.Equal("POSTAGE", post.GetProperty("label").GetString());
        Assert.Equal(international.Count(postBuyers.Contains), post.GetProperty("members").GetInt64());
        Assert.Equal((double)international.Count(postBuyers.Contains) / international.Count, post.GetProperty("share").GetDouble(), 1e-12);
        Assert.Equal((double)postBuyers.Count / country.Count, post.GetProperty("base_share").GetDouble(), 1e-12);
        var refunders = personas["refund_only"];
        Assert.True(refunders.GetProperty("size").GetInt64() > 0);
        Assert.DoesNotContain("prospects", refunders.GetProperty("name").GetString()!, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("first-purchase", refunders.GetProperty("strategy").GetString()!, StringComparison.Ordinal);
        Assert.DoesNotContain("returning-prone", personas["rfm_champions"].GetProperty("name").GetString()!, StringComparison.OrdinalIgnoreCase);
        Assert.All(personas.Values, p => Assert.DoesNotContain(p.GetProperty("measures").EnumerateArray(), m => m.GetProperty("name").GetString() is "sessions" or "email_open_rate"));
        Assert.False(personas["rfm_lost"].GetProperty("lifetime").GetProperty("p_alive_informative").GetBoolean());

        // The models say what they are worth here, and the plan says where its base rate comes from.
        Assert.Equal(JsonValueKind.Null, steps["clv_compare"].GetProperty("recommended").ValueKind);
        Assert.NotEmpty(steps["clv_fit"].GetProperty("fit").GetProperty("warnings").EnumerateArray());
        var planned = steps["plan"].GetProperty("segments")[0];
        Assert.Equal("earlier_members", planned.GetProperty("base_rate_reference").GetString());
        Assert.True(planned.GetProperty("base_rate").GetDouble() > 0);
        Assert.True(File.Exists(Path.Combine(dir.Path, "report.html")));
    }
}
