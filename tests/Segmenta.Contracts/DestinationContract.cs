using System.Text.Json;
using Segmenta.Activation;
using Segmenta.Identity;
using Segmenta.Language;
using Segmenta.Model;
using Segmenta.Segments;
using Xunit;

namespace Segmenta.Contracts;

/// <summary>
/// Activation on every backend (docs/activation.md): a destination's syncs are differences of the membership history
/// with consent at each instant — who entered and who exited since the last sync — recorded with the log, the state and
/// the webhook outbox in one transaction; file drops and ad-platform files; a full resync; erasure. Answers worked out
/// by hand from the data below.
/// </summary>
public abstract class DestinationContract
{
    private static readonly DateTime T1 = new(2026, 3, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime T2 = new(2026, 3, 10, 0, 0, 0, DateTimeKind.Utc);

    private const string Customers = """
        customer_id,email,first_name,last_name,country,email_opt_in
        c1,C1@Example.com,Ann,Lee,US,true
        c2,c2@example.com,Bo,Kim,US,true
        c3,c3@example.com,Cy,Ng,DE,true
        c4,c4@example.com,Di,Oh,US,true
        c5,c5@example.com,Ed,Li,US,false
        c6,c6@example.com,Fa,Wu,GB,false
        """;

    // Buyers of the last 7 days: at T1 c1, c2, c3, c5; at T2 c1, c4, c6. c5 never consents to e-mail; c6 grants on 03-09;
    // c1 unsubscribes on 03-09, so at T2 it is a member without consent.
    private const string Events = """
        event_id,customer_id,event_type,occurred_at,revenue,channel
        e1,c1,purchase,2026-02-25T10:00:00Z,10,
        e2,c2,purchase,2026-02-27T10:00:00Z,10,
        e3,c3,purchase,2026-02-28T10:00:00Z,10,
        e4,c5,purchase,2026-02-26T10:00:00Z,10,
        e5,c4,purchase,2026-03-05T10:00:00Z,10,
        e6,c1,purchase,2026-03-08T10:00:00Z,10,
        e7,c6,purchase,2026-03-09T10:00:00Z,10,
        e8,c6,consent_granted,2026-03-09T08:00:00Z,,email
        e9,c1,email_unsubscribe,2026-03-09T12:00:00Z,,
        """;

    private const string SegmentFile = """
        segment recent_buyers where count(purchase, last 7 days) >= 1
        """;

    private protected abstract Backend Backend { get; }

    private WarehouseFixture Load()
    {
        var f = new WarehouseFixture(Backend);
        f.Ingest(TableKind.Customers, f.Write("customers.csv", Customers));
        f.Ingest(TableKind.Events, f.Write("events.csv", Events));
        f.Write("segments/buyers.seg", SegmentFile);
        return f;
    }

    private static SegmentLibrary Library(WarehouseFixture f) => SegmentLibrary.Load(f.Workspace, SegmentLibrary.SchemaOf(f.Warehouse, f.Workspace.Settings));

    private static void Materialize(WarehouseFixture f, DateTime at) =>
        SegmentMaterializer.Materialize(f.Warehouse, [Library(f).Require("recent_buyers")], new EvaluationContext(at, TimeZoneInfo.Utc), at);

    private static DestinationContext Context(WarehouseFixture f) => new(f.Dir, TimeZoneInfo.Utc, TimeProvider.System);

    private static DestinationDefinition Destination(WarehouseFixture f, string name, string yaml)
    {
        f.Write($"destinations/{name}.yaml", yaml);
        return DestinationFiles.Load(f.Workspace, name);
    }

    private static SegmentSync Sync(WarehouseFixture f, DestinationDefinition destination, bool full = false) =>
        DestinationSync.Sync(f.Warehouse, Library(f), destination, Context(f), full).Single();

    private static List<string> Held(WarehouseFixture f, string destination) =>
        f.Strings("SELECT customer_id FROM destination_members WHERE destination = $1 ORDER BY customer_id", destination);

    [SkippableFact]
    public void Sync_SendsWhoEnteredAndExitedSinceTheLastSync_WithConsentAtTheMembershipInstant()
    {
        using var f = Load();
        var destination = Destination(f, "crm", "type: file\nsegments: [recent_buyers]\nconsent: email\ntraits: [email]\n");

        var refused = Assert.Throws<DestinationException>(() => Sync(f, destination));
        Assert.Contains("no stored membership", refused.Message, StringComparison.Ordinal);

        Materialize(f, T1);
        var first = Sync(f, destination);
        Assert.Equal((T1, (DateTime?)null, 3L, 3L, 0L, 1L), (first.AsOf, first.PreviousAsOf, first.Audience, first.Entered, first.Exited, first.LeftOut));
        Assert.Equal(["c1", "c2", "c3"], Held(f, "crm"));
        var entered = File.ReadAllText(Assert.Single(first.Files));
        Assert.Equal("customer_id,email\nc1,C1@Example.com\nc2,c2@example.com\nc3,c3@example.com\n", entered);

        var again = Sync(f, destination);
        Assert.Equal((T1, (DateTime?)T1, 3L, 0L, 0L), (again.AsOf, again.PreviousAsOf, again.Audience, again.Entered, again.Exited));
        Assert.Empty(again.Files);

        Materialize(f, T2);
        var second = Sync(f, destination);

        // At T2 the members are c1, c4, c6; c1 unsubscribed, c6 granted: the audience is c4, c6. c1 exits for consent, c2 and
        // c3 left the segment.
        Assert.Equal((T2, (DateTime?)T1, 2L, 2L, 3L, 1L), (second.AsOf, second.PreviousAsOf, second.Audience, second.Entered, second.Exited, second.LeftOut));
        Assert.Equal(["c4", "c6"], Held(f, "crm"));
        Assert.Equal(2, second.Files.Count);
        Assert.Equal("customer_id,email\nc4,c4@example.com\nc6,c6@example.com\n", File.ReadAllText(second.Files.Single(p => p.EndsWith("-entered.csv", StringComparison.Ordinal))));
        Assert.Equal("customer_id\nc1\nc2\nc3\n", File.ReadAllText(second.Files.Single(p => p.EndsWith("-exited.csv", StringComparison.Ordinal))));

        var full = Sync(f, destination, full: true);
        Assert.Equal(("full", 2L, 2L, 0L), (full.Kind, full.Audience, full.Entered, full.Exited));
        Assert.EndsWith("-full.csv", Assert.Single(full.Files), StringComparison.Ordinal);
        Assert.Equal(["c4", "c6"], Held(f, "crm"));   // once each: on DuckDB no key would refuse a second copy (schema 16)

        var log = DestinationLog.Syncs(f.Warehouse, "crm", 10);
        Assert.Equal(["full", "incremental", "incremental", "incremental"], log.Select(e => e.Sync.Kind));
        Assert.Equal(["written", "written", "up_to_date", "written"], log.Select(e => e.Status));
        Assert.Equal([0L, 3L, 0L, 0L], log.Select(e => e.Sync.Exited));
    }

    [SkippableFact]
    public void IgnoringConsent_SendsEveryMember_AndSaysSo()
    {
        using var f = Load();
        Materialize(f, T1);
        var sync = Sync(f, Destination(f, "all", "type: file\nsegments: [recent_buyers]\nconsent: ignore\nformat: jsonl\ntraits: [email, country]\n"));
        Assert.Equal((4L, 0L), (sync.Audience, sync.LeftOut));
        Assert.Contains("consent not checked", sync.Detail, StringComparison.Ordinal);
        var lines = File.ReadAllLines(Assert.Single(sync.Files));
        Assert.Equal(["c1", "c2", "c3", "c5"], lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("customer_id").GetString()));
        Assert.Equal("DE", JsonDocument.Parse(lines[2]).RootElement.GetProperty("country").GetString());
    }

