using Segmenta.Language;
using Segmenta.Model;
using Segmenta.Sql;
using Xunit;

namespace Segmenta.Tests.Language;

/// <summary>
/// Names that are keywords, back quotes, and where parentheses and operators make an expression: what the parser decides
/// (the SQL and the members these compile to are golden and differential cases).
/// </summary>
public sealed class ExpressionSyntaxTests
{
    /// <summary>UCI Online Retail's events carry `description`; a shop may call a trait `segment` or `top`.</summary>
    private static readonly SegmentSchema Shop = new(
        [.. CanonicalModel.CustomerFields, new("segment", FieldType.Text), new("top", FieldType.Integer), new("not", FieldType.Boolean)],
        [.. CanonicalModel.EventFields, new("description", FieldType.Text)],
        CanonicalModel.StandardEventTypes);

    private static string Sql(string condition)
    {
        Assert.True(SegmentCompiler.TryCompileCondition(condition, Shop, null, out var segment, out var diagnostics), $"{condition}: {string.Join("; ", diagnostics)}");
        return segment!.Query(DuckDbDialect.Instance, LanguageFixtures.Context).Members().Text;
    }

    [Theory]
    [InlineData("did purchase where description contains \"christmas\"", "did purchase where `description` contains \"christmas\"")]
    [InlineData("count(purchase where (description starts with \"SET\" and not description is null)) > 2", "count(purchase where (`description` starts with \"SET\" and not `description` is null)) > 2")]
    [InlineData("segment = \"gold\" and top > 3", "`segment` = \"gold\" and `top` > 3")]
    [InlineData("top >= 1 or segment in (\"a\", \"b\")", "`top` >= 1 or `segment` in (\"a\", \"b\")")]
    [InlineData("not = true", "`not` = true")]
    [InlineData("sum(purchase.description) is null or count(distinct purchase.description) > 1", "sum(purchase.`description`) is null or count(distinct `purchase`.`description`) > 1")]
    public void Compile_AKeywordWhereOnlyAValueCanStand_IsTheName(string contextual, string quoted)
    {
        // Before, `description` after `where` was SEG010 "found `description`", and nothing escaped it.
        if (contextual.StartsWith("sum(", StringComparison.Ordinal))
        {
            // sum of text is refused by the binder either way: the two spellings must give the same diagnostics.
            SegmentCompiler.TryCompileCondition(contextual, Shop, null, out _, out var a);
            SegmentCompiler.TryCompileCondition(quoted, Shop, null, out _, out var b);
            Assert.Equal(a.Select(d => d.Code), b.Select(d => d.Code));
            return;
        }

        Assert.Equal(Sql(quoted), Sql(contextual));
    }

    [Theory]
    [InlineData("not count(purchase) > 3", "NOT")]
    [InlineData("top 10 by age", "rank()")]
    [InlineData("did purchase", "count(*)")]
    public void Compile_AKeywordFollowedByWhatStartsItsConstruct_StaysTheKeyword(string text, string expected)
    {
        Assert.Contains(expected, Sql(text), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("(income - 20000) / age > 100")]
    [InlineData("(age) between 18 and 30")]
    [InlineData("((age + 1) * 2) >= 40 and (country = \"US\" or age > 3)")]
    [InlineData("did email_click where (channel = \"web\" or quantity >= 1) then purchase where (revenue > 10) within 2 days")]
    [InlineData("did purchase where (revenue > 10) between 2024-01-01 and 2024-06-30")]
    [InlineData("count(purchase where (revenue - 5) * 2 > quantity, last 30 days) > 0")]
    [InlineData("not -count(refund) < -2")]
    [InlineData("-(age - 50) > 0 and - age < -20")]
    public void Compile_ParenthesesAndOperators_AreReadAsWritten(string text)
    {
        Assert.True(SegmentCompiler.TryCompileCondition(text, Shop, null, out _, out var diagnostics), $"{text}: {string.Join("; ", diagnostics)}");
    }

    [Fact]
    public void Compile_TooManyOperators_IsRefusedNotOverflowed()
    {
        var ok = string.Join(" + ", Enumerable.Repeat("age", 60)) + " > 3";
        Assert.True(SegmentCompiler.TryCompileCondition(ok, Shop, null, out _, out _));

        // A chain of operators is a tree as deep as it is long: beyond the nesting limit it is a diagnostic, at any length.
        foreach (var count in new[] { 66, 200_000 })
        {
            var text = string.Join(" + ", Enumerable.Repeat("age", count)) + " > 3";
            Assert.False(SegmentCompiler.TryCompileCondition(text, Shop, null, out _, out var diagnostics));
            Assert.Equal(DiagnosticCodes.TooDeep, Assert.Single(diagnostics).Code);
        }

        var negations = new string('-', 100_000) + "age > 3";
        Assert.False(SegmentCompiler.TryCompileCondition(negations, Shop, null, out _, out var deep));
        Assert.Equal(DiagnosticCodes.TooDeep, Assert.Single(deep).Code);
    }

    [Fact]
    public void Compile_ALiteralOnTheLeft_TestsTheOtherSide()
    {
        Assert.Equal(Sql("age > 30"), Sql("30 < age"));
        Assert.Equal(Sql("signup_at >= 2024-01-31"), Sql("2024-01-31 <= signup_at"));
    }
}
