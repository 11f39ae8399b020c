using System.Globalization;
using Segmenta.Campaigns;
using Segmenta.Language;
using Segmenta.Model;
using Segmenta.Segments;
using Segmenta.Testing;
using Segmenta.Workspaces;
using Xunit;

namespace Segmenta.Contracts;

/// <summary>
/// Campaigns on a backend, on the Hillstrom e-mail experiment: its recorded arms imported as a campaign
/// reproduce the published per-arm figures and an independent Welch t test; a hash-assigned campaign on
/// the same customers is frozen at launch and assigns exactly as the documented hash says.
/// </summary>
public abstract class CampaignContract
{
    private const string File = "Kevin_Hillstrom_MineThatData_E-MailAnalytics_DataMiningChallenge_2008.03.20.csv";

    private protected abstract Backend Backend { get; }

    [SkippableFact]
    public void Hillstrom_RecordedArms_ReproduceThePublishedFiguresAndWelch()
    {
        using var f = Load();
        var library = Library(f);
        var definition = CampaignDefinition.Load(TestPaths.Sample("hillstrom/hillstrom.yaml"));
        var launched = CampaignLauncher.Launch(f.Warehouse, library, definition, Context(new DateTime(2008, 1, 1)), DateTime.UtcNow, out var assignment);
        Assert.Equal(64_000, launched.Customers);
        Assert.Equal(0, assignment.InSeveral);
        Assert.Equal(0, assignment.Outside);
        Assert.False(assignment.Consent.Checked);   // the experiment's contacts were made already
        Assert.StartsWith("the arms were recorded by an experiment run elsewhere", assignment.Consent.NotCheckedBecause, StringComparison.Ordinal);
        var result = CampaignMeasurement.Measure(f.Warehouse, launched, TimeZoneInfo.Utc, new MeasureOptions());
        Assert.True(result.WindowComplete);

        // Hillstrom (MineThatData, 2008): visit 18.28% / 15.14% / 10.62%, conversion 1.25% / 0.88% / 0.57%,
        // spend per customer $1.42 / $1.08 / $0.65 for the men's e-mail, the women's e-mail and no e-mail.
        var rows = Rows();
        var overall = result.Arms.Where(a => a.Segment == CampaignMeasurement.Overall).ToDictionary(a => a.Arm);
        (string Arm, string Value, int N, double Visit, double Conversion, double Spend)[] published =
        [
            ("Mens E-Mail", "Mens E-Mail", 21_307, 0.1828, 0.0125, 1.42),
            ("Womens E-Mail", "Womens E-Mail", 21_387, 0.1514, 0.0088, 1.08),
            (CampaignDefinition.HoldoutArm, "No E-Mail", 21_306, 0.1062, 0.0057, 0.65),
        ];
        foreach (var p in published)
        {
            var arm = overall[p.Arm];
            Assert.Equal(p.N, arm.Recipients);
            Assert.Equal(p.Visit, arm.VisitRate, 0.00005);
            Assert.Equal(p.Conversion, arm.ConversionRate, 0.00005);
            Assert.Equal(p.Spend, arm.RevenuePerRecipient, 0.005);
            var data = rows.Where(r => r.Arm == p.Value).ToList();
            Assert.Equal(data.Sum(r => r.Spend), arm.Revenue, 1e-6);
            Assert.Equal(data.Count(r => r.Visit), arm.Visited);
        }

        // Welch's t test, computed here from the file: the lift, t, degrees of freedom and p agree (p as
        // scipy.stats.ttest_ind(equal_var=False) prints it: 1.1638e-07 men's, 1.1294e-03 women's).
        var control = rows.Where(r => r.Arm == "No E-Mail").ToList();
        foreach (var (arm, scipyP) in new[] { ("Mens E-Mail", 1.1638149682254859e-07), ("Womens E-Mail", 0.0011293971023632519) })
        {
            var treated = rows.Where(r => r.Arm == arm).ToList();
            var comparison = result.Comparisons.Single(c => c.Segment == CampaignMeasurement.Overall && c.Arm == arm);
            var (t, df, difference) = Welch([.. treated.Select(r => r.Spend)], [.. control.Select(r => r.Spend)]);
            var revenue = comparison.RevenuePerRecipient;
            Assert.Equal(difference, revenue.Difference, 1e-9);
            Assert.Equal(t, revenue.Welch.T, 1e-9);
            Assert.Equal(df, revenue.Welch.DegreesOfFreedom, 1e-6);
            Assert.Equal(scipyP, revenue.P, scipyP * 1e-4);
            Assert.True(revenue.Interval.Low > 0, "the e-mail raised spend");

            // Visits and conversions: the same decision as Welch's test on the 0/1 outcomes, and log p within 10%
            // (the product's pooled z test and Welch's unpooled t differ a little on 0/1 data).
            foreach (var (lift, select) in new (ProportionLift, Func<(string Arm, bool Visit, bool Conversion, double Spend, bool Mens, bool Womens), double>)[]
                     {
                         (comparison.Visit, r => r.Visit ? 1 : 0),
                         (comparison.Conversion, r => r.Conversion ? 1 : 0),
                     })
            {
                var (tb, dfb, db) = Welch([.. treated.Select(select)], [.. control.Select(select)]);
                var welchP = StudentTwoSided(tb, dfb);
                Assert.Equal(db, lift.Difference, 1e-12);
                Assert.True(lift.Interval.Low > 0 && welchP < 0.001);
                Assert.InRange(Math.Log(lift.P) / Math.Log(welchP), 0.9, 1.1);
            }
        }

        // By the data's own segments: the men's e-mail raised spend in all three (Holm-adjusted); the
        // women's e-mail only among customers who bought women's merchandise only.
        bool Works(string segment, string arm) =>
            result.Comparisons.Single(c => c.Segment == segment && c.Arm == arm && c.Against == CampaignDefinition.HoldoutArm).RevenuePerRecipient.AdjustedP < 0.05;
        Assert.True(Works("mens_only", "Mens E-Mail") && Works("womens_only", "Mens E-Mail") && Works("mens_and_womens", "Mens E-Mail"));
        Assert.True(Works("womens_only", "Womens E-Mail"));
        Assert.False(Works("mens_only", "Womens E-Mail"));
        Assert.False(Works("mens_and_womens", "Womens E-Mail"));
        foreach (var segment in new[] { "mens_only", "womens_only", "mens_and_womens" })
        {
            var comparisons = result.Comparisons.Where(c => c.Segment == segment).ToList();
            Assert.All(comparisons, c => Assert.True(c.RevenuePerRecipient.AdjustedP >= c.RevenuePerRecipient.P));
        }

        // The campaign's incremental revenue is the sum over segments of lift × recipients.
        var strata = result.Comparisons.Where(c => c.Segment != CampaignMeasurement.Overall).ToList();
        Assert.Equal(strata.Sum(c => c.IncrementalRevenue), result.Totals.IncrementalRevenue!.Value, 1e-6);
        Assert.Equal(42_694, result.Totals.Contacts);
    }

