using System.Globalization;
using System.Text.Json;
using Segmenta.Clustering;
using Segmenta.Language;
using Segmenta.Numerics;
using Segmenta.Refresh;
using Segmenta.Segments;
using Segmenta.Warehouse;

namespace Segmenta.Insights;

/// <summary>One finding nobody asked for, with its evidence, effect size and false-discovery-controlled significance.</summary>
/// <param name="Kind">growing, shrinking, channel_response, falling_engagement, untapped_cluster or drift.</param>
/// <param name="Subject">The segment (or cluster segment) it is about.</param>
/// <param name="Headline">What was found, for people.</param>
/// <param name="Evidence">The numbers behind it and the test.</param>
/// <param name="Effect">The effect size: a relative change (growth, engagement) or a ratio to everyone else (channel, cluster value).</param>
/// <param name="EffectUnit">relative_change or ratio.</param>
/// <param name="P">The test's two-sided p-value (NaN for drift, a census of every customer with no test).</param>
/// <param name="Q">Benjamini-Hochberg's adjusted p-value over every test of the feed (NaN for drift).</param>
/// <param name="Customers">The customers it is about.</param>
public sealed record Insight(string Kind, string Subject, string Headline, string Evidence, double Effect, string EffectUnit, double P, double Q, long Customers);

/// <summary>A feed: the snapshot it reads, how many hypotheses were tested, those that pass the false discovery rate, ranked.</summary>
/// <param name="AsOf">The snapshot's instant.</param>
/// <param name="PreviousAsOf">The snapshot growth is measured against.</param>
/// <param name="FalseDiscoveryRate">The rate the feed controls (Benjamini-Hochberg).</param>
/// <param name="Tested">Hypotheses tested.</param>
/// <param name="Insights">Those with q at most the rate and the direction the kind is about, largest effect first.</param>
/// <param name="NotChecked">Kinds that could not be checked, and why.</param>
public sealed record InsightFeed(DateTime AsOf, DateTime? PreviousAsOf, double FalseDiscoveryRate, int Tested, IReadOnlyList<Insight> Insights, IReadOnlyList<string> NotChecked);

/// <summary>
/// The automatic insights of the current snapshot (docs/insights.md): every hypothesis of every kind is tested, the p-values
/// are adjusted together by Benjamini-Hochberg, and a finding is reported only when its q-value is within the rate and its
/// effect points the way the kind is about. Kinds: segments that grew or shrank by 5% or more since the previous snapshot
/// (entries against exits, a sign test); segments whose click rate on a channel is far above everyone else's (Welch, ratio at least 1.5);
/// high-value segments whose sessions fell over the last 30 days against the 30 before (paired t-test); clusters of the
/// active model that no rule segment covers (Jaccard below 0.5) and whose members are worth more than the rest (Welch); and,
/// untested, features whose distribution shifted (PSI 0.25 or more) since the previous snapshot.
/// </summary>
public static class InsightAnalysis
{
    /// <summary>Segments smaller than this are not tested (too few to say anything).</summary>
    public const int MinimumCustomers = 30;

    /// <summary>A segment must have grown or shrunk by at least this share to be an insight (fast, not merely significant).</summary>
    public const double MinimumGrowth = 0.05;

    /// <summary>A channel's click rate must be at least this many times everyone else's to be an insight.</summary>
    public const double ChannelRatio = 1.5;

    private static readonly (string Feature, string Channel)[] Channels = [("email_click_rate", "e-mail"), ("ad_click_rate", "ads")];

    private static readonly string[] Sessions = ["sessions"];

    private static readonly string[] Inputs = ["monetary", "sessions", .. Channels.Select(c => c.Feature)];

