using System.Globalization;
using Segmenta.Model;
using Segmenta.Warehouse;
using Segmenta.Sql;

namespace Segmenta.Language;

/// <summary>
/// Writes a bound condition as SQL over one "scope": the customers table, left-joined to one pass of
/// per-customer event aggregates (one FILTER per aggregate, so the events table is scanned once), to
/// a subquery per sequence and per top/bottom ranking, and to each derived field table. The predicate
/// over that scope is then one boolean expression per customer.
///
/// Missing values: a leaf comparison with a missing value is NULL. Where no <c>not</c> is above it,
/// NULL already excludes the customer exactly as false would; under a <c>not</c>, leaves are wrapped
/// in <c>coalesce(…, false)</c> so that <c>not</c> is the complement over all customers.
///
/// Segments referred to with <c>in segment</c> are common table expressions of the statement, each written once
/// however many scopes and paths refer to it, and left-joined into every scope that tests membership.
/// </summary>
internal sealed class SegmentSqlWriter
{
    private readonly EvaluationContext context;
    private readonly SqlBuilder sql;
    private readonly string suffix;
    private readonly List<Aggregate> aggregates = [];
    private readonly Dictionary<Aggregate, string> aggregateNames = new(ReferenceEqualityComparer.Instance);
    private readonly List<BoundSequence> sequences = [];
    private readonly Dictionary<BoundSequence, string> sequenceNames = new(ReferenceEqualityComparer.Instance);
    private readonly List<Aggregate> modes = [];
    private readonly Dictionary<Aggregate, string> modeNames = new(ReferenceEqualityComparer.Instance);
    private readonly List<BoundTransition> transitions = [];
    private readonly Dictionary<BoundTransition, string> transitionNames = new(ReferenceEqualityComparer.Instance);
    private readonly List<BoundRank> ranks = [];
    private readonly Dictionary<BoundRank, string> rankNames = new(ReferenceEqualityComparer.Instance);
    private readonly List<DerivedFieldSet> derived = [];
    private readonly Dictionary<DerivedFieldSet, SortedSet<string>> derivedFields = [];
    private readonly List<SegmentDefinition> joined = [];
    private readonly SegmentReferences references;

    public SegmentSqlWriter(EvaluationContext context, SqlBuilder sql, string suffix = "")
        : this(context, sql, suffix, new SegmentReferences(sql))
    {
    }

    private SegmentSqlWriter(EvaluationContext context, SqlBuilder sql, string suffix, SegmentReferences references)
    {
        this.context = context;
        this.sql = sql;
        this.suffix = suffix;
        this.references = references;
    }

    private ISqlDialect Dialect => sql.Dialect;

    /// <summary>A scope of the same statement for a referred segment's condition.</summary>
    internal SegmentSqlWriter ForReference(string scopeSuffix) => new(context, sql, scopeSuffix, references);

    /// <summary>The alias of the customers table in this scope.</summary>
    public string Customers => "c" + suffix;

    private string EventsAlias => "ev" + suffix;

    /// <summary>Registers everything <paramref name="condition"/> needs joined into the scope.</summary>
    public void Plan(BoundCondition condition)
    {
        switch (condition)
        {
            case BoundAll all:
                all.Items.ToList().ForEach(Plan);
                break;
            case BoundAny any:
                any.Items.ToList().ForEach(Plan);
                break;
            case BoundNot not:
                Plan(not.Operand);
                break;
            case BoundSegmentRef reference:
                if (!joined.Contains(reference.Target))
                {
                    joined.Add(reference.Target);
                    references.Register(reference.Target, this);
                }

                break;
            case BoundTest test:
                Plan(test.Value);
                break;
            case BoundCompare compare:
                Plan(compare.Left);
                Plan(compare.Right);
                break;
            case BoundSequence sequence when !sequenceNames.ContainsKey(sequence):
                sequences.Add(sequence);
                sequenceNames[sequence] = $"s{sequences.Count}{suffix}";
                break;
            case BoundRank rank when !rankNames.ContainsKey(rank):
                ranks.Add(rank);
                rankNames[rank] = $"r{ranks.Count}{suffix}";
                break;
            case BoundTransition transition when !transitionNames.ContainsKey(transition):
                transitions.Add(transition);
                transitionNames[transition] = $"t{transitions.Count}{suffix}";
                break;
            case BoundSequence or BoundRank or BoundTransition:
                // Planned already: one join serves every use of the same condition.
                break;
            default:
                throw new InvalidOperationException("unknown condition " + condition.GetType().Name);
        }
    }

