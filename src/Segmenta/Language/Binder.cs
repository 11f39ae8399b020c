using System.Globalization;
using Segmenta.Configuration;
using Segmenta.Model;

namespace Segmenta.Language;

/// <summary>Another segment, or why there is none.</summary>
internal sealed record SegmentResolution(SegmentDefinition? Target, string? Code = null, string? Problem = null);

/// <summary>
/// Resolves a segment's names against the schema and checks types, turning syntax into the bound
/// tree. Reports every problem it finds as a diagnostic and returns null when there was any.
/// Other segments are resolved through a callback, which orders dependencies and detects cycles.
/// </summary>
internal sealed class Binder
{
    private static readonly DateOnly EarliestDate = new(1000, 1, 1);
    private static readonly DateOnly LatestDate = new(9998, 12, 31);

    private readonly SegmentSchema schema;
    private readonly Func<string, SegmentResolution> resolveSegment;
    private readonly List<Diagnostic> diagnostics;
    private readonly List<string> usedTraits = [];
    private int errors;

    public Binder(SegmentSchema schema, Func<string, SegmentResolution> resolveSegment, List<Diagnostic> diagnostics)
    {
        this.schema = schema;
        this.resolveSegment = resolveSegment;
        this.diagnostics = diagnostics;
    }

    /// <summary>Computed traits that did not compile: a use of one says so rather than "unknown field".</summary>
    public IReadOnlySet<string> BrokenTraits { get; init; } = new HashSet<string>();

    /// <summary>The computed traits the bound text used, each once, in order.</summary>
    public IReadOnlyList<string> UsedTraits => usedTraits;

    /// <summary>Binds a per-customer value (a computed trait's expression); null when it has errors.</summary>
    public BoundValue? BindValue(ValueSyntax syntax)
    {
        var before = errors;
        var bound = Value(syntax, inFilter: false);
        return errors == before && bound is not ErrorValue ? bound : null;
    }

    /// <summary>Binds a condition over customers; null when it has errors (they are in the diagnostics).</summary>
    public BoundCondition? Bind(ConditionSyntax syntax)
    {
        var before = errors;
        var bound = Condition(syntax, inFilter: false);
        return errors == before ? bound : null;
    }

    private void Report(string code, string message, TextSpan span)
    {
        errors++;
        diagnostics.Add(new Diagnostic(code, message, span));
    }

    private BoundCondition Condition(ConditionSyntax syntax, bool inFilter)
    {
        switch (syntax)
        {
            case AndSyntax and:
                return new BoundAll(and.Items.Select(i => Condition(i, inFilter)).ToList());
            case OrSyntax or:
                return new BoundAny(or.Items.Select(i => Condition(i, inFilter)).ToList());
            case NotSyntax not:
                return new BoundNot(Condition(not.Operand, inFilter));
            case SegmentRefSyntax reference:
                if (inFilter)
                {
                    Report(DiagnosticCodes.NotInEventFilter, "`in segment` is about customers and cannot filter events; move it out of the `where`", reference.Span);
                    return new BoundAll([]);
                }

                var resolution = resolveSegment(reference.Name);
                if (resolution.Target is not { } target)
                {
                    Report(resolution.Code!, resolution.Problem!, reference.NameSpan);
                    return new BoundAll([]);
                }

                return new BoundSegmentRef(target);
            case TransitionSyntax transition:
                if (inFilter)
                {
                    return NotInFilter(transition.Entered ? "`entered segment`" : "`exited segment`", transition.Span);
                }

                var moved = resolveSegment(transition.Name);
                if (moved.Target is not { } history)
                {
                    Report(moved.Code!, moved.Problem!, transition.NameSpan);
                    return new BoundAll([]);
                }

                return new BoundTransition(history, transition.Entered, transition.Within is { } span ? Quantity(span) : null);
            case AnonymousSyntax anonymous:
                // A profile without a user id is named after its anonymous id (docs/identity.md): the name says which it is.
                return inFilter
                    ? NotInFilter("`is anonymous`", anonymous.Span)
                    : new BoundTest(
                        new CustomerField(schema.CustomerFields.First(f => f.Name == CanonicalModel.CustomerId)),
                        anonymous.Negated ? TestOp.NotStartsWith : TestOp.StartsWith,
                        [Identity.Identifier.AnonymousPrefix],
                        null,
                        CaseSensitive: true);
            case ConsentSyntax consent:
                return inFilter ? NotInFilter("`consented`", consent.Span) : Consented(consent);
            case DidSyntax did:
                return inFilter ? NotInFilter("`did`", did.Span) : Did(did);
            case RankSyntax rank:
                return inFilter ? NotInFilter("`top` and `bottom`", rank.Span) : Rank(rank);
            case TestSyntax test:
                return Test(test, inFilter);
            case CompareSyntax compare:
                return Compare(compare, inFilter);
            default:
                throw new InvalidOperationException("unknown syntax " + syntax.GetType().Name);
        }
    }

