using System.Globalization;
using System.Numerics;
using Segmenta.Language;

namespace Segmenta.Contracts;

/// <summary>One stay of a customer in a segment's stored history (exited null while still a member).</summary>
internal sealed record RefStay(string Segment, string CustomerId, DateTime EnteredAt, DateTime? ExitedAt);

/// <summary>One customer of an in-memory workspace: traits by column name, and events.</summary>
internal sealed record RefCustomer(string Id, IReadOnlyDictionary<string, object?> Traits, List<IReadOnlyDictionary<string, object?>> Events);

/// <summary>
/// The segment language's semantics in plain C#, written from docs/language.md and independent of
/// the binder and the SQL writer: it walks the parser's syntax tree over in-memory rows. The
/// differential tests hold the compiled SQL to the same members on every backend.
/// </summary>
internal sealed class ReferenceEvaluator
{
    private readonly IReadOnlyList<RefCustomer> customers;
    private readonly IReadOnlyDictionary<string, IReadOnlyDictionary<string, IReadOnlyDictionary<string, object?>>> derived;
    private readonly Dictionary<string, ConditionSyntax> segments;
    private readonly Dictionary<string, ValueSyntax> traits;
    private readonly DateTime asOf;
    private readonly TimeZoneInfo zone;
    private readonly Dictionary<RankSyntax, HashSet<string>> rankCache = new(ReferenceEqualityComparer.Instance);
    private readonly IReadOnlyList<RefStay> stays;

    /// <param name="stays">The stored membership history <c>entered segment</c> and <c>exited segment</c> read (none: nobody ever entered a segment).</param>
    public ReferenceEvaluator(
        IReadOnlyList<RefCustomer> customers,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, IReadOnlyDictionary<string, object?>>> derived,
        string segmentLibrary,
        DateTime asOf,
        TimeZoneInfo zone,
        IReadOnlyList<RefStay>? stays = null)
    {
        this.customers = customers;
        this.stays = stays ?? [];
        this.derived = derived;
        var diagnostics = new List<Diagnostic>();
        var (parsedSegments, parsedTraits) = Parser.ParseDefinitions(segmentLibrary, diagnostics);
        segments = parsedSegments.ToDictionary(s => s.Name, s => s.Condition);
        traits = parsedTraits.ToDictionary(t => t.Name, t => t.Expression);
        if (diagnostics.Count > 0)
        {
            throw new InvalidOperationException(string.Join("; ", diagnostics));
        }

        this.asOf = asOf;
        this.zone = zone;
    }

    public List<string> Members(string condition)
    {
        var diagnostics = new List<Diagnostic>();
        var syntax = Parser.ParseCondition(condition, diagnostics) ?? throw new InvalidOperationException(string.Join("; ", diagnostics));
        return customers.Where(c => Holds(syntax, c)).Select(c => c.Id).Order(StringComparer.Ordinal).ToList();
    }

    private bool Holds(ConditionSyntax condition, RefCustomer customer) => condition switch
    {
        AndSyntax and => and.Items.All(i => Holds(i, customer)),
        OrSyntax or => or.Items.Any(i => Holds(i, customer)),
        NotSyntax not => !Holds(not.Operand, customer),
        SegmentRefSyntax reference => Holds(segments[reference.Name], customer),
        AnonymousSyntax anonymous => customer.Id.StartsWith("anon:", StringComparison.Ordinal) != anonymous.Negated,
        TransitionSyntax transition => Moved(transition, customer),
        ConsentSyntax consent => Consented(consent.Channel.ToLowerInvariant(), customer),
        DidSyntax did => Did(did, customer),
        RankSyntax rank => Ranked(rank).Contains(customer.Id),
        TestSyntax test => Test(test, Value(test.Value, customer)),
        CompareSyntax compare => Compare(compare, Value(compare.Left, customer), Value(compare.Right, customer)),
        _ => throw new InvalidOperationException(condition.GetType().Name),
    };

    /// <summary>
    /// Consent as docs/identity.md says: the latest grant or withdrawal of the channel before as-of decides (e-mail unsubscribes
    /// withdraw e-mail; at one instant a withdrawal wins); with none, the channel's <c>_opt_in</c> trait when it is true.
    /// </summary>
    private bool Consented(string channel, RefCustomer customer)
    {
        DateTime? grant = null;
        DateTime? withdrawal = null;
        foreach (var e in customer.Events.Where(e => Time(e) < asOf))
        {
            var ofChannel = e["channel"] is string c && string.Equals(c, channel, StringComparison.OrdinalIgnoreCase);
            var type = (string)e["event_type"]!;
            if (type == "consent_granted" && ofChannel)
            {
                grant = grant > Time(e) ? grant : Time(e);
            }
            else if ((type == "consent_withdrawn" && ofChannel) || (type == "email_unsubscribe" && channel == "email"))
            {
                withdrawal = withdrawal > Time(e) ? withdrawal : Time(e);
            }
        }

        return grant is null && withdrawal is null
            ? customer.Traits.TryGetValue(channel + "_opt_in", out var baseline) && baseline is true
            : grant is { } g && (withdrawal is not { } w || g > w);
    }

