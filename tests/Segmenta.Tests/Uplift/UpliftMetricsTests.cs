using Segmenta.Uplift;
using Xunit;

namespace Segmenta.Tests.Uplift;

/// <summary>
/// The uplift measures against scikit-uplift's own published test cases (sklift/tests/test_metrics.py): the same
/// inputs give the same curves and scores. The cases that depend on a fitted model's predictions use what that model
/// predicted there — one score for all three validation rows, which the expected curves show.
/// </summary>
public sealed class UpliftMetricsTests
{
    // make_predictions' validation rows: y_val = [0, 1, 0], treat_val = [0, 1, 1] (binary) or y_val = [0, 1, 2].
    private static readonly byte[] Treatment = [0, 1, 1];
    private static readonly double[] Binary = [0, 1, 0];
    private static readonly double[] Counts = [0, 1, 2];

    [Fact]
    public void UpliftCurve_OfOneScoreForAll_IsTheirOverallUpliftTimesTheirNumber()
    {
        var curve = UpliftMetrics.Uplift(Binary, [0.5, 0.5, 0.5], Treatment);
        Assert.Equal([0.0, 3], curve.Targeted);
        Assert.Equal([0.0, 1.5], curve.Value);
        var qini = UpliftMetrics.Qini(Binary, [0.5, 0.5, 0.5], Treatment);
        Assert.Equal([0.0, 3], qini.Targeted);
        Assert.Equal([0.0, 1], qini.Value);
    }

    [Fact]
    public void UpliftCurve_HardCases_AllZeroOrAllOneOutcomesAreFlat()
    {
        foreach (var y in new[] { new double[] { 0, 0, 0 }, [1, 1, 1] })
        {
            Assert.Equal([0.0, 0], UpliftMetrics.Uplift(y, [0.5, 0.5, 0.5], Treatment).Value);
            Assert.Equal([0.0, 0], UpliftMetrics.Qini(y, [0.5, 0.5, 0.5], Treatment).Value);
        }
    }

    [Fact]
    public void PerfectUpliftCurve_MatchesSklift()
    {
        Check(UpliftMetrics.PerfectUplift(Binary, Treatment), [0, 1, 2, 3], [0, 1, 2, 1.5]);
        Check(UpliftMetrics.PerfectUplift(Counts, Treatment), [0, 1, 2, 3], [0, 1, 2, 4.5]);
        Check(UpliftMetrics.PerfectUplift([0, 0, 0], Treatment), [0, 1, 3], [0, 0, 0]);
        Check(UpliftMetrics.PerfectUplift([1, 1, 1], Treatment), [0, 2, 3], [0, 2, 0]);
    }

    [Fact]
    public void PerfectQiniCurve_MatchesSklift()
    {
        Check(UpliftMetrics.PerfectQini(Binary, Treatment, negativeEffect: true), [0, 1, 3], [0, 1, 1]);
        Check(UpliftMetrics.PerfectQini(Counts, Treatment, negativeEffect: true), [0, 1, 2, 3], [0, 2, 3, 3]);
        Check(UpliftMetrics.PerfectQini(Binary, Treatment, negativeEffect: false), [0, 1, 3], [0, 1, 1]);
        Check(UpliftMetrics.PerfectQini(Counts, Treatment, negativeEffect: false), [0, 3, 3], [0, 3, 3]);
        Check(UpliftMetrics.PerfectQini([0, 0, 0], Treatment, negativeEffect: true), [0, 3], [0, 0]);
        Check(UpliftMetrics.PerfectQini([0, 0, 0], Treatment, negativeEffect: false), [0, 0, 3], [0, 0, 0]);
        Check(UpliftMetrics.PerfectQini([1, 1, 1], Treatment, negativeEffect: true), [0, 2, 3], [0, 2, 0]);
        Check(UpliftMetrics.PerfectQini([1, 1, 1], Treatment, negativeEffect: false), [0, 0, 3], [0, 0, 0]);
    }

