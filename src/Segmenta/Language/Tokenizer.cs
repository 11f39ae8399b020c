using System.Globalization;
using System.Text;

namespace Segmenta.Language;

/// <summary>The kinds of token in segment text.</summary>
internal enum TokenKind
{
    /// <summary>A word: a keyword, a name or an event type.</summary>
    Word,

    /// <summary>A quoted string (its value is unescaped).</summary>
    String,

    /// <summary>An integer or decimal number.</summary>
    Number,

    /// <summary>A calendar date, YYYY-MM-DD.</summary>
    Date,

    /// <summary>A name in back quotes (<c>`description`</c>): never a keyword; its value is the name.</summary>
    QuotedName,

    /// <summary>Punctuation or an operator: ( ) , . = != &lt; &lt;= &gt; &gt;= % + - * /.</summary>
    Symbol,

    /// <summary>The end of the text.</summary>
    End,
}

/// <summary>One token: its kind, its text as written, its value, and where it is.</summary>
internal readonly record struct Token(TokenKind Kind, string Text, object? Value, TextSpan Span)
{
    public bool IsWord(string word) => Kind == TokenKind.Word && string.Equals(Text, word, StringComparison.OrdinalIgnoreCase);

    public bool IsSymbol(string symbol) => Kind == TokenKind.Symbol && Text == symbol;

    /// <summary>The name a word or a back-quoted name spells.</summary>
    public string Name => Kind == TokenKind.QuotedName ? (string)Value! : Text;

    /// <summary>How a diagnostic names this token.</summary>
    public string Describe() => Kind switch
    {
        TokenKind.End => "the end of the text",
        TokenKind.String => "a string",
        TokenKind.Number => $"the number {Text}",
        TokenKind.Date => $"the date {Text}",
        TokenKind.QuotedName => $"the name {Text}",
        _ => $"`{Text}`",
    };
}

/// <summary>
/// Splits segment text into tokens. Comments run from <c>#</c> or <c>//</c> to the end of the line.
/// Strings take double or single quotes with backslash escapes; back quotes make any text on one line a name.
/// Never throws: bad characters become
/// diagnostics and are skipped.
/// </summary>
internal sealed class Tokenizer
{
    private readonly string text;
    private readonly List<Diagnostic> diagnostics;
    private int position;
    private int line = 1;
    private int lineStart;

    private Tokenizer(string text, List<Diagnostic> diagnostics)
    {
        this.text = text;
        this.diagnostics = diagnostics;
    }

    public static List<Token> Tokenize(string text, List<Diagnostic> diagnostics)
    {
        var tokenizer = new Tokenizer(text, diagnostics);
        var tokens = new List<Token>();
        while (true)
        {
            var token = tokenizer.Next();
            tokens.Add(token);
            if (token.Kind == TokenKind.End)
            {
                return tokens;
            }
        }
    }

    private TextSpan SpanFrom(int start, int startLine, int startColumn) => new(start, position - start, startLine, startColumn);

    private Token Next()
    {
        SkipTrivia();
        var start = position;
        var startLine = line;
        var column = start - lineStart + 1;
        if (position >= text.Length)
        {
            return new Token(TokenKind.End, "", null, new TextSpan(start, 0, startLine, column));
        }

        var c = text[position];
        if (char.IsAsciiLetter(c) || c == '_')
        {
            while (position < text.Length && (char.IsAsciiLetterOrDigit(text[position]) || text[position] == '_'))
            {
                position++;
            }

            return new Token(TokenKind.Word, text[start..position], null, SpanFrom(start, startLine, column));
        }

        if (char.IsAsciiDigit(c))
        {
            return NumberOrDate(start, startLine, column);
        }

        if (c is '"' or '\'')
        {
            return QuotedString(c, start, startLine, column);
        }

        if (c == '`')
        {
            return QuotedName(start, startLine, column);
        }

        var two = position + 1 < text.Length ? text.Substring(position, 2) : "";
        if (two is "!=" or "<>" or "<=" or ">=" or "==")
        {
            position += 2;
            var symbol = two switch { "<>" => "!=", "==" => "=", _ => two };
            return new Token(TokenKind.Symbol, symbol, null, SpanFrom(start, startLine, column));
        }

        if (c is '(' or ')' or ',' or '.' or '=' or '<' or '>' or '%' or '+' or '-' or '*' or '/')
        {
            position++;
            return new Token(TokenKind.Symbol, c.ToString(), null, SpanFrom(start, startLine, column));
        }

        position++;
        var shown = char.IsControl(c) ? $"U+{(int)c:X4}" : c.ToString();
        diagnostics.Add(new Diagnostic(DiagnosticCodes.UnexpectedCharacter, $"unexpected character `{shown}`", SpanFrom(start, startLine, column)));
        return Next();
    }

