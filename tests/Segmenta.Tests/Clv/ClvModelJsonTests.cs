using System.Text.Json;
using Segmenta.Clv;
using Segmenta.Features;
using Xunit;

namespace Segmenta.Tests.Clv;

/// <summary>
/// The stored model's JSON comes from a contract generated at build time; models stored before it were written by
/// reflection (<see cref="ReflectionJson"/>). Both must write the same text and read each other's.
/// </summary>
public sealed class ClvModelJsonTests
{
    public static TheoryData<PurchaseModelKind> Kinds => [PurchaseModelKind.BgNbd, PurchaseModelKind.MbgNbd, PurchaseModelKind.ParetoNbd];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void ToJson_SameTextAsReflection_AndEachReadsTheOther(PurchaseModelKind kind)
    {
        var model = Fitted(kind);
        Assert.NotNull(model.Diagnostics);
        Assert.NotNull(model.Diagnostics!.Holdout);
        var generated = ReflectionJson.AssertSameContract(model, m => m.ToJson(), ClvModel.FromJson);
        Assert.Contains($"\"model\":\"{JsonNamingPolicy.SnakeCaseLower.ConvertName(kind.ToString())}\"", generated, StringComparison.Ordinal);
        Assert.Contains("\"unit\":\"weeks\"", generated, StringComparison.Ordinal);
    }

    [Fact]
    public void ToJson_NonFiniteNumbers_AsNamedLiterals()
    {
        var model = Fitted(PurchaseModelKind.BgNbd);
        var holdout = model.Diagnostics!.Holdout! with { Actual = 0, Predicted = 3 };
        var infinite = model with { Diagnostics = model.Diagnostics with { Holdout = holdout } };
        Assert.Equal(double.PositiveInfinity, holdout.RelativeError);
        var generated = ReflectionJson.AssertSameContract(infinite, m => m.ToJson(), ClvModel.FromJson);
        Assert.Contains("\"Infinity\"", generated, StringComparison.Ordinal);
    }

    [Fact]
    public void WarningsOf_TheStoredText_GivesTheModelsWarnings()
    {
        // Warnings in each place the model keeps them, and none: what a preview reads without deserializing the model.
        var model = Fitted(PurchaseModelKind.MbgNbd);
        var none = model with { Purchases = model.Purchases with { Warnings = [] }, Spend = model.Spend! with { Warnings = [] }, SpendProblem = null, Diagnostics = model.Diagnostics! with { Warnings = [] } };
        var every = model with
        {
            Purchases = model.Purchases with { Warnings = ["purchase fit: at a bound", "purchase fit: no standard errors"] },
            Spend = model.Spend! with { Warnings = ["spend fit: did not converge"] },
            Diagnostics = model.Diagnostics! with { Warnings = ["holdout: forecast 40% low"] },
        };
        var withoutSpend = every with { Spend = null, SpendProblem = "no customer with repeat spend" };
        foreach (var m in new[] { model, none, every, withoutSpend })
        {
            Assert.Equal(m.Warnings, ClvModel.WarningsOf(m.ToJson()));
        }

        Assert.Empty(ClvModel.WarningsOf(none.ToJson()));
        Assert.Equal(4, ClvModel.WarningsOf(every.ToJson()).Count);
        Assert.Equal(["purchase fit: at a bound", "purchase fit: no standard errors", "no customer with repeat spend", "holdout: forecast 40% low"], ClvModel.WarningsOf(withoutSpend.ToJson()));
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
