using System.Diagnostics;
using System.Globalization;
using Segmenta.Clustering;
using Segmenta.Numerics;

namespace Segmenta.Bench;

/// <summary>
/// The k-means benchmark's Segmenta side. <c>kmeans-data N D K DIR</c> writes a seeded Gaussian mixture
/// (N points, D dimensions, K true clusters) as little-endian doubles and, for seeds 1..3, the k-means++
/// starting centroids Segmenta draws, so that scikit-learn starts from exactly the same place.
/// <c>kmeans DIR D K</c> then fits from each start to convergence (tol 1e-4, as scikit-learn) and prints,
/// per seed: seconds of the first fit, the best seconds of <see cref="Repeats"/>, iterations, inertia.
/// </summary>
internal static class KMeansBenchmark
{
    /// <summary>Fits per seed: the first (in a fresh process, it includes JIT compilation) and the best are reported.</summary>
    private const int Repeats = 3;

    public static int WriteData(int n, int d, int k, string dir)
    {
        Directory.CreateDirectory(dir);
        var random = new Xoshiro(20261124);
        var centers = Enumerable.Range(0, k * d).Select(_ => random.NextDouble() * 10).ToArray();
        var points = new double[n * d];
        for (var i = 0; i < n; i++)
        {
            var c = random.NextInt(k);
            for (var t = 0; t < d; t++)
            {
                points[(i * d) + t] = random.Normal(centers[(c * d) + t], 2.0);
            }
        }

        Write(Path.Combine(dir, "points.bin"), points);
        for (ulong seed = 1; seed <= 3; seed++)
        {
            Write(Path.Combine(dir, $"init{seed}.bin"), KMeans.InitialCentroids(points, d, new KMeansOptions(k, seed)));
        }

        return 0;
    }

    public static int Run(string dir, int d, int k)
    {
        var inv = CultureInfo.InvariantCulture;
        var points = Read(Path.Combine(dir, "points.bin"));
        for (ulong seed = 1; seed <= 3; seed++)
        {
            var init = Read(Path.Combine(dir, $"init{seed}.bin"));
            var times = new double[Repeats];
            KMeansResult? result = null;
            for (var r = 0; r < Repeats; r++)
            {
                var clock = Stopwatch.StartNew();
                result = KMeans.FitFrom(points, d, init, new KMeansOptions(k, seed, Initializations: 1));
                times[r] = clock.Elapsed.TotalSeconds;
            }

            Console.WriteLine(string.Create(inv, $"{seed} {times[0]:F3} {times.Min():F3} {result!.Iterations} {result.Inertia:F3}"));
        }

        return 0;
    }

    private static void Write(string path, double[] values)
    {
        var bytes = new byte[values.Length * sizeof(double)];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        File.WriteAllBytes(path, bytes);
    }

    private static double[] Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var values = new double[bytes.Length / sizeof(double)];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        return values;
    }
}