    [SkippableFact]
    public void HashCampaign_Hillstrom_AssignsByTheDocumentedHashAndFreezesTheAudience()
    {
        using var f = Load();
        var library = Library(f);
        var definition = CampaignDefinition.Parse("spring.yaml", """
            salt: spring-2008
            consent: ignore
            holdout: 0.2
            segments:
              mens_and_womens: { message: "Everything new", channel: email, cost_per_contact: 0.05 }
              womens_only: { message: "New for her", channel: email }
              mens_only: { message: "New for him", channel: email }
            broadcast: { share: 0.3, message: "New season" }
            costs: { fixed: 100, per_contact: 0.02, per_redemption: 1 }
            outcome: { window: 14 days }
            """);
        var context = Context(new DateTime(2008, 1, 1));
        // Planned with the two weeks of outcomes as the base rate (the file has no earlier events).
        var plan = CampaignPlanner.Plan(f.Warehouse, library, definition, Context(new DateTime(2008, 1, 15)), 0.05, 0.8, 0.2);
        var launched = CampaignLauncher.Launch(f.Warehouse, library, definition, context, DateTime.UtcNow, out var assignment);
        Assert.Equal(64_000, launched.Customers);

        // Every customer's arm is the documented function of sha256(salt:id); every segment gets each arm in proportion.
        var stored = new Dictionary<string, (string Segment, string Arm)>();
        f.Warehouse.Read(new Sql.SqlStatement("SELECT customer_id, segment, arm FROM campaign_assignments WHERE campaign = 'spring'", []), r => stored[r.GetString(0)] = (r.GetString(1), r.GetString(2)));
        Assert.Equal(64_000, stored.Count);
        foreach (var (id, (segment, arm)) in stored)
        {
            var u = CampaignLauncher.Bucket("spring-2008", id);
            Assert.Equal(u < 0.2 ? "holdout" : u < 0.5 ? "broadcast" : segment, arm);
        }

        foreach (var segment in plan.Segments)
        {
            Assert.InRange((double)segment.Holdout / segment.Customers, 0.18, 0.22);
            Assert.InRange((double)segment.Broadcast / segment.Customers, 0.28, 0.32);
            Assert.Equal(stored.Values.Count(v => v.Segment == segment.Segment && v.Arm == "holdout"), segment.Holdout);
            Assert.InRange(segment.BaseRate, 0.004, 0.03);
            Assert.True(segment.DetectableVsHoldout > 0 && segment.PowerAtTarget is > 0 and < 1, segment.ToString());
        }

        // Frozen: launching again is refused, whatever the segments say now.
        Assert.Throws<CampaignLaunchedException>(() => CampaignLauncher.Launch(f.Warehouse, library, definition, context, DateTime.UtcNow, out _));

        // Money: contacts at their variant's price, redemptions, and the fixed cost once.
        var result = CampaignMeasurement.Measure(f.Warehouse, launched, TimeZoneInfo.Utc, new MeasureOptions(BootstrapReplicates: 200));
        var treated = result.Arms.Where(a => a.Segment != CampaignMeasurement.Overall && a.Arm != "holdout").ToList();
        var expected = 100m
            + (0.05m * stored.Values.Count(v => v.Arm == "mens_and_womens"))
            + (0.02m * stored.Values.Count(v => v.Arm is "womens_only" or "mens_only" or "broadcast"))
            + treated.Sum(a => a.Converted);
        Assert.Equal((double)expected, result.Totals.Cost, 1e-6);
        Assert.Equal(stored.Values.Count(v => v.Arm != "holdout"), result.Totals.Contacts);
        Assert.Contains(result.Comparisons, c => c.Against == "broadcast" && c.Segment == "womens_only" && c.Arm == "womens_only");
    }

