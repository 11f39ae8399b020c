using System.Data;
using System.Globalization;
using Segmenta.Documents;
using Segmenta.Features;
using Segmenta.Generation;
using Segmenta.Identity;
using Segmenta.Language;
using Segmenta.Model;
using Segmenta.Rfm;
using Segmenta.Segments;
using Segmenta.Testing;
using Segmenta.Warehouse;
using Segmenta.Workspaces;
using Xunit;

namespace Segmenta.Contracts;

/// <summary>
/// Features and RFM on a backend: on a generated base (purchases, refunds, e-mails, ads, sessions),
/// the stored snapshot, the scores and the segments that use them equal the plain-LINQ reference of
/// <see cref="ReferenceFeatures"/> for every customer, in UTC and in a zone with daylight saving time.
/// </summary>
public abstract class FeatureContract
{
    /// <summary>Before the generator's as-of, so that later events exist and must be left out.</summary>
    private static readonly DateTime AsOf = GeneratorOptions.DefaultAsOf.AddDays(-45).AddHours(7);

    private protected abstract Backend Backend { get; }

    [SkippableTheory]
    [InlineData("UTC")]
    [InlineData("America/New_York")]
    public void Features_GeneratedBase_EqualTheReferenceForEveryCustomer(string zoneId)
    {
        using var f = Loaded(zoneId, out var context);
        var run = FeatureSnapshots.Materialize(f.Warehouse, context, DateTime.UtcNow);
        var expected = Reference(f, context);
        var actual = Rows(f, FeatureSnapshots.Rows(f.Dialect, context.AsOf));
        Assert.Equal(expected.Count, run.Rows);
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys);
        var differences = new List<string>();
        foreach (var (id, features) in expected)
        {
            foreach (var (name, value) in features)
            {
                if (!ReferenceFeatures.Same(value, actual[id][name]))
                {
                    differences.Add($"{id}.{name}: expected {value ?? "null"}, got {actual[id][name] ?? "null"}");
                }
            }
        }

        Assert.True(differences.Count == 0, $"{differences.Count} differences, first: {string.Join("\n", differences.Take(10))}");

