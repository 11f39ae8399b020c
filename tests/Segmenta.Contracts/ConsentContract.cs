using Segmenta.Campaigns;
using Segmenta.Configuration;
using Segmenta.Language;
using Segmenta.Model;
using Segmenta.Segments;
using Xunit;

namespace Segmenta.Contracts;

/// <summary>
/// Consent on every backend (docs/identity.md, "Consent"): baseline traits, grants and withdrawals as events, ties, times
/// after as-of, a visitor's anonymous grant that becomes a user's, and the check where data leaves — an export and a
/// campaign's audience — against answers worked out by hand.
/// </summary>
public abstract class ConsentContract
{
    private static readonly DateTime AsOf = new(2026, 3, 10, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>Between the first facts (03-01) and the second (03-05).</summary>
    private static readonly DateTime Between = new(2026, 3, 3, 0, 0, 0, DateTimeKind.Utc);

    private const string Customers = """
        customer_id,email,email_opt_in
        c1,c1@example.com,true
        c2,c2@example.com,true
        c3,c3@example.com,false
        c4,c4@example.com,
        c5,c5@example.com,true
        c6,c6@example.com,true
        c7,c7@example.com,
        c8,c8@example.com,true
        c9,c9@example.com,true
        u9,u9@example.com,true
        """;

    // c2 unsubscribes; c3 grants against a false baseline; c4 grants then withdraws; c5 grants and withdraws at one instant;
    // c6 withdraws then grants (the channel in capitals); c7 grants after as-of; c8 grants sms; c9 and the visitor d1 grant
    // push, and d1 signs up as u9 later. The last row names no channel.
    private const string Facts = """
        event_id,customer_id,anonymous_id,event_type,occurred_at,channel
        f1,c2,,email_unsubscribe,2026-03-01T10:00:00Z,
        f2,c3,,consent_granted,2026-03-01T10:00:00Z,email
        f3,c4,,consent_granted,2026-03-01T10:00:00Z,email
        f4,c4,,consent_withdrawn,2026-03-05T10:00:00Z,email
        f5,c5,,consent_granted,2026-03-01T10:00:00Z,email
        f6,c5,,consent_withdrawn,2026-03-01T10:00:00Z,email
        f7,c6,,consent_withdrawn,2026-03-01T10:00:00Z,email
        f8,c6,,consent_granted,2026-03-05T10:00:00Z,EMAIL
        f9,c7,,consent_granted,2026-03-20T10:00:00Z,email
        f10,c8,,consent_granted,2026-03-01T10:00:00Z,sms
        f11,c9,,consent_granted,2026-03-01T10:00:00Z,push
        f12,,d1,consent_granted,2026-03-01T10:00:00Z,push
        f13,u9,d1,signup,2026-03-05T10:00:00Z,
        f14,c1,,consent_granted,2026-03-01T10:00:00Z,
        """;

    private const string SegmentFile = """
        segment app_users where customer_id in ("c8", "c9", "u9")
        segment known where is not anonymous
        """;

    private protected abstract Backend Backend { get; }

    private WarehouseFixture Load()
    {
        var f = new WarehouseFixture(Backend);
        f.Ingest(TableKind.Customers, f.Write("customers.csv", Customers));
        var facts = f.Ingest(TableKind.Events, f.Write("facts.csv", Facts));
        Assert.Equal(1, facts.Quarantined);
        Assert.StartsWith("a `consent_granted` event needs the channel it is about in `channel`", f.Warehouse.ReadQuarantine(null, 10).Single().Reason, StringComparison.Ordinal);
        f.Write("segments/consent.seg", SegmentFile);
        return f;
    }

    [SkippableFact]
    public void Consented_FollowsTheLatestFactThenTheBaseline_AtEachInstant()
    {
        using var f = Load();

        Assert.Equal(["c1", "c3", "c6", "c8", "c9", "u9"], Members(f, "consented email", AsOf));
        Assert.Equal(["c1", "c3", "c4", "c8", "c9", "u9"], Members(f, "consented email", Between));
        Assert.Equal(["c1", "c2", "c5", "c6", "c8", "c9", "u9"], Members(f, "consented to email", new DateTime(2026, 2, 1, 0, 0, 0, DateTimeKind.Utc)));
        Assert.Equal(["c2", "c4", "c5", "c7"], Members(f, "not consented email", AsOf));
        Assert.Equal(["c9", "u9"], Members(f, "consented push", AsOf));   // u9 has the grant d1 made before signing up
        Assert.Equal(["c8"], Members(f, "consented sms", AsOf));
        Assert.Empty(Members(f, "consented phone", AsOf));
    }

    [SkippableFact]
    public void Profile_StatesEachChannelAsTheLanguageDoes_AndWhatDecidedIt()
    {
        using var f = Load();
        string[] people = ["c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9", "u9"];
        foreach (var at in new[] { AsOf, Between })
        {
            foreach (var channel in new[] { "email", "sms", "push" })
            {
                var members = Members(f, "consented " + channel, at);
                var stated = people.Where(p => Identity.IdentityProfile.Read(f.Warehouse, p, at).Consent.Any(c => c.Channel == channel && c.Consented));
                Assert.Equal(members, stated);
            }
        }

        string Decided(string id, string channel) =>
            Identity.IdentityProfile.Read(f.Warehouse, id, AsOf).Consent.Single(c => c.Channel == channel) is var c ? $"{c.Consented} {c.DecidedBy} {c.DecidedAt}" : "";
        Assert.Equal("True email_opt_in = true ", Decided("c1", "email"));
        Assert.Equal("False email_unsubscribe 2026-03-01T10:00:00Z", Decided("c2", "email"));
        Assert.Equal("False consent_withdrawn 2026-03-01T10:00:00Z", Decided("c5", "email"));
        Assert.Equal("True consent_granted 2026-03-01T10:00:00Z", Decided("u9", "push"));
        Assert.Equal("False nothing ", Decided("c7", "email"));   // its grant comes after the as-of
        Assert.Equal(["email consent_granted 2026-03-20T10:00:00Z"], Identity.IdentityProfile.Read(f.Warehouse, "c7", AsOf).ConsentFacts.Select(x => $"{x.Channel} {x.EventType} {x.OccurredAt}"));
    }

    [SkippableFact]
    public void Export_ForAChannel_KeepsTheConsentingAndSaysHowManyItLeftOut()
    {
        using var f = Load();
        var library = Library(f);
        var path = Path.Combine(f.Dir, "known.csv");
        var (rows, check) = AudienceExport.Write(
            f.Warehouse, library.Compilation, library.Require("known"), Context(AsOf), [], AudienceFormat.Csv, path, ConsentRequest.For("email"));

        Assert.Equal(6, rows);
        Assert.Equal(["c1", "c3", "c6", "c8", "c9", "u9"], File.ReadAllLines(path).Skip(1));
        Assert.Equal([new ConsentLeftOut("known", "email", 4)], check.LeftOut);
    }

    [SkippableFact]
    public void Campaign_DrawsArmsOnlyAmongCustomersWhoConsentedToEveryChannelOfTheirSegment()
    {
        using var f = Load();
        var library = Library(f);
        const string Text = """
            salt: consent-2026
            holdout: 0.5
            segments:
              app_users: { name: app_drop, message: "New in the app", channel: push }
              known: { name: newsletter, message: "Spring", channel: email }
            broadcast: { share: 0.2, message: "10% off", channel: email }
            outcome: { window: 7 days }
            """;

        // app_users need push (their variant) and e-mail (the broadcast): c8 has no push consent; known need e-mail only.
        var assignment = CampaignLauncher.Assign(f.Warehouse, library, CampaignDefinition.Parse("spring.yaml", Text), Context(AsOf));
        Assert.Equal(["c1", "c3", "c6", "c9", "u9"], assignment.CustomerIds);
        Assert.Equal(["known", "known", "known", "app_users", "app_users"], assignment.Segments);
        Assert.True(assignment.Consent.Checked);
        Assert.Equal(
            [new ConsentLeftOut("app_users", "push", 1), new ConsentLeftOut("app_users", "email", 0), new ConsentLeftOut("known", "email", 4)],
            assignment.Consent.LeftOut);

        // The override is explicit and said; an arm without a channel cannot be checked, so the file is refused.
        var ignored = CampaignLauncher.Assign(f.Warehouse, library, CampaignDefinition.Parse("spring.yaml", Text + "\nconsent: ignore\n"), Context(AsOf));
        Assert.Equal(10, ignored.CustomerIds.Length);
        Assert.False(ignored.Consent.Checked);
        Assert.Equal("the campaign file says `consent: ignore`", ignored.Consent.NotCheckedBecause);
        var noChannel = Assert.Throws<ConfigurationException>(() => CampaignDefinition.Parse("spring.yaml", Text.Replace(", channel: push", "", StringComparison.Ordinal)));
        Assert.Contains("arm `app_drop` names no `channel`", noChannel.Message, StringComparison.Ordinal);
        var unknown = Assert.Throws<ConsentException>(() => CampaignLauncher.Assign(f.Warehouse, library, CampaignDefinition.Parse("spring.yaml", Text.Replace("channel: push", "channel: fax", StringComparison.Ordinal)), Context(AsOf)));
        Assert.Contains("unknown consent channel `fax`", unknown.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Persona_SaysWhatShareOfTheMembersEachChannelCanReach()
    {
        using var f = Load();
        var library = Library(f);
        var report = Assert.Single(Personas.PersonaAnalysis.Describe(f.Warehouse, Context(AsOf), Rfm.RfmOptions.Default, [library.Require("app_users")]));

        // Channels with evidence only (a grant or a baseline trait): e-mail, sms and push; phone has none and is not listed.
        Assert.Equal(
            ["email 3/3 of 6/10", "sms 1/3 of 1/10", "push 2/3 of 2/10"],
            report.Reachable!.Select(r => $"{r.Name} {r.Members}/{report.Size} of {Math.Round(r.BaseShare * 10)}/10"));
    }

    private static SegmentLibrary Library(WarehouseFixture f)
    {
        var library = SegmentLibrary.Load(f.Workspace, SegmentLibrary.SchemaOf(f.Warehouse, f.Workspace.Settings));
        Assert.True(library.Compilation.Success, string.Join("\n", library.Compilation.Diagnostics));
        return library;
    }

    private static EvaluationContext Context(DateTime asOf) => new(asOf, TimeZoneInfo.Utc);

    private static List<string> Members(WarehouseFixture f, string condition, DateTime asOf)
    {
        var compilation = SegmentCompiler.Compile($"segment s where {condition}", SegmentSchema.Canonical());
        Assert.True(compilation.Success, string.Join("; ", compilation.Diagnostics));
        var members = new List<string>();
        f.Warehouse.Read(compilation.Find("s")!.Query(f.Dialect, Context(asOf)).Members(), r => members.Add(r.GetString(0)));
        return members.Order(StringComparer.Ordinal).ToList();
    }
}
