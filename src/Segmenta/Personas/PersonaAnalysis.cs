using Segmenta.Clv;
using Segmenta.Uplift;
using System.Globalization;
using Segmenta.Features;
using Segmenta.Language;
using Segmenta.Model;
using Segmenta.Numerics;
using Segmenta.Rfm;
using Segmenta.Segments;
using Segmenta.Sql;
using Segmenta.Warehouse;

namespace Segmenta.Personas;

/// <summary>A numeric trait or behavior of a segment beside the whole base.</summary>
/// <param name="Name">The feature or trait.</param>
/// <param name="Unit">Its unit (features.md).</param>
/// <param name="Present">Members with a value.</param>
/// <param name="Mean">The members' mean (NaN when none has a value).</param>
/// <param name="Median">The members' median.</param>
/// <param name="BaseMean">Every customer's mean.</param>
/// <param name="BaseMedian">Every customer's median.</param>
/// <param name="Index">100 × mean ÷ base mean: 100 is typical, 150 half as much again (NaN when the base mean is 0).</param>
/// <param name="Difference">(mean − base mean) ÷ the base's standard deviation: how distinctive, in comparable units (0 when the base does not vary).</param>
public sealed record PersonaMeasure(string Name, string Unit, long Present, double Mean, double Median, double BaseMean, double BaseMedian, double Index, double Difference);

/// <summary>A level of a categorical trait among a segment's members beside the whole base.</summary>
/// <param name="Trait">The trait (gender, country, preferred_channel, …).</param>
/// <param name="Level">The value.</param>
/// <param name="Members">Members with it (the support).</param>
/// <param name="Share">Their share of the members.</param>
/// <param name="BaseShare">Its share of every customer.</param>
/// <param name="Lift">Share ÷ base share.</param>
/// <param name="PValue">Two-sided p-value of the two-proportion z-test, members against the other customers.</param>
/// <param name="Label">A name for people, where the level is a code (a product's description).</param>
public sealed record PersonaLevel(string Trait, string Level, long Members, double Share, double BaseShare, double Lift, double PValue, string? Label = null);

/// <summary>A share of the members beside the same share of the base (a channel, an RFM segment).</summary>
public sealed record PersonaShare(string Name, long Members, double Share, double BaseShare);

/// <summary>What the stored CLV predictions say about a segment's members.</summary>
/// <param name="ModelVersion">The CLV fit the predictions came from.</param>
/// <param name="HistoryEnd">The last day of the histories they condition on.</param>
/// <param name="Predicted">Members with a prediction (those who bought by the history's end).</param>
/// <param name="TotalValue">The sum of their predicted values.</param>
/// <param name="ShareOfValue">Its share of every customer's predicted value.</param>
/// <param name="MeanValue">Mean predicted value per predicted member.</param>
/// <param name="BaseMeanValue">The same over every customer with a prediction.</param>
/// <param name="MeanProbabilityAlive">Mean P(alive) of the predicted members.</param>
/// <param name="BaseMeanProbabilityAlive">The same over every customer with a prediction.</param>
/// <param name="LikelyInactive">Predicted members with P(alive) below 0.5.</param>
/// <param name="Warnings">The CLV model's warnings: what qualifies these numbers.</param>
/// <param name="ProbabilityAliveInformative">False when the model's P(alive) collapsed (almost everyone near 1): then neither P(alive) nor "likely inactive" says anything.</param>
public sealed record PersonaLifetime(
    int ModelVersion,
    DateOnly HistoryEnd,
    long Predicted,
    double TotalValue,
    double ShareOfValue,
    double MeanValue,
    double BaseMeanValue,
    double MeanProbabilityAlive,
    double BaseMeanProbabilityAlive,
    long LikelyInactive,
    IReadOnlyList<string>? Warnings = null,
    bool ProbabilityAliveInformative = true);

