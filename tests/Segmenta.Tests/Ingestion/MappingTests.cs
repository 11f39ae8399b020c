using Segmenta.Configuration;
using Segmenta.Ingestion;
using Segmenta.Model;
using Xunit;

namespace Segmenta.Tests;

public class MappingTests
{
    private sealed class FakeRow(string[] columns, string?[] values, long line = 7) : IExprRow
    {
        public bool IsNull(int ordinal) => values[ordinal] is null;

        public ReadOnlySpan<char> Value(int ordinal) => values[ordinal];

        public string ColumnName(int ordinal) => columns[ordinal];

        public long Line => line;

        public long Row => 3;
    }

    private static ExprValue Eval(string expression, string[] columns, params string?[] values) =>
        MappingExpression.Parse(expression, n => Array.IndexOf(columns, n), columns).Evaluate(new FakeRow(columns, values));

    [Fact]
    public void Expression_Arithmetic_OnTextColumns()
    {
        Assert.Equal(-25.5m, Eval("Quantity * UnitPrice", ["Quantity", "UnitPrice"], "-10", "2.55").Number);
        Assert.Equal(7m, Eval("1 + 2 * 3", []).Number);
        Assert.Equal(9m, Eval("(1 + 2) * 3", []).Number);
    }

    [Fact]
    public void Expression_FunctionsAndPositions()
    {
        Assert.Equal("refund", Eval("if(starts_with(InvoiceNo, 'C'), 'refund', 'purchase')", ["InvoiceNo"], "C536379").Text);
        Assert.Equal("17850", Eval("text(int(CustomerID))", ["CustomerID"], "17850.0").AsText());
        Assert.Equal("H3", Eval("concat('H', $row)", []).AsText());
        Assert.Equal(7m, Eval("$line", []).Number);
        Assert.Equal(60000m, Eval("`Annual Income (k$)` * 1000", ["Annual Income (k$)"], "60").Number);
    }

    [Fact]
    public void Expression_MissingPropagatesAndComparisonsWithMissingAreFalse()
    {
        Assert.True(Eval("a * 2", ["a"], [null]).IsNull);
        Assert.False(Eval("a > 1", ["a"], [null]).Boolean);
        Assert.True(Eval("int(a)", ["a"], [null]).IsNull);
    }

    [Theory]
    [InlineData("flag", "false", false)]
    [InlineData("flag", "0", false)]
    [InlineData("flag", "", false)]
    [InlineData("flag", "yes", true)]
    [InlineData("flag", null, false)]
    public void ToBoolean_TextValues_FollowFilterTruth(string column, string? value, bool expected) =>
        Assert.Equal(expected, MappingExpression.ToBoolean(Eval(column, [column], value)));

    [Fact]
    public void Expression_NonNumberInArithmetic_NamesTheColumn()
    {
        var e = Assert.Throws<ExprRowException>(() => Eval("q * 2", ["q"], "abc"));
        Assert.Equal("column `q` holds `abc`, which is not a number", e.Message);
    }

    [Theory]
    [InlineData("Quantity * (UnitPrice", 21, "expected `)` before the end")]
    [InlineData("Quantiy * 2", 0, "unknown column `Quantiy` — did you mean `Quantity`?")]
    [InlineData("uper(Quantity)", 0, "unknown function `uper` — did you mean `upper`?")]
    [InlineData("if(Quantity, 1)", 0, "`if` takes 3 arguments, not 2")]
    [InlineData("1 +", 3, "the expression ends too soon; expected a value, a column or `(`")]
    public void Expression_Mistakes_ReportOffsetAndWhatWasExpected(string text, int offset, string message)
    {
        string[] columns = ["Quantity", "UnitPrice"];
        var e = Assert.Throws<ExprSyntaxException>(() => MappingExpression.Parse(text, n => Array.IndexOf(columns, n), columns));
        Assert.Equal(message, e.Message);
        Assert.Equal(offset, e.Offset);
    }

    [Theory]
    [InlineData("(", "1", ")", "nested more than 64 deep")]
    [InlineData("not ", "1", "", "nested more than 64 deep")]
    [InlineData("-", "1", "", "nested more than 64 deep")]
    [InlineData("", "1", " + 1", "chains more than 256 operators")]
    [InlineData("", "1", " or 1", "chains more than 256 operators")]
    [InlineData("", "1", " * 1", "chains more than 256 operators")]
    public void Expression_DeepNestingOrLongChains_IsRefusedNotAStackOverflow(string open, string middle, string close, string message)
    {
        // Each shape 100,000 times: unbounded recursion in the parser, or a tree evaluation recurses through, would take the process down.
        var text = string.Concat(Enumerable.Repeat(open, 100_000)) + middle + string.Concat(Enumerable.Repeat(close, 100_000));
        var e = Assert.Throws<ExprSyntaxException>(() => MappingExpression.Parse(text, _ => -1, []));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);