    private bool Did(DidSyntax did, RefCustomer customer)
    {
        var (from, to) = Window(did.Window);
        if (did.Then.Count == 0)
        {
            var any = customer.Events.Any(e => Picks(did.First, e, from, to));
            return did.Negated ? !any : any;
        }

        static TimeSpan Span(QuantitySyntax q) => q.Unit switch
        {
            TimeUnit.Hours => TimeSpan.FromHours(q.Amount),
            TimeUnit.Days => TimeSpan.FromDays(q.Amount),
            _ => TimeSpan.FromDays(7 * q.Amount),
        };

        // A funnel: some event of each step, in strictly increasing time, each within its own gap of the one before
        // and the last within the whole span of the first: tried by search over every choice.
        var whole = Span(did.Within!);
        var events = new[] { did.First }.Concat(did.Then.Select(s => s.Event)).ToList();
        var gaps = new TimeSpan?[] { null }.Concat(did.Then.Select(s => s.Within is { } g ? Span(g) : (TimeSpan?)null)).ToList();
        var times = events.Select(spec => customer.Events.Where(e => Picks(spec, e, from, to)).Select(Time).Order().ToList()).ToList();
        bool Extend(int step, DateTime start, DateTime previous) => step == events.Count
            || times[step].Any(t => t > previous && t - start <= whole && (gaps[step] is not { } gap || t - previous <= gap) && Extend(step + 1, start, t));
        var found = times[0].Any(s => Extend(1, s, s));
        return did.Negated ? !found : found;
    }

    private static DateTime Time(IReadOnlyDictionary<string, object?> e) => (DateTime)e["occurred_at"]!;

    private bool Picks(EventSyntax spec, IReadOnlyDictionary<string, object?> e, DateTime? from, DateTime to)
    {
        var t = Time(e);
        return (spec.Type == "any" || (string)e["event_type"]! == spec.Type)
            && (from is null || t >= from) && t < to
            && (spec.Filter is null || HoldsForEvent(spec.Filter, e));
    }

    private bool HoldsForEvent(ConditionSyntax condition, IReadOnlyDictionary<string, object?> e) => condition switch
    {
        AndSyntax and => and.Items.All(i => HoldsForEvent(i, e)),
        OrSyntax or => or.Items.Any(i => HoldsForEvent(i, e)),
        NotSyntax not => !HoldsForEvent(not.Operand, e),
        TestSyntax test => Test(test, EventValue(test.Value, e)),
        CompareSyntax compare => Compare(compare, EventValue(compare.Left, e), EventValue(compare.Right, e)),
        _ => throw new InvalidOperationException(condition.GetType().Name),
    };

    /// <summary>A value inside an event filter: the event's properties and arithmetic on them.</summary>
    private static object? EventValue(ValueSyntax value, IReadOnlyDictionary<string, object?> e) => value switch
    {
        FieldSyntax field => e[field.Name],
        _ => Arithmetic(value, v => EventValue(v, e), DateTime.MinValue, TimeZoneInfo.Utc),
    };