    /// <summary>Registers a value's aggregate or derived table.</summary>
    public void Plan(BoundValue value)
    {
        switch (value)
        {
            case Aggregate { Kind: AggregateKind.MostFrequent } mode:
                if (!modeNames.ContainsKey(mode))
                {
                    modes.Add(mode);
                    modeNames[mode] = $"m{modes.Count}{suffix}";
                }

                break;
            case Aggregate aggregate when !aggregateNames.ContainsKey(aggregate):
                aggregates.Add(aggregate);
                aggregateNames[aggregate] = "_a" + aggregates.Count.ToString(CultureInfo.InvariantCulture);
                break;
            case DerivedField field:
                if (!derived.Contains(field.Set))
                {
                    derived.Add(field.Set);
                    derivedFields[field.Set] = new SortedSet<string>(StringComparer.Ordinal);
                }

                derivedFields[field.Set].Add(field.Field.Name);
                break;
            case Arithmetic arithmetic:
                Plan(arithmetic.Left);
                Plan(arithmetic.Right);
                break;
            case Negation negation:
                Plan(negation.Operand);
                break;
            case DaysSince days:
                Plan(days.Operand);
                break;
            default:
                break;
        }
    }

    /// <summary>
    /// Writes <c>WITH …</c> for every segment referred to in the statement (nothing when none is): call once, on the
    /// statement's outermost scope, after planning everything and before its <c>SELECT</c>.
    /// </summary>
    public void WriteWith() => references.WriteWith();

    /// <summary>Writes <c>FROM customers c LEFT JOIN …</c> for everything planned.</summary>
    public void WriteFrom(string indent)
    {
        sql.Append($"FROM {Dialect.QuoteIdentifier(Tables.Customers)} {Customers}");
        if (aggregates.Count > 0)
        {
            sql.Append($"\n{indent}LEFT JOIN (\n");
            WriteAggregates(indent + "  ");
            sql.Append($"\n{indent}) {EventsAlias} ON {EventsAlias}.{Q(CanonicalModel.CustomerId)} = {Customers}.{Q(CanonicalModel.CustomerId)}");
        }

        foreach (var sequence in sequences)
        {
            sql.Append($"\n{indent}LEFT JOIN (\n");
            WriteSequence(sequence, indent + "  ");
            sql.Append($"\n{indent}) {sequenceNames[sequence]} ON {sequenceNames[sequence]}.{Q(CanonicalModel.CustomerId)} = {Customers}.{Q(CanonicalModel.CustomerId)}");
        }

        foreach (var mode in modes)
        {
            sql.Append($"\n{indent}LEFT JOIN (\n");
            WriteMostFrequent(mode, indent + "  ");
            sql.Append($"\n{indent}) {modeNames[mode]} ON {modeNames[mode]}.{Q(CanonicalModel.CustomerId)} = {Customers}.{Q(CanonicalModel.CustomerId)}");
        }

        foreach (var transition in transitions)
        {
            sql.Append($"\n{indent}LEFT JOIN (\n");
            WriteTransition(transition, indent + "  ");
            sql.Append($"\n{indent}) {transitionNames[transition]} ON {transitionNames[transition]}.{Q(CanonicalModel.CustomerId)} = {Customers}.{Q(CanonicalModel.CustomerId)}");
        }

        foreach (var rank in ranks)
        {
            sql.Append($"\n{indent}LEFT JOIN (\n");
            WriteRank(rank, indent + "  ");
            sql.Append($"\n{indent}) {rankNames[rank]} ON {rankNames[rank]}.{Q(CanonicalModel.CustomerId)} = {Customers}.{Q(CanonicalModel.CustomerId)}");
        }

        for (var i = 0; i < derived.Count; i++)
        {
            var set = derived[i];
            var alias = DerivedAlias(set);
            if (set.Source is { } source)
            {
                sql.Append($"\n{indent}LEFT JOIN (\n");
                source.WriteRows(sql, context, derivedFields[set]);
                sql.Append($"\n{indent}) {alias}");
            }
            else
            {
                sql.Append($"\n{indent}LEFT JOIN {Q(set.Table)} {alias}");
            }

            sql.Append($" ON {alias}.{Q(CanonicalModel.CustomerId)} = {Customers}.{Q(CanonicalModel.CustomerId)}");
        }

        foreach (var target in joined)
        {
            var alias = ReferenceAlias(target);
            sql.Append($"\n{indent}LEFT JOIN {references.Name(target)} {alias} ON {alias}.{Q(CanonicalModel.CustomerId)} = {Customers}.{Q(CanonicalModel.CustomerId)}");
        }
    }

    private string ReferenceAlias(SegmentDefinition target) => references.Name(target) + suffix;

    private string DerivedAlias(DerivedFieldSet set) => $"d{derived.IndexOf(set) + 1}{suffix}";

    private string Q(string identifier) => Dialect.QuoteIdentifier(identifier);

    /// <summary>An identifier quoted for this scope's dialect.</summary>
    public string Quote(string identifier) => Q(identifier);

