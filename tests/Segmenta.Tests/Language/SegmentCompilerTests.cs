using Segmenta.Language;
using Segmenta.Sql;
using Xunit;

namespace Segmenta.Tests.Language;

public sealed class SegmentCompilerTests
{
    private static readonly SegmentSchema Schema = LanguageFixtures.Schema;

    [Fact]
    public void Compile_SegmentWithTitleDescriptionAndComments_KeepsThem()
    {
        var compilation = SegmentCompiler.Compile(
            """
            # Lapsed VIPs, from DESIGN.md
            segment lapsed_vips "Lapsed VIPs"
              description "Big spenders of the past year who have gone quiet"
            where
                  country in ("US", "CA") and age between 25 and 44   // trait conditions
              and sum(purchase.revenue, last 365 days) >= 500
              AND count(purchase, last 90 days) = 0
            """,
            Schema);

        Assert.True(compilation.Success, string.Join("\n", compilation.Diagnostics));
        var segment = Assert.Single(compilation.Segments);
        Assert.Equal("lapsed_vips", segment.Name);
        Assert.Equal("Lapsed VIPs", segment.Title);
        Assert.Equal("Big spenders of the past year who have gone quiet", segment.Description);
        Assert.Equal(["country in (\"US\", \"CA\")", "age between 25 and 44", "sum(purchase.revenue, last 365 days) >= 500", "count(purchase, last 90 days) = 0"], segment.ConditionTexts);
        Assert.Equal(2, segment.Span.Line);
    }

    [Fact]
    public void Compile_AStrayCharacterInOneSegment_LeavesOutThatSegmentOnly()
    {
        // One bad character used to make every segment of its file disappear ("1 file, 0 segments compiled").
        var compilation = SegmentCompiler.Compile(
            """
            segment a where age > 30
            segment b where age > 3 § 4
            segment c where age < 20 ~
            segment d where country = "US"
            """,
            Schema);

        Assert.Equal(["a", "d"], compilation.Segments.Select(s => s.Name));
        Assert.Contains(compilation.Diagnostics, d => d.Span.Line == 2 && d.Message.Contains("unexpected character `§`", StringComparison.Ordinal));
        Assert.Contains(compilation.Diagnostics, d => d.Span.Line == 3 && d.Message.Contains("unexpected character `~`", StringComparison.Ordinal));
        Assert.False(compilation.Success);
    }

    [Fact]
    public void Compile_AnUnclosedString_LeavesOutItsSegmentOnly()
    {
        // A string ends at its line: the segments after it stand.
        var compilation = SegmentCompiler.Compile("segment a where age > 30\nsegment b where country = \"US\nsegment c where age < 20\n", Schema);
        Assert.Equal(["a", "c"], compilation.Segments.Select(s => s.Name));
        Assert.Contains(compilation.Diagnostics, d => d.Span.Line == 2);
    }

    [Fact]
    public void Compile_SegmentsReferringInACircle_ReportTheCycle()
    {
        var compilation = SegmentCompiler.Compile(
            """
            segment a where in segment b and age > 30
            segment b where in segment c
            segment c where in segment a or country = "US"
            segment d where in segment a
            """,
            Schema);

        var cycle = Assert.Single(compilation.Diagnostics, d => d.Code == DiagnosticCodes.SegmentCycle);
        Assert.Contains("a → b → c → a", cycle.Message, StringComparison.Ordinal);
        Assert.Empty(compilation.Segments);
    }

