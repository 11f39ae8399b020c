using Segmenta.Insights;
using Xunit;

namespace Segmenta.Tests.Insights;

/// <summary>The insights' sign test against values computed independently (scipy.stats.binomtest(k, n, 0.5).pvalue).</summary>
public sealed class SignTestTests
{
    [Theory]
    [InlineData(0, 15, 6.103515625e-05)]          // binomtest(0, 15): 2 / 2^15
    [InlineData(5, 10, 1.0)]
    [InlineData(2, 10, 0.109375)]                 // 2 × (1 + 10 + 45) / 1024
    [InlineData(172, 183, 0.0)]
    public void SignTest_IsTheExactTwoSidedBinomialTest(long k, long n, double expected) =>
        Assert.Equal(expected, InsightAnalysis.SignTest(k, n), 12);

    [Fact]
    public void SignTest_LargeCounts_UseTheNormalApproximation_CloseToExact()
    {
        // n = 2,000, k = 1,060: z = (60 − 0.5) / √500 = 2.661, p = 0.00779 (the exact value is 0.00784).
        Assert.Equal(0.0078, InsightAnalysis.SignTest(1060, 2000), 3);
    }
}
