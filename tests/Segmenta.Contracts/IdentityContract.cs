using System.Globalization;
using System.Text;
using Segmenta.Identity;
using Segmenta.Language;
using Segmenta.Model;
using Segmenta.Warehouse;
using Xunit;

namespace Segmenta.Contracts;

/// <summary>
/// Identity resolution on every backend (docs/identity.md): a visitor browses anonymously, signs up, browses on a second
/// device and logs in there; a stranger never logs in; a second user logs in on the first device. Whatever order the
/// files arrive in, the profiles, the attribution of every event and the segments are the ones worked out by hand.
/// </summary>
public abstract class IdentityContract
{
    private protected abstract Backend Backend { get; }

    /// <summary>How many shuffled arrival orders to try beside the forward and reverse ones (each needs a fresh warehouse).</summary>
    protected virtual int ShuffledOrders => 4;

    private const string Header = "event_id,customer_id,anonymous_id,event_type,occurred_at,revenue\n";

    /// <summary>The scenario's files, each one arrival.</summary>
    private static readonly (string Name, string Content)[] Arrivals =
    [
        ("browse_d1.csv", Header + "a1,,d1,page_view,2026-03-01T10:00:00Z,\na2,,d1,product_view,2026-03-01T10:02:00Z,\na3,,d1,cart_add,2026-03-01T10:05:00Z,\n"),
        ("signup.csv", Header + "b1,u1,d1,signup,2026-03-01T10:10:00Z,\n"),
        ("browse_d2.csv", Header + "c1,,d2,page_view,2026-03-05T20:00:00Z,\nc2,,d2,product_view,2026-03-05T20:01:00Z,\n"),
        ("login_d2.csv", Header + "d1,u1,d2,session,2026-03-05T20:03:00Z,\nd2,u1,d2,purchase,2026-03-05T20:09:00Z,40\n"),
        ("stranger.csv", Header + "e1,,d3,page_view,2026-03-06T08:00:00Z,\n"),
        ("shared_device.csv", Header + "f1,u2,d1,session,2026-03-07T09:00:00Z,\n"),
        ("later_on_d1.csv", Header + "g1,,d1,page_view,2026-03-08T09:00:00Z,\n"),
        ("profiles.csv", "customer_id,country\nu1,DE\nu2,FR\n"),
    ];

    /// <summary>Each event's profile, by hand: d1 and d2 are u1's (u1 logged in on both first); u2 is refused d1; d3 stays anonymous.</summary>
    private static readonly Dictionary<string, string> Attribution = new(StringComparer.Ordinal)
    {
        ["a1"] = "u1", ["a2"] = "u1", ["a3"] = "u1", ["b1"] = "u1", ["c1"] = "u1", ["c2"] = "u1",
        ["d1"] = "u1", ["d2"] = "u1", ["e1"] = "anon:d3", ["f1"] = "u2", ["g1"] = "u1",
    };

    private WarehouseFixture NewFixture() => new(Backend);

    [SkippableFact]
    public void Resolve_ScenarioInEveryArrivalOrder_GivesTheHandComputedProfilesAndSegments()
    {
        var orders = new List<int[]> { Enumerable.Range(0, Arrivals.Length).ToArray(), Enumerable.Range(0, Arrivals.Length).Reverse().ToArray() };
        var random = new Random(27);
        for (var i = 0; i < ShuffledOrders; i++)
        {
            var order = Enumerable.Range(0, Arrivals.Length).ToArray();
            random.Shuffle(order);
            orders.Add(order);
        }

        string? first = null;
        foreach (var order in orders)
        {
            using var f = NewFixture();
            foreach (var i in order)
            {
                var (name, content) = Arrivals[i];
                f.Ingest(name == "profiles.csv" ? TableKind.Customers : TableKind.Events, f.Write(name, content));
            }

            var where = "arrival order " + string.Join(",", order);
            var attributed = new Dictionary<string, string>(StringComparer.Ordinal);
            f.Warehouse.Read(new("SELECT event_id, customer_id FROM events", []), r => attributed[r.GetString(0)] = r.GetString(1));
            Assert.True(Attribution.OrderBy(p => p.Key).SequenceEqual(attributed.OrderBy(p => p.Key)), $"{where}: {string.Join(" ", attributed.OrderBy(p => p.Key))}");
            Assert.Equal(["anon:d3", "u1", "u2"], f.Strings("SELECT customer_id FROM customers ORDER BY customer_id"));
            Assert.Equal(["DE", "FR"], f.Strings("SELECT country FROM customers WHERE country IS NOT NULL ORDER BY customer_id"));
            Assert.Equal(
                ["anonymous_id:d1=u1", "anonymous_id:d2=u1"],
                f.Strings("SELECT kind || ':' || id || '=' || customer_id FROM identities ORDER BY kind, id"));
            Assert.Equal(
                ["u1~d1 merged", "u1~d2 merged", "u2~d1 refused"],
                f.Strings("SELECT id_a || '~' || id_b || ' ' || outcome FROM identity_links ORDER BY id_a, id_b"));

            Assert.Equal(["u1"], Members(f, "did cart_add and did purchase"));
            Assert.Equal(["u1"], Members(f, "count(page_view) >= 3"));
            Assert.Equal(["anon:d3"], Members(f, "is anonymous"));
            Assert.Equal(["u1", "u2"], Members(f, "is not anonymous"));
            Assert.Equal(["u1"], Members(f, "did page_view then purchase within 7 days"));

            var dump = Dump(f);
            first ??= dump;
            Assert.True(first == dump, $"{where} stored a different graph:\n{dump}\nthan the first order:\n{first}");
        }
    }