    /// <summary>Builds the feed of the current snapshot (the latest committed refresh).</summary>
    public static InsightFeed Build(IWarehouse warehouse, SegmentLibrary library, TimeZoneInfo zone, double fdr = 0.05, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        ArgumentNullException.ThrowIfNull(library);
        var run = RefreshRuns.Current(warehouse)
            ?? throw new InsightException("no snapshot yet: insights read the current snapshot of a refresh (segmenta refresh)");
        var report = RefreshRuns.Report(warehouse, run.RunId) is { } json ? JsonSerializer.Deserialize<RefreshReport>(json, RefreshRuns.Json) : null;
        var asOf = run.AsOf;
        var drafts = new List<Draft>();
        var notChecked = new List<string>();
        var inv = CultureInfo.InvariantCulture;

        // Growth: under a stable segment an entry and an exit are equally likely; a sign test on entries against exits.
        if (report?.PreviousAsOf is null)
        {
            notChecked.Add("growing/shrinking: the current snapshot has no previous one to compare with");
        }

        foreach (var s in (report?.Segments ?? []).Where(s => s.PreviousSize >= MinimumCustomers && !s.NewVersion && s.Entered + s.Exited > 0))
        {
            var p = SignTest(s.Entered, s.Entered + s.Exited);
            var change = s.Change ?? 0;
            var kind = change >= 0 ? "growing" : "shrinking";
            drafts.Add(new Draft(kind, s.Segment, p, change, "relative_change", s.Size, Math.Abs(change) >= MinimumGrowth,
                string.Create(inv, $"{s.Segment} {(change >= 0 ? "grew" : "shrank")} {Math.Abs(change):P0} since {Iso(report!.PreviousAsOf!.Value)}"),
                string.Create(inv, $"{s.PreviousSize:N0} → {s.Size:N0} members: {s.Entered:N0} entered, {s.Exited:N0} exited (sign test of entries against exits)")));
        }

        // Members at the snapshot, and the inputs of the other kinds per customer.
        var context = new EvaluationContext(asOf, zone);
        var names = Inputs;
        var columns = warehouse.Columns(Model.TableKind.Customers);
        var now = ClusterInputQuery.Read(warehouse, context, ClusterInputQuery.Resolve(names, columns, numeric: true), []);
        var sessions = ClusterInputQuery.Resolve(Sessions, columns, numeric: true);
        var before = ClusterInputQuery.Read(warehouse, new EvaluationContext(asOf.AddDays(-30), zone), sessions, []).Numeric["sessions"];
        var earlier = ClusterInputQuery.Read(warehouse, new EvaluationContext(asOf.AddDays(-60), zone), sessions, []).Numeric["sessions"];
        cancellation.ThrowIfCancellationRequested();
        var index = now.Customers.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i, StringComparer.Ordinal);
        bool[]? Members(string segment)
        {
            if (SegmentMaterializer.Members(warehouse, segment, asOf) is not { } members || members.At != asOf)
            {
                return null;
            }

            var flags = new bool[now.Customers.Count];
            foreach (var id in members.CustomerIds)
            {
                if (index.TryGetValue(id, out var i))
                {
                    flags[i] = true;
                }
            }

            return flags;
        }

