using Segmenta.Clustering;
using Xunit;

namespace Segmenta.Tests.Clustering;

public sealed class ClusterPreparationTests
{
    private static ClusterInputs Inputs() => new(
        ["a", "b", "c", "d"],
        new Dictionary<string, double?[]>
        {
            ["spend"] = [10, null, 30, 1000],
            ["age"] = [20, 30, 40, 50],
        },
        new Dictionary<string, string?[]>
        {
            ["country"] = ["US", "GB", "US", null],
        });

    [Fact]
    public void ZScore_MedianFill_OneHot_ByHand()
    {
        var prep = ClusterPreparation.Fit(Inputs(), [new("spend"), new("age", Weight: 2)], [new("country", Weight: 0.5)], FeatureScaling.ZScore, MissingValues.Median);
        Assert.Equal(["spend", "age", "country=GB", "country=US"], prep.Dimensions.Select(d => d.Label));
        var spend = prep.Dimensions[0];
        Assert.Equal(30, spend.Fill); // median of 10, 30, 1000
        double[] filled = [10, 30, 30, 1000];
        var mean = filled.Average();
        var sd = Math.Sqrt(filled.Sum(v => (v - mean) * (v - mean)) / 4);
        Assert.Equal((mean, sd), (spend.Center, spend.Scale));

        var (points, rows) = prep.Transform(Inputs());
        Assert.Equal([0, 1, 2, 3], rows);
        Assert.Equal((30 - mean) / sd, points[(1 * 4) + 0], 1e-12);
        Assert.Equal(2 * (20 - 35) / Math.Sqrt(125), points[(0 * 4) + 1], 1e-12);
        Assert.Equal([0, 0.5], points.AsSpan(2, 2).ToArray());   // a: US
        Assert.Equal([0.5, 0], points.AsSpan(6, 2).ToArray());   // b: GB
        Assert.Equal([0, 0], points.AsSpan(14, 2).ToArray());    // d: missing country, no coordinate
        Assert.Equal(1000, spend.Original(points[12]), 1e-9);
    }

    [Fact]
    public void RobustLogAndDrop_LeaveOutMissing_AndInvert()
    {
        var prep = ClusterPreparation.Fit(Inputs(), [new("spend", Log: true)], [], FeatureScaling.Robust, MissingValues.Drop);
        var (points, rows) = prep.Transform(Inputs());
        Assert.Equal([0, 2, 3], rows);
        var logs = new[] { 10.0, 30, 1000 }.Select(PreparedDimension.SignedLog).ToArray();
        var dim = prep.Dimensions[0];
        Assert.Equal(logs[1], dim.Center, 1e-12);                       // the median
        Assert.Equal(((logs[1] + logs[2]) / 2) - ((logs[0] + logs[1]) / 2), dim.Scale, 1e-12); // IQR by interpolation
        Assert.Equal(0, points[1], 1e-12);
        Assert.Equal(1000, dim.Original(points[2]), 1e-9);
        Assert.Equal(-Math.Log(6), PreparedDimension.SignedLog(-5), 1e-12);
    }

    [Fact]
    public void Selection_ThreeBlobs_ChoosesThreeAndSaysWhy()
    {
        double[] centers = [0, 0, 10, 0, 5, 9];
        var points = new double[600];
        var random = new Segmenta.Numerics.Xoshiro(4);
        for (var i = 0; i < 300; i++)
        {
            points[2 * i] = random.Normal(centers[(i % 3) * 2], 0.8);
            points[(2 * i) + 1] = random.Normal(centers[((i % 3) * 2) + 1], 0.8);
        }

        var (model, choice) = ClusterSelection.Choose(points, 2, 2, 6, new KMeansOptions(0, Seed: 1));
        Assert.Equal(3, choice.K);
        Assert.Equal(3, model.K);
        Assert.Equal([2, 3, 4, 5, 6], choice.ByK.Select(q => q.K));
        Assert.Equal(3, choice.ElbowK);
        Assert.StartsWith("k = 3: the highest silhouette", choice.Reason, StringComparison.Ordinal);
        Assert.Contains("Calinski–Harabasz also peaks at 3", choice.Reason, StringComparison.Ordinal);
        Assert.Equal([100L, 100, 100], model.Sizes.ToArray());
    }
}