        // The data exercises what the features are about.
        Assert.Contains(expected.Values, e => (long)e["refunds"]! > 0);
        Assert.Contains(expected.Values, e => e["email_open_rate"] is double rate && rate is > 0 and < 1);
        Assert.Contains(expected.Values, e => e["recency_days"] is null);
        Assert.Contains(expected.Values, e => e["top_category"] is not null);
    }

    [SkippableTheory]
    [InlineData(RfmMethod.Quantiles)]
    [InlineData(RfmMethod.Ranks)]
    public void Rfm_BothMethods_EqualTheReferenceAndTieRule(RfmMethod method)
    {
        using var f = Loaded("UTC", out var context);
        var options = RfmOptions.Default with { Method = method };
        var report = RfmAnalysis.Materialize(f.Warehouse, context, options, DateTime.UtcNow);
        var features = ReferenceFeatures.Compute(Customers(f), Events(f), context.AsOf, context.Zone);
        var expected = ReferenceFeatures.Rfm(features, 5, method == RfmMethod.Quantiles);
        var stored = Rows(f, RfmAnalysis.Stored(f.Dialect, context.AsOf));
        Assert.Equal(expected.Count, report.Scored);
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), stored.Keys);
        foreach (var (id, rfm) in expected)
        {
            var row = stored[id];
            Assert.Equal(rfm, new RefRfm((int)(long)row["r"]!, (int)(long)row["f"]!, (int)(long)row["m"]!, (string)row["segment"]!));
        }

        // Equal values, equal scores: every frequency maps to one F score.
        Assert.All(stored.Values.GroupBy(r => (long)r["frequency"]!), g => Assert.Single(g.Select(r => (long)r["f"]!).Distinct()));
        Assert.Equal(features.Count, report.Customers);
        Assert.Equal(report.Scored, report.Segments.Sum(s => s.Customers));
        Assert.Equal(report.Scored, report.Grid.Sum(c => c.Customers));
        Assert.Equal(stored.Values.Sum(r => Convert.ToDecimal(r["monetary"], CultureInfo.InvariantCulture)), report.Revenue);

        // Computed without storing: the same report, and the same rows as what was stored.
        var computed = RfmAnalysis.Compute(f.Warehouse, context, options);
        Assert.Equal((report.Customers, report.Scored, report.Revenue), (computed.Customers, computed.Scored, computed.Revenue));
        Assert.Equal(report.Segments, computed.Segments);
        Assert.Equal(report.Grid, computed.Grid);
        var scores = Rows(f, RfmAnalysis.Scores(f.Dialect, context, options));
        Assert.Equal(stored.Keys, scores.Keys);
        Assert.All(stored, kv => Assert.Equal(kv.Value["segment"], scores[kv.Key]["segment"]));
    }

    [SkippableFact]
    public void Segments_UsingFeaturesAndRfm_SelectWhatTheReferenceSays()
    {
        using var f = Loaded("America/New_York", out var context);
        var features = ReferenceFeatures.Compute(Customers(f), Events(f), context.AsOf, context.Zone);
        var rfm = ReferenceFeatures.Rfm(features, 5, quantiles: true);
        var library = SegmentLibrary.Load(f.Workspace, SegmentLibrary.SchemaOf(f.Warehouse, f.Workspace.Settings));
        var compilation = SegmentCompiler.Compile(
            [
                new SegmentSource("t.seg", """
                    segment engaged_regulars where features.purchase_days >= 3 and features.email_open_rate > 0.2 and not features.top_category = "books"
                    segment slipping where rfm.segment in ("At Risk", "Can't Lose Them") or (rfm.r <= 2 and features.monetary > 100)
                    segment champions_too where in segment rfm_champions and features.recency_days < 60
                    """),
                .. library.Sources,
            ],
            library.Schema);
        Assert.Empty(compilation.Diagnostics);

        // Computed at the query, and read from features and RFM computed once into temporary tables (as the report does).
        using var computed = ComputedAnalyses.Compute(f.Warehouse, context, f.Workspace.Settings.Rfm, clusters: null);
        Assert.Equal(2, computed.Context.Stored.Count);
        void Check(string name, Func<string, bool> reference)
        {
            var expected = features.Keys.Where(reference).Order(StringComparer.Ordinal).ToList();
            Assert.NotEmpty(expected);
            foreach (var evaluation in new[] { context, computed.Context })
            {
                var query = compilation.Find(name)!.Query(f.Dialect, evaluation).Members();
                var members = f.Strings(query.Text, [.. query.Parameters]).Order(StringComparer.Ordinal).ToList();
                Assert.Equal(expected, members);
            }
        }

        Check("engaged_regulars", id => (long)features[id]["purchase_days"]! >= 3 && features[id]["email_open_rate"] is double rate && rate > 0.2 && (string?)features[id]["top_category"] != "books");
        Check("slipping", id => rfm.TryGetValue(id, out var s) && (s.Segment is "At Risk" or "Can't Lose Them" || (s.R <= 2 && (decimal)features[id]["monetary"]! > 100)));
        Check("champions_too", id => rfm.TryGetValue(id, out var s) && s.Segment == "Champions" && (long)features[id]["recency_days"]! < 60);
        Check("rfm_lost", id => rfm.TryGetValue(id, out var s) && s.Segment == "Lost");
    }

    [SkippableFact]
    public void Materialize_AgainAtTheSameAsOf_ReplacesAndKeepsOtherSnapshots()
    {
        using var f = Loaded("UTC", out var context);
        var first = FeatureSnapshots.Materialize(f.Warehouse, context, DateTime.UtcNow);
        FeatureSnapshots.Materialize(f.Warehouse, context, DateTime.UtcNow);
        var other = new EvaluationContext(context.AsOf.AddDays(-30), context.Zone);
        FeatureSnapshots.Materialize(f.Warehouse, other, DateTime.UtcNow);
        RfmAnalysis.Materialize(f.Warehouse, context, RfmOptions.Default, DateTime.UtcNow);
        RfmAnalysis.Materialize(f.Warehouse, context, RfmOptions.Default, DateTime.UtcNow);

        Assert.Equal(first.Rows * 2, f.Count("SELECT count(*) FROM customer_features"));
        Assert.Equal(first.Rows, f.Count("SELECT count(*) FROM customer_features WHERE as_of = $1", DateTime.SpecifyKind(context.AsOf, DateTimeKind.Unspecified)));
        Assert.Equal([other.AsOf, context.AsOf], AnalysisRuns.List(f.Warehouse, FeatureSnapshots.Analysis).Select(r => r.AsOf).Order());
        var rfmRuns = AnalysisRuns.List(f.Warehouse, RfmAnalysis.Analysis);
        Assert.Equal(f.Count("SELECT count(*) FROM rfm_scores"), Assert.Single(rfmRuns).Rows);
        Assert.Contains("\"method\":\"quantiles\"", rfmRuns[0].Options, StringComparison.Ordinal);
        // The earlier snapshot is as of its own instant: fewer purchases had happened.
        Assert.True(f.Count("SELECT CAST(sum(frequency) AS BIGINT) FROM customer_features WHERE as_of = $1", DateTime.SpecifyKind(other.AsOf, DateTimeKind.Unspecified))
            < f.Count("SELECT CAST(sum(frequency) AS BIGINT) FROM customer_features WHERE as_of = $1", DateTime.SpecifyKind(context.AsOf, DateTimeKind.Unspecified)));
    }

    /// <summary>
    /// The described means are the stored values' means, computed here in C# (exactly, in decimals): the rates are
    /// doubles, which the database sums exactly too, so a mean is the same on every run.
    /// </summary>
    [SkippableFact]
    public void Describe_Means_AreTheStoredValuesMeans()
    {
        using var f = Loaded("UTC", out var context);
        FeatureSnapshots.Materialize(f.Warehouse, context, DateTime.UtcNow);
        var numbers = FeatureCatalog.All.Where(x => x.Type is FieldType.Integer or FieldType.Number).Select(x => x.Name).ToList();
        var values = numbers.ToDictionary(n => n, _ => new List<double>());
        f.Warehouse.Read(FeatureSnapshots.Rows(f.Dialect, context.AsOf), r =>
        {
            for (var i = 0; i < r.FieldCount; i++)
            {
                if (values.TryGetValue(r.GetName(i), out var list) && !r.IsDBNull(i))
                {
                    list.Add(Convert.ToDouble(r.GetValue(i), CultureInfo.InvariantCulture));
                }
            }
        });

        var described = FeatureSnapshots.Describe(f.Warehouse, context.AsOf).ToDictionary(d => d.Feature.Name);
        foreach (var name in numbers.Where(n => values[n].Count > 0))
        {
            var list = values[name];
            var expected = list.All(v => Math.Abs(v) < 1e15) ? (double)(list.Sum(v => (decimal)v) / list.Count) : list.Average();
            var mean = described[name].Mean!.Value;
            Assert.True(Math.Abs(mean - expected) <= 1e-9 * Math.Max(1, Math.Abs(expected)), $"{name}: described mean {mean}, the values' mean {expected}");
        }
    }

    [SkippableFact]
    public void Modes_TiesOnCountThenRevenueThenBytes_PickTheDocumentedValue()
    {
        // Per customer, categories with equal purchase counts: more revenue wins (none counts below any), then byte order
        // ("B" before "a"). The segment language's most_frequent breaks count ties by byte order alone.
        using var f = new WarehouseFixture(Backend, new WorkspaceSettings());
        var lines = new List<string> { "event_id,customer_id,event_type,occurred_at,revenue,channel,category" };
        var n = 0;
        void Buy(string customer, string category, string? revenue, string channel = "web") =>
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"e{n++},{customer},purchase,2024-06-{1 + (n % 27):D2}T10:00:00Z,{revenue},{channel},{category}"));
        Buy("c1", "b", "5"); Buy("c1", "b", "5"); Buy("c1", "a", "4"); Buy("c1", "a", "4");
        Buy("c2", "b", "3"); Buy("c2", "b", "3"); Buy("c2", "a", "3"); Buy("c2", "a", "3");
        Buy("c3", "a", null); Buy("c3", "b", "1", "app");
        Buy("c4", "a", "2"); Buy("c4", "B", "2");
        Buy("c5", "x", null); Buy("c5", "x", null); Buy("c5", "x", null); Buy("c5", "y", "100"); Buy("c5", "y", "100");
        Buy("c6", "y", null, "app"); Buy("c6", "x", null);
        f.Ingest(TableKind.Events, f.Write("modes.csv", string.Join('\n', lines) + "\n"));
        var context = new EvaluationContext(AsOf, f.Workspace.Settings.Zone);
        FeatureSnapshots.Materialize(f.Warehouse, context, DateTime.UtcNow);
        var actual = Rows(f, FeatureSnapshots.Rows(f.Dialect, context.AsOf));
        var expected = new Dictionary<string, (string Category, string Channel)>
        {
            ["c1"] = ("b", "web"), ["c2"] = ("a", "web"), ["c3"] = ("b", "app"), ["c4"] = ("B", "web"), ["c5"] = ("x", "web"), ["c6"] = ("x", "app"),
        };
        var reference = Reference(f, context);
        foreach (var (id, (category, channel)) in expected)
        {
            Assert.Equal(category, actual[id]["top_category"]);
            Assert.Equal(channel, actual[id]["preferred_channel"]);
            Assert.Equal(category, reference[id]["top_category"]);
            Assert.Equal(channel, reference[id]["preferred_channel"]);
        }

        var compilation = SegmentCompiler.Compile(
            [new SegmentSource("t.seg", "segment mode_a where most_frequent(purchase.category) = \"a\"\nsegment mode_x where most_frequent(purchase.category, last 365 days) = \"x\"\n")],
            SegmentLibrary.SchemaOf(f.Warehouse, f.Workspace.Settings));
        Assert.Empty(compilation.Diagnostics);
        List<string> Members(string name)
        {
            var query = compilation.Find(name)!.Query(f.Dialect, context).Members();
            return f.Strings(query.Text, [.. query.Parameters]).Order(StringComparer.Ordinal).ToList();
        }

        Assert.Equal(["c1", "c2", "c3"], Members("mode_a"));
        Assert.Equal(["c5", "c6"], Members("mode_x"));
    }

    /// <summary>
    /// As of after every event, where a warehouse that keeps the order summary reads it: the features read through it equal
    /// those computed from the events, and both the reference, for every customer; a warehouse without one reads the events.
    /// </summary>
    [SkippableTheory]
    [InlineData("UTC")]
    [InlineData("America/New_York")]
    public void OrderSummary_AsOfAfterEveryEvent_FeaturesEqualTheEventsAndTheReference(string zoneId)
    {
        using var f = Loaded(zoneId, out _);
        var context = new EvaluationContext(GeneratorOptions.DefaultAsOf.AddDays(3), f.Workspace.Settings.Zone);
        var prepared = OrderSummary.Prepare(f.Warehouse, context);
        Assert.Equal(KeepsSummary(f), prepared.ReadsOrderSummary);
        Assert.Equal(KeepsSummary(f), OrderSummary.Built(f.Warehouse, f.Dialect) is not null);
        var fromEvents = FeatureRows(f, context);
        var read = FeatureRows(f, prepared);
        Assert.Equal(fromEvents.Keys, read.Keys);
        Assert.All(fromEvents, kv => Assert.Equal(kv.Value, read[kv.Key]));
        var expected = Reference(f, context);
        var position = FeatureSnapshots.Names.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => p.i);
        var differences = expected.SelectMany(e => e.Value.Where(v => !ReferenceFeatures.Same(v.Value, read[e.Key][position[v.Key]])).Select(v => $"{e.Key}.{v.Key}")).ToList();
        Assert.True(differences.Count == 0, string.Join(", ", differences.Take(10)));
        Assert.Contains(expected.Values, e => (long)e["refunds"]! > 0 && (long)e["frequency"]! > 0);

        // Read again: the summary is current, not built again, and RFM through it is what the events say.
        var state = f.Count("SELECT count(*) FROM order_summary");
        Assert.True(OrderSummary.Prepare(f.Warehouse, context).ReadsOrderSummary == KeepsSummary(f));
        Assert.Equal(state, f.Count("SELECT count(*) FROM order_summary"));
        var rfm = RfmAnalysis.Compute(f.Warehouse, context, RfmOptions.Default);
        var plain = RfmSummary(f, context);
        Assert.Equal((plain.Customers, plain.Scored, plain.Revenue), (rfm.Customers, rfm.Scored, rfm.Revenue));
        Assert.Equal(plain.Segments, rfm.Segments);
        Assert.Equal(plain.Grid, rfm.Grid);
    }

    /// <summary>
    /// Whatever changes the purchase and refund events — a load, an erasure, or any writer at all (here plain SQL: a profile's
    /// events moved to another, a refund deleted) — the next analysis builds the summary again before it reads it.
    /// </summary>
    [SkippableFact]
    public void OrderSummary_EventsChanged_BuiltAgainBeforeItIsRead()
    {
        using var f = Loaded("UTC", out _);
        Skip.IfNot(KeepsSummary(f), "this warehouse keeps no order summary");

        var context = new EvaluationContext(GeneratorOptions.DefaultAsOf.AddDays(3), f.Workspace.Settings.Zone);
        var buyers = f.Strings("SELECT customer_id FROM events WHERE event_type = 'purchase' GROUP BY customer_id HAVING count(*) >= 3 ORDER BY customer_id LIMIT 3");
        void Check(string change)
        {
            var before = OrderSummary.Built(f.Warehouse, f.Dialect);
            var prepared = OrderSummary.Prepare(f.Warehouse, context);
            Assert.True(prepared.ReadsOrderSummary, change);
            Assert.NotEqual(before, OrderSummary.Built(f.Warehouse, f.Dialect));
            var fromEvents = FeatureRows(f, context);
            var read = FeatureRows(f, prepared);
            Assert.Equal(fromEvents.Keys, read.Keys);
            Assert.All(fromEvents, kv => Assert.True(kv.Value.SequenceEqual(read[kv.Key]), $"{change}: {kv.Key}"));
        }

        Assert.True(OrderSummary.Prepare(f.Warehouse, context).ReadsOrderSummary);
        var file = f.Write("more.csv", $"""
            event_id,customer_id,event_type,occurred_at,revenue,order_id,product
            x1,{buyers[0]},purchase,2025-01-02T10:00:00Z,40.00,xo1,p-new
            x2,{buyers[0]},purchase,2025-01-02T10:00:00Z,10.00,xo1,p-other
            x3,{buyers[0]},refund,2025-01-03T09:00:00Z,-50.00,,p-new
            x4,{buyers[1]},refund,2025-01-03T09:00:00Z,-5.00,xo9,p-none
            """);
        Assert.Equal(4, f.Ingest(TableKind.Events, file).Loaded);
        Check("a load");
        f.Warehouse.ExecuteInTransaction([new Sql.SqlStatement("UPDATE events SET customer_id = $1 WHERE customer_id = $2", [buyers[1], buyers[2]])]);
        Check("events moved to another profile");
        f.Warehouse.ExecuteInTransaction([new Sql.SqlStatement("DELETE FROM events WHERE event_id = 'x3'", [])]);
        Check("a refund deleted");
        Erasure.Forget(f.Warehouse, [buyers[0]], "test", DateTime.UtcNow, context.Zone, TimeProvider.System);
        Assert.Equal(0, f.Count("SELECT count(*) FROM order_summary WHERE customer_id = $1", buyers[0]));
        Check("an erasure");
        var other = new EvaluationContext(context.AsOf, TimeZoneInfo.FindSystemTimeZoneById("America/New_York"));
        Assert.True(OrderSummary.Prepare(f.Warehouse, other).ReadsOrderSummary);
        Assert.Equal("America/New_York", OrderSummary.Built(f.Warehouse, f.Dialect)!.Value.Zone);
        Assert.All(FeatureRows(f, other), kv => Assert.True(kv.Value.SequenceEqual(FeatureRows(f, OrderSummary.Prepare(f.Warehouse, other))[kv.Key])));
    }

    /// <summary>
    /// Two analyses finding the summary stale at once (the API serves requests on several connections): the one that loses
    /// the race to write it reads the events instead of failing, and the summary is built by the next one.
    /// </summary>
    [SkippableFact]
    public void OrderSummary_AnotherWriterHoldsIt_ReadsTheEventsAndFailsNothing()
    {
        using var f = Loaded("UTC", out _);
        Skip.IfNot(KeepsSummary(f), "this warehouse keeps no order summary");
        var context = new EvaluationContext(GeneratorOptions.DefaultAsOf.AddDays(3), f.Workspace.Settings.Zone);
        Assert.True(OrderSummary.Prepare(f.Warehouse, context).ReadsOrderSummary);
        var buyer = f.Strings("SELECT customer_id FROM events WHERE event_type = 'purchase' ORDER BY customer_id LIMIT 1")[0];
        f.Warehouse.ExecuteInTransaction([new Sql.SqlStatement("DELETE FROM events WHERE customer_id = $1", [buyer])]);
        using (var other = f.Warehouse.OpenConnection()!)
        using (var building = other.BeginTransaction())
        {
            foreach (var statement in FeatureSql.ClearOrderSummary(f.Dialect))
            {
                building.Execute(statement);
            }

            var prepared = OrderSummary.Prepare(f.Warehouse, context);
            Assert.False(prepared.ReadsOrderSummary);
            Assert.Equal(FeatureRows(f, context).Keys, FeatureRows(f, prepared).Keys);
        }

        Assert.True(OrderSummary.Prepare(f.Warehouse, context).ReadsOrderSummary);
        Assert.Equal(0, f.Count("SELECT count(*) FROM order_summary WHERE customer_id = $1", buyer));
    }

    /// <summary>An as-of at or before the last purchase or refund is computed from the events; no summary is built for it.</summary>
    [SkippableFact]
    public void OrderSummary_AsOfNotAfterTheLastEvent_ReadsTheEvents()
    {
        using var f = Loaded("UTC", out var context);
        var decided = OrderSummary.Prepare(f.Warehouse, context);
        Assert.False(decided.ReadsOrderSummary);
        Assert.Same(decided, OrderSummary.Prepare(f.Warehouse, decided));   // decided once: not asked again
        var last = DateTime.SpecifyKind((DateTime)f.Scalar("SELECT max(occurred_at) FROM events WHERE event_type IN ('purchase', 'refund')")!, DateTimeKind.Utc);
        Assert.False(OrderSummary.Prepare(f.Warehouse, new EvaluationContext(last, context.Zone)).ReadsOrderSummary);

        // Half a microsecond later is the same instant in SQL, which would still leave the last event out.
        Assert.False(OrderSummary.Prepare(f.Warehouse, new EvaluationContext(last.AddTicks(5), context.Zone)).ReadsOrderSummary);
        Assert.Null(OrderSummary.Built(f.Warehouse, f.Dialect));
        Assert.Equal(KeepsSummary(f), OrderSummary.Prepare(f.Warehouse, new EvaluationContext(last.AddTicks(10), context.Zone)).ReadsOrderSummary);
    }

    private static bool KeepsSummary(WarehouseFixture f) => FeatureSql.OrderEventsFingerprint(f.Dialect) is not null;

    /// <summary>Every customer's features at the context's instant, by customer id, each row's values in catalog order.</summary>
    private static SortedDictionary<string, object?[]> FeatureRows(WarehouseFixture f, EvaluationContext context)
    {
        var sql = new Sql.SqlBuilder(f.Dialect);
        FeatureSql.Write(sql, context, FeatureSnapshots.Names);
        var rows = new SortedDictionary<string, object?[]>(StringComparer.Ordinal);
        f.Warehouse.Read(sql.Build(), r => rows[r.GetString(0)] = [.. Enumerable.Range(1, r.FieldCount - 1).Select(i => r.IsDBNull(i) ? null : r.GetValue(i))]);
        return rows;
    }

    /// <summary>The RFM report computed from the events (the order summary not read).</summary>
    private static RfmReport RfmSummary(WarehouseFixture f, EvaluationContext context) =>
        RfmAnalysis.Summarize(f.Warehouse, context.AsOf, RfmOptions.Default, RfmSql.ComputedSummary(f.Dialect, context, RfmOptions.Default));

    private WarehouseFixture Loaded(string zoneId, out EvaluationContext context)
    {
        var f = new WarehouseFixture(Backend, new WorkspaceSettings { TimeZone = zoneId });
        f.IngestGenerated(new GeneratorOptions(1200, 24_000, 5, GeneratorOptions.DefaultAsOf));
        context = new EvaluationContext(AsOf, f.Workspace.Settings.Zone);
        return f;
    }

    private static Dictionary<string, Dictionary<string, object?>> Reference(WarehouseFixture f, EvaluationContext context) =>
        ReferenceFeatures.Compute(Customers(f), Events(f), context.AsOf, context.Zone);

    private static List<FeatureCustomer> Customers(WarehouseFixture f)
    {
        var list = new List<FeatureCustomer>();
        f.Warehouse.Read(new("SELECT customer_id, signup_at FROM customers", []), r => list.Add(new FeatureCustomer(r.GetString(0), r.IsDBNull(1) ? null : r.GetDateTime(1))));
        return list;
    }

    private static List<FeatureEvent> Events(WarehouseFixture f)
    {
        var list = new List<FeatureEvent>();
        f.Warehouse.Read(
            new("SELECT event_id, customer_id, event_type, occurred_at, revenue, order_id, channel, category, campaign_id, duration_seconds, product FROM events", []),
            r => list.Add(new FeatureEvent(
                r.GetString(0),
                r.GetString(1),
                r.GetString(2),
                r.GetDateTime(3),
                Decimal(r, 4),
                Text(r, 5),
                Text(r, 6),
                Text(r, 7),
                Text(r, 8),
                Decimal(r, 9),
                Text(r, 10))));
        return list;
    }

    private static Dictionary<string, Dictionary<string, object?>> Rows(WarehouseFixture f, Sql.SqlStatement query)
    {
        var rows = new Dictionary<string, Dictionary<string, object?>>(StringComparer.Ordinal);
        f.Warehouse.Read(query, r =>
        {
            var row = new Dictionary<string, object?>(StringComparer.Ordinal);
            for (var i = 1; i < r.FieldCount; i++)
            {
                row[r.GetName(i)] = r.IsDBNull(i) ? null : r.GetValue(i);
            }

            rows[r.GetString(0)] = row;
        });
        Assert.Equal(rows.Keys.Order(StringComparer.Ordinal), rows.Keys);
        return rows;
    }

    private static string? Text(IDataRecord r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static decimal? Decimal(IDataRecord r, int i) => r.IsDBNull(i) ? null : Convert.ToDecimal(r.GetValue(i), CultureInfo.InvariantCulture);
}