    private BoundAll NotInFilter(string what, TextSpan span)
    {
        Report(DiagnosticCodes.NotInEventFilter, $"{what} is about customers and cannot filter events; an event filter tests the event's own properties", span);
        return new BoundAll([]);
    }

    /// <summary>
    /// <c>consented CHANNEL</c> as the facts say (<see cref="Consent"/>): the last grant of the channel before as-of is
    /// later than its last withdrawal of each kind, or there is neither and the baseline trait is true.
    /// </summary>
    private BoundCondition Consented(ConsentSyntax syntax)
    {
        var channels = Consent.Channels(schema.CustomerFields);
        var channel = syntax.Channel.ToLowerInvariant();
        if (!channels.Contains(channel))
        {
            Report(DiagnosticCodes.UnknownChannel, $"unknown consent channel `{syntax.Channel}`{Suggestions.DidYouMean(syntax.Channel, channels)} (channels: {string.Join(", ", channels)}; a boolean trait `X_opt_in` adds channel X)", syntax.ChannelSpan);
            return new BoundAll([]);
        }

        var channelField = schema.EventFields.First(f => f.Name == "channel");
        BoundValue Last(string eventType, bool ofChannel) => new Aggregate(
            AggregateKind.Last,
            new BoundEvents(eventType, ofChannel ? new BoundTest(new EventField(channelField), TestOp.Equal, [channel], null) : null),
            null,
            Language.Window.AllTime,
            FieldType.Timestamp);
        var granted = Last(Consent.GrantedEvent, ofChannel: true);
        List<BoundValue> withdrawals = [Last(Consent.WithdrawnEvent, ofChannel: true), .. Consent.WithdrawalEvents.Where(w => w.Value == channel && schema.IsEventType(w.Key)).Select(w => Last(w.Key, ofChannel: false))];
        static BoundTest IsSet(BoundValue value, bool set) => new(value, set ? TestOp.IsNotNull : TestOp.IsNull, [], null);
        var latestIsGrant = new BoundAll([IsSet(granted, true), .. withdrawals.Select(w => new BoundAny([IsSet(w, false), new BoundCompare(granted, TestOp.Greater, w, false)]))]);
        if (Consent.Baseline(schema.CustomerFields, channel) is not { } baseline)
        {
            return latestIsGrant;
        }

        var noFacts = new BoundAll([IsSet(granted, false), .. withdrawals.Select(w => IsSet(w, false)), new BoundTest(new CustomerField(baseline), TestOp.IsTrue, [], null)]);
        return new BoundAny([latestIsGrant, noFacts]);
    }

    private BoundCondition Did(DidSyntax did)
    {
        var first = Events(did.First);
        var window = Window(did.Window);
        if (did.Then.Count == 0)
        {
            var count = new Aggregate(AggregateKind.Count, first, null, window, FieldType.Integer);
            return new BoundTest(count, did.Negated ? TestOp.Equal : TestOp.Greater, [0L], null);
        }

        Quantity Span(QuantitySyntax syntax)
        {
            var span = Quantity(syntax);
            if (span.Unit is TimeUnit.Months or TimeUnit.Years)
            {
                Report(DiagnosticCodes.BadWindow, "the span of a sequence is in hours, days or weeks (a month has no fixed length)", syntax.Span);
            }

            return span;
        }

        var steps = new List<BoundEvents> { first };
        var gaps = new List<Quantity?> { null };
        foreach (var step in did.Then)
        {
            steps.Add(Events(step.Event));
            gaps.Add(step.Within is { } gap ? Span(gap) : null);
        }

        BoundCondition sequence = new BoundSequence(steps, gaps, Span(did.Within!), window);
        return did.Negated ? new BoundNot(sequence) : sequence;
    }

