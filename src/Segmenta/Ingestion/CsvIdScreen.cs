using System.IO.Hashing;
using System.Numerics;
using System.Runtime.Intrinsics;

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
    private const int Buckets = 256;        // by a hash's top byte: each looked at alone (in cache, in parallel)
    private const int ChunkLength = 8192;   // a bucket grows by chunks, never by copying

    /// <summary>
    /// Reads <paramref name="plan"/>'s file once: its records, whether no two have the same value in
    /// <paramref name="idColumn"/> (when given), and which of <paramref name="checks"/> every record's value passes
    /// (<see cref="BulkValueCheck"/>), and whether it holds no quote at all. Its values are those a warehouse reads only
    /// where the file's quoting is plain: <see cref="CsvScreening.QuoteFree"/>, or else <see cref="BulkCsvPlan.HasPlainQuoting"/>,
    /// which reads the file again. What it proves holds only for the records it read: a caller that relies on it compares
    /// <see cref="CsvScreening.Records"/> with the records the warehouse loaded.
    /// </summary>
    public static CsvScreening Screen(BulkCsvPlan plan, string? idColumn, IReadOnlyList<BulkColumn> checks)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var length = new FileInfo(plan.Path).Length;
        return Screen(plan, idColumn, checks, length < MinPartBytes ? 1 : (int)Math.Min(Environment.ProcessorCount, length / MinPartBytes));
    }

    /// <summary>A file is read in parts, side by side, only where each part has at least this many bytes.</summary>
    private const long MinPartBytes = 16 << 20;

    /// <summary>
    /// The number of records of <paramref name="plan"/>'s file (header excluded, blank lines skipped), read in
    /// <paramref name="parts"/>, when no two of them have the same value in <paramref name="fileColumn"/>; null when two may,
    /// or when a record does not have the column.
    /// </summary>
    internal static long? RecordsIfDistinct(BulkCsvPlan plan, string fileColumn, int parts) =>
        Screen(plan, fileColumn, [], parts) is { IdsDistinct: true } screened ? screened.Records : null;

    /// <summary>
    /// The same, the file read in <paramref name="parts"/> byte ranges side by side, each starting after a line break.
    /// Such a start begins a record unless the break was inside a quoted field; then the part before it ends inside an
    /// unclosed quote, which its reader calls malformed. So when every part reads cleanly, each began at a record (by
    /// induction from the first, which begins at the file's start) and they read exactly the records one reader would;
    /// when one does not, the file is read again by one reader.
    /// </summary>
    internal static CsvScreening Screen(BulkCsvPlan plan, string? idColumn, IReadOnlyList<BulkColumn> checks, int parts) =>
        Screen(plan, idColumn, checks, parts, fast: true);

    /// <summary>
    /// The same; <paramref name="fast"/> false reads every record by the general reader alone (tests hold the two to the
    /// same answers).
    /// </summary>
    internal static CsvScreening Screen(BulkCsvPlan plan, string? idColumn, IReadOnlyList<BulkColumn> checks, int parts, bool fast)
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
            readers[i] = new RecordReader((byte)plan.Delimiter, (byte)plan.Quote, column, checkColumns, [.. checks], fast);
            using var stream = new FileStream(plan.Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            stream.Position = ranges[i].Start;
            records[i] = readers[i].Read(stream, ranges[i].Length, first: i == 0, skipFirst: i == 0 && plan.Header, hashes[i]);
        });

        if (ranges.Count > 1 && records.Any(r => r is null))
        {
            return Screen(plan, idColumn, checks, 1, fast);   // a part began inside a quoted field, or a record is malformed
        }

        if (records.Any(r => r is null))
        {
            return CsvScreening.Nothing;
        }

        // A file column loaded twice is tested for its first column only (CheckOf): it proves nothing for either.
        var twice = checks.GroupBy(c => c.Source, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        var accepted = checks.Where((c, k) => !twice.Contains(c.Source) && readers.All(r => !r.Refused[k])).Select(c => c.Source).ToHashSet(StringComparer.Ordinal);
        var refused = checks.Where((c, k) => readers.Any(r => r.Refused[k])).Select(c => c.Source).ToHashSet(StringComparer.Ordinal);
        return new CsvScreening(records.Sum(r => r!.Value), column >= 0 && HashBuckets.AllDistinct(hashes), accepted, QuoteFree: fast && readers.All(r => !r.SawQuote))
        {
            Refused = refused,
        };
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

    /// <summary>
    /// Reads every record: the id column's value hashed, the checked columns' values tested. A record whose bytes hold no
    /// quote and no carriage return but before a line feed (nearly every record of a machine-written file) is split by
    /// bitmaps of the buffer (<see cref="Masks"/>): one bit per byte that ends a field, found 64 bytes at a time, and one per
    /// byte outside printable ASCII, so that a text value is known to be plain without reading it again. Any other record
    /// is read by the general reader (<see cref="Record"/>), which decides blank lines, quotes, short records and the
    /// buffer's end; the fast reader only ever hands a record over to it, from the record's start.
    /// </summary>
    private sealed class RecordReader(byte delimiter, byte quote, int column, int[] checkColumns, BulkColumn[] checks, bool fast)
    {
        private readonly int lastColumn = checkColumns.Append(column).Append(0).Max();   // the last field a record is read to
        private readonly int[] checkOf = CheckOf(checkColumns);                          // each field's check (-1: none)
        private readonly bool[] anyPrintable = [.. checks.Select(BulkValueCheck.AcceptsAnyPrintable)];   // needs no call then

        private const int NeedMore = -1;    // the record runs past the bytes read so far
        private const int Malformed = -2;   // a quote never closed, or a record without the column
        private const int General = -3;     // the fast reader hands the record to the general one

        private ulong[] ends = [];          // bit i of word w: byte 64w+i is the delimiter, a line feed, a carriage return or a quote
        private ulong[] unprintable = [];   // bit i of word w: byte 64w+i is outside 0x20-0x7E
        private int masked;                 // the bytes the masks describe (the buffer's filled length)

        private byte[] buffer = new byte[1 << 20];
        private byte[] unquoted = new byte[256];

        private long unread;    // bytes of the range not read yet

        /// <summary>Whether a byte read was the quote (known only to the fast reader, which looks at every byte).</summary>
        public bool SawQuote { get; private set; }

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
                var next = at < length && fast ? FastRecord(at, test: !skipFirst, out hash) : General;
                if (next >= 0)
                {
                    blank = false;
                }
                else
                {
                    next = at < length ? Record(at, length, end, test: !skipFirst, out blank, out hash) : NeedMore;
                }

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

            if (fast)
            {
                Masks(length);
            }

            return length;
        }

        /// <summary>The buffer's two bitmaps over its first <paramref name="length"/> bytes (the last word's bits past them clear).</summary>
        private void Masks(int length)
        {
            var words = (length + 63) >> 6;
            if (ends.Length < words)
            {
                ends = new ulong[buffer.Length >> 6];
                unprintable = new ulong[buffer.Length >> 6];
            }

            var data = buffer.AsSpan();
            var full = length >> 6;
            ulong quotes = 0;
            for (var w = 0; w < full; w++)
            {
                var block = data.Slice(w << 6, 64);
                ulong end = 0, odd = 0;
                for (var quarter = 0; quarter < 4; quarter++)
                {
                    var v = Vector128.Create<byte>(block.Slice(quarter << 4, 16));
                    var q = Vector128.Equals(v, Vector128.Create(quote));
                    var e = Vector128.Equals(v, Vector128.Create(delimiter)) | Vector128.Equals(v, Vector128.Create((byte)'\n'))
                        | Vector128.Equals(v, Vector128.Create((byte)'\r')) | q;
                    var o = Vector128.GreaterThan(v - Vector128.Create((byte)0x20), Vector128.Create((byte)0x5E));
                    quotes |= q.ExtractMostSignificantBits();
                    end |= (ulong)e.ExtractMostSignificantBits() << (quarter << 4);
                    odd |= (ulong)o.ExtractMostSignificantBits() << (quarter << 4);
                }

                ends[w] = end;
                unprintable[w] = odd;
            }

            if (full < words)
            {
                ulong end = 0, odd = 0;
                for (var i = full << 6; i < length; i++)
                {
                    var b = data[i];
                    var bit = 1UL << (i & 63);
                    end |= b == delimiter || b == '\n' || b == '\r' || b == quote ? bit : 0;
                    quotes |= b == quote ? 1UL : 0;
                    odd |= (uint)(b - 0x20) > 0x5E ? bit : 0;
                }

                ends[full] = end;
                unprintable[full] = odd;
            }

            masked = length;
            SawQuote |= quotes != 0;
        }

        /// <summary>Whether bytes <paramref name="from"/> to <paramref name="to"/> (exclusive) are all printable ASCII.</summary>
        private bool Printable(int from, int to)
        {
            if (from == to)
            {
                return true;
            }

            int first = from >> 6, last = (to - 1) >> 6;
            var head = ulong.MaxValue << (from & 63);
            var tail = ulong.MaxValue >> (63 - ((to - 1) & 63));
            if (first == last)
            {
                return (unprintable[first] & head & tail) == 0;
            }

            if ((unprintable[first] & head) != 0 || (unprintable[last] & tail) != 0)
            {
                return false;
            }

            for (var w = first + 1; w < last; w++)
            {
                if (unprintable[w] != 0)
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>
        /// The record at <paramref name="at"/> by the bitmaps: where the next one starts, or <see cref="General"/> when it holds
        /// a quote, a carriage return not before a line feed, fewer fields than the last one read, is blank, or runs past the
        /// buffer. Its values are tested as the general reader tests them (unquoted: empty is NULL).
        /// </summary>
        private int FastRecord(int at, bool test, out ulong hash)
        {
            hash = 0;
            var start = at;
            var words = (masked + 63) >> 6;
            var w = at >> 6;
            var bits = ends[w] & (ulong.MaxValue << (at & 63));   // the field ends not yet passed, in word w
            var data = buffer;
            for (var field = 0; ; field++)
            {
                while (bits == 0)
                {
                    if (++w == words)
                    {
                        return General;
                    }

                    bits = ends[w];
                }

                var stop = (w << 6) + BitOperations.TrailingZeroCount(bits);
                bits &= bits - 1;
                var b = data[stop];
                var next = b == delimiter ? stop + 1
                    : b == '\n' ? stop + 1
                    : b == '\r' && stop + 1 < masked && data[stop + 1] == '\n' ? stop + 2
                    : General;
                if (next == General || (next != stop + 1 || b == '\n') && (field < lastColumn || stop == start))
                {
                    return General;   // a quote, a lone carriage return, a record ending early, or a blank line
                }

                if (field <= lastColumn)
                {
                    var value = data.AsSpan(at, stop - at);
                    if (field == column)
                    {
                        hash = XxHash3.HashToUInt64(value);
                    }

                    if (test && field < checkOf.Length && checkOf[field] is var k and >= 0 && !Refused[k]
                        && Printable(at, stop) is var printable && !(printable && anyPrintable[k])
                        && !BulkValueCheck.Accepts(checks[k], value, isNull: value.IsEmpty, printableAscii: printable))
                    {
                        Refused[k] = true;
                    }
                }

                if (b != delimiter)
                {
                    return next;
                }

                at = next;
            }
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

    /// <summary>
    /// One bucket's hashes (random bits below the top byte) by open addressing: each placed by its low bits in a table of at
    /// least twice their count, probed linearly, where a repeat meets its first. Linear in the count, where sorting each
    /// bucket cost n log n (10M hashes: ~0.3 s of CPU). A slot holds hash + 1, so 0 marks an empty one; the one hash that
    /// would wrap to 0 (ulong.MaxValue) is counted aside. The table is reused from bucket to bucket.
    /// </summary>
    private sealed class SlotTable
    {
        private ulong[] slots = [];
        private ulong mask;
        private int maxima;

        /// <summary>Empties the table for a bucket of <paramref name="count"/> hashes.</summary>
        public void Clear(int count)
        {
            var size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, count * 2));
            if (slots.Length < size)
            {
                slots = new ulong[size];
            }
            else
            {
                Array.Clear(slots, 0, size);
            }

            mask = (ulong)(size - 1);
            maxima = 0;
        }

        /// <summary>Adds each hash; false as soon as one was there already.</summary>
        public bool AddAll(ReadOnlySpan<ulong> hashes)
        {
            var table = slots;
            foreach (var hash in hashes)
            {
                if (hash == ulong.MaxValue)
                {
                    if (++maxima > 1)
                    {
                        return false;
                    }

                    continue;
                }

                var slot = hash + 1;
                var i = (int)(hash & mask);
                while (table[i] != 0)
                {
                    if (table[i] == slot)
                    {
                        return false;
                    }

                    i = (int)((ulong)(i + 1) & mask);
                }

                table[i] = slot;
            }

            return true;
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
                // On the pinned heap, unzeroed: the collector never copies a chunk from generation to generation (10M
                // events: 80 MB of hashes, ~0.1 s of a 0.8 s screen when they were ordinary arrays).
                list.Add(GC.AllocateUninitializedArray<ulong>(ChunkLength, pinned: true));
                used[b] = 0;
            }

            list[^1][used[b]++] = hash;
        }

        private int Count(int b) => chunks[b].Count == 0 ? 0 : ((chunks[b].Count - 1) * ChunkLength) + used[b];

        /// <summary>Whether no hash is in two places: in one part, or in two parts of a file (each bucket alone).</summary>
        public static bool AllDistinct(IReadOnlyList<HashBuckets> parts)
        {
            var repeated = 0;
            Parallel.For(0, Buckets, () => new SlotTable(), (b, state, table) =>
            {
                table.Clear(parts.Sum(p => p.Count(b)));
                var distinct = true;
                foreach (var part in parts)
                {
                    var left = part.Count(b);
                    foreach (var chunk in part.chunks[b])
                    {
                        var n = Math.Min(ChunkLength, left);
                        distinct = distinct && table.AddAll(chunk.AsSpan(0, n));
                        left -= n;
                    }

                    part.chunks[b].Clear();   // the chunks go as soon as their bucket is read
                }

                if (!distinct)
                {
                    Interlocked.Exchange(ref repeated, 1);
                    state.Stop();
                }

                return table;
            }, _ => { });
            return repeated == 0;
        }
    }
}

/// <summary>What <see cref="CsvIdScreen.Screen(BulkCsvPlan, string?, IReadOnlyList{BulkColumn})"/> found in a file.</summary>
/// <param name="Records">The records read (null: one was malformed; then nothing else is proven).</param>
/// <param name="IdsDistinct">Whether no two records have the same id (the 64-bit hashes all differ).</param>
/// <param name="Accepted">The checked columns (by file column) whose value every record has accepted.</param>
/// <param name="QuoteFree">
/// Whether no byte of the file is the quote character (then its quoting is plain: <see cref="BulkCsvPlan.HasPlainQuoting"/>
/// need not read it again); false also when not known.
/// </param>
public sealed record CsvScreening(long? Records, bool IdsDistinct, IReadOnlySet<string> Accepted, bool QuoteFree)
{
    /// <summary>The checked columns (by file column) with a record whose value the check does not accept.</summary>
    public IReadOnlySet<string> Refused { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Nothing proven: no count, no distinct ids, no column accepted (a malformed record, or a file not read).</summary>
    public static CsvScreening Nothing { get; } = new(null, false, new HashSet<string>(StringComparer.Ordinal), QuoteFree: false);
}