        // At the limits it parses and evaluates.
        var atLimit = open.Length > 0
            ? string.Concat(Enumerable.Repeat(open, 64)) + middle + string.Concat(Enumerable.Repeat(close, 64))
            : middle + string.Concat(Enumerable.Repeat(close, MappingExpression.MaxHeight - 1));
        Assert.False(Eval(atLimit, []).IsNull);
    }

    [Fact]
    public void Expression_ArithmeticBeyondTheNumberRange_IsARowErrorNotACrash()
    {
        // A row error quarantines the row; an OverflowException escaped and ended the whole ingest.
        var e = Assert.Throws<ExprRowException>(() => Eval("Quantity * UnitPrice * UnitPrice", ["Quantity", "UnitPrice"], "79228162514264337593543950335", "10"));
        Assert.Contains("out of range", e.Message, StringComparison.Ordinal);
        foreach (var call in new[] { "round(Quantity, 40)", "substr(Quantity, 1e20)", "substr(Quantity, 1, 0 - 5)", "replace(Quantity, '', 'x')", "round(Quantity, UnitPrice * 1e27)" })
        {
            Assert.Throws<ExprRowException>(() => Eval(call.Replace("1e20", "100000000000000000000", StringComparison.Ordinal).Replace("1e27", "1000000000000000000000000000", StringComparison.Ordinal), ["Quantity", "UnitPrice"], "12.5", "10"));
        }
    }

    [Fact]
    public void Parse_ValidMapping_ReadsEveryOption()
    {
        var mapping = IngestMapping.Parse("m.yaml", """
            table: events
            source:
              delimiter: ";"
              header: false
              columns: [a, b, c]
              timezone: Europe/Paris
            filter: "a != ''"
            fields:
              customer_id: a
              event_type: { value: purchase }
              occurred_at: { column: b, format: [yyyyMMdd, yyyy-MM-dd] }
              category: { column: c, map: { x: shoes }, default: other }
              basket: { expr: "a", type: text }
            """);
        Assert.Equal(TableKind.Events, mapping.Table);
        Assert.Equal(';', mapping.Delimited.Delimiter);
        Assert.False(mapping.Delimited.Header);
        Assert.Equal(["a", "b", "c"], mapping.Delimited.Columns!);
        Assert.Equal("Europe/Paris", mapping.TimeZone);
        Assert.Equal(["yyyyMMdd", "yyyy-MM-dd"], mapping.Fields[2].Formats!);
        Assert.Equal("shoes", mapping.Fields[3].ValueMap!["x"]);
        Assert.Equal(FieldType.Text, mapping.Fields[4].Type);
        Assert.Equal("a != ''", mapping.Filter);
    }

    [Theory]
    [InlineData("table: event\nfields:\n  customer_id: a\n", 1, 8, "unknown table `event`; expected customers or events")]
    [InlineData("table: events\nfeilds:\n  customer_id: a\n", 2, 1, "unknown key `feilds` — did you mean `fields`?")]
    [InlineData("table: events\nfields:\n  evnt_type: a\n", 3, 3, "`evnt_type` is not a canonical events field (did you mean `event_type`?); to declare it as an extra property, give it a `type`")]
    [InlineData("table: events\nfields:\n  revenue: { column: a, type: text }\n", 3, 3, "`revenue` is a canonical field of type number, not text")]
    [InlineData("table: events\nfields:\n  revenue: { column: a, expr: b }\n", 3, 3, "field `revenue` needs exactly one of `column`, `expr` or `value`")]
    [InlineData("table: events\nfields:\n  x: { column: a, type: colour }\n", 3, 25, "unknown type `colour`; expected text, integer, number, boolean, date or timestamp")]
    [InlineData("table: events\nsource: { delimiter: '#' }\nfields:\n  customer_id: a\n", 2, 22, "unknown delimiter `#`; expected , ; tab | or whitespace")]
    [InlineData("table: [events\n", 2, 1, "this is not valid YAML")]
    public void Parse_Mistakes_PointAtLineAndColumn(string text, int line, int column, string problem)
    {
        var e = Assert.Throws<ConfigurationException>(() => IngestMapping.Parse("m.yaml", text));
        Assert.Equal(line, e.Line);
        Assert.Equal(column, e.Column);
        Assert.StartsWith(problem, e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void ByName_UnknownColumn_SuggestsTheCanonicalName()
    {
        var e = Assert.Throws<IngestSetupException>(() => IngestMapping.ByName(TableKind.Customers, ["customer_id", "contry"], "c.csv"));
        Assert.Equal("c.csv: column `contry` is not a canonical customers field (did you mean `country`?); map or declare it in a mapping file and pass --mapping", e.Message);
    }

    [Fact]
    public void Mapping_Aggregates_EveryFieldStatesItsRule()
    {
        var missing = Assert.Throws<Segmenta.Configuration.ConfigurationException>(() => IngestMapping.Parse("m.yaml", "table: customers\nfields:\n  customer_id: id\n  country: { column: c, aggregate: most_frequent }\n  city: town\n"));
        Assert.Contains("field `city` needs an `aggregate` too", missing.Message, StringComparison.Ordinal);
        var events = Assert.Throws<Segmenta.Configuration.ConfigurationException>(() => IngestMapping.Parse("m.yaml", "table: events\nfields:\n  customer_id: id\n  channel: { column: c, aggregate: first }\n"));
        Assert.Contains("it is for customers mappings", events.Message, StringComparison.Ordinal);
        var sum = Assert.Throws<Segmenta.Configuration.ConfigurationException>(() => IngestMapping.Parse("m.yaml", "table: customers\nfields:\n  customer_id: id\n  country: { column: c, aggregate: sum }\n"));
        Assert.Contains("`sum` adds numbers", sum.Message, StringComparison.Ordinal);
        Assert.True(IngestMapping.Parse("m.yaml", "table: customers\nfields:\n  customer_id: id\n  country: { column: c, aggregate: last }\n").Aggregates);
    }
}
