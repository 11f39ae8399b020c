using System.Globalization;
using System.Text;

namespace Segmenta.Ingestion;

/// <summary>A value computed by a mapping expression: missing, a number, text or a boolean.</summary>
internal readonly record struct ExprValue(ExprKind Kind, decimal Number, string? Text, bool Boolean)
{
    public static readonly ExprValue Null = new(ExprKind.Null, 0, null, false);

    public static ExprValue Of(decimal d) => new(ExprKind.Number, d, null, false);

    public static ExprValue Of(string s) => new(ExprKind.Text, 0, s, false);

    public static ExprValue Of(bool b) => new(ExprKind.Boolean, 0, null, b);

    public bool IsNull => Kind == ExprKind.Null;

    /// <summary>The value as the text a converter parses.</summary>
    public string? AsText() => Kind switch
    {
        ExprKind.Null => null,
        ExprKind.Number => Number.ToString(CultureInfo.InvariantCulture),
        ExprKind.Text => Text,
        _ => Boolean ? "true" : "false",
    };
}

internal enum ExprKind { Null, Number, Text, Boolean }

/// <summary>Evaluation context: the current source record and its position.</summary>
internal interface IExprRow
{
    bool IsNull(int ordinal);

    ReadOnlySpan<char> Value(int ordinal);

    string ColumnName(int ordinal);

    long Line { get; }

    long Row { get; }
}

/// <summary>A row-level problem found while evaluating an expression (a number that is not a number).</summary>
internal sealed class ExprRowException(string message) : Exception(message);

/// <summary>An expression that does not parse or names an unknown column; carries the offset in the text.</summary>
internal sealed class ExprSyntaxException(int offset, string message) : Exception(message)
{
    public int Offset { get; } = offset;
}

/// <summary>
/// The small expression language of mapping files: arithmetic, comparison, and/or/not, column
/// references (plain names, or `back quoted` names with spaces), literals, $line and $row, and a
/// few functions (if, coalesce, concat, lower, upper, trim, starts_with, ends_with, contains,
/// replace, substr, int, number, text, round, abs). Compiled once to a tree, evaluated per row.
/// </summary>
internal abstract class MappingExpression
{
    /// <summary>The most operators and calls on a path from the root to a leaf: evaluation recurses this deep.</summary>
    public const int MaxHeight = 256;

    public abstract ExprValue Evaluate(IExprRow row);

    /// <summary>1 for a leaf; one more than the highest operand otherwise.</summary>
    public virtual int Height => 1;

    /// <summary>Parses <paramref name="text"/>, resolving column names through <paramref name="resolveColumn"/> (-1: unknown).</summary>
    public static MappingExpression Parse(string text, Func<string, int> resolveColumn, IReadOnlyList<string> columns)
    {
        var parser = new Parser(text, resolveColumn, columns);
        var result = parser.ParseOr();
        parser.ExpectEnd();
        return result;
    }

    /// <summary>The column names <paramref name="text"/> reads; a syntax mistake names <paramref name="where"/> and the character.</summary>
    public static IReadOnlyList<string> ColumnsOf(string text, string where)
    {
        var names = new List<string>();
        try
        {
            Parse(text, name =>
            {
                names.Add(name);
                return names.Count - 1;
            }, names);
        }
        catch (ExprSyntaxException e)
        {
            throw new IngestSetupException($"{where}: at character {e.Offset + 1}: {e.Message}");
        }

        return names;
    }

    private sealed class Literal(ExprValue value) : MappingExpression
    {
        public override ExprValue Evaluate(IExprRow row) => value;
    }

    private sealed class Column(int ordinal) : MappingExpression
    {
        public override ExprValue Evaluate(IExprRow row) =>
            row.IsNull(ordinal) ? ExprValue.Null : ExprValue.Of(row.Value(ordinal).ToString());

        public int Ordinal => ordinal;
    }

    private sealed class Position(bool line) : MappingExpression
    {
        public override ExprValue Evaluate(IExprRow row) => ExprValue.Of(line ? row.Line : row.Row);
    }