    private BoundRank Rank(RankSyntax rank)
    {
        var measure = Value(rank.Measure, inFilter: false);
        if (measure is not ErrorValue && measure.Type is FieldType.Text or FieldType.Boolean)
        {
            Report(DiagnosticCodes.TypeMismatch, $"`{Describe(rank.Measure)}` is {TypeName(measure.Type)}; rank customers by a number, a date or a time", rank.Measure.Span);
        }

        if (rank.Percent ? rank.Size is <= 0 or > 100 : rank.Size <= 0 || rank.Size != decimal.Truncate(rank.Size))
        {
            Report(DiagnosticCodes.BadRank, rank.Percent ? "a percentage must be above 0 and at most 100" : "the number of customers must be a whole number above 0", rank.SizeSpan);
        }

        return new BoundRank(measure, rank.Top, rank.Size, rank.Percent);
    }

    private BoundCondition Test(TestSyntax test, bool inFilter)
    {
        var value = Value(test.Value, inFilter);
        if (value is ErrorValue)
        {
            return new BoundAll([]);
        }

        var type = value.Type;
        var name = Describe(test.Value);
        if (test.CaseSensitive && (type != FieldType.Text || test.Kind is not (TestKind.Equal or TestKind.NotEqual or TestKind.In or TestKind.Contains or TestKind.StartsWith or TestKind.EndsWith)))
        {
            Report(DiagnosticCodes.BadOperator, $"`case sensitive` goes with =, !=, in, contains, starts with and ends with on text, and `{name}` is {TypeName(type)}{(type == FieldType.Text ? " tested another way" : "")}", test.Span);
        }

        if (value.IsComputed())
        {
            return ComputedTest(test, value, name);
        }

        switch (test.Kind)
        {
            case TestKind.Bare:
                if (type != FieldType.Boolean)
                {
                    Report(DiagnosticCodes.NotACondition, $"`{name}` is {TypeName(type)}, not a condition; expected a comparison such as {Example(name, type)}", test.Span);
                }

                return new BoundTest(value, TestOp.IsTrue, [], null);
            case TestKind.IsNull:
                return new BoundTest(value, test.Negated ? TestOp.IsNotNull : TestOp.IsNull, [], null);
            case TestKind.Within or TestKind.MoreThanAgo:
                if (type is not (FieldType.Date or FieldType.Timestamp))
                {
                    Report(DiagnosticCodes.BadOperator, $"`{test.Kind switch { TestKind.Within => "within", _ => "more than … ago" }}` needs a date or a time, and `{name}` is {TypeName(type)}", test.OperatorSpan);
                }

                return new BoundTest(value, test.Kind == TestKind.Within ? TestOp.Within : TestOp.MoreThanAgo, [], Quantity(test.Quantity!));
            case TestKind.Contains or TestKind.StartsWith or TestKind.EndsWith:
                if (type != FieldType.Text)
                {
                    Report(DiagnosticCodes.BadOperator, $"`{OperatorWord(test.Kind)}` works on text, and `{name}` is {TypeName(type)}", test.OperatorSpan);
                }

                var op = (test.Kind, test.Negated) switch
                {
                    (TestKind.Contains, false) => TestOp.Contains,
                    (TestKind.Contains, true) => TestOp.NotContains,
                    (TestKind.StartsWith, false) => TestOp.StartsWith,
                    (TestKind.StartsWith, true) => TestOp.NotStartsWith,
                    (TestKind.EndsWith, false) => TestOp.EndsWith,
                    _ => TestOp.NotEndsWith,
                };
                return new BoundTest(value, op, Literals(test.Literals, FieldType.Text, name), null, test.CaseSensitive);
            default:
                break;
        }

        if (type == FieldType.Boolean && test.Kind is not (TestKind.Equal or TestKind.NotEqual))
        {
            Report(DiagnosticCodes.BadOperator, $"`{name}` is true or false; compare it with `=` or `!=`, or use it alone as a condition", test.OperatorSpan);
        }

        var literals = Literals(test.Literals, type, name);
        return test.Kind switch
        {
            TestKind.Equal => new BoundTest(value, TestOp.Equal, literals, null, test.CaseSensitive),
            TestKind.NotEqual => new BoundTest(value, TestOp.NotEqual, literals, null, test.CaseSensitive),
            TestKind.Less => new BoundTest(value, TestOp.Less, literals, null),
            TestKind.LessOrEqual => new BoundTest(value, TestOp.LessOrEqual, literals, null),
            TestKind.Greater => new BoundTest(value, TestOp.Greater, literals, null),
            TestKind.GreaterOrEqual => new BoundTest(value, TestOp.GreaterOrEqual, literals, null),
            TestKind.Between => new BoundTest(value, test.Negated ? TestOp.NotBetween : TestOp.Between, literals, null),
            _ => new BoundTest(value, test.Negated ? TestOp.NotIn : TestOp.In, literals, null, test.CaseSensitive),
        };
    }