    [Theory]
    [InlineData(new double[] { 1, 1 }, new double[] { 0.1, 0.3 }, new byte[] { 0, 1 }, 1.0)]
    [InlineData(new double[] { 1, 1 }, new double[] { 0.1, 0.3 }, new byte[] { 1, 0 }, -1.0)]
    [InlineData(new double[] { 0, 1 }, new double[] { 0.1, 0.3 }, new byte[] { 1, 0 }, 0.0)]
    [InlineData(new double[] { 1, 0 }, new double[] { 0.1, 0.3 }, new byte[] { 0, 1 }, 1.0)]
    [InlineData(new double[] { 0, 1, 2 }, new double[] { 0.1, 0.3, 0.9 }, new byte[] { 0, 1, 0 }, -1.333333)]
    [InlineData(new double[] { 0, 1, 2 }, new double[] { 0.1, 0.3, 0.9 }, new byte[] { 1, 0, 1 }, 1.333333)]
    public void UpliftAucScore_MatchesSklift(double[] y, double[] uplift, byte[] treatment, double expected) =>
        Assert.Equal(expected, UpliftMetrics.UpliftAuc(y, uplift, treatment), 5);

    [Theory]
    [InlineData(new double[] { 1, 1 }, new double[] { 0.1, 0.3 }, new byte[] { 0, 1 }, 1.0)]
    [InlineData(new double[] { 1, 1 }, new double[] { 0.1, 0.3 }, new byte[] { 1, 0 }, 0.0)]
    [InlineData(new double[] { 0, 1 }, new double[] { 0.1, 0.3 }, new byte[] { 1, 0 }, 1.0)]
    [InlineData(new double[] { 1, 0 }, new double[] { 0.1, 0.3 }, new byte[] { 0, 1 }, 1.0)]
    [InlineData(new double[] { 0, 1, 2 }, new double[] { 0.1, 0.3, 0.9 }, new byte[] { 0, 1, 0 }, -0.5)]
    [InlineData(new double[] { 0, 1, 2 }, new double[] { 0.1, 0.3, 0.9 }, new byte[] { 1, 0, 1 }, 0.75)]
    public void QiniAucScore_MatchesSklift(double[] y, double[] uplift, byte[] treatment, double expected) =>
        Assert.Equal(expected, UpliftMetrics.QiniCoefficient(y, uplift, treatment), 5);

    [Fact]
    public void UpliftAtK_ByGroupAndOverall_MatchSklift()
    {
        // sklift: uplift_at_k(..., strategy='by_group', k=1) on the validation rows is 0: one customer of each group, ties
        // taken later row first (row 2, treated, outcome 0; row 0, control, outcome 0).
        Assert.Equal(0.0, UpliftMetrics.UpliftAtCount(Binary, [0.5, 0.5, 0.5], Treatment, 1, byGroup: true), 10);

        // Overall: the top ⌊10 · 0.3⌋ = 3 by score hold treated outcomes 1, 1 and a control 0.
        double[] y = [1, 1, 0, 0, 1, 0, 0, 0, 1, 0];
        double[] score = [0.9, 0.8, 0.7, 0.1, 0.2, 0.3, 0.4, 0.5, 0.05, 0.6];
        byte[] t = [1, 1, 0, 1, 0, 1, 0, 1, 0, 0];
        Assert.Equal(1.0, UpliftMetrics.UpliftAtK(y, score, t, 0.3), 10);
        // By group: the top ⌊5 · 0.3⌋ = 1 treated (outcome 1) and the top 1 control (score 0.7, outcome 0).
        Assert.Equal(1.0, UpliftMetrics.UpliftAtK(y, score, t, 0.3, byGroup: true), 10);
    }

    [Fact]
    public void Bins_SplitByScore_AndReportWhatEachBinShowed()
    {
        double[] y = [1, 0, 1, 0, 0, 0, 1, 1];
        double[] score = [8, 7, 6, 5, 4, 3, 2, 1];
        byte[] t = [1, 0, 1, 0, 1, 0, 1, 0];
        var bins = UpliftMetrics.Bins(y, score, t, 2);
        Assert.Equal(2, bins.Count);
        Assert.Equal(1.0, bins[0].Realized, 10);           // treated 1, 1 against control 0, 0
        Assert.Equal(0.0, bins[1].Realized, 10);           // treated 0, 1 against control 0, 1
        Assert.Equal(6.5, bins[0].Predicted, 10);
        Assert.Equal(Math.Sqrt((0.5 / 2) + (0.5 / 2)), bins[1].StandardError, 10);
    }

    private static void Check(UpliftCurve curve, double[] x, double[] y)
    {
        Assert.Equal(x, curve.Targeted);
        Assert.Equal(y, curve.Value);
    }
}