        var rules = library.Compilation.Segments.Where(s => s.File is { } f && !f.StartsWith('(')).Select(s => s.Name).ToList();
        var monetary = now.Numeric["monetary"];
        var baseValue = monetary.Where(v => v is not null).Average(v => v!.Value);
        var ruleMembers = new Dictionary<string, bool[]>(StringComparer.Ordinal);
        foreach (var segment in rules)
        {
            if (Members(segment) is not { } members || members.Count(m => m) is var size && size < MinimumCustomers)
            {
                continue;
            }

            ruleMembers[segment] = members;

            // Channels: the members' click rate against everyone else's.
            foreach (var (feature, channel) in Channels)
            {
                var (inside, outside) = Split(now.Numeric[feature], members);
                if (inside.Count < MinimumCustomers || outside.Count < MinimumCustomers || Moments.Of(outside.ToArray()).Mean <= 0)
                {
                    continue;
                }

                var a = Moments.Of(inside.ToArray());
                var b = Moments.Of(outside.ToArray());
                var welch = Inference.Welch(a, b, 0.95);
                var ratio = a.Mean / b.Mean;
                drafts.Add(new Draft("channel_response", segment, welch.P, ratio, "ratio", size, ratio >= ChannelRatio,
                    string.Create(inv, $"{segment} responds to {channel} {ratio:0.0}x as often as everyone else"),
                    string.Create(inv, $"{feature}: members {a.Mean:P1} (n = {a.Count:N0}) against the rest {b.Mean:P1} (n = {b.Count:N0}); Welch t = {welch.T:0.00}")));
            }

            // Engagement of high-value segments: sessions in the last 30 days against the 30 before, member by member.
            var (value, _) = Split(monetary, members);
            if (value.Count > 0 && value.Average() > baseValue)
            {
                var recent = new List<double>();
                var prior = new List<double>();
                for (var i = 0; i < members.Length; i++)
                {
                    if (members[i] && now.Numeric["sessions"][i] is { } s0 && before[i] is { } s1 && earlier[i] is { } s2)
                    {
                        recent.Add(s0 - s1);
                        prior.Add(s1 - s2);
                    }
                }

                var differences = recent.Zip(prior, (r, p) => r - p).ToArray();
                if (differences.Length >= MinimumCustomers && prior.Sum() > 0)
                {
                    var d = Moments.Of(differences);
                    var t = d.Variance > 0 ? d.Mean / Math.Sqrt(d.Variance / d.Count) : 0;
                    var p = Inference.StudentTwoSidedP(t, d.Count - 1);
                    var change = (recent.Sum() - prior.Sum()) / prior.Sum();
                    drafts.Add(new Draft("falling_engagement", segment, p, change, "relative_change", size, change < 0,
                        string.Create(inv, $"{segment}, worth {value.Average() / baseValue:0.0}x the average customer, visits {-change:P0} less than a month before"),
                        string.Create(inv, $"sessions in the last 30 days {recent.Sum():N0} against {prior.Sum():N0} in the 30 before, {differences.Length:N0} members (paired t = {t:0.00})")));
                }
            }
        }

        // Clusters nobody has a rule segment for, worth more than the rest.
        if (ClusterAnalysis.Active(warehouse) is { } model)
        {
            for (var j = 1; j <= model.K; j++)
            {
                var name = ClusterAnalysis.SegmentName(j);
                if (Members(name) is not { } members || members.Count(m => m) is var size && size < MinimumCustomers)
                {
                    continue;
                }

                var overlap = ruleMembers.Select(r => (Segment: r.Key, Jaccard: Jaccard(members, r.Value))).OrderByDescending(x => x.Jaccard).FirstOrDefault();
                var (inside, outside) = Split(monetary, members);
                if (inside.Count < MinimumCustomers || outside.Count < MinimumCustomers)
                {
                    continue;
                }

                var a = Moments.Of(inside.ToArray());
                var b = Moments.Of(outside.ToArray());
                var welch = Inference.Welch(a, b, 0.95);
                var ratio = b.Mean > 0 ? a.Mean / b.Mean : double.NaN;
                var uncovered = overlap.Segment is null || overlap.Jaccard < 0.5;
                drafts.Add(new Draft("untapped_cluster", name, welch.P, ratio, "ratio", size, uncovered && ratio > 1,
                    string.Create(inv, $"{name}: {size:N0} customers worth {ratio:0.0}x the rest that no segment targets"),
                    string.Create(inv, $"net revenue per member {a.Mean:N2} against {b.Mean:N2} (Welch t = {welch.T:0.00}); closest rule segment {(overlap.Segment is null ? "none" : $"{overlap.Segment} (Jaccard {overlap.Jaccard:0.00})")}")));
            }
        }
        else
        {
            notChecked.Add("untapped_cluster: no cluster model (segmenta cluster)");
        }