    private void WriteAggregates(string indent)
    {
        const string e = "e";

        // The scan sees only what some aggregate can see: the earliest window start and the types used.
        // A FILTER then repeats only what narrows further than the scan.
        var starts = aggregates.Select(a => context.Resolve(a.Window).From).ToList();
        var scanFrom = starts.All(s => s is not null) ? starts.Min() : null;
        var types = aggregates.All(a => a.Events.EventType is not null)
            ? aggregates.Select(a => a.Events.EventType!).Distinct(StringComparer.Ordinal).ToList()
            : null;
        var scanType = types is [var only] ? only : null;
        sql.Append($"{indent}SELECT {e}.{Q(CanonicalModel.CustomerId)}");
        foreach (var aggregate in aggregates)
        {
            var name = aggregateNames[aggregate];
            var property = aggregate.Property is null ? null : $"{e}.{Q(aggregate.Property.Name)}";
            var occurred = $"{e}.{Q(CanonicalModel.OccurredAt)}";
            var (function, argument) = aggregate.Kind switch
            {
                AggregateKind.Count => ("count", property ?? "*"),
                AggregateKind.CountDistinct => ("count", "DISTINCT " + property),
                AggregateKind.Sum => ("sum", property!),
                AggregateKind.SumAbsolute => ("sum", $"abs({property})"),
                AggregateKind.Min => ("min", property!),
                AggregateKind.Max => ("max", property!),
                AggregateKind.First => ("min", occurred),
                AggregateKind.Last => ("max", occurred),
                _ => ("sum", property!),
            };
            sql.Append($",\n{indent}       {function}({argument})");
            WriteFilterClause(aggregate.Events, aggregate.Window, e, scanFrom, scanType);
            if (aggregate.Kind == AggregateKind.Avg)
            {
                sql.Append($" AS {Q(name + "s")},\n{indent}       count({property})");
                WriteFilterClause(aggregate.Events, aggregate.Window, e, scanFrom, scanType);
                sql.Append($" AS {Q(name + "c")}");
            }
            else
            {
                sql.Append($" AS {Q(name)}");
            }
        }

        sql.Append($"\n{indent}FROM {Q(Tables.Events)} {e}\n{indent}WHERE {e}.{Q(CanonicalModel.OccurredAt)} < {sql.Parameter(context.AsOf)}");
        if (scanFrom is { } from)
        {
            sql.Append($" AND {e}.{Q(CanonicalModel.OccurredAt)} >= {sql.Parameter(from)}");
        }

        if (types is not null)
        {
            sql.Append(types.Count == 1
                ? $" AND {e}.{Q(CanonicalModel.EventType)} = {sql.Parameter(types[0])}"
                : $" AND {e}.{Q(CanonicalModel.EventType)} IN ({string.Join(", ", types.Select(t => sql.Parameter(t)))})");
        }

        sql.Append($"\n{indent}GROUP BY {e}.{Q(CanonicalModel.CustomerId)}");
    }

    private void WriteFilterClause(BoundEvents events, Window window, string alias, DateTime? scanFrom, string? scanType)
    {
        var conditions = EventConditions(events, window, alias, scanFrom, scanType);
        if (conditions.Count > 0)
        {
            sql.Append($" FILTER (WHERE {string.Join(" AND ", conditions)})");
        }
    }

    /// <summary>
    /// The conditions that pick a customer's events: type, window (beyond the as-of bound), filter — leaving out
    /// what the enclosing scan already guarantees (<paramref name="scanFrom"/>, <paramref name="scanType"/>).
    /// </summary>
    private List<string> EventConditions(BoundEvents events, Window window, string alias, DateTime? scanFrom = null, string? scanType = null)
    {
        var conditions = new List<string>();
        if (events.EventType is { } type && type != scanType)
        {
            conditions.Add($"{alias}.{Q(CanonicalModel.EventType)} = {sql.Parameter(type)}");
        }

        var (from, to) = context.Resolve(window);
        if (from is { } start && start != scanFrom)
        {
            conditions.Add($"{alias}.{Q(CanonicalModel.OccurredAt)} >= {sql.Parameter(start)}");
        }

        if (to != context.AsOf)
        {
            conditions.Add($"{alias}.{Q(CanonicalModel.OccurredAt)} < {sql.Parameter(to)}");
        }

        if (events.Filter is { } filter)
        {
            conditions.Add(Predicate(filter, negated: false, alias));
        }

        return conditions;
    }