    [SkippableFact]
    public void Undo_AWrongMerge_MovesTheEventsBackAndStaysUndoneWhenTheEvidenceArrivesAgain()
    {
        using var f = NewFixture();
        foreach (var (name, content) in Arrivals)
        {
            f.Ingest(name == "profiles.csv" ? TableKind.Customers : TableKind.Events, f.Write(name, content));
        }

        var at = new DateTime(2026, 3, 10, 12, 0, 0, DateTimeKind.Utc);
        using (var tx = f.Warehouse.BeginTransaction())
        {
            var undone = IdentityStore.Undo(tx, new Identifier(IdentifierKind.UserId, "u1"), new Identifier(IdentifierKind.AnonymousId, "d2"), "a shared office computer", at, f.Warehouse.Columns(TableKind.Customers));
            Assert.NotNull(undone);
            Assert.Equal(1, undone.Value.Changed);
            Assert.Equal(2, undone.Value.Reattributed);
            tx.Commit();
        }

        // d2's anonymous events go back to d2's own profile; the events that came with u1's id stay u1's.
        Assert.Equal(["c1", "c2"], f.Strings("SELECT event_id FROM events WHERE customer_id = 'anon:d2' ORDER BY event_id"));
        Assert.Equal(["d1", "d2"], f.Strings("SELECT event_id FROM events WHERE anonymous_id = 'd2' AND customer_id = 'u1' ORDER BY event_id"));
        Assert.Contains("anon:d2", f.Strings("SELECT customer_id FROM customers"));
        var profile = IdentityProfile.Read(f.Warehouse, "anon:d2", new DateTime(2026, 3, 12, 0, 0, 0, DateTimeKind.Utc));
        Assert.True(profile.Anonymous);
        Assert.Equal(2, profile.Events);
        var change = Assert.Single(profile.Changes, c => c.ToCustomerId == "anon:d2");
        Assert.Equal("u1", change.FromCustomerId);
        Assert.Contains("undid link user_id:u1 ~ anonymous_id:d2 (a shared office computer)", change.Reason, StringComparison.Ordinal);
        Assert.Equal("undone", Assert.Single(profile.Links).Outcome);

        // The same evidence again (a resent file with new event ids) does not redo the merge.
        f.Ingest(TableKind.Events, f.Write("again.csv", Header + "h1,u1,d2,session,2026-03-11T10:00:00Z,\nh2,,d2,page_view,2026-03-11T10:01:00Z,\n"));
        Assert.Equal(["c1", "c2", "h2"], f.Strings("SELECT event_id FROM events WHERE customer_id = 'anon:d2' ORDER BY event_id"));
        Assert.Equal("undone", f.Strings("SELECT outcome FROM identity_links WHERE id_a = 'u1' AND id_b = 'd2'").Single());
    }