    private void SkipTrivia()
    {
        while (position < text.Length)
        {
            var c = text[position];
            if (c == '\n')
            {
                position++;
                line++;
                lineStart = position;
            }
            else if (char.IsWhiteSpace(c))
            {
                position++;
            }
            else if (c == '#' || (c == '/' && position + 1 < text.Length && text[position + 1] == '/'))
            {
                while (position < text.Length && text[position] != '\n')
                {
                    position++;
                }
            }
            else
            {
                return;
            }
        }
    }

    private Token NumberOrDate(int start, int startLine, int column)
    {
        while (position < text.Length && char.IsAsciiDigit(text[position]))
        {
            position++;
        }

        // YYYY-MM-DD: four digits, a dash and a digit make a date, never a subtraction.
        if (position - start == 4 && position + 1 < text.Length && text[position] == '-' && char.IsAsciiDigit(text[position + 1]))
        {
            position++;
            while (position < text.Length && (char.IsAsciiDigit(text[position]) || text[position] == '-'))
            {
                position++;
            }

            var written = text[start..position];
            var span = SpanFrom(start, startLine, column);
            if (DateOnly.TryParseExact(written, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                return new Token(TokenKind.Date, written, date, span);
            }

            diagnostics.Add(new Diagnostic(DiagnosticCodes.BadDate, $"`{written}` is not a calendar date; expected YYYY-MM-DD", span));
            return new Token(TokenKind.Date, written, DateOnly.MinValue, span);
        }

        if (position + 1 < text.Length && text[position] == '.' && char.IsAsciiDigit(text[position + 1]))
        {
            position++;
            while (position < text.Length && char.IsAsciiDigit(text[position]))
            {
                position++;
            }
        }

        var number = text[start..position];
        var numberSpan = SpanFrom(start, startLine, column);
        var point = number.IndexOf('.', StringComparison.Ordinal);
        var whole = point < 0 ? number.Length : point;
        var fraction = point < 0 ? 0 : number.Length - point - 1;
        if (whole <= 20 && fraction <= 12 && decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            return new Token(TokenKind.Number, number, value, numberSpan);
        }

        diagnostics.Add(new Diagnostic(DiagnosticCodes.BadNumber, $"the number {Shorten(number)} has too many digits; at most 20 before the point and 12 after", numberSpan));
        return new Token(TokenKind.Number, number, 0m, numberSpan);
    }

    private Token QuotedString(char quote, int start, int startLine, int column)
    {
        position++;
        var value = new StringBuilder();
        while (position < text.Length)
        {
            var c = text[position];
            if (c == quote)
            {
                position++;
                return new Token(TokenKind.String, text[start..position], value.ToString(), SpanFrom(start, startLine, column));
            }

            if (c == '\n')
            {
                break;
            }

            if (c == '\\' && position + 1 < text.Length)
            {
                var escaped = text[position + 1];
                char? unescaped = escaped switch { '"' => '"', '\'' => '\'', '\\' => '\\', 'n' => '\n', 't' => '\t', _ => null };
                if (unescaped is null)
                {
                    diagnostics.Add(new Diagnostic(
                        DiagnosticCodes.BadEscape,
                        $"unknown escape `\\{escaped}` in a string; expected \\\", \\', \\\\, \\n or \\t",
                        new TextSpan(position, 2, line, position - lineStart + 1)));
                    value.Append(escaped);
                }
                else
                {
                    value.Append(unescaped.Value);
                }

                position += 2;
                continue;
            }

            value.Append(c);
            position++;
        }

        var span = SpanFrom(start, startLine, column);
        diagnostics.Add(new Diagnostic(DiagnosticCodes.UnterminatedString, $"this string has no closing {quote} before the end of the line", span));
        return new Token(TokenKind.String, text[start..position], value.ToString(), span);
    }

    private Token QuotedName(int start, int startLine, int column)
    {
        var end = position + 1;
        while (end < text.Length && text[end] is not ('`' or '\n'))
        {
            end++;
        }

        var closed = end < text.Length && text[end] == '`';
        position = closed ? end + 1 : end;
        var span = SpanFrom(start, startLine, column);
        var name = text[(start + 1)..end];
        if (!closed)
        {
            diagnostics.Add(new Diagnostic(DiagnosticCodes.UnterminatedString, "this name has no closing ` before the end of the line", span));
        }
        else if (name.Length == 0)
        {
            diagnostics.Add(new Diagnostic(DiagnosticCodes.UnexpectedCharacter, "an empty name: write a field, property or event type between the back quotes", span));
        }

        return new Token(TokenKind.QuotedName, text[start..position], name, span);
    }

    private static string Shorten(string s) => s.Length > 20 ? s[..20] + "…" : s;
}