    /// <summary>
    /// A funnel's customers: the last step's events (alias by step: f1, f2, …), each with an earlier event of the step before
    /// (a correlated EXISTS per step, nested back to the first), strictly earlier, within the step's own gap, and the first
    /// within the funnel's span of the last.
    /// </summary>
    private void WriteSequence(BoundSequence sequence, string indent)
    {
        var steps = sequence.Steps.Count;
        string Alias(int step) => "f" + (step + 1).ToString(CultureInfo.InvariantCulture);
        string Occurred(int step) => $"{Alias(step)}.{Q(CanonicalModel.OccurredAt)}";
        var id = Q(CanonicalModel.CustomerId);
        var conditions = new List<string>[steps];
        for (var i = steps - 1; i >= 0; i--)
        {
            conditions[i] = EventConditions(sequence.Steps[i], sequence.Window, Alias(i));
        }

        var span = sql.Parameter(EvaluationContext.Seconds(sequence.Within));
        var last = steps - 1;
        sql.Append($"{indent}SELECT DISTINCT {Alias(last)}.{id}\n{indent}FROM {Q(Tables.Events)} {Alias(last)}\n{indent}WHERE {Occurred(last)} < {sql.Parameter(context.AsOf)}");
        foreach (var c in conditions[last])
        {
            sql.Append($"\n{indent}  AND {c}");
        }

        var inner = indent;
        for (var k = last - 1; k >= 0; k--)
        {
            sql.Append($"\n{inner}  AND EXISTS (\n{inner}    SELECT 1 FROM {Q(Tables.Events)} {Alias(k)}\n{inner}    WHERE {Alias(k)}.{id} = {Alias(last)}.{id}");
            foreach (var c in conditions[k])
            {
                sql.Append($"\n{inner}      AND {c}");
            }

            sql.Append($"\n{inner}      AND {Occurred(k)} < {Occurred(k + 1)}");
            if (sequence.Gaps[k + 1] is { } gap)
            {
                sql.Append($"\n{inner}      AND {Occurred(k)} >= {Dialect.MinusSeconds(Occurred(k + 1), sql.Parameter(EvaluationContext.Seconds(gap)))}");
            }

            if (k == 0)
            {
                sql.Append($"\n{inner}      AND {Occurred(k)} >= {Dialect.MinusSeconds(Occurred(last), span)}");
            }

            inner += "    ";
        }

        sql.Append(new string(')', last));
    }

    /// <summary>Per customer, the property value most of the chosen events have; ties go to the first in binary order.</summary>
    private void WriteMostFrequent(Aggregate mode, string indent)
    {
        const string e = "e";
        var property = $"{e}.{Q(mode.Property!.Name)}";
        var id = Q(CanonicalModel.CustomerId);
        var rows = new System.Text.StringBuilder($"{indent}  SELECT {e}.{id}, {property} AS {Q("_v")}, count(*) AS {Q("_n")}\n");
        rows.Append($"{indent}  FROM {Q(Tables.Events)} {e}\n{indent}  WHERE {e}.{Q(CanonicalModel.OccurredAt)} < {sql.Parameter(context.AsOf)} AND {property} IS NOT NULL");
        foreach (var c in EventConditions(mode.Events, mode.Window, e))
        {
            rows.Append($"\n{indent}    AND {c}");
        }

        rows.Append($"\n{indent}  GROUP BY {e}.{id}, {property}");
        sql.Append(indent + Dialect.TopValue(rows.ToString(), id, Q("_v"), [Q("_n")]));
    }

    /// <summary>
    /// The customers with a stay in the target's stored history (<see cref="Tables.SegmentIntervals"/>) that began — or ended
    /// — in [as-of − span, as-of], the as-of included: a materialization at the instant itself is that instant's membership.
    /// </summary>
    private void WriteTransition(BoundTransition transition, string indent)
    {
        var column = transition.Entered ? "entered_at" : "exited_at";
        var segment = sql.Parameter(transition.Target.Name);
        var asOf = sql.Parameter(context.AsOf);
        var bounds = transition.Within is { } span ? $" AND i.{column} >= {sql.Parameter(context.Before(span))}" : "";
        sql.Append($"{indent}SELECT DISTINCT i.{Q(CanonicalModel.CustomerId)} FROM {Q(Tables.SegmentIntervals)} i WHERE i.segment = {segment} AND i.{column} <= {asOf}{bounds}");
    }

    private void WriteRank(BoundRank rank, string indent)
    {
        var inner = new SegmentSqlWriter(context, sql, "_" + rankNames[rank], references);
        inner.Plan(rank.Measure);
        var measure = inner.ValueExpression(rank.Measure, inner.Customers);
        var id = Q(CanonicalModel.CustomerId);
        sql.Append($"{indent}SELECT q.{id}\n{indent}FROM (\n{indent}  SELECT {inner.Customers}.{id}, {measure} AS {Q("_m")},\n");
        sql.Append($"{indent}         rank() OVER (ORDER BY {measure} {(rank.Top ? "DESC" : "ASC")} NULLS LAST) AS {Q("_r")},\n");
        sql.Append($"{indent}         count(*) OVER () AS {Q("_n")}\n{indent}  ");
        inner.WriteFrom(indent + "  ");
        var cutoff = rank.Percent
            ? $"ceil(q.{Q("_n")} * {sql.Parameter(rank.Size)} / 100.0)"
            : sql.Parameter((long)rank.Size);
        sql.Append($"\n{indent}) q\n{indent}WHERE q.{Q("_m")} IS NOT NULL AND q.{Q("_r")} <= {cutoff}");
    }

