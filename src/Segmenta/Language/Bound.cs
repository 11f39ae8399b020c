using Segmenta.Model;

namespace Segmenta.Language;

// The bound tree: names resolved against the schema, types checked, literals converted to the
// field's type. Relative time stays symbolic here (a window is "last 90 days", not two instants);
// the SQL writer resolves it against one evaluation's as-of instant.

internal abstract record BoundCondition;

internal sealed record BoundAll(IReadOnlyList<BoundCondition> Items) : BoundCondition;

internal sealed record BoundAny(IReadOnlyList<BoundCondition> Items) : BoundCondition;

internal sealed record BoundNot(BoundCondition Operand) : BoundCondition;

/// <summary>
/// Another segment. Its condition is written once per statement however often it is referred to
/// (<see cref="SegmentSqlWriter"/>), so SQL grows with the text, not with the number of paths through references.
/// </summary>
internal sealed record BoundSegmentRef(SegmentDefinition Target) : BoundCondition;

/// <summary>A stay in <paramref name="Target"/>'s stored history that began (<paramref name="Entered"/>) or ended within the span up to the as-of (ever, without one).</summary>
internal sealed record BoundTransition(SegmentDefinition Target, bool Entered, Quantity? Within) : BoundCondition;

internal enum TestOp
{
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    Between,
    NotBetween,
    In,
    NotIn,
    Contains,
    NotContains,
    StartsWith,
    NotStartsWith,
    EndsWith,
    NotEndsWith,
    IsNull,
    IsNotNull,

    /// <summary>A timestamp in [as-of − span, as-of).</summary>
    Within,

    /// <summary>A timestamp before as-of − span.</summary>
    MoreThanAgo,

    /// <summary>A boolean that is true.</summary>
    IsTrue,
}

/// <summary>
/// A value tested against literals. Literal types follow the value's: string for text, long or
/// decimal for numbers, DateOnly for dates and timestamps (a whole calendar day), bool for booleans.
/// </summary>
internal sealed record BoundTest(BoundValue Value, TestOp Op, IReadOnlyList<object> Literals, Quantity? Span, bool CaseSensitive = false) : BoundCondition;

/// <summary>
/// Two values compared with one of = != &lt; &lt;= &gt; &gt;= (<see cref="TestOp.Equal"/> … <see cref="TestOp.GreaterOrEqual"/>).
/// Both are numbers, or both text, dates, times or booleans. Missing on either side: the comparison is missing (false).
/// </summary>
internal sealed record BoundCompare(BoundValue Left, TestOp Op, BoundValue Right, bool CaseSensitive) : BoundCondition;

/// <summary>
/// <c>did A then B … within span</c>, a funnel: events of each step in strictly increasing time, the last at most
/// <see cref="Within"/> after the first, each at most its own gap (<see cref="Gaps"/>[i], null: none) after the one before,
/// all in the window. <see cref="Gaps"/>[0] is always null.
/// </summary>
internal sealed record BoundSequence(IReadOnlyList<BoundEvents> Steps, IReadOnlyList<Quantity?> Gaps, Quantity Within, Window Window) : BoundCondition;

/// <summary><c>top/bottom</c>: customers ranked by a measure over all customers, ties at the cut-off included.</summary>
internal sealed record BoundRank(BoundValue Measure, bool Top, decimal Size, bool Percent) : BoundCondition;

internal abstract record BoundValue(FieldType Type);

/// <summary>Stands in for a value the binder could not resolve (already reported).</summary>
internal sealed record ErrorValue() : BoundValue(FieldType.Text);

internal sealed record CustomerField(FieldDefinition Field) : BoundValue(Field.Type);

internal sealed record DerivedField(DerivedFieldSet Set, FieldDefinition Field) : BoundValue(Field.Type);

/// <summary>A property of the event being filtered (only inside an event filter).</summary>
internal sealed record EventField(FieldDefinition Field) : BoundValue(Field.Type);

internal enum AggregateKind
{
    Count,
    CountDistinct,
    Sum,
    Avg,
    Min,
    Max,
    First,
    Last,

    /// <summary>The property value most events have (ties: the first in binary order).</summary>
    MostFrequent,

    /// <summary>The sum of the property's absolute values (refund amounts, whatever their sign): no segment text names it; the compiler's own queries use it.</summary>
    SumAbsolute,
}

/// <summary>An aggregate of a customer's events in a window. Count and sum of nothing are 0; the rest are missing.</summary>
internal sealed record Aggregate(AggregateKind Kind, BoundEvents Events, FieldDefinition? Property, Window Window, FieldType Type) : BoundValue(Type)
{
    public bool ZeroWhenEmpty => Kind is AggregateKind.Count or AggregateKind.CountDistinct or AggregateKind.Sum or AggregateKind.SumAbsolute;
}

internal enum ArithmeticOp
{
    Add,
    Subtract,
    Multiply,
    Divide,
}

/// <summary>
/// Arithmetic on numbers: whole numbers stay whole except through <c>/</c>. Evaluated exactly (as a fraction) wherever it
/// is compared; missing when an operand is missing or a divisor is zero.
/// </summary>
internal sealed record Arithmetic(ArithmeticOp Op, BoundValue Left, BoundValue Right, FieldType Type) : BoundValue(Type);

/// <summary>What values are made of.</summary>
internal static class BoundValues
{
    /// <summary>
    /// Whether a value is computed (arithmetic, a constant, <c>days_since</c>) rather than read: the SQL writer keeps it as a fraction,
    /// and a test of it against literals is written as exact comparisons.
    /// </summary>
    public static bool IsComputed(this BoundValue value) => value is Arithmetic or Negation or Constant or DaysSince;

    /// <summary>The fields, aggregates and constants of a value, left to right (a field or an aggregate is its own leaf).</summary>
    public static IEnumerable<BoundValue> Leaves(this BoundValue value) => value switch
    {
        Arithmetic a => a.Left.Leaves().Concat(a.Right.Leaves()),
        Negation n => n.Operand.Leaves(),
        DaysSince d => d.Operand.Leaves(),
        _ => [value],
    };
}

/// <summary>
/// <c>days_since(x)</c>: for a time, the days from it to the as-of instant (fractional, exact to the microsecond); for a
/// date, the whole calendar days from it to the as-of's day in the workspace zone.
/// </summary>
internal sealed record DaysSince(BoundValue Operand) : BoundValue(Operand.Type == FieldType.Date ? FieldType.Integer : FieldType.Number);

/// <summary>Unary minus.</summary>
internal sealed record Negation(BoundValue Operand) : BoundValue(Operand.Type);

/// <summary>A literal used as a value: a number (decimal; <see cref="FieldType.Integer"/> when whole) inside arithmetic.</summary>
internal sealed record Constant(decimal Value) : BoundValue(Value == decimal.Truncate(Value) ? FieldType.Integer : FieldType.Number);

/// <summary>Events of one type (null: any type) that pass a filter.</summary>
internal sealed record BoundEvents(string? EventType, BoundCondition? Filter);

internal readonly record struct Quantity(long Amount, TimeUnit Unit);

/// <summary>A window as written; <see cref="EvaluationContext"/> turns it into instants.</summary>
internal sealed record Window(WindowKind Kind, Quantity Last, DateOnly From, DateOnly To)
{
    public static readonly Window AllTime = new(WindowKind.AllTime, default, default, default);
}
