using System.Globalization;
using Segmenta.Clustering;
using Segmenta.Numerics;
using Segmenta.Testing;
using Xunit;

namespace Segmenta.Tests.Clustering;

public sealed class KMeansTests
{
    /// <summary>Annual income (k$) and spending score of the 200 Mall Customers, row-major.</summary>
    private static double[] MallIncomeAndScore()
    {
        var lines = File.ReadAllLines(TestPaths.DataFile("Mall_Customers.csv")).Skip(1).Where(l => l.Length > 0).ToList();
        Assert.Equal(200, lines.Count);
        return lines.SelectMany(l =>
        {
            var f = l.Split(',');
            return new[] { double.Parse(f[3], CultureInfo.InvariantCulture), double.Parse(f[4], CultureInfo.InvariantCulture) };
        }).ToArray();
    }

    [Fact]
    public void Mall_IncomeAndScoreK5_ReproducesThePublishedFiveClusters()
    {
        // The widely published solution (scikit-learn KMeans, k-means++, k = 5, unscaled): WCSS 44448.45544793371,
        // clusters of 81, 39, 35, 23 and 22 customers.
        var points = MallIncomeAndScore();
        var result = KMeans.Fit(points, 2, new KMeansOptions(5, Seed: 42));
        Assert.True(result.Converged);
        Assert.Equal(44448.46, result.Inertia, 0.005);
        Assert.Equal([81L, 39, 35, 23, 22], result.Sizes.OrderDescending());
        Assert.Equal(Significant(44448.45544793371, 4), Significant(result.Inertia, 4));
    }

    [Fact]
    public void Fit_SameSeed_SameResultOnOneOrManyThreads()
    {
        var points = Blobs(50_000, 4, 5, seed: 3);
        var one = KMeans.Fit(points, 4, new KMeansOptions(5, Seed: 9, Initializations: 3, Threads: 1));
        var many = KMeans.Fit(points, 4, new KMeansOptions(5, Seed: 9, Initializations: 3, Threads: 4));
        Assert.Equal(one.Inertia, many.Inertia);
        Assert.Equal(one.Centroids.ToArray(), many.Centroids.ToArray());
        Assert.Equal(one.Labels.ToArray(), many.Labels.ToArray());
        var other = KMeans.Fit(points, 4, new KMeansOptions(5, Seed: 10, Initializations: 3));
        Assert.NotEqual(one.Centroids.ToArray(), other.Centroids.ToArray());
    }

    [Fact]
    public void Selection_KFittedSideBySide_SameAsOneAfterAnother()
    {
        // Threads: 1 fits the k one after another; Threads: 3 fits them side by side, each on one thread (few points).
        var points = Blobs(30_000, 3, 6, seed: 8);
        var (oneModel, one) = ClusterSelection.Choose(points, 3, 2, 8, new KMeansOptions(0, Seed: 5, Initializations: 3, Threads: 1));
        var (manyModel, many) = ClusterSelection.Choose(points, 3, 2, 8, new KMeansOptions(0, Seed: 5, Initializations: 3, Threads: 3));
        Assert.Equal(one.K, many.K);
        Assert.Equal(one.Reason, many.Reason);
        Assert.Equal(one.ByK.Select(q => q.K), many.ByK.Select(q => q.K));
        Assert.Equal(one.ByK, many.ByK);
        Assert.Equal(oneModel.Centroids.ToArray(), manyModel.Centroids.ToArray());
        Assert.Equal(oneModel.Labels.ToArray(), manyModel.Labels.ToArray());
    }