    /// <summary>
    /// A test of an arithmetic expression against numbers, as comparisons (so that it is exact): <c>between</c> is two,
    /// <c>in</c> one per value; a missing expression passes none of them but <c>is null</c>.
    /// </summary>
    private BoundCondition ComputedTest(TestSyntax test, BoundValue value, string name)
    {
        switch (test.Kind)
        {
            case TestKind.IsNull:
                return new BoundTest(value, test.Negated ? TestOp.IsNotNull : TestOp.IsNull, [], null);
            case TestKind.Bare:
                Report(DiagnosticCodes.NotACondition, $"`{name}` is {TypeName(value.Type)}, not a condition; expected a comparison such as `{name} > 0`", test.Span);
                return new BoundAll([]);
            case TestKind.Equal or TestKind.NotEqual or TestKind.Less or TestKind.LessOrEqual or TestKind.Greater or TestKind.GreaterOrEqual
                or TestKind.Between or TestKind.In:
                break;
            default:
                Report(DiagnosticCodes.BadOperator, $"`{name}` is {TypeName(value.Type)}; compare it with =, !=, <, <=, >, >=, `between` or `in`", test.OperatorSpan);
                return new BoundAll([]);
        }

        var bounds = Literals(test.Literals, FieldType.Number, name).Select(l => (BoundValue)new Constant((decimal)l)).ToList();
        if (bounds.Count != test.Literals.Count)
        {
            return new BoundAll([]);
        }

        BoundCompare Against(TestOp op, int i) => new(value, op, bounds[i], false);
        return (test.Kind, test.Negated) switch
        {
            (TestKind.Between, false) => new BoundAll([Against(TestOp.GreaterOrEqual, 0), Against(TestOp.LessOrEqual, 1)]),
            (TestKind.Between, true) => new BoundAny([Against(TestOp.Less, 0), Against(TestOp.Greater, 1)]),
            (TestKind.In, false) => new BoundAny(bounds.Select((_, i) => (BoundCondition)Against(TestOp.Equal, i)).ToList()),
            (TestKind.In, true) => new BoundAll(bounds.Select((_, i) => (BoundCondition)Against(TestOp.NotEqual, i)).ToList()),
            _ => Against(ComparisonOp(test.Kind), 0),
        };
    }

    private static TestOp ComparisonOp(TestKind kind) => kind switch
    {
        TestKind.Equal => TestOp.Equal,
        TestKind.NotEqual => TestOp.NotEqual,
        TestKind.Less => TestOp.Less,
        TestKind.LessOrEqual => TestOp.LessOrEqual,
        TestKind.Greater => TestOp.Greater,
        _ => TestOp.GreaterOrEqual,
    };

    /// <summary>Two expressions compared: both numbers, or both of one other type (booleans only with = and !=).</summary>
    private BoundCondition Compare(CompareSyntax compare, bool inFilter)
    {
        var left = Value(compare.Left, inFilter);
        var right = Value(compare.Right, inFilter);
        if (left is ErrorValue || right is ErrorValue)
        {
            return new BoundAll([]);
        }

        static bool Numeric(FieldType t) => t is FieldType.Integer or FieldType.Number;
        var (l, r) = (Describe(compare.Left), Describe(compare.Right));
        if (!(Numeric(left.Type) && Numeric(right.Type)) && left.Type != right.Type)
        {
            var hint = (left.Type, right.Type) is (FieldType.Date, FieldType.Timestamp) or (FieldType.Timestamp, FieldType.Date)
                ? "; a date and a time are compared through a literal day (`signup_at > 2024-01-31`)"
                : "";
            Report(DiagnosticCodes.TypeMismatch, $"`{l}` is {TypeName(left.Type)} and `{r}` is {TypeName(right.Type)}; they cannot be compared{hint}", compare.OperatorSpan);
        }
        else if (left.Type == FieldType.Boolean && compare.Kind is not (TestKind.Equal or TestKind.NotEqual))
        {
            Report(DiagnosticCodes.BadOperator, $"`{l}` and `{r}` are true or false; compare them with `=` or `!=`", compare.OperatorSpan);
        }

        if (compare.CaseSensitive && (left.Type != FieldType.Text || compare.Kind is not (TestKind.Equal or TestKind.NotEqual)))
        {
            Report(DiagnosticCodes.BadOperator, "`case sensitive` goes with = and != between two texts", compare.Span);
        }

        return new BoundCompare(left, ComparisonOp(compare.Kind), right, compare.CaseSensitive);
    }

