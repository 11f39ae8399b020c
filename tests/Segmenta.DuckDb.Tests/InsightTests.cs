using System.Globalization;
using System.Text;
using Segmenta.Contracts;
using Segmenta.Insights;
using Segmenta.Language;
using Segmenta.Model;
using Segmenta.Refresh;
using Segmenta.Segments;
using Xunit;

namespace Segmenta.DuckDb.Tests;

/// <summary>
/// The insight feed on planted effects between two refreshes: a segment that triples, a feature whose distribution moves,
/// a segment whose members click e-mails far more often — and a segment of random customers that must not appear.
/// </summary>
public sealed class InsightTests
{
    [Fact]
    public void Insights_FindThePlantedEffects_AndNotTheNull()
    {
        var t1 = new DateTime(2025, 3, 1, 0, 0, 0, DateTimeKind.Utc);
        var t2 = t1.AddDays(7);
        var random = new Random(5);
        var customers = new StringBuilder("customer_id\n");
        var events = new StringBuilder("customer_id,event_type,occurred_at,revenue,campaign_id\n");
        void Add(string id, string type, DateTime at, double? revenue = null, string? campaign = null) =>
            events.Append(CultureInfo.InvariantCulture, $"{id},{type},{at:yyyy-MM-dd'T'HH:mm:ss'Z'},{revenue},{campaign}\n");
        for (var i = 0; i < 1200; i++)
        {
            var id = $"c{i:D4}";
            customers.Append(id).Append('\n');

            // 100 buyers before t1; 200 more buy between t1 and t2 (the `buyers` segment triples, monetary shifts).
            if (i < 100)
            {
                Add(id, "purchase", t1.AddDays(-20), 50);
            }
            else if (i < 300)
            {
                Add(id, "purchase", t1.AddDays(3), 80);
            }

            // Everyone gets three e-mails; customers 600–699 click most of theirs, the others one time in ten.
            for (var e = 0; e < 3; e++)
            {
                var campaign = $"m{e}";
                Add(id, "email_sent", t1.AddDays(-30 + e), campaign: campaign);
                if (random.NextDouble() < (i is >= 600 and < 700 ? 0.8 : 0.1))
                {
                    Add(id, "email_click", t1.AddDays(-29 + e), campaign: campaign);
                }
            }
        }

        using var f = new WarehouseFixture();
        f.Ingest(TableKind.Customers, f.Write("customers.csv", customers.ToString()));
        f.Ingest(TableKind.Events, f.Write("events.csv", events.ToString()));
        File.WriteAllText(Path.Combine(f.Workspace.Root, "segments", "planted.seg"), """
            segment buyers where count(purchase) >= 1
            segment fans where customer_id >= "c0600" and customer_id < "c0700"
            segment anyone where customer_id >= "c0800" and customer_id < "c0900"
            """);
        RefreshPipeline.Run(f.Workspace, f.Warehouse, new EvaluationContext(t1, TimeZoneInfo.Utc), TimeProvider.System);
        RefreshPipeline.Run(f.Workspace, f.Warehouse, new EvaluationContext(t2, TimeZoneInfo.Utc), TimeProvider.System);
        var library = SegmentLibrary.Load(f.Workspace, SegmentLibrary.SchemaOf(f.Warehouse, f.Workspace.Settings));
        var feed = InsightAnalysis.Build(f.Warehouse, library, TimeZoneInfo.Utc);

        Assert.Equal(t2, feed.AsOf);
        Assert.Equal(t1, feed.PreviousAsOf);
        var growth = Assert.Single(feed.Insights, i => i.Kind == "growing" && i.Subject == "buyers");
        Assert.Equal(2.0, growth.Effect, 9);                                      // 100 → 300
        Assert.Equal(InsightAnalysis.SignTest(200, 200), growth.P, 12);          // 200 entered, none exited
        Assert.Contains(feed.Insights, i => i.Kind == "channel_response" && i.Subject == "fans" && i.Effect > 3);
        Assert.Contains(feed.Insights, i => i.Kind == "drift" && i.Subject == "avg_order_value" && double.IsNaN(i.Q));   // new buyers pay 80 where the first paid 50
        Assert.DoesNotContain(feed.Insights, i => i.Subject == "anyone");
        Assert.Contains(feed.NotChecked, n => n.StartsWith("untapped_cluster", StringComparison.Ordinal));
        Assert.All(feed.Insights.Where(i => i.Kind != "drift"), i => Assert.True(i.Q <= 0.05));

        // Without any snapshot there is nothing to read: not found, with what to do.
        using var empty = new WarehouseFixture();
        var none = Assert.Throws<InsightException>(() => InsightAnalysis.Build(empty.Warehouse, SegmentLibrary.Load(empty.Workspace, SegmentLibrary.SchemaOf(empty.Warehouse, empty.Workspace.Settings)), TimeZoneInfo.Utc));
        Assert.Contains("segmenta refresh", none.Message, StringComparison.Ordinal);
    }
}