    [Fact]
    public void Fit_LabelsAreNearestCentroids_AndCentroidsTheMeans()
    {
        var points = Blobs(20_000, 3, 4, seed: 5);
        var result = KMeans.Fit(points, 3, new KMeansOptions(4, Seed: 1));
        Assert.True(result.Converged);
        Assert.Equal(result.Labels.ToArray(), KMeans.Assign(points, 3, result.Centroids.AsSpan()));
        for (var j = 0; j < 4; j++)
        {
            var members = Enumerable.Range(0, 20_000).Where(i => result.Labels[i] == j).ToList();
            Assert.Equal(result.Sizes[j], members.Count);
            for (var t = 0; t < 3; t++)
            {
                Assert.Equal(members.Average(i => points[(i * 3) + t]), result.Centroid(j)[t], 1e-9);
            }
        }

        var inertia = Enumerable.Range(0, 20_000).Sum(i => Enumerable.Range(0, 3).Sum(t => Math.Pow(points[(i * 3) + t] - result.Centroid(result.Labels[i])[t], 2)));
        Assert.Equal(inertia, result.Inertia, inertia * 1e-12);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(6)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(13)]
    public void Assign_AnyK_NearestCentroidLowestIndexOnATie(int k)
    {
        // k = 3..8 take the two-register path, 9 and 13 the general one; a repeated centroid makes ties.
        var points = Blobs(5_000, 5, 7, seed: k);
        var random = new Xoshiro((ulong)k + 100);
        var centroids = Enumerable.Range(0, k * 5).Select(_ => random.NextDouble() * 100).ToArray();
        Array.Copy(points, 0, centroids, 0, 5);
        Array.Copy(centroids, 0, centroids, (k - 1) * 5, 5);
        var labels = KMeans.Assign(points, 5, centroids);
        for (var i = 0; i < 5_000; i++)
        {
            var distances = Enumerable.Range(0, k).Select(j => Enumerable.Range(0, 5).Sum(t => Math.Pow(points[(i * 5) + t] - centroids[(j * 5) + t], 2))).ToList();
            Assert.Equal(distances.IndexOf(distances.Min()), labels[i]);
        }

        Assert.Contains(0, labels);
        Assert.DoesNotContain(k - 1, labels);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Fit_NonFiniteValue_Refused(double bad)
    {
        var points = Blobs(10_000, 2, 3, seed: 4);
        points[12_345] = bad;
        var error = Assert.Throws<ArgumentException>(() => KMeans.Fit(points, 2, new KMeansOptions(3, Seed: 1)));
        Assert.Contains("finite", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fit_ValuesWhoseSquaresOverflow_Refused()
    {
        var points = Blobs(1_000, 2, 2, seed: 6).Select(v => v * 1e160).ToArray();
        var error = Assert.Throws<ArgumentException>(() => KMeans.Fit(points, 2, new KMeansOptions(2, Seed: 1, Initializations: 1)));
        Assert.Contains("scale", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Quality_WellSeparatedBlobs_PeaksAtTheTrueK()
    {
        var points = Blobs(3_000, 2, 4, seed: 11);
        var byK = Enumerable.Range(2, 5).Select(k => ClusterQuality.Measure(points, KMeans.Fit(points, 2, new KMeansOptions(k, Seed: 2)), seed: 2)).ToList();
        Assert.Equal(4, byK.MaxBy(q => q.Silhouette)!.K);
        Assert.Equal(4, byK.MaxBy(q => q.CalinskiHarabasz)!.K);
        Assert.Equal(4, byK.MinBy(q => q.DaviesBouldin)!.K);
        Assert.All(byK, q => Assert.Equal(3_000, q.SilhouetteSample));
    }

    [Fact]
    public void Silhouette_HandComputed()
    {
        // Points 0, 1 in one cluster and 4, 6 in another (one dimension).
        double[] points = [0, 1, 4, 6];
        int[] labels = [0, 0, 1, 1];
        var (score, sample) = ClusterQuality.SilhouetteScore(points, 1, labels, 2, seed: 1);
        double[] s = [(5.0 - 1) / 5, (4.0 - 1) / 4, (3.5 - 2) / 3.5, (5.5 - 2) / 5.5];
        Assert.Equal(s.Average(), score, 1e-12);
        Assert.Equal(4, sample);
    }

    [Fact]
    public void AdjustedRandIndex_MatchesScikitLearn()
    {
        // Values from sklearn.metrics.adjusted_rand_score 1.2.1.
        Assert.Equal(0.5714285714285714, ClusterQuality.AdjustedRandIndex([0, 0, 1, 1], [0, 0, 1, 2]), 1e-12);
        Assert.Equal(0.5714285714285714, ClusterQuality.AdjustedRandIndex([0, 0, 1, 2], new[] { "a", "a", "b", "b" }), 1e-12);
        Assert.Equal(0.07142857142857142, ClusterQuality.AdjustedRandIndex([0, 0, 0, 1, 1, 1, 2, 2, 2], [0, 0, 1, 1, 2, 2, 2, 0, 0]), 1e-12);
        Assert.Equal(1.0, ClusterQuality.AdjustedRandIndex([0, 0, 1, 1], [1, 1, 0, 0]));
        Assert.Equal(0.0, ClusterQuality.AdjustedRandIndex([0, 0, 0, 0], [0, 1, 2, 3]));
    }

    private static double Significant(double value, int digits)
    {
        var scale = Math.Pow(10, digits - 1 - (int)Math.Floor(Math.Log10(Math.Abs(value))));
        return Math.Round(value * scale) / scale;
    }

    /// <summary>Gaussian blobs around centers spread far apart.</summary>
    private static double[] Blobs(int n, int d, int centers, int seed)
    {
        var random = new Xoshiro((ulong)seed);
        var means = Enumerable.Range(0, centers * d).Select(_ => random.NextDouble() * 100).ToArray();
        var points = new double[n * d];
        for (var i = 0; i < n; i++)
        {
            var c = i % centers;
            for (var t = 0; t < d; t++)
            {
                points[(i * d) + t] = random.Normal(means[(c * d) + t], 2);
            }
        }

        return points;
    }
}
