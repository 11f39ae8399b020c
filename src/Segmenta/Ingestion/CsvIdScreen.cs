using System.IO.Hashing;

namespace Segmenta.Ingestion;

/// <summary>
/// Proves that one column of a clean CSV file (<see cref="BulkCsvPlan"/>) holds no value twice, from the file's bytes: each
/// record's value is hashed to 64 bits, and if no two hashes are equal no two values are. A warehouse that loads the file
/// whole then skips its own check of the ids it just stored, which for DuckDB is a single-threaded distinct over the
/// transaction's rows (30M events: 13 s and the load's peak memory; this screen: 1.8 s on 2 cores, a file of 16 MiB or
/// more read in parts side by side, and 8 bytes a record; 3.0 s read by one reader). The answer is one-sided: a count
/// only when every hash differs; null when two hashes meet (a repeat, or a collision: about one chance in 10^6 at 10^7
/// records) or the bytes are not what the plan reads, and then the warehouse checks exactly as before. The caller also
/// compares the count with the records the warehouse loaded, so a file this reader splits differently from the
/// warehouse's never passes. The same read tests the loaded columns' values (<see cref="BulkValueCheck"/>): a column
/// every record has in an accepted form is one the warehouse's SQL need not test again, and the same comparison of
/// counts guards that proof (<see cref="Screen(BulkCsvPlan, string?, IReadOnlyList{BulkColumn})"/>).
/// </summary>
public static class CsvIdScreen
{
    private const int Buckets = 256;        // by a hash's top byte: each sorted alone (in cache, in parallel)
    private const int ChunkLength = 8192;   // a bucket grows by chunks, never by copying

    /// <summary>
    /// The number of records of <paramref name="plan"/>'s file (header excluded, blank lines skipped) when no two of them
    /// have the same value in <paramref name="fileColumn"/>; null when two may, or when a record does not have the column.
    /// The file must have passed <see cref="BulkCsvPlan.HasPlainQuoting"/>: a quote opens and closes a field only at a boundary.
    /// </summary>
    public static long? RecordsIfDistinct(BulkCsvPlan plan, string fileColumn) =>
        Screen(plan, fileColumn, []) is { IdsDistinct: true } screened ? screened.Records : null;