    /// <summary>Arithmetic evaluated exactly, as fractions; missing operands and division by zero give missing.</summary>
    private static Rational? Arithmetic(ValueSyntax value, Func<ValueSyntax, object?> operand, DateTime asOf, TimeZoneInfo zone)
    {
        switch (value)
        {
            case CallSyntax { Function: "days_since" } call:
                // A time: days to as-of, to the microsecond; a date: whole days to as-of's day in the workspace zone.
                return operand(call.Argument) switch
                {
                    DateTime t => Rational.Of((asOf - t).Ticks / 10)!.Value / Rational.Of(86_400_000_000L)!.Value,
                    DateOnly d => Rational.Of((long)(DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(asOf, zone)).DayNumber - d.DayNumber)),
                    _ => null,
                };
            case ConstantSyntax constant:
                return Rational.Of(constant.Literal.Value);
            case NegateSyntax negate:
                return Rational.Of(Plain(operand(negate.Operand))) is { } x ? -x : null;
            case BinarySyntax binary:
                if (Rational.Of(Plain(operand(binary.Left))) is not { } l || Rational.Of(Plain(operand(binary.Right))) is not { } r)
                {
                    return null;
                }

                return binary.Operator switch
                {
                    '+' => l + r,
                    '-' => l - r,
                    '*' => l * r,
                    _ => r.IsZero ? null : l / r,
                };
            default:
                return Rational.Of(Plain(operand(value)));
        }
    }

    /// <summary>Two values compared; missing on either side is false. Numbers compare exactly; text equality ignores case unless asked not to.</summary>
    private static bool Compare(CompareSyntax compare, object? left, object? right)
    {
        left = Plain(left);
        right = Plain(right);
        if (left is null || right is null)
        {
            return false;
        }

        int c;
        if (left is string x && right is string y)
        {
            c = compare.CaseSensitive || compare.Kind is not (TestKind.Equal or TestKind.NotEqual)
                ? string.CompareOrdinal(x, y)
                : string.CompareOrdinal(x.ToLowerInvariant(), y.ToLowerInvariant());
        }
        else if (Rational.Of(left) is { } l && Rational.Of(right) is { } r)
        {
            c = l.CompareTo(r);
        }
        else
        {
            c = Compare(left, right);
        }

        return compare.Kind switch
        {
            TestKind.Equal => c == 0,
            TestKind.NotEqual => c != 0,
            TestKind.Less => c < 0,
            TestKind.LessOrEqual => c <= 0,
            TestKind.Greater => c > 0,
            _ => c >= 0,
        };
    }

    /// <summary>An average, kept as (sum, count) so tests can see "no values".</summary>
    private sealed record Average(decimal Sum, long Count)
    {
        /// <summary>Sum / count as an exact fraction; null without values.</summary>
        public Rational? Exact => Count == 0 ? null : Rational.Of(Sum)!.Value / Rational.Of(Count)!.Value;
    }

    /// <summary>A value as arithmetic and comparisons see it: an average as its exact fraction.</summary>
    private static object? Plain(object? value) => value is Average a ? a.Exact : value;

    private object? Value(ValueSyntax value, RefCustomer customer)
    {
        switch (value)
        {
            case FieldSyntax { Qualifier: null } field when customer.Traits.ContainsKey(field.Name):
                return customer.Traits[field.Name];
            case FieldSyntax { Qualifier: null } field:
                return Value(traits[field.Name], customer);
            case FieldSyntax field:
                return derived[field.Qualifier!].TryGetValue(customer.Id, out var row) ? row[field.Name] : null;
            case AggregateSyntax aggregate:
                var (from, to) = Window(aggregate.Window);
                var events = customer.Events.Where(e => Picks(aggregate.Event, e, from, to)).ToList();
                var values = aggregate.Property is null ? [] : events.Select(e => e[aggregate.Property]).Where(v => v is not null).ToList();
                switch (aggregate.Function)
                {
                    case "count" when aggregate.Distinct:
                        return (long)values.Distinct().Count();
                    case "count":
                        return aggregate.Property is null ? events.Count : (long)values.Count;
                    case "sum":
                        return values.Sum(Number);
                    case "avg":
                        return new Average(values.Sum(Number), values.Count);
                    case "min":
                        return values.Count == 0 ? null : values.Order(Comparer<object?>.Create(Compare)).First();
                    case "max":
                        return values.Count == 0 ? null : values.Order(Comparer<object?>.Create(Compare)).Last();
                    case "most_frequent":
                        // The value most events have; ties go to the smallest (ordinal for text).
                        return values.GroupBy(v => v).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, Comparer<object?>.Create(Compare)).Select(g => g.Key).FirstOrDefault();
                    case "first":
                        return events.Count == 0 ? null : events.Min(Time);
                    default:
                        return events.Count == 0 ? null : events.Max(Time);
                }

            default:
                return Arithmetic(value, v => Value(v, customer), asOf, zone);
        }
    }

    private static decimal Number(object? v) => v switch
    {
        long l => l,
        int i => i,
        decimal d => d,
        _ => throw new InvalidOperationException("not a number: " + v),
    };

    private static int Compare(object? a, object? b) => (a, b) switch
    {
        (string x, string y) => string.CompareOrdinal(x, y),
        (DateTime x, DateTime y) => x.CompareTo(y),
        (DateOnly x, DateOnly y) => x.CompareTo(y),
        (bool x, bool y) => x.CompareTo(y),
        _ when a is Rational || b is Rational => Rational.Of(a)!.Value.CompareTo(Rational.Of(b)!.Value),
        _ => Number(a).CompareTo(Number(b)),
    };

    /// <summary>A test on a value; a missing value passes nothing but <c>is null</c>.</summary>
    private bool Test(TestSyntax test, object? value)
    {
        value = Plain(value);

        if (value is Rational exact && test.Kind is TestKind.Between or TestKind.In)
        {
            // A computed value between or in numbers: each bound compared exactly (not a decimal rounded first).
            var bounds = test.Literals.Select(l => Rational.Of(l.Value)!.Value).ToList();
            var holds = test.Kind == TestKind.Between
                ? exact.CompareTo(bounds[0]) >= 0 && exact.CompareTo(bounds[1]) <= 0
                : bounds.Any(b => exact.CompareTo(b) == 0);
            return test.Negated != holds;
        }

        if (test.Kind == TestKind.IsNull)
        {
            return test.Negated ? value is not null : value is null;
        }

        if (value is null)
        {
            return false;
        }

        var literals = test.Literals.Select(l => l.Value).ToList();
        switch (test.Kind)
        {
            case TestKind.Bare:
                return (bool)value;
            case TestKind.Within:
                var start = Start(value);
                return start >= Minus(asOf, test.Quantity!) && start < asOf;
            case TestKind.MoreThanAgo:
                return Start(value) < Minus(asOf, test.Quantity!);
            default:
                break;
        }

        // A time against a date means the whole calendar day in the workspace zone.
        if (value is DateTime t)
        {
            bool On(DateOnly d) => t >= Midnight(d) && t < Midnight(d.AddDays(1));
            var days = literals.Cast<DateOnly>().ToList();
            return test.Kind switch
            {
                TestKind.Equal => On(days[0]),
                TestKind.NotEqual => !On(days[0]),
                TestKind.Less => t < Midnight(days[0]),
                TestKind.LessOrEqual => t < Midnight(days[0].AddDays(1)),
                TestKind.Greater => t >= Midnight(days[0].AddDays(1)),
                TestKind.GreaterOrEqual => t >= Midnight(days[0]),
                TestKind.Between => test.Negated != (t >= Midnight(days[0]) && t < Midnight(days[1].AddDays(1))),
                _ => test.Negated != days.Any(On),
            };
        }

        if (value is string s)
        {
            var exactCase = test.CaseSensitive;
            var lower = exactCase ? s : s.ToLowerInvariant();
            var texts = literals.Cast<string>().Select(t => exactCase ? t : t.ToLowerInvariant()).ToList();
            bool Negate(bool b) => test.Negated ? !b : b;
            switch (test.Kind)
            {
                case TestKind.Equal:
                    return string.Equals(lower, texts[0], StringComparison.Ordinal);
                case TestKind.NotEqual:
                    return !string.Equals(lower, texts[0], StringComparison.Ordinal);
                case TestKind.In:
                    return Negate(texts.Any(x => string.Equals(x, lower, StringComparison.Ordinal)));
                case TestKind.Contains:
                    return Negate(lower.Contains(texts[0], StringComparison.Ordinal));
                case TestKind.StartsWith:
                    return Negate(lower.StartsWith(texts[0], StringComparison.Ordinal));
                case TestKind.EndsWith:
                    return Negate(lower.EndsWith(texts[0], StringComparison.Ordinal));
                default:
                    break;
            }
        }

        int C(int i) => Compare(value, literals[i]);
        return test.Kind switch
        {
            TestKind.Equal => C(0) == 0,
            TestKind.NotEqual => C(0) != 0,
            TestKind.Less => C(0) < 0,
            TestKind.LessOrEqual => C(0) <= 0,
            TestKind.Greater => C(0) > 0,
            TestKind.GreaterOrEqual => C(0) >= 0,
            TestKind.Between => test.Negated != (C(0) >= 0 && C(1) <= 0),
            TestKind.In => test.Negated != Enumerable.Range(0, literals.Count).Any(i => C(i) == 0),
            _ => throw new InvalidOperationException(test.Kind.ToString()),
        };
    }

    /// <summary>When a value starts: a time is itself; a date starts at its midnight in the zone.</summary>
    private DateTime Start(object value) => value is DateOnly d ? Midnight(d) : (DateTime)value;

    private DateTime Midnight(DateOnly day) => TimeZoneInfo.ConvertTimeToUtc(day.ToDateTime(TimeOnly.MinValue), zone);

    /// <summary>A stay of the customer in the segment that began (or ended) in [as-of − span, as-of], or at or before the as-of without a span.</summary>
    private bool Moved(TransitionSyntax transition, RefCustomer customer) => stays.Any(s =>
        s.Segment == transition.Name && s.CustomerId == customer.Id
        && (transition.Entered ? s.EnteredAt : s.ExitedAt) is { } at
        && at <= asOf && (transition.Within is not { } span || at >= Minus(asOf, span)));

    private static DateTime Minus(DateTime t, QuantitySyntax q) => q.Unit switch
    {
        TimeUnit.Hours => t.AddHours(-q.Amount),
        TimeUnit.Days => t.AddDays(-q.Amount),
        TimeUnit.Weeks => t.AddDays(-7 * q.Amount),
        TimeUnit.Months => t.AddMonths(-(int)q.Amount),
        _ => t.AddYears(-(int)q.Amount),
    };

    private (DateTime? From, DateTime To) Window(WindowSyntax? window)
    {
        DateTime Cap(DateTime t) => t < asOf ? t : asOf;
        return window?.Kind switch
        {
            null or WindowKind.AllTime => (null, asOf),
            WindowKind.Last => (Minus(asOf, window.Last!), asOf),
            WindowKind.Since => (Midnight(window.From), asOf),
            WindowKind.Before => (null, Cap(Midnight(window.From))),
            _ => (Midnight(window.From), Cap(Midnight(window.To.AddDays(1)))),
        };
    }

    /// <summary>Top/bottom: rank every customer by the measure; keep those with fewer than k strictly better.</summary>
    private HashSet<string> Ranked(RankSyntax rank)
    {
        if (rankCache.TryGetValue(rank, out var cached))
        {
            return cached;
        }

        var measured = customers
            .Select(c => (c.Id, Value: Plain(Value(rank.Measure, c))))
            .Where(x => x.Value is not null)
            .ToList();
        var k = rank.Percent ? (long)Math.Ceiling(customers.Count * rank.Size / 100m) : (long)rank.Size;
        var members = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (id, value) in measured)
        {
            var better = measured.Count(o => rank.Top ? Compare(o.Value, value) > 0 : Compare(o.Value, value) < 0);
            if (better < k)
            {
                members.Add(id);
            }
        }

        rankCache[rank] = members;
        return members;
    }
}

