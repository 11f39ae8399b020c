using System.Text.Json;
using Segmenta.Testing;
using Xunit;

namespace Segmenta.Cli.Tests;

public class CliTests
{
    [Fact]
    public void IngestJson_HasExactlyTheDocumentedKeys()
    {
        using var dir = TestPaths.NewTempDir();
        Assert.Equal(0, CliRunner.Run(dir.Path, "init").ExitCode);
        var file = dir.Write("e.csv", "customer_id,event_type,occurred_at\nc1,session,2024-01-01T00:00:00Z\n,session,2024-01-01T00:00:00Z\n");
        var (code, stdout, stderr) = CliRunner.Run(dir.Path, "ingest", "events", file, "--json");
        Assert.True(code == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal(["read", "loaded", "quarantined", "duplicates", "suppressed", "reader"], json.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal([2, 1, 1, 0, 0], json.RootElement.EnumerateObject().Take(5).Select(p => p.Value.GetInt64()));
        Assert.Equal("rows", json.RootElement.GetProperty("reader").GetString());

        // A clean file with its own event ids is read by DuckDB itself.
        var clean = dir.Write("clean.csv", "event_id,customer_id,event_type,occurred_at\ne1,c1,session,2024-01-01T00:00:00Z\ne2,c2,session,2024-01-02T00:00:00Z\n");
        var whole = CliRunner.Run(dir.Path, "ingest", "events", clean, "--json");
        using var wholeJson = JsonDocument.Parse(whole.Out);
        Assert.Equal("warehouse", wholeJson.RootElement.GetProperty("reader").GetString());
        Assert.Equal(2, wholeJson.RootElement.GetProperty("loaded").GetInt64());

        var quarantine = CliRunner.Run(dir.Path, "ingest", "quarantine", "--json");
        using var q = JsonDocument.Parse(quarantine.Out);
        var row = Assert.Single(q.RootElement.EnumerateArray());
        Assert.Equal(3, row.GetProperty("line").GetInt64());
        Assert.Equal("missing customer_id (column `customer_id` is empty)", row.GetProperty("reason").GetString());
    }

    [Fact]
    public void Ingest_MissingFile_OneLineErrorExitTwoAndNothingWritten()
    {
        using var dir = TestPaths.NewTempDir();
        CliRunner.Run(dir.Path, "init");
        var (code, stdout, stderr) = CliRunner.Run(dir.Path, "ingest", "events", "missing.csv");
        Assert.Equal(2, code);
        Assert.Equal($"error: {Path.Combine(dir.Path, "missing.csv")}: no such file", stderr.Trim());
        Assert.Equal("", stdout);
        var status = CliRunner.Run(dir.Path, "status", "--json");
        using var json = JsonDocument.Parse(status.Out);
        Assert.Equal(0, json.RootElement.GetProperty("ingest_runs").GetInt64());
    }

    [Fact]
    public void Ingest_WrongMapping_PointsAtTheLineAndExitsTwo()
    {
        using var dir = TestPaths.NewTempDir();
        CliRunner.Run(dir.Path, "init");
        dir.Write("mappings/m.yaml", "table: events\nfields:\n  customer_id: cust\n  event_type: { value: purchase }\n  occurred_at: { column: when, format: yyyyMMdd }\n  revenue: { expr: \"amt *\" }\n");
        var file = dir.Write("e.csv", "cust,when,amt\nc1,20240101,3\n");
        var (code, _, stderr) = CliRunner.Run(dir.Path, "ingest", "events", file, "--mapping", "m");
        Assert.Equal(2, code);
        Assert.Matches(@"^error: .*mappings/m\.yaml:6:3: in the expression of `revenue` at character 6: the expression ends too soon", stderr.Trim());
    }

    [Fact]
    public void Commands_OutsideAWorkspace_SayHowToMakeOne()
    {
        using var dir = TestPaths.NewTempDir();
        var (code, _, stderr) = CliRunner.Run(dir.Path, "status");
        Assert.Equal(2, code);
        Assert.Contains("run `segmenta init` or pass --workspace DIR", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Demo_Small_RunsEndToEndAndReportsAsJson()
    {
        using var dir = TestPaths.NewTempDir();
        var (code, stdout, stderr) = CliRunner.Run(dir.Path, "demo", "--customers", "2000", "--events", "40000", "--json");
        Assert.True(code == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        var ingests = json.RootElement.GetProperty("ingests").EnumerateArray().ToList();
        var events = ingests[1];
        Assert.Equal(events.GetProperty("read").GetInt64(), events.GetProperty("loaded").GetInt64() + events.GetProperty("quarantined").GetInt64());
        Assert.True(events.GetProperty("quarantined").GetInt64() > 0); // the demo writes some malformed rows on purpose
        Assert.Equal(0, json.RootElement.GetProperty("reingest").GetProperty("loaded").GetInt64());
        var campaignStep = json.RootElement.GetProperty("steps").EnumerateArray().Single(st => st.GetProperty("step").GetString() == "campaign");
        var consents = ingests[2];
        Assert.Equal(["customers", "events", "consents"], ingests.Select(i => i.GetProperty("table").GetString()));
        Assert.True(consents.GetProperty("loaded").GetInt64() > 0 && consents.GetProperty("quarantined").GetInt64() == 0);
        Assert.Equal(
            events.GetProperty("loaded").GetInt64() + consents.GetProperty("loaded").GetInt64() + campaignStep.GetProperty("outcome_events").GetInt64(),
            json.RootElement.GetProperty("status").GetProperty("events").GetInt64());

        // Clusters, each described as a persona with a name and a strategy.
        var k = json.RootElement.GetProperty("clusters").GetProperty("k").GetInt32();
        Assert.InRange(k, 3, 7);
        var personas = json.RootElement.GetProperty("personas").EnumerateArray().ToList();
        Assert.Equal(Enumerable.Range(1, k).Select(j => $"cluster_{j}"), personas.Select(p => p.GetProperty("segment").GetString()));
        Assert.All(personas, p => Assert.False(string.IsNullOrEmpty(p.GetProperty("name").GetString())));
        Assert.Equal(
            json.RootElement.GetProperty("clusters").GetProperty("clusters").EnumerateArray().Select(c => c.GetProperty("customers").GetInt64()),
            personas.Select(p => p.GetProperty("size").GetInt64()));

        // Lifetime value: a fit with converged estimates, every buyer valued, the values on the persona cards.
        var clv = json.RootElement.GetProperty("clv");
        Assert.True(clv.GetProperty("fit").GetProperty("purchases").GetProperty("converged").GetBoolean());
        Assert.Equal(json.RootElement.GetProperty("rfm").GetProperty("scored").GetInt64(), clv.GetProperty("predictions").GetProperty("customers").GetInt64());
        Assert.True(clv.GetProperty("predictions").GetProperty("total_value").GetDouble() > 0);
        Assert.All(personas, p => Assert.True(p.GetProperty("lifetime").GetProperty("members_predicted").GetInt64() > 0));
        Assert.Equal(1.0, personas.Sum(p => p.GetProperty("lifetime").GetProperty("share_of_value").GetDouble()), 1e-9);
        Assert.Contains(json.RootElement.GetProperty("segments").EnumerateArray(), s => s.GetProperty("name").GetString() == "valuable_slipping" && s.GetProperty("size").GetInt64() > 0);

        // The campaign: four segments, each with holdout, own variant and broadcast arms, compared both ways.
        var measurement = json.RootElement.GetProperty("campaign").GetProperty("measurement");
        Assert.Equal("new_year", measurement.GetProperty("campaign").GetString());
        var comparisons = measurement.GetProperty("comparisons").EnumerateArray().ToList();
        Assert.Equal(4 * 3, comparisons.Count(c => c.GetProperty("segment").GetString() != "(all segments)"));
        Assert.All(comparisons, c => Assert.True(c.GetProperty("conversion").GetProperty("adjusted_p").GetDouble() >= c.GetProperty("conversion").GetProperty("p").GetDouble()));
        Assert.Equal(5, json.RootElement.GetProperty("campaign").GetProperty("audiences").GetArrayLength());
        Assert.Equal(1, measurement.GetProperty("clv_model").GetInt32());
        Assert.All(comparisons, c => Assert.Equal(
            c.GetProperty("clv").GetProperty("difference").GetDouble() * measurement.GetProperty("arms").EnumerateArray()
                .Single(a => a.GetProperty("segment").GetString() == c.GetProperty("segment").GetString() && a.GetProperty("arm").GetString() == c.GetProperty("arm").GetString())
                .GetProperty("recipients").GetInt64(),
            c.GetProperty("clv_uplift").GetDouble(),
            6));
        Assert.All(measurement.GetProperty("charts").EnumerateArray(), c => Assert.True(File.Exists(c.GetString())));

        // Twelve weeks of weekly snapshots up to the as-of, and the RFM migration from the first to the last.
        var refresh = json.RootElement.GetProperty("refresh");
        var snapshots = refresh.GetProperty("snapshots").EnumerateArray().ToList();
        Assert.Equal(13, snapshots.Count);
        Assert.Equal("2025-01-01T00:00:00Z", snapshots[^1].GetProperty("as_of").GetString());
        var migration = refresh.GetProperty("migration");
        Assert.Equal(snapshots[0].GetProperty("as_of").GetString(), migration.GetProperty("from").GetString());
        Assert.Equal(json.RootElement.GetProperty("rfm").GetProperty("scored").GetInt64(), migration.GetProperty("to_totals").EnumerateArray().SkipLast(1).Sum(t => t.GetInt64()));

        // The destination synced after each snapshot: each sync's audience is the previous one plus who entered minus who
        // exited, and replaying the files in order gives exactly the members the export wrote (consent to e-mail at the as-of).
        var syncs = json.RootElement.GetProperty("destination").GetProperty("syncs").EnumerateArray().ToList();
        Assert.Equal(snapshots.Select(x => x.GetProperty("as_of").GetString()), syncs.Select(x => x.GetProperty("as_of").GetString()));
        var held = new HashSet<string>(StringComparer.Ordinal);
        foreach (var sync in syncs)
        {
            foreach (var file in sync.GetProperty("files").EnumerateArray().Select(f => f.GetString()!))
            {
                var ids = File.ReadAllLines(file).Skip(1).Select(l => l.Split(',')[0]).ToList();
                if (file.EndsWith("-entered.csv", StringComparison.Ordinal))
                {
                    held.UnionWith(ids);
                }
                else
                {
                    held.ExceptWith(ids);
                }
            }

            Assert.Equal(sync.GetProperty("audience").GetInt64(), held.Count);
        }

        var export = json.RootElement.GetProperty("export");
        Assert.Equal(File.ReadAllLines(export.GetProperty("path").GetString()!).Skip(1).Select(l => l.Split(',')[0]).Order(StringComparer.Ordinal), held.Order(StringComparer.Ordinal));

        // The report: every view's data saved, none missing, in one page.
        var report = json.RootElement.GetProperty("report");
        Assert.Empty(report.GetProperty("missing").EnumerateArray());
        var reportPath = report.GetProperty("path").GetString()!;
        var firstReport = File.ReadAllBytes(reportPath);
        Assert.Contains("<script id=\"segmenta-report\" type=\"application/json\">", System.Text.Encoding.UTF8.GetString(firstReport), StringComparison.Ordinal);

        // A second demo replaces the first, and gives the same warehouse contents, clusters and personas.
        var again = CliRunner.Run(dir.Path, "demo", "--customers", "2000", "--events", "40000", "--json");
        using var second = JsonDocument.Parse(again.Out);
        Assert.Equal(json.RootElement.GetProperty("status").GetProperty("net_revenue").GetDecimal(), second.RootElement.GetProperty("status").GetProperty("net_revenue").GetDecimal());
        Assert.Equal(json.RootElement.GetProperty("clusters").GetRawText(), second.RootElement.GetProperty("clusters").GetRawText());
        Assert.Equal(json.RootElement.GetProperty("personas").GetRawText(), second.RootElement.GetProperty("personas").GetRawText());
        Assert.Equal(json.RootElement.GetProperty("clv").GetRawText(), second.RootElement.GetProperty("clv").GetRawText());
        Assert.Equal(measurement.GetRawText(), second.RootElement.GetProperty("campaign").GetProperty("measurement").GetRawText());
        Assert.Equal(refresh.GetRawText(), second.RootElement.GetProperty("refresh").GetRawText());
        Assert.True(firstReport.AsSpan().SequenceEqual(File.ReadAllBytes(reportPath)), "the same demo wrote a different report");
    }

    [Fact]
    public void Demo_DefaultSize_SegmentedArmsBeatTheBroadcastWhereTheyTrulyDo()
    {
        // The generator adds 8, 7 and 6 points of purchase chance with each segment's own message against 2, 2
        // and 1 with the broadcast in high_value, holiday_gifters and young_app_shoppers, and 2 against 2 in
        // one_and_done. Only customers who consented to their arms' channels are in the campaign, so some arms are small:
        // `campaign plan` says how large a difference against the broadcast each segment's arms can see. The measurement
        // must find every true difference the plan gives at least even odds (50% power, Holm's per-segment alpha), must
        // not invent the fourth, and the intervals of own variant against holdout must hold the true conversion lifts.
        using var dir = TestPaths.NewTempDir();
        var (code, stdout, stderr) = CliRunner.Run(dir.Path, "demo", "--json");
        Assert.True(code == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        var planRun = CliRunner.Run(Path.Combine(dir.Path, "demo"), "campaign", "plan", "new_year", "--json");
        Assert.True(planRun.ExitCode == 0, planRun.Err);
        using var plan = JsonDocument.Parse(planRun.Out);
        var zAlpha = NormalQuantile(1 - (plan.RootElement.GetProperty("alpha_per_segment").GetDouble() / 2));
        var evenOdds = plan.RootElement.GetProperty("segments").EnumerateArray().ToDictionary(
            s => s.GetProperty("segment").GetString()!,
            s => s.GetProperty("detectable_vs_broadcast").GetDouble() * zAlpha / (zAlpha + NormalQuantile(0.8)));
        var found = 0;

        // The four intervals of own variant against holdout hold their truths together with 95% confidence (Bonferroni).
        var familyRun = CliRunner.Run(Path.Combine(dir.Path, "demo"), "measure", "new_year", "--confidence", "0.9875", "--json");
        Assert.True(familyRun.ExitCode == 0, familyRun.Err);
        using var family = JsonDocument.Parse(familyRun.Out);
        var campaign = json.RootElement.GetProperty("campaign");
        var comparisons = campaign.GetProperty("measurement").GetProperty("comparisons").EnumerateArray().ToList();
        var arms = new Dictionary<string, string> { ["high_value"] = "vip_preview", ["holiday_gifters"] = "gift_reminder", ["young_app_shoppers"] = "app_drop", ["one_and_done"] = "come_back" };
        foreach (var truth in campaign.GetProperty("truth").EnumerateArray())
        {
            var segment = truth.GetProperty("segment").GetString()!;
            JsonElement Conversion(string arm, string against) => comparisons.Single(c => c.GetProperty("segment").GetString() == segment && c.GetProperty("arm").GetString() == arm && c.GetProperty("against").GetString() == against).GetProperty("conversion");
            var head = Conversion(arms[segment], "broadcast");
            var better = truth.GetProperty("variant_lift").GetDouble() > truth.GetProperty("broadcast_lift").GetDouble();
            var significant = head.GetProperty("adjusted_p").GetDouble() < 0.05 && head.GetProperty("difference").GetDouble() > 0;
            // A lift adds purchases only for those who would not have converted anyway — by the simulation's base rate or by
            // buying in the window on their own, as the holdout shows — so the true lift in conversion is lift × (1 − h).
            var holdout = campaign.GetProperty("measurement").GetProperty("arms").EnumerateArray()
                .Single(a => a.GetProperty("segment").GetString() == segment && a.GetProperty("arm").GetString() == "holdout").GetProperty("conversion_rate").GetDouble();
            var trueDifference = (truth.GetProperty("variant_lift").GetDouble() - truth.GetProperty("broadcast_lift").GetDouble()) * (1 - holdout);
            var held = !better || trueDifference >= evenOdds[segment];
            if (held)
            {
                Assert.True(better == significant, segment);
                found += better ? 1 : 0;
            }

            var own = family.RootElement.GetProperty("comparisons").EnumerateArray()
                .Single(c => c.GetProperty("segment").GetString() == segment && c.GetProperty("arm").GetString() == arms[segment] && c.GetProperty("against").GetString() == "holdout")
                .GetProperty("conversion").GetProperty("interval");
            var trueLift = truth.GetProperty("variant_lift").GetDouble() * (1 - holdout);
            Assert.InRange(trueLift, own.GetProperty("low").GetDouble(), own.GetProperty("high").GetDouble());

            // The extra purchases raise the customers' predicted lifetime value: the uplift (change since the send, own variant
            // against holdout) is positive in every segment, and significant wherever the arms were large enough to be held to it.
            var clv = comparisons.Single(c => c.GetProperty("segment").GetString() == segment && c.GetProperty("arm").GetString() == arms[segment] && c.GetProperty("against").GetString() == "holdout").GetProperty("clv");
            Assert.True(clv.GetProperty("difference").GetDouble() > 0 && (!held || clv.GetProperty("adjusted_p").GetDouble() < 0.05), segment);
        }

        Assert.True(found >= 2, $"only {found} true differences were large enough for their arms to be held to finding them");

        // Insights of the demo's last snapshot: every kind checked, every finding within the false discovery rate and pointing
        // its kind's way; the segment defined by e-mail clicks is found to respond to e-mail; a growth finding's p-value is
        // the exact sign test of its entries against its exits, recomputed here.
        var insightsRun = CliRunner.Run(Path.Combine(dir.Path, "demo"), "insights", "--json");
        Assert.True(insightsRun.ExitCode == 0, insightsRun.Err);
        using var insights = JsonDocument.Parse(insightsRun.Out);
        var feed = insights.RootElement;
        Assert.Empty(feed.GetProperty("not_checked").EnumerateArray());
        var found2 = feed.GetProperty("insights").EnumerateArray().ToList();
        Assert.NotEmpty(found2);
        Assert.True(feed.GetProperty("tested").GetInt32() >= found2.Count);
        Assert.All(found2.Where(i => i.GetProperty("kind").GetString() != "drift"), i => Assert.True(i.GetProperty("q").GetDouble() <= 0.05));
        Assert.All(found2.Where(i => i.GetProperty("kind").GetString() == "drift"), i => Assert.Equal(JsonValueKind.Null, i.GetProperty("q").ValueKind));
        Assert.All(found2.Where(i => i.GetProperty("kind").GetString() == "shrinking" || i.GetProperty("kind").GetString() == "falling_engagement"), i => Assert.True(i.GetProperty("effect").GetDouble() < 0));
        Assert.Contains(found2, i => i.GetProperty("kind").GetString() == "channel_response" && i.GetProperty("subject").GetString() == "clicks_then_buys");
        var ranks = found2.Select(i => i.GetProperty("rank").GetInt32()).ToList();
        Assert.Equal(Enumerable.Range(1, found2.Count), ranks);

        // An uplift model of the campaign's own variants against the holdout recovers the planted effects where the data can
        // tell the segments apart: its ranking beats chance on held-out customers, and the members of high_value and
        // holiday_gifters (8 and 7 points planted) are predicted to gain more than those of one_and_done (2 points).
        var demo = Path.Combine(dir.Path, "demo");
        var upliftRun = CliRunner.Run(demo, "uplift", "fit", "new_year", "--arm", "vip_preview,gift_reminder,app_drop,come_back",
            "--features", "recency_days,frequency,monetary,sessions,email_open_rate,age,income,tenure_days,preferred_channel,gender", "--json");
        Assert.True(upliftRun.ExitCode == 0, upliftRun.Err);
        using (var uplift = JsonDocument.Parse(upliftRun.Out))
        {
            Assert.True(uplift.RootElement.GetProperty("evaluations")[0].GetProperty("ranking").GetProperty("informative").GetBoolean());
        }

        File.WriteAllText(Path.Combine(demo, "segments", "everyone_scored.seg"), "segment everyone_scored where customer_id >= \"\"\n");
        var scoresFile = Path.Combine(dir.Path, "scores.csv");
        Assert.Equal(0, CliRunner.Run(demo, "segment", "export", "everyone_scored", "--traits", "uplift.new_year.conversion", "-o", scoresFile, "--ignore-consent").ExitCode);
        var predicted = File.ReadLines(scoresFile).Skip(1).Select(l => l.Split(',')).Where(c => c[1].Length > 0)
            .ToDictionary(c => c[0], c => double.Parse(c[1], System.Globalization.CultureInfo.InvariantCulture));
        var bySegment = Directory.GetFiles(Path.Combine(demo, "exports", "campaigns", "new_year"), "*.csv")
            .SelectMany(f => File.ReadLines(f).Skip(1).Select(l => l.Split(',')))
            .GroupBy(c => c[1]).ToDictionary(g => g.Key, g => g.Average(c => predicted[c[0]]));
        Assert.True(bySegment["high_value"] > bySegment["one_and_done"] && bySegment["holiday_gifters"] > bySegment["one_and_done"], string.Join(", ", bySegment.Select(kv => $"{kv.Key} {kv.Value:0.000}")));
    }

    /// <summary>The standard normal quantile, by bisection on Abramowitz and Stegun's 7.1.26 (error below 1.5e-7): enough for a threshold.</summary>
    private static double NormalQuantile(double p)
    {
        static double Cdf(double x)
        {
            var t = 1 / (1 + (0.3275911 * Math.Abs(x) / Math.Sqrt(2)));
            var poly = t * (0.254829592 + (t * (-0.284496736 + (t * (1.421413741 + (t * (-1.453152027 + (t * 1.061405429))))))));
            var erf = 1 - (poly * Math.Exp(-x * x / 2));
            return x >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
        }

        double low = -10, high = 10;
        for (var i = 0; i < 100; i++)
        {
            var mid = (low + high) / 2;
            (low, high) = Cdf(mid) < p ? (mid, high) : (low, mid);
        }

        return (low + high) / 2;
    }

    [Fact]
    public void Demo_IntoAForeignFolder_IsRefused()
    {
        using var dir = TestPaths.NewTempDir();
        dir.Write("precious.txt", "keep me");
        var (code, _, stderr) = CliRunner.Run(dir.Path, "demo", "--out", ".");
        Assert.Equal(2, code);
        Assert.Contains("is not an earlier demo", stderr, StringComparison.Ordinal);
        Assert.True(File.Exists(dir.File("precious.txt")));
    }
}
