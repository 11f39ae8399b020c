using System.Text.Json;
using Segmenta.Testing;
using Xunit;

namespace Segmenta.Cli.Tests;

/// <summary>
/// features, rfm and rfm summary as a user runs them, on a base small enough to score by hand (as of
/// 2025-01-01): c1 bought twice (200 in all, last 30 days before), c2 once (30, 11 days before), c3 only
/// opened an e-mail, c4 bought after the as-of instant.
/// </summary>
public sealed class RfmCliTests : IDisposable
{
    private const string Customers = "customer_id,country,age\nc1,US,34\nc2,GB,51\nc3,CA,28\nc4,US,40\n";
    private const string Events = "customer_id,event_type,occurred_at,revenue\nc1,purchase,2024-12-01T10:00:00Z,120\nc1,purchase,2024-06-01T10:00:00Z,80\nc2,purchase,2024-12-20T10:00:00Z,30\nc3,email_open,2024-12-30T10:00:00Z,\nc4,purchase,2025-02-01T10:00:00Z,500\n";

    private readonly TempDir dir = TestPaths.NewTempDir();

    public RfmCliTests()
    {
        Assert.Equal(0, CliRunner.Run(dir.Path, "init").ExitCode);
        Assert.Equal(0, CliRunner.Run(dir.Path, "ingest", "customers", dir.Write("c.csv", Customers)).ExitCode);
        Assert.Equal(0, CliRunner.Run(dir.Path, "ingest", "events", dir.Write("e.csv", Events)).ExitCode);
    }

    public void Dispose() => dir.Dispose();

    [Fact]
    public void Rfm_Json_ScoresNamesAndGridByTheDocumentedRules()
    {
        var (code, stdout, stderr) = CliRunner.Run(dir.Path, "rfm", "--as-of", "2025-01-01", "--json");
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        Assert.Equal((4, 2, 2), (root.GetProperty("customers").GetInt32(), root.GetProperty("scored").GetInt32(), root.GetProperty("without_purchases").GetInt32()));
        Assert.Equal("quantiles", root.GetProperty("method").GetString());
        var segments = root.GetProperty("segments").EnumerateArray().ToDictionary(s => s.GetProperty("segment").GetString()!, s => s);
        Assert.Equal(11, segments.Count);
        // Quantiles with n = 2: every k/5 quantile lies between the two values, so the better customer
        // scores 5 and the other 1 on each measure. c1: R 1 (the older last purchase), F 5, M 5: Can't Lose Them.
        Assert.Equal(1, segments["Can't Lose Them"].GetProperty("customers").GetInt32());
        Assert.Equal(200m, segments["Can't Lose Them"].GetProperty("net_revenue").GetDecimal());
        Assert.Equal("rfm_cant_lose_them", segments["Can't Lose Them"].GetProperty("name").GetString());
        // c2: R 5, F 1, M 1: New Customers.
        Assert.Equal(1, segments["New Customers"].GetProperty("customers").GetInt32());
        Assert.Equal(0.25, segments["New Customers"].GetProperty("share").GetDouble());
        var grid = root.GetProperty("grid").EnumerateArray().Where(c => c.GetProperty("customers").GetInt32() > 0).Select(c => (c.GetProperty("r").GetInt32(), c.GetProperty("f").GetInt32())).ToList();
        Assert.Equal([(1, 5), (5, 1)], grid);

        // Ranks: the better customer has one customer worse, 1 + ⌊5·1/2⌋ = 3. c1: R 1, F 3, M 3 (At Risk); c2: R 3, F 1, M 1 (About to Sleep).
        var ranks = CliRunner.Run(dir.Path, "rfm", "--as-of", "2025-01-01", "--method", "ranks", "--json");
        Assert.True(ranks.ExitCode == 0, ranks.Err);
        using (var r = JsonDocument.Parse(ranks.Out))
        {
            var named = r.RootElement.GetProperty("segments").EnumerateArray().Where(s => s.GetProperty("customers").GetInt32() > 0).Select(s => s.GetProperty("segment").GetString()).ToList();
            Assert.Equal(["About to Sleep", "At Risk"], named.Order(StringComparer.Ordinal));
            var cells = r.RootElement.GetProperty("grid").EnumerateArray().Where(c => c.GetProperty("customers").GetInt32() > 0).Select(c => (c.GetProperty("r").GetInt32(), c.GetProperty("f").GetInt32())).ToList();
            Assert.Equal([(1, 3), (3, 1)], cells);
        }

        // The same customers in segments, and exported like any segment.
        var export = CliRunner.Run(dir.Path, "segment", "export", "rfm_cant_lose_them", "--as-of", "2025-01-01", "--out", "risk.csv", "--traits", "country", "--ignore-consent");
        Assert.True(export.ExitCode == 0, export.Err);
        Assert.Equal("customer_id,country\nc1,US\n", File.ReadAllText(Path.Combine(dir.Path, "risk.csv")));

        var table = CliRunner.Run(dir.Path, "rfm", "--as-of", "2025-01-01", "--bins", "2");
        Assert.True(table.ExitCode == 0, table.Err);
        Assert.Contains("2 of 4 customers scored (2 bins, quantiles)", table.Out, StringComparison.Ordinal);
        Assert.Contains("(no purchases)", table.Out, StringComparison.Ordinal);
        Assert.Matches(@"Potential Loyalists\s+1\s+25\.0%\s+30\.00", table.Out);
    }

