using Segmenta.Numerics;

namespace Segmenta.Clustering;

/// <summary>How well a k-means result separates the points.</summary>
/// <param name="K">Number of clusters.</param>
/// <param name="Inertia">Sum of squared distances to the centroids (the elbow curve's y).</param>
/// <param name="Silhouette">Mean silhouette over the sampled points (−1..1, higher is better; 0 for k = 1).</param>
/// <param name="SilhouetteSample">Points the silhouette was computed on (all of them when there are at most the sample size).</param>
/// <param name="CalinskiHarabasz">Between- over within-cluster dispersion, each per degree of freedom (higher is better; 0 for k = 1).</param>
/// <param name="DaviesBouldin">Mean over clusters of the worst ratio of spreads to centroid distance (lower is better; 0 for k = 1).</param>
public sealed record ClusterQuality(int K, double Inertia, double Silhouette, int SilhouetteSample, double CalinskiHarabasz, double DaviesBouldin)
{
    /// <summary>The silhouette's default sample size: exact up to this many points, a seeded sample beyond.</summary>
    public const int DefaultSilhouetteSample = 5_000;

    /// <summary>Measures <paramref name="result"/> on the points it was fitted to.</summary>
    public static ClusterQuality Measure(double[] points, KMeansResult result, ulong seed, int silhouetteSample = DefaultSilhouetteSample, int? threads = null)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(result);
        var (silhouette, sample) = SilhouetteScore(points, result.Dimensions, result.Labels.AsSpan().ToArray(), result.K, seed, silhouetteSample, threads);
        return new ClusterQuality(
            result.K,
            result.Inertia,
            silhouette,
            sample,
            CalinskiHarabaszScore(points, result),
            DaviesBouldinScore(points, result));
    }

    /// <summary>
    /// The mean silhouette (Rousseeuw 1987) of a seeded uniform sample of at most <paramref name="sampleSize"/>
    /// points, computed within the sample as scikit-learn's <c>silhouette_score(sample_size=…)</c> does. A point
    /// alone in its cluster (within the sample) scores 0.
    /// </summary>
    public static (double Score, int Sample) SilhouetteScore(double[] points, int dimensions, int[] labels, int k, ulong seed, int sampleSize = DefaultSilhouetteSample, int? threads = null)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(labels);
        var n = labels.Length;
        if (k < 2 || n < 2)
        {
            return (0, Math.Min(n, sampleSize));
        }

        int[] indices;
        if (n <= sampleSize)
        {
            indices = Enumerable.Range(0, n).ToArray();
        }
        else
        {
            // A partial Fisher–Yates shuffle, then index order so that sums run in a fixed order.
            var all = Enumerable.Range(0, n).ToArray();
            var random = new Xoshiro(seed ^ 0x5111_0E77_E5A1_391EUL);
            for (var i = 0; i < sampleSize; i++)
            {
                var j = i + random.NextInt(n - i);
                (all[i], all[j]) = (all[j], all[i]);
            }

            indices = all[..sampleSize];
            Array.Sort(indices);
        }

        // The sample's points and labels gathered side by side: the m² distances then read memory that stays in cache,
        // whatever the number of points sampled from (200k points: 0.17 s a k scattered, 0.05 s gathered).
        var m = indices.Length;
        var sample = new double[m * dimensions];
        var sampleLabels = new int[m];
        var sizes = new int[k];
        for (var a = 0; a < m; a++)
        {
            points.AsSpan(indices[a] * dimensions, dimensions).CopyTo(sample.AsSpan(a * dimensions, dimensions));
            sampleLabels[a] = labels[indices[a]];
            sizes[sampleLabels[a]]++;
        }

        var scores = new double[m];
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads ?? Environment.ProcessorCount };
        Parallel.For(0, m, options, a =>
        {
            var own = sampleLabels[a];
            if (sizes[own] < 2)
            {
                scores[a] = 0;
                return;
            }

            Span<double> sums = stackalloc double[k];
            var p = sample.AsSpan(a * dimensions, dimensions);
            for (var b = 0; b < m; b++)
            {
                if (b != a)
                {
                    sums[sampleLabels[b]] += Math.Sqrt(KMeans.SquaredDistance(p, sample.AsSpan(b * dimensions, dimensions)));
                }
            }

            var within = sums[own] / (sizes[own] - 1);
            var nearest = double.PositiveInfinity;
            for (var j = 0; j < k; j++)
            {
                if (j != own && sizes[j] > 0)
                {
                    nearest = Math.Min(nearest, sums[j] / sizes[j]);
                }
            }

            scores[a] = double.IsPositiveInfinity(nearest) ? 0 : (nearest - within) / Math.Max(nearest, within);
        });
        var total = 0.0;
        foreach (var s in scores)
        {
            total += s;
        }

        return (total / m, m);
    }

    /// <summary>Calinski–Harabasz: (B / (k − 1)) / (W / (n − k)), B the size-weighted squared distances of the centroids to the overall mean, W the inertia.</summary>
    public static double CalinskiHarabaszScore(double[] points, KMeansResult result)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(result);
        var d = result.Dimensions;
        var n = result.Labels.Length;
        if (result.K < 2 || n <= result.K)
        {
            return 0;
        }

        var mean = new double[d];
        for (var j = 0; j < result.K; j++)
        {
            for (var t = 0; t < d; t++)
            {
                mean[t] += result.Centroid(j)[t] * result.Sizes[j];
            }
        }

        for (var t = 0; t < d; t++)
        {
            mean[t] /= n;
        }

        var between = 0.0;
        for (var j = 0; j < result.K; j++)
        {
            between += result.Sizes[j] * KMeans.SquaredDistance(result.Centroid(j), mean);
        }

        return result.Inertia == 0 ? double.PositiveInfinity : between / (result.K - 1) / (result.Inertia / (n - result.K));
    }

    /// <summary>Davies–Bouldin: the mean over clusters i of max over j ≠ i of (s_i + s_j) / d(c_i, c_j), s the mean distance of a cluster's points to its centroid.</summary>
    public static double DaviesBouldinScore(double[] points, KMeansResult result)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(result);
        var d = result.Dimensions;
        var k = result.K;
        if (k < 2)
        {
            return 0;
        }

        var spread = new double[k];
        for (var i = 0; i < result.Labels.Length; i++)
        {
            var label = result.Labels[i];
            spread[label] += Math.Sqrt(KMeans.SquaredDistance(points.AsSpan(i * d, d), result.Centroid(label)));
        }

        for (var j = 0; j < k; j++)
        {
            spread[j] = result.Sizes[j] == 0 ? 0 : spread[j] / result.Sizes[j];
        }

        var total = 0.0;
        for (var a = 0; a < k; a++)
        {
            var worst = 0.0;
            for (var b = 0; b < k; b++)
            {
                if (a != b)
                {
                    var distance = Math.Sqrt(KMeans.SquaredDistance(result.Centroid(a), result.Centroid(b)));
                    worst = Math.Max(worst, distance == 0 ? double.PositiveInfinity : (spread[a] + spread[b]) / distance);
                }
            }

            total += worst;
        }

        return total / k;
    }

    /// <summary>
    /// The adjusted Rand index (Hubert and Arabie 1985) of two labelings of the same items: 1 when they
    /// group the items identically, about 0 for unrelated labelings (it can be negative). Labels are any
    /// values; only which items share one matters. As scikit-learn's <c>adjusted_rand_score</c>.
    /// </summary>
    public static double AdjustedRandIndex<TA, TB>(IReadOnlyList<TA> a, IReadOnlyList<TB> b)
        where TA : notnull
        where TB : notnull
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Count != b.Count)
        {
            throw new ArgumentException("both labelings must cover the same items", nameof(b));
        }

        static double Pairs(long n) => n * (n - 1) / 2.0;
        var cells = new Dictionary<(TA, TB), long>();
        var rows = new Dictionary<TA, long>();
        var columns = new Dictionary<TB, long>();
        for (var i = 0; i < a.Count; i++)
        {
            cells[(a[i], b[i])] = cells.GetValueOrDefault((a[i], b[i])) + 1;
            rows[a[i]] = rows.GetValueOrDefault(a[i]) + 1;
            columns[b[i]] = columns.GetValueOrDefault(b[i]) + 1;
        }

        var index = cells.Values.Sum(Pairs);
        var sumRows = rows.Values.Sum(Pairs);
        var sumColumns = columns.Values.Sum(Pairs);
        var expected = a.Count < 2 ? 0 : sumRows * sumColumns / Pairs(a.Count);
        var max = (sumRows + sumColumns) / 2;
        // Both labelings put everything together, or everything apart: they agree perfectly.
        return max == expected ? 1.0 : (index - expected) / (max - expected);
    }
}
