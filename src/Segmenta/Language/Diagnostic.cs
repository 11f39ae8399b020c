namespace Segmenta.Language;

/// <summary>A region of segment text: a start offset and a length, with the line and column (1-based) of its start.</summary>
public readonly record struct TextSpan(int Start, int Length, int Line, int Column)
{
    /// <summary>The offset just past the span.</summary>
    public int End => Start + Length;
}

/// <summary>
/// A mistake in segment text: a stable code, where it is, and what was expected. The compiler reports
/// these instead of throwing; the CLI draws the line with a caret under the span.
/// </summary>
/// <param name="Code">A stable code such as SEG020 (docs/language.md lists them).</param>
/// <param name="Message">What is wrong and what was expected.</param>
/// <param name="Span">Where.</param>
/// <param name="File">The segment file, when the text came from one.</param>
public sealed record Diagnostic(string Code, string Message, TextSpan Span, string? File = null)
{
    /// <summary>1-based line of the span's start.</summary>
    public int Line => Span.Line;

    /// <summary>1-based column of the span's start.</summary>
    public int Column => Span.Column;

    /// <summary><c>file:line:column: CODE message</c>, the way compilers print.</summary>
    public override string ToString() => $"{File ?? "<text>"}:{Line}:{Column}: {Code} {Message}";

    /// <summary>The source line of the span with a caret line under it, for terminals.</summary>
    public string Excerpt(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lineStart = Span.Start - (Span.Column - 1);
        if (lineStart < 0 || lineStart > text.Length)
        {
            return "";
        }

        var lineEnd = text.IndexOf('\n', lineStart);
        var line = (lineEnd < 0 ? text[lineStart..] : text[lineStart..lineEnd]).TrimEnd('\r').Replace('\t', ' ');
        var width = Math.Max(1, Math.Min(Span.Length, line.Length - (Span.Column - 1)));
        return line + "\n" + new string(' ', Span.Column - 1) + new string('^', width);
    }
}

/// <summary>The stable diagnostic codes.</summary>
public static class DiagnosticCodes
{
    /// <summary>A character that starts no token.</summary>
    public const string UnexpectedCharacter = "SEG001";

    /// <summary>A string without its closing quote.</summary>
    public const string UnterminatedString = "SEG002";

    /// <summary>A backslash escape the language does not know.</summary>
    public const string BadEscape = "SEG003";

    /// <summary>A date literal that is not a calendar date.</summary>
    public const string BadDate = "SEG004";

    /// <summary>A number too large or malformed.</summary>
    public const string BadNumber = "SEG005";

    /// <summary>The parser expected something else here.</summary>
    public const string Expected = "SEG010";

    /// <summary>Parentheses, <c>not</c>s or event filters nested deeper than the compiler accepts, or <c>in segment</c> chained deeper.</summary>
    public const string TooDeep = "SEG011";

    /// <summary>Text after the end of a segment that starts no new segment.</summary>
    public const string TrailingText = "SEG012";

    /// <summary>A field that is not in the schema.</summary>
    public const string UnknownField = "SEG020";

    /// <summary>An event type the workspace does not know.</summary>
    public const string UnknownEventType = "SEG021";

    /// <summary>An event property that is not in the schema.</summary>
    public const string UnknownProperty = "SEG022";

    /// <summary>A value of the wrong type for the field or operator.</summary>
    public const string TypeMismatch = "SEG023";

    /// <summary>A reference to a segment that does not exist.</summary>
    public const string UnknownSegment = "SEG024";

    /// <summary>Segments that refer to each other in a circle.</summary>
    public const string SegmentCycle = "SEG025";

    /// <summary>Two segments with one name.</summary>
    public const string DuplicateSegment = "SEG026";

    /// <summary>A value used where a condition is needed.</summary>
    public const string NotACondition = "SEG027";

    /// <summary>An aggregate given the wrong kind of argument.</summary>
    public const string BadAggregate = "SEG028";

    /// <summary>An operator that does not apply to the field's type.</summary>
    public const string BadOperator = "SEG029";

    /// <summary>Something that cannot appear inside an event filter.</summary>
    public const string NotInEventFilter = "SEG030";

    /// <summary>A window or span that is empty or out of range.</summary>
    public const string BadWindow = "SEG031";

    /// <summary>A comparison with null (use <c>is null</c>).</summary>
    public const string NullComparison = "SEG032";

    /// <summary>A top/bottom size out of range.</summary>
    public const string BadRank = "SEG033";

    /// <summary>A segment that refers, directly or through others, to more segments than one query may combine.</summary>
    public const string TooManyReferences = "SEG034";

    /// <summary>A consent channel the workspace does not know (<c>consented fax</c>).</summary>
    public const string UnknownChannel = "SEG035";
}