    /// <summary>Converts literals to the value's type; a mismatch is a diagnostic that says what to write instead.</summary>
    private List<object> Literals(IReadOnlyList<LiteralSyntax> literals, FieldType type, string name)
    {
        var result = new List<object>(literals.Count);
        foreach (var literal in literals)
        {
            if (literal.Value is null)
            {
                Report(DiagnosticCodes.NullComparison, $"a comparison with null is never true; write `{name} is null` or `{name} is not null`", literal.Span);
                continue;
            }

            object? converted = (type, literal.Value) switch
            {
                (FieldType.Text, string s) => s,
                (FieldType.Integer or FieldType.Number, decimal d) => type == FieldType.Integer && d == decimal.Truncate(d) && d is >= long.MinValue and <= long.MaxValue ? (object)(long)d : d,
                (FieldType.Boolean, bool b) => b,
                (FieldType.Date or FieldType.Timestamp, DateOnly d) => CheckDate(d, literal.Span),
                _ => null,
            };
            if (converted is null)
            {
                Report(DiagnosticCodes.TypeMismatch, $"`{name}` is {TypeName(type)}, so {LiteralText.Show(literal.Value)} cannot be compared with it; {Expecting(type, literal.Value)}", literal.Span);
                continue;
            }

            result.Add(converted);
        }

        return result;
    }

    private DateOnly CheckDate(DateOnly date, TextSpan span)
    {
        if (date < EarliestDate || date > LatestDate)
        {
            Report(DiagnosticCodes.BadDate, "dates must fall between 1000-01-01 and 9998-12-31", span);
        }

        return date;
    }

    private static string Expecting(FieldType type, object literal) => (type, literal) switch
    {
        (FieldType.Text, _) => $"write the value in quotes: \"{LiteralText.Show(literal).Trim('"')}\"",
        (FieldType.Integer or FieldType.Number, _) => "expected a number",
        (FieldType.Boolean, _) => "expected true or false",
        _ => "expected a date such as 2024-01-31",
    };

    private BoundValue Value(ValueSyntax syntax, bool inFilter) => syntax switch
    {
        FieldSyntax field => Field(field, inFilter),
        AggregateSyntax aggregate when inFilter => NotInFilterValue(aggregate),
        AggregateSyntax aggregate => Aggregate(aggregate),
        BinarySyntax binary => Binary(binary, inFilter),
        NegateSyntax negate => Negate(negate, inFilter),
        ConstantSyntax { Literal.Value: decimal number } => new Constant(number),
        CallSyntax call => DaysSince(call, inFilter),
        ConstantSyntax constant => NotAValue(constant),
        _ => throw new InvalidOperationException("unknown value syntax"),
    };

    private BoundValue DaysSince(CallSyntax call, bool inFilter)
    {
        var operand = Value(call.Argument, inFilter);
        if (operand is ErrorValue)
        {
            return operand;
        }

        if (operand.Type is not (FieldType.Date or FieldType.Timestamp))
        {
            Report(DiagnosticCodes.BadOperator, $"`days_since` takes a date or a time, and `{Describe(call.Argument)}` is {TypeName(operand.Type)}", call.Argument.Span);
            return Unknown();
        }

        return new DaysSince(operand);
    }

    private BoundValue Negate(NegateSyntax negate, bool inFilter)
    {
        var operand = Operand(negate.Operand, inFilter, "-");
        return operand is ErrorValue ? operand : new Negation(operand);
    }

    private ErrorValue NotAValue(ConstantSyntax constant)
    {
        Report(DiagnosticCodes.TypeMismatch, $"{LiteralText.Show(constant.Literal.Value)} is a literal where a number is expected: arithmetic works on numbers, and a comparison needs a field, an aggregate or an expression on one side", constant.Span);
        return Unknown();
    }