    [SkippableFact]
    public void Webhook_WritesOrderedBatchesToTheOutbox_WithTheTraitsOfWhoEnteredAndTheIdsOfWhoExited()
    {
        using var f = Load();
        var destination = Destination(f, "hook", "type: webhook\nsegments: [recent_buyers]\nconsent: email\ntraits: [email, first_name]\nurl: http://127.0.0.1:9/hook\nsecret_env: HOOK_SECRET\nbatch_size: 2\n");
        Materialize(f, T1);
        Assert.Equal(2, Sync(f, destination).Batches);
        Materialize(f, T2);
        Assert.Equal(3, Sync(f, destination).Batches);

        var batches = WebhookDelivery.Batches(f.Warehouse, "hook", [], 100);
        Assert.Equal([1L, 2L, 3L, 4L, 5L], batches.Select(b => b.Sequence));
        Assert.All(batches, b => Assert.Equal(BatchStatus.Pending, b.Status));
        Assert.Equal(5, batches.Select(b => b.BatchId).Distinct().Count());
        var bodies = batches.Select(b => JsonDocument.Parse(WebhookDelivery.Body(f.Warehouse, b)).RootElement).ToList();
        string Ids(JsonElement body, string change) => string.Join(" ", body.GetProperty(change).EnumerateArray().Select(e => e.GetProperty("customer_id").GetString()));
        Assert.Equal(["c1 c2|", "c3|", "c4 c6|", "|c1 c2", "|c3"], bodies.Select(b => Ids(b, "entered") + "|" + Ids(b, "exited")));
        Assert.Equal("Ann", bodies[0].GetProperty("entered")[0].GetProperty("traits").GetProperty("first_name").GetString());
        Assert.Equal(("recent_buyers", "2026-03-10T00:00:00Z", 1, 3), (bodies[2].GetProperty("segment").GetString(), bodies[2].GetProperty("as_of").GetString(), bodies[2].GetProperty("part").GetInt32(), bodies[2].GetProperty("parts").GetInt32()));

        // The body is the same bytes every time it is built (every try and replay sends it unchanged).
        Assert.Equal(WebhookDelivery.Body(f.Warehouse, batches[3]), WebhookDelivery.Body(f.Warehouse, batches[3]));
    }