/// <summary>
/// How the members respond to contact by one campaign's uplift model (docs/uplift.md): the four quadrants among them beside
/// everyone scored, and their mean predicted conversion uplift.
/// </summary>
/// <param name="Campaign">The campaign.</param>
/// <param name="ModelVersion">The uplift model.</param>
/// <param name="Scored">Members with a score.</param>
/// <param name="Quadrants">Persuadables, sure things, lost causes, sleeping dogs: members and shares beside everyone scored.</param>
/// <param name="MeanConversionUplift">The members' mean predicted conversion uplift.</param>
/// <param name="BaseMeanConversionUplift">Everyone scored.</param>
/// <param name="RankingInformative">Whether the model's conversion ranking beat chance on held-out customers; when not, the quadrants are the model's guess, not evidence.</param>
public sealed record PersonaUplift(string Campaign, int ModelVersion, long Scored, IReadOnlyList<PersonaShare> Quadrants, double MeanConversionUplift, double BaseMeanConversionUplift, bool RankingInformative);

/// <summary>A segment described as a persona (docs/personas.md).</summary>
/// <param name="Segment">The segment's name.</param>
/// <param name="Title">Its title, if any.</param>
/// <param name="AsOf">The instant described.</param>
/// <param name="Size">Members.</param>
/// <param name="Customers">All customers.</param>
/// <param name="Revenue">The members' net revenue before as-of (purchases less refunds: the monetary feature).</param>
/// <param name="BaseRevenue">Every customer's.</param>
/// <param name="Name">A generated name from the most distinctive traits, such as "Young app-first high-spenders".</param>
/// <param name="NameReasons">What each word of the name stands for.</param>
/// <param name="Strategy">The playbook's suggestion.</param>
/// <param name="StrategyReason">Which playbook rule chose it.</param>
/// <param name="Measures">Every numeric trait and behavior, most distinctive first.</param>
/// <param name="OverIndexing">Levels that over-index (lift, support and significance; docs/personas.md), highest lift first.</param>
/// <param name="Channels">Preferred purchase channels, the members' most common first.</param>
/// <param name="RfmMix">RFM segments of the members, in the score map's order, then those without purchases.</param>
/// <param name="Lifetime">Predicted lifetime value and P(alive) of the members, once <c>segmenta clv</c> has stored predictions (else null).</param>
/// <param name="Buys">What the members buy more than everyone: the categories (or, without categories, the products) bought by a
/// larger share of members than of all customers, with lift and Bonferroni-tested significance, highest lift first.</param>
/// <param name="Uplift">Per campaign with an uplift model, how the members respond to contact (quadrants); empty without one.</param>
/// <param name="Reachable">Per consent channel the data knows (a grant event or a baseline trait), the members who consented to
/// it at the as-of beside the share of all customers (docs/identity.md): whom a campaign on that channel can reach.</param>
public sealed record PersonaReport(
    string Segment,
    string? Title,
    DateTime AsOf,
    long Size,
    long Customers,
    decimal Revenue,
    decimal BaseRevenue,
    string Name,
    IReadOnlyList<string> NameReasons,
    string Strategy,
    string StrategyReason,
    IReadOnlyList<PersonaMeasure> Measures,
    IReadOnlyList<PersonaLevel> OverIndexing,
    IReadOnlyList<PersonaShare> Channels,
    IReadOnlyList<PersonaShare> RfmMix,
    PersonaLifetime? Lifetime = null,
    IReadOnlyList<PersonaLevel>? Buys = null,
    IReadOnlyList<PersonaShare>? Reachable = null,
    IReadOnlyList<PersonaUplift>? Uplift = null)
{
    /// <summary>Members as a share of all customers.</summary>
    public double ShareOfCustomers => Customers == 0 ? 0 : (double)Size / Customers;

    /// <summary>Members' revenue as a share of all revenue (0 when there is none).</summary>
    public double ShareOfRevenue => BaseRevenue <= 0 ? 0 : (double)(Revenue / BaseRevenue);

    /// <summary>A measure by name.</summary>
    public PersonaMeasure? Measure(string name) => Measures.FirstOrDefault(m => m.Name == name);
}

/// <summary>
/// Personas for any segments: every customer's features, traits and RFM segment are read once at the
/// as-of, each segment's members once, and each segment is compared with the whole base.
/// </summary>
public static class PersonaAnalysis
{
    /// <summary>The numeric traits and behaviors described.</summary>
    public static IReadOnlyList<string> NumericInputs { get; } =
    [
        "age", "income", "tenure_days", "recency_days", "frequency", "monetary", "avg_order_value", "avg_days_between_purchases", "refund_rate",
        "email_open_rate", "email_click_rate", "ad_click_rate", "sessions", "avg_session_seconds",
    ];