    private BoundValue Binary(BinarySyntax binary, bool inFilter)
    {
        var symbol = binary.Operator.ToString();
        var left = Operand(binary.Left, inFilter, symbol);
        var right = Operand(binary.Right, inFilter, symbol);
        if (left is ErrorValue || right is ErrorValue)
        {
            return Unknown();
        }

        var op = binary.Operator switch { '+' => ArithmeticOp.Add, '-' => ArithmeticOp.Subtract, '*' => ArithmeticOp.Multiply, _ => ArithmeticOp.Divide };
        var whole = op != ArithmeticOp.Divide && left.Type == FieldType.Integer && right.Type == FieldType.Integer;
        return new Arithmetic(op, left, right, whole ? FieldType.Integer : FieldType.Number);
    }

    /// <summary>An operand of arithmetic: a number, or a diagnostic saying what it is instead.</summary>
    private BoundValue Operand(ValueSyntax syntax, bool inFilter, string symbol)
    {
        var value = Value(syntax, inFilter);
        if (value is not ErrorValue && value.Type is not (FieldType.Integer or FieldType.Number))
        {
            var hint = value.Type is FieldType.Date or FieldType.Timestamp ? "; for days since a date compare it with `within 30 days` or `more than 30 days ago`" : "";
            Report(DiagnosticCodes.BadOperator, $"`{symbol}` works on numbers, and `{Describe(syntax)}` is {TypeName(value.Type)}{hint}", syntax.Span);
            return Unknown();
        }

        return value;
    }

    private ErrorValue NotInFilterValue(AggregateSyntax aggregate)
    {
        Report(DiagnosticCodes.NotInEventFilter, $"`{aggregate.Function}(…)` is about a customer's events and cannot filter single events", aggregate.Span);
        return Unknown();
    }

    private BoundValue Field(FieldSyntax field, bool inFilter)
    {
        if (field.Qualifier is { } qualifier)
        {
            if (schema.Derived(qualifier) is { } set)
            {
                if (schema.Value(qualifier, field.Name) is { } derivedField)
                {
                    return derivedField;
                }

                Report(DiagnosticCodes.UnknownField, $"`{qualifier}` has no field `{field.Name}`{Suggestions.DidYouMean(field.Name, set.Fields.Select(f => f.Name))} ({qualifier} has {string.Join(", ", set.Fields.Select(f => f.Name))})", field.Span);
                return Unknown();
            }

            if (schema.IsEventType(qualifier) || qualifier == SegmentSchema.AnyEvent)
            {
                Report(DiagnosticCodes.UnknownField, $"`{field.FullName}` is an event property; use it inside an aggregate such as `sum({field.FullName}, last 90 days)`", field.Span);
                return Unknown();
            }

            var namespaces = schema.DerivedSets.Select(d => d.Namespace).ToList();
            if (qualifier.StartsWith("uplift.", StringComparison.Ordinal))
            {
                var campaign = qualifier["uplift.".Length..];
                var fitted = namespaces.Where(n => n.StartsWith("uplift.", StringComparison.Ordinal)).ToList();
                Report(
                    DiagnosticCodes.UnknownField,
                    $"unknown field `{field.FullName}`: campaign `{campaign}` has no uplift model (segmenta uplift fit {campaign} --features …){(fitted.Count == 0 ? "" : $"; models: {string.Join(", ", fitted)}")}{Suggestions.DidYouMean(qualifier, fitted)}",
                    field.Span);
                return Unknown();
            }

            Report(
                DiagnosticCodes.UnknownField,
                $"unknown field `{field.FullName}`: `{qualifier}` is neither a computed field set{(namespaces.Count == 0 ? " (none are computed in this workspace yet)" : $" ({string.Join(", ", namespaces)})")} nor an event type{Suggestions.DidYouMean(qualifier, [.. namespaces, .. schema.EventTypes])}",
                field.Span);
            return Unknown();
        }

        if (inFilter)
        {
            if (schema.EventProperty(field.Name) is { } property)
            {
                return new EventField(property);
            }

            if (schema.Customer(field.Name) is not null || schema.Computed(field.Name) is not null)
            {
                Report(DiagnosticCodes.NotInEventFilter, $"`{field.Name}` is a {(schema.Customer(field.Name) is null ? "computed trait" : "trait")} of the customer, and an event filter tests the event's own properties; test it outside the `where`", field.Span);
                return Unknown();
            }

            Report(DiagnosticCodes.UnknownProperty, $"unknown event property `{field.Name}`{Suggestions.DidYouMean(field.Name, schema.EventPropertyNames)}", field.Span);
            return Unknown();
        }

        if (schema.Value(null, field.Name) is { } value)
        {
            if (schema.Customer(field.Name) is null && schema.Computed(field.Name) is not null && !usedTraits.Contains(field.Name))
            {
                usedTraits.Add(field.Name);
            }

            return value;
        }

        if (BrokenTraits.Contains(field.Name))
        {
            Report(DiagnosticCodes.UnknownSegment, $"computed trait `{field.Name}` has errors of its own; fix them first", field.Span);
            return Unknown();
        }

        var hint = Suggestions.Closest(field.Name, schema.CustomerFields.Select(f => f.Name).Concat(schema.ComputedTraits.Select(t => t.Name)));
        var extra = hint is null && schema.EventProperty(field.Name) is not null
            ? $"; `{field.Name}` is an event property, usable in a filter such as `count(purchase where {field.Name} = …, last 30 days)`"
            : Suggestions.Hint(hint);
        Report(DiagnosticCodes.UnknownField, $"unknown field `{field.Name}`{extra}", field.Span);
        return Unknown();
    }

