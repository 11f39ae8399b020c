using System.Globalization;
using System.Text.Json;
using Segmenta.Testing;
using Xunit;

namespace Segmenta.Cli.Tests;

/// <summary>
/// Segmenta on a real shop's data (UCI Online Retail) through the CLI, the figures checked against plain C# over
/// the CSV: cancellations net against the orders they undo (by product, the latest purchase at or before the
/// cancellation), one net revenue everywhere, CLV fits that say when they are degenerate, and segments written the
/// way a marketer asks about a shop. The file is ingested once for the class; each test writes its own segment files.
/// </summary>
public sealed class OnlineRetailCliTests(OnlineRetailCliTests.Ingested workspace) : IClassFixture<OnlineRetailCliTests.Ingested>
{
    private readonly TempDir dir = workspace.Dir;

    /// <summary>A workspace with UCI Online Retail's invoice lines ingested as events.</summary>
    public sealed class Ingested : IDisposable
    {
        public Ingested()
        {
            Assert.Equal(0, CliRunner.Run(Dir.Path, "init", "--timezone", "Europe/London", "--currency", "GBP").ExitCode);
            var ingest = CliRunner.Run(Dir.Path, "ingest", "events", TestPaths.DataFile("online_retail.csv"), "--mapping", TestPaths.Sample("mappings/online_retail.yaml"));
            Assert.True(ingest.ExitCode == 0, ingest.Err);
        }

        internal TempDir Dir { get; } = TestPaths.NewTempDir();

        public void Dispose() => Dir.Dispose();
    }

    [Fact]
    public void OnlineRetail_SegmentsOnProductTextAndRefundShare_MatchTheCsv()
    {
        // Issue 26's findings, as a marketer writes them: the product text is `description` (a keyword before), the
        // returners' condition compares two aggregates, and the catalogue is upper case, so an exact match on lower case finds nobody.
        dir.Write("segments/language.seg", """
            segment christmas where did purchase where description contains "christmas"
            segment christmas_exact where did purchase where description contains "christmas" case sensitive
            segment returners "Return more than a fifth" where -sum(refund.revenue) > 0.2 * sum(purchase.revenue)
            """);
        var check = CliRunner.Run(dir.Path, "segment", "check", "--json");
        Assert.True(check.ExitCode == 0, check.Out + check.Err);

        var lines = OnlineRetailCsv.Read(TestPaths.DataFile("online_retail.csv"));
        var christmas = lines.Where(l => !l.Cancelled && l.Description.Contains("christmas", StringComparison.OrdinalIgnoreCase)).Select(l => l.Customer).ToHashSet();
        var returners = lines.GroupBy(l => l.Customer)
            .Where(g => -g.Where(l => l.Cancelled).Sum(l => l.Amount) > 0.2m * g.Where(l => !l.Cancelled).Sum(l => l.Amount))
            .Select(g => g.Key).ToHashSet();
        Assert.InRange(christmas.Count, 2000, 3000);
        Assert.InRange(returners.Count, 100, 300);

        Assert.Equal(christmas.Order(StringComparer.Ordinal), Members("christmas"));
        Assert.Empty(Members("christmas_exact"));
        Assert.Equal(returners.Order(StringComparer.Ordinal), Members("returners"));
    }

    private List<string> Members(string segment)
    {
        var export = CliRunner.Run(dir.Path, "segment", "export", segment, "--as-of", "2011-12-10", "--out", segment + ".csv", "--ignore-consent");
        Assert.True(export.ExitCode == 0, export.Err);
        return File.ReadLines(Path.Combine(dir.Path, segment + ".csv")).Skip(1).Select(l => l.Split(',')[0]).Order(StringComparer.Ordinal).ToList();
    }