    [SkippableFact]
    public void AdPlatformFiles_AreNormalizedAndHashedPerPlatform_AddsAndRemoves()
    {
        using var f = Load();
        var google = Destination(f, "google", "type: google_customer_match\nsegments: [recent_buyers]\nconsent: email\n");
        var meta = Destination(f, "meta", "type: meta_custom_audience\nsegments: [recent_buyers]\nconsent: email\nmode: full\n");
        Materialize(f, T1);
        var g = Sync(f, google);
        Assert.Contains("no trait for match keys phone", g.Detail, StringComparison.Ordinal);
        var add = File.ReadAllLines(Assert.Single(g.Files));
        Assert.Equal("Email,Phone,First Name,Last Name,Country,Zip", add[0]);
        Assert.Equal($"{Sha("c1@example.com")},,{Sha("ann")},{Sha("lee")},US,", add[1]);
        Assert.Equal(4, add.Length);

        Materialize(f, T2);
        var g2 = Sync(f, google);
        var remove = File.ReadAllLines(g2.Files.Single(p => p.EndsWith("-remove.csv", StringComparison.Ordinal)));
        Assert.Equal([Sha("c1@example.com"), Sha("c2@example.com"), Sha("c3@example.com")], remove.Skip(1).Select(l => l.Split(',')[0]));

        var m = Sync(f, meta);
        Assert.Equal("full", m.Kind);
        var list = File.ReadAllLines(Assert.Single(m.Files));
        Assert.Equal("email,phone,fn,ln,country,zip", list[0]);
        Assert.Equal($"{Sha("c6@example.com")},,{Sha("fa")},{Sha("wu")},{Sha("gb")},", list[2]);
    }

    [SkippableFact]
    public void Erasure_RemovesACustomerFromWhatDestinationsHoldAndFromTheOutbox()
    {
        using var f = Load();
        var destination = Destination(f, "hook", "type: webhook\nsegments: [recent_buyers]\nconsent: email\nurl: http://127.0.0.1:9/hook\nsecret_env: HOOK_SECRET\n");
        Materialize(f, T1);
        Sync(f, destination);
        Erasure.Forget(f.Warehouse, ["c2"], "test", T2, TimeZoneInfo.Utc, TimeProvider.System);
        Assert.Equal(["c1", "c3"], Held(f, "hook"));
        Assert.Equal(0, f.Count("SELECT count(*) FROM destination_batch_members WHERE customer_id = $1", "c2"));
    }

    [SkippableFact]
    public void Transitions_ReadTheStoredHistory_EnteredAndExitedWithinASpanUpToTheAsOf()
    {
        using var f = Load();
        Materialize(f, T1);
        Materialize(f, T2);

        // At T1 the buyers were c1, c2, c3, c5; at T2 c1, c4, c6: c4 and c6 entered at T2, c2, c3 and c5 exited, c1 stayed.
        Assert.Equal(["c4", "c6"], Members(f, "entered segment recent_buyers within 1 hour", T2));
        Assert.Equal(["c2", "c3", "c5"], Members(f, "exited segment recent_buyers within 1 day", T2));
        Assert.Equal(["c1", "c2", "c3", "c4", "c5", "c6"], Members(f, "entered segment recent_buyers", T2));
        Assert.Equal(["c1", "c2", "c3", "c5"], Members(f, "entered segment recent_buyers", T2.AddSeconds(-1)));
        Assert.Empty(Members(f, "entered segment recent_buyers within 1 hour", T2.AddHours(2)));
        Assert.Equal(["c4", "c6"], Members(f, "entered segment recent_buyers within 9 days", T2.AddDays(8)));
        Assert.Equal(["c1", "c2", "c3", "c4", "c5", "c6"], Members(f, "entered segment recent_buyers within 9 days", T2));   // T1 is exactly 9 days before: included

        // A journey: entered the buyers at T2 and bought nothing in the last day before it (c6 bought on 03-09).
        Assert.Equal(["c4"], Members(f, "entered segment recent_buyers within 1 hour and count(purchase, last 1 day) = 0", T2));
        Assert.Equal(["c1", "c2", "c3", "c5"], Members(f, "not entered segment recent_buyers within 1 day", T2));
    }

    private static List<string> Members(WarehouseFixture f, string condition, DateTime asOf)
    {
        f.Write("segments/journey.seg", $"segment journey where {condition}\n");
        var library = Library(f);
        Assert.True(library.Compilation.Success, string.Join("; ", library.Compilation.Diagnostics));
        var members = new List<string>();
        f.Warehouse.Read(library.Require("journey").Query(f.Dialect, new EvaluationContext(asOf, TimeZoneInfo.Utc)).Members(), r => members.Add(r.GetString(0)));
        File.Delete(Path.Combine(f.Dir, "segments", "journey.seg"));
        return [.. members.Order(StringComparer.Ordinal)];
    }

    private static string Sha(string text) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
}