/// <summary>An exact fraction (denominator above 0, in lowest terms), so the reference computes arithmetic without rounding.</summary>
internal readonly record struct Rational : IComparable<Rational>
{
    private Rational(BigInteger numerator, BigInteger denominator)
    {
        var g = BigInteger.GreatestCommonDivisor(numerator, denominator);
        if (g.IsZero)
        {
            g = BigInteger.One;
        }

        var sign = denominator.Sign < 0 ? -1 : 1;
        Numerator = sign * numerator / g;
        Denominator = sign * denominator / g;
    }

    public BigInteger Numerator { get; }

    public BigInteger Denominator { get; }

    public bool IsZero => Numerator.IsZero;

    /// <summary>A number (long, int, decimal, an average with values, or a fraction) as a fraction; null for anything else.</summary>
    public static Rational? Of(object? value) => value switch
    {
        Rational r => r,
        long l => new Rational(l, BigInteger.One),
        int i => new Rational(i, BigInteger.One),
        decimal d => FromDecimal(d),
        _ => null,
    };

    private static Rational FromDecimal(decimal d)
    {
        var bits = decimal.GetBits(d);
        var mantissa = new BigInteger((uint)bits[0]) | (new BigInteger((uint)bits[1]) << 32) | (new BigInteger((uint)bits[2]) << 64);
        var scale = (bits[3] >> 16) & 0xFF;
        return new Rational(bits[3] < 0 ? -mantissa : mantissa, BigInteger.Pow(10, scale));
    }

    public static Rational operator +(Rational a, Rational b) => new(a.Numerator * b.Denominator + b.Numerator * a.Denominator, a.Denominator * b.Denominator);

    public static Rational operator -(Rational a, Rational b) => new(a.Numerator * b.Denominator - b.Numerator * a.Denominator, a.Denominator * b.Denominator);

    public static Rational operator *(Rational a, Rational b) => new(a.Numerator * b.Numerator, a.Denominator * b.Denominator);

    public static Rational operator /(Rational a, Rational b) => new(a.Numerator * b.Denominator, a.Denominator * b.Numerator);

    public static Rational operator -(Rational a) => new(-a.Numerator, a.Denominator);

    public int CompareTo(Rational other) => (Numerator * other.Denominator).CompareTo(other.Numerator * Denominator);
}
