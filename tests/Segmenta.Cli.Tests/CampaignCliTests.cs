using System.Text.Json;
using System.Xml.Linq;
using Segmenta.Testing;
using Xunit;

namespace Segmenta.Cli.Tests;

/// <summary><c>segmenta campaign</c> and <c>segmenta measure</c> as a user runs them: the Hillstrom sample, the whole flow, and mistakes.</summary>
public sealed class CampaignCliTests
{
    [Fact]
    public void HillstromSample_RunSh_MeasuresThePublishedArmsAndDrawsCharts()
    {
        using var dir = TestPaths.NewTempDir();
        Assert.Equal(0, CliRunner.Run(dir.Path, "init").ExitCode);
        var (code, stdout, stderr) = CliRunner.Script(dir.Path, TestPaths.Sample("hillstrom/run.sh"), "--json");
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        Assert.Equal("hillstrom", root.GetProperty("campaign").GetString());
        Assert.Equal("holm", root.GetProperty("correction").GetString());
        Assert.True(root.GetProperty("window").GetProperty("complete").GetBoolean());

        // Published: visit 18.28% / 15.14% / 10.62%, conversion 1.25% / 0.88% / 0.57%, spend $1.42 / $1.08 / $0.65.
        var overall = root.GetProperty("arms").EnumerateArray().Where(a => a.GetProperty("segment").GetString() == "(all segments)").ToDictionary(a => a.GetProperty("arm").GetString()!);
        Assert.Equal(0.1828, overall["Mens E-Mail"].GetProperty("visit_rate").GetDouble(), 0.00005);
        Assert.Equal(0.0088, overall["Womens E-Mail"].GetProperty("conversion_rate").GetDouble(), 0.00005);
        Assert.Equal(0.65, overall["holdout"].GetProperty("revenue_per_recipient").GetDouble(), 0.005);
        Assert.Equal(21_306, overall["holdout"].GetProperty("recipients").GetInt64());

        // Each comparison states its interval method; the spend lift of the men's e-mail is significant.
        var mens = root.GetProperty("comparisons").EnumerateArray().Single(c => c.GetProperty("segment").GetString() == "(all segments)" && c.GetProperty("arm").GetString() == "Mens E-Mail");
        var spend = mens.GetProperty("revenue_per_recipient");
        Assert.Contains(spend.GetProperty("method").GetString(), new[] { "welch", "bootstrap" });
        Assert.Equal(5.300140358411668, spend.GetProperty("welch").GetProperty("t").GetDouble(), 1e-9);
        Assert.True(spend.GetProperty("adjusted_p").GetDouble() < 0.001);

        var charts = root.GetProperty("charts").EnumerateArray().Select(c => c.GetString()!).ToList();
        Assert.Equal(4, charts.Count);
        foreach (var chart in charts.Where(c => c.EndsWith(".svg", StringComparison.Ordinal)))
        {
            Assert.Equal("svg", XDocument.Load(chart).Root!.Name.LocalName);
        }

        // The audience files of the two e-mails, with the traits the campaign file asks for.
        var header = File.ReadLines(Path.Combine(dir.Path, "exports", "campaigns", "hillstrom", "mens_e_mail.csv")).First();
        Assert.Equal("customer_id,segment,history_segment,zip_area,purchase_channel", header);
        Assert.Equal(21_307 + 1, File.ReadLines(Path.Combine(dir.Path, "exports", "campaigns", "hillstrom", "mens_e_mail.csv")).Count());

        // The readout: CUPED finds no pre-period (the file has none), the always-valid intervals are wider than measure's.
        var readout = CliRunner.Run(dir.Path, "readout", "hillstrom", "--as-of", "2008-01-15", "--json");
        Assert.True(readout.ExitCode == 0, readout.Err);
        using (var r = JsonDocument.Parse(readout.Out))
        {
            var comparisons = r.RootElement.GetProperty("comparisons").EnumerateArray().ToList();
            Assert.Equal(6, comparisons.Count);   // three segments × two e-mails, each against the holdout
            var spendMens = comparisons.Single(c => c.GetProperty("segment").GetString() == "mens_only" && c.GetProperty("arm").GetString() == "Mens E-Mail")
                .GetProperty("metrics").EnumerateArray().Single(m => m.GetProperty("metric").GetString() == "revenue");
            Assert.Equal(0, spendMens.GetProperty("variance_reduction").GetDouble());
            var fixedWidth = spendMens.GetProperty("fixed").GetProperty("interval").GetProperty("high").GetDouble() - spendMens.GetProperty("fixed").GetProperty("interval").GetProperty("low").GetDouble();
            var sequentialWidth = spendMens.GetProperty("sequential").GetProperty("interval").GetProperty("high").GetDouble() - spendMens.GetProperty("sequential").GetProperty("interval").GetProperty("low").GetDouble();
            Assert.True(sequentialWidth > fixedWidth);
            Assert.Contains(spendMens.GetProperty("verdict").GetString(), new[] { "better", "worse", "keep_running" });
        }

        Assert.Equal(2, CliRunner.Run(dir.Path, "readout", "nothing").ExitCode);
        UpliftAndAllocate(dir.Path);
    }

