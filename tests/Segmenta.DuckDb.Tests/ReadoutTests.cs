using System.Globalization;
using System.Text;
using Segmenta.Campaigns;
using Segmenta.Contracts;
using Segmenta.Language;
using Segmenta.Model;
using Segmenta.Numerics;
using Segmenta.Segments;
using Xunit;

namespace Segmenta.DuckDb.Tests;

/// <summary>
/// <c>segmenta readout</c>'s numbers on a campaign whose customers spend as they did before it: the pre-period revenue is a
/// strong covariate, so CUPED must shrink the interval, and every figure must equal a plain recomputation from the rows
/// generated here (arms by the documented hash, θ pooled over the arms, adjusted means), not from the product's SQL.
/// </summary>
public sealed class ReadoutTests
{
    [Fact]
    public void Readout_WithPrePeriodSpend_CupedNarrowsTheIntervalAndMatchesAPlainRecomputation()
    {
        var send = new DateTime(2025, 3, 1, 0, 0, 0, DateTimeKind.Utc);
        var random = new Random(7);
        var customers = new StringBuilder("customer_id\n");
        var events = new StringBuilder("customer_id,event_type,occurred_at,revenue\n");
        var spend = new Dictionary<string, (double Pre, double Post)>(StringComparer.Ordinal);
        const string salt = "readout-test";
        for (var i = 0; i < 3000; i++)
        {
            var id = $"c{i:D5}";
            customers.Append(id).Append('\n');
            var treated = CampaignLauncher.Bucket(salt, id) >= 0.5;
            var rate = random.NextDouble() < 0.3 ? 1 + (4 * random.NextDouble()) : 0;   // 30% buy, at their own pace
            double pre = 0, post = 0;
            foreach (var (from, boost) in new[] { (send.AddDays(-14), 1.0), (send, treated ? 1.2 : 1.0) })
            {
                var purchases = Poisson(random, rate * boost);
                for (var k = 0; k < purchases; k++)
                {
                    var amount = Math.Round(20 + (10 * random.NextDouble()), 2);
                    var at = from.AddHours(1 + random.Next(13 * 24));
                    events.Append(CultureInfo.InvariantCulture, $"{id},purchase,{at:yyyy-MM-dd'T'HH:mm:ss'Z'},{amount}\n");
                    if (from == send)
                    {
                        post += amount;
                    }
                    else
                    {
                        pre += amount;
                    }
                }
            }

            spend[id] = (pre, post);
        }

        using var f = new WarehouseFixture();
        f.Ingest(TableKind.Customers, f.Write("customers.csv", customers.ToString()));
        f.Ingest(TableKind.Events, f.Write("events.csv", events.ToString()));
        var definition = CampaignDefinition.Parse("spring.yaml", $$"""
            salt: {{salt}}
            consent: ignore
            holdout: 0.5
            variant: { message: "Spring", channel: email }
            outcome: { window: 14 days }
            """);
        var library = SegmentLibrary.Load(f.Workspace, SegmentLibrary.SchemaOf(f.Warehouse, f.Workspace.Settings));
        var launched = CampaignLauncher.Launch(f.Warehouse, library, definition, new EvaluationContext(send, TimeZoneInfo.Utc), DateTime.UtcNow, out _);
        var readout = CampaignReadout.Read(f.Warehouse, launched, new ReadoutOptions());
        var comparison = Assert.Single(readout.Comparisons);
        var revenue = comparison.Metrics.Single(m => m.Metric == "revenue");

        // Plain recomputation: arms by the hash, θ = Σ cov / Σ var(pre) over the arms, adjusted means, Welch.
        var control = spend.Where(s => CampaignLauncher.Bucket(salt, s.Key) < 0.5).Select(s => s.Value).ToList();
        var treatedRows = spend.Where(s => CampaignLauncher.Bucket(salt, s.Key) >= 0.5).Select(s => s.Value).ToList();
        Assert.Equal(control.Count, comparison.Control);
        double Cov(List<(double Pre, double Post)> r) => r.Sum(x => (x.Pre - r.Average(y => y.Pre)) * (x.Post - r.Average(y => y.Post)));
        double VarPre(List<(double Pre, double Post)> r) => r.Sum(x => Math.Pow(x.Pre - r.Average(y => y.Pre), 2));
        var theta = (Cov(control) + Cov(treatedRows)) / (VarPre(control) + VarPre(treatedRows));
        Assert.Equal(theta, revenue.Theta, 9);
        double Adjusted(List<(double Pre, double Post)> r) => r.Average(x => x.Post - (theta * x.Pre));
        Assert.Equal(Adjusted(treatedRows) - Adjusted(control), revenue.Adjusted!.Estimate, 9);
        Assert.Equal(treatedRows.Average(x => x.Post) - control.Average(x => x.Post), revenue.Fixed.Estimate, 9);
        double AdjustedVar(List<(double Pre, double Post)> r) => r.Select(x => x.Post - (theta * x.Pre)).ToList() is var v ? v.Sum(y => Math.Pow(y - v.Average(), 2)) / (v.Count - 1) : 0;
        Assert.Equal(Math.Sqrt((AdjustedVar(treatedRows) / treatedRows.Count) + (AdjustedVar(control) / control.Count)), revenue.Adjusted.StandardError, 9);

        // Spending before predicts spending after: CUPED removes much of the variance and narrows the always-valid interval.
        Assert.InRange(theta, 0.5, 1.5);
        Assert.True(revenue.VarianceReduction > 0.3, $"variance reduction {revenue.VarianceReduction}");
        var plainSequential = Experiments.Sequential(
            Moments(control), Moments(treatedRows), relative: false, tuning: comparison.Control + comparison.Treated);
        Assert.True(revenue.Sequential.Interval.High - revenue.Sequential.Interval.Low < plainSequential.Interval.High - plainSequential.Interval.Low);
        Assert.Equal(revenue.Adjusted.Estimate, revenue.Sequential.Estimate, 12);
        Assert.True(revenue.Sequential.Interval.High - revenue.Sequential.Interval.Low > revenue.Adjusted.Interval.High - revenue.Adjusted.Interval.Low, "an always-valid interval is wider than the fixed-horizon one");

        // A readout before the window ends counts outcomes so far and says so.
        var early = CampaignReadout.Read(f.Warehouse, launched, new ReadoutOptions(send.AddDays(3)));
        Assert.False(early.Complete);
        Assert.True(early.Comparisons[0].Metrics[1].TreatedMean < revenue.TreatedMean);
    }

    private static ArmMoments Moments(List<(double Pre, double Post)> rows) =>
        rows.Aggregate(new ArmMoments(0, 0, 0), (m, r) => m.Add(r.Post, r.Pre));

    private static int Poisson(Random random, double mean)
    {
        var limit = Math.Exp(-mean);
        var k = 0;
        var p = random.NextDouble();
        while (p > limit)
        {
            k++;
            p *= random.NextDouble();
        }

        return k;
    }
}
