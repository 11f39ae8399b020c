using Segmenta.Ingestion;
using Xunit;

namespace Segmenta.Tests;

public class ValueParserTests
{
    private static readonly TimeZoneInfo London = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");

    [Theory]
    [InlineData("2024-05-01T13:45:00Z", "2024-05-01T13:45:00.0000000Z")]
    [InlineData("2024-05-01 13:45:00", "2024-05-01T12:45:00.0000000Z")]        // BST, read in London
    [InlineData("2024-01-01 13:45", "2024-01-01T13:45:00.0000000Z")]           // GMT
    [InlineData("2024-05-01T13:45:00.1234567+02:00", "2024-05-01T11:45:00.1234567Z")]
    [InlineData("2024-05-01T13:45:00-0530", "2024-05-01T19:15:00.0000000Z")]
    [InlineData("2024-05-01", "2024-04-30T23:00:00.0000000Z")]
    public void ParseTimestamp_IsoForms_GiveTheUtcInstant(string text, string expected)
    {
        Assert.Null(ValueParser.ParseTimestamp(text, [], London, out var utc));
        Assert.Equal(expected, utc.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("2024-13-01T00:00:00Z")]
    [InlineData("2024-02-30")]
    [InlineData("2024-05-01T25:00:00")]
    [InlineData("yesterday")]
    [InlineData("2024-05-01T10:00:00Zjunk")]
    public void ParseTimestamp_Invalid_SaysWhy(string text)
    {
        var error = ValueParser.ParseTimestamp(text, [], TimeZoneInfo.Utc, out _);
        Assert.NotNull(error);
        Assert.Contains("not a timestamp", error, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseTimestamp_LocalTimeInDstGap_IsRejected()
    {
        var error = ValueParser.ParseTimestamp("2024-03-31 01:30:00", [], London, out _);
        Assert.Equal("`2024-03-31 01:30:00` does not exist in Europe/London (the clocks skip it)", error);
    }

    [Fact]
    public void ParseTimestamp_CustomFormat_Parses()
    {
        Assert.Null(ValueParser.ParseTimestamp("19970101", ["yyyyMMdd"], TimeZoneInfo.Utc, out var utc));
        Assert.Equal(new DateTime(1997, 1, 1, 0, 0, 0, DateTimeKind.Utc), utc);
    }

    [Theory]
    [InlineData("42", 42L)]
    [InlineData("-7", -7L)]
    [InlineData("17850.0", 17850L)]
    public void ParseInteger_WholeNumbers_Parse(string text, long expected)
    {
        Assert.Null(ValueParser.ParseInteger(text, out var value));
        Assert.Equal(expected, value);
    }

    [Fact]
    public void ParseInteger_Fraction_IsRejected() =>
        Assert.Equal("`3.5` is not a whole number", ValueParser.ParseInteger("3.5", out _));

    [Fact]
    public void ParseNumber_RoundsToFourDecimalsAndRejectsOverflow()
    {
        Assert.Null(ValueParser.ParseNumber("1.23456", out var d));
        Assert.Equal(1.2346m, d);
        Assert.NotNull(ValueParser.ParseNumber("1e20", out _));
        Assert.NotNull(ValueParser.ParseNumber("12,5", out _)); // invariant culture: a comma is not a decimal point
    }

    [Theory]
    [InlineData("yes", true)]
    [InlineData("0", false)]
    [InlineData("TRUE", true)]
    [InlineData("n", false)]
    public void ParseBoolean_CommonSpellings_Parse(string text, bool expected)
    {
        Assert.Null(ValueParser.ParseBoolean(text, out var b));
        Assert.Equal(expected, b);
    }
}
