using Segmenta.Contracts;
using Segmenta.Features;
using Segmenta.Generation;
using Segmenta.Language;
using Segmenta.Model;
using Segmenta.Rfm;
using Segmenta.Segments;
using Segmenta.Sql;
using Segmenta.Testing;
using Xunit;

namespace Segmenta.Postgres.Tests;

/// <summary>
/// A coordinator and two workers on loopback: data loaded through the coordinator lands on the
/// workers, every segment has the same members as on one PostgreSQL node and on DuckDB, and the
/// plans show the per-customer aggregates running on the workers, in parallel.
/// </summary>
public sealed class ShardingTests : IClassFixture<ShardingTests.Loaded>
{
    private static readonly EvaluationContext Context = new(GeneratorOptions.DefaultAsOf, TimeZoneInfo.Utc);
    private readonly Loaded data;

    public ShardingTests(Loaded data) => this.data = data;

    public static TheoryData<string> SegmentNames => new(Library().Segments.Select(s => s.Name));

    [SkippableTheory]
    [MemberData(nameof(SegmentNames))]
    public void Segment_OnShards_HasTheMembersOfOneNodeAndOfDuckDb(string name)
    {
        var segment = Library().Find(name)!;
        var sharded = Members(data.Sharded, segment);
        Assert.Equal(Members(data.Single, segment), sharded);
        Assert.Equal(Members(data.DuckDb, segment), sharded);
    }

    [SkippableFact]
    public void Ingest_ThroughTheCoordinator_SpreadsCustomersAndEventsOverBothWorkers()
    {
        var perShard = Enumerable.Range(0, 2).Select(i => data.Sharded.Count($"SELECT count(*) FROM events_shard_{i}")).ToList();
        Assert.Equal(data.Sharded.Count("SELECT count(*) FROM events"), perShard.Sum());
        Assert.Equal(data.Single.Count("SELECT count(*) FROM events"), perShard.Sum());
        // Hash partitioning by customer: both workers hold a fair share, and no customer is split.
        Assert.All(perShard, n => Assert.InRange(n, perShard.Sum() * 0.35, perShard.Sum() * 0.65));
        Assert.Equal(0, data.Sharded.Count("SELECT count(*) FROM events_shard_0 a JOIN events_shard_1 b ON a.customer_id = b.customer_id"));
        Assert.Equal(data.Single.Count("SELECT count(*) FROM customers"), data.Sharded.Count("SELECT count(*) FROM customers"));
    }