    /// <summary>A placeholder after an error, so that one mistake is reported once.</summary>
    private static ErrorValue Unknown() => new();

    private BoundValue Aggregate(AggregateSyntax syntax)
    {
        var events = Events(syntax.Event);
        var window = Window(syntax.Window);
        FieldDefinition? property = null;
        if (syntax.Property is { } propertyName)
        {
            property = schema.EventProperty(propertyName);
            if (property is null)
            {
                Report(DiagnosticCodes.UnknownProperty, $"unknown event property `{propertyName}`{Suggestions.DidYouMean(propertyName, schema.EventPropertyNames)}", syntax.PropertySpan);
                return Unknown();
            }
        }

        var what = $"{syntax.Event.Type}{(property is null ? "" : "." + property.Name)}";
        if (syntax.Distinct && syntax.Function != "count")
        {
            Report(DiagnosticCodes.BadAggregate, $"`distinct` goes with count only: count(distinct {what})", syntax.FunctionSpan);
        }

        switch (syntax.Function)
        {
            case "count":
                if (syntax.Distinct && property is null)
                {
                    Report(DiagnosticCodes.BadAggregate, $"count(distinct …) counts the different values of a property: count(distinct {syntax.Event.Type}.category)", syntax.Span);
                }

                return new Aggregate(syntax.Distinct ? AggregateKind.CountDistinct : AggregateKind.Count, events, property, window, FieldType.Integer);
            case "most_frequent":
                if (property is null)
                {
                    Report(DiagnosticCodes.BadAggregate, $"most_frequent(…) needs a property of the event: most_frequent({syntax.Event.Type}.category)", syntax.Event.TypeSpan);
                    return Unknown();
                }

                return new Aggregate(AggregateKind.MostFrequent, events, property, window, property.Type);
            case "first" or "last":
                if (property is not null)
                {
                    Report(DiagnosticCodes.BadAggregate, $"{syntax.Function}(…) takes an event, not a property: {syntax.Function}({syntax.Event.Type}); for the {(syntax.Function == "first" ? "smallest" : "largest")} value use {(syntax.Function == "first" ? "min" : "max")}({what})", syntax.PropertySpan);
                }

                return new Aggregate(syntax.Function == "first" ? AggregateKind.First : AggregateKind.Last, events, null, window, FieldType.Timestamp);
            default:
                if (property is null)
                {
                    Report(DiagnosticCodes.BadAggregate, $"{syntax.Function}(…) needs a property of the event: {syntax.Function}({syntax.Event.Type}.revenue)", syntax.Event.TypeSpan);
                    return Unknown();
                }

                var kind = syntax.Function switch { "sum" => AggregateKind.Sum, "avg" => AggregateKind.Avg, "min" => AggregateKind.Min, _ => AggregateKind.Max };
                if (kind is AggregateKind.Sum or AggregateKind.Avg && property.Type is not (FieldType.Integer or FieldType.Number))
                {
                    Report(DiagnosticCodes.BadAggregate, $"{syntax.Function}(…) needs a numeric property, and `{property.Name}` is {TypeName(property.Type)}", syntax.PropertySpan);
                    return Unknown();
                }

                var type = kind == AggregateKind.Avg ? FieldType.Number : property.Type;
                return new Aggregate(kind, events, property, window, type);
        }
    }

