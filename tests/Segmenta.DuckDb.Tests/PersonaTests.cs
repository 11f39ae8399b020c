using System.Globalization;
using Segmenta.Contracts;
using Segmenta.Features;
using Segmenta.Generation;
using Segmenta.Language;
using Segmenta.Model;
using Segmenta.Personas;
using Segmenta.Rfm;
using Segmenta.Segments;
using Xunit;

namespace Segmenta.DuckDb.Tests;

/// <summary>
/// Personas on a generated base, checked against plain SQL over the stored feature snapshot and RFM
/// scores of the same instant: sizes, shares, means and medians, lifts and p-values, the RFM mix.
/// </summary>
public sealed class PersonaTests
{
    [Fact]
    public void Describe_RuleAndRfmSegments_AgreeWithPlainSqlOverTheSnapshots()
    {
        using var f = new WarehouseFixture();
        f.IngestGenerated(new GeneratorOptions(3_000, 60_000, 4, GeneratorOptions.DefaultAsOf));
        var context = new EvaluationContext(GeneratorOptions.DefaultAsOf, TimeZoneInfo.Utc);
        FeatureSnapshots.Materialize(f.Warehouse, context, DateTime.UtcNow);
        RfmAnalysis.Materialize(f.Warehouse, context, RfmOptions.Default, DateTime.UtcNow);
        var asOf = DateTime.SpecifyKind(context.AsOf, DateTimeKind.Unspecified);

        f.Write("segments/app.seg", "segment app_buyers \"App buyers\" where features.preferred_channel = \"app\" and age < 35\n");
        var library = SegmentLibrary.Load(f.Workspace, SegmentLibrary.SchemaOf(f.Warehouse, f.Workspace.Settings));
        Assert.Empty(library.Compilation.Diagnostics);
        var reports = PersonaAnalysis.Describe(f.Warehouse, context, RfmOptions.Default, [library.Compilation.Find("app_buyers")!, library.Compilation.Find("rfm_champions")!]);
        var app = reports[0];
        var champions = reports[1];

        const string Members = "SELECT customer_id FROM customer_features WHERE as_of = $1 AND preferred_channel = 'app' AND age < 35";
        Assert.Equal(f.Count($"SELECT count(*) FROM ({Members}) m", asOf), app.Size);
        Assert.Equal(3_000, app.Customers);
        Assert.Equal("App buyers", app.Title);
        Assert.Equal(f.Count("SELECT count(*) FROM rfm_scores WHERE segment = 'Champions'"), champions.Size);

        // Means and medians of present values, against the whole base's.
        double Scalar(string sql) => Convert.ToDouble(f.Scalar(sql, asOf), CultureInfo.InvariantCulture);
        var monetary = app.Measure("monetary")!;
        Assert.Equal(Scalar($"SELECT avg(monetary) FROM customer_features WHERE as_of = $1 AND customer_id IN ({Members})"), monetary.Mean, 1e-9);
        Assert.Equal(Scalar("SELECT avg(monetary) FROM customer_features WHERE as_of = $1"), monetary.BaseMean, 1e-9);
        Assert.Equal(100 * monetary.Mean / monetary.BaseMean, monetary.Index, 1e-9);
        var recency = app.Measure("recency_days")!;
        Assert.Equal(Scalar($"SELECT quantile_cont(recency_days, 0.5) FROM customer_features WHERE as_of = $1 AND customer_id IN ({Members})"), recency.Median, 1e-9);
        Assert.Equal(f.Count($"SELECT count(recency_days) FROM customer_features WHERE as_of = $1 AND customer_id IN ({Members})", asOf), recency.Present);
        var age = app.Measure("age")!;
        Assert.True(age.Difference < -PersonaPlaybook.Distinctive, "the segment is young by definition");
        Assert.Equal(Scalar("SELECT (avg(age) FILTER (WHERE customer_id IN (" + Members + ")) - avg(age)) / stddev_pop(age) FROM customer_features WHERE as_of = $1"), age.Difference, 1e-9);

        // Every member prefers the app: lift = 1 / base share, with a vanishing p-value; no other channel.
        var channel = Assert.Single(app.OverIndexing, l => l.Trait == "preferred_channel");
        Assert.Equal("app", channel.Level);
        var baseShare = Scalar("SELECT avg(CASE WHEN preferred_channel = 'app' THEN 1.0 ELSE 0 END) FROM customer_features WHERE as_of = $1");
        Assert.Equal(1.0, channel.Share);
        Assert.Equal(baseShare, channel.BaseShare, 1e-12);
        Assert.Equal(1 / baseShare, channel.Lift, 1e-9);
        Assert.True(channel.PValue < 1e-10);
        Assert.Equal([("app", 1.0)], app.Channels.Where(c => c.Members > 0).Select(c => (c.Name, c.Share)));
        Assert.All(app.OverIndexing, l => Assert.True(l.Members >= PersonaAnalysis.MinimumSupport && l.Lift >= PersonaAnalysis.MinimumLift));

        // The RFM mix counts every member once, those without purchases apart.
        Assert.Equal(app.Size, app.RfmMix.Sum(s => s.Members));
        Assert.Equal(
            f.Count($"SELECT count(*) FROM rfm_scores WHERE segment = 'Loyal Customers' AND customer_id IN ({Members})", asOf),
            app.RfmMix.Single(s => s.Name == "Loyal Customers").Members);
        Assert.Equal(1.0, Assert.Single(champions.RfmMix, s => s.Members > 0).Share);

        // Champions: most of the revenue, named for spend, and the Champions play.
        Assert.Equal(Convert.ToDecimal(f.Scalar("SELECT sum(monetary) FROM customer_features WHERE as_of = $1 AND customer_id IN (SELECT customer_id FROM rfm_scores WHERE segment = 'Champions')", asOf), CultureInfo.InvariantCulture), champions.Revenue);
        Assert.EndsWith("high-spenders", champions.Name, StringComparison.Ordinal);
        Assert.StartsWith("Reward them", champions.Strategy, StringComparison.Ordinal);
        Assert.Contains("of members are RFM Champions", champions.StrategyReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_ComputedTraits_AsMeasuresAndCategoricalTraits()
    {
        using var f = new WarehouseFixture();
        f.IngestGenerated(new GeneratorOptions(2_000, 40_000, 5, GeneratorOptions.DefaultAsOf));
        var context = new EvaluationContext(GeneratorOptions.DefaultAsOf, TimeZoneInfo.Utc);
        f.Write("segments/traits.seg", """
            trait orders_year "Orders in a year" = count(purchase, last 365 days)
            trait favourite_channel = most_frequent(purchase.channel)
            segment frequent where orders_year >= 5
            """);
        var library = SegmentLibrary.Load(f.Workspace, SegmentLibrary.SchemaOf(f.Warehouse, f.Workspace.Settings));
        Assert.Empty(library.Compilation.Diagnostics);
        var report = Assert.Single(PersonaAnalysis.Describe(f.Warehouse, context, RfmOptions.Default, [library.Compilation.Find("frequent")!], library.Compilation.Traits));

        // The trait's measure: counted again from the events' rows in C#, every customer (0 without purchases) in the base.
        var asOf = DateTime.SpecifyKind(context.AsOf, DateTimeKind.Unspecified);
        var counts = f.Strings("SELECT customer_id FROM events WHERE event_type = 'purchase' AND occurred_at >= $1 AND occurred_at < $2", asOf.AddDays(-365), asOf)
            .GroupBy(id => id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var everyone = f.Strings("SELECT customer_id FROM customers").Select(id => (double)counts.GetValueOrDefault(id)).ToList();
        var members = counts.Values.Where(c => c >= 5).Select(c => (double)c).ToList();
        var measure = report.Measure("orders_year")!;
        Assert.Equal(PersonaAnalysis.ComputedTraitUnit, measure.Unit);
        Assert.Equal(members.Count, report.Size);
        Assert.Equal(members.Average(), measure.Mean, 1e-9);
        Assert.Equal(everyone.Average(), measure.BaseMean, 1e-9);
        Assert.True(measure.Difference > PersonaPlaybook.Distinctive, "frequent buyers by definition");

        // The text trait is tested for over-indexing like the built-in categorical traits: its levels are the channels.
        var channels = f.Strings("SELECT DISTINCT channel FROM events WHERE event_type = 'purchase' AND channel IS NOT NULL").ToHashSet(StringComparer.Ordinal);
        Assert.All(report.OverIndexing.Where(l => l.Trait == "favourite_channel"), l => Assert.Contains(l.Level, channels));
    }
}
