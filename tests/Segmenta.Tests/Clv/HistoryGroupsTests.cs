using Segmenta.Clv;
using Xunit;

namespace Segmenta.Tests.Clv;

/// <summary>
/// The grouping a summary makes once for its fit, diagnosis and predictions (<see cref="HistoryGroups"/>): each distinct
/// history once in the fixed order, its weight the customers that share it, every customer pointing at its own; and
/// predictions through a summary's groups equal to those grouped afresh, value for value.
/// </summary>
public sealed class HistoryGroupsTests
{
    private static List<ClvCustomer> Customers()
    {
        var random = new Random(7);
        return [.. Enumerable.Range(0, 2000).Select(i =>
        {
            // Weeks of whole days, few of them, so that many customers share a history.
            var days = random.Next(20, 60);
            var x = random.NextDouble() < 0.5 ? 0 : random.Next(1, 4);
            var tx = x == 0 ? 0 : random.Next(days / 2, days + 1);
            return new ClvCustomer($"c{i:D4}", new RepeatHistory(x, tx / 7.0, days / 7.0), x == 0 ? null : 5 + random.Next(50), random.Next(0, 3), 0);
        })];
    }

    [Fact]
    public void Group_EachDistinctHistoryOnceInOrder_WeightedByItsCustomers()
    {
        var customers = Customers();
        var groups = HistoryGroups.Group(customers.Select(c => c.History));

        Assert.Equal(customers.Select(c => c.History).Distinct().Order(ClvFitter.HistoryOrder), groups.Histories);
        Assert.Equal(customers.Count, groups.GroupOf.Length);
        Assert.All(customers.Select((c, i) => (c, i)), p => Assert.Equal(p.c.History, groups.Histories[groups.GroupOf[p.i]]));
        Assert.Equal(groups.Histories.Select(h => (double)customers.Count(c => c.History == h)), groups.Weights);
        Assert.Equal(customers.Select(c => (double)c.History.X), groups.PerCustomer([.. groups.Histories.Select(h => h.X)]));
    }

    [Fact]
    public void Summary_GroupsOnce_AndPredictsAsAListDoes()
    {
        var customers = Customers();
        var summary = new ClvSummary(customers);
        Assert.Equal(customers, summary);
        Assert.Null(summary.GroupsIfMade);
        Assert.Same(HistoryGroups.Of(summary), HistoryGroups.Of(summary));
        Assert.NotNull(summary.GroupsIfMade);

        // Fitted through the summary's groups (in their order) and predicted through them, against a plain list grouped anew
        // (in the order histories first appear): the same model and every customer's figures, bit for bit.
        var end = new DateOnly(2024, 12, 31);
        var fromSummary = ClvAnalysis.Fit(summary, PurchaseModelKind.MbgNbd, Features.SummaryUnit.Weeks, end);
        var fromList = ClvAnalysis.Fit(customers, PurchaseModelKind.MbgNbd, Features.SummaryUnit.Weeks, end);
        Assert.Equal(fromList.ToJson(), fromSummary.ToJson());
        var options = new ClvValueOptions(HorizonDays: 90);
        Assert.Equal(
            ClvAnalysis.Predict(fromList, customers, end, options).Customers,
            ClvAnalysis.Predict(fromSummary, summary, end, options).Customers);
    }

    [Theory]
    [InlineData(7, 60, 4)]                  // weeks, a few years: the key's low digits only
    [InlineData(1, 2_000_000, 500_000)]     // days, every digit of the radix sort in play
    public void GroupByKeys_TheSameGroupsAsTheHistories(long unit, int maxDays, int maxRepeats)
    {
        var random = new Random(11);
        var keys = new long[5000];
        var histories = new RepeatHistory[keys.Length];
        for (var i = 0; i < keys.Length; i++)
        {
            // Few distinct values per field, so that histories repeat.
            var end = random.Next(0, 4) * (maxDays / 3);
            var last = random.Next(0, 3) * (end / 2);
            var repeats = random.Next(0, 3) * (maxRepeats / 2);
            keys[i] = HistoryGroups.Key(repeats, last, end)!.Value;
            histories[i] = new RepeatHistory(repeats, (double)last / unit, (double)end / unit);
        }

        var byKeys = HistoryGroups.Group(keys, unit);
        var byHistories = HistoryGroups.Group(histories);
        Assert.Equal(byHistories.Histories, byKeys.Histories);
        Assert.Equal(byHistories.Weights, byKeys.Weights);
        Assert.Equal(byHistories.GroupOf, byKeys.GroupOf);
    }

    [Fact]
    public void Key_BeyondItsFields_IsNone()
    {
        Assert.NotNull(HistoryGroups.Key(HistoryGroups.KeyRepeatLimit, HistoryGroups.KeyDayLimit, HistoryGroups.KeyDayLimit));
        Assert.True(HistoryGroups.Key(HistoryGroups.KeyRepeatLimit, HistoryGroups.KeyDayLimit, HistoryGroups.KeyDayLimit) > 0);
        Assert.Null(HistoryGroups.Key(HistoryGroups.KeyRepeatLimit + 1, 0, 0));
        Assert.Null(HistoryGroups.Key(0, HistoryGroups.KeyDayLimit + 1, 0));
        Assert.Null(HistoryGroups.Key(0, 0, HistoryGroups.KeyDayLimit + 1));
        Assert.Null(HistoryGroups.Key(-1, 0, 0));
    }
}