    private sealed class Unary(char op, MappingExpression operand) : MappingExpression
    {
        public override int Height { get; } = operand.Height + 1;

        public override ExprValue Evaluate(IExprRow row)
        {
            var v = operand.Evaluate(row);
            if (v.IsNull)
            {
                return v;
            }

            return op == '-' ? ExprValue.Of(-ToNumber(v, operand, row)) : ExprValue.Of(!ToBoolean(v));
        }
    }

    private sealed class Binary(string op, MappingExpression left, MappingExpression right) : MappingExpression
    {
        public override int Height { get; } = Math.Max(left.Height, right.Height) + 1;

        public override ExprValue Evaluate(IExprRow row)
        {
            if (op == "and")
            {
                var l = left.Evaluate(row);
                return !l.IsNull && !ToBoolean(l) ? ExprValue.Of(false) : ExprValue.Of(!l.IsNull && ToBoolean(right.Evaluate(row)));
            }

            if (op == "or")
            {
                var l = left.Evaluate(row);
                return !l.IsNull && ToBoolean(l) ? ExprValue.Of(true) : ExprValue.Of(ToBoolean(right.Evaluate(row)));
            }

            var a = left.Evaluate(row);
            var b = right.Evaluate(row);
            if (a.IsNull || b.IsNull)
            {
                // Missing propagates through arithmetic; a comparison with a missing value is false.
                return op is "+" or "-" or "*" or "/" ? ExprValue.Null : ExprValue.Of(op == "!=" && a.IsNull != b.IsNull);
            }

            if (op is "+" or "-" or "*" or "/")
            {
                var x = ToNumber(a, left, row);
                var y = ToNumber(b, right, row);
                try
                {
                    return op switch
                    {
                        "+" => ExprValue.Of(x + y),
                        "-" => ExprValue.Of(x - y),
                        "*" => ExprValue.Of(x * y),
                        _ => y == 0 ? ExprValue.Null : ExprValue.Of(x / y),
                    };
                }
                catch (OverflowException)
                {
                    throw new ExprRowException(string.Create(CultureInfo.InvariantCulture, $"{x} {op} {y} is out of range for a number"));
                }
            }

            var comparison = Compare(a, b, row);
            return ExprValue.Of(op switch
            {
                "=" => comparison == 0,
                "!=" => comparison != 0,
                "<" => comparison < 0,
                "<=" => comparison <= 0,
                ">" => comparison > 0,
                _ => comparison >= 0,
            });

            int Compare(ExprValue x, ExprValue y, IExprRow r)
            {
                // Numbers compare as numbers when either side is a number literal or computed number.
                if (x.Kind == ExprKind.Number || y.Kind == ExprKind.Number)
                {
                    return ToNumber(x, left, r).CompareTo(ToNumber(y, right, r));
                }

                return string.CompareOrdinal(x.AsText(), y.AsText());
            }
        }
    }

    private sealed class Call(string name, IReadOnlyList<MappingExpression> args) : MappingExpression
    {
        public override int Height { get; } = args.Count == 0 ? 1 : args.Max(a => a.Height) + 1;

        public override ExprValue Evaluate(IExprRow row)
        {
            switch (name)
            {
                case "if":
                    return ToBoolean(args[0].Evaluate(row)) ? args[1].Evaluate(row) : args[2].Evaluate(row);
                case "coalesce":
                    foreach (var a in args)
                    {
                        var v = a.Evaluate(row);
                        if (!v.IsNull)
                        {
                            return v;
                        }
                    }

                    return ExprValue.Null;
                case "concat":
                    var sb = new StringBuilder();
                    foreach (var a in args)
                    {
                        sb.Append(a.Evaluate(row).AsText());
                    }

                    return ExprValue.Of(sb.ToString());
            }

            var values = new ExprValue[args.Count];
            for (var i = 0; i < args.Count; i++)
            {
                values[i] = args[i].Evaluate(row);
                if (values[i].IsNull)
                {
                    return ExprValue.Null;
                }
            }

            try
            {
                return Apply(values, row);
            }
            catch (Exception e) when (e is OverflowException or ArgumentException)
            {
                // round(x, 40), substr(s, 1e20), replace(s, '', …): the row's values are out of the function's range.
                var shown = string.Join(", ", values.Select(v => v.AsText()));
                throw new ExprRowException($"`{name}({shown})`: an argument is out of range for `{name}`");
            }
        }

