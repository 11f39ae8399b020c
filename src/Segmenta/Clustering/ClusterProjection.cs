namespace Segmenta.Clustering;

/// <summary>One principal axis of the prepared space.</summary>
/// <param name="Variance">The share of the total variance along it.</param>
/// <param name="Loadings">Each prepared dimension's weight on it, in the model's dimension order (the vector has length 1).</param>
public sealed record ProjectionAxis(double Variance, IReadOnlyList<double> Loadings);

/// <summary>A customer or a centroid drawn on the two principal axes.</summary>
/// <param name="X">Its coordinate on the first axis.</param>
/// <param name="Y">Its coordinate on the second axis.</param>
/// <param name="Cluster">Its cluster, 1..k.</param>
public readonly record struct ProjectedPoint(double X, double Y, int Cluster);

/// <summary>
/// The clustering drawn in two dimensions: the prepared points projected on their first two principal
/// components (principal component analysis of the points' covariance), with the centroids on the same axes.
/// </summary>
/// <param name="Axes">The two axes (one when the space has a single dimension).</param>
/// <param name="Points">A deterministic sample of the customers, every n-th in customer order.</param>
/// <param name="Centroids">The centroids, cluster 1 first.</param>
/// <param name="Customers">Customers the sample was drawn from.</param>
public sealed record ClusterProjection(IReadOnlyList<ProjectionAxis> Axes, IReadOnlyList<ProjectedPoint> Points, IReadOnlyList<ProjectedPoint> Centroids, long Customers)
{
    /// <summary>Points drawn when the caller does not say.</summary>
    public const int DefaultSample = 2000;

    /// <summary>Projects row-major <paramref name="points"/> (labels 1..k) and the model's centroids.</summary>
    public static ClusterProjection Of(ClusterModel model, double[] points, int[] labels, int sample = DefaultSample)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfLessThan(sample, 1);
        var d = model.Dimensions;
        var n = labels.Length;
        var mean = new double[d];
        for (var i = 0; i < n; i++)
        {
            for (var t = 0; t < d; t++)
            {
                mean[t] += points[(i * d) + t] / n;
            }
        }

        var covariance = new double[d, d];
        for (var i = 0; i < n; i++)
        {
            for (var a = 0; a < d; a++)
            {
                var x = points[(i * d) + a] - mean[a];
                for (var b = a; b < d; b++)
                {
                    covariance[a, b] += x * (points[(i * d) + b] - mean[b]);
                }
            }
        }

        var trace = 0.0;
        for (var a = 0; a < d; a++)
        {
            for (var b = a; b < d; b++)
            {
                covariance[a, b] /= Math.Max(1, n - 1);
                covariance[b, a] = covariance[a, b];
            }

            trace += covariance[a, a];
        }

        var axes = new List<ProjectionAxis>();
        for (var axis = 0; axis < Math.Min(2, d); axis++)
        {
            var (value, vector) = Leading(covariance, d);
            axes.Add(new ProjectionAxis(trace > 0 ? value / trace : 0, vector));
            for (var a = 0; a < d; a++)
            {
                for (var b = 0; b < d; b++)
                {
                    covariance[a, b] -= value * vector[a] * vector[b];  // deflate: the next axis is the leading one of what is left
                }
            }
        }

        ProjectedPoint Project(double[] point, int cluster)
        {
            double Coordinate(int axis)
            {
                if (axis >= axes.Count)
                {
                    return 0;
                }

                var sum = 0.0;
                for (var t = 0; t < d; t++)
                {
                    sum += (point[t] - mean[t]) * axes[axis].Loadings[t];
                }

                return sum;
            }

            return new ProjectedPoint(Coordinate(0), Coordinate(1), cluster);
        }

        var step = Math.Max(1, (int)Math.Ceiling((double)n / sample));
        var drawn = new List<ProjectedPoint>();
        for (var i = 0; i < n; i += step)
        {
            drawn.Add(Project(points[(i * d)..((i + 1) * d)], labels[i]));
        }

        var centroids = Enumerable.Range(1, model.K).Select(j => Project(model.Centroid(j).ToArray(), j)).ToList();
        return new ClusterProjection(axes, drawn, centroids, n);
    }

    /// <summary>The largest eigenvalue of a symmetric positive semi-definite matrix and its unit eigenvector (power iteration), the largest-magnitude entry made positive so the result does not depend on the start.</summary>
    private static (double Value, double[] Vector) Leading(double[,] matrix, int d)
    {
        var vector = Enumerable.Range(0, d).Select(i => 1.0 + (i * 0.01)).ToArray();
        Normalize(vector);
        var value = 0.0;
        for (var iteration = 0; iteration < 1000; iteration++)
        {
            var next = new double[d];
            for (var a = 0; a < d; a++)
            {
                for (var b = 0; b < d; b++)
                {
                    next[a] += matrix[a, b] * vector[b];
                }
            }

            var norm = Normalize(next);
            if (norm == 0)
            {
                return (0, vector);
            }

            var change = next.Zip(vector, (x, y) => Math.Abs(x - y)).Max();
            vector = next;
            value = norm;
            if (change < 1e-12)
            {
                break;
            }
        }

        var largest = vector.MaxBy(Math.Abs);
        if (largest < 0)
        {
            for (var a = 0; a < d; a++)
            {
                vector[a] = -vector[a];
            }
        }

        return (value, vector);
    }

    private static double Normalize(double[] vector)
    {
        var norm = Math.Sqrt(vector.Sum(x => x * x));
        if (norm > 0)
        {
            for (var a = 0; a < vector.Length; a++)
            {
                vector[a] /= norm;
            }
        }

        return norm;
    }
}