    [Fact]
    public void Rfm_StoresOnlyWhenAsked_AndExportsTheSameRowsEitherWay()
    {
        var computed = CliRunner.Run(dir.Path, "rfm", "--as-of", "2025-01-01", "--json", "--out", "computed.csv");
        Assert.True(computed.ExitCode == 0, computed.Err);
        using (var doc = JsonDocument.Parse(computed.Out))
        {
            Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("table").ValueKind);
        }

        Assert.Equal(0, StoredRows());

        var stored = CliRunner.Run(dir.Path, "rfm", "--as-of", "2025-01-01", "--json", "--store", "--out", "stored.csv");
        Assert.True(stored.ExitCode == 0, stored.Err);
        using (var doc = JsonDocument.Parse(stored.Out))
        {
            Assert.Equal("rfm_scores", doc.RootElement.GetProperty("table").GetString());
        }

        Assert.Equal(2, StoredRows());
        var rows = File.ReadAllText(Path.Combine(dir.Path, "computed.csv"));
        Assert.StartsWith("customer_id,recency_days,frequency,monetary,r,f,m,fm,segment\nc1,30,2,200,1,5,5,5,Can't Lose Them\nc2,11,1,30,5,1,1,1,New Customers\n", rows, StringComparison.Ordinal);
        Assert.Equal(rows, File.ReadAllText(Path.Combine(dir.Path, "stored.csv")));