        private ExprValue Apply(ExprValue[] values, IExprRow row)
        {
            string S(int i) => values[i].AsText()!;
            decimal N(int i) => ToNumber(values[i], args[i], row);
            return name switch
            {
                "lower" => ExprValue.Of(S(0).ToLowerInvariant()),
                "upper" => ExprValue.Of(S(0).ToUpperInvariant()),
                "trim" => ExprValue.Of(S(0).Trim()),
                "starts_with" => ExprValue.Of(S(0).StartsWith(S(1), StringComparison.Ordinal)),
                "ends_with" => ExprValue.Of(S(0).EndsWith(S(1), StringComparison.Ordinal)),
                "contains" => ExprValue.Of(S(0).Contains(S(1), StringComparison.Ordinal)),
                "replace" => ExprValue.Of(S(0).Replace(S(1), S(2), StringComparison.Ordinal)),
                "substr" => ExprValue.Of(Substring(S(0), (int)N(1), args.Count > 2 ? (int)N(2) : int.MaxValue)),
                "int" => ExprValue.Of(decimal.Truncate(N(0))),
                "number" => ExprValue.Of(N(0)),
                "text" => ExprValue.Of(S(0)),
                "round" => ExprValue.Of(decimal.Round(N(0), args.Count > 1 ? (int)N(1) : 0, MidpointRounding.ToEven)),
                "abs" => ExprValue.Of(Math.Abs(N(0))),
                _ => throw new InvalidOperationException("unbound function " + name),
            };
        }

        private static string Substring(string s, int start, int length)
        {
            var from = Math.Clamp(start - 1, 0, s.Length);
            return s.Substring(from, (int)Math.Min(length, (long)s.Length - from));
        }
    }

    private static readonly Dictionary<string, (int Min, int Max)> Functions = new(StringComparer.Ordinal)
    {
        ["if"] = (3, 3), ["coalesce"] = (1, 16), ["concat"] = (1, 16), ["lower"] = (1, 1), ["upper"] = (1, 1),
        ["trim"] = (1, 1), ["starts_with"] = (2, 2), ["ends_with"] = (2, 2), ["contains"] = (2, 2),
        ["replace"] = (3, 3), ["substr"] = (2, 3), ["int"] = (1, 1), ["number"] = (1, 1), ["text"] = (1, 1),
        ["round"] = (1, 2), ["abs"] = (1, 1),
    };

