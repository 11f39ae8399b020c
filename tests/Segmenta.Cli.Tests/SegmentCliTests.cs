using System.Text.Json;
using Segmenta.Testing;
using Xunit;

namespace Segmenta.Cli.Tests;

/// <summary>The segment verbs as a user runs them: real process, real workspace, real DuckDB file.</summary>
public sealed class SegmentCliTests : IDisposable
{
    private const string Customers = "customer_id,country,age,email\nc1,US,34,a@x.org\nc2,us,51,b@x.org\nc3,CA,28,c@x.org\nc4,,40,d@x.org\n";
    private const string Events = "customer_id,event_type,occurred_at,revenue\nc1,purchase,2024-12-01T10:00:00Z,120\nc1,purchase,2024-06-01T10:00:00Z,80\nc2,purchase,2024-12-20T10:00:00Z,30\nc3,email_open,2024-12-30T10:00:00Z,\nc4,purchase,2025-02-01T10:00:00Z,500\n";

    private readonly TempDir dir = TestPaths.NewTempDir();

    public SegmentCliTests()
    {
        Assert.Equal(0, CliRunner.Run(dir.Path, "init").ExitCode);
        Assert.Equal(0, CliRunner.Run(dir.Path, "ingest", "customers", dir.Write("c.csv", Customers)).ExitCode);
        Assert.Equal(0, CliRunner.Run(dir.Path, "ingest", "events", dir.Write("e.csv", Events)).ExitCode);
        dir.Write("segments/core.seg", """
            # Spenders in the US
            segment us_spenders "US spenders"
              description "Bought for 100 or more"
            where country = "us"
              and sum(purchase.revenue, last 365 days) >= 100
            segment recent where did purchase in last 45 days
            """);
    }

    public void Dispose() => dir.Dispose();

