using System.Globalization;
using Segmenta.Configuration;

namespace Segmenta.Language;

/// <summary>
/// Recursive descent over the tokens (grammar in docs/language.md). A syntax error ends the segment it
/// is in; parsing resumes at the next <c>segment</c>, so one run reports every broken segment of a file.
/// Nesting is bounded (operators of an expression count as nesting), so no input can exhaust the stack.
/// Keywords are contextual where a value is expected: a keyword followed by what can only continue a value
/// (<c>description contains "x"</c>) is a name; back quotes make anything a name.
/// </summary>
internal sealed class Parser
{
    /// <summary>Deepest nesting accepted: parentheses, <c>not</c>s, event filters and arithmetic operators, counted together.</summary>
    public const int MaxDepth = 64;

    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "and", "or", "not", "in", "segment", "where", "did", "then", "within", "top", "bottom", "by",
        "between", "is", "null", "true", "false", "contains", "starts", "ends", "description", "more", "less",
    };

    internal static readonly string[] Functions = ["count", "sum", "avg", "min", "max", "first", "last", "most_frequent"];

    /// <summary>Functions of one value (not of events).</summary>
    internal static readonly string[] ValueFunctions = ["days_since"];

    /// <summary>Every word the grammar gives a meaning to somewhere (reserved or contextual), for editors.</summary>
    internal static IEnumerable<string> Keywords => Reserved.Concat([
        "trait", "distinct", "any", "last", "since", "before", "all", "time", "percent", "with", "than", "ago", "case", "sensitive", "anonymous", "consented", "to",
        "entered", "exited", "hours", "days", "weeks", "months", "years"]).Order(StringComparer.Ordinal);

    private readonly List<Token> tokens;
    private readonly List<Diagnostic> diagnostics;
    private int index;
    private int depth;

    private Parser(List<Token> tokens, List<Diagnostic> diagnostics)
    {
        this.tokens = tokens;
        this.diagnostics = diagnostics;
    }

    /// <summary>
    /// Parses a file of segments. <paramref name="failed"/> receives each segment left out for a syntax or lexical error:
    /// its name (when the text got that far) and where its keyword is.
    /// </summary>
    public static List<SegmentSyntax> ParseFile(string text, List<Diagnostic> diagnostics, List<(string? Name, TextSpan At)>? failed = null) =>
        ParseDefinitions(text, diagnostics, failed).Segments;

    /// <summary>Parses a file of segments and computed traits (<c>trait NAME = EXPRESSION</c>), each in file order.</summary>
    public static (List<SegmentSyntax> Segments, List<TraitSyntax> Traits) ParseDefinitions(string text, List<Diagnostic> diagnostics, List<(string? Name, TextSpan At)>? failed = null)
    {
        var before = diagnostics.Count;
        var parser = new Parser(Tokenizer.Tokenize(text, diagnostics), diagnostics);
        var segments = new List<SegmentSyntax>();
        var traits = new List<TraitSyntax>();
        var lexicalErrors = diagnostics.Skip(before).Select(d => d.Span.Start).ToList();
        while (parser.Current.Kind != TokenKind.End)
        {
            if (!parser.StartsDefinition())
            {
                parser.Report(DiagnosticCodes.TrailingText, $"expected `segment` or `trait` to start a definition, found {parser.Current.Describe()}", parser.Current.Span);
                parser.SkipToNextSegment();
                continue;
            }

            var start = parser.index;
            try
            {
                var isTrait = parser.Current.IsWord("trait");
                var (name, definition) = isTrait ? parser.Trait() : parser.Segment();

                // A definition read past a bad character or string would be guesswork: one with a lexical error between its
                // keyword and the next token after it is left out (its diagnostics say why); the others stand.
                var (from, to) = (parser.tokens[start].Span.Start, parser.Current.Span.Start);
                if (lexicalErrors.Any(at => at >= from && at < to))
                {
                    failed?.Add((name, parser.tokens[start].Span));
                }
                else if (definition is TraitSyntax trait)
                {
                    traits.Add(trait);
                }
                else
                {
                    segments.Add((SegmentSyntax)definition);
                }
            }
            catch (SyntaxError)
            {
                var name = parser.tokens[Math.Min(start + 1, parser.tokens.Count - 1)];
                failed?.Add((name.Kind == TokenKind.Word && IsName(name.Text) ? name.Text : null, parser.tokens[start].Span));
                // Resume at the next `segment` or `trait` after this one's keyword (which may be the token the error was found at).
                parser.index = start;
                parser.SkipToNextSegment();
            }
        }

        return (segments, traits);
    }

    /// <summary>At <c>segment</c>, or at <c>trait</c> followed by a name (a field called trait is tested with an operator after it).</summary>
    private bool StartsDefinition() => Current.IsWord("segment") || (Current.IsWord("trait") && Peek().Kind == TokenKind.Word && !IsContextualName(index + 1, excludeMinus: false));

    /// <summary><c>trait NAME ["Title"] [description "…"] = EXPRESSION</c>.</summary>
    private (string Name, object Definition) Trait()
    {
        var (start, nameToken, title, description) = Header("trait");

        Expect("=", $"{(title is null ? "a quoted title, " : "")}{(description is null ? "`description` or " : "")}`=` and the trait's expression after the trait name");
        var expression = Expression("the trait's expression (a field, an aggregate such as `sum(purchase.revenue)`, or arithmetic of them)");
        if (Current.Kind != TokenKind.End && !StartsDefinition())
        {
            throw Error(DiagnosticCodes.Expected, $"expected an operator, the next `segment` or `trait`, or the end of the file after the trait's expression, found {Current.Describe()}");
        }

        return (nameToken.Text, new TraitSyntax(nameToken.Text, nameToken.Span, title, description, expression, From(start)));
    }

    /// <summary>Parses a bare condition (the builder's live preview, golden cases).</summary>
    public static ConditionSyntax? ParseCondition(string text, List<Diagnostic> diagnostics)
    {
        var before = diagnostics.Count;
        var parser = new Parser(Tokenizer.Tokenize(text, diagnostics), diagnostics);
        try
        {
            var condition = parser.Condition();
            if (parser.Current.Kind != TokenKind.End)
            {
                throw parser.Error(DiagnosticCodes.Expected, $"expected `and`, `or` or the end of the condition, found {parser.Current.Describe()}");
            }

            return diagnostics.Count > before ? null : condition;
        }
        catch (SyntaxError)
        {
            return null;
        }
    }

    private Token Current => tokens[index];

    private Token Peek(int ahead = 1) => tokens[Math.Min(index + ahead, tokens.Count - 1)];

    private Token Advance()
    {
        var token = tokens[index];
        if (index < tokens.Count - 1)
        {
            index++;
        }

        return token;
    }

    /// <summary>The span from <paramref name="start"/> to the end of the last token consumed.</summary>
    private TextSpan From(Token start)
    {
        var last = tokens[Math.Max(0, index - 1)];
        var end = Math.Max(last.Span.End, start.Span.End);
        return start.Span with { Length = end - start.Span.Start };
    }

    /// <summary>A definition's keyword, name, optional title and optional description: what segments and traits share.</summary>
    private (Token Start, Token Name, string? Title, string? Description) Header(string kind)
    {
        var start = Advance();
        var nameToken = Current;
        if (nameToken.Kind != TokenKind.Word || !IsName(nameToken.Text))
        {
            throw Error(DiagnosticCodes.Expected, $"expected a {kind} name (lower-case letters, digits and _, starting with a letter), found {nameToken.Describe()}");
        }

        Advance();
        string? title = null;
        string? description = null;
        if (Current.Kind == TokenKind.String)
        {
            title = (string)Advance().Value!;
        }

        if (Current.IsWord("description"))
        {
            Advance();
            description = (string)Expect(TokenKind.String, "a quoted description after `description`").Value!;
        }

        return (start, nameToken, title, description);
    }

    private (string Name, object Definition) Segment()
    {
        var (start, nameToken, title, description) = Header("segment");

        if (!Current.IsWord("where"))
        {
            throw Error(DiagnosticCodes.Expected, $"expected {(title is null ? "a quoted title, " : "")}{(description is null ? "`description` or " : "")}`where` after the segment name, found {Current.Describe()}");
        }

        Advance();
        var condition = Condition();
        if (Current.Kind != TokenKind.End && !StartsDefinition())
        {
            throw Error(DiagnosticCodes.Expected, $"expected `and`, `or`, the next `segment` or `trait`, or the end of the file, found {Current.Describe()}");
        }

        return (nameToken.Text, new SegmentSyntax(nameToken.Text, nameToken.Span, title, description, condition, From(start)));
    }

    private ConditionSyntax Condition()
    {
        var start = Current;
        var items = new List<ConditionSyntax> { And() };
        while (Current.IsWord("or"))
        {
            Advance();
            items.Add(And());
        }

        return items.Count == 1 ? items[0] : new OrSyntax(items, From(start));
    }

    private ConditionSyntax And()
    {
        var start = Current;
        var items = new List<ConditionSyntax> { Unary() };
        while (Current.IsWord("and"))
        {
            Advance();
            items.Add(Unary());
        }

        return items.Count == 1 ? items[0] : new AndSyntax(items, From(start));
    }

    private ConditionSyntax Unary()
    {
        var start = Current;
        if (!Current.IsWord("not") || IsContextualName(index + 1, excludeMinus: true))
        {
            return Primary();
        }

        Enter();
        Advance();
        var result = new NotSyntax(Unary(), From(start));
        depth--;
        return result;
    }

    private ConditionSyntax Primary()
    {
        var start = Current;
        if (Current.IsSymbol("(") && !OpensExpression())
        {
            Enter();
            Advance();
            var inner = Condition();
            Expect(")", "`)` to close the `(`");
            depth--;
            return inner;
        }

        if (Current.IsWord("in") && Peek().IsWord("segment"))
        {
            Advance();
            Advance();
            var name = Current;
            if (name.Kind != TokenKind.Word || !IsName(name.Text))
            {
                throw Error(DiagnosticCodes.Expected, $"expected a segment name after `in segment`, found {name.Describe()}");
            }

            Advance();
            return new SegmentRefSyntax(name.Text, name.Span, From(start));
        }

        if ((Current.IsWord("entered") || Current.IsWord("exited")) && Peek().IsWord("segment"))
        {
            var entered = Current.IsWord("entered");
            Advance();
            Advance();
            var target = Current;
            if (target.Kind != TokenKind.Word || !IsName(target.Text))
            {
                throw Error(DiagnosticCodes.Expected, $"expected a segment name after `{(entered ? "entered" : "exited")} segment`, found {target.Describe()}");
            }

            Advance();
            QuantitySyntax? span = null;
            if (Current.IsWord("within"))
            {
                Advance();
                span = Quantity();
            }

            return new TransitionSyntax(entered, target.Text, target.Span, span, From(start));
        }

        if (Current.IsWord("is") && (Peek().IsWord("anonymous") || (Peek().IsWord("not") && tokens[Math.Min(index + 2, tokens.Count - 1)].IsWord("anonymous"))))
        {
            Advance();
            var negated = Current.IsWord("not");
            if (negated)
            {
                Advance();
            }

            Advance();
            return new AnonymousSyntax(negated, From(start));
        }

        var keyword = !IsContextualName(index + 1, excludeMinus: true);
        if (Current.IsWord("consented") && keyword)
        {
            return Consented();
        }

        if (Current.IsWord("did") && keyword)
        {
            return Did();
        }

        if ((Current.IsWord("top") || Current.IsWord("bottom")) && keyword)
        {
            return Rank();
        }

        var value = Expression(ConditionExpected);
        return Test(value, start);
    }

    /// <summary><c>consented [to] CHANNEL</c>.</summary>
    private ConsentSyntax Consented()
    {
        var start = Advance();
        if (Current.IsWord("to") && Peek().Kind == TokenKind.Word)
        {
            Advance();
        }

        var channel = Current;
        if (channel.Kind != TokenKind.Word || !IsName(channel.Text))
        {
            throw Error(DiagnosticCodes.Expected, $"expected a channel after `consented` (email, sms, push, …), found {channel.Describe()}");
        }

        Advance();
        return new ConsentSyntax(channel.Text, channel.Span, From(start));
    }

    private DidSyntax Did()
    {
        var start = Advance();
        var negated = false;
        if (Current.IsWord("not"))
        {
            Advance();
            negated = true;
        }

        var first = Event();
        var steps = new List<FunnelStepSyntax>();
        QuantitySyntax? within = null;
        while (Current.IsWord("then"))
        {
            // A `within` after a step is its own gap from the step before; after the last step it is the whole funnel's
            // span, unless a second `within` follows (then the first is the last step's own).
            Enter();
            Advance();
            var step = Event();
            QuantitySyntax? gap = null;
            if (Current.IsWord("within"))
            {
                Advance();
                gap = Quantity();
            }

            steps.Add(new FunnelStepSyntax(step, gap));
        }

        depth -= steps.Count;
        if (steps.Count > 0)
        {
            if (Current.IsWord("within"))
            {
                Advance();
                within = Quantity();
            }
            else if (steps[^1].Within is { } last)
            {
                within = last;
                steps[^1] = steps[^1] with { Within = null };
            }
            else
            {
                throw Error(DiagnosticCodes.Expected, (steps.Count == 1
                    ? "expected `within` and a span after the second event of a sequence (`did A then B within 7 days`)"
                    : "expected `within` and the funnel's span after its last step (`did A then B then C within 7 days`)") + $", found {Current.Describe()}");
            }
        }

        var window = StartsWindow() ? Window() : null;
        return new DidSyntax(negated, first, steps, within, window, From(start));
    }

    private RankSyntax Rank()
    {
        var start = Advance();
        var top = start.IsWord("top");
        var size = Expect(TokenKind.Number, $"a number after `{start.Text}` (`{start.Text} 10%` or `{start.Text} 100`)");
        var percent = false;
        if (Current.IsSymbol("%") || Current.IsWord("percent"))
        {
            Advance();
            percent = true;
        }

        var sizeSpan = From(size);
        ExpectWord("by", $"`by` and a measure after `{start.Text} {size.Text}{(percent ? "%" : "")}`");
        var measure = Expression("a measure after `by` (a field, an aggregate or an expression of them)");
        return new RankSyntax(top, (decimal)size.Value!, percent, sizeSpan, measure, From(start));
    }

    private const string ConditionExpected = "a condition (a field, an aggregate such as `count(purchase, last 30 days)`, `did`, `in segment`, `top`, `not` or `(`)";

    private const string ValueExpected = "a value (a \"string\", a number, a date such as 2024-01-31, true or false, a field or an aggregate)";

    /// <summary>
    /// An expression: terms joined by <c>+</c> and <c>-</c>, terms of factors joined by <c>*</c> and <c>/</c>, factors
    /// negated, parenthesized, literal or a field or an aggregate. Each operator counts as a level of nesting.
    /// </summary>
    private ValueSyntax Expression(string expected) => Chain(expected, Term, "+", "-");

    private ValueSyntax Term(string expected) => Chain(expected, Factor, "*", "/");

    /// <summary>Operands joined by either of two operators, left to right; each operator is a level of nesting until the chain ends.</summary>
    private ValueSyntax Chain(string expected, Func<string, ValueSyntax> operand, string one, string other)
    {
        var start = Current;
        var entered = 0;
        var left = operand(expected);
        while (Current.IsSymbol(one) || Current.IsSymbol(other))
        {
            Enter();
            entered++;
            var op = Advance();
            var right = operand(ValueExpected);
            left = new BinarySyntax(op.Text[0], left, right, op.Span, From(start));
        }

        depth -= entered;
        return left;
    }

    private ValueSyntax Factor(string expected)
    {
        var start = Current;
        if (start.IsSymbol("-"))
        {
            if (Peek().Kind == TokenKind.Number)
            {
                return new ConstantSyntax(Literal());
            }

            Enter();
            Advance();
            var operand = Factor(ValueExpected);
            depth--;
            return new NegateSyntax(operand, From(start));
        }

        if (start.IsSymbol("("))
        {
            Enter();
            Advance();
            var inner = Expression(ValueExpected);
            Expect(")", "`)` to close the `(`");
            depth--;
            return inner;
        }

        if (start.Kind is TokenKind.String or TokenKind.Number or TokenKind.Date || start.IsWord("true") || start.IsWord("false") || start.IsWord("null"))
        {
            return new ConstantSyntax(Literal());
        }

        return Atom(expected);
    }

    /// <summary>A field (<c>age</c>, <c>rfm.segment</c>, <c>`description`</c>) or an aggregate.</summary>
    private ValueSyntax Atom(string expected)
    {
        var start = Current;
        if (!IsNameToken(start))
        {
            throw Error(DiagnosticCodes.Expected, $"expected {expected}, found {start.Describe()}");
        }

        if (start.Kind == TokenKind.Word && Peek().IsSymbol("(") && ValueFunctions.Contains(start.Text.ToLowerInvariant()))
        {
            Enter();
            Advance();
            Advance();
            var argument = Expression("a date or a time inside `days_since(` (a field such as signup_at, or first(…)/last(…))");
            Expect(")", $"`)` to close `{start.Text}(`");
            depth--;
            return new CallSyntax(start.Text.ToLowerInvariant(), start.Span, argument, From(start));
        }

        if (start.Kind == TokenKind.Word && Peek().IsSymbol("("))
        {
            return Aggregate();
        }

        Advance();
        if (Current.IsSymbol("."))
        {
            Advance();
            var member = Current;
            if (member.Kind is not (TokenKind.Word or TokenKind.QuotedName))
            {
                throw Error(DiagnosticCodes.Expected, $"expected a field name after `{start.Text}.`, found {member.Describe()}");
            }

            Advance();
            if (Current.IsSymbol("."))
            {
                // A namespace of two words (uplift.CAMPAIGN.field): one computed field set per campaign.
                Advance();
                var field = Current;
                if (field.Kind is not (TokenKind.Word or TokenKind.QuotedName))
                {
                    throw Error(DiagnosticCodes.Expected, $"expected a field name after `{start.Text}.{member.Text}.`, found {field.Describe()}");
                }

                Advance();
                return new FieldSyntax(start.Name + "." + member.Name, field.Name, From(start));
            }

            return new FieldSyntax(start.Name, member.Name, From(start));
        }

        return new FieldSyntax(null, start.Name, start.Span);
    }

    /// <summary>A name where a value is expected: back-quoted, a word that is no keyword, or a keyword that only a value can follow.</summary>
    private bool IsNameToken(Token token) => token.Kind == TokenKind.QuotedName
        || (token.Kind == TokenKind.Word && (!Reserved.Contains(token.Text) || IsContextualName(index + 1, excludeMinus: false)));

    /// <summary>
    /// Whether the token at <paramref name="at"/> can only continue a value, so that the keyword before it is a name (<c>description contains</c>,
    /// <c>not = true</c>). <paramref name="excludeMinus"/>: where a keyword followed by <c>-</c> still reads as the keyword (<c>not -x</c>).
    /// </summary>
    private bool IsContextualName(int at, bool excludeMinus)
    {
        var next = tokens[Math.Min(at, tokens.Count - 1)];
        var after = tokens[Math.Min(at + 1, tokens.Count - 1)];
        return next.Kind switch
        {
            TokenKind.Symbol => next.Text is "=" or "!=" or "<" or "<=" or ">" or ">=" or "." or "+" or "*" or "/" || (next.Text == "-" && !excludeMinus),
            TokenKind.Word when next.IsWord("in") => after.IsSymbol("("),
            TokenKind.Word when next.IsWord("not") => StartsNegatedTest(after),
            TokenKind.Word => next.IsWord("contains") || next.IsWord("starts") || next.IsWord("ends") || next.IsWord("between") || next.IsWord("is")
                || next.IsWord("within") || next.IsWord("more") || next.IsWord("less"),
            _ => false,
        };
    }

    /// <summary>
    /// What may follow <c>)</c> to make the parentheses an expression's: an operator or a test that no condition is followed
    /// by — not `within` or `between` DATE, which end a sequence or an event filter's window (<c>did A where (…) within 2 days</c>).
    /// </summary>
    private bool ContinuesParenthesizedValue(int at)
    {
        var next = tokens[Math.Min(at, tokens.Count - 1)];
        var after = tokens[Math.Min(at + 1, tokens.Count - 1)];
        return next.Kind == TokenKind.Symbol
            ? next.Text is "=" or "!=" or "<" or "<=" or ">" or ">=" or "+" or "-" or "*" or "/"
            : next.IsWord("is") || (next.IsWord("in") && after.IsSymbol("(")) || (next.IsWord("not") && StartsNegatedTest(after))
                || (next.IsWord("between") && after.Kind == TokenKind.Number);
    }

    private static bool StartsNegatedTest(Token t) => t.IsWord("between") || t.IsWord("in") || t.IsWord("contains") || t.IsWord("starts") || t.IsWord("ends");

    /// <summary>
    /// Whether the <c>(</c> here opens an expression rather than a condition: its closing <c>)</c> is followed by what
    /// continues a value (<c>(a + b) * 2 &gt; c</c>, <c>(a) &gt; 3</c>) rather than by <c>and</c>, <c>or</c> or the end.
    /// </summary>
    private bool OpensExpression()
    {
        var open = 0;
        for (var i = index; i < tokens.Count && tokens[i].Kind != TokenKind.End; i++)
        {
            if (tokens[i].IsSymbol("("))
            {
                open++;
            }
            else if (tokens[i].IsSymbol(")") && --open == 0)
            {
                return ContinuesParenthesizedValue(i + 1);
            }
        }

        return false;
    }

    private AggregateSyntax Aggregate()
    {
        var function = Advance();
        var name = function.Text.ToLowerInvariant();
        if (!Functions.Contains(name))
        {
            throw new SyntaxError(Report(
                DiagnosticCodes.Expected,
                $"unknown function `{function.Text}`; expected one of {string.Join(", ", Functions.Concat(ValueFunctions))}{Suggestions.DidYouMean(name, Functions.Concat(ValueFunctions))}",
                function.Span));
        }

        Advance();
        var distinct = false;
        if (Current.IsWord("distinct"))
        {
            Advance();
            distinct = true;
        }

        var typeToken = EventTypeToken(name);
        string? property = null;
        var propertySpan = default(TextSpan);
        if (Current.IsSymbol("."))
        {
            Advance();
            var p = Current;
            if (p.Kind is not (TokenKind.Word or TokenKind.QuotedName))
            {
                throw Error(DiagnosticCodes.Expected, $"expected an event property after `{typeToken.Text}.`, found {p.Describe()}");
            }

            Advance();
            property = p.Name;
            propertySpan = p.Span;
        }

        var filter = Filter();
        var eventSyntax = new EventSyntax(typeToken.Name, typeToken.Span, filter, From(typeToken));
        WindowSyntax? window = null;
        if (Current.IsSymbol(","))
        {
            Advance();
            if (!StartsWindow())
            {
                throw Error(DiagnosticCodes.Expected, $"expected a window after `,` (`last 30 days`, `between 2024-01-01 and 2024-03-31`, `since 2024-01-01`, `before 2024-01-01` or `all time`), found {Current.Describe()}");
            }

            window = Window();
        }

        Expect(")", $"`,` and a window, or `)` to close `{function.Text}(`");
        return new AggregateSyntax(name, function.Span, distinct, eventSyntax, property, propertySpan, window, From(function));
    }

    private Token EventTypeToken(string function)
    {
        var token = Current;
        if (!IsEventTypeToken(token))
        {
            throw Error(DiagnosticCodes.Expected, $"expected an event type inside `{function}(` (such as purchase or email_open, or `any`), found {token.Describe()}");
        }

        Advance();
        return token;
    }

    private EventSyntax Event()
    {
        var typeToken = Current;
        if (!IsEventTypeToken(typeToken))
        {
            throw Error(DiagnosticCodes.Expected, $"expected an event type (such as purchase or email_open, or `any`), found {typeToken.Describe()}");
        }

        Advance();
        var filter = Filter();
        return new EventSyntax(typeToken.Name, typeToken.Span, filter, From(typeToken));
    }

    private static bool IsEventTypeToken(Token token) => token.Kind == TokenKind.QuotedName || (token.Kind == TokenKind.Word && !Reserved.Contains(token.Text));

    /// <summary><c>where</c> and one condition: a comparison, <c>not</c> …, or a parenthesized condition.</summary>
    private ConditionSyntax? Filter()
    {
        if (!Current.IsWord("where"))
        {
            return null;
        }

        Enter();
        Advance();
        var filter = Unary();
        depth--;
        return filter;
    }

    private ConditionSyntax Test(ValueSyntax value, Token start)
    {
        var op = Current;
        if (op.Kind == TokenKind.Symbol && op.Text is "=" or "!=" or "<" or "<=" or ">" or ">=")
        {
            Advance();
            var kind = op.Text switch
            {
                "=" => TestKind.Equal,
                "!=" => TestKind.NotEqual,
                "<" => TestKind.Less,
                "<=" => TestKind.LessOrEqual,
                ">" => TestKind.Greater,
                _ => TestKind.GreaterOrEqual,
            };
            var right = Expression(ValueExpected);
            var exact = CaseSensitive();

            // A literal on either side is a test of the other side against it (`30 < age` is `age > 30`).
            return (value, right) switch
            {
                (_, ConstantSyntax literal) => new TestSyntax(value, kind, false, [literal.Literal], null, op.Span, From(start), exact),
                (ConstantSyntax literal, _) => new TestSyntax(right, Mirror(kind), false, [literal.Literal], null, op.Span, From(start), exact),
                _ => new CompareSyntax(value, kind, right, op.Span, From(start), exact),
            };
        }

        var negated = false;
        if (op.IsWord("not") && (Peek().IsWord("between") || Peek().IsWord("in") || Peek().IsWord("contains") || Peek().IsWord("starts") || Peek().IsWord("ends")))
        {
            Advance();
            negated = true;
        }

        var word = Current;
        if (word.IsWord("between"))
        {
            Advance();
            var low = Literal();
            ExpectWord("and", "`and` and an upper bound: `between` needs two values");
            var high = Literal();
            return new TestSyntax(value, TestKind.Between, negated, [low, high], null, From(op), From(start));
        }

        if (word.IsWord("in") && !Peek().IsWord("last") && !Peek().IsWord("the"))
        {
            Advance();
            Expect("(", "`(` and a list of values after `in`: in (\"US\", \"CA\")");
            var values = new List<LiteralSyntax> { Literal() };
            while (Current.IsSymbol(","))
            {
                Advance();
                values.Add(Literal());
            }

            Expect(")", "`,` and another value, or `)` to close the list");
            var operatorSpan = From(op);
            return new TestSyntax(value, TestKind.In, negated, values, null, operatorSpan, From(start), CaseSensitive());
        }

        if (word.IsWord("contains"))
        {
            Advance();
            var literal = Literal();
            var operatorSpan = From(op);
            return new TestSyntax(value, TestKind.Contains, negated, [literal], null, operatorSpan, From(start), CaseSensitive());
        }

        if (word.IsWord("starts") || word.IsWord("ends"))
        {
            Advance();
            ExpectWord("with", $"`with` after `{word.Text}`");
            var kind = word.IsWord("starts") ? TestKind.StartsWith : TestKind.EndsWith;
            var literal = Literal();
            var operatorSpan = From(op);
            return new TestSyntax(value, kind, negated, [literal], null, operatorSpan, From(start), CaseSensitive());
        }

        if (negated)
        {
            throw Error(DiagnosticCodes.Expected, "expected `between`, `in`, `contains`, `starts with` or `ends with` after `not`");
        }

        if (word.IsWord("is"))
        {
            Advance();
            var isNot = false;
            if (Current.IsWord("not"))
            {
                Advance();
                isNot = true;
            }

            ExpectWord("null", isNot ? "`null` after `is not`" : "`null` or `not null` after `is`");
            return new TestSyntax(value, TestKind.IsNull, isNot, [], null, From(op), From(start));
        }

        if (word.IsWord("within"))
        {
            Advance();
            var quantity = Quantity();
            return new TestSyntax(value, TestKind.Within, false, [], quantity, From(op), From(start));
        }

        if (word.IsWord("more") || word.IsWord("less"))
        {
            Advance();
            ExpectWord("than", $"`than` after `{word.Text}` (`{word.Text} than 90 days ago`)");
            var quantity = Quantity();
            ExpectWord("ago", $"`ago` after `{word.Text} than {quantity.Amount} {quantity.Unit.ToString().ToLowerInvariant()}`");
            var kind = word.IsWord("more") ? TestKind.MoreThanAgo : TestKind.Within;
            return new TestSyntax(value, kind, false, [], quantity, From(op), From(start));
        }

        return new TestSyntax(value, TestKind.Bare, false, [], null, value.Span, value.Span);
    }

    /// <summary><c>case sensitive</c> after a text test: compare text exactly rather than ignoring case.</summary>
    private bool CaseSensitive()
    {
        if (!Current.IsWord("case") || !Peek().IsWord("sensitive"))
        {
            return false;
        }

        Advance();
        Advance();
        return true;
    }

    private static TestKind Mirror(TestKind kind) => kind switch
    {
        TestKind.Less => TestKind.Greater,
        TestKind.LessOrEqual => TestKind.GreaterOrEqual,
        TestKind.Greater => TestKind.Less,
        TestKind.GreaterOrEqual => TestKind.LessOrEqual,
        _ => kind,
    };

    private LiteralSyntax Literal()
    {
        var token = Current;
        switch (token.Kind)
        {
            case TokenKind.String:
            case TokenKind.Number:
            case TokenKind.Date:
                Advance();
                return new LiteralSyntax(token.Value, token.Span);
            case TokenKind.Symbol when token.Text == "-" && Peek().Kind == TokenKind.Number:
                Advance();
                var number = Advance();
                return new LiteralSyntax(-(decimal)number.Value!, From(token));
            case TokenKind.Word when token.IsWord("true") || token.IsWord("false"):
                Advance();
                return new LiteralSyntax(token.IsWord("true"), token.Span);
            case TokenKind.Word when token.IsWord("null"):
                Advance();
                return new LiteralSyntax(null, token.Span);
            default:
                throw Error(DiagnosticCodes.Expected, $"expected a value (a \"string\", a number, a date such as 2024-01-31, true or false), found {token.Describe()}");
        }
    }

    private QuantitySyntax Quantity()
    {
        var amount = Current;
        if (amount.Kind != TokenKind.Number || amount.Text.Contains('.', StringComparison.Ordinal))
        {
            throw Error(DiagnosticCodes.Expected, $"expected a whole number and a unit (`30 days`), found {amount.Describe()}");
        }

        Advance();
        var unitToken = Current;
        var unit = unitToken.Kind == TokenKind.Word ? unitToken.Text.ToLowerInvariant() switch
        {
            "hour" or "hours" => TimeUnit.Hours,
            "day" or "days" => TimeUnit.Days,
            "week" or "weeks" => TimeUnit.Weeks,
            "month" or "months" => TimeUnit.Months,
            "year" or "years" => TimeUnit.Years,
            _ => (TimeUnit?)null,
        } : null;
        if (unit is null)
        {
            throw Error(DiagnosticCodes.Expected, $"expected a unit after {amount.Text} (hours, days, weeks, months or years), found {unitToken.Describe()}");
        }

        Advance();
        var value = (decimal)amount.Value!;
        return new QuantitySyntax(value > 100_000 ? 100_001 : (long)value, unit.Value, From(amount));
    }

    private bool StartsWindow()
    {
        var t = Current;
        return t.IsWord("last") || t.IsWord("between") || t.IsWord("since") || t.IsWord("before") || t.IsWord("all")
            || (t.IsWord("in") && (Peek().IsWord("last") || Peek().IsWord("the")));
    }

    private WindowSyntax Window()
    {
        var start = Current;
        if (Current.IsWord("in"))
        {
            Advance();
            if (Current.IsWord("the"))
            {
                Advance();
            }
        }

        if (Current.IsWord("last"))
        {
            Advance();
            var quantity = Quantity();
            return new WindowSyntax(WindowKind.Last, quantity, default, default, From(start));
        }

        if (Current.IsWord("between"))
        {
            Advance();
            var from = DateLiteral("a start date after `between` (YYYY-MM-DD)");
            ExpectWord("and", "`and` and an end date: a window `between` needs two dates");
            var to = DateLiteral("an end date after `and` (YYYY-MM-DD)");
            return new WindowSyntax(WindowKind.Between, null, from, to, From(start));
        }

        if (Current.IsWord("since") || Current.IsWord("before"))
        {
            var kind = Current.IsWord("since") ? WindowKind.Since : WindowKind.Before;
            var word = Advance();
            var date = DateLiteral($"a date after `{word.Text}` (YYYY-MM-DD)");
            return new WindowSyntax(kind, null, date, date, From(start));
        }

        if (Current.IsWord("all"))
        {
            Advance();
            ExpectWord("time", "`time` after `all`");
            return WindowSyntax.AllTime(From(start));
        }

        throw Error(DiagnosticCodes.Expected, $"expected `last`, `between`, `since`, `before` or `all time`, found {Current.Describe()}");
    }

    private DateOnly DateLiteral(string what) => (DateOnly)Expect(TokenKind.Date, what).Value!;

    private Token Expect(TokenKind kind, string what)
    {
        if (Current.Kind != kind)
        {
            throw Error(DiagnosticCodes.Expected, $"expected {what}, found {Current.Describe()}");
        }

        return Advance();
    }

    private void Expect(string symbol, string what)
    {
        if (!Current.IsSymbol(symbol))
        {
            throw Error(DiagnosticCodes.Expected, $"expected {what}, found {Current.Describe()}");
        }

        Advance();
    }

    private void ExpectWord(string word, string what)
    {
        if (!Current.IsWord(word))
        {
            throw Error(DiagnosticCodes.Expected, $"expected {what}, found {Current.Describe()}");
        }

        Advance();
    }

    private void Enter()
    {
        if (++depth > MaxDepth)
        {
            throw Error(DiagnosticCodes.TooDeep, $"parentheses, `not`s, event filters and arithmetic operators are nested more than {MaxDepth} deep; simplify, or split into segments with `in segment`");
        }
    }

    private void SkipToNextSegment()
    {
        Advance();
        while (Current.Kind != TokenKind.End && !(Current.IsWord("segment") && !tokens[index - 1].IsWord("in")) && !(Current.IsWord("trait") && StartsDefinition()))
        {
            Advance();
        }

        depth = 0;
    }

    private SyntaxError Error(string code, string message) => new(Report(code, message, WhereExpected()));

    /// <summary>
    /// Where a missing piece belongs: at the token found, unless that is the end of the text or the
    /// next segment — then just after the last token read, on the line the writer was on.
    /// </summary>
    private TextSpan WhereExpected()
    {
        if (index == 0 || !(Current.Kind == TokenKind.End || StartsDefinition()))
        {
            return Current.Span;
        }

        var previous = tokens[index - 1].Span;
        return new TextSpan(previous.End, 0, previous.Line, previous.Column + previous.Length);
    }

    private Diagnostic Report(string code, string message, TextSpan span)
    {
        var diagnostic = new Diagnostic(code, message, span);
        diagnostics.Add(diagnostic);
        return diagnostic;
    }

    internal static bool IsName(string text) => text.Length is > 0 and <= 63 && char.IsAsciiLetterLower(text[0])
        && text.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_') && !Reserved.Contains(text);

    /// <summary>Unwinds the parser to the segment level; the diagnostic is already recorded.</summary>
    private sealed class SyntaxError(Diagnostic diagnostic) : Exception(diagnostic.Message);
}

internal static class LiteralText
{
    /// <summary>A literal as the language writes it, for messages.</summary>
    public static string Show(object? value) => value switch
    {
        null => "null",
        string s => "\"" + s + "\"",
        decimal d => d.ToString(CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };
}
