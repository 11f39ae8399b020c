using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using Segmenta.Model;

namespace Segmenta.Ingestion;

/// <summary>
/// Content hashes of converted rows: the stable identity of events whose source has no id, and the
/// change check for customers. Values are written in a canonical binary form (numbers in units of
/// 10^-4, timestamps in ticks) so that "1.5" and "1.50" hash alike.
/// </summary>
internal sealed class RowIdentity(RowBatch layout, IReadOnlyList<int> columns)
{
    private byte[] buffer = new byte[256];

    /// <summary>The columns that identify an event: who, what, when, how much, which order and product.</summary>
    public static readonly string[] EventIdentityFields =
        [CanonicalModel.CustomerId, CanonicalModel.EventType, CanonicalModel.OccurredAt, "revenue", "quantity", "order_id", "product", "campaign_id"];

    public UInt128 Hash(RowBatch batch, int row)
    {
        var used = 0;
        foreach (var c in columns)
        {
            switch (layout.Columns[c].Type)
            {
                case FieldType.Text:
                    var s = batch.Text(c)[row];
                    Ensure(ref used, 5 + ((s?.Length ?? 0) * 2));
                    if (s is null)
                    {
                        buffer[used++] = 0;
                    }
                    else
                    {
                        buffer[used++] = 1;
                        BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(used), s.Length);
                        used += 4;
                        MemoryMarshal.AsBytes(s.AsSpan()).CopyTo(buffer.AsSpan(used));
                        used += s.Length * 2;
                    }

                    break;
                case FieldType.Integer:
                    WriteLong(ref used, batch.Integers(c)[row]);
                    break;
                case FieldType.Number:
                    WriteLong(ref used, batch.Numbers(c)[row] is { } d ? (long)(d * 10_000m) : null);
                    break;
                case FieldType.Boolean:
                    WriteLong(ref used, batch.Booleans(c)[row] is { } b ? (b ? 1 : 0) : null);
                    break;
                case FieldType.Date:
                    WriteLong(ref used, batch.Dates(c)[row]?.DayNumber);
                    break;
                default:
                    WriteLong(ref used, batch.Timestamps(c)[row]?.Ticks);
                    break;
            }
        }

        return XxHash128.HashToUInt128(buffer.AsSpan(0, used));
    }

    private void WriteLong(ref int used, long? value)
    {
        Ensure(ref used, 9);
        if (value is { } v)
        {
            buffer[used++] = 1;
            BinaryPrimitives.WriteInt64LittleEndian(buffer.AsSpan(used), v);
            used += 8;
        }
        else
        {
            buffer[used++] = 0;
        }
    }

    private void Ensure(ref int used, int more)
    {
        if (used + more > buffer.Length)
        {
            Array.Resize(ref buffer, Math.Max(buffer.Length * 2, used + more));
        }
    }

    /// <summary>The event id for the <paramref name="occurrence"/>-th row of a file with this content hash.</summary>
    public static string EventId(UInt128 hash, int occurrence)
    {
        var hex = hash.ToString("x32", System.Globalization.CultureInfo.InvariantCulture);
        return occurrence == 1 ? hex : hex + "-" + occurrence.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>
/// Counts how often each content hash has occurred so far in one file, so that identical rows get
/// distinct, stable ids (the k-th repeat is the same event every time the file is read). Open
/// addressing on the low 64 bits: 12 bytes a row, no allocation per row.
/// </summary>
internal sealed class OccurrenceCounter
{
    private ulong[] keys = new ulong[1 << 16];
    private int[] counts = new int[1 << 16];
    private int used;

    public int Next(UInt128 hash)
    {
        var key = (ulong)hash;
        if (key == 0)
        {
            key = 1; // 0 marks an empty slot
        }

        if (used * 2 >= keys.Length)
        {
            Grow();
        }

        var mask = keys.Length - 1;
        var slot = (int)(key * 0x9E3779B97F4A7C15UL >> 20) & mask;
        while (true)
        {
            if (keys[slot] == key)
            {
                return ++counts[slot];
            }

            if (keys[slot] == 0)
            {
                keys[slot] = key;
                counts[slot] = 1;
                used++;
                return 1;
            }

            slot = (slot + 1) & mask;
        }
    }

    private void Grow()
    {
        var oldKeys = keys;
        var oldCounts = counts;
        keys = new ulong[oldKeys.Length * 2];
        counts = new int[oldKeys.Length * 2];
        var mask = keys.Length - 1;
        for (var i = 0; i < oldKeys.Length; i++)
        {
            if (oldKeys[i] == 0)
            {
                continue;
            }

            var slot = (int)(oldKeys[i] * 0x9E3779B97F4A7C15UL >> 20) & mask;
            while (keys[slot] != 0)
            {
                slot = (slot + 1) & mask;
            }

            keys[slot] = oldKeys[i];
            counts[slot] = oldCounts[i];
        }
    }
}
