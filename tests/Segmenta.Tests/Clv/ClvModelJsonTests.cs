using System.Text.Json;
using System.Text.Json.Serialization;
using Segmenta.Clv;
using Segmenta.Features;
using Xunit;

namespace Segmenta.Tests.Clv;

/// <summary>
/// The stored model's JSON comes from a contract generated at build time; models stored before it were written by
/// reflection with these options. Both must write the same text and read each other's.
/// </summary>
public sealed class ClvModelJsonTests
{
    private static readonly JsonSerializerOptions Reflection = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver(),
    };

    public static TheoryData<PurchaseModelKind> Kinds => [PurchaseModelKind.BgNbd, PurchaseModelKind.MbgNbd, PurchaseModelKind.ParetoNbd];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void ToJson_SameTextAsReflection_AndEachReadsTheOther(PurchaseModelKind kind)
    {
        var model = Fitted(kind);
        Assert.NotNull(model.Diagnostics);
        Assert.NotNull(model.Diagnostics!.Holdout);
        var generated = model.ToJson();
        Assert.Equal(JsonSerializer.Serialize(model, Reflection), generated);
        Assert.Contains($"\"model\":\"{JsonNamingPolicy.SnakeCaseLower.ConvertName(kind.ToString())}\"", generated, StringComparison.Ordinal);
        Assert.Contains("\"unit\":\"weeks\"", generated, StringComparison.Ordinal);
        Assert.Equal(generated, ClvModel.FromJson(JsonSerializer.Serialize(model, Reflection)).ToJson());
        Assert.Equal(generated, JsonSerializer.Serialize(JsonSerializer.Deserialize<ClvModel>(generated, Reflection), Reflection));
    }

    [Fact]
    public void ToJson_NonFiniteNumbers_AsNamedLiterals()
    {
        var model = Fitted(PurchaseModelKind.BgNbd);
        var holdout = model.Diagnostics!.Holdout! with { Actual = 0, Predicted = 3 };
        var infinite = model with { Diagnostics = model.Diagnostics with { Holdout = holdout } };
        Assert.Equal(double.PositiveInfinity, holdout.RelativeError);
        var generated = infinite.ToJson();
        Assert.Equal(JsonSerializer.Serialize(infinite, Reflection), generated);
        Assert.Contains("\"Infinity\"", generated, StringComparison.Ordinal);
        Assert.Equal(generated, ClvModel.FromJson(generated).ToJson());
    }

    /// <summary>A fit with its diagnostics (a holdout check among them) on generated histories.</summary>
    private static ClvModel Fitted(PurchaseModelKind kind)
    {
        var random = new Random(5);
        var end = new DateOnly(2024, 12, 31);
        var customers = new List<ClvCustomer>();
        for (var i = 0; i < 400; i++)
        {
            var t = 20 + random.Next(60);
            var x = random.Next(0, 8);
            var tx = x == 0 ? 0 : Math.Round(random.NextDouble() * t, 2);
            customers.Add(new ClvCustomer($"c{i:D3}", new RepeatHistory(x, tx, t), x == 0 ? null : 10 + random.Next(90), random.Next(0, 3), random.Next(0, 50)));
        }

        var holdout = new ClvHoldoutSample(new SummaryPeriod(end.AddDays(-60), end, SummaryUnit.Weeks), customers);
        return ClvAnalysis.FitAndDiagnose(customers, kind, SummaryUnit.Weeks, end, (holdout, null));
    }
}