    private WarehouseFixture Load()
    {
        var f = new WarehouseFixture(Backend, new WorkspaceSettings());
        var data = TestPaths.DataFile(File);
        f.Ingest(TableKind.Customers, data, TestPaths.Sample("hillstrom/customers.yaml"));
        var visits = f.Ingest(TableKind.Events, data, TestPaths.Sample("hillstrom/visits.yaml"));
        var purchases = f.Ingest(TableKind.Events, data, TestPaths.Sample("hillstrom/purchases.yaml"));
        Assert.Equal(64_000, visits.Read);
        Assert.Equal(64_000 - visits.Loaded, visits.Skipped);
        Assert.Equal(0, visits.Quarantined + purchases.Quarantined);
        Directory.CreateDirectory(Path.Combine(f.Workspace.Root, Workspace.SegmentsFolder));
        System.IO.File.Copy(TestPaths.Sample("hillstrom/segments.seg"), Path.Combine(f.Workspace.Root, Workspace.SegmentsFolder, "hillstrom.seg"), overwrite: true);
        return f;
    }

    private static SegmentLibrary Library(WarehouseFixture f)
    {
        var library = SegmentLibrary.Load(f.Workspace, SegmentLibrary.SchemaOf(f.Warehouse, f.Workspace.Settings));
        Assert.True(library.Compilation.Success, string.Join("\n", library.Compilation.Diagnostics));
        return library;
    }

    private static EvaluationContext Context(DateTime asOf) => new(DateTime.SpecifyKind(asOf, DateTimeKind.Utc), TimeZoneInfo.Utc);

    private static List<(string Arm, bool Visit, bool Conversion, double Spend, bool Mens, bool Womens)> Rows() =>
        // history_segment "7) $1,000 +" is quoted and holds a comma: the other columns are read from the end.
        System.IO.File.ReadLines(TestPaths.DataFile(File)).Skip(1).Select(l => l.Split(','))
            .Select(c => (c[^4], c[^3] == "1", c[^2] == "1", double.Parse(c[^1], CultureInfo.InvariantCulture), c[^9] == "1", c[^8] == "1"))
            .ToList();

    /// <summary>Welch's t statistic, degrees of freedom and difference of means, from the textbook formulas.</summary>
    private static (double T, double Df, double Difference) Welch(double[] a, double[] b)
    {
        static (double Mean, double Variance) Of(double[] x)
        {
            var mean = x.Average();
            return (mean, x.Sum(v => (v - mean) * (v - mean)) / (x.Length - 1));
        }

        var (ma, va) = Of(a);
        var (mb, vb) = Of(b);
        var sa = va / a.Length;
        var sb = vb / b.Length;
        return ((ma - mb) / Math.Sqrt(sa + sb), (sa + sb) * (sa + sb) / ((sa * sa / (a.Length - 1)) + (sb * sb / (b.Length - 1))), ma - mb);
    }

    /// <summary>Two-sided p of Student's t by Simpson's rule on the density (independent of the product's incomplete beta).</summary>
    private static double StudentTwoSided(double t, double df)
    {
        var logC = LogGamma((df + 1) / 2) - LogGamma(df / 2) - (0.5 * Math.Log(df * Math.PI));
        double Density(double x) => Math.Exp(logC - ((df + 1) / 2 * Math.Log(1 + (x * x / df))));
        var upper = Math.Abs(t) + 60;
        const int Steps = 200_000;
        var h = (upper - Math.Abs(t)) / Steps;
        var sum = Density(Math.Abs(t)) + Density(upper);
        for (var i = 1; i < Steps; i++)
        {
            sum += Density(Math.Abs(t) + (i * h)) * (i % 2 == 1 ? 4 : 2);
        }

        return 2 * sum * h / 3;
    }

    private static double LogGamma(double x)
    {
        // Stirling's series with a shift: ample for the large arguments here (df / 2 > 10,000).
        var shift = 0.0;
        while (x < 10)
        {
            shift -= Math.Log(x);
            x++;
        }

        return shift + ((x - 0.5) * Math.Log(x)) - x + (0.5 * Math.Log(2 * Math.PI)) + (1 / (12 * x)) - (1 / (360 * x * x * x));
    }
}