    private static decimal ToNumber(ExprValue v, MappingExpression source, IExprRow row)
    {
        switch (v.Kind)
        {
            case ExprKind.Number:
                return v.Number;
            case ExprKind.Boolean:
                return v.Boolean ? 1 : 0;
            default:
                if (decimal.TryParse(v.Text.AsSpan().Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
                {
                    return d;
                }

                var what = source is Column c ? $"column `{row.ColumnName(c.Ordinal)}`" : "a value";
                throw new ExprRowException($"{what} holds `{v.Text}`, which is not a number");
        }
    }

    /// <summary>Truth of a value, for filters and conditions: missing is false, as are 0, "" and "false".</summary>
    internal static bool ToBoolean(ExprValue v) => v.Kind switch
    {
        ExprKind.Boolean => v.Boolean,
        ExprKind.Number => v.Number != 0,
        ExprKind.Text => v.Text is { Length: > 0 } t && !t.Equals("false", StringComparison.OrdinalIgnoreCase) && t != "0",
        _ => false,
    };

    private sealed class Parser(string text, Func<string, int> resolveColumn, IReadOnlyList<string> columns)
    {
        private const int MaxDepth = 64;
        private int pos;
        private int depth;

        public void ExpectEnd()
        {
            SkipSpace();
            if (pos < text.Length)
            {
                throw new ExprSyntaxException(pos, $"unexpected `{text[pos]}`; expected an operator or the end of the expression");
            }
        }

        public MappingExpression ParseOr()
        {
            var left = ParseAnd();
            while (TryKeyword("or"))
            {
                left = Node(new Binary("or", left, ParseAnd()));
            }

            return left;
        }

        private MappingExpression ParseAnd()
        {
            var left = ParseNot();
            while (TryKeyword("and"))
            {
                left = Node(new Binary("and", left, ParseNot()));
            }

            return left;
        }

        private MappingExpression ParseNot()
        {
            if (!TryKeyword("not"))
            {
                return ParseComparison();
            }

            Enter();
            var operand = ParseNot();
            depth--;
            return Node(new Unary('!', operand));
        }

        /// <summary>One level deeper in the recursive descent; refused past <see cref="MaxDepth"/>.</summary>
        private void Enter()
        {
            if (++depth > MaxDepth)
            {
                throw new ExprSyntaxException(pos, $"the expression is nested more than {MaxDepth} deep");
            }
        }

        /// <summary>A node of the tree; refused when operators chain past <see cref="MappingExpression.MaxHeight"/>.</summary>
        private MappingExpression Node(MappingExpression node) => node.Height <= MaxHeight
            ? node
            : throw new ExprSyntaxException(pos, $"the expression chains more than {MaxHeight} operators; split it, or use concat(…) or coalesce(…) for long lists");

        private MappingExpression ParseComparison()
        {
            var left = ParseAdditive();
            SkipSpace();
            foreach (var op in new[] { "!=", "<=", ">=", "=", "<", ">" })
            {
                if (string.CompareOrdinal(text, pos, op, 0, op.Length) == 0)
                {
                    pos += op.Length;
                    return Node(new Binary(op, left, ParseAdditive()));
                }
            }

            return left;
        }

        private MappingExpression ParseAdditive()
        {
            var left = ParseMultiplicative();
            while (true)
            {
                SkipSpace();
                if (pos < text.Length && text[pos] is '+' or '-')
                {
                    var op = text[pos++].ToString();
                    left = Node(new Binary(op, left, ParseMultiplicative()));
                }
                else
                {
                    return left;
                }
            }
        }

        private MappingExpression ParseMultiplicative()
        {
            var left = ParseUnary();
            while (true)
            {
                SkipSpace();
                if (pos < text.Length && text[pos] is '*' or '/')
                {
                    var op = text[pos++].ToString();
                    left = Node(new Binary(op, left, ParseUnary()));
                }
                else
                {
                    return left;
                }
            }
        }

        private MappingExpression ParseUnary()
        {
            SkipSpace();
            if (pos < text.Length && text[pos] == '-')
            {
                pos++;
                Enter();
                var operand = ParseUnary();
                depth--;
                return Node(new Unary('-', operand));
            }

            return ParsePrimary();
        }

        private MappingExpression ParsePrimary()
        {
            SkipSpace();
            if (pos >= text.Length)
            {
                throw new ExprSyntaxException(pos, "the expression ends too soon; expected a value, a column or `(`");
            }

            var c = text[pos];
            if (c == '(')
            {
                Enter();
                pos++;
                var inner = ParseOr();
                Expect(')');
                depth--;
                return inner;
            }

            if (char.IsAsciiDigit(c) || (c == '.' && pos + 1 < text.Length && char.IsAsciiDigit(text[pos + 1])))
            {
                var from = pos;
                while (pos < text.Length && (char.IsAsciiDigit(text[pos]) || text[pos] == '.'))
                {
                    pos++;
                }

                if (!decimal.TryParse(text.AsSpan(from, pos - from), NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
                {
                    throw new ExprSyntaxException(from, $"`{text[from..pos]}` is not a number");
                }

                return new Literal(ExprValue.Of(number));
            }

            if (c is '\'' or '"')
            {
                return new Literal(ExprValue.Of(ReadQuoted(c)));
            }

            if (c == '`')
            {
                var at = pos;
                return ColumnRef(ReadQuoted('`'), at);
            }

            if (c == '$')
            {
                var at = pos++;
                var word = ReadWord();
                return word switch
                {
                    "line" => new Position(line: true),
                    "row" => new Position(line: false),
                    _ => throw new ExprSyntaxException(at, $"unknown `${word}`; expected $line or $row"),
                };
            }

            if (char.IsLetter(c) || c == '_')
            {
                var at = pos;
                var word = ReadWord();
                switch (word)
                {
                    case "true": return new Literal(ExprValue.Of(true));
                    case "false": return new Literal(ExprValue.Of(false));
                    case "null": return new Literal(ExprValue.Null);
                }

                SkipSpace();
                if (pos < text.Length && text[pos] == '(')
                {
                    return FunctionCall(word, at);
                }

                return ColumnRef(word, at);
            }

            throw new ExprSyntaxException(pos, $"unexpected `{c}`; expected a value, a column or `(`");
        }

        private MappingExpression FunctionCall(string name, int at)
        {
            if (!Functions.TryGetValue(name, out var arity))
            {
                var suggestion = Configuration.Suggestions.Closest(name, Functions.Keys);
                throw new ExprSyntaxException(at, $"unknown function `{name}`" + (suggestion is null ? "" : $" — did you mean `{suggestion}`?"));
            }

            pos++; // (
            var args = new List<MappingExpression>();
            SkipSpace();
            if (pos < text.Length && text[pos] == ')')
            {
                pos++;
            }
            else
            {
                while (true)
                {
                    args.Add(ParseOr());
                    SkipSpace();
                    if (pos < text.Length && text[pos] == ',')
                    {
                        pos++;
                        continue;
                    }

                    Expect(')');
                    break;
                }
            }

            if (args.Count < arity.Min || args.Count > arity.Max)
            {
                var expected = arity.Min == arity.Max ? $"{arity.Min}" : $"{arity.Min} to {arity.Max}";
                throw new ExprSyntaxException(at, $"`{name}` takes {expected} arguments, not {args.Count}");
            }

            return Node(new Call(name, args));
        }

        private Column ColumnRef(string name, int at)
        {
            var ordinal = resolveColumn(name);
            if (ordinal < 0)
            {
                var suggestion = Configuration.Suggestions.Closest(name, columns);
                throw new ExprSyntaxException(at, $"unknown column `{name}`" + (suggestion is null ? "" : $" — did you mean `{suggestion}`?"));
            }

            return new Column(ordinal);
        }

        private string ReadQuoted(char q)
        {
            var from = pos++;
            var sb = new StringBuilder();
            while (pos < text.Length)
            {
                if (text[pos] == q)
                {
                    if (pos + 1 < text.Length && text[pos + 1] == q)
                    {
                        sb.Append(q);
                        pos += 2;
                        continue;
                    }

                    pos++;
                    return sb.ToString();
                }

                sb.Append(text[pos++]);
            }

            throw new ExprSyntaxException(from, $"the quote {q} opened here is not closed");
        }

        private string ReadWord()
        {
            var from = pos;
            while (pos < text.Length && (char.IsLetterOrDigit(text[pos]) || text[pos] == '_'))
            {
                pos++;
            }

            return text[from..pos];
        }

        private bool TryKeyword(string keyword)
        {
            SkipSpace();
            if (pos + keyword.Length <= text.Length
                && string.Compare(text, pos, keyword, 0, keyword.Length, StringComparison.OrdinalIgnoreCase) == 0
                && (pos + keyword.Length == text.Length || !char.IsLetterOrDigit(text[pos + keyword.Length])))
            {
                pos += keyword.Length;
                return true;
            }

            return false;
        }

        private void Expect(char c)
        {
            SkipSpace();
            if (pos >= text.Length || text[pos] != c)
            {
                throw new ExprSyntaxException(pos, $"expected `{c}`" + (pos < text.Length ? $", found `{text[pos]}`" : " before the end"));
            }

            pos++;
        }

        private void SkipSpace()
        {
            while (pos < text.Length && char.IsWhiteSpace(text[pos]))
            {
                pos++;
            }
        }
    }
}
