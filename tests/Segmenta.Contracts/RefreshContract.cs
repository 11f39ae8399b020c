using System.Globalization;
using Segmenta.Clustering;
using Segmenta.Clv;
using Segmenta.Features;
using Segmenta.Generation;
using Segmenta.Language;
using Segmenta.Model;
using Segmenta.Refresh;
using Segmenta.Segments;
using Segmenta.Workspaces;
using Xunit;

namespace Segmenta.Contracts;

/// <summary>
/// Refresh on a backend, on a generated base with a cluster model and a CLV model: a weekly backfill
/// records intervals from which every past membership comes back exactly as an independent evaluation
/// (from the events, nothing stored) computes it; a repeated refresh changes nothing; a failed refresh
/// leaves the previous snapshot current; the migration matrix counts what the memberships say; drift
/// alerts fire on a real shift and not without one.
/// </summary>
public abstract class RefreshContract
{
    private static readonly DateTime End = GeneratorOptions.DefaultAsOf;

    private static readonly DateTime[] Weeks = [.. Enumerable.Range(0, 5).Select(w => End.AddDays(-7 * (4 - w)))];

    private const string Segments = """
        segment recent_buyers where did purchase in last 30 days
        segment email_fans where count(email_open, last 60 days) >= 1
        segment regulars where features.frequency >= 3 and in segment recent_buyers
        segment valuable where clv.value >= 200
        trait purchases_30 "Purchases in 30 days" = count(purchase, last 30 days)
        trait favourite_channel = most_frequent(any.channel)
        segment frequent where purchases_30 >= 2
        """;

    private protected abstract Backend Backend { get; }

    [SkippableFact]
    public void Backfill_WeeklySnapshots_RecordEveryPastMembershipExactlyAndCompactly()
    {
        using var f = Loaded();
        var reports = Backfill(f);
        Assert.Equal(Weeks, reports.Select(r => r.AsOf));
        Assert.Equal(Weeks, RefreshRuns.Snapshots(f.Warehouse));
        Assert.All(reports, r => Assert.All(r.Steps, s => Assert.Equal("ok", s.Status)));
        Assert.Equal(["features", "rfm", "clusters", "clv", "traits", "segments", "drift", "commit"], reports[0].Steps.Select(s => s.Name));

        // Every segment at every week (and mid-week, answered by the week's snapshot) equals an independent
        // evaluation computed from the events. CLV reads the latest predictions, so its segment is checked last week only.
        var library = SegmentLibrary.Load(f.Workspace, SegmentLibrary.SchemaOf(f.Warehouse, f.Workspace.Settings));
        long stays = 0;
        foreach (var segment in library.Compilation.Segments)
        {
            List<string>? previous = null;
            foreach (var (week, i) in Weeks.Select((w, i) => (w, i)))
            {
                var recorded = SegmentMaterializer.Members(f.Warehouse, segment.Name, week.AddDays(3))!;
                Assert.Equal(week, recorded.AnsweredBy);
                if (segment.Name != "valuable" || i == Weeks.Length - 1)
                {
                    Assert.Equal(Evaluate(f, segment, week), recorded.CustomerIds.Order(StringComparer.Ordinal));
                }

                var change = reports[i].Segments.Single(c => c.Segment == segment.Name);
                Assert.Equal(recorded.CustomerIds.Count, change.Size);
                Assert.Equal(recorded.CustomerIds.Except(previous ?? []).Count(), change.Entered);
                Assert.Equal((previous ?? []).Except(recorded.CustomerIds).Count(), change.Exited);
                stays += change.Entered;
                previous = [.. recorded.CustomerIds];
            }
        }

        // Compact: one row per stay, not one per member per snapshot.
        Assert.Equal(stays, f.Count("SELECT count(*) FROM segment_intervals"));
        Assert.True(stays < reports.Sum(r => r.Segments.Sum(s => s.Size)) / 2, "intervals are far fewer than full copies");

        // Computed traits are stored at the current snapshot only, one row per customer with a value: counted again in C#
        // over the raw purchases, and the favourite channel is a text value some customers have.
        var since = End.AddDays(-30);
        var counted = f.Strings("SELECT customer_id FROM events WHERE event_type = 'purchase' AND occurred_at >= $1 AND occurred_at < $2", since, End)
            .GroupBy(id => id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => (double)g.Count(), StringComparer.Ordinal);
        var stored = f.Strings("SELECT customer_id || '|' || CAST(number_value AS VARCHAR) FROM computed_trait_values WHERE trait = 'purchases_30' AND as_of = $1", End)
            .Select(r => r.Split('|')).ToDictionary(r => r[0], r => double.Parse(r[1], CultureInfo.InvariantCulture), StringComparer.Ordinal);
        Assert.Equal(f.Count("SELECT count(*) FROM customers"), stored.Count);
        Assert.Equal(counted, stored.Where(kv => kv.Value > 0).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal));
        Assert.True(counted.Count > 10);
        Assert.True(f.Count("SELECT count(*) FROM computed_trait_values WHERE trait = 'favourite_channel' AND text_value IS NOT NULL") > 10);
        Assert.Equal(1, f.Count("SELECT count(DISTINCT as_of) FROM computed_trait_values"));