    /// <summary>
    /// Every scan of events in a segment without a sequence is an aggregate pushed to a worker
    /// ("Relations: Aggregate on"), asynchronous so both workers run at once, with its window bounds
    /// as values in the remote SQL rather than now() or interval arithmetic left on the coordinator.
    /// </summary>
    [SkippableTheory]
    [InlineData("high_value")]
    [InlineData("lapsed_vips")]
    [InlineData("engaged_not_buying")]
    [InlineData("young_app_shoppers")]
    [InlineData("holiday_gifters")]
    [InlineData("one_and_done")]
    [InlineData("browsing_not_buying")]
    public void Plan_PerCustomerAggregates_RunOnTheWorkersInParallel(string name)
    {
        var plan = Explain(Library().Find(name)!);
        var eventScans = PlanNodes(plan).Where(n => n.Contains("Foreign Scan", StringComparison.Ordinal) && n.Contains("Remote SQL", StringComparison.Ordinal) && n.Contains("FROM public.events_shard_", StringComparison.Ordinal)).ToList();
        Assert.True(eventScans.Count >= 2, "no foreign scans of events in:\n" + plan);
        foreach (var scan in eventScans)
        {
            Assert.True(scan.StartsWith("Async Foreign Scan", StringComparison.Ordinal), "a synchronous scan:\n" + scan + "\n\n" + plan);
            Assert.Contains("Relations: Aggregate on (public.events_shard_", scan, StringComparison.Ordinal);
            Assert.Contains("GROUP BY", scan, StringComparison.Ordinal);
        }

        Assert.Contains(eventScans, s => s.Contains("events_shard_0", StringComparison.Ordinal));
        Assert.Contains(eventScans, s => s.Contains("events_shard_1", StringComparison.Ordinal));
        Assert.DoesNotContain("now()", plan, StringComparison.Ordinal);
        Assert.DoesNotContain("interval", plan, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Segments over features and RFM (computed in the same query at the as-of) have the same members on
    /// shards, on one node and on DuckDB, in UTC and in a zone with daylight saving time, where calendar
    /// days are converted. Where their aggregates run is the planner's choice: postgres_fdw never ships
    /// <c>AT TIME ZONE</c> (its zone argument is collatable text) and ships <c>count(DISTINCT …)</c> only
    /// when its cost estimate says so (docs/scaling.md); the plan keeps window bounds as values.
    /// </summary>
    [SkippableTheory]
    [InlineData("features.purchase_days >= 2 and features.email_open_rate > 0.1 and features.top_category = \"apparel\"")]
    [InlineData("rfm.segment in (\"Champions\", \"At Risk\") and features.preferred_channel = \"web\" and features.avg_days_between_purchases < 90")]
    public void AnalysisSegment_OnShards_HasTheMembersOfOneNodeAndOfDuckDb(string condition)
    {
        var zoned = new EvaluationContext(Context.AsOf, TimeZoneInfo.FindSystemTimeZoneById("America/New_York"));
        var schema = SegmentSchema.Canonical().WithDerived(FeatureCatalog.FieldSet).WithDerived(RfmAnalysis.FieldSet(RfmOptions.Default));
        var compilation = SegmentCompiler.Compile("segment s where " + condition, schema);
        Assert.Empty(compilation.Diagnostics);
        var segment = compilation.Segments[0];
        foreach (var context in new[] { Context, zoned })
        {
            var sharded = Members(data.Sharded, segment, context);
            Assert.NotEmpty(sharded);
            Assert.Equal(Members(data.Single, segment, context), sharded);
            Assert.Equal(Members(data.DuckDb, segment, context), sharded);
        }

        var plan = Explain(segment, Context);
        Assert.Contains("Foreign Scan", plan, StringComparison.Ordinal);
        Assert.DoesNotContain("now()", plan, StringComparison.Ordinal);
    }

    /// <summary>The plan's nodes, each with its detail lines ("->  Node" starts one).</summary>
    private static List<string> PlanNodes(string plan)
    {
        var nodes = new List<string>();
        foreach (var line in plan.Split('\n'))
        {
            if (line.StartsWith("->", StringComparison.Ordinal) || nodes.Count == 0)
            {
                nodes.Add(line.TrimStart('-', '>', ' '));
            }
            else
            {
                nodes[^1] += "\n" + line;
            }
        }

        return nodes;
    }

    private string Explain(SegmentDefinition segment, EvaluationContext? context = null)
    {
        var members = segment.Query(data.Sharded.Dialect, context ?? Context).Members();
        var plan = new List<string>();
        data.Sharded.Warehouse.Read(new SqlStatement("EXPLAIN (VERBOSE, COSTS OFF) " + members.Text, members.Parameters), r => plan.Add(r.GetString(0).Trim()));
        return string.Join("\n", plan);
    }

    private static List<string> Members(WarehouseFixture fixture, SegmentDefinition segment, EvaluationContext? context = null)
    {
        var query = segment.Query(fixture.Dialect, context ?? Context).Members();
        var members = fixture.Strings(query.Text, [.. query.Parameters]);
        members.Sort(StringComparer.Ordinal);
        return members;
    }

    private static SegmentCompilation Library() =>
        SegmentCompiler.Compile([new SegmentSource("demo.seg", File.ReadAllText(TestPaths.Sample(Path.Combine("segments", "demo.seg"))))], SegmentSchema.Canonical());

    /// <summary>One generated base ingested (from the same CSV files) into sharded PostgreSQL, one PostgreSQL node and DuckDB.</summary>
    public sealed class Loaded : IDisposable
    {
        private readonly TempDir files = TestPaths.NewTempDir();
        private readonly List<WarehouseFixture> fixtures = [];

        public Loaded()
        {
            var generated = CustomerBaseGenerator.Write(new GeneratorOptions(3000, 60_000, 11, GeneratorOptions.DefaultAsOf), files.Path);
            var backends = PostgresServers.Available ? [Backend.DuckDb, PostgresBackends.Single, PostgresBackends.Sharded] : new[] { Backend.DuckDb };
            foreach (var backend in backends)
            {
                var fixture = new WarehouseFixture(backend);
                fixture.Ingest(TableKind.Customers, generated.CustomersFile);
                fixture.Ingest(TableKind.Events, generated.EventsFile);
                fixtures.Add(fixture);
            }
        }

        internal WarehouseFixture DuckDb => fixtures[0];

        internal WarehouseFixture Single => Get(1);

        internal WarehouseFixture Sharded => Get(2);

        private WarehouseFixture Get(int i)
        {
            PostgresServers.RequireOrSkip();
            return fixtures[i];
        }

        public void Dispose()
        {
            fixtures.ForEach(f => f.Dispose());
            files.Dispose();
        }
    }
}
