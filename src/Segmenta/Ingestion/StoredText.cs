using System.Buffers;
using System.Globalization;
using System.Text;

namespace Segmenta.Ingestion;

/// <summary>
/// What text a warehouse can store exactly. DuckDB cuts a string at a NUL character without a word (an id
/// <c>C1\0zz</c> became <c>C1</c>, another customer) and PostgreSQL refuses it; neither can store a lone UTF-16
/// surrogate. So such values are refused at conversion and their rows quarantined, never truncated; ids and event
/// types refuse every control character, which no system that shares an id means on purpose.
/// </summary>
internal static class StoredText
{
    private static readonly char[] Surrogates = [.. Enumerable.Range(0xD800, 0x800).Select(c => (char)c)];

    /// <summary>Characters that may make text unstorable (a surrogate may still be half of a pair): the vectorized first look.</summary>
    private static readonly SearchValues<char> TextSuspects = SearchValues.Create(['\0', .. Surrogates]);

    /// <summary>The same for ids, with every control character.</summary>
    private static readonly SearchValues<char> IdentifierSuspects = SearchValues.Create(
        [.. Enumerable.Range(0, 0xA0).Select(c => (char)c).Where(char.IsControl), .. Surrogates]);

    /// <summary>Why <paramref name="text"/> cannot be stored as it is (null: it can). Called for every text value ingested.</summary>
    public static string? Problem(ReadOnlySpan<char> text, bool identifier)
    {
        var first = text.IndexOfAny(identifier ? IdentifierSuspects : TextSuspects);
        if (first < 0)
        {
            return null;
        }

        for (var i = first; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0' || (identifier && char.IsControl(c)))
            {
                return string.Create(CultureInfo.InvariantCulture, $"contains the control character U+{(int)c:X4} at position {i + 1}{(c == '\0' ? ", which warehouses cannot store" : "; ids must be printable")}");
            }

            if (char.IsSurrogate(c))
            {
                if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                {
                    i++;
                    continue;
                }

                return string.Create(CultureInfo.InvariantCulture, $"contains an unpaired surrogate U+{(int)c:X4} at position {i + 1}, which is not text");
            }
        }

        return null;
    }

    /// <summary>
    /// <paramref name="text"/> made storable for the quarantine, which keeps what it cannot load: a NUL is written
    /// <c>\u0000</c> and an unpaired surrogate <c>\uD800</c>, as JSON would escape them.
    /// </summary>
    public static string Escape(string text)
    {
        if (Problem(text, identifier: false) is null)
        {
            return text;
        }

        var escaped = new StringBuilder(text.Length + 16);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                escaped.Append(c).Append(text[++i]);
            }
            else if (c == '\0' || char.IsSurrogate(c))
            {
                escaped.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            }
            else
            {
                escaped.Append(c);
            }
        }

        return escaped.ToString();
    }
}