    [Fact]
    public void Compile_SegmentsAcrossFiles_ResolveInDependencyOrderAndNameTheirFiles()
    {
        var compilation = SegmentCompiler.Compile(
            [
                new SegmentSource("segments/a.seg", "segment engaged_vips where in segment vips and did email_open in last 30 days\nsegment broken where contry = \"US\""),
                new SegmentSource("segments/b.seg", "segment vips where sum(purchase.revenue) > 1000\nsegment vips where age > 1"),
            ],
            Schema);

        Assert.Equal(["vips", "engaged_vips"], compilation.InDependencyOrder().Select(s => s.Name));
        Assert.Equal(["vips"], compilation.Find("engaged_vips")!.DependsOn);
        Assert.Collection(
            compilation.Diagnostics,
            d => Assert.Equal(("segments/a.seg", DiagnosticCodes.UnknownField, 2, 22), (d.File!, d.Code, d.Line, d.Column)),
            d => Assert.Equal(("segments/b.seg", DiagnosticCodes.DuplicateSegment, 2, 9), (d.File!, d.Code, d.Line, d.Column)));
    }

    [Fact]
    public void Compile_SyntaxErrors_ReportEverySegmentAndResume()
    {
        var compilation = SegmentCompiler.Compile("segment a where age >\nsegment b where country = \"US\"\nsegment c where (age > 3\nsegment d where age < 9", Schema);

        Assert.Equal([1, 3], compilation.Diagnostics.Select(d => d.Line));
        Assert.Equal(["b", "d"], compilation.Segments.Select(s => s.Name));
    }

    [Fact]
    public void Version_ChangesWithTheTextOnly()
    {
        string Version(string text) => SegmentCompiler.Compile(text, Schema).Segments[0].Version;

        Assert.Equal(Version("segment a where age > 3"), Version("# note\nsegment a where age > 3"));
        Assert.Equal(Version("segment a where age > 3\r\n"), Version("segment a where age > 3\n"));
        Assert.NotEqual(Version("segment a where age > 3"), Version("segment a where age > 4"));
    }

    [Fact]
    public void Diagnostic_Excerpt_PutsTheCaretUnderTheSpan()
    {
        const string text = "segment a\nwhere age > 3\n  and contry = \"US\"";
        var d = Assert.Single(SegmentCompiler.Compile(text, Schema).Diagnostics);

        Assert.Equal((3, 7), (d.Line, d.Column));
        Assert.Equal("  and contry = \"US\"\n      ^^^^^^", d.Excerpt(text));
        Assert.Equal("<text>:3:7: SEG020 unknown field `contry` — did you mean `country`?", d.ToString());
    }

    [Fact]
    public void Compile_UserText_ReachesSqlOnlyAsParameters()
    {
        const string hostile = "x'); DROP TABLE customers; --";
        Assert.True(SegmentCompiler.TryCompileCondition($"country = \"{hostile}\" or email contains \"\\\"\"", Schema, null, out var segment, out _));
        var sql = segment!.Query(DuckDbDialect.Instance, LanguageFixtures.Context).Members();

        Assert.DoesNotContain("DROP", sql.Text, StringComparison.Ordinal);
        Assert.Contains(hostile, sql.Parameters);
        Assert.Contains("\"", sql.Parameters);
    }