        long StoredRows()
        {
            long n = -1;
            using var w = Segmenta.DuckDb.DuckDbWarehouse.Open(Path.Combine(dir.Path, "segmenta.duckdb"));
            w.Read(new Sql.SqlStatement("SELECT count(*) FROM rfm_scores", []), r => n = r.GetInt64(0));
            return n;
        }
    }

    [Fact]
    public void Rfm_WorkspaceMap_NamesSegmentsAndTheRest()
    {
        var settings = Path.Combine(dir.Path, "segmenta.yaml");
        var text = File.ReadAllText(settings);
        File.WriteAllText(settings, text[..text.IndexOf("rfm:", StringComparison.Ordinal)] + """
            rfm:
              method: ranks
              segments:
                Best: "r3-5 fm3-5"
                Slipping: ["r1-2 f2-5", "r1 m3-5"]
              other: Rest

            """);
        var (code, stdout, stderr) = CliRunner.Run(dir.Path, "rfm", "--as-of", "2025-01-01", "--json");
        Assert.True(code == 0, stderr);
        using (var doc = JsonDocument.Parse(stdout))
        {
            Assert.Equal("ranks", doc.RootElement.GetProperty("method").GetString());
            Assert.Equal(
                [("Best", 0), ("Slipping", 1), ("Rest", 1)],
                doc.RootElement.GetProperty("segments").EnumerateArray().Select(s => (s.GetProperty("segment").GetString(), s.GetProperty("customers").GetInt32())));
        }

        var preview = CliRunner.Run(dir.Path, "segment", "preview", "rfm_rest", "--as-of", "2025-01-01", "--json");
        Assert.True(preview.ExitCode == 0, preview.Err);
        using (var doc = JsonDocument.Parse(preview.Out))
        {
            Assert.Equal(1, doc.RootElement.GetProperty("size").GetInt32());
        }

        File.WriteAllText(settings, text[..text.IndexOf("rfm:", StringComparison.Ordinal)] + "rfm:\n  segments:\n    Best: \"r6 fm3-5\"\n");
        var bad = CliRunner.Run(dir.Path, "rfm");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("segmenta.yaml:", bad.Err, StringComparison.Ordinal);
        Assert.Contains("segment `Best`: `r6`: scores run from 1 to 5", bad.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Rfm_BadOptions_ExitTwoAndSayWhy()
    {
        var bins = CliRunner.Run(dir.Path, "rfm", "--bins", "11");
        Assert.Equal(2, bins.ExitCode);
        Assert.Contains("--bins: the number of bins must be 2–10, not 11", bins.Err, StringComparison.Ordinal);
        var method = CliRunner.Run(dir.Path, "rfm", "--method", "median");
        Assert.Equal(2, method.ExitCode);
        Assert.Contains("expected quantiles or ranks", method.Err, StringComparison.Ordinal);
        var summary = CliRunner.Run(dir.Path, "rfm", "summary");
        Assert.Equal(2, summary.ExitCode);
        Assert.Contains("--calibration-end", summary.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Features_JsonAndFile_DescribeAndStoreEveryCustomer()
    {
        var (code, stdout, stderr) = CliRunner.Run(dir.Path, "features", "--as-of", "2025-01-01", "--json", "--out", "features.csv");
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal(4, doc.RootElement.GetProperty("customers").GetInt32());
        var recency = doc.RootElement.GetProperty("features").EnumerateArray().Single(f => f.GetProperty("name").GetString() == "recency_days");
        Assert.Equal((2, 11.0, 30.0), (recency.GetProperty("present").GetInt32(), recency.GetProperty("min").GetDouble(), recency.GetProperty("max").GetDouble()));
        Assert.Equal("features.recency_days", recency.GetProperty("in_segments").GetString());

        var lines = File.ReadAllLines(Path.Combine(dir.Path, "features.csv"));
        Assert.Equal(5, lines.Length);
        Assert.StartsWith("customer_id,first_purchase_at,last_purchase_at,recency_days,frequency,purchase_days,gross_revenue", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("c1,2024-06-01T10:00:00Z,2024-12-01T10:00:00Z,30,2,2,200,0,0,0,200,100,183,", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("c4,,,,0,0,0,0,0,,0,,,", lines[4], StringComparison.Ordinal);

        var summary = CliRunner.Run(dir.Path, "rfm", "summary", "--calibration-end", "2024-12-31", "--unit", "days", "--json");
        Assert.True(summary.ExitCode == 0, summary.Err);
        using var s = JsonDocument.Parse(summary.Out);
        Assert.Equal((2, 1, 0.5), (s.RootElement.GetProperty("customers").GetInt32(), s.RootElement.GetProperty("repeat_customers").GetInt32(), s.RootElement.GetProperty("mean_x").GetDouble()));
    }
}
