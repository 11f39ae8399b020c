using System.Globalization;
using System.Text;

namespace Segmenta.Ingestion;

/// <summary>
/// How a text source's bytes become characters. UTF-8 by default, strictly: a byte that is not UTF-8 does not
/// silently become U+FFFD (which changed names and ids with no row quarantined); its record is quarantined with the
/// byte and where it is, and its raw text keeps the byte as <c>\xE9</c>. A file in another encoding names it in the
/// mapping (<c>source: { encoding: windows-1252 }</c>; Latin-1 and Windows-1252 exports are common).
/// </summary>
internal static class SourceEncoding
{
    /// <summary>What an undecodable byte becomes while reading: a noncharacter (never in interchanged text) and two hex digits.</summary>
    private const char Marker = '\uFDD0';

    static SourceEncoding() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    /// <summary>Strict UTF-8 as described above.</summary>
    public static Encoding Utf8 { get; } = StrictUtf8();

    /// <summary>The encoding of a name as a mapping writes it (utf-8, latin-1, windows-1252, iso-8859-15, …), or null.</summary>
    public static Encoding? Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Replace("-", "", StringComparison.Ordinal).Equals("utf8", StringComparison.OrdinalIgnoreCase))
        {
            return Utf8;
        }

        try
        {
            return Encoding.GetEncoding(name.Equals("latin-1", StringComparison.OrdinalIgnoreCase) ? "iso-8859-1" : name);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <summary>Why a record read with <see cref="Utf8"/> is not text (null: it is).</summary>
    public static string? Problem(ReadOnlySpan<char> record)
    {
        var at = record.IndexOf(Marker);
        if (at < 0)
        {
            return null;
        }

        var hex = record.Length >= at + 3 ? record.Slice(at + 1, 2).ToString() : "??";
        return string.Create(CultureInfo.InvariantCulture, $"the line is not UTF-8: byte 0x{hex} at character {at + 1}; if the file is in another encoding, name it in the mapping (source: {{ encoding: windows-1252 }})");
    }

    /// <summary>A record as text, each undecodable byte written <c>\xE9</c>.</summary>
    public static string Shown(string record) => record.Contains(Marker, StringComparison.Ordinal)
        ? record.Replace(Marker.ToString(), "\\x", StringComparison.Ordinal)
        : record;

    private static Encoding StrictUtf8()
    {
        var encoding = (Encoding)new UTF8Encoding(false).Clone();
        encoding.DecoderFallback = new MarkingFallback();
        return encoding;
    }

    private sealed class MarkingFallback : DecoderFallback
    {
        public override int MaxCharCount => 12;

        public override DecoderFallbackBuffer CreateFallbackBuffer() => new Buffer();

        private sealed class Buffer : DecoderFallbackBuffer
        {
            private string pending = "";
            private int next;

            public override int Remaining => pending.Length - next;

            public override bool Fallback(byte[] bytesUnknown, int index)
            {
                pending = string.Concat(bytesUnknown.Select(b => Marker + b.ToString("X2", CultureInfo.InvariantCulture)));
                next = 0;
                return true;
            }

            public override char GetNextChar() => next < pending.Length ? pending[next++] : '\0';

            public override bool MovePrevious()
            {
                if (next == 0)
                {
                    return false;
                }

                next--;
                return true;
            }

            public override void Reset()
            {
                pending = "";
                next = 0;
            }
        }
    }
}