    [Fact]
    public void Check_Mistakes_PrintLineAndCaretAndExitOne()
    {
        dir.Write("segments/bad.seg", "segment broken\nwhere contry = \"US\"\nsegment unfinished where age between 30\n");
        var (code, stdout, _) = CliRunner.Run(dir.Path, "segment", "check");

        Assert.Equal(1, code);
        Assert.Contains("segments/bad.seg:2:7: error SEG020: unknown field `contry` — did you mean `country`?", stdout, StringComparison.Ordinal);
        Assert.Contains("  2 | where contry = \"US\"\n    |       ^^^^^^", stdout, StringComparison.Ordinal);
        Assert.Contains("segments/bad.seg:3:40: error SEG010: expected `and` and an upper bound: `between` needs two values, found the end of the text", stdout, StringComparison.Ordinal);

        var json = CliRunner.Run(dir.Path, "segment", "check", "--json");
        Assert.Equal(1, json.ExitCode);
        using var doc = JsonDocument.Parse(json.Out);
        var diagnostics = doc.RootElement.GetProperty("diagnostics").EnumerateArray().ToList();
        Assert.All(diagnostics, d => Assert.Equal(["code", "message", "file", "line", "column", "length"], d.EnumerateObject().Select(p => p.Name)));
        Assert.Equal([("SEG020", 2, 7), ("SEG010", 3, 40)], diagnostics.Select(d => (d.GetProperty("code").GetString(), d.GetProperty("line").GetInt32(), d.GetProperty("column").GetInt32())));
        Assert.Equal(["us_spenders", "recent"], doc.RootElement.GetProperty("segments").EnumerateArray().Select(s => s.GetProperty("name").GetString()));

        // What did not compile, per file, each with its first error (a stray character drops only its own segment).
        Assert.Equal(
            [("broken", "segments/bad.seg", 1, "SEG020"), ("unfinished", "segments/bad.seg", 3, "SEG010")],
            doc.RootElement.GetProperty("not_compiled").EnumerateArray().Select(f =>
                (f.GetProperty("name").GetString(), f.GetProperty("file").GetString(), f.GetProperty("line").GetInt32(), f.GetProperty("first_error").GetProperty("code").GetString())));
        Assert.Contains("segments/bad.seg: compiled none; not compiled broken (line 1, SEG020), unfinished (line 3, SEG010)", stdout, StringComparison.Ordinal);
        Assert.Contains("segments/core.seg: compiled us_spenders, recent; not compiled none", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_CleanFiles_ExitZero()
    {
        var (code, stdout, stderr) = CliRunner.Run(dir.Path, "segment", "check");
        Assert.True(code == 0, stderr);
        Assert.Contains("1 file, 2 segments compiled, 0 errors", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Preview_AFunnelCondition_CountsEachOfItsSteps()
    {
        // c1 bought on 2024-06-01 and again 183 days later; c2 once; c4 only after the as-of.
        dir.Write("segments/funnel.seg", "segment twice where country = \"us\" and did purchase then purchase within 200 days\n");
        var (code, stdout, stderr) = CliRunner.Run(dir.Path, "segment", "preview", "twice", "--as-of", "2025-01-01", "--json");
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var steps = doc.RootElement.GetProperty("steps");
        Assert.Equal(JsonValueKind.Null, steps[0].GetProperty("funnel").ValueKind);
        Assert.Equal(1, steps[1].GetProperty("remaining").GetInt64());
        Assert.Equal(
            [("purchase", 2L), ("purchase", 1L)],
            steps[1].GetProperty("funnel").EnumerateArray().Select(f => (f.GetProperty("step").GetString(), f.GetProperty("reached").GetInt64())));

        var text = CliRunner.Run(dir.Path, "segment", "preview", "twice", "--as-of", "2025-01-01");
        Assert.Contains("2  100.0% on    purchase", text.Out, StringComparison.Ordinal);
        Assert.Contains("1   50.0% on    purchase", text.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Preview_Json_GivesSizeSharesStepsAndSample()
    {
        var (code, stdout, stderr) = CliRunner.Run(dir.Path, "segment", "preview", "us_spenders", "--as-of", "2025-01-01", "--json");
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var p = doc.RootElement;
        Assert.Equal(
            ["name", "title", "version", "as_of", "size", "anonymous_members", "customers", "share_of_customers", "net_revenue", "net_revenue_all_customers", "share_of_net_revenue", "lifetime", "steps", "sample", "seconds"],
            p.EnumerateObject().Select(x => x.Name));
        Assert.Equal(JsonValueKind.Null, p.GetProperty("lifetime").ValueKind); // no CLV model yet
        Assert.Equal(1, p.GetProperty("size").GetInt64());
        Assert.Equal(4, p.GetProperty("customers").GetInt64());
        Assert.Equal(200m, p.GetProperty("net_revenue").GetDecimal());
        Assert.Equal(230m, p.GetProperty("net_revenue_all_customers").GetDecimal());
        Assert.Equal([2L, 1L], p.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("remaining").GetInt64()));
        Assert.Equal("c1", p.GetProperty("sample")[0].GetProperty("customer_id").GetString());
        Assert.Equal("2025-01-01T00:00:00Z", p.GetProperty("as_of").GetString());
    }

    [Fact]
    public void Preview_UnknownSegment_SuggestsAndExitsTwo()
    {
        var (code, _, stderr) = CliRunner.Run(dir.Path, "segment", "preview", "us_spender");
        Assert.Equal(2, code);
        Assert.Equal("error: unknown segment `us_spender` — did you mean `us_spenders`?", stderr.Trim());
    }

    [Fact]
    public void MaterializeListShowExport_WorkTogether()
    {
        var materialized = CliRunner.Run(dir.Path, "segment", "materialize", "--as-of", "2025-01-01", "--json");
        Assert.True(materialized.ExitCode == 0, materialized.Err);
        using (var doc = JsonDocument.Parse(materialized.Out))
        {
            var sizes = doc.RootElement.GetProperty("segments").EnumerateArray().Select(s => (s.GetProperty("name").GetString(), s.GetProperty("size").GetInt64())).ToList();
            Assert.Equal([("us_spenders", 1L), ("recent", 2L)], sizes.Take(2));
            // The named RFM segments are materialized with the workspace's own.
            Assert.Contains(("rfm_champions", 0L), sizes);
        }

        var list = CliRunner.Run(dir.Path, "segment", "list", "--json");
        using (var doc = JsonDocument.Parse(list.Out))
        {
            var first = doc.RootElement.GetProperty("segments")[0];
            Assert.Equal("US spenders", first.GetProperty("title").GetString());
            Assert.Equal(1, first.GetProperty("last_materialization").GetProperty("size").GetInt64());
            Assert.True(first.GetProperty("last_materialization").GetProperty("current").GetBoolean());
        }

        var show = CliRunner.Run(dir.Path, "segment", "show", "us_spenders", "--sql");
        Assert.Equal(0, show.ExitCode);
        Assert.Contains("Bought for 100 or more", show.Out, StringComparison.Ordinal);
        Assert.Contains("-- duckdb SQL", show.Out, StringComparison.Ordinal);
        Assert.Contains("as of 2025-01-01T00:00:00Z           1 members", show.Out, StringComparison.Ordinal);

        var export = CliRunner.Run(dir.Path, "segment", "export", "recent", "--as-of", "2025-01-01", "--format", "csv", "--out", "out/recent.csv", "--traits", "country,age", "--ignore-consent");
        Assert.True(export.ExitCode == 0, export.Err);
        Assert.Equal("customer_id,country,age\nc1,US,34\nc2,us,51\n", File.ReadAllText(Path.Combine(dir.Path, "out", "recent.csv")));
        Assert.Contains("Consent NOT checked: --ignore-consent", export.Out, StringComparison.Ordinal);

        // An export says whom it is for: only members who consented to that channel leave, and it says how many stayed behind.
        var unsaid = CliRunner.Run(dir.Path, "segment", "export", "recent", "--out", "x.csv");
        Assert.Equal(2, unsaid.ExitCode);
        Assert.Contains("say which channel the audience is for (--channel email)", unsaid.Err, StringComparison.Ordinal);
        string ConsentedExport()
        {
            var run = CliRunner.Run(dir.Path, "segment", "export", "recent", "--as-of", "2025-01-01", "--out", "out/mail.csv", "--channel", "email", "--json");
            Assert.True(run.ExitCode == 0, run.Err);
            using var doc = System.Text.Json.JsonDocument.Parse(run.Out);
            var consent = doc.RootElement.GetProperty("consent");
            Assert.True(consent.GetProperty("checked").GetBoolean());
            return $"{doc.RootElement.GetProperty("members").GetInt64()} in, {consent.GetProperty("left_out").GetInt64()} out: " + File.ReadAllText(Path.Combine(dir.Path, "out", "mail.csv")).Replace("\n", "|", StringComparison.Ordinal);
        }

        Assert.Equal("0 in, 2 out: customer_id,email,first_name,last_name|", ConsentedExport());
        Assert.Equal(0, CliRunner.Run(dir.Path, "ingest", "events", dir.Write("consent.csv", "customer_id,event_type,occurred_at,channel\nc2,consent_granted,2024-12-31T10:00:00Z,email\n")).ExitCode);
        Assert.Equal("1 in, 1 out: customer_id,email,first_name,last_name|c2,b@x.org,,|", ConsentedExport());

        var badTrait = CliRunner.Run(dir.Path, "segment", "export", "recent", "--out", "x.csv", "--traits", "contry", "--ignore-consent");
        Assert.Equal(2, badTrait.ExitCode);
        Assert.Contains("unknown trait `contry` — did you mean `country`?", badTrait.Err, StringComparison.Ordinal);
    }
}
