using System.Globalization;
using Segmenta.Testing;
using Segmenta.Warehouse;
using Xunit;

namespace Segmenta.DuckDb.Tests;

/// <summary>
/// Appends through <see cref="ChunkAppender"/> (what every <see cref="TableRows"/> append to DuckDB goes through): each kind of
/// value, NULLs, and rows spanning several data chunks read back as written; a value or a row the table cannot take fails
/// with the table's name and the reason, and leaves nothing behind.
/// </summary>
public sealed class ChunkAppenderTests
{
    private const string Table = "probe";

    private static DuckDbWarehouse Open(TempDir dir)
    {
        var w = DuckDbWarehouse.Open(dir.File("w.duckdb"));
        w.Execute($"CREATE TABLE {Table} (k BIGINT NOT NULL, s VARCHAR, i INTEGER, d DOUBLE, day DATE, at_ TIMESTAMP, tz TIMESTAMPTZ, absent VARCHAR, n DECIMAL(18,4), b BOOLEAN)");
        return w;
    }

    [Fact]
    public void Append_EveryKindOfValueAndNulls_OverSeveralChunks_ReadsBackAsWritten()
    {
        using var dir = TestPaths.NewTempDir();
        using var w = Open(dir);

        // 5,000 rows: two full chunks of 2,048 and a partial one; NULLs in every column, at a different rhythm in each, so a
        // chunk's NULLs must not leak into the next chunk's rows.
        const int n = 5000;
        var words = new[] { "", "a", "twelve bytes", "thirteen bytes", "Ünïcödé — longer than twelve bytes", "日本語", "lone \ud800 surrogate" };
        var epoch = DateTime.UnixEpoch;
        string? S(int r) => r % 7 == 3 ? null : words[r % words.Length] + (r % 5 == 0 ? "" : r.ToString(CultureInfo.InvariantCulture));
        long? I(int r) => r % 11 == 4 ? null : r % 2 == 0 ? int.MaxValue - r : int.MinValue + r;
        double? D(int r) => r % 13 == 5 ? null : r % 3 == 0 ? -0.1 * r : r * 1e300 / n;
        DateOnly? Day(int r) => r % 17 == 6 ? null : new DateOnly(1900, 3, 1).AddDays(r * 13);
        DateTime? At(int r) => r % 19 == 7 ? null : epoch.AddTicks((r - n / 2) * 123_456_789_017L + (r % 10));   // before and after 1970, ticks below a microsecond
        var numbers = new[] { 1.23456m, -1.23455m, 99999999999999.9999m, -99999999999999.9999m, 0m, 0.0001m };
        decimal? N(int r) => r % 23 == 8 ? null : numbers[r % numbers.Length] is var x && r % 3 == 0 ? x : x + (x > 0 ? -r : r);
        bool? B(int r) => r % 29 == 9 ? null : r % 2 == 0;
        var rows = new TableRows(n)
            .Add("k", [.. Enumerable.Range(0, n).Select(r => (long?)r)])
            .Add("s", [.. Enumerable.Range(0, n).Select(S)])
            .Add("i", [.. Enumerable.Range(0, n).Select(I)])
            .Add("d", [.. Enumerable.Range(0, n).Select(D)])
            .Add("day", [.. Enumerable.Range(0, n).Select(Day)])
            .Add("at_", [.. Enumerable.Range(0, n).Select(At)])
            .Add("tz", [.. Enumerable.Range(0, n).Select(At)]);
        ((IWarehouse)w).AppendInTransaction([], Table, rows);

        // Profiles and events reach DuckDB as ingest batches of these kinds of values (decimals and booleans too).
        using (var appender = new ChunkAppender(w.Connection, null, null, Table))
        {
            var more = Enumerable.Range(n, 3000).ToArray();
            appender.Append([more.Select(r => (long?)r).ToArray(), null, null, null, null, null, null, null, more.Select(N).ToArray(), more.Select(B).ToArray()], more.Length);
            appender.Close();
        }

        // Microseconds, as DuckDB keeps them: the tick below is dropped towards the past.
        static DateTime Micro(DateTime t) => new(t.Ticks - (((t.Ticks % 10) + 10) % 10), DateTimeKind.Utc);
        var seen = 0;
        w.Read(new Sql.SqlStatement($"SELECT k, s, i, d, day, at_, epoch_us(tz), absent FROM {Table} WHERE k < {n} ORDER BY k", []), r =>
        {
            var k = (int)r.GetInt64(0);
            Assert.Equal(seen++, k);
            Assert.Equal(S(k)?.Replace("\ud800", "\ufffd", StringComparison.Ordinal), r.IsDBNull(1) ? null : r.GetString(1));
            Assert.Equal(I(k), r.IsDBNull(2) ? null : (long?)r.GetInt32(2));
            Assert.Equal(D(k), r.IsDBNull(3) ? null : r.GetDouble(3));
            Assert.Equal(Day(k), r.IsDBNull(4) ? null : DateOnly.FromDateTime(r.GetDateTime(4)));
            Assert.Equal(At(k) is { } at ? Micro(at) : (DateTime?)null, r.IsDBNull(5) ? null : DateTime.SpecifyKind(r.GetDateTime(5), DateTimeKind.Utc));
            Assert.Equal(At(k) is { } tz ? (Micro(tz).Ticks - epoch.Ticks) / 10 : (long?)null, r.IsDBNull(6) ? null : r.GetInt64(6));
            Assert.True(r.IsDBNull(7));
        });
        Assert.Equal(n, seen);

        // Digits beyond the column's scale are cut off (as DuckDB.NET's appender does; ingest rounds to the scale before).
        static decimal? Cut(decimal? v) => v is { } x ? decimal.Truncate(x * 10_000m) / 10_000m : null;
        w.Read(new Sql.SqlStatement($"SELECT k, n, b FROM {Table} WHERE k >= {n} ORDER BY k", []), r =>
        {
            var k = (int)r.GetInt64(0);
            Assert.Equal(seen++, k);
            Assert.Equal(Cut(N(k)), r.IsDBNull(1) ? null : r.GetDecimal(1));
            Assert.Equal(B(k), r.IsDBNull(2) ? null : r.GetBoolean(2));
        });
        Assert.Equal(n + 3000, seen);
    }

