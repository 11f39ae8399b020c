using Segmenta.Numerics;
using Segmenta.Personas;
using Xunit;

namespace Segmenta.Tests.Personas;

/// <summary>The statistics behind "over-indexes", and the documented naming and strategy rules.</summary>
public sealed class PersonaPlaybookTests
{
    [Theory]
    [InlineData(0.5, 0.4795001221869535)]
    [InlineData(1.0, 0.15729920705028513)]
    [InlineData(-1.0, 1.8427007929497148)]
    [InlineData(3.0, 2.209049699858544e-05)]
    public void Erfc_WithinTheFitsStatedError(double x, double expected) =>
        Assert.InRange(Statistics.Erfc(x) / expected, 1 - 1.2e-7, 1 + 1.2e-7);

    [Fact]
    public void TwoProportionZ_HandComputed()
    {
        // 30 of 100 against 20 of 200: pooled 50/300; se = sqrt(1/6 · 5/6 · (1/100 + 1/200)).
        var z = Statistics.TwoProportionZ(30, 100, 20, 200);
        Assert.Equal((0.3 - 0.1) / Math.Sqrt(1.0 / 6 * 5 / 6 * 0.015), z, 1e-12);
        Assert.Equal(0.05, Statistics.TwoSidedP(1.959963984540054), 1e-7);
        Assert.Equal(0, Statistics.TwoProportionZ(5, 10, 0, 0));
    }

    [Fact]
    public void Name_StrongestTraitsInNaturalOrder_NounFromSpend()
    {
        var report = Report(
            size: 1000,
            measures: [Measure("age", -1.2), Measure("monetary", 0.9), Measure("email_open_rate", 0.6), Measure("income", 0.1), Measure("sessions", 0.55)],
            levels: [new PersonaLevel("preferred_channel", "app", 700, 0.7, 0.3, 2.33, 1e-30)]);
        var (name, reasons) = PersonaPlaybook.Name(report);

        // Strongest three: age (1.2), the app channel (lift 2.33 weighs 1.33), e-mail (0.6) over sessions (0.55); then the noun.
        Assert.Equal("Young e-mail-engaged app-first high-spenders", name);
        Assert.Equal(4, reasons.Count);
        Assert.StartsWith("young: mean age", reasons[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Name_MostlyWithoutPurchases_Prospects_AndAMeasureFewHaveDoesNotName()
    {
        var report = Report(
            size: 1000,
            measures: [Measure("recency_days", -2, present: 100), Measure("tenure_days", -0.8)],
            rfm: [new PersonaShare("Champions", 100, 0.1, 0.1), new PersonaShare(PersonaAnalysis.NoPurchases, 900, 0.9, 0.4)]);
        Assert.Equal("New prospects", PersonaPlaybook.Name(report).Name);
        var (strategy, why) = PersonaPlaybook.Strategy(report);
        Assert.StartsWith("Convert", strategy, StringComparison.Ordinal);
        Assert.Equal("90% of members have not purchased", why);
    }

    [Theory]
    [InlineData("At Risk", 0.5, "Win back")]
    [InlineData("At Risk", 0.3, "Engage")]
    [InlineData("Champions", 0.45, "Reward them")]
    [InlineData("Custom Name", 0.9, "Engage")]
    public void Strategy_DominantRfmSegment_ElseBehavior(string segment, double share, string expected)
    {
        var report = Report(size: 100, measures: [Measure("monetary", 0.1)], rfm: [new PersonaShare(segment, (long)(share * 100), share, 0.1)]);
        Assert.StartsWith(expected, PersonaPlaybook.Strategy(report).Strategy, StringComparison.Ordinal);
    }

    private static PersonaMeasure Measure(string name, double difference, long present = 1000) =>
        new(name, "unit", present, 10 + difference, 10, 10, 10, 100 + (10 * difference), difference);

    private static PersonaReport Report(long size, IReadOnlyList<PersonaMeasure> measures, IReadOnlyList<PersonaLevel>? levels = null, IReadOnlyList<PersonaShare>? rfm = null) =>
        new("s", null, new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc), size, 10 * size, 0, 0, "", [], "", "", measures, levels ?? [], [], rfm ?? []);
}
