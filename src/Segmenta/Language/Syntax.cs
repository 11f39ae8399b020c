namespace Segmenta.Language;

// The syntax tree: what the text says, with spans, before any name is resolved. Immutable.

/// <summary>One segment as written.</summary>
internal sealed record SegmentSyntax(string Name, TextSpan NameSpan, string? Title, string? Description, ConditionSyntax Condition, TextSpan Span);

/// <summary>A computed trait as written: <c>trait NAME ["Title"] [description "…"] = EXPRESSION</c>.</summary>
internal sealed record TraitSyntax(string Name, TextSpan NameSpan, string? Title, string? Description, ValueSyntax Expression, TextSpan Span);

/// <summary>A condition: denotes a set of customers.</summary>
internal abstract record ConditionSyntax(TextSpan Span);

internal sealed record AndSyntax(IReadOnlyList<ConditionSyntax> Items, TextSpan Span) : ConditionSyntax(Span);

internal sealed record OrSyntax(IReadOnlyList<ConditionSyntax> Items, TextSpan Span) : ConditionSyntax(Span);

internal sealed record NotSyntax(ConditionSyntax Operand, TextSpan Span) : ConditionSyntax(Span);

/// <summary><c>in segment name</c>.</summary>
internal sealed record SegmentRefSyntax(string Name, TextSpan NameSpan, TextSpan Span) : ConditionSyntax(Span);

/// <summary>
/// <c>entered segment NAME [within N UNIT]</c> or <c>exited segment NAME [within N UNIT]</c>: a stay in the segment's stored
/// membership history began (or ended) in the span up to the as-of instant, or ever before it without a span.
/// </summary>
internal sealed record TransitionSyntax(bool Entered, string Name, TextSpan NameSpan, QuantitySyntax? Within, TextSpan Span) : ConditionSyntax(Span);

/// <summary><c>is anonymous</c> (or <c>is not anonymous</c>): a profile known only by anonymous ids (docs/identity.md).</summary>
internal sealed record AnonymousSyntax(bool Negated, TextSpan Span) : ConditionSyntax(Span);

/// <summary><c>consented [to] CHANNEL</c>: the customer's consent to the channel at the as-of instant (<see cref="Model.Consent"/>).</summary>
internal sealed record ConsentSyntax(string Channel, TextSpan ChannelSpan, TextSpan Span) : ConditionSyntax(Span);

/// <summary>
/// <c>did [not] A [then B [within S] then C … within N units] [window]</c>: <see cref="Then"/> are the funnel's later steps (empty for a
/// plain <c>did</c>), each with its own longest gap from the step before (null: only the funnel's); <see cref="Within"/> is the whole
/// funnel's span, from its first step to its last.
/// </summary>
internal sealed record DidSyntax(bool Negated, EventSyntax First, IReadOnlyList<FunnelStepSyntax> Then, QuantitySyntax? Within, WindowSyntax? Window, TextSpan Span) : ConditionSyntax(Span);

/// <summary>A later step of a funnel: its event and the longest gap from the step before, when it has its own.</summary>
internal sealed record FunnelStepSyntax(EventSyntax Event, QuantitySyntax? Within);

/// <summary><c>top|bottom N [%] by measure</c>.</summary>
internal sealed record RankSyntax(bool Top, decimal Size, bool Percent, TextSpan SizeSpan, ValueSyntax Measure, TextSpan Span) : ConditionSyntax(Span);

/// <summary>
/// A value and what is asked of it: <c>age between 25 and 44</c>, or a bare boolean field. <paramref name="CaseSensitive"/>:
/// a text test written with <c>case sensitive</c>.
/// </summary>
internal sealed record TestSyntax(ValueSyntax Value, TestKind Kind, bool Negated, IReadOnlyList<LiteralSyntax> Literals, QuantitySyntax? Quantity, TextSpan OperatorSpan, TextSpan Span, bool CaseSensitive = false) : ConditionSyntax(Span);

/// <summary>Two expressions compared (<c>count(cart_add) &gt; count(purchase)</c>); <see cref="Kind"/> is one of = != &lt; &lt;= &gt; &gt;=.</summary>
internal sealed record CompareSyntax(ValueSyntax Left, TestKind Kind, ValueSyntax Right, TextSpan OperatorSpan, TextSpan Span, bool CaseSensitive = false) : ConditionSyntax(Span);

internal enum TestKind
{
    Bare,
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    Between,
    In,
    Contains,
    StartsWith,
    EndsWith,
    IsNull,
    Within,
    MoreThanAgo,
}

/// <summary>Something with a value per customer (or per event inside a filter).</summary>
internal abstract record ValueSyntax(TextSpan Span);

/// <summary><c>age</c>, or <c>rfm.segment</c> (a qualified name).</summary>
internal sealed record FieldSyntax(string? Qualifier, string Name, TextSpan Span) : ValueSyntax(Span)
{
    public string FullName => Qualifier is null ? Name : Qualifier + "." + Name;
}

/// <summary><c>sum(purchase.revenue where category = "shoes", last 90 days)</c>.</summary>
internal sealed record AggregateSyntax(string Function, TextSpan FunctionSpan, bool Distinct, EventSyntax Event, string? Property, TextSpan PropertySpan, WindowSyntax? Window, TextSpan Span) : ValueSyntax(Span);

/// <summary>Arithmetic: <c>left op right</c> with op one of + - * /.</summary>
internal sealed record BinarySyntax(char Operator, ValueSyntax Left, ValueSyntax Right, TextSpan OperatorSpan, TextSpan Span) : ValueSyntax(Span);

/// <summary><c>days_since(EXPRESSION)</c>: a function of one value.</summary>
internal sealed record CallSyntax(string Function, TextSpan FunctionSpan, ValueSyntax Argument, TextSpan Span) : ValueSyntax(Span);

/// <summary>Unary minus of an expression that is not a number written as such (<c>-sum(refund.revenue)</c>).</summary>
internal sealed record NegateSyntax(ValueSyntax Operand, TextSpan Span) : ValueSyntax(Span);

/// <summary>A literal where an expression stands: a number inside arithmetic, or either side of a comparison.</summary>
internal sealed record ConstantSyntax(LiteralSyntax Literal) : ValueSyntax(Literal.Span);

/// <summary>An event type with an optional filter on its properties.</summary>
internal sealed record EventSyntax(string Type, TextSpan TypeSpan, ConditionSyntax? Filter, TextSpan Span);

/// <summary>A literal: string, decimal, DateOnly, bool, or null.</summary>
internal sealed record LiteralSyntax(object? Value, TextSpan Span);

internal enum TimeUnit
{
    Hours,
    Days,
    Weeks,
    Months,
    Years,
}

/// <summary><c>30 days</c>.</summary>
internal sealed record QuantitySyntax(long Amount, TimeUnit Unit, TextSpan Span);

internal enum WindowKind
{
    AllTime,
    Last,
    Between,
    Since,
    Before,
}

/// <summary><c>last 90 days</c>, <c>between 2024-01-01 and 2024-03-31</c>, <c>since D</c>, <c>before D</c>, <c>all time</c>.</summary>
internal sealed record WindowSyntax(WindowKind Kind, QuantitySyntax? Last, DateOnly From, DateOnly To, TextSpan Span)
{
    public static WindowSyntax AllTime(TextSpan span) => new(WindowKind.AllTime, null, default, default, span);
}