    /// <summary>The categorical traits tested for over-indexing.</summary>
    public static IReadOnlyList<string> CategoricalInputs { get; } = ["gender", "country", "city", "preferred_channel", "top_category"];

    /// <summary>The fewest members with a level for it to count as over-indexing.</summary>
    public const int MinimumSupport = 10;

    /// <summary>The smallest share of members buying a category or product for it to describe them (a rare item bought by a few is no trait of the segment).</summary>
    public const double MinimumBuyShare = 0.05;

    /// <summary>The smallest lift that counts as over-indexing.</summary>
    public const double MinimumLift = 1.2;

    /// <summary>The family-wise significance level, split over every level tested (Bonferroni).</summary>
    public const double Significance = 0.05;

    /// <summary>The label of members without an RFM segment (no purchase before as-of) in the RFM mix.</summary>
    public const string NoPurchases = "(no purchases)";

    /// <summary>The label of members without a kept order but with refunds: they cancelled all they ordered, or bought before the data begin.</summary>
    public const string RefundsOnly = "(refunds or cancellations only)";

    /// <summary>The unit of a computed trait's measure.</summary>
    public const string ComputedTraitUnit = "computed trait";

    /// <summary>
    /// Describes each segment at the context's as-of. Computed traits (<paramref name="traits"/>) are described like the
    /// built-in inputs: a number as a measure, text as a categorical trait tested for over-indexing.
    /// </summary>
    public static IReadOnlyList<PersonaReport> Describe(IWarehouse warehouse, EvaluationContext context, RfmOptions rfm, IReadOnlyList<SegmentDefinition> segments, IReadOnlyList<ComputedTrait>? traits = null)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(rfm);
        ArgumentNullException.ThrowIfNull(segments);
        var population = Population.Read(warehouse, context, rfm, traits ?? []);
        return segments.Select(segment =>
        {
            var members = new bool[population.Count];
            warehouse.Read(segment.Query(warehouse.Dialect, context).Members(), r =>
            {
                if (population.Index.TryGetValue(r.GetString(0), out var i))
                {
                    members[i] = true;
                }
            });
            return population.Describe(segment.Name, segment.Title, context.AsOf, members, rfm);
        }).ToList();
    }

    /// <summary>Every customer's inputs, read once, column by column.</summary>
    private sealed class Population
    {
        private Population(List<string> ids, IReadOnlyList<string> numericNames, double?[][] numeric, IReadOnlyList<string> categoricalNames, string?[][] categorical, decimal[] revenue, string?[] rfm, Predictions? predictions, Purchases? purchases, IReadOnlyList<(string Channel, bool[] Consenting)> reachable, IReadOnlyList<UpliftScores> uplift)
        {
            Uplift = uplift;
            Reachable = reachable;
            NumericNames = numericNames;
            CategoricalNames = categoricalNames;
            Bought = purchases;
            Lifetimes = predictions;
            Count = ids.Count;
            Index = ids.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i, StringComparer.Ordinal);
            Numeric = numeric;
            Revenue = revenue;
            Rfm = rfm;
            Stats = numeric.Select(Describe).ToArray();
            Levels = [.. categorical.Select(column => column.OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray())];
            Codes = [.. categorical.Select((column, c) =>
            {
                var code = Levels[c].Select((level, k) => (level, k)).ToDictionary(x => x.level, x => x.k, StringComparer.Ordinal);
                return column.Select(v => v is null ? -1 : code[v]).ToArray();
            })];
            LevelCounts = [.. Codes.Select((codes, c) =>
            {
                var counts = new long[Levels[c].Length];
                foreach (var k in codes.Where(k => k >= 0))
                {
                    counts[k]++;
                }

                return counts;
            })];
            BaseRevenue = revenue.Sum();
            RfmCounts = rfm.GroupBy(s => s ?? PersonaAnalysis.NoPurchases, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.LongCount(), StringComparer.Ordinal);
        }

        public int Count { get; }

        /// <summary>The numeric inputs' names: <see cref="NumericInputs"/>, then the numeric computed traits.</summary>
        private IReadOnlyList<string> NumericNames { get; }

        /// <summary>The categorical inputs' names: <see cref="CategoricalInputs"/>, then the text computed traits.</summary>
        private IReadOnlyList<string> CategoricalNames { get; }

        /// <summary>Who bought each category or product, or null when purchases carry neither.</summary>
        private Purchases? Bought { get; }

        /// <summary>Per campaign with an uplift model, its stored scores in customer order.</summary>
        private IReadOnlyList<UpliftScores> Uplift { get; }

        /// <summary>Per consent channel the data knows, who consented at the as-of, in customer order.</summary>
        private IReadOnlyList<(string Channel, bool[] Consenting)> Reachable { get; }

        public Dictionary<string, int> Index { get; }

        /// <summary>Each customer's stored value and P(alive) (NaN without a prediction), or null before any.</summary>
        private Predictions? Lifetimes { get; }

        private double?[][] Numeric { get; }

        /// <summary>Per categorical input, its levels in ordinal order.</summary>
        private string[][] Levels { get; }

        /// <summary>Per categorical input, each customer's level as its position in <see cref="Levels"/> (-1: none).</summary>
        private int[][] Codes { get; }

        /// <summary>Per categorical input, every customer's count of each level.</summary>
        private long[][] LevelCounts { get; }

        private decimal[] Revenue { get; }

        private string?[] Rfm { get; }

        private (long Present, double Mean, double Median, double Deviation)[] Stats { get; }

        private decimal BaseRevenue { get; }

        /// <summary>Every customer's RFM segment, counted once (those without purchases under <see cref="NoPurchases"/>).</summary>
        private Dictionary<string, long> RfmCounts { get; }

        public static Population Read(IWarehouse warehouse, EvaluationContext context, RfmOptions options, IReadOnlyList<ComputedTrait> traits)
        {
            var ids = new List<string>();
            var numeric = NumericInputs.Select(_ => new List<double?>()).ToArray();
            var categorical = CategoricalInputs.Select(_ => new List<string?>()).ToArray();
            var revenue = new List<decimal>();
            var rfm = new List<string?>();
            context = OrderSummary.Prepare(warehouse, context);
            warehouse.Read(PersonaSql.Population(warehouse.Dialect, context, options, NumericInputs, CategoricalInputs), r =>
            {
                ids.Add(r.GetString(0));
                var c = 1;
                foreach (var column in numeric)
                {
                    column.Add(r.IsDBNull(c) ? null : r.GetDouble(c));
                    c++;
                }

                foreach (var column in categorical)
                {
                    column.Add(r.IsDBNull(c) ? null : Convert.ToString(r.GetValue(c), CultureInfo.InvariantCulture));
                    c++;
                }

                revenue.Add(r.IsDBNull(c) ? 0 : Convert.ToDecimal(r.GetValue(c), CultureInfo.InvariantCulture));

                // Without a kept order a customer has no RFM segment; one with refunds is no prospect, though: they bought
                // before the data begin, or cancelled everything they ordered.
                rfm.Add(!r.IsDBNull(c + 2) ? r.GetString(c + 2) : !r.IsDBNull(c + 1) && Convert.ToInt64(r.GetValue(c + 1), CultureInfo.InvariantCulture) > 0 ? RefundsOnly : null);
            });

            // Rows arrive in the database's order; customer-id order makes every sum below run the same way each time.
            var order = Enumerable.Range(0, ids.Count).OrderBy(i => ids[i], StringComparer.Ordinal).ToArray();
            List<string> sorted = [.. order.Select(i => ids[i])];
            var (numericTraits, textTraits) = TraitColumns(warehouse, context, traits, sorted);
            return new Population(
                sorted,
                [.. NumericInputs, .. numericTraits.Select(t => t.Name)],
                [.. numeric.Select(col => order.Select(i => col[i]).ToArray()), .. numericTraits.Select(t => t.Values)],
                [.. CategoricalInputs, .. textTraits.Select(t => t.Name)],
                [.. categorical.Select(col => order.Select(i => col[i]).ToArray()), .. textTraits.Select(t => t.Values)],
                [.. order.Select(i => revenue[i])],
                [.. order.Select(i => rfm[i])],
                Predictions.Read(warehouse, sorted),
                Purchases.Read(warehouse, context, sorted),
                Consenting(warehouse, context, sorted),
                [.. UpliftAnalysis.Active(warehouse).Select(m => UpliftScores.Read(warehouse, m, sorted))]);
        }

        /// <summary>
        /// Who consented to each channel the data knows — one with a baseline trait or a grant before the as-of — by the
        /// language's own <c>consented CHANNEL</c>, so a persona counts exactly whom a campaign on that channel may contact.
        /// </summary>
        private static List<(string Channel, bool[] Consenting)> Consenting(IWarehouse warehouse, EvaluationContext context, List<string> ids)
        {
            var customers = warehouse.Columns(TableKind.Customers);
            var granted = new HashSet<string>(StringComparer.Ordinal);
            warehouse.Read(PersonaSql.GrantedChannels(warehouse.Dialect, context.AsOf), r => granted.Add(r.GetString(0)));
            var schema = new SegmentSchema(customers, warehouse.Columns(TableKind.Events), CanonicalModel.StandardEventTypes);
            var index = ids.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i, StringComparer.Ordinal);
            var result = new List<(string, bool[])>();
            foreach (var channel in Consent.Channels(customers))
            {
                if (!granted.Contains(channel) && Consent.Baseline(customers, channel) is null)
                {
                    continue;
                }

                var consenting = new bool[ids.Count];
                foreach (var id in Segments.ConsentFilter.Consenting(warehouse, schema, channel, context))
                {
                    if (index.TryGetValue(id, out var at))
                    {
                        consenting[at] = true;
                    }
                }

                result.Add((channel, consenting));
            }

            return result;
        }

        /// <summary>The numeric and the text computed traits' values, in <paramref name="ids"/>' order (other types are not described).</summary>
        private static (List<(string Name, double?[] Values)> Numeric, List<(string Name, string?[] Values)> Text) TraitColumns(
            IWarehouse warehouse, EvaluationContext context, IReadOnlyList<ComputedTrait> traits, List<string> ids)
        {
            var described = traits.Where(t => t.Type is FieldType.Integer or FieldType.Number or FieldType.Text).ToList();
            var numeric = described.Where(t => t.Type != FieldType.Text).Select(t => (t.Name, Values: new double?[ids.Count])).ToList();
            var text = described.Where(t => t.Type == FieldType.Text).Select(t => (t.Name, Values: new string?[ids.Count])).ToList();
            if (described.Count == 0)
            {
                return (numeric, text);
            }

            var index = ids.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i, StringComparer.Ordinal);
            warehouse.Read(SegmentSql.TraitValues(warehouse.Dialect, described, context), r =>
            {
                var at = index[r.GetString(0)];
                int n = 0, t = 0;
                for (var c = 0; c < described.Count; c++)
                {
                    if (described[c].Type == FieldType.Text)
                    {
                        text[t++].Values[at] = r.IsDBNull(c + 1) ? null : r.GetString(c + 1);
                    }
                    else
                    {
                        var value = r.IsDBNull(c + 1) ? (double?)null : r.GetDouble(c + 1);
                        numeric[n++].Values[at] = value is { } v && double.IsFinite(v) ? v : null;
                    }
                }
            });
            return (numeric, text);
        }

        private static (long Present, double Mean, double Median, double Deviation) Describe(double?[] values) =>
            Describe(Array.ConvertAll(Array.FindAll(values, v => v.HasValue), v => v!.Value));

        /// <summary>Count, mean, median and standard deviation of the values present, in customer order.</summary>
        private static (long Present, double Mean, double Median, double Deviation) Describe(double[] present)
        {
            if (present.Length == 0)
            {
                return (0, double.NaN, double.NaN, 0);
            }

            var mean = present.Average();
            var deviation = Math.Sqrt(present.Sum(v => (v - mean) * (v - mean)) / present.Length);
            Array.Sort(present);
            return (present.Length, mean, Statistics.Quantile(present, 0.5), deviation);
        }

        public PersonaReport Describe(string segment, string? title, DateTime asOf, bool[] members, RfmOptions options)
        {
            var size = members.LongCount(m => m);
            var revenue = 0m;
            var rfmMembers = new Dictionary<string, long>(StringComparer.Ordinal);
            for (var i = 0; i < Count; i++)
            {
                if (members[i])
                {
                    revenue += Revenue[i];
                    var key = Rfm[i] ?? NoPurchases;
                    rfmMembers[key] = rfmMembers.GetValueOrDefault(key) + 1;
                }
            }

            var measures = new List<PersonaMeasure>();
            var values = new List<double>(Count);
            for (var c = 0; c < NumericNames.Count; c++)
            {
                values.Clear();
                var column = Numeric[c];
                for (var i = 0; i < Count; i++)
                {
                    if (members[i] && column[i] is { } v)
                    {
                        values.Add(v);
                    }
                }

                var (present, mean, median, _) = Describe(values.ToArray());
                var b = Stats[c];

                // A measure the data does not have (no sessions anywhere, no e-mails sent) says nothing: it is left out.
                if (b.Present == 0 || (b.Mean == 0 && b.Deviation == 0))
                {
                    continue;
                }

                measures.Add(new PersonaMeasure(
                    NumericNames[c],
                    FeatureCatalog.Find(NumericNames[c])?.Unit ?? ComputedTraitUnit,
                    present,
                    mean,
                    median,
                    b.Mean,
                    b.Median,
                    b.Mean == 0 || double.IsNaN(b.Mean) ? double.NaN : 100 * mean / b.Mean,
                    b.Deviation == 0 || double.IsNaN(mean) ? 0 : (mean - b.Mean) / b.Deviation));
            }

            var levels = new List<PersonaLevel>();
            var channels = new List<PersonaShare>();
            for (var c = 0; c < CategoricalNames.Count; c++)
            {
                var codes = Codes[c];
                var inSegment = new long[Levels[c].Length];
                for (var i = 0; i < Count; i++)
                {
                    if (members[i] && codes[i] >= 0)
                    {
                        inSegment[codes[i]]++;
                    }
                }

                for (var k = 0; k < inSegment.Length; k++)
                {
                    var (level, m, a) = (Levels[c][k], inSegment[k], LevelCounts[c][k]);
                    var share = size == 0 ? 0 : (double)m / size;
                    var baseShare = (double)a / Count;
                    var p = Statistics.TwoSidedP(Statistics.TwoProportionZ(m, size, a - m, Count - size));
                    levels.Add(new PersonaLevel(CategoricalNames[c], level, m, share, baseShare, share / baseShare, p));
                    if (CategoricalNames[c] == "preferred_channel")
                    {
                        channels.Add(new PersonaShare(level, m, share, baseShare));
                    }
                }
            }

            // Bonferroni over every level tested, so that many traits with many levels do not make noise look like a finding.
            var threshold = Significance / Math.Max(1, levels.Count);
            var overIndexing = levels
                .Where(l => l.Lift >= MinimumLift && l.Members >= MinimumSupport && l.PValue < threshold)
                .OrderByDescending(l => l.Lift).ThenBy(l => l.Trait, StringComparer.Ordinal).ThenBy(l => l.Level, StringComparer.Ordinal)
                .ToList();

            var rfmMix = options.Map.SegmentNames.Append(RefundsOnly).Append(NoPurchases).Select(name =>
            {
                var m = rfmMembers.GetValueOrDefault(name);
                return new PersonaShare(name, m, size == 0 ? 0 : (double)m / size, Count == 0 ? 0 : (double)RfmCounts.GetValueOrDefault(name) / Count);
            }).Where(s => s.Members > 0 || s.BaseShare > 0).ToList();

            // A stable sort: equally distinctive measures keep the order of NumericInputs.
            var ordered = measures.OrderByDescending(m => Math.Abs(m.Difference)).ToList();
            var draft = new PersonaReport(
                segment, title, asOf, size, Count, revenue, BaseRevenue, "", [], "", "", ordered, overIndexing,
                [.. channels.OrderByDescending(s => s.Members).ThenBy(s => s.Name, StringComparer.Ordinal)], rfmMix);
            var (name, reasons) = PersonaPlaybook.Name(draft);
            var (strategy, why) = PersonaPlaybook.Strategy(draft);
            var reachable = Reachable.Select(r =>
            {
                long m = 0, all = 0;
                for (var i = 0; i < Count; i++)
                {
                    all += r.Consenting[i] ? 1 : 0;
                    m += members[i] && r.Consenting[i] ? 1 : 0;
                }

                return new PersonaShare(r.Channel, m, size == 0 ? 0 : (double)m / size, Count == 0 ? 0 : (double)all / Count);
            }).ToList();
            return draft with
            {
                Name = name, NameReasons = reasons, Strategy = strategy, StrategyReason = why, Lifetime = Lifetimes?.Describe(members), Buys = Bought?.OverIndexing(members, size) ?? [],
                Reachable = reachable,
                Uplift = [.. Uplift.Select(u => u.Describe(members))],
            };
        }
    }

    /// <summary>
    /// Who bought what before the as-of: each customer's distinct categories — or products, when purchases carry no
    /// category — with a product's description where the events have one (the most frequent spelling, then the first).
    /// </summary>
    private sealed class Purchases
    {
        private readonly string trait;
        private readonly List<(string Level, string? Label, int[] Buyers)> levels;
        private readonly int count;

        private Purchases(string trait, List<(string, string?, int[])> levels, int count)
        {
            this.trait = trait;
            this.levels = levels;
            this.count = count;
        }

        public static Purchases? Read(IWarehouse warehouse, EvaluationContext context, List<string> ids)
        {
            var d = warehouse.Dialect;
            var columns = warehouse.Columns(TableKind.Events).Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
            var index = ids.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i, StringComparer.Ordinal);
            foreach (var trait in new[] { "category", "product" })
            {
                var label = trait == "product" && columns.Contains("description") ? "description" : null;
                var buyers = new Dictionary<string, (string? Label, List<int> Customers)>(StringComparer.Ordinal);
                warehouse.Read(PersonaSql.Bought(d, context.AsOf, trait, label), r =>
                {
                    if (index.TryGetValue(r.GetString(0), out var i))
                    {
                        var key = Convert.ToString(r.GetValue(1), CultureInfo.InvariantCulture)!;
                        var name = label is not null && !r.IsDBNull(2) ? r.GetString(2) : null;
                        if (!buyers.TryGetValue(key, out var entry))
                        {
                            buyers[key] = entry = (name, []);
                        }
                        else if (name is not null && (entry.Label is null || string.CompareOrdinal(name, entry.Label) < 0))
                        {
                            buyers[key] = entry = (name, entry.Customers);
                        }

                        entry.Customers.Add(i);
                    }
                });
                if (buyers.Count > 0)
                {
                    return new Purchases(trait, [.. buyers.OrderBy(b => b.Key, StringComparer.Ordinal).Select(b => (b.Key, b.Value.Label, b.Value.Customers.ToArray()))], ids.Count);
                }
            }

            return null;
        }

        /// <summary>The levels bought by a larger share of members than of everyone (support, lift and Bonferroni over the levels tested), highest lift first.</summary>
        public IReadOnlyList<PersonaLevel> OverIndexing(bool[] members, long size)
        {
            if (size == 0)
            {
                return [];
            }

            var tested = new List<PersonaLevel>();
            foreach (var (level, label, buyers) in levels)
            {
                var m = buyers.LongCount(i => members[i]);
                if (m < MinimumSupport)
                {
                    continue;
                }

                var share = (double)m / size;
                var baseShare = (double)buyers.Length / count;
                var p = Statistics.TwoSidedP(Statistics.TwoProportionZ(m, size, buyers.Length - m, count - size));
                tested.Add(new PersonaLevel(trait, level, m, share, baseShare, share / baseShare, p, label));
            }

            var threshold = Significance / Math.Max(1, tested.Count);
            return [.. tested.Where(l => l.Lift >= MinimumLift && l.PValue < threshold && l.Share >= MinimumBuyShare)
                .OrderByDescending(l => l.Lift).ThenBy(l => l.Level, StringComparer.Ordinal).Take(10)];
        }
    }

    /// <summary>One campaign's stored uplift scores, aligned with the population's customers.</summary>
    private sealed class UpliftScores
    {
        private readonly UpliftModel model;
        private readonly double[] conversion;
        private readonly string?[] quadrant;

        private UpliftScores(UpliftModel model, double[] conversion, string?[] quadrant)
        {
            this.model = model;
            this.conversion = conversion;
            this.quadrant = quadrant;
        }

        public static UpliftScores Read(IWarehouse warehouse, UpliftModel model, List<string> ids)
        {
            var index = ids.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i, StringComparer.Ordinal);
            var conversion = new double[ids.Count];
            var quadrant = new string?[ids.Count];
            Array.Fill(conversion, double.NaN);
            foreach (var s in UpliftAnalysis.Scores(warehouse, model.Campaign))
            {
                if (index.TryGetValue(s.CustomerId, out var i))
                {
                    conversion[i] = s.Conversion ?? double.NaN;
                    quadrant[i] = s.Quadrant;
                }
            }

            return new UpliftScores(model, conversion, quadrant);
        }

        public PersonaUplift Describe(bool[] members)
        {
            long scored = 0, all = 0;
            double sum = 0, baseSum = 0;
            var counts = new Dictionary<string, (long Members, long All)>(StringComparer.Ordinal);
            for (var i = 0; i < conversion.Length; i++)
            {
                if (quadrant[i] is not { } q)
                {
                    continue;
                }

                all++;
                baseSum += conversion[i];
                var (m, a) = counts.GetValueOrDefault(q);
                counts[q] = (m + (members[i] ? 1 : 0), a + 1);
                if (members[i])
                {
                    scored++;
                    sum += conversion[i];
                }
            }

            var shares = UpliftQuadrant.All.Select(q =>
            {
                var (m, a) = counts.GetValueOrDefault(q);
                return new PersonaShare(q, m, scored == 0 ? 0 : (double)m / scored, all == 0 ? 0 : (double)a / all);
            }).ToList();
            var informative = model.Evaluation(UpliftAnalysis.Conversion)?.Ranking.Informative ?? false;
            return new PersonaUplift(model.Campaign, model.Version, scored, shares, scored == 0 ? 0 : sum / scored, all == 0 ? 0 : baseSum / all, informative);
        }
    }

    /// <summary>The stored CLV predictions, aligned with the population's customers.</summary>
    private sealed class Predictions
    {
        private readonly double[] value;
        private readonly double[] alive;
        private readonly int version;
        private readonly DateOnly historyEnd;
        private readonly ClvModel model;

        private Predictions(double[] value, double[] alive, int version, DateOnly historyEnd, ClvModel model)
        {
            this.model = model;
            this.value = value;
            this.alive = alive;
            this.version = version;
            this.historyEnd = historyEnd;
        }

        public static Predictions? Read(IWarehouse warehouse, List<string> ids)
        {
            if (ClvAnalysis.Active(warehouse) is not { } model)
            {
                return null;
            }

            var index = ids.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i, StringComparer.Ordinal);
            var value = new double[ids.Count];
            var alive = new double[ids.Count];
            Array.Fill(value, double.NaN);
            Array.Fill(alive, double.NaN);
            int? version = null;
            DateOnly end = default;
            warehouse.Read(
                PersonaSql.Predictions(warehouse.Dialect),
                r =>
                {
                    if (index.TryGetValue(r.GetString(0), out var i))
                    {
                        value[i] = r.IsDBNull(1) ? 0 : r.GetDouble(1);
                        alive[i] = r.GetDouble(2);
                    }

                    version ??= Convert.ToInt32(r.GetValue(3), CultureInfo.InvariantCulture);
                    end = r.GetValue(4) switch
                    {
                        DateOnly day => day,
                        var other => DateOnly.FromDateTime(Convert.ToDateTime(other, CultureInfo.InvariantCulture)),
                    };
                });
            return version is null ? null : new Predictions(value, alive, version.Value, end, model);
        }

        public PersonaLifetime Describe(bool[] members)
        {
            long predicted = 0, all = 0, inactive = 0;
            double total = 0, baseTotal = 0, aliveSum = 0, baseAlive = 0;
            for (var i = 0; i < value.Length; i++)
            {
                if (double.IsNaN(alive[i]))
                {
                    continue;
                }

                all++;
                baseTotal += value[i];
                baseAlive += alive[i];
                if (members[i])
                {
                    predicted++;
                    total += value[i];
                    aliveSum += alive[i];
                    inactive += alive[i] < 0.5 ? 1 : 0;
                }
            }

            return new PersonaLifetime(
                version,
                historyEnd,
                predicted,
                total,
                baseTotal == 0 ? 0 : total / baseTotal,
                predicted == 0 ? 0 : total / predicted,
                all == 0 ? 0 : baseTotal / all,
                predicted == 0 ? 0 : aliveSum / predicted,
                all == 0 ? 0 : baseAlive / all,
                inactive,
                model.Warnings,
                model.Diagnostics is not { } d || d.ShareAlmostSurelyAlive < ClvDiagnosis.CollapsedShare);
        }
    }
}