    /// <summary>
    /// Reads <paramref name="plan"/>'s file once: its records, whether no two have the same value in
    /// <paramref name="idColumn"/> (when given), and which of <paramref name="checks"/> every record's value passes
    /// (<see cref="BulkValueCheck"/>). The file must have passed <see cref="BulkCsvPlan.HasPlainQuoting"/>. What it proves
    /// holds only for the records it read: a caller that relies on it compares <see cref="CsvScreening.Records"/> with
    /// the records the warehouse loaded.
    /// </summary>
    public static CsvScreening Screen(BulkCsvPlan plan, string? idColumn, IReadOnlyList<BulkColumn> checks)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var length = new FileInfo(plan.Path).Length;
        return Screen(plan, idColumn, checks, length < MinPartBytes ? 1 : (int)Math.Min(Environment.ProcessorCount, length / MinPartBytes));
    }

    /// <summary>A file is read in parts, side by side, only where each part has at least this many bytes.</summary>
    private const long MinPartBytes = 16 << 20;

    /// <summary>The same as <see cref="RecordsIfDistinct(BulkCsvPlan, string)"/>, the file read in <paramref name="parts"/>.</summary>
    internal static long? RecordsIfDistinct(BulkCsvPlan plan, string fileColumn, int parts) =>
        Screen(plan, fileColumn, [], parts) is { IdsDistinct: true } screened ? screened.Records : null;

    /// <summary>
    /// The same, the file read in <paramref name="parts"/> byte ranges side by side, each starting after a line break.
    /// Such a start begins a record unless the break was inside a quoted field; then the part before it ends inside an
    /// unclosed quote, which its reader calls malformed. So when every part reads cleanly, each began at a record (by
    /// induction from the first, which begins at the file's start) and they read exactly the records one reader would;
    /// when one does not, the file is read again by one reader.
    /// </summary>
    internal static CsvScreening Screen(BulkCsvPlan plan, string? idColumn, IReadOnlyList<BulkColumn> checks, int parts)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(checks);
        var column = idColumn is null ? -1 : IndexOf(plan, idColumn);
        var checkColumns = checks.Select(c => IndexOf(plan, c.Source)).ToArray();
        if ((idColumn is not null && column < 0) || checkColumns.Any(c => c < 0) || plan.Quote > 0x7F || plan.Delimiter > 0x7F)
        {
            return CsvScreening.Nothing;
        }

        var ranges = Ranges(plan.Path, parts);
        var hashes = new HashBuckets[ranges.Count];
        var readers = new RecordReader[ranges.Count];
        var records = new long?[ranges.Count];
        Parallel.For(0, ranges.Count, new ParallelOptions { MaxDegreeOfParallelism = ranges.Count }, i =>
        {
            hashes[i] = new HashBuckets();
            readers[i] = new RecordReader((byte)plan.Delimiter, (byte)plan.Quote, column, checkColumns, [.. checks]);
            using var stream = new FileStream(plan.Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            stream.Position = ranges[i].Start;
            records[i] = readers[i].Read(stream, ranges[i].Length, first: i == 0, skipFirst: i == 0 && plan.Header, hashes[i]);
        });

        if (ranges.Count > 1 && records.Any(r => r is null))
        {
            return Screen(plan, idColumn, checks, 1);   // a part began inside a quoted field, or a record is malformed
        }

        if (records.Any(r => r is null))
        {
            return CsvScreening.Nothing;
        }

        // A file column loaded twice is tested for its first column only (CheckOf): it proves nothing for either.
        var twice = checks.GroupBy(c => c.Source, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        var accepted = checks.Where((c, k) => !twice.Contains(c.Source) && readers.All(r => !r.Refused[k])).Select(c => c.Source).ToHashSet(StringComparer.Ordinal);
        return new CsvScreening(records.Sum(r => r!.Value), column >= 0 && HashBuckets.AllDistinct(hashes), accepted);
    }

    private static int IndexOf(BulkCsvPlan plan, string fileColumn)
    {
        for (var i = 0; i < plan.FileColumns.Count; i++)
        {
            if (plan.FileColumns[i] == fileColumn)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Up to <paramref name="parts"/> byte ranges covering the file, every one but the first starting right after a line feed.</summary>
    private static List<(long Start, long Length)> Ranges(string path, int parts)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.RandomAccess);
        var length = stream.Length;
        var starts = new List<long> { 0 };
        var probe = new byte[1 << 16];
        for (var i = 1; i < parts; i++)
        {
            // The first line feed at or after an even split (a part without one within the probe joins the one before).
            stream.Position = Math.Max(length * i / parts, starts[^1]);
            var read = stream.ReadAtLeast(probe, probe.Length, throwOnEndOfStream: false);
            var feed = probe.AsSpan(0, read).IndexOf((byte)'\n');
            var start = stream.Position - read + feed + 1;
            if (feed >= 0 && start > starts[^1] && start < length)
            {
                starts.Add(start);
            }
        }

        return [.. starts.Select((start, i) => (start, (i + 1 < starts.Count ? starts[i + 1] : length) - start))];
    }

    /// <summary>Reads every record: the id column's value hashed, the checked columns' values tested.</summary>
    private sealed class RecordReader(byte delimiter, byte quote, int column, int[] checkColumns, BulkColumn[] checks)
    {
        private readonly int lastColumn = checkColumns.Append(column).Append(0).Max();   // the last field a record is read to
        private readonly int[] checkOf = CheckOf(checkColumns);                          // each field's check (-1: none)

        private const int NeedMore = -1;    // the record runs past the bytes read so far
        private const int Malformed = -2;   // a quote never closed, or a record without the column

        private byte[] buffer = new byte[1 << 20];
        private byte[] unquoted = new byte[256];

        private long unread;    // bytes of the range not read yet

        /// <summary>For each check, whether a record's value failed it.</summary>
        public bool[] Refused { get; } = new bool[checks.Length];

        /// <summary>
        /// The number of records in the next <paramref name="range"/> bytes of <paramref name="stream"/> (the first record
        /// skipped when <paramref name="skipFirst"/>, blank lines skipped); null if one is malformed or runs past the range.
        /// Only the <paramref name="first"/> range of a file may begin with a byte order mark.
        /// </summary>
        public long? Read(Stream stream, long range, bool first, bool skipFirst, HashBuckets hashes)
        {
            unread = range;
            var length = Fill(stream, 0);
            var end = length < buffer.Length || unread == 0;
            var at = first && length >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF ? 3 : 0;
            long records = 0;
            while (at < length || !end)
            {
                bool? blank = null;
                ulong hash = 0;
                var next = at < length ? Record(at, length, end, test: !skipFirst, out blank, out hash) : NeedMore;
                if (next == Malformed)
                {
                    return null;
                }

                if (next == NeedMore)
                {
                    // Keep the record's start and read on; a record longer than the buffer doubles it.
                    var kept = length - at;
                    if (at == 0 && kept > 0)
                    {
                        Array.Resize(ref buffer, buffer.Length * 2);
                    }
                    else
                    {
                        Buffer.BlockCopy(buffer, at, buffer, 0, kept);
                    }

                    at = 0;
                    length = Fill(stream, kept);
                    end = length < buffer.Length || unread == 0;
                    continue;
                }

                at = next;
                if (blank is false)
                {
                    if (skipFirst)
                    {
                        skipFirst = false;
                    }
                    else
                    {
                        if (column >= 0)
                        {
                            hashes.Add(hash);
                        }

                        records++;
                    }
                }
            }

            return records;
        }

        /// <summary>Fills the buffer from <paramref name="from"/>; fewer bytes than it holds means the file's end.</summary>
        private int Fill(Stream stream, int from)
        {
            var length = from;
            int read;
            while (length < buffer.Length && unread > 0 && (read = stream.Read(buffer, length, (int)Math.Min(buffer.Length - length, unread))) > 0)
            {
                length += read;
                unread -= read;
            }

            return length;
        }

        /// <summary>
        /// The record at <paramref name="at"/>: where the next one starts (or <see cref="NeedMore"/>, <see cref="Malformed"/>),
        /// whether it is a blank line, and the hash of its value in the id column. When <paramref name="test"/> (not the
        /// header), its checked values are tested on the way (a record read again after more bytes is tested again, to the
        /// same answer).
        /// </summary>
        private int Record(int at, int length, bool end, bool test, out bool? blank, out ulong hash)
        {
            blank = null;
            hash = 0;
            var data = buffer.AsSpan(0, length);
            if (data[at] == '\n' || (data[at] == '\r' && at + 1 < length && data[at + 1] == '\n'))
            {
                blank = true;
                return at + (data[at] == '\n' ? 1 : 2);
            }

            for (var field = 0; ; field++)
            {
                int next;
                ReadOnlySpan<byte> value;
                var quoted = at < length && data[at] == quote;
                if (quoted)
                {
                    var close = ClosingQuote(data, at + 1, end);
                    if (close < 0)
                    {
                        return close;
                    }

                    value = data[(at + 1)..close];
                    next = close + 1;
                }
                else
                {
                    var stop = data[at..].IndexOfAny(delimiter, (byte)'\n', (byte)'\r');
                    if (stop < 0 && !end)
                    {
                        return NeedMore;
                    }

                    next = stop < 0 ? length : at + stop;
                    value = data[at..next];
                }

                if (field == column)
                {
                    hash = quoted ? HashUnquoted(value) : XxHash3.HashToUInt64(value);
                }

                if (test && field < checkOf.Length && checkOf[field] is var k and >= 0 && !Refused[k]
                    && !BulkValueCheck.Accepts(checks[k], value, isNull: !quoted && value.IsEmpty))
                {
                    Refused[k] = true;
                }

                if (field == lastColumn)
                {
                    var after = RecordEnd(data, next, end);
                    blank = after >= 0 ? false : null;
                    return after;
                }

                if (next == length || data[next] != delimiter)
                {
                    return RecordEnd(data, next, end) == NeedMore ? NeedMore : Malformed;   // the record ended before its column
                }

                at = next + 1;
            }
        }

        /// <summary>
        /// Where the record that goes on at <paramref name="at"/> ends (after its line break). A carriage return outside
        /// quotes must begin a CRLF: a file that breaks lines by CR alone, or mixes, is left to the warehouse's own check.
        /// </summary>
        private int RecordEnd(Span<byte> data, int at, bool end)
        {
            while (true)
            {
                var stop = data[at..].IndexOfAny(quote, (byte)'\n', (byte)'\r');
                if (stop < 0)
                {
                    return end ? data.Length : NeedMore;
                }

                var i = at + stop;
                if (data[i] == '\n')
                {
                    return i + 1;
                }

                if (data[i] == '\r')
                {
                    return i + 1 < data.Length ? (data[i + 1] == '\n' ? i + 2 : Malformed) : end ? data.Length : NeedMore;
                }

                var close = ClosingQuote(data, i + 1, end);
                if (close < 0)
                {
                    return close;
                }

                at = close + 1;
            }
        }

        /// <summary>The quote that closes a quoted field whose text starts at <paramref name="from"/> (a doubled quote is text).</summary>
        private int ClosingQuote(Span<byte> data, int from, bool end)
        {
            while (true)
            {
                var found = data[from..].IndexOf(quote);
                if (found < 0)
                {
                    return end ? Malformed : NeedMore;
                }

                var q = from + found;
                if (q + 1 == data.Length && !end)
                {
                    return NeedMore;  // a doubled quote or the close: the next byte tells
                }

                if (q + 1 < data.Length && data[q + 1] == quote)
                {
                    from = q + 2;
                    continue;
                }

                return q;
            }
        }

        /// <summary>For each field up to the last checked one, the check of its values (-1: none; a field is checked once).</summary>
        private static int[] CheckOf(int[] checkColumns)
        {
            var of = new int[checkColumns.Length == 0 ? 0 : checkColumns.Max() + 1];
            Array.Fill(of, -1);
            for (var k = 0; k < checkColumns.Length; k++)
            {
                if (of[checkColumns[k]] < 0)
                {
                    of[checkColumns[k]] = k;
                }
            }

            return of;
        }

        private ulong HashUnquoted(ReadOnlySpan<byte> text)
        {
            if (text.IndexOf(quote) < 0)
            {
                return XxHash3.HashToUInt64(text);
            }

            if (unquoted.Length < text.Length)
            {
                unquoted = new byte[text.Length * 2];
            }

            var n = 0;
            for (var i = 0; i < text.Length; i++)
            {
                unquoted[n++] = text[i];
                if (text[i] == quote)
                {
                    i++;    // the second of a doubled quote
                }
            }

            return XxHash3.HashToUInt64(unquoted.AsSpan(0, n));
        }
    }

    /// <summary>64-bit hashes kept in buckets by their top byte, in chunks: 8 bytes a record and no copy while growing.</summary>
    private sealed class HashBuckets
    {
        private readonly List<ulong[]>[] chunks = Enumerable.Range(0, Buckets).Select(_ => new List<ulong[]>()).ToArray();
        private readonly int[] used = new int[Buckets];   // in each bucket's last chunk

        public void Add(ulong hash)
        {
            var b = (int)(hash >> 56);
            var list = chunks[b];
            if (list.Count == 0 || used[b] == ChunkLength)
            {
                list.Add(new ulong[ChunkLength]);
                used[b] = 0;
            }

            list[^1][used[b]++] = hash;
        }

        private int Count(int b) => chunks[b].Count == 0 ? 0 : ((chunks[b].Count - 1) * ChunkLength) + used[b];

        /// <summary>Whether no hash is in two places: in one part, or in two parts of a file (each bucket sorted alone).</summary>
        public static bool AllDistinct(IReadOnlyList<HashBuckets> parts)
        {
            var repeated = 0;
            Parallel.For(0, Buckets, () => Array.Empty<ulong>(), (b, state, scratch) =>
            {
                var count = parts.Sum(p => p.Count(b));
                if (scratch.Length < count)
                {
                    scratch = new ulong[count + (count / 8)];
                }

                var at = 0;
                foreach (var part in parts)
                {
                    var left = part.Count(b);
                    foreach (var chunk in part.chunks[b])
                    {
                        var n = Math.Min(ChunkLength, left);
                        Array.Copy(chunk, 0, scratch, at, n);
                        at += n;
                        left -= n;
                    }

                    part.chunks[b].Clear();   // the chunks go as soon as their bucket is sorted
                }

                var sorted = scratch.AsSpan(0, count);
                sorted.Sort();
                for (var i = 1; i < sorted.Length; i++)
                {
                    if (sorted[i] == sorted[i - 1])
                    {
                        Interlocked.Exchange(ref repeated, 1);
                        state.Stop();
                        break;
                    }
                }

                return scratch;
            }, _ => { });
            return repeated == 0;
        }
    }
}

/// <summary>What <see cref="CsvIdScreen.Screen(BulkCsvPlan, string?, IReadOnlyList{BulkColumn})"/> found in a file.</summary>
/// <param name="Records">The records read (null: one was malformed; then nothing else is proven).</param>
/// <param name="IdsDistinct">Whether no two records have the same id (the 64-bit hashes all differ).</param>
/// <param name="Accepted">The checked columns (by file column) whose value every record has accepted.</param>
public sealed record CsvScreening(long? Records, bool IdsDistinct, IReadOnlySet<string> Accepted)
{
    /// <summary>Nothing proven: no count, no distinct ids, no column accepted (a malformed record, or a file not read).</summary>
    public static CsvScreening Nothing { get; } = new(null, false, new HashSet<string>(StringComparer.Ordinal));
}