    [Theory]
    [InlineData("a value INTEGER cannot hold", "2147483648")]
    [InlineData("a NULL key, DuckDB's NOT NULL (in the second chunk)", "NOT NULL")]
    public void Append_RowsTheTableRefuses_FailNamingTheTableAndWhy_AndAppendNothing(string what, string reason)
    {
        using var dir = TestPaths.NewTempDir();
        using var w = Open(dir);
        var rows = reason == "NOT NULL"
            ? new TableRows(3000).Add("k", [.. Enumerable.Range(0, 3000).Select(r => r == 2500 ? null : (long?)r)])
            : new TableRows(3).Add("k", [1L, 2L, 3L]).Add("i", [1L, (long)int.MaxValue + 1, 3L]);

        var e = Refused(w, rows);
        Assert.True(e.Message.Contains(reason, StringComparison.OrdinalIgnoreCase), $"{what}: {e.Message}");
        Assert.Contains(Table, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Append_ADecimalBeyondTheColumnsDigits_Fails()
    {
        using var dir = TestPaths.NewTempDir();
        using var w = Open(dir);
        using var appender = new ChunkAppender(w.Connection, null, null, Table);
        var e = Assert.Throws<WarehouseException>(() => appender.Append([new long?[] { 1 }, null, null, null, null, null, null, null, new decimal?[] { 100_000_000_000_000m }, null], 1));
        Assert.Equal($"100000000000000 does not fit column 9 of table {Table} (DECIMAL with 18 digits)", e.Message);
    }

    [Fact]
    public void Append_ValuesOfAnotherKindThanTheColumn_FailsNamingBoth()
    {
        using var dir = TestPaths.NewTempDir();
        using var w = Open(dir);
        var rows = new TableRows(1).Add("k", [1L]).Add("d", ["1.5"]);

        Assert.Equal($"column 4 of table {Table} is Double: it cannot take String values", Refused(w, rows).Message);
    }

    /// <summary>The append of <paramref name="rows"/> in a transaction fails, and the table is left empty.</summary>
    private static WarehouseException Refused(DuckDbWarehouse w, TableRows rows)
    {
        var e = Assert.Throws<WarehouseException>(() => ((IWarehouse)w).AppendInTransaction([], Table, rows));
        Assert.Equal(0L, w.Scalar($"SELECT count(*) FROM {Table}"));
        return e;
    }
}