    [Fact]
    public void Schema_DerivedFieldsRegisteredLater_AreUsableWithoutParserChanges()
    {
        var without = SegmentSchema.Canonical();
        Assert.False(SegmentCompiler.TryCompileCondition("churn.risk > 0.5", without, null, out _, out var diagnostics));
        Assert.Contains("none are computed in this workspace yet", diagnostics[0].Message, StringComparison.Ordinal);

        var with = without.WithDerived(new DerivedFieldSet("churn", "churn_scores", [new("risk", Model.FieldType.Number)], "a churn model"));
        Assert.True(SegmentCompiler.TryCompileCondition("churn.risk > 0.5", with, null, out var segment, out _));
        Assert.Contains("LEFT JOIN \"churn_scores\" d1", segment!.Query(DuckDbDialect.Instance, LanguageFixtures.Context).Members().Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Schema_TwoWordNamespaces_NameOneSetPerCampaign_AndAMissingOneSaysWhichExist()
    {
        var with = SegmentSchema.Canonical().WithDerived(new DerivedFieldSet("uplift.spring", "uplift_scores", [new("conversion", Model.FieldType.Number), new("quadrant", Model.FieldType.Text)], "segmenta uplift fit spring"));
        Assert.True(SegmentCompiler.TryCompileCondition("uplift.spring.conversion > 0.02 and uplift.spring.quadrant = \"persuadable\"", with, null, out _, out _));

        Assert.False(SegmentCompiler.TryCompileCondition("uplift.autumn.conversion > 0", with, null, out _, out var missing));
        Assert.Contains("campaign `autumn` has no uplift model (segmenta uplift fit autumn", missing[0].Message, StringComparison.Ordinal);
        Assert.Contains("models: uplift.spring", missing[0].Message, StringComparison.Ordinal);

        Assert.False(SegmentCompiler.TryCompileCondition("uplift.spring.revenu > 0", with, null, out _, out var field));
        Assert.Contains("`uplift.spring` has no field `revenu`", field[0].Message, StringComparison.Ordinal);

        Assert.False(SegmentCompiler.TryCompileCondition("uplift.spring. > 0", with, null, out _, out var syntax));
        Assert.Contains("expected a field name after `uplift.spring.`", syntax[0].Message, StringComparison.Ordinal);
        Assert.Equal(1, syntax[0].Line);
    }

    [Fact]
    public void EvaluationContext_TryParseInstant_ReadsDatesAndIsoTimesInTheZone()
    {
        var zone = LanguageFixtures.Context.Zone;
        DateTime Parse(string text)
        {
            Assert.Null(EvaluationContext.TryParseInstant(text, zone, out var utc));
            return utc;
        }

        Assert.Equal(new DateTime(2025, 1, 1, 5, 0, 0, DateTimeKind.Utc), Parse("2025-01-01"));
        Assert.Equal(new DateTime(2025, 1, 1, 9, 0, 0, DateTimeKind.Utc), Parse("2025-01-01T09:00:00Z"));
        Assert.Equal(new DateTime(2025, 1, 1, 14, 0, 0, DateTimeKind.Utc), Parse("2025-01-01T09:00:00"));
        Assert.Contains("does not exist in America/New_York", EvaluationContext.TryParseInstant("2024-03-10T02:30:00", zone, out _), StringComparison.Ordinal);
        Assert.Contains("is not a timestamp", EvaluationContext.TryParseInstant("Jan 1", zone, out _), StringComparison.Ordinal);
    }

    [Fact]
    public void EvaluationContext_DayStartsAndWindows_FollowTheWorkspaceZone()
    {
        var context = LanguageFixtures.Context;

        Assert.Equal(new DateTime(2024, 7, 1, 4, 0, 0, DateTimeKind.Utc), context.StartOf(new DateOnly(2024, 7, 1)));
        Assert.Equal(new DateTime(2024, 12, 1, 5, 0, 0, DateTimeKind.Utc), context.StartOf(new DateOnly(2024, 12, 1)));
        Assert.Equal(new DateOnly(2024, 7, 2), context.FirstDayStartingAtOrAfter(new DateTime(2024, 7, 1, 4, 0, 1, DateTimeKind.Utc)));
        Assert.Equal(new DateOnly(2024, 7, 1), context.FirstDayStartingAtOrAfter(new DateTime(2024, 7, 1, 4, 0, 0, DateTimeKind.Utc)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Compile_LongChainOfSegmentReferences_IsDiagnosedNotOverflowed(bool baseLast)
    {
        // 35,001 segments each referring to the one before: the report that took the server down.
        const int Count = 35_001;
        var lines = Enumerable.Range(1, Count - 1).Select(i => $"segment b{i} where in segment b{i - 1}").Prepend("segment b0 where age > 30").ToList();
        if (baseLast)
        {
            lines.Reverse();
        }

        var compilation = SegmentCompiler.Compile(string.Join("\n", lines), Schema);

        // Chains up to the limit compile; the first segment past it is refused with SEG011 where it refers on, and every later one for that reason.
        Assert.Equal(SegmentCompiler.MaxReferenceDepth + 1, compilation.Segments.Count);
        Assert.NotNull(compilation.Find($"b{SegmentCompiler.MaxReferenceDepth}"));
        Assert.Null(compilation.Find($"b{SegmentCompiler.MaxReferenceDepth + 1}"));
        var tooDeep = compilation.Diagnostics.Where(d => d.Code == DiagnosticCodes.TooDeep).ToList();
        Assert.NotEmpty(tooDeep);
        Assert.All(tooDeep, d => Assert.Contains($"more than {SegmentCompiler.MaxReferenceDepth} deep", d.Message, StringComparison.Ordinal));
        Assert.Equal(Count - SegmentCompiler.MaxReferenceDepth - 1, compilation.Diagnostics.Count);
    }

    [Fact]
    public void Compile_ReferencesThroughManyPaths_GiveSqlThatGrowsWithTheText()
    {
        // bN refers to bN-1 twice: inlining doubled the SQL at every level (2^18 copies at depth 18).
        static string Chain(int depth) => string.Join("\n", Enumerable.Range(1, depth)
            .Select(i => $"segment b{i} where in segment b{i - 1} or in segment b{i - 1}")
            .Prepend("segment b0 where did email_click then purchase within 2 days"));
        int SqlLength(int depth) => SegmentCompiler.Compile(Chain(depth), Schema).Find($"b{depth}")!
            .Query(DuckDbDialect.Instance, LanguageFixtures.Context).Members().Text.Length;

        var ten = SqlLength(10);
        var twenty = SqlLength(20);
        var perLevel = (twenty - ten) / 10.0;
        Assert.InRange(perLevel, 50, 1_000);
        Assert.InRange(SqlLength(30), ten + 19 * perLevel, ten + 21 * perLevel);
    }

    [Fact]
    public void Compile_SegmentReferringToTooManySegments_IsRefusedWithTheCount()
    {
        var many = Enumerable.Range(0, SegmentCompiler.MaxReferences + 1).Select(i => $"segment s{i} where age > {i}").ToList();
        var text = string.Join("\n", many) + "\nsegment all_of_them where " + string.Join(" or ", many.Select((_, i) => $"in segment s{i}"));

        var compilation = SegmentCompiler.Compile(text, Schema);

        var diagnostic = Assert.Single(compilation.Diagnostics);
        Assert.Equal(DiagnosticCodes.TooManyReferences, diagnostic.Code);
        Assert.Contains($"refers to {SegmentCompiler.MaxReferences + 1} segments", diagnostic.Message, StringComparison.Ordinal);
        Assert.Equal(SegmentCompiler.MaxReferences + 2, diagnostic.Line);
        Assert.Null(compilation.Find("all_of_them"));
    }

    [Theory]
    [InlineData("(", ")")]
    [InlineData("not (", ")")]
    public void Parse_NestingUpToTheLimit_Compiles_OneMoreIsRefusedAtTheLevelThatExceeds(string open, string close)
    {
        string Nested(int depth) => string.Concat(Enumerable.Repeat(open, depth)) + "age > 1" + string.Concat(Enumerable.Repeat(close, depth));

        Assert.True(SegmentCompiler.TryCompileCondition(Nested(32), Schema, null, out _, out var ok), string.Join("; ", ok));
        var limit = open == "(" ? 64 : 32; // `not (` is two levels: the `not` and the parenthesis
        Assert.True(SegmentCompiler.TryCompileCondition(Nested(limit), Schema, null, out _, out var atLimit), string.Join("; ", atLimit));
        Assert.False(SegmentCompiler.TryCompileCondition(Nested(limit + 1), Schema, null, out _, out var diagnostics));
        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal(DiagnosticCodes.TooDeep, diagnostic.Code);
        Assert.Contains("more than 64 deep", diagnostic.Message, StringComparison.Ordinal);
        Assert.Equal((limit * open.Length) + 1, diagnostic.Column);
    }
}