        // Nothing before the first snapshot; the full feature rows of earlier snapshots are gone.
        Assert.Null(SegmentMaterializer.Members(f.Warehouse, "recent_buyers", Weeks[0].AddSeconds(-1)));
        Assert.Equal([End], f.Strings("SELECT DISTINCT as_of FROM customer_features").Select(t => DateTime.Parse(t, CultureInfo.InvariantCulture)));
    }

    [SkippableFact]
    public void Refresh_SameInstantAgain_ChangesNothing()
    {
        using var f = Loaded();
        Backfill(f);
        var before = SegmentMaterializer.History(f.Warehouse, null).Select(m => (m.Segment, m.AsOf, m.Size, m.Entered, m.Exited)).ToList();
        var intervals = f.Count("SELECT count(*) FROM segment_intervals");

        var again = Refresh(f, End);
        Assert.Equal(Weeks[^2], again.PreviousAsOf);
        Assert.Equal(before, SegmentMaterializer.History(f.Warehouse, null).Select(m => (m.Segment, m.AsOf, m.Size, m.Entered, m.Exited)));
        Assert.Equal(intervals, f.Count("SELECT count(*) FROM segment_intervals"));
        Assert.Throws<HistoryException>(() => Refresh(f, Weeks[1]));

        // The instant's trait values were replaced, not added to (on DuckDB no key would refuse a second copy: schema 16).
        Assert.True(f.Count("SELECT count(*) FROM computed_trait_values") > 10);
        Assert.Equal(0, f.Count("SELECT count(*) FROM (SELECT as_of, trait, customer_id FROM computed_trait_values GROUP BY as_of, trait, customer_id HAVING count(*) > 1) d"));
    }

    [SkippableFact]
    public void Refresh_FailingStep_LeavesThePreviousSnapshotCurrent()
    {
        using var f = Loaded();
        var first = Refresh(f, Weeks[0]);
        var history = SegmentMaterializer.History(f.Warehouse, null);
        var predictions = f.Strings("SELECT history_end FROM clv_predictions LIMIT 1");

        // A failure inside the final transaction (here the progress listener gives up once the segments are recorded).
        var e = Assert.Throws<RefreshFailedException>(() => RefreshPipeline.Run(
            f.Workspace, f.Warehouse, Context(f, Weeks[1]), TimeProvider.System, s => { if (s.Name == "segments") { throw new InvalidOperationException("listener gave up"); } }));
        Assert.Equal("segments", e.Step);
        Assert.Equal(Weeks[0], e.Current);
        Assert.Equal(history, SegmentMaterializer.History(f.Warehouse, null));
        Assert.Equal(predictions, f.Strings("SELECT history_end FROM clv_predictions LIMIT 1"));
        Assert.Equal(first.RunId, RefreshRuns.Current(f.Warehouse)!.RunId);

        // A segment that does not compile fails the refresh before anything is written.
        f.Write("segments/broken.seg", "segment broken where frequency >= \n");
        e = Assert.Throws<RefreshFailedException>(() => Refresh(f, Weeks[1]));
        Assert.Equal("segments", e.Step);
        Assert.Contains("broken.seg:1:", e.Reason, StringComparison.Ordinal);
        File.Delete(Path.Combine(f.Workspace.Root, "segments", "broken.seg"));

        var runs = RefreshRuns.List(f.Warehouse);
        Assert.Equal([RefreshRuns.Failed, RefreshRuns.Failed, RefreshRuns.Ok], runs.Select(r => r.Status));
        Assert.Equal(Weeks[0], RefreshRuns.Current(f.Warehouse)!.AsOf);
        Assert.Equal(Weeks[0], SegmentMaterializer.Members(f.Warehouse, "recent_buyers", Weeks[1])!.AnsweredBy);

        // The next refresh succeeds and measures drift against the last good snapshot.
        Assert.Equal(Weeks[0], Refresh(f, Weeks[1]).PreviousAsOf);
    }

    [SkippableFact]
    public void Migration_RfmFamily_CountsWhatTheMembershipsSay()
    {
        using var f = Loaded();
        Backfill(f);
        var library = SegmentLibrary.Load(f.Workspace, SegmentLibrary.SchemaOf(f.Warehouse, f.Workspace.Settings));
        var family = library.Compilation.Segments.Where(s => s.Name.StartsWith("rfm_", StringComparison.Ordinal)).Select(s => s.Name).ToList();
        var matrix = SegmentMigration.Compute(f.Warehouse, family, Weeks[0], End);

        // Each segment's recorded members at both instants, read once (a read per customer would be thousands of queries).
        var at = new[] { Weeks[0], End }.ToDictionary(t => t, t => family.Select(s => (Segment: s, Members: SegmentMaterializer.Members(f.Warehouse, s, t)!.CustomerIds.ToHashSet(StringComparer.Ordinal))).ToList());
        string State(DateTime instant, string id) => at[instant].FirstOrDefault(m => m.Members.Contains(id)).Segment ?? SegmentMigration.None;
        var members = at.Values.SelectMany(list => list.SelectMany(m => m.Members)).ToHashSet(StringComparer.Ordinal);
        var expected = members.GroupBy(id => (State(Weeks[0], id), State(End, id))).ToDictionary(g => g.Key, g => (long)g.Count());
        for (var i = 0; i < matrix.States.Count; i++)
        {
            for (var j = 0; j < matrix.States.Count; j++)
            {
                Assert.Equal(expected.GetValueOrDefault((matrix.States[i], matrix.States[j])), matrix.Counts[i][j]);
            }
        }

        Assert.True(matrix.Stayed > 0 && matrix.Stayed < members.Count, "some stay, some move");
        var flows = matrix.TopFlows(5);
        Assert.Equal(flows.OrderByDescending(x => x.Customers).Select(x => x.Customers), flows.Select(x => x.Customers));
        Assert.All(flows, x => Assert.NotEqual(x.From, x.To));
        Assert.Throws<HistoryException>(() => SegmentMigration.Compute(f.Warehouse, family, Weeks[0].AddDays(-1), End));
    }

    [SkippableFact]
    public void Drift_ShiftedIncomeAndANewCrowd_RaiseAlertsOnlyWhenTheyHappen()
    {
        using var f = Loaded();
        var first = Refresh(f, Weeks[0]);
        Assert.Empty(first.Features);
        var quiet = Refresh(f, Weeks[1]);

        // Profiles are traits-only for income and age: without new customers their distribution is identical.
        Assert.Equal(0, quiet.Features.Single(s => s.Feature == "income").Psi, 12);
        Assert.DoesNotContain(quiet.Alerts, a => a.Subject is "income" or "age");
        foreach (var c in quiet.Segments.Where(c => c.PreviousSize is > 0))
        {
            var expected = Math.Abs(c.Size - c.PreviousSize!.Value) >= 25 && Math.Abs(c.Change!.Value) > 0.2;
            Assert.Equal(expected, quiet.Alerts.Any(a => a.Kind == "size" && a.Subject == c.Segment));
        }

        // 1,500 new wealthy customers, each with a recent e-mail open: income shifts, email_fans grows.
        var lines = new List<string> { "customer_id,income,age,country" };
        lines.AddRange(Enumerable.Range(0, 1500).Select(i => string.Create(CultureInfo.InvariantCulture, $"rich{i:D4},{400_000 + i},{30 + (i % 30)},US")));
        f.Ingest(TableKind.Customers, f.Write("rich.csv", string.Join('\n', lines) + "\n"));
        var opens = new List<string> { "event_id,customer_id,event_type,occurred_at,campaign_id" };
        opens.AddRange(Enumerable.Range(0, 1500).Select(i => string.Create(CultureInfo.InvariantCulture, $"open{i:D4},rich{i:D4},email_open,{Weeks[2].AddDays(-2):yyyy-MM-dd'T'HH:mm:ss'Z'},c1")));
        f.Ingest(TableKind.Events, f.Write("opens.csv", string.Join('\n', opens) + "\n"));

        var shifted = Refresh(f, Weeks[2]);
        var income = shifted.Features.Single(s => s.Feature == "income");
        Assert.True(income.Psi >= 0.25, $"income PSI {income.Psi}");
        Assert.Contains(shifted.Alerts, a => a.Kind == "feature" && a.Subject == "income");
        var fans = shifted.Segments.Single(c => c.Segment == "email_fans");
        Assert.True(fans.Entered >= 1500);
        Assert.Contains(shifted.Alerts, a => a.Kind == "size" && a.Subject == "email_fans");
        Assert.Equal(5, shifted.Clusters.Count);
        Assert.All(shifted.Clusters, c => Assert.True(c.Shift >= 0 && c.MovedSincePrevious is >= 0));
    }

    private static List<RefreshReport> Backfill(WarehouseFixture f)
    {
        var plan = RefreshSchedule.Plan(f.Warehouse, Weeks[0], End, new RefreshInterval(1, "week"));
        Assert.Equal(Weeks, plan.Run);
        return [.. plan.Run.Select(t => Refresh(f, t))];
    }

    private static RefreshReport Refresh(WarehouseFixture f, DateTime at) => RefreshPipeline.Run(f.Workspace, f.Warehouse, Context(f, at), TimeProvider.System);

    private static EvaluationContext Context(WarehouseFixture f, DateTime at) => new(at, f.Workspace.Settings.Zone);

    /// <summary>The members computed from the events at <paramref name="at"/> (nothing stored is read but the CLV predictions).</summary>
    private static List<string> Evaluate(WarehouseFixture f, SegmentDefinition segment, DateTime at)
    {
        var query = segment.Query(f.Dialect, Context(f, at)).Members();
        return [.. f.Strings(query.Text, [.. query.Parameters]).Order(StringComparer.Ordinal)];
    }

    /// <summary>A generated base with the four segments, a k = 5 cluster model and a BG/NBD + Gamma-Gamma fit.</summary>
    private WarehouseFixture Loaded()
    {
        var f = new WarehouseFixture(Backend, new WorkspaceSettings());
        f.IngestGenerated(new GeneratorOptions(1500, 30_000, 5, End));
        f.Write("segments/refresh.seg", Segments);
        var context = Context(f, End);
        var request = new ClusterRequest(
            [new("recency_days"), new("frequency"), new("monetary"), new("age")], [], FeatureScaling.ZScore, MissingValues.Median, MinK: 5, MaxK: 5, Seed: 3, Initializations: 2, AutoLog: true);
        ClusterAnalysis.Store(f.Warehouse, ClusterAnalysis.Fit(f.Warehouse, context, request).Model, End);
        var end = ClvAnalysis.LastCompleteDay(context);
        var histories = ClvAnalysis.ReadSummary(f.Warehouse, TimeZoneInfo.Utc, new SummaryPeriod(end, null, SummaryUnit.Weeks));
        ClvAnalysis.Store(f.Warehouse, ClvAnalysis.Fit(histories, PurchaseModelKind.BgNbd, SummaryUnit.Weeks, end), End);
        return f;
    }
}
