using System.Globalization;
using System.Text;
using Segmenta.Identity;
using Segmenta.Language;
using Segmenta.Model;
using Segmenta.Segments;
using Xunit;

namespace Segmenta.Contracts;

/// <summary>
/// Near-real-time membership on every backend (docs/activation.md): after each of a random stream of flushes, only the
/// touched customers are evaluated again, and for every segment whose conditions do not move with the clock the history
/// then holds exactly what a full evaluation at that instant gives; clock-relative segments are right for the touched
/// customers; segments that rank the population are left to the refresh and say so.
/// </summary>
public abstract class LiveMembershipContract
{
    private static readonly DateTime T0 = new(2026, 3, 1, 0, 0, 0, DateTimeKind.Utc);

    private const string SegmentFile = """
        segment buyers2 where count(purchase) >= 2
        segment us_buyers where in segment buyers2 and country = "US"
        segment big where sum(purchase.revenue) >= 100
        segment emailable where consented email and in segment big
        segment new_buyers where entered segment buyers2 within 2 hours
        segment recent where count(page_view, last 7 days) >= 1
        segment top_spenders where top 10% by sum(purchase.revenue)
        """;

    private static readonly string[] Exact = ["buyers2", "us_buyers", "big", "emailable"];
    private static readonly string[] Clocked = ["new_buyers", "recent"];

    private protected abstract Backend Backend { get; }

    [SkippableFact]
    public void AfterARandomStream_TheHistoryEqualsAFullEvaluation_ForConditionsThatDoNotMoveWithTheClock()
    {
        using var f = new WarehouseFixture(Backend);
        var random = new Random(20261203);
        var customers = new StringBuilder("customer_id,country,email_opt_in\n");
        for (var i = 1; i <= 40; i++)
        {
            customers.Append(CultureInfo.InvariantCulture, $"c{i},{(random.Next(2) == 0 ? "US" : "DE")},{(random.Next(3) > 0 ? "true" : "false")}\n");
        }

        f.Ingest(TableKind.Customers, f.Write("customers.csv", customers.ToString()));
        var eventId = 0;
        string Events(int count, int customerRange, DateTime from, DateTime to)
        {
            var text = new StringBuilder("event_id,customer_id,event_type,occurred_at,revenue,channel\n");
            for (var i = 0; i < count; i++)
            {
                var customer = "c" + (1 + random.Next(customerRange)).ToString(CultureInfo.InvariantCulture);
                var at = from.AddSeconds(random.NextDouble() * (to - from).TotalSeconds);
                var kind = random.Next(10) switch { < 5 => "purchase", < 9 => "page_view", _ => "consent_withdrawn" };
                text.Append(CultureInfo.InvariantCulture, $"x{++eventId},{customer},{kind},{at:yyyy-MM-dd'T'HH:mm:ss'Z'},{(kind == "purchase" ? (10 + random.Next(70)).ToString(CultureInfo.InvariantCulture) : "")},{(kind == "consent_withdrawn" ? "email" : "")}\n");
            }

            return text.ToString();
        }

        f.Ingest(TableKind.Events, f.Write("history.csv", Events(60, 40, T0.AddDays(-20), T0)));
        f.Write("segments/live.seg", SegmentFile);
        var library = SegmentLibrary.Load(f.Workspace, SegmentLibrary.SchemaOf(f.Warehouse, f.Workspace.Settings));
        Assert.True(library.Compilation.Success, string.Join("; ", library.Compilation.Diagnostics));
        SegmentMaterializer.Materialize(f.Warehouse, library.Compilation.Segments, Context(T0), T0);

        long changes = 0;
        var at = T0;
        HashSet<string> touched = [];
        for (var round = 1; round <= 8; round++)
        {
            var before = at;
            at = T0.AddHours(round);
            var csv = Events(12, 46, before, at);   // c41..c46 are new customers
            f.Ingest(TableKind.Events, f.Write($"round{round}.csv", csv));
            touched = [.. csv.Split('\n').Skip(1).Where(l => l.Length > 0).Select(l => l.Split(',')[1])];
            var update = LiveMembership.Apply(f.Warehouse, library.Compilation, new LiveChange([.. touched.Select(id => new Identifier(IdentifierKind.UserId, id))], Events: true, Profiles: false), Context(at));
            Assert.Equal(["top_spenders"], update.RefreshOnly.Select(r => r.Segment));
            Assert.Contains("ranks the whole population", update.RefreshOnly[0].Why, StringComparison.Ordinal);
            Assert.Equal(Exact.Concat(Clocked).Order(StringComparer.Ordinal), update.Segments.Select(s => s.Segment).Order(StringComparer.Ordinal));
            Assert.Equal(Clocked.Order(StringComparer.Ordinal), update.Segments.Where(s => s.ClockDependent).Select(s => s.Segment).Order(StringComparer.Ordinal));
            changes += update.Changes;

            foreach (var segment in Exact)
            {
                Assert.Equal(Full(f, library, segment, at), History(f, segment, at));
            }

            foreach (var segment in Clocked)
            {
                Assert.Equal(Full(f, library, segment, at).Where(touched.Contains), History(f, segment, at).Where(touched.Contains));
            }
        }

        Assert.True(changes > 0, "the stream changed no membership: the test would not see a missing update");
        Assert.Equal(8 * 6, f.Count("SELECT count(*) FROM segment_live_updates"));

        // The next refresh at a later instant brings every customer of the clocked segments up to date.
        var refresh = at.AddHours(1);
        SegmentMaterializer.Materialize(f.Warehouse, library.Compilation.Segments, Context(refresh), refresh);
        foreach (var segment in Clocked.Concat(Exact))
        {
            Assert.Equal(Full(f, library, segment, refresh), History(f, segment, refresh));
        }

        // History moves forward: a live update before the refresh is refused for every segment.
        var late = LiveMembership.Apply(f.Warehouse, library.Compilation, new LiveChange([new Identifier(IdentifierKind.UserId, "c1")], true, false), Context(at));
        Assert.Empty(late.Segments);
    }

    private static EvaluationContext Context(DateTime at) => new(at, TimeZoneInfo.Utc);

    private static List<string> Full(WarehouseFixture f, SegmentLibrary library, string segment, DateTime at)
    {
        var members = new List<string>();
        f.Warehouse.Read(library.Require(segment).Query(f.Dialect, Context(at)).Members(), r => members.Add(r.GetString(0)));
        return [.. members.Order(StringComparer.Ordinal)];
    }

    private static List<string> History(WarehouseFixture f, string segment, DateTime at) =>
        [.. SegmentMaterializer.MembersAtInstant(f.Warehouse, segment, at).Order(StringComparer.Ordinal)];
}