    [Fact]
    public void OnlineRetail_RepeatSummaryRevenueAndClv_NetOfCancellations()
    {
        var lines = OnlineRetailCsv.Read(TestPaths.DataFile("online_retail.csv"));
        var kept = OnlineRetailCsv.KeptOrders(lines);

        // The repeat-purchase summary counts kept orders' days and their net value, for every customer.
        var summary = CliRunner.Run(dir.Path, "rfm", "summary", "--calibration-end", "2011-12-09", "--out", "summary.csv");
        Assert.True(summary.ExitCode == 0, summary.Err);
        var rows = File.ReadLines(Path.Combine(dir.Path, "summary.csv")).Skip(1).Select(l => l.Split(',')).ToDictionary(f => f[0], f => f);
        var expected = kept.GroupBy(o => o.Customer).ToDictionary(g => g.Key, g => g.GroupBy(o => DateOnly.FromDateTime(o.PlacedAt)).Select(d => d.Sum(o => o.Net)).ToList());
        Assert.Equal(expected.Count, rows.Count);
        foreach (var (customer, days) in expected)
        {
            var row = rows[customer];
            Assert.Equal(days.Count - 1, int.Parse(row[1], CultureInfo.InvariantCulture));
        }

        // 16446 bought 80,995 units and cancelled them 12 minutes later: one purchase day is left, no repeat.
        Assert.Equal("0", rows["16446"][1]);

        // One net revenue: status, a preview's all-customers figure and purchases less refunds in the CSV.
        var net = lines.Sum(l => l.Cancelled ? -Math.Abs(l.Amount) : l.Amount);
        using (var status = JsonDocument.Parse(CliRunner.Run(dir.Path, "status", "--json").Out))
        {
            Assert.Equal(net, status.RootElement.GetProperty("net_revenue").GetDecimal());
        }

        dir.Write("segments/uk.seg", "segment buyers where count(purchase) > 0\n");
        var preview = CliRunner.Run(dir.Path, "segment", "preview", "buyers", "--as-of", "2011-12-10", "--json");
        Assert.True(preview.ExitCode == 0, preview.Err);
        using (var doc = JsonDocument.Parse(preview.Out))
        {
            Assert.Equal((double)net, doc.RootElement.GetProperty("net_revenue_all_customers").GetDouble(), 0.01);
        }

        // The CLV fit (MBG/NBD by default) says it is degenerate here, and 16446 is no longer a top customer.
        var fit = CliRunner.Run(dir.Path, "clv", "fit", "--as-of", "2011-12-10", "--json");
        Assert.True(fit.ExitCode == 0, fit.Err);
        using (var doc = JsonDocument.Parse(fit.Out))
        {
            var model = doc.RootElement.GetProperty("fit");
            Assert.Equal("mbgnbd", model.GetProperty("model").GetString());
            var warnings = model.GetProperty("warnings").EnumerateArray().Select(w => w.GetString()!).ToList();
            Assert.Contains(warnings, w => w.Contains("P(alive) is 0.99 or more", StringComparison.Ordinal));
            var holdout = model.GetProperty("diagnostics").GetProperty("holdout");
            Assert.Equal("2011-12-09", holdout.GetProperty("holdout_end").GetString());
            Assert.True(holdout.GetProperty("actual_purchases").GetInt64() > 0);
            Assert.DoesNotContain(doc.RootElement.GetProperty("predictions").GetProperty("top").EnumerateArray(), t => t.GetProperty("customer_id").GetString() == "16446");
        }

        // Computed fields export like traits: RFM segment, CLV value and features, as of the export's as-of.
        var export = CliRunner.Run(dir.Path, "segment", "export", "rfm_champions", "--as-of", "2011-12-10", "--traits", "rfm.segment,clv.value,features.frequency,country", "--out", "champions.csv", "--ignore-consent");
        Assert.True(export.ExitCode == 0, export.Err);
        var exported = File.ReadLines(Path.Combine(dir.Path, "champions.csv")).ToList();
        Assert.Equal("customer_id,rfm.segment,clv.value,features.frequency,country", exported[0]);
        var orders = kept.GroupBy(o => o.Customer).ToDictionary(g => g.Key, g => g.Count());
        Assert.All(exported.Skip(1).Select(l => l.Split(',')), f =>
        {
            Assert.Equal("Champions", f[1]);
            Assert.True(double.Parse(f[2], CultureInfo.InvariantCulture) > 0);
            Assert.Equal(orders[f[0]], int.Parse(f[3], CultureInfo.InvariantCulture));
        });
        var typo = CliRunner.Run(dir.Path, "segment", "export", "rfm_champions", "--traits", "rfm.segmnt", "--out", "x.csv", "--ignore-consent");
        Assert.Equal(2, typo.ExitCode);
        Assert.Contains("did you mean `rfm.segment`", typo.Err, StringComparison.Ordinal);

        // Pareto/NBD fits too (it died after 400 s on a diverging series before), and BG/BB is refused for continuous data.
        var pareto = CliRunner.Run(dir.Path, "clv", "fit", "--model", "pareto", "--as-of", "2011-12-10", "--dry-run", "--json");
        Assert.True(pareto.ExitCode == 0, pareto.Err);
        Assert.Equal(2, CliRunner.Run(dir.Path, "clv", "fit", "--model", "bgbb", "--as-of", "2011-12-10").ExitCode);

        // clv compare: every model is degenerate on this year of data, so none is recommended (exit 1, findings).
        var compare = CliRunner.Run(dir.Path, "clv", "compare", "--as-of", "2011-12-10", "--json");
        Assert.Equal(1, compare.ExitCode);
        using (var doc = JsonDocument.Parse(compare.Out))
        {
            Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("recommended").ValueKind);
            Assert.Equal(["bgnbd", "mbgnbd", "pareto"], doc.RootElement.GetProperty("models").EnumerateArray().Select(m => m.GetProperty("model").GetString()));
        }
    }

    [Fact]
    public void OnlineRetail_WinBackPlan_BaseRateFromTheSegmentsMembersOneWindowEarlier()
    {
        // A win-back segment has no buyers in the window just before the as-of by construction; the plan measures
        // its base rate on the members it had one window (14 days) earlier instead, and says so.
        dir.Write("segments/lapsed.seg", "segment lapsed where count(purchase) > 0 and count(purchase, last 90 days) = 0\n");
        dir.Write("campaigns/winback.yaml", "holdout: 0.5\nsegments:\n  lapsed: { message: \"We miss you\", channel: email }\noutcome: { window: 14 days }\n");
        var plan = CliRunner.Run(dir.Path, "campaign", "plan", "winback", "--as-of", "2011-12-01", "--json");
        Assert.True(plan.ExitCode == 0, plan.Err);
        using var doc = JsonDocument.Parse(plan.Out);
        var segment = doc.RootElement.GetProperty("segments")[0];
        Assert.Equal("earlier_members", segment.GetProperty("base_rate_reference").GetString());

        // Independently: buyers before 2011-11-17 with no purchase in the 90 days before it, and who of them bought by 2011-12-01.
        var reference = new DateTime(2011, 11, 17, 0, 0, 0, DateTimeKind.Utc);
        var asOf = new DateTime(2011, 12, 1, 0, 0, 0, DateTimeKind.Utc);
        var purchases = OnlineRetailCsv.Read(TestPaths.DataFile("online_retail.csv")).Where(l => !l.Cancelled).ToList();
        var members = purchases.Where(l => l.At < reference).GroupBy(l => l.Customer)
            .Where(g => g.All(l => l.At < reference.AddDays(-90))).Select(g => g.Key).ToHashSet();
        var converted = purchases.Where(l => l.At >= reference && l.At < asOf && members.Contains(l.Customer)).Select(l => l.Customer).Distinct().Count();
        Assert.Equal(members.Count, segment.GetProperty("reference_customers").GetInt64());
        Assert.Equal((double)converted / members.Count, segment.GetProperty("base_rate").GetDouble(), 1e-12);
        Assert.True(converted > 0);
        Assert.Equal("2011-11-17T00:00:00Z", doc.RootElement.GetProperty("base_rate_reference_as_of").GetString());

        // A stated assumption instead, when the user has one.
        using var assumed = JsonDocument.Parse(CliRunner.Run(dir.Path, "campaign", "plan", "winback", "--as-of", "2011-12-01", "--base-rate", "0.04", "--json").Out);
        Assert.Equal("assumed", assumed.RootElement.GetProperty("segments")[0].GetProperty("base_rate_reference").GetString());
        Assert.Equal(0.04, assumed.RootElement.GetProperty("segments")[0].GetProperty("base_rate").GetDouble());
    }
}
