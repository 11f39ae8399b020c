using System.Buffers;
using System.Text;

namespace Segmenta.Ingestion;

/// <summary>
/// Reads delimited text (RFC 4180 CSV, semicolon and tab files, whitespace-separated columns) with
/// exact line numbers. Values are spans into a reusable buffer; only quoted fields with doubled quotes
/// are copied. The delimiter is detected from the first lines unless the format gives one.
/// </summary>
public sealed class CsvRecordSource : IRecordSource
{
    private const int InitialBuffer = 1 << 20;
    private readonly StreamReader reader;
    private readonly bool strictUtf8;
    private readonly char delimiter;
    private readonly char quote;
    private readonly SearchValues<char> specials;
    private readonly SearchValues<char> delimiterOrLineEnd;
    private char[] buffer = new char[InitialBuffer];
    private int start;      // first unread char
    private int end;        // one past the last valid char
    private bool eof;
    private long nextLine = 1;

    // Current record.
    private int recordStart;
    private int recordEnd;
    private int fieldCount;
    private int[] fieldStart = new int[64];
    private int[] fieldLength = new int[64];
    private byte[] fieldFlags = new byte[64];  // 1 = quoted, 2 = value lives in scratch
    private char[] scratch = new char[256];
    private int scratchUsed;

    private CsvRecordSource(string name, Stream stream, DelimitedFormat format, string? filePath = null)
    {
        Name = name;
        FilePath = filePath;
        HasHeader = format.Header;
        Length = stream.CanSeek ? stream.Length : 0;
        var encoding = format.Encoding is { } named ? SourceEncoding.Find(named) ?? throw new IngestSetupException($"{name}: unknown encoding `{named}`") : SourceEncoding.Utf8;
        strictUtf8 = ReferenceEquals(encoding, SourceEncoding.Utf8);
        reader = new StreamReader(stream, encoding, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
        quote = format.Quote;
        Quote = quote;
        IsStrictUtf8 = strictUtf8;
        Fill();
        delimiter = format.Delimiter ?? DetectDelimiter(buffer.AsSpan(0, end), quote);
        specials = delimiter == DelimitedFormat.Whitespace
            ? SearchValues.Create(" \t\r\n")
            : SearchValues.Create([delimiter, '\r', '\n', quote]);
        delimiterOrLineEnd = SearchValues.Create([delimiter, '\r', '\n']);
        Delimiter = delimiter;

        if (format.Header)
        {
            if (!Read())
            {
                throw new IngestSetupException($"{name}: the file is empty; expected a header line with column names");
            }

            var names = new string[fieldCount];
            for (var i = 0; i < fieldCount; i++)
            {
                names[i] = Value(i).Trim().ToString();
            }

            Columns = format.Columns is { Count: > 0 } given ? given : names;
        }
        else
        {
            Columns = format.Columns is { Count: > 0 } given
                ? given
                : throw new IngestSetupException($"{name}: a file without a header needs its column names (`columns:` in the mapping's `source` section)");
        }

        var duplicate = Columns.GroupBy(c => c, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new IngestSetupException($"{name}:1: column `{duplicate.Key}` appears twice in the header");
        }
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>The delimiter in use, given or detected.</summary>
    public char Delimiter { get; }

    /// <summary>The quote character.</summary>
    public char Quote { get; }

    /// <summary>Whether the first record is the header.</summary>
    public bool HasHeader { get; }

    /// <summary>Whether the text is UTF-8, read strictly (a record with a byte that is not UTF-8 is an error).</summary>
    public bool IsStrictUtf8 { get; }

    /// <summary>The full path of the file read (null: a stream).</summary>
    public string? FilePath { get; }

    /// <inheritdoc />
    public IReadOnlyList<string> Columns { get; }

    /// <inheritdoc />
    public long Line { get; private set; }

    /// <inheritdoc />
    public string? RecordError { get; private set; }

    /// <inheritdoc />
    public long Position => reader.BaseStream.CanSeek ? reader.BaseStream.Position : 0;

    /// <inheritdoc />
    public long Length { get; }

    /// <summary>Opens a file; a missing file is an <see cref="IngestSetupException"/>.</summary>
    public static CsvRecordSource Open(string path, DelimitedFormat? format = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new IngestSetupException($"{path}: no such file");
        }

        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        return new CsvRecordSource(path, stream, format ?? new DelimitedFormat(), Path.GetFullPath(path));
    }

    /// <summary>Reads from a stream (tests, HTTP bodies).</summary>
    public static CsvRecordSource FromStream(string name, Stream stream, DelimitedFormat? format = null) =>
        new(name, stream, format ?? new DelimitedFormat());

    /// <inheritdoc />
    public bool Read()
    {
        while (true)
        {
            SkipBlankLines();
            if (start >= end && eof)
            {
                return false;
            }

            var status = TryParseRecord();
            if (status == ParseStatus.Done)
            {
                if (Columns is not null && RecordError is null && fieldCount != Columns.Count)
                {
                    RecordError = $"expected {Columns.Count} fields, found {fieldCount}";
                }

                if (strictUtf8 && RecordError is null)
                {
                    RecordError = SourceEncoding.Problem(buffer.AsSpan(recordStart, recordEnd - recordStart));
                }

                return true;
            }

            // The record runs past the buffer: keep it, read more, parse it again.
            if (eof)
            {
                // Only an unterminated quote can run past the end of the file.
                RecordError = "a quoted field is not closed before the end of the file";
                recordStart = start;
                recordEnd = end;
                Line = nextLine;
                fieldCount = 0;
                nextLine += CountLineBreaks(buffer.AsSpan(start, end - start));
                start = end;
                return true;
            }

            Compact();
            Fill();
        }
    }

    /// <inheritdoc />
    public bool IsNull(int ordinal) => ordinal >= fieldCount || (fieldLength[ordinal] == 0 && (fieldFlags[ordinal] & 1) == 0);

    /// <inheritdoc />
    public ReadOnlySpan<char> Value(int ordinal)
    {
        if (ordinal >= fieldCount)
        {
            return [];
        }

        return (fieldFlags[ordinal] & 2) != 0
            ? scratch.AsSpan(fieldStart[ordinal], fieldLength[ordinal])
            : buffer.AsSpan(fieldStart[ordinal], fieldLength[ordinal]);
    }

    /// <inheritdoc />
    public string RawRecord() => SourceEncoding.Shown(new(buffer, recordStart, recordEnd - recordStart));

    /// <inheritdoc />
    public void Dispose() => reader.Dispose();

    private enum ParseStatus { Done, NeedMore }

    private ParseStatus TryParseRecord()
    {
        var span = buffer.AsSpan(0, end);
        var pos = start;
        var lines = 0L;
        fieldCount = 0;
        scratchUsed = 0;
        RecordError = null;

        if (delimiter == DelimitedFormat.Whitespace)
        {
            while (pos < end && (span[pos] == ' ' || span[pos] == '\t'))
            {
                pos++;
            }
        }

        while (true)
        {
            if (pos >= end)
            {
                if (!eof)
                {
                    return ParseStatus.NeedMore;
                }

                // Last record of a file without a final newline.
                if (fieldCount == 0 || pos > start)
                {
                    AddField(pos, 0, 0);
                }

                return Finish(pos, pos, lines);
            }

            if (span[pos] == quote)
            {
                var q = ParseQuoted(span, pos, ref lines);
                if (q < 0)
                {
                    return ParseStatus.NeedMore;
                }

                pos = q;
            }
            else
            {
                var rest = span[pos..end];
                var hit = rest.IndexOfAny(specials);
                if (hit < 0)
                {
                    if (!eof)
                    {
                        return ParseStatus.NeedMore;
                    }

                    AddField(pos, end - pos, 0);
                    return Finish(end, end, lines);
                }

                if (rest[hit] == quote && delimiter != DelimitedFormat.Whitespace)
                {
                    // A quote inside an unquoted field is kept as text (lenient, like most readers).
                    var nextSpecial = rest[(hit + 1)..].IndexOfAny(delimiterOrLineEnd);
                    if (nextSpecial < 0 && !eof)
                    {
                        return ParseStatus.NeedMore;
                    }

                    hit = nextSpecial < 0 ? rest.Length : hit + 1 + nextSpecial;
                }

                AddField(pos, hit, 0);
                pos += hit;
            }

            if (pos >= end)
            {
                if (!eof)
                {
                    return ParseStatus.NeedMore;
                }

                return Finish(pos, pos, lines);
            }

            var c = span[pos];
            if (delimiter == DelimitedFormat.Whitespace && c is ' ' or '\t')
            {
                var recordLast = pos;
                while (pos < end && (span[pos] == ' ' || span[pos] == '\t'))
                {
                    pos++;
                }

                if (pos >= end)
                {
                    return eof ? Finish(recordLast, pos, lines) : ParseStatus.NeedMore;
                }

                c = span[pos];
                if (c is not ('\r' or '\n'))
                {
                    continue; // the next field
                }
            }

            if (c == '\n' || c == '\r')
            {
                var recordLast = pos;
                if (c == '\r')
                {
                    if (pos + 1 >= end && !eof)
                    {
                        return ParseStatus.NeedMore;
                    }

                    if (pos + 1 < end && span[pos + 1] == '\n')
                    {
                        pos++;
                    }
                }

                return Finish(recordLast, pos + 1, lines + 1);
            }

            if (delimiter == DelimitedFormat.Whitespace)
            {
                continue;
            }
            else if (c == delimiter)
            {
                pos++;
                if (pos >= end && eof)
                {
                    AddField(pos, 0, 0);
                    return Finish(pos, pos, lines);
                }
            }
            else
            {
                // Text after a closing quote: keep reading to the next delimiter, but say so.
                RecordError ??= $"unexpected character `{c}` after a closing quote";
                pos++;
            }
        }
    }

    private int ParseQuoted(Span<char> span, int pos, ref long lines)
    {
        var contentStart = pos + 1;
        var i = contentStart;
        var escaped = false;
        while (true)
        {
            var rel = span[i..end].IndexOf(quote);
            if (rel < 0)
            {
                return -1;
            }

            i += rel;
            if (i + 1 >= end && !eof)
            {
                return -1;
            }

            if (i + 1 < end && span[i + 1] == quote)
            {
                escaped = true;
                i += 2;
                continue;
            }

            break;
        }

        var content = span[contentStart..i];
        lines += CountLineBreaks(content);
        if (escaped)
        {
            var needed = scratchUsed + content.Length;
            if (needed > scratch.Length)
            {
                Array.Resize(ref scratch, Math.Max(needed, scratch.Length * 2));
            }

            var w = scratchUsed;
            for (var k = 0; k < content.Length; k++)
            {
                scratch[w++] = content[k];
                if (content[k] == quote)
                {
                    k++;
                }
            }

            AddField(scratchUsed, w - scratchUsed, 3);
            scratchUsed = w;
        }
        else
        {
            AddField(contentStart, content.Length, 1);
        }

        return i + 1;
    }

    private ParseStatus Finish(int recordLast, int next, long lineBreaks)
    {
        recordStart = start;
        recordEnd = recordLast;
        Line = nextLine;
        nextLine += lineBreaks;
        start = next;
        return ParseStatus.Done;
    }

    private void AddField(int offset, int length, byte flags)
    {
        if (fieldCount == fieldStart.Length)
        {
            Array.Resize(ref fieldStart, fieldCount * 2);
            Array.Resize(ref fieldLength, fieldCount * 2);
            Array.Resize(ref fieldFlags, fieldCount * 2);
        }

        fieldStart[fieldCount] = offset;
        fieldLength[fieldCount] = length;
        fieldFlags[fieldCount] = flags;
        fieldCount++;
    }

    private void SkipBlankLines()
    {
        while (true)
        {
            if (start >= end)
            {
                if (eof)
                {
                    return;
                }

                Compact();
                Fill();
                continue;
            }

            var c = buffer[start];
            if (c == '\n')
            {
                start++;
                nextLine++;
            }
            else if (c == '\r')
            {
                if (start + 1 >= end && !eof)
                {
                    Compact();
                    Fill();
                    continue;
                }

                start += start + 1 < end && buffer[start + 1] == '\n' ? 2 : 1;
                nextLine++;
            }
            else
            {
                return;
            }
        }
    }

    private void Compact()
    {
        var remaining = end - start;
        if (start == 0 && remaining == buffer.Length)
        {
            Array.Resize(ref buffer, buffer.Length * 2);
            return;
        }

        Array.Copy(buffer, start, buffer, 0, remaining);
        start = 0;
        end = remaining;
    }

    private void Fill()
    {
        while (end < buffer.Length && !eof)
        {
            var n = reader.Read(buffer, end, buffer.Length - end);
            if (n == 0)
            {
                eof = true;
                break;
            }

            end += n;
        }
    }

    private static long CountLineBreaks(ReadOnlySpan<char> text)
    {
        long count = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\n' || (text[i] == '\r' && (i + 1 == text.Length || text[i + 1] != '\n')))
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>
    /// Picks the delimiter whose count per line (outside quotes) is the same on most of the first
    /// lines; falls back to whitespace when words are aligned in columns, and to a comma.
    /// </summary>
    internal static char DetectDelimiter(ReadOnlySpan<char> sample, char quote)
    {
        var lines = new List<string>();
        var text = sample.ToString();
        foreach (var line in text.Split('\n'))
        {
            var trimmed = line.TrimEnd('\r');
            if (trimmed.Length > 0)
            {
                lines.Add(trimmed);
            }

            if (lines.Count == 30)
            {
                break;
            }
        }

        if (lines.Count > 1 && sample.Length == text.Length && !text.EndsWith('\n'))
        {
            lines.RemoveAt(lines.Count - 1); // possibly cut mid-line
        }

        if (lines.Count == 0)
        {
            return ',';
        }

        char best = '\0';
        var bestScore = 0.0;
        foreach (var candidate in new[] { ',', ';', '\t', '|' })
        {
            var counts = lines.Select(l => CountOutsideQuotes(l, candidate, quote)).ToList();
            var header = counts[0];
            if (header == 0)
            {
                continue;
            }

            var agreeing = counts.Count(c => c == header) / (double)counts.Count;
            var score = agreeing * 1000 + header;
            if (agreeing >= 0.8 && score > bestScore)
            {
                (best, bestScore) = (candidate, score);
            }
        }

        if (best != '\0')
        {
            return best;
        }

        var words = lines.Select(l => l.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries).Length).ToList();
        return words[0] > 1 && words.Count(w => w == words[0]) >= 0.8 * words.Count ? DelimitedFormat.Whitespace : ',';
    }

    private static int CountOutsideQuotes(string line, char delimiter, char quote)
    {
        var count = 0;
        var inQuotes = false;
        foreach (var c in line)
        {
            if (c == quote)
            {
                inQuotes = !inQuotes;
            }
            else if (c == delimiter && !inQuotes)
            {
                count++;
            }
        }

        return count;
    }
}