    /// <summary>The SQL value of a bound value in this scope (<paramref name="rowAlias"/>: the events alias inside a filter).</summary>
    public string ValueExpression(BoundValue value, string rowAlias) => value switch
    {
        CustomerField f => $"{Customers}.{Q(f.Field.Name)}",
        DerivedField f => $"{DerivedAlias(f.Set)}.{Q(f.Field.Name)}",
        EventField f => $"{rowAlias}.{Q(f.Field.Name)}",
        Aggregate { Kind: AggregateKind.MostFrequent } m => $"{modeNames[m]}.{Q("_v")}",
        Aggregate { Kind: AggregateKind.Avg } => Scalar(FractionOf(value, rowAlias)),
        _ when value.IsComputed() => Scalar(FractionOf(value, rowAlias)),
        Aggregate a when a.ZeroWhenEmpty => $"coalesce({EventsAlias}.{Q(aggregateNames[a])}, 0)",
        Aggregate a => $"{EventsAlias}.{Q(aggregateNames[a])}",
        _ => throw new InvalidOperationException("unknown value " + value.GetType().Name),
    };

    /// <summary>
    /// A numeric value as numerator and denominator (null: 1), so that arithmetic with <c>/</c> and averages compare exactly:
    /// only + − × reach the database, which are exact on decimals. <see cref="Fraction.Positive"/>: the denominator is known
    /// to be above 0 wherever the numerator is not missing (constants and averages' counts; not a divisor's value).
    /// </summary>
    private Fraction FractionOf(BoundValue value, string rowAlias)
    {
        switch (value)
        {
            case Aggregate { Kind: AggregateKind.Avg } average:
                return new($"{EventsAlias}.{Q(aggregateNames[average] + "s")}", $"{EventsAlias}.{Q(aggregateNames[average] + "c")}", true, []);
            case Constant constant:
                var (whole, scale) = Unscaled(constant.Value);
                return new(sql.Parameter(whole), scale == 1 ? null : sql.Parameter(scale), true, []);
            case DaysSince { Operand.Type: FieldType.Date } days:
                var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(context.AsOf, context.Zone));
                return new(Dialect.DaysBetween(ValueExpression(days.Operand, rowAlias), sql.Parameter(today)), null, true, []);
            case DaysSince days:
                var asOfMicros = (context.AsOf - DateTime.UnixEpoch).Ticks / 10;
                return new($"({sql.Parameter(asOfMicros)} - {Dialect.EpochMicros(ValueExpression(days.Operand, rowAlias))})", sql.Parameter(86_400_000_000L), true, []);
            case Negation negation:
                var operand = FractionOf(negation.Operand, rowAlias);
                return operand with { Numerator = $"(-{operand.Numerator})" };
            case Arithmetic arithmetic:
                var l = FractionOf(arithmetic.Left, rowAlias);
                var r = FractionOf(arithmetic.Right, rowAlias);
                var positive = l.Positive && r.Positive;
                List<string> guards = [.. l.Guards, .. r.Guards];
                var sign = arithmetic.Op == ArithmeticOp.Add ? "+" : "-";
                switch (arithmetic.Op)
                {
                    case ArithmeticOp.Add or ArithmeticOp.Subtract when l.Denominator == r.Denominator:
                        // One denominator (none, or the same expression: days over 86,400,000,000 µs) is kept once, not squared.
                        return new($"({l.Numerator} {sign} {r.Numerator})", l.Denominator, positive, guards);
                    case ArithmeticOp.Add or ArithmeticOp.Subtract:
                        return new($"({Times(l.Numerator, r.Denominator)} {sign} {Times(r.Numerator, l.Denominator)})", Times(l.Denominator, r.Denominator), positive, guards);
                    case ArithmeticOp.Multiply:
                        return new(Times(l.Numerator, r.Numerator)!, Times(l.Denominator, r.Denominator), positive, guards);
                    default:
                        // The divisor's denominator moves up into the numerator, where a zero would no longer make the
                        // result missing: one that can be zero (a quotient's) is kept as a guard.
                        if (!r.Positive && r.Denominator is { } divisorDenominator)
                        {
                            guards.Add(divisorDenominator);
                        }

                        return new(Times(l.Numerator, r.Denominator)!, Times(l.Denominator, r.Numerator), positive && arithmetic.Right is Constant { Value: > 0 }, guards);
                }

            default:
                return new(ValueExpression(value, rowAlias), null, true, []);
        }
    }

    /// <summary>A fraction as one SQL value: a double where it divides, missing where a denominator or a guard is 0.</summary>
    private string Scalar(Fraction f)
    {
        var value = f.Denominator is { } d ? $"{Dialect.ToDouble(f.Numerator)} / nullif({d}, 0)" : f.Numerator;
        return f.Guards.Count == 0 ? value : $"CASE WHEN {Unguarded(f.Guards)} THEN NULL ELSE {value} END";
    }

    /// <summary>True where some guard is 0 (a division by zero happened inside).</summary>
    private static string Unguarded(IEnumerable<string> guards) => string.Join(" OR ", guards.Select(g => $"{g} = 0"));

    /// <summary>A product of factors where null stands for 1.</summary>
    private string? Times(string? a, string? b) => (a, b) switch
    {
        (null, _) => b,
        (_, null) => a,
        _ => Dialect.Product(a, b),
    };

    /// <summary>A decimal as a whole number over a power of ten, both as small as they can be (0.20 is 2 / 10).</summary>
    private static (object Whole, long Scale) Unscaled(decimal value)
    {
        var scale = 1L;
        var whole = value;
        while (whole != decimal.Truncate(whole) && Math.Abs(whole) < 1e26m)
        {
            whole *= 10;
            scale *= 10;
        }

        if (whole != decimal.Truncate(whole))
        {
            return (value, 1);
        }

        return (whole is >= long.MinValue and <= long.MaxValue ? (object)(long)whole : whole, scale);
    }

    /// <summary>A numeric value as <c>Numerator / Denominator</c>; a null denominator is 1. Missing wherever a guard is 0.</summary>
    private sealed record Fraction(string Numerator, string? Denominator, bool Positive, IReadOnlyList<string> Guards);

    /// <summary>
    /// Two values compared. Numbers compare as fractions multiplied out (<c>a/b &lt; c/d</c> is <c>a·d &lt; c·b</c>, the
    /// comparison turned round where <c>b·d</c> is negative, missing where it is 0). Text equality ignores case unless
    /// <c>case sensitive</c>.
    /// </summary>
    private string Compare(BoundCompare compare, string rowAlias)
    {
        var op = compare.Op switch
        {
            TestOp.Equal => "=",
            TestOp.NotEqual => "<>",
            TestOp.Less => "<",
            TestOp.LessOrEqual => "<=",
            TestOp.Greater => ">",
            _ => ">=",
        };
        if (compare.Left.Type is FieldType.Integer or FieldType.Number)
        {
            var l = FractionOf(compare.Left, rowAlias);
            var r = FractionOf(compare.Right, rowAlias);
            var (lhs, rhs) = (Times(l.Numerator, r.Denominator), Times(r.Numerator, l.Denominator));
            var zero = l.Guards.Count + r.Guards.Count == 0 ? "" : $"WHEN {Unguarded([.. l.Guards, .. r.Guards])} THEN NULL ";
            if (l.Positive && r.Positive)
            {
                return zero.Length == 0 ? $"{lhs} {op} {rhs}" : $"CASE {zero}ELSE {lhs} {op} {rhs} END";
            }

            var turned = compare.Op switch
            {
                TestOp.Less => ">",
                TestOp.LessOrEqual => ">=",
                TestOp.Greater => "<",
                TestOp.GreaterOrEqual => "<=",
                _ => op,
            };
            var denominator = Times(l.Denominator, r.Denominator);
            return $"CASE {zero}WHEN {denominator} > 0 THEN {lhs} {op} {rhs} WHEN {denominator} < 0 THEN {lhs} {turned} {rhs} END";
        }

        var left = ValueExpression(compare.Left, rowAlias);
        var right = ValueExpression(compare.Right, rowAlias);
        return compare.Left.Type == FieldType.Text && !compare.CaseSensitive && compare.Op is TestOp.Equal or TestOp.NotEqual
            ? $"lower({left}) {op} lower({right})"
            : $"{left} {op} {right}";
    }

    /// <summary>The predicate of a condition. <paramref name="negated"/>: a <c>not</c> is above it.</summary>
    public string Predicate(BoundCondition condition, bool negated, string rowAlias = "c")
    {
        switch (condition)
        {
            case BoundAll all:
                return all.Items.Count == 0 ? "true" : "(" + string.Join(" AND ", all.Items.Select(i => Predicate(i, negated, rowAlias))) + ")";
            case BoundAny any:
                return any.Items.Count == 0 ? "false" : "(" + string.Join(" OR ", any.Items.Select(i => Predicate(i, negated, rowAlias))) + ")";
            case BoundNot not:
                return "NOT " + Parenthesize(Predicate(not.Operand, negated: true, rowAlias));
            case BoundSegmentRef reference:
                return $"{ReferenceAlias(reference.Target)}.{Q(CanonicalModel.CustomerId)} IS NOT NULL";
            case BoundSequence sequence:
                return $"{sequenceNames[sequence]}.{Q(CanonicalModel.CustomerId)} IS NOT NULL";
            case BoundRank rank:
                return $"{rankNames[rank]}.{Q(CanonicalModel.CustomerId)} IS NOT NULL";
            case BoundTransition transition:
                return $"{transitionNames[transition]}.{Q(CanonicalModel.CustomerId)} IS NOT NULL";
            case BoundTest test:
                var leaf = Test(test, rowAlias);
                return negated && test.Op is not (TestOp.IsNull or TestOp.IsNotNull) ? $"coalesce({leaf}, false)" : leaf;
            case BoundCompare compare:
                var comparison = Compare(compare, rowAlias);
                return negated ? $"coalesce({comparison}, false)" : comparison;
            default:
                throw new InvalidOperationException("unknown condition " + condition.GetType().Name);
        }
    }

    private static string Parenthesize(string predicate) => predicate.StartsWith('(') && predicate.EndsWith(')') ? predicate : "(" + predicate + ")";

    private string Test(BoundTest test, string rowAlias)
    {
        if (test.Value is Aggregate { Kind: AggregateKind.Avg } average)
        {
            return AverageTest(test, average);
        }

        var v = ValueExpression(test.Value, rowAlias);
        var type = test.Value.Type;
        switch (test.Op)
        {
            case TestOp.IsNull:
                return $"{v} IS NULL";
            case TestOp.IsNotNull:
                return $"{v} IS NOT NULL";
            case TestOp.IsTrue:
                return $"{v} = {sql.Parameter(true)}";
            case TestOp.Within or TestOp.MoreThanAgo:
                var cut = context.Before(test.Span!.Value);
                return test.Op == TestOp.Within
                    ? $"({v} >= {Instant(type, cut)} AND {v} < {Instant(type, context.AsOf)})"
                    : $"{v} < {Instant(type, cut)}";
            default:
                break;
        }

        if (type == FieldType.Timestamp)
        {
            return DayTest(v, test.Op, test.Literals.Cast<DateOnly>().ToList());
        }

        // Text equality and matching ignore case ("us" finds "US") unless `case sensitive`: both sides lower-cased.
        var ignoreCase = type == FieldType.Text && !test.CaseSensitive
            && test.Op is not (TestOp.Less or TestOp.LessOrEqual or TestOp.Greater or TestOp.GreaterOrEqual or TestOp.Between or TestOp.NotBetween);
        if (ignoreCase)
        {
            v = $"lower({v})";
        }

        string L(int i) => ignoreCase ? $"lower({sql.Parameter(test.Literals[i])})" : sql.Parameter(test.Literals[i]);
        return test.Op switch
        {
            TestOp.Equal => $"{v} = {L(0)}",
            TestOp.NotEqual => $"{v} <> {L(0)}",
            TestOp.Less => $"{v} < {L(0)}",
            TestOp.LessOrEqual => $"{v} <= {L(0)}",
            TestOp.Greater => $"{v} > {L(0)}",
            TestOp.GreaterOrEqual => $"{v} >= {L(0)}",
            TestOp.Between => $"{v} BETWEEN {L(0)} AND {L(1)}",
            TestOp.NotBetween => $"{v} NOT BETWEEN {L(0)} AND {L(1)}",
            TestOp.In => $"{v} IN ({string.Join(", ", test.Literals.Select((_, i) => L(i)))})",
            TestOp.NotIn => $"{v} NOT IN ({string.Join(", ", test.Literals.Select((_, i) => L(i)))})",
            TestOp.Contains => Dialect.Contains(v, L(0)),
            TestOp.NotContains => "NOT " + Dialect.Contains(v, L(0)),
            TestOp.StartsWith => Dialect.StartsWith(v, L(0)),
            TestOp.NotStartsWith => "NOT " + Dialect.StartsWith(v, L(0)),
            TestOp.EndsWith => "(" + Dialect.EndsWith(v, L(0)) + ")",
            TestOp.NotEndsWith => "NOT (" + Dialect.EndsWith(v, L(0)) + ")",
            _ => throw new InvalidOperationException($"{test.Op} on {type}"),
        };
    }

    /// <summary>An instant bound as a parameter; for a DATE column, the first day that starts at or after it.</summary>
    private string Instant(FieldType type, DateTime instant) =>
        type == FieldType.Date ? sql.Parameter(context.FirstDayStartingAtOrAfter(instant)) : sql.Parameter(instant);

    /// <summary>A timestamp against calendar days of the workspace zone: each day is [its start, the next day's start).</summary>
    private string DayTest(string v, TestOp op, List<DateOnly> days)
    {
        string Start(DateOnly d) => sql.Parameter(context.StartOf(d));
        string End(DateOnly d) => sql.Parameter(context.StartOf(d.AddDays(1)));
        string Within(DateOnly d) => $"({v} >= {Start(d)} AND {v} < {End(d)})";
        return op switch
        {
            TestOp.Equal => Within(days[0]),
            TestOp.NotEqual => $"({v} < {Start(days[0])} OR {v} >= {End(days[0])})",
            TestOp.Less => $"{v} < {Start(days[0])}",
            TestOp.LessOrEqual => $"{v} < {End(days[0])}",
            TestOp.Greater => $"{v} >= {End(days[0])}",
            TestOp.GreaterOrEqual => $"{v} >= {Start(days[0])}",
            TestOp.Between => $"({v} >= {Start(days[0])} AND {v} < {End(days[1])})",
            TestOp.NotBetween => $"({v} < {Start(days[0])} OR {v} >= {End(days[1])})",
            TestOp.In => "(" + string.Join(" OR ", days.Select(Within)) + ")",
            _ => $"({v} IS NOT NULL AND NOT (" + string.Join(" OR ", days.Select(Within)) + "))",
        };
    }

    /// <summary>
    /// An average compared exactly: avg op x is written sum op x × count (with count &gt; 0), so no
    /// division rounds differently on different warehouses.
    /// </summary>
    private string AverageTest(BoundTest test, Aggregate average)
    {
        var (s, c) = FractionOf(average, Customers) is { Denominator: { } count } f ? (f.Numerator, count) : throw new InvalidOperationException("an average has a count");
        string Times(int i) => $"{sql.Parameter(test.Literals[i])} * {c}";
        var compare = test.Op switch
        {
            TestOp.IsNull => null,
            TestOp.IsNotNull => "",
            TestOp.Equal => $"{s} = {Times(0)}",
            TestOp.NotEqual => $"{s} <> {Times(0)}",
            TestOp.Less => $"{s} < {Times(0)}",
            TestOp.LessOrEqual => $"{s} <= {Times(0)}",
            TestOp.Greater => $"{s} > {Times(0)}",
            TestOp.GreaterOrEqual => $"{s} >= {Times(0)}",
            TestOp.Between => $"{s} >= {Times(0)} AND {s} <= {Times(1)}",
            TestOp.NotBetween => $"({s} < {Times(0)} OR {s} > {Times(1)})",
            TestOp.In => "(" + string.Join(" OR ", test.Literals.Select((_, i) => $"{s} = {Times(i)}")) + ")",
            TestOp.NotIn => "NOT (" + string.Join(" OR ", test.Literals.Select((_, i) => $"{s} = {Times(i)}")) + ")",
            _ => throw new InvalidOperationException($"{test.Op} on an average"),
        };
        return compare switch
        {
            null => $"coalesce({c}, 0) = 0",
            "" => $"coalesce({c}, 0) > 0",
            _ => $"({c} > 0 AND {compare})",
        };
    }
}

