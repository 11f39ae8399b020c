using System.Data;

namespace Segmenta.Warehouse;

/// <summary>
/// A result row as Segmenta's code sees rows from any warehouse, so previews and exports are the
/// same bytes on every backend: a number carries no trailing zeros (a DECIMAL(18,4) column gives
/// 52000.5, not 52000.5000, and PostgreSQL's sums keep their scale where DuckDB's do not), and a
/// calendar date is a <see cref="DateOnly"/> (Npgsql reads one as a DateTime at midnight).
/// Adapters hand this to <see cref="ISqlReader.Read"/> callbacks.
/// </summary>
public sealed class WarehouseRecord(IDataRecord inner) : IDataRecord
{
    /// <inheritdoc />
    public int FieldCount => inner.FieldCount;

    /// <inheritdoc />
    public object this[int i] => GetValue(i);

    /// <inheritdoc />
    public object this[string name] => GetValue(inner.GetOrdinal(name));

    /// <inheritdoc />
    public object GetValue(int i) => inner.GetValue(i) switch
    {
        decimal d => Normalize(d),
        DateTime t when IsDate(i) => DateOnly.FromDateTime(t),
        var v => v,
    };

    /// <inheritdoc />
    public int GetValues(object[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var n = Math.Min(values.Length, FieldCount);
        for (var i = 0; i < n; i++)
        {
            values[i] = GetValue(i);
        }

        return n;
    }

    /// <inheritdoc />
    public decimal GetDecimal(int i) => Normalize(inner.GetDecimal(i));

    /// <inheritdoc />
    public Type GetFieldType(int i) => IsDate(i) ? typeof(DateOnly) : inner.GetFieldType(i);

    /// <summary>Hands every row of <paramref name="reader"/> to <paramref name="row"/> as a <see cref="WarehouseRecord"/>.</summary>
    public static void ForEach(IDataReader reader, Action<IDataRecord> row)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(row);
        var record = new WarehouseRecord(reader);
        while (reader.Read())
        {
            row(record);
        }
    }

    /// <summary>The same number with the smallest scale that holds it (200.0000 → 200, 15.3000 → 15.3).</summary>
    /// <remarks>
    /// A mantissa within 64 bits (every amount short of 1.8e19 units of its scale) loses its trailing zeros by integer
    /// division, which the JIT turns into multiplications: 4x faster than the decimal division the others take (a tenth
    /// of a second a million values, on reads such as the CLV purchase days' 2.7M). The same bits either way: a test
    /// compares the two over edge cases and random values.
    /// </remarks>
    public static decimal Normalize(decimal value)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var scale = (bits[3] >> 16) & 0xFF;
        var mantissa = ((ulong)(uint)bits[1] << 32) | (uint)bits[0];
        if (scale == 0)
        {
            return value;
        }

        if (bits[2] != 0 || mantissa == 0)
        {
            return NormalizeByDivision(value);
        }

        while (scale > 0 && mantissa % 10 == 0)
        {
            mantissa /= 10;
            scale--;
        }

        return new decimal((int)(uint)mantissa, (int)(uint)(mantissa >> 32), 0, value < 0, (byte)scale);
    }

    /// <summary><see cref="Normalize"/> by decimal division, whose result has the smallest scale that holds it exactly: any value.</summary>
    internal static decimal NormalizeByDivision(decimal value) => value / 1.000000000000000000000000000000000m;

    private bool IsDate(int i) => string.Equals(inner.GetDataTypeName(i), "date", StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc />
    public bool GetBoolean(int i) => inner.GetBoolean(i);

    /// <inheritdoc />
    public byte GetByte(int i) => inner.GetByte(i);

    /// <inheritdoc />
    public long GetBytes(int i, long fieldOffset, byte[]? buffer, int bufferoffset, int length) => inner.GetBytes(i, fieldOffset, buffer, bufferoffset, length);

    /// <inheritdoc />
    public char GetChar(int i) => inner.GetChar(i);

    /// <inheritdoc />
    public long GetChars(int i, long fieldoffset, char[]? buffer, int bufferoffset, int length) => inner.GetChars(i, fieldoffset, buffer, bufferoffset, length);

    /// <inheritdoc />
    public IDataReader GetData(int i) => inner.GetData(i);

    /// <inheritdoc />
    public string GetDataTypeName(int i) => inner.GetDataTypeName(i);

    /// <inheritdoc />
    public DateTime GetDateTime(int i) => inner.GetDateTime(i);

    /// <inheritdoc />
    public double GetDouble(int i) => inner.GetDouble(i);

    /// <inheritdoc />
    public float GetFloat(int i) => inner.GetFloat(i);

    /// <inheritdoc />
    public Guid GetGuid(int i) => inner.GetGuid(i);

    /// <inheritdoc />
    public short GetInt16(int i) => inner.GetInt16(i);

    /// <inheritdoc />
    public int GetInt32(int i) => inner.GetInt32(i);

    /// <inheritdoc />
    public long GetInt64(int i) => inner.GetInt64(i);

    /// <inheritdoc />
    public string GetName(int i) => inner.GetName(i);

    /// <inheritdoc />
    public int GetOrdinal(string name) => inner.GetOrdinal(name);

    /// <inheritdoc />
    public string GetString(int i) => inner.GetString(i);

    /// <inheritdoc />
    public bool IsDBNull(int i) => inner.IsDBNull(i);
}