        var q = Inference.BenjaminiHochberg([.. drafts.Select(d => d.P)]);
        var insights = drafts.Select((d, i) => (Draft: d, Q: q[i]))
            .Where(x => x.Draft.Interesting && x.Q <= fdr)
            .OrderByDescending(x => Math.Abs(x.Draft.EffectUnit == "ratio" ? Math.Log(x.Draft.Effect) : Math.Log(1 + x.Draft.Effect)))
            .ThenBy(x => x.Q).ThenBy(x => x.Draft.Subject, StringComparer.Ordinal).ThenBy(x => x.Draft.Kind, StringComparer.Ordinal)
            .Select(x => new Insight(x.Draft.Kind, x.Draft.Subject, x.Draft.Headline, x.Draft.Evidence, x.Draft.Effect, x.Draft.EffectUnit, x.Draft.P, x.Q, x.Draft.Customers))
            .ToList();

        // Drift: a feature's distribution over every customer moved (PSI at "significant", 0.25 or more). The snapshots
        // describe the whole base, mostly the same customers twice — a census, not two samples — so there is no test to put
        // under the false discovery rate: these follow the tested findings, largest PSI first.
        insights.AddRange((report?.Features ?? []).Where(f => f.Psi >= PopulationStability.Significant).OrderByDescending(f => f.Psi).ThenBy(f => f.Feature, StringComparer.Ordinal)
            .Select(f => new Insight("drift", f.Feature, string.Create(inv, $"the distribution of {f.Feature} shifted since {Iso(report!.PreviousAsOf!.Value)} (PSI {f.Psi:0.00})"),
                string.Create(inv, $"population stability index {f.Psi:0.000} over the previous snapshot's bins (0.25 or more: significant shift; every customer counted, no sampling)"),
                f.Psi, "psi", double.NaN, double.NaN, now.Customers.Count)));
        return new InsightFeed(asOf, report?.PreviousAsOf, fdr, drafts.Count, insights, notChecked);
    }

    /// <summary>Two-sided sign test: k successes of n at p = ½ (exact up to 1,000 trials, else the normal approximation with continuity correction).</summary>
    internal static double SignTest(long k, long n)
    {
        if (n == 0)
        {
            return 1;
        }

        var tail = Math.Min(k, n - k);
        if (n > 1000)
        {
            var z = (Math.Abs(k - (n / 2.0)) - 0.5) / Math.Sqrt(n / 4.0);
            return Math.Min(1, 2 * (1 - Inference.NormalCdf(Math.Max(0, z))));
        }

        // P(X ≤ tail) for Binomial(n, ½), in logs.
        double sum = 0;
        for (var i = 0; i <= tail; i++)
        {
            sum += Math.Exp(LogChoose(n, i) - (n * Math.Log(2)));
        }

        return Math.Min(1, 2 * sum);
    }

    private static double LogChoose(long n, long k) => SpecialFunctions.LogGamma(n + 1) - SpecialFunctions.LogGamma(k + 1) - SpecialFunctions.LogGamma(n - k + 1);

    private static (List<double> Inside, List<double> Outside) Split(double?[] values, bool[] members)
    {
        var inside = new List<double>();
        var outside = new List<double>();
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i] is { } v)
            {
                (members[i] ? inside : outside).Add(v);
            }
        }

        return (inside, outside);
    }

    private static double Jaccard(bool[] a, bool[] b)
    {
        long both = 0, either = 0;
        for (var i = 0; i < a.Length; i++)
        {
            both += a[i] && b[i] ? 1 : 0;
            either += a[i] || b[i] ? 1 : 0;
        }

        return either == 0 ? 0 : (double)both / either;
    }

    private static string Iso(DateTime t) => t.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private sealed record Draft(string Kind, string Subject, double P, double Effect, string EffectUnit, long Customers, bool Interesting, string Headline, string Evidence);
}

/// <summary>Insights cannot be built: there is no snapshot yet.</summary>
public sealed class InsightException(string message) : SegmentaException(message, FailureKind.NotFound);
