using Segmenta.Language;
using Xunit;

namespace Segmenta.Tests.Language;

/// <summary>Computed traits as the compiler sees them: names, circles, versions and where they may be used.</summary>
public sealed class ComputedTraitTests
{
    private static SegmentCompilation Compile(string text) => SegmentCompiler.Compile(text, LanguageFixtures.Schema);

    [Fact]
    public void Compile_TraitsUsedBySegmentsAndTraits_InAnyOrder()
    {
        var compilation = Compile("""
            segment loyal where spend_per_order > 50 and favourite = "shoes"
            trait spend_per_order "Spend per order" = net / count(purchase)
            trait net = sum(purchase.revenue) + sum(refund.revenue)
            trait favourite = most_frequent(purchase.category, last 365 days)
            """);

        Assert.True(compilation.Success, string.Join("\n", compilation.Diagnostics));
        Assert.Equal(["spend_per_order", "net", "favourite"], compilation.Traits.Select(t => t.Name));
        Assert.Equal(["net"], compilation.Traits[0].Uses);
        Assert.Equal(["spend_per_order", "favourite"], compilation.Segments[0].UsesTraits);
        Assert.Equal(Segmenta.Model.FieldType.Text, compilation.Traits[2].Type);
    }

    [Fact]
    public void Version_ChangesWithTheTraitsASegmentUses()
    {
        const string Segment = "segment big where net > 100\n";
        string Version(string trait) => Compile(Segment + trait).Find("big")!.Version;

        var before = Version("trait net = sum(purchase.revenue)");
        Assert.Equal(before, Version("trait net = sum(purchase.revenue)"));
        Assert.NotEqual(before, Version("trait net = sum(purchase.revenue) + sum(refund.revenue)"));

        // Through a trait of a trait as well.
        string Deep(string inner) => Compile(Segment + "trait net = gross - 1\ntrait gross = " + inner).Find("big")!.Version;
        Assert.NotEqual(Deep("sum(purchase.revenue)"), Deep("sum(any.revenue)"));

        // A segment that uses no trait keeps the version of its text alone.
        Assert.Equal(Compile("segment a where age > 3").Segments[0].Version, Compile("segment a where age > 3\ntrait t = age").Segments[0].Version);
    }

    [Theory]
    [InlineData("trait a = b + 1\ntrait b = a * 2", "SEG025", "computed traits use each other in a circle: a → b → a")]
    [InlineData("trait t = age\ntrait t = income", "SEG026", "a computed trait named `t` is already defined at <text>:1:7")]
    [InlineData("trait country = age", "SEG026", "`country` is a trait of the customers table")]
    [InlineData("trait t = count(purchase where revenue > 3\nsegment s where age > 1", "SEG010", "expected `,` and a window")]
    [InlineData("trait t = agee * 2", "SEG020", "unknown field `agee`")]
    [InlineData("trait t = age +\nsegment s where age > 1", "SEG010", "expected a value")]
    public void Compile_BrokenTrait_IsADiagnosticAndLeavesTheRest(string text, string code, string message)
    {
        var compilation = Compile(text + "\nsegment fine where age > 30");
        Assert.Contains(compilation.Diagnostics, d => d.Code == code && d.Message.Contains(message, StringComparison.Ordinal));
        Assert.NotNull(compilation.Find("fine"));
        Assert.Contains(compilation.Failed, f => f.Name is "a" or "b" or "t" or "country");
    }

    [Fact]
    public void Compile_SegmentUsingABrokenTrait_SaysTheTraitHasErrors()
    {
        var compilation = Compile("trait t = agee\nsegment s where t > 3");
        Assert.Contains(compilation.Diagnostics, d => d.Code == DiagnosticCodes.UnknownSegment && d.Message == "computed trait `t` has errors of its own; fix them first");
        Assert.Null(compilation.Find("s"));
    }
}