    private BoundEvents Events(EventSyntax syntax)
    {
        string? type = syntax.Type;
        if (string.Equals(type, SegmentSchema.AnyEvent, StringComparison.Ordinal))
        {
            type = null;
        }
        else if (!schema.IsEventType(type))
        {
            Report(DiagnosticCodes.UnknownEventType, $"unknown event type `{type}`{Suggestions.DidYouMean(type, schema.EventTypes)} (event types: {string.Join(", ", schema.EventTypes)}, or `any`)", syntax.TypeSpan);
        }

        var filter = syntax.Filter is null ? null : Condition(syntax.Filter, inFilter: true);
        return new BoundEvents(type, filter);
    }

    private Window Window(WindowSyntax? syntax)
    {
        if (syntax is null)
        {
            return Language.Window.AllTime;
        }

        switch (syntax.Kind)
        {
            case WindowKind.Last:
                return new Window(WindowKind.Last, Quantity(syntax.Last!), default, default);
            case WindowKind.Between:
                CheckDate(syntax.From, syntax.Span);
                CheckDate(syntax.To, syntax.Span);
                if (syntax.To < syntax.From)
                {
                    Report(DiagnosticCodes.BadWindow, $"the window ends ({LiteralText.Show(syntax.To)}) before it starts ({LiteralText.Show(syntax.From)})", syntax.Span);
                }

                break;
            case WindowKind.Since or WindowKind.Before:
                CheckDate(syntax.From, syntax.Span);
                break;
            default:
                break;
        }

        return new Window(syntax.Kind, default, syntax.From, syntax.To);
    }

    private Quantity Quantity(QuantitySyntax syntax)
    {
        var limit = syntax.Unit switch { TimeUnit.Years => 1000, TimeUnit.Months => 12_000, _ => 100_000 };
        if (syntax.Amount < 1 || syntax.Amount > limit)
        {
            Report(DiagnosticCodes.BadWindow, $"a span must be between 1 and {limit.ToString(CultureInfo.InvariantCulture)} {syntax.Unit.ToString().ToLowerInvariant()}", syntax.Span);
        }

        return new Quantity(Math.Clamp(syntax.Amount, 1, limit), syntax.Unit);
    }

    internal static string Describe(ValueSyntax value) => value switch
    {
        FieldSyntax f => f.FullName,
        AggregateSyntax a => $"{a.Function}({(a.Distinct ? "distinct " : "")}{a.Event.Type}{(a.Property is null ? "" : "." + a.Property)}{(a.Event.Filter is null ? "" : " where …")}{(a.Window is null ? "" : ", …")})",
        BinarySyntax b => $"{Operand(b.Left, b.Operator, right: false)} {b.Operator} {Operand(b.Right, b.Operator, right: true)}",
        NegateSyntax n => "-" + (n.Operand is BinarySyntax ? "(" + Describe(n.Operand) + ")" : Describe(n.Operand)),
        ConstantSyntax c => LiteralText.Show(c.Literal.Value),
        CallSyntax c => $"{c.Function}({Describe(c.Argument)})",
        _ => "?",
    };

    /// <summary>An operand as written, in parentheses where the operator's precedence needs them.</summary>
    private static string Operand(ValueSyntax operand, char op, bool right)
    {
        static int Rank(char c) => c is '*' or '/' ? 2 : 1;
        var needs = operand is BinarySyntax inner && (Rank(inner.Operator) < Rank(op) || (right && Rank(inner.Operator) == Rank(op)));
        return needs ? "(" + Describe(operand) + ")" : Describe(operand);
    }

    private static string OperatorWord(TestKind kind) => kind switch
    {
        TestKind.Contains => "contains",
        TestKind.StartsWith => "starts with",
        _ => "ends with",
    };

    internal static string TypeName(FieldType type) => type switch
    {
        FieldType.Text => "text",
        FieldType.Integer => "a whole number",
        FieldType.Number => "a number",
        FieldType.Boolean => "true or false",
        FieldType.Date => "a date",
        _ => "a time",
    };

    private static string Example(string name, FieldType type) => type switch
    {
        FieldType.Text => $"`{name} = \"…\"`",
        FieldType.Date or FieldType.Timestamp => $"`{name} within 30 days`",
        _ => $"`{name} > 0`",
    };
}
