using System.Text;
using Segmenta.Ingestion;
using Xunit;

namespace Segmenta.Tests;

public class CsvRecordSourceTests
{
    private static List<(long Line, string?[] Fields, string? Error, string Raw)> ReadAll(string text, DelimitedFormat? format = null)
    {
        using var source = CsvRecordSource.FromStream("t.csv", new MemoryStream(Encoding.UTF8.GetBytes(text)), format);
        var rows = new List<(long, string?[], string?, string)>();
        while (source.Read())
        {
            var fields = Enumerable.Range(0, source.Columns.Count).Select(i => source.IsNull(i) ? null : source.Value(i).ToString()).ToArray();
            rows.Add((source.Line, fields, source.RecordError, source.RawRecord()));
        }

        return rows;
    }

    [Fact]
    public void Read_QuotedFieldsWithDelimitersQuotesAndNewlines_UnescapesAndCountsLines()
    {
        var rows = ReadAll("a,b,c\n1,\"x, y\",\"say \"\"hi\"\"\"\n2,\"two\nlines\",z\n3,,\"\"\n");
        Assert.Equal(3, rows.Count);
        Assert.Equal(new string?[] { "1", "x, y", "say \"hi\"" }, rows[0].Fields);
        Assert.Equal(2, rows[0].Line);
        Assert.Equal("two\nlines", rows[1].Fields[1]);
        Assert.Equal(3, rows[1].Line);
        Assert.Equal(5, rows[2].Line); // the quoted newline pushed it down
        Assert.Null(rows[2].Fields[1]);     // unquoted empty: missing
        Assert.Equal("", rows[2].Fields[2]); // quoted empty: empty text
    }

    [Fact]
    public void Read_CrLfAndBlankLinesAndNoFinalNewline_KeepsLineNumbers()
    {
        var rows = ReadAll("a;b\r\n1;2\r\n\r\n3;4");
        Assert.Equal([(2L, "1"), (4L, "3")], rows.Select(r => (r.Line, r.Fields[0]!)).ToList());
        Assert.Equal("4", rows[1].Fields[1]);
    }

    [Fact]
    public void Read_WrongFieldCount_ReportsRecordErrorAndRawText()
    {
        var rows = ReadAll("a,b,c\n1,2\n1,2,3,4\n");
        Assert.Equal("expected 3 fields, found 2", rows[0].Error);
        Assert.Equal("1,2", rows[0].Raw);
        Assert.Equal("expected 3 fields, found 4", rows[1].Error);
    }

    [Fact]
    public void Read_UnterminatedQuote_ReportsErrorInsteadOfHanging()
    {
        var rows = ReadAll("a,b\n1,\"never closed\n2,3\n");
        Assert.Single(rows);
        Assert.Contains("not closed", rows[0].Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a,b,c\n1,2,3\n4,5,6\n", ',')]
    [InlineData("a;b;c\n1;\"2;x\";3\n4;5;6\n", ';')]
    [InlineData("a\tb\n1\t2\n", '\t')]
    [InlineData("a|b\n1|2\n", '|')]
    [InlineData(" id  date value\n 001 19970101  1.5\n 002 19970102  2\n", DelimitedFormat.Whitespace)]
    public void DetectDelimiter_CommonLayouts_PicksTheSeparator(string text, char expected)
    {
        using var source = CsvRecordSource.FromStream("t", new MemoryStream(Encoding.UTF8.GetBytes(text)));
        Assert.Equal(expected, source.Delimiter);
    }

    [Fact]
    public void Read_WhitespaceSeparated_TrimsLeadingAndTrailingRuns()
    {
        var rows = ReadAll(" customer_id  date n  v\r\n 00001 19970101  1   11.77  \r\n", new DelimitedFormat(DelimitedFormat.Whitespace));
        Assert.Equal(new string?[] { "00001", "19970101", "1", "11.77" }, rows[0].Fields);
        Assert.Null(rows[0].Error);
    }

    [Fact]
    public void Read_RecordLongerThanBuffer_GrowsAndKeepsIt()
    {
        var big = new string('x', 3_000_000);
        var rows = ReadAll($"a,b\n\"{big}\",1\n2,3\n");
        Assert.Equal(big.Length, rows[0].Fields[0]!.Length);
        Assert.Equal("3", rows[1].Fields[1]);
        Assert.Equal(3, rows[1].Line);
    }

    [Fact]
    public void Open_HeaderlessWithoutColumns_IsASetupError()
    {
        var e = Assert.Throws<IngestSetupException>(() =>
            CsvRecordSource.FromStream("t.csv", new MemoryStream("1,2\n"u8.ToArray()), new DelimitedFormat(Header: false)));
        Assert.Contains("column names", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_DuplicateHeader_IsASetupError()
    {
        var e = Assert.Throws<IngestSetupException>(() => CsvRecordSource.FromStream("t.csv", new MemoryStream("a,b,a\n1,2,3\n"u8.ToArray())));
        Assert.Contains("`a` appears twice", e.Message, StringComparison.Ordinal);
    }
}