    /// <summary>
    /// <c>uplift fit</c>, <c>uplift show</c> and <c>allocate</c> on the launched Hillstrom campaign (in the same workspace, which
    /// costs a minute to load): stable JSON fields, curves drawn, the language fields usable, files ready to launch, mistakes exit 2.
    /// </summary>
    private static void UpliftAndAllocate(string workspace)
    {
        const string inputs = "months_since_purchase,history_segment,history,bought_mens,bought_womens,zip_area,newbie,purchase_channel";
        var (code, stdout, stderr) = CliRunner.Run(workspace, "uplift", "fit", "hillstrom", "--arm", "Womens E-Mail", "--features", inputs, "--as-of", "2008-01-01", "--charts", "uplift_charts", "--json");
        Assert.True(code == 0, stderr);
        using (var fit = JsonDocument.Parse(stdout))
        {
            var model = fit.RootElement;
            Assert.Equal(1, model.GetProperty("version").GetInt32());
            Assert.Equal("t_learner", model.GetProperty("method").GetString());
            Assert.Equal(64_000, model.GetProperty("scored").GetInt64());
            Assert.Equal(["conversion", "revenue", "visit"], model.GetProperty("evaluations").EnumerateArray().Select(e => e.GetProperty("outcome").GetString()!));
            var visit = model.GetProperty("evaluations").EnumerateArray().Single(e => e.GetProperty("outcome").GetString() == "visit");
            Assert.InRange(visit.GetProperty("average_effect").GetDouble(), 0.03, 0.055);   // 15.14% − 10.62% on the held-out part
            Assert.Equal(10, visit.GetProperty("bins").GetArrayLength());
            Assert.Equal(JsonValueKind.Null, model.GetProperty("evaluations")[1].GetProperty("uplift_auc").ValueKind);   // revenue: defined for yes/no outcomes only
            Assert.Contains("uplift.hillstrom.quadrant", model.GetProperty("fields").EnumerateArray().Select(f => f.GetString()));
            Assert.Equal(64_000, model.GetProperty("quadrants").EnumerateArray().Sum(q => q.GetProperty("customers").GetInt64()));
            Assert.Equal(12, model.GetProperty("charts").GetArrayLength());
            Assert.All(model.GetProperty("charts").EnumerateArray().Select(c => c.GetString()!).Where(c => c.EndsWith(".svg", StringComparison.Ordinal)), c => Assert.Equal("svg", XDocument.Load(c).Root!.Name.LocalName));
        }

        var show = CliRunner.Run(workspace, "uplift", "show", "--json");
        Assert.Equal(0, show.ExitCode);
        using (var list = JsonDocument.Parse(show.Out))
        {
            Assert.Equal("hillstrom", list.RootElement.GetProperty("models")[0].GetProperty("campaign").GetString());
        }

        File.WriteAllText(Path.Combine(workspace, "segments", "responders.seg"), "segment responders where uplift.hillstrom.visit > 0.05\n");
        var preview = CliRunner.Run(workspace, "segment", "preview", "responders", "--as-of", "2008-01-01", "--json");
        Assert.True(preview.ExitCode == 0, preview.Err);

        (code, stdout, stderr) = CliRunner.Run(workspace, "allocate", "--campaign", "hillstrom", "--budget", "1000", "--cost", "0.1", "--margin", "0.4", "--json");
        Assert.True(code == 0, stderr);
        using (var allocation = JsonDocument.Parse(stdout))
        {
            var a = allocation.RootElement;
            Assert.Equal("uplift.hillstrom.revenue", a.GetProperty("field").GetString());
            Assert.Equal("budget", a.GetProperty("limit").GetString());
            var chosen = a.GetProperty("chosen");
            Assert.InRange(chosen.GetProperty("spend").GetDouble(), 999, 1000);
            Assert.InRange(chosen.GetProperty("contacts").GetInt64(), 9_990, 10_000);
            Assert.Equal(BudgetAllocationCurvePoints, a.GetProperty("curve").GetArrayLength());
            var campaignFile = a.GetProperty("campaign_file").GetString()!;
            Assert.Contains("holdout: 0.1", File.ReadAllText(campaignFile), StringComparison.Ordinal);
            Assert.Contains($"top {a.GetProperty("audience").GetInt64()} by uplift.hillstrom.revenue", File.ReadAllText(a.GetProperty("segment_file").GetString()!), StringComparison.Ordinal);
        }

        // The files are ready: plan reads them and counts the audience the allocation chose (ties at the cut included).
        var plan = CliRunner.Run(workspace, "campaign", "plan", "hillstrom_targeted", "--as-of", "2008-01-01", "--json");
        Assert.True(plan.ExitCode == 0, plan.Err);

        // Mistakes: exit 2 with one message.
        Assert.Equal(2, CliRunner.Run(workspace, "uplift", "fit", "nothing", "--features", "history").ExitCode);
        Assert.Equal(2, CliRunner.Run(workspace, "uplift", "fit", "hillstrom").ExitCode);
        Assert.Equal(2, CliRunner.Run(workspace, "uplift", "fit", "hillstrom", "--features", "visited_not").ExitCode);
        Assert.Equal(2, CliRunner.Run(workspace, "allocate", "--campaign", "nothing", "--budget", "10").ExitCode);
        Assert.Equal(2, CliRunner.Run(workspace, "allocate", "--campaign", "hillstrom", "--budget", "-5", "--cost", "0.1").ExitCode);
        var again = CliRunner.Run(workspace, "allocate", "--campaign", "hillstrom", "--budget", "1000", "--cost", "0.1", "--json");
        Assert.Equal(2, again.ExitCode);   // the files exist: --force replaces them
        Assert.Contains("--force", again.Out + again.Err, StringComparison.Ordinal);
    }