    [SkippableFact]
    public void Resolve_AnonymousProfileWithTraits_IsFoldedIntoTheUserItTurnsOutToBe()
    {
        // An identify call with an anonymous id only (a newsletter form before sign-up) stores traits on the visitor's profile.
        using var f = NewFixture();
        f.Ingest(TableKind.Customers, f.Write("anonymous.csv", "anonymous_id,city,email\nd9,Lyon,v@example.com\n"));
        Assert.Equal(["anon:d9"], f.Strings("SELECT customer_id FROM customers"));
        f.Ingest(TableKind.Customers, f.Write("user.csv", "customer_id,city\nu9,Paris\n"));
        f.Ingest(TableKind.Customers, f.Write("identify.csv", "customer_id,anonymous_id,identified_at\nu9,d9,2026-03-02T10:00:00Z\n"));

        // The user's own traits win; what only the visitor's profile knew is kept; the visitor's row is gone.
        Assert.Equal(["u9"], f.Strings("SELECT customer_id FROM customers"));
        Assert.Equal(["Paris"], f.Strings("SELECT city FROM customers"));
        Assert.Equal(["v@example.com"], f.Strings("SELECT email FROM customers"));
        Assert.Equal(["2026-03-02 10:00:00"], f.Strings("SELECT CAST(seen_at AS VARCHAR) FROM identity_links"));

        // Later traits under the visitor's id alone (no new link) go to the user as well.
        f.Ingest(TableKind.Customers, f.Write("later.csv", "anonymous_id,first_name\nd9,Vi\n"));
        Assert.Equal(["u9 Vi"], f.Strings("SELECT customer_id || ' ' || first_name FROM customers"));
        Assert.Equal(["customer_id", "email", "first_name"], f.Warehouse.Columns(TableKind.Customers).Select(c => c.Name).Take(3));
        Assert.DoesNotContain(f.Warehouse.Columns(TableKind.Customers), c => CanonicalModel.IsCustomerLink(c.Name));
    }

    [SkippableFact]
    public void Ingest_RowsWithoutAnyIdOrWithTheReservedPrefix_AreQuarantinedWithTheReason()
    {
        using var f = NewFixture();
        var summary = f.Ingest(TableKind.Events, f.Write("e.csv", Header + "x1,,,page_view,2026-03-01T10:00:00Z,\nx2,anon:7,,page_view,2026-03-01T10:00:00Z,\nx3,u1,,page_view,2026-03-01T10:00:00Z,\n"));
        Assert.Equal(new IngestSummary(3, 1, 2, 0), summary);
        var reasons = f.Warehouse.ReadQuarantine(null, 10).OrderBy(q => q.Line).Select(q => q.Reason).ToList();
        Assert.Equal("missing customer_id and anonymous_id: a row needs a user id or an anonymous id", reasons[0]);
        Assert.StartsWith("customer_id `anon:7`: ids starting with `anon:` are reserved", reasons[1], StringComparison.Ordinal);
        Assert.Equal(["u1"], f.Strings("SELECT user_id FROM events"));
    }

    private static List<string> Members(WarehouseFixture f, string condition)
    {
        var compilation = SegmentCompiler.Compile($"segment s where {condition}", SegmentSchema.Canonical());
        Assert.True(compilation.Success, string.Join("; ", compilation.Diagnostics));
        var members = new List<string>();
        f.Warehouse.Read(compilation.Find("s")!.Query(f.Dialect, new EvaluationContext(new DateTime(2026, 3, 12, 0, 0, 0, DateTimeKind.Utc), TimeZoneInfo.Utc)).Members(), r => members.Add(r.GetString(0)));
        return members.Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>Everything resolution stored but the run numbers and times of the changes (which do depend on arrival).</summary>
    private static string Dump(WarehouseFixture f)
    {
        var text = new StringBuilder();
        foreach (var query in new[]
                 {
                     "SELECT event_id || ' ' || customer_id || ' ' || coalesce(user_id, '-') || ' ' || coalesce(anonymous_id, '-') FROM events ORDER BY event_id",
                     "SELECT kind || ':' || id || ' ' || customer_id FROM identities ORDER BY kind, id",
                     "SELECT kind_a || ':' || id_a || ' ' || kind_b || ':' || id_b || ' ' || CAST(seen_at AS VARCHAR) || ' ' || outcome || ' ' || coalesce(reason, '-') FROM identity_links ORDER BY id_a, id_b",
                     "SELECT customer_id || ' ' || coalesce(country, '-') FROM customers ORDER BY customer_id",
                 })
        {
            text.AppendLine(string.Join('\n', f.Strings(query)));
        }

        return text.ToString();
    }
}
