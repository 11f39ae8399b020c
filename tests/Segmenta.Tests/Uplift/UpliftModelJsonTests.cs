using System.Text.Json;
using Segmenta.Uplift;
using Xunit;

namespace Segmenta.Tests.Uplift;

/// <summary>
/// The stored uplift model's JSON comes from a contract generated at build time; models stored before it were written by
/// reflection (<see cref="ReflectionJson"/>). Both must write the same text (NaN for an undefined mean among it) and read each other's.
/// </summary>
public sealed class UpliftModelJsonTests
{
    [Theory]
    [InlineData(UpliftMethod.TLearner)]
    [InlineData(UpliftMethod.TransformedOutcome)]
    public void ToJson_SameTextAsReflection_AndEachReadsTheOther(UpliftMethod method)
    {
        var at = new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var curve = new UpliftCurve([0, 0.5, 1], [0, 0.02, 0.03]);
        var evaluation = new UpliftEvaluation(
            "conversion", 1200, 300, 0.12, double.NaN, 0.03, 0.011, 0.014, 0.2, [new(0.1, 0.05), new(0.3, 0.04)], curve, curve,
            [new UpliftBin(1, 0.04, 120, 30, 0.2, 0.1, 0.1, 0.05, 0.02)], new RankingCheck(0.3, 0.05, 0.01, 0.04, 0.02, 0.045));
        var request = new UpliftRequest("spring", ["email", "sms"], ["recency_days", "country"], method, 0.25, 7, new BoostingOptions(Trees: 50));
        var model = new UpliftModel(
            2, "spring", ["email", "sms"], method, at, at, at.AddDays(30), true, 0.8, 1200, 300,
            [new("recency_days", false, []), new("country", true, ["US", "GB"])], ["conversion"], [evaluation], 0.01, 0.05, at.AddDays(31), 1500,
            [new("persuadable", 400), new("sure thing", 1100)], request);

        var generated = ReflectionJson.AssertSameContract(model, m => m.ToJson(), UpliftModel.FromJson);
        Assert.Contains("\"NaN\"", generated, StringComparison.Ordinal);
        Assert.Contains($"\"method\":\"{JsonNamingPolicy.SnakeCaseLower.ConvertName(method.ToString())}\"", generated, StringComparison.Ordinal);
    }
}