    private const int BudgetAllocationCurvePoints = 20;

    [Fact]
    public void Campaign_NewPlanLaunchMeasure_WorksEndToEndAndRefusesMistakes()
    {
        using var dir = TestPaths.NewTempDir();
        Assert.Equal(0, CliRunner.Run(dir.Path, "demo", "--customers", "2000", "--events", "40000", "--out", "ws", "--json").ExitCode);
        var ws = Path.Combine(dir.Path, "ws");

        var created = CliRunner.Run(ws, "campaign", "new", "spring", "--segments", "high_value,one_and_done", "--holdout", "0.2", "--broadcast", "0.25", "--cost-per-contact", "0.1", "--json");
        Assert.True(created.ExitCode == 0, created.Err);
        Assert.True(File.Exists(Path.Combine(ws, "campaigns", "spring.yaml")));
        Assert.Equal(2, CliRunner.Run(ws, "campaign", "new", "spring", "--segments", "high_value").ExitCode);

        var plan = CliRunner.Run(ws, "campaign", "plan", "spring", "--lift", "0.5", "--json");
        Assert.True(plan.ExitCode == 0, plan.Err);
        using var planJson = JsonDocument.Parse(plan.Out);
        var planned = planJson.RootElement.GetProperty("segments").EnumerateArray().ToList();
        Assert.Equal(["high_value", "one_and_done"], planned.Select(s => s.GetProperty("segment").GetString()));
        Assert.Equal(0.025, planJson.RootElement.GetProperty("alpha_per_segment").GetDouble(), 1e-12);

        var launch = CliRunner.Run(ws, "campaign", "launch", "spring", "--json");
        Assert.True(launch.ExitCode == 0, launch.Err);
        using var launchJson = JsonDocument.Parse(launch.Out);
        var arms = launchJson.RootElement.GetProperty("arms").EnumerateArray().ToList();
        Assert.Equal(launchJson.RootElement.GetProperty("customers").GetInt64(), arms.Sum(a => a.GetProperty("customers").GetInt64()));
        for (var i = 0; i < planned.Count; i++)
        {
            Assert.Equal(planned[i].GetProperty("holdout").GetInt64(), arms.Single(a => a.GetProperty("segment").GetString() == planned[i].GetProperty("segment").GetString() && a.GetProperty("arm").GetString() == "holdout").GetProperty("customers").GetInt64());
        }

        var files = launchJson.RootElement.GetProperty("files").EnumerateArray().ToList();
        Assert.Equal(["high_value", "one_and_done", "broadcast"], files.Select(f => f.GetProperty("arm").GetString()));
        Assert.All(files, f => Assert.Equal(f.GetProperty("customers").GetInt64() + 1, File.ReadLines(f.GetProperty("path").GetString()!).Count()));

        // Launched once: the audience is frozen.
        var again = CliRunner.Run(ws, "campaign", "launch", "spring");
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("its audience is frozen", again.Err, StringComparison.Ordinal);

        var list = CliRunner.Run(ws, "campaign", "list", "--json");
        using var listJson = JsonDocument.Parse(list.Out);
        Assert.Contains(listJson.RootElement.EnumerateArray(), c => c.GetProperty("name").GetString() == "spring" && c.GetProperty("customers").GetInt64() > 0);
        var show = CliRunner.Run(ws, "campaign", "show", "spring", "--json");
        Assert.True(show.ExitCode == 0, show.Err);

        var measure = CliRunner.Run(ws, "measure", "spring", "--json", "--correction", "bh", "--bootstrap", "300");
        Assert.True(measure.ExitCode == 0, measure.Err);
        using var measureJson = JsonDocument.Parse(measure.Out);
        Assert.Equal("benjamini-hochberg", measureJson.RootElement.GetProperty("correction").GetString());
        var comparisons = measureJson.RootElement.GetProperty("comparisons").EnumerateArray().ToList();
        Assert.Contains(comparisons, c => c.GetProperty("against").GetString() == "broadcast");
        var totals = measureJson.RootElement.GetProperty("totals");
        Assert.Equal(0.1 * totals.GetProperty("contacts").GetInt64(), totals.GetProperty("cost").GetDouble(), 1e-6);

        // Money carries its interval. Nothing was sent here, so the true incremental revenue is 0: the intervals hold it.
        static (double Low, double High) Range(JsonElement e) => (e[0].GetDouble(), e[1].GetDouble());
        var money = totals.GetProperty("money");
        var revenue = Range(money.GetProperty("incremental_revenue_interval"));
        Assert.InRange(totals.GetProperty("incremental_revenue").GetDouble(), revenue.Low, revenue.High);
        Assert.InRange(0.0, revenue.Low, revenue.High);
        Assert.InRange(totals.GetProperty("net_profit").GetDouble(), Range(money.GetProperty("net_profit_interval")).Low, Range(money.GetProperty("net_profit_interval")).High);

        // The campaign's interval is the segments' (against the holdout), added in quadrature: they share no customer.
        var parts = comparisons.Where(c => c.GetProperty("against").GetString() == "holdout" && c.GetProperty("segment").GetString() != "(all segments)")
            .Select(c => Range(c.GetProperty("money").GetProperty("incremental_revenue_interval"))).ToList();
        Assert.Equal(Math.Sqrt(parts.Sum(p => Math.Pow((p.High - p.Low) / 2, 2))), (revenue.High - revenue.Low) / 2, 1e-6);
        var verdict = money.GetProperty("verdict").GetString();
        Assert.Contains(verdict, new[] { "inconclusive", "loss" });
        var headline = CliRunner.Run(ws, "measure", "spring", "--correction", "bh", "--bootstrap", "300").Out;
        Assert.Contains(verdict == "inconclusive" ? "not distinguishable from zero" : "a loss", headline, StringComparison.Ordinal);
        Assert.Equal(measure.Out, CliRunner.Run(ws, "measure", "spring", "--json", "--correction", "bh", "--bootstrap", "300").Out);
        var table = CliRunner.Run(ws, "measure", "spring");
        Assert.True(table.ExitCode == 0, table.Err);
        Assert.Contains("Holm", table.Out, StringComparison.Ordinal);

        // Mistakes: one line each, exit 2.
        File.WriteAllText(Path.Combine(ws, "campaigns", "typo.yaml"), "holdout: 0.1\nsegments:\n  high_valu: { message: hi, channel: email }\n");
        var unknown = CliRunner.Run(ws, "campaign", "launch", "typo");
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("did you mean `high_value`", unknown.Err, StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(ws, "campaigns", "badkey.yaml"), "holdout: 0.1\nholdot: 0.2\n");
        var badKey = CliRunner.Run(ws, "campaign", "plan", "badkey");
        Assert.Equal(2, badKey.ExitCode);
        Assert.Contains("badkey.yaml:2:1", badKey.Err, StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(ws, "campaigns", "greedy.yaml"), "holdout: 0.6\nbroadcast: { share: 0.5 }\n");
        Assert.Contains("leave nobody", CliRunner.Run(ws, "campaign", "plan", "greedy").Err, StringComparison.Ordinal);
        var notLaunched = CliRunner.Run(ws, "measure", "typo");
        Assert.Equal(2, notLaunched.ExitCode);
        Assert.Contains("has not been launched", notLaunched.Err, StringComparison.Ordinal);
        Assert.Equal(2, CliRunner.Run(ws, "measure", "spring", "--correction", "bonferroni").ExitCode);
    }
}
