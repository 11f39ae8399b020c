using System.Text.Unicode;
using Segmenta.Model;

namespace Segmenta.Ingestion;

/// <summary>
/// Whether a loaded column's file text is one the row-by-row converter loads to the same value, decided on the text's
/// UTF-8 bytes: the same test the warehouse's SQL makes of every row of a file it loads whole (DuckDbSql.CsvAccepts, a
/// regular expression per value), made by <see cref="CsvIdScreen"/> while it reads the file's bytes anyway. A column the
/// screen finds acceptable in every record needs no test in SQL (10M events: DuckDB's regular expressions took ~2.5 s
/// of a 12.4 s load). Tests hold the two to the same answer on random text.
/// </summary>
public static class BulkValueCheck
{
    /// <summary>Whether this check can decide for <paramref name="column"/> (booleans and the event type stay with SQL).</summary>
    public static bool Covers(BulkColumn column)
    {
        ArgumentNullException.ThrowIfNull(column);
        return column.Field.Name != CanonicalModel.EventType && column.Field.Type != FieldType.Boolean;
    }

    /// <summary>
    /// Whether every value of printable ASCII only (0x20–0x7E, the empty one included) is accepted for
    /// <paramref name="column"/>: text that need not be present, trimmed or other than an anonymous id.
    /// </summary>
    internal static bool AcceptsAnyPrintable(BulkColumn column) =>
        column.Field.Type == FieldType.Text && !column.Required
        && (!column.Identifier || (!column.Trimmed && column.Field.Name != CanonicalModel.CustomerId));

    /// <summary>
    /// Whether <paramref name="value"/> (a field's bytes as the file has them inside its quotes, if any: a doubled quote
    /// changes no answer here) is accepted; <paramref name="isNull"/>: an empty field without quotes, which the warehouse
    /// reads as NULL. Text that is not well-formed UTF-8 is not accepted (the warehouse's reader refuses it anyway).
    /// </summary>
    public static bool Accepts(BulkColumn column, ReadOnlySpan<byte> value, bool isNull) => Accepts(column, value, isNull, printableAscii: false);

    /// <summary>
    /// The same, told that <paramref name="value"/> is printable ASCII only (0x20–0x7E) when <paramref name="printableAscii"/>,
    /// which a reader that has already looked at every byte knows (false only means "not known").
    /// </summary>
    internal static bool Accepts(BulkColumn column, ReadOnlySpan<byte> value, bool isNull, bool printableAscii)
    {
        ArgumentNullException.ThrowIfNull(column);
        if (isNull)
        {
            return !column.Required;
        }

        return column.Field.Type switch
        {
            FieldType.Text when column.Identifier => Identifier(column, value, printableAscii),
            FieldType.Text when printableAscii => !column.Required || HasNonSpace(value),
            FieldType.Text => !value.Contains((byte)0) && (!column.Required || HasVisibleAscii(value)) && Utf8.IsValid(value),
            FieldType.Integer => Integer(value),
            FieldType.Number => Number(value),
            FieldType.Date => value.Length == 10 && Date(value),
            FieldType.Timestamp => value.Length == 20 && Date(value) && Time(value[10..]),
            _ => false,
        };
    }

    /// <summary>
    /// <c>[!-~]([^C]*[!-~])?</c> when trimmed, <c>[^C]*[!-~][^C]*</c> when required, else <c>[^C]*</c>, C the control
    /// characters U+0000–U+001F and U+007F–U+009F; a customer id must not take the anonymous visitors' prefix.
    /// </summary>
    private static bool Identifier(BulkColumn column, ReadOnlySpan<byte> value, bool printableAscii)
    {
        if (column.Trimmed && (value.IsEmpty || !IsVisibleAscii(value[0]) || !IsVisibleAscii(value[^1])))
        {
            return false;
        }

        if (column.Required && !(printableAscii ? HasNonSpace(value) : HasVisibleAscii(value)))
        {
            return false;
        }

        if (column.Field.Name == CanonicalModel.CustomerId && value.StartsWith("anon:"u8))
        {
            return false;
        }

        if (printableAscii || !value.ContainsAnyExceptInRange((byte)0x20, (byte)0x7E))
        {
            return true;    // printable ASCII only (nearly every id): no control character, and well-formed
        }

        for (var i = 0; i < value.Length; i++)
        {
            var b = value[i];
            if (b < 0x20 || b == 0x7F || (b == 0xC2 && i + 1 < value.Length && value[i + 1] is >= 0x80 and <= 0x9F))
            {
                return false;   // a C0 control, DEL, or a C1 control (U+0080–U+009F: C2 80–C2 9F in UTF-8)
            }
        }

        return Utf8.IsValid(value);
    }

    /// <summary><c>-?[0-9]{1,18}</c></summary>
    private static bool Integer(ReadOnlySpan<byte> value)
    {
        var digits = value.Length > 0 && value[0] == '-' ? value[1..] : value;
        return digits.Length is >= 1 and <= 18 && AllDigits(digits);
    }

    /// <summary><c>-?[0-9]{1,14}([.][0-9]{1,4})?</c></summary>
    private static bool Number(ReadOnlySpan<byte> value)
    {
        var unsigned = value.Length > 0 && value[0] == '-' ? value[1..] : value;
        var point = unsigned.IndexOf((byte)'.');
        var whole = point < 0 ? unsigned : unsigned[..point];
        var fraction = point < 0 ? [] : unsigned[(point + 1)..];
        return whole.Length is >= 1 and <= 14 && AllDigits(whole)
            && (point < 0 || (fraction.Length is >= 1 and <= 4 && AllDigits(fraction)));
    }

    /// <summary><c>[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])</c> in the first ten bytes.</summary>
    private static bool Date(ReadOnlySpan<byte> v) =>
        v[0] != '0' && Digit(v[0]) && Digit(v[1]) && Digit(v[2]) && Digit(v[3]) && v[4] == '-'
        && TwoDigits(v[5], v[6], 1, 12) && v[7] == '-' && TwoDigits(v[8], v[9], 1, 31);

    /// <summary><c>T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]Z</c></summary>
    private static bool Time(ReadOnlySpan<byte> v) =>
        v[0] == 'T' && TwoDigits(v[1], v[2], 0, 23) && v[3] == ':' && TwoDigits(v[4], v[5], 0, 59) && v[6] == ':' && TwoDigits(v[7], v[8], 0, 59) && v[9] == 'Z';

    private static bool TwoDigits(byte tens, byte ones, int least, int most) =>
        Digit(tens) && Digit(ones) && ((tens - '0') * 10) + (ones - '0') is var n && n >= least && n <= most;

    // Byte by byte: the values are short, where a vectorized search costs more to set up than it saves.
    private static bool AllDigits(ReadOnlySpan<byte> v)
    {
        foreach (var b in v)
        {
            if (!Digit(b))
            {
                return false;
            }
        }

        return true;
    }

    private static bool Digit(byte b) => (uint)(b - '0') <= 9;

    private static bool IsVisibleAscii(byte b) => b is >= 0x21 and <= 0x7E;

    private static bool HasVisibleAscii(ReadOnlySpan<byte> v) => v.ContainsAnyInRange((byte)0x21, (byte)0x7E);

    /// <summary>Of printable ASCII, whether a byte is visible (not a space); most values say so by their first.</summary>
    private static bool HasNonSpace(ReadOnlySpan<byte> v) => v.Length > 0 && (v[0] != ' ' || v.ContainsAnyExcept((byte)' '));
}