/// <summary>
/// The segments one statement refers to: each is written once, as a common table expression named <c>g1</c>, <c>g2</c>, …,
/// after those it refers to itself, and materialized when more than one scope joins it.
/// </summary>
internal sealed class SegmentReferences(SqlBuilder sql)
{
    private readonly List<(SegmentDefinition Target, SegmentSqlWriter Body)> ordered = [];
    private readonly Dictionary<SegmentDefinition, string> names = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<SegmentDefinition, int> scopes = new(ReferenceEqualityComparer.Instance);

    /// <summary>Notes that a scope joins <paramref name="target"/>, planning its condition the first time.</summary>
    public void Register(SegmentDefinition target, SegmentSqlWriter scope)
    {
        if (names.ContainsKey(target))
        {
            scopes[target]++;
            return;
        }

        var name = "g" + (names.Count + 1).ToString(CultureInfo.InvariantCulture);
        names[target] = name;
        scopes[target] = 1;
        var body = scope.ForReference("_" + name);
        body.Plan(target.Condition);
        ordered.Add((target, body));
    }

    /// <summary>The common table expression of a registered segment.</summary>
    public string Name(SegmentDefinition target) => names[target];

    public void WriteWith()
    {
        if (ordered.Count == 0)
        {
            return;
        }

        var id = sql.Dialect.QuoteIdentifier(CanonicalModel.CustomerId);
        for (var i = 0; i < ordered.Count; i++)
        {
            var (target, body) = ordered[i];
            var materialized = scopes[target] > 1 ? "MATERIALIZED " : "";
            sql.Append(i == 0 ? "WITH " : ",\n");
            sql.Append($"{names[target]} AS {materialized}(\n  SELECT {body.Customers}.{id}\n  ");
            body.WriteFrom("  ");
            sql.Append($"\n  WHERE {body.Predicate(target.Condition, negated: false)}\n)");
        }

        sql.Append("\n");
    }
}
