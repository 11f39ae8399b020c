using System.Collections.Immutable;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Segmenta.Numerics;

namespace Segmenta.Clustering;

/// <summary>How k-means runs.</summary>
/// <param name="K">Number of clusters (1 or more, at most the number of points).</param>
/// <param name="Seed">Seed of the k-means++ draws; the same seed gives the same result, whatever the thread count.</param>
/// <param name="Initializations">Independent k-means++ starts; the lowest inertia wins (the earliest on a tie).</param>
/// <param name="MaxIterations">Iterations per start before it stops unconverged.</param>
/// <param name="Tolerance">Converged when the centroids' total squared movement is at most this times the data's mean per-dimension variance (scikit-learn's rule), or when no point changes cluster.</param>
/// <param name="Threads">Worker threads (default: every core). Results do not depend on it.</param>
public sealed record KMeansOptions(int K, ulong Seed, int Initializations = 10, int MaxIterations = 300, double Tolerance = 1e-4, int? Threads = null);

/// <summary>A fitted k-means model.</summary>
/// <param name="K">Number of clusters.</param>
/// <param name="Dimensions">Dimensions of a point.</param>
/// <param name="Centroids">Centroids, row-major: centroid j is <c>[j·Dimensions, (j + 1)·Dimensions)</c>.</param>
/// <param name="Labels">Each point's cluster, 0-based: its nearest centroid (the lowest index on a tie).</param>
/// <param name="Sizes">Points per cluster.</param>
/// <param name="Inertia">Sum of squared distances of the points to their centroids.</param>
/// <param name="Iterations">Iterations of the winning start.</param>
/// <param name="Converged">Whether the winning start converged before <see cref="KMeansOptions.MaxIterations"/>.</param>
/// <param name="Start">Which start won (0-based).</param>
/// <param name="TotalIterations">Iterations over all starts.</param>
public sealed record KMeansResult(
    int K,
    int Dimensions,
    ImmutableArray<double> Centroids,
    ImmutableArray<int> Labels,
    ImmutableArray<long> Sizes,
    double Inertia,
    int Iterations,
    bool Converged,
    int Start,
    int TotalIterations)
{
    /// <summary>Centroid <paramref name="cluster"/> (0-based).</summary>
    public ReadOnlySpan<double> Centroid(int cluster) => Centroids.AsSpan().Slice(cluster * Dimensions, Dimensions);
}

/// <summary>
/// Exact k-means (Lloyd's objective) with greedy k-means++ seeding and Hamerly's bounds, which skip most
/// distance computations once clusters settle. Points are split into fixed chunks processed in parallel;
/// every per-chunk partial sum is reduced in chunk order, so results are bit-identical for a seed on any
/// number of threads. Distances to all centroids are computed with <see cref="Vector{T}"/> over a
/// transposed, padded centroid table (one vector holds one coordinate of several centroids).
/// </summary>
public static class KMeans
{
    /// <summary>Points per chunk: the unit of parallel work and of ordered reduction.</summary>
    internal const int ChunkSize = 4096;

    /// <summary>Fits k-means to <paramref name="points"/> (row-major, <paramref name="dimensions"/> values per point).</summary>
    public static KMeansResult Fit(double[] points, int dimensions, KMeansOptions options)
    {
        var data = Check(points, dimensions, options);
        var toleranceAbsolute = options.Tolerance * data.MeanVariance;
        Run? best = null, spare = null;
        var total = 0;
        for (var start = 0; start < options.Initializations; start++)
        {
            // A start that lost leaves its arrays to the next one: two runs' worth of memory for any number of starts
            // (10M points: 200 MB a run), instead of a large-object heap full of discarded ones between collections.
            var run = new Run(data, options.K, SeedPlusPlus(data, options.K, options.Seed, start), spare);
            run.Iterate(options.MaxIterations, toleranceAbsolute);
            total += run.Iterations;
            if (best is null || run.Inertia < best.Inertia)
            {
                spare = best;
                best = run;
                best.Start = start;
            }
            else
            {
                spare = run;
            }
        }

        return best!.Result(total);
    }

    /// <summary>One start from given centroids (row-major, <see cref="KMeansOptions.K"/> of them): for comparing with other implementations from the same start.</summary>
    public static KMeansResult FitFrom(double[] points, int dimensions, double[] initialCentroids, KMeansOptions options)
    {
        ArgumentNullException.ThrowIfNull(initialCentroids);
        var data = Check(points, dimensions, options);
        if (initialCentroids.Length != options.K * dimensions)
        {
            throw new ArgumentException($"expected {options.K} centroids of {dimensions} dimensions", nameof(initialCentroids));
        }

        var run = new Run(data, options.K, (double[])initialCentroids.Clone());
        run.Iterate(options.MaxIterations, options.Tolerance * data.MeanVariance);
        return run.Result(run.Iterations);
    }

    /// <summary>The k-means++ centroids that start <paramref name="start"/> of <see cref="Fit"/> begins from.</summary>
    public static double[] InitialCentroids(double[] points, int dimensions, KMeansOptions options, int start = 0) =>
        SeedPlusPlus(Check(points, dimensions, options), options.K, options.Seed, start);

    private static Data Check(double[] points, int dimensions, KMeansOptions options)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        if (points.Length % dimensions != 0)
        {
            throw new ArgumentException($"{points.Length} values are not whole points of {dimensions} dimensions", nameof(points));
        }

        var n = points.Length / dimensions;
        ArgumentOutOfRangeException.ThrowIfLessThan(options.K, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.K, n);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Initializations, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxIterations, 1);
        var data = new Data(points, n, dimensions, options.Threads);
        data.Summarize();
        return data;
    }

    /// <summary>Each point's nearest centroid (the lowest index on a tie), 0-based.</summary>
    public static int[] Assign(double[] points, int dimensions, ReadOnlySpan<double> centroids, int? threads = null)
    {
        ArgumentNullException.ThrowIfNull(points);
        var data = new Data(points, points.Length / dimensions, dimensions, threads);
        var k = centroids.Length / dimensions;
        var table = new CenterTable(centroids.ToArray(), k, dimensions);
        var labels = new int[data.N];
        data.ForEachChunk(c =>
        {
            Span<double> d2 = stackalloc double[table.Padded];
            for (var i = c.Start; i < c.End; i++)
            {
                labels[i] = table.Nearest(data.Point(i), d2, out _, out _);
            }
        });
        return labels;
    }

    /// <summary>Squared Euclidean distance.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static double SquaredDistance(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        var sum = 0.0;
        var i = 0;
        if (Vector.IsHardwareAccelerated && a.Length >= Vector<double>.Count)
        {
            var acc = Vector<double>.Zero;
            for (; i <= a.Length - Vector<double>.Count; i += Vector<double>.Count)
            {
                var diff = new Vector<double>(a[i..]) - new Vector<double>(b[i..]);
                acc += diff * diff;
            }

            sum = Vector.Sum(acc);
        }

        for (; i < a.Length; i++)
        {
            var diff = a[i] - b[i];
            sum += diff * diff;
        }

        return sum;
    }

    /// <summary>The index of the smallest value (the first on a tie), with the smallest and the second smallest.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int Nearest(ReadOnlySpan<double> d2, out double best, out double second)
    {
        var index = 0;
        best = d2[0];
        second = double.PositiveInfinity;
        for (var j = 1; j < d2.Length; j++)
        {
            var v = d2[j];
            if (v < best)
            {
                second = best;
                best = v;
                index = j;
            }
            else if (v < second)
            {
                second = v;
            }
        }

        return index;
    }

    /// <summary>
    /// Greedy k-means++ (Arthur and Vassilvitskii; scikit-learn's variant): the first centroid is a uniform
    /// draw; each next one is the best of 2 + ⌊ln k⌋ draws with probability proportional to the squared
    /// distance to the nearest centroid so far, "best" meaning the lowest resulting total.
    /// </summary>
    private static double[] SeedPlusPlus(Data data, int k, ulong seed, int start)
    {
        var random = new Xoshiro(unchecked(seed + ((ulong)start * 0x9E3779B97F4A7C15UL)));
        var d = data.D;
        var n = data.N;
        var centers = new double[k * d];
        data.Point(random.NextInt(n)).CopyTo(centers);
        // Work arrays of n values each, the same for every start of a fit (their contents are always written before read).
        var trials = 2 + (int)Math.Log(k);   // candidates per center, as scikit-learn
        var buffers = data.SeedBuffers(2 + trials);
        var closest = buffers[0];
        var first = centers.AsMemory(0, d);
        data.ForEachChunk(c =>
        {
            for (var i = c.Start; i < c.End; i++)
            {
                closest[i] = SquaredDistance(data.Point(i), first.Span);
            }
        });
        // Greedy k-means++ (as scikit-learn): each new center is the best of a few candidates drawn in proportion to the
        // squared distance. All candidates are scored in one pass over the points (not one pass each): the same sums in
        // the same order as scoring them one by one, so the same centers, at a fraction of the memory traffic.
        var cumulative = buffers[1];
        var scored = buffers[2..];
        var candidates = new int[trials];
        for (var j = 1; j < k; j++)
        {
            var running = 0.0;
            for (var i = 0; i < n; i++)
            {
                running += closest[i];
                cumulative[i] = running;
            }

            for (var t = 0; t < trials; t++)
            {
                candidates[t] = Math.Min(LowerBound(cumulative, random.NextDouble() * running), n - 1);
            }

            var potentials = data.SumChunks(trials, (c, sums) =>
            {
                for (var t = 0; t < trials; t++)
                {
                    var candidate = data.Point(candidates[t]);
                    var into = scored[t];
                    var s = 0.0;
                    for (var i = c.Start; i < c.End; i++)
                    {
                        var v = Math.Min(closest[i], SquaredDistance(data.Point(i), candidate));
                        into[i] = v;
                        s += v;
                    }

                    sums[t] = s;
                }
            });
            var best = 0;
            for (var t = 1; t < trials; t++)
            {
                if (potentials[t] < potentials[best])
                {
                    best = t;
                }
            }

            data.Point(candidates[best]).CopyTo(centers.AsSpan(j * d, d));
            (closest, scored[best]) = (scored[best], closest);
        }

        return centers;
    }

    /// <summary>The first index whose cumulative value reaches <paramref name="target"/> (NumPy's searchsorted, left).</summary>
    private static int LowerBound(double[] cumulative, double target)
    {
        int lo = 0, hi = cumulative.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (cumulative[mid] < target)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>Adds a chunk's values into <paramref name="sums"/>, its own slots.</summary>
    private delegate void ChunkSums(Chunk chunk, Span<double> sums);

    /// <summary>The points and how they are split into chunks.</summary>
    private sealed class Data(double[] points, int n, int d, int? threads)
    {
        public double[] Points { get; } = points;

        public int N { get; } = n;

        public int D { get; } = d;

        public int Chunks { get; } = (n + ChunkSize - 1) / ChunkSize;

        private readonly ParallelOptions parallel = new() { MaxDegreeOfParallelism = threads ?? Environment.ProcessorCount };

        private double[][] seedBuffers = [];

        /// <summary><paramref name="count"/> arrays of <see cref="N"/> values for k-means++ seeding, kept for the fit's next start.</summary>
        public double[][] SeedBuffers(int count)
        {
            if (seedBuffers.Length < count)
            {
                seedBuffers = [.. seedBuffers, .. Enumerable.Range(0, count - seedBuffers.Length).Select(_ => new double[N])];
            }

            return seedBuffers[..count];
        }

        public ReadOnlySpan<double> Point(int i) => Points.AsSpan(i * D, D);

        /// <summary>The mean over dimensions of each dimension's (population) variance; set by <see cref="Summarize"/>.</summary>
        public double MeanVariance { get; private set; }

        /// <summary>
        /// One parallel pass over the points: refuses a non-finite value (or one whose square overflows) and computes <see cref="MeanVariance"/>.
        /// Each chunk's mean and sum of squared deviations are computed in cache, then merged in chunk order
        /// (Chan, Golub and LeVeque's pairwise update), so the result does not depend on the thread count.
        /// </summary>
        public void Summarize()
        {
            var partial = new double[Chunks * 2 * D];
            var finite = true;
            ForEachChunk(c =>
            {
                if (!SummarizeChunk(c, partial.AsSpan(c.Index * 2 * D, 2 * D)))
                {
                    finite = false;
                }
            });
            if (!finite)
            {
                throw new ArgumentException("points must be finite, and small enough that squared distances are too (prepare missing values and scale first)", "points");
            }

            var mean = new double[D];
            var squares = new double[D];
            long count = 0;
            for (var c = 0; c < Chunks; c++)
            {
                var chunk = ChunkAt(c);
                long size = chunk.End - chunk.Start;
                var total = count + size;
                for (var t = 0; t < D; t++)
                {
                    var chunkMean = partial[(c * 2 * D) + t];
                    var delta = chunkMean - mean[t];
                    mean[t] += delta * size / total;
                    squares[t] += partial[(c * 2 * D) + D + t] + (delta * delta * count * size / total);
                }

                count = total;
            }

            MeanVariance = squares.Sum() / N / D;
        }

        /// <summary>A chunk's per-dimension means and sums of squared deviations into <paramref name="stats"/>; false when one is not finite.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private bool SummarizeChunk(Chunk c, Span<double> stats)
        {
            var means = stats[..D];
            var squares = stats[D..];
            var values = Points.AsSpan(c.Start * D, (c.End - c.Start) * D);
            for (var i = 0; i < values.Length; i += D)
            {
                for (var t = 0; t < D; t++)
                {
                    means[t] += values[i + t];
                }
            }

            for (var t = 0; t < D; t++)
            {
                means[t] /= c.End - c.Start;
            }

            for (var i = 0; i < values.Length; i += D)
            {
                for (var t = 0; t < D; t++)
                {
                    var diff = values[i + t] - means[t];
                    squares[t] += diff * diff;
                }
            }

            // A NaN or an infinity makes its dimension's sums non-finite; so do values whose squares overflow.
            foreach (var v in stats)
            {
                if (!double.IsFinite(v))
                {
                    return false;
                }
            }

            return true;
        }

        public void ForEachChunk(Action<Chunk> body)
        {
            if (Chunks == 1 || parallel.MaxDegreeOfParallelism == 1)
            {
                for (var c = 0; c < Chunks; c++)
                {
                    body(ChunkAt(c));
                }

                return;
            }

            Parallel.For(0, Chunks, parallel, c => body(ChunkAt(c)));
        }

        /// <summary>
        /// Per-chunk sums of <paramref name="width"/> values each, added up in chunk order: the one way
        /// a total is formed here, so that no total depends on the thread count.
        /// </summary>
        public double[] SumChunks(int width, ChunkSums body)
        {
            var partial = new double[Chunks * width];
            ForEachChunk(c => body(c, partial.AsSpan(c.Index * width, width)));
            var total = new double[width];
            for (var c = 0; c < Chunks; c++)
            {
                for (var t = 0; t < width; t++)
                {
                    total[t] += partial[(c * width) + t];
                }
            }

            return total;
        }

        private Chunk ChunkAt(int c) => new(c, c * ChunkSize, Math.Min(N, (c + 1) * ChunkSize));
    }

    private readonly record struct Chunk(int Index, int Start, int End);

    /// <summary>
    /// Centroids transposed and padded to whole vectors: row t holds coordinate t of every centroid, so one
    /// <see cref="Vector{T}"/> operation advances the distances to several centroids at once.
    /// </summary>
    private sealed class CenterTable
    {
        private readonly double[] transposed;

        public CenterTable(double[] centers, int k, int d)
        {
            K = k;
            D = d;
            Padded = (k + Vector<double>.Count - 1) / Vector<double>.Count * Vector<double>.Count;
            transposed = new double[d * Padded];
            Update(centers);
        }

        public int K { get; }

        public int D { get; }

        public int Padded { get; }

        public void Update(double[] centers)
        {
            Array.Fill(transposed, double.PositiveInfinity);
            for (var j = 0; j < K; j++)
            {
                for (var t = 0; t < D; t++)
                {
                    transposed[(t * Padded) + j] = centers[(j * D) + t];
                }
            }
        }

        /// <summary>
        /// The nearest centroid to <paramref name="point"/> (the lowest index on a tie), with the smallest and
        /// second smallest squared distances; <paramref name="scratch"/> holds <see cref="Padded"/> values.
        /// With 4-wide vectors and k ≤ 8 the distances stay in two registers and the minimum is found without
        /// a branch (padding centroids sit at infinity, so they never win): which centroid is nearest changes
        /// from point to point, and the branches of a scalar scan mispredicted often enough to cost more than
        /// the distances themselves.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public int Nearest(ReadOnlySpan<double> point, Span<double> scratch, out double best, out double second)
        {
            if (Vector<double>.Count != 4 || !Vector256.IsHardwareAccelerated || Padded > 8)
            {
                SquaredDistances(point, scratch);
                return KMeans.Nearest(scratch[..K], out best, out second);
            }

            var table = MemoryMarshal.Cast<double, Vector256<double>>(transposed.AsSpan());
            var a0 = Vector256<double>.Zero;
            var a1 = Vector256<double>.Zero;
            if (Padded == 4)
            {
                a1 = Vector256.Create(double.PositiveInfinity);
                for (var t = 0; t < D; t++)
                {
                    var d0 = Vector256.Create(point[t]) - table[t];
                    a0 += d0 * d0;
                }
            }
            else
            {
                for (var t = 0; t < D; t++)
                {
                    var x = Vector256.Create(point[t]);
                    var d0 = x - table[2 * t];
                    var d1 = x - table[(2 * t) + 1];
                    a0 += d0 * d0;
                    a1 += d1 * d1;
                }
            }

            var least = AllLanesMin(Lesser(a0, a1));
            var mask = Vector256.Equals(a0, least).ExtractMostSignificantBits() | (Vector256.Equals(a1, least).ExtractMostSignificantBits() << 4);
            var index = BitOperations.TrailingZeroCount(mask);
            var chosen = Vector256.Create((double)index);
            var infinity = Vector256.Create(double.PositiveInfinity);
            var rest0 = Vector256.ConditionalSelect(Vector256.Equals(LanesLow, chosen), infinity, a0);
            var rest1 = Vector256.ConditionalSelect(Vector256.Equals(LanesHigh, chosen), infinity, a1);
            best = least.ToScalar();
            second = AllLanesMin(Lesser(rest0, rest1)).ToScalar();
            return index;
        }

        private static readonly Vector256<double> LanesLow = Vector256.Create(0.0, 1, 2, 3);

        private static readonly Vector256<double> LanesHigh = Vector256.Create(4.0, 5, 6, 7);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<double> Lesser(Vector256<double> a, Vector256<double> b) =>
            Vector256.ConditionalSelect(Vector256.LessThan(b, a), b, a);

        /// <summary>The minimum of the four lanes, in every lane.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<double> AllLanesMin(Vector256<double> v)
        {
            v = Lesser(v, Vector256.Shuffle(v, Vector256.Create(2L, 3, 0, 1)));
            return Lesser(v, Vector256.Shuffle(v, Vector256.Create(1L, 0, 3, 2)));
        }

        /// <summary>
        /// Squared distances from <paramref name="point"/> to every centroid (padding slots hold infinity).
        /// Up to three vectors of centroids (k ≤ 12 with 4-wide vectors) accumulate in registers; more use memory.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void SquaredDistances(ReadOnlySpan<double> point, Span<double> result)
        {
            var vectors = MemoryMarshal.Cast<double, Vector<double>>(result);
            var table = MemoryMarshal.Cast<double, Vector<double>>(transposed.AsSpan());
            var perRow = Padded / Vector<double>.Count;
            switch (perRow)
            {
                case 1:
                {
                    var a0 = Vector<double>.Zero;
                    for (var t = 0; t < D; t++)
                    {
                        var d0 = new Vector<double>(point[t]) - table[t];
                        a0 += d0 * d0;
                    }

                    vectors[0] = a0;
                    return;
                }

                case 2:
                {
                    Vector<double> a0 = Vector<double>.Zero, a1 = Vector<double>.Zero;
                    for (var t = 0; t < D; t++)
                    {
                        var x = new Vector<double>(point[t]);
                        var d0 = x - table[2 * t];
                        var d1 = x - table[(2 * t) + 1];
                        a0 += d0 * d0;
                        a1 += d1 * d1;
                    }

                    vectors[0] = a0;
                    vectors[1] = a1;
                    return;
                }

                case 3:
                {
                    Vector<double> a0 = Vector<double>.Zero, a1 = Vector<double>.Zero, a2 = Vector<double>.Zero;
                    for (var t = 0; t < D; t++)
                    {
                        var x = new Vector<double>(point[t]);
                        var d0 = x - table[3 * t];
                        var d1 = x - table[(3 * t) + 1];
                        var d2 = x - table[(3 * t) + 2];
                        a0 += d0 * d0;
                        a1 += d1 * d1;
                        a2 += d2 * d2;
                    }

                    vectors[0] = a0;
                    vectors[1] = a1;
                    vectors[2] = a2;
                    return;
                }

                default:
                    vectors.Clear();
                    for (var t = 0; t < D; t++)
                    {
                        var x = new Vector<double>(point[t]);
                        var row = table.Slice(t * perRow, perRow);
                        for (var v = 0; v < perRow; v++)
                        {
                            var diff = x - row[v];
                            vectors[v] += diff * diff;
                        }
                    }

                    return;
            }
        }
    }

    /// <summary>One start: Hamerly's algorithm from given centroids.</summary>
    private sealed class Run
    {
        private readonly Data data;
        private readonly int k;
        private readonly CenterTable table;
        private readonly double[] upper;
        private readonly double[] lower;
        private readonly double[] partialSums;
        private readonly long[] partialCounts;
        private readonly int[] partialChanged;

        /// <summary>A run from <paramref name="centers"/>; with <paramref name="recycled"/> (a finished run of the same data and k, no longer wanted) its arrays, which the first, full assignment overwrites.</summary>
        public Run(Data data, int k, double[] centers, Run? recycled = null)
        {
            this.data = data;
            this.k = k;
            Centers = centers;
            table = new CenterTable(centers, k, data.D);
            Labels = recycled?.Labels ?? new int[data.N];
            upper = recycled?.upper ?? new double[data.N];
            lower = recycled?.lower ?? new double[data.N];
            partialSums = recycled?.partialSums ?? new double[data.Chunks * k * data.D];
            partialCounts = recycled?.partialCounts ?? new long[data.Chunks * k];
            partialChanged = recycled?.partialChanged ?? new int[data.Chunks];
        }

        public double[] Centers { get; private set; }

        public int[] Labels { get; }

        public double Inertia { get; private set; }

        public int Iterations { get; private set; }

        public bool Converged { get; private set; }

        public int Start { get; set; }

        public KMeansResult Result(int totalIterations) => new(
            k,
            data.D,
            ImmutableCollectionsMarshal.AsImmutableArray(Centers),
            ImmutableCollectionsMarshal.AsImmutableArray(Labels),
            ImmutableCollectionsMarshal.AsImmutableArray(Sizes()),
            Inertia,
            Iterations,
            Converged,
            Start,
            totalIterations);

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private long[] Sizes()
        {
            var sizes = new long[k];
            foreach (var label in Labels)
            {
                sizes[label]++;
            }

            return sizes;
        }

        public void Iterate(int maxIterations, double toleranceAbsolute)
        {
            var d = data.D;
            Assign(full: true, shifts: null, half: null);
            var shifts = new double[k];
            var half = new double[k];
            while (Iterations < maxIterations)
            {
                Iterations++;
                var next = NewCenters();
                var totalShift = 0.0;
                for (var j = 0; j < k; j++)
                {
                    var s2 = SquaredDistance(Centers.AsSpan(j * d, d), next.AsSpan(j * d, d));
                    shifts[j] = Math.Sqrt(s2);
                    totalShift += s2;
                }

                Centers = next;
                table.Update(next);
                HalfDistances(half);
                var changed = Assign(full: false, shifts, half);
                if (changed == 0)
                {
                    Converged = true;
                    break;
                }

                if (totalShift <= toleranceAbsolute)
                {
                    Converged = true;
                    break;
                }
            }

            Inertia = ComputeInertia();
        }

        /// <summary>Half the distance from each centroid to its nearest other centroid: a point nearer than that to its own cannot be nearer to another.</summary>
        private void HalfDistances(double[] half)
        {
            var d = data.D;
            Array.Fill(half, double.PositiveInfinity);
            for (var a = 0; a < k; a++)
            {
                for (var b = a + 1; b < k; b++)
                {
                    var dist = 0.5 * Math.Sqrt(SquaredDistance(Centers.AsSpan(a * d, d), Centers.AsSpan(b * d, d)));
                    half[a] = Math.Min(half[a], dist);
                    half[b] = Math.Min(half[b], dist);
                }
            }
        }

        /// <summary>
        /// The assignment step, keeping each chunk's per-cluster sums and counts for the next update. The
        /// full step computes every distance and sums every point. Otherwise Hamerly's bounds (moved by
        /// <paramref name="shifts"/>) skip a point whose centroid is certainly still its nearest, and only
        /// a point that changes cluster moves its coordinates from one sum to the other — so an iteration
        /// reads the points it must, not all of them. A chunk's sums depend only on its own points and
        /// their changes, so their chunk-order reduction is the same on any number of threads. Returns how
        /// many points changed cluster.
        /// </summary>
        private int Assign(bool full, double[]? shifts, double[]? half)
        {
            var moves = new Moves(full, shifts, half, k);
            if (full)
            {
                Array.Clear(partialSums);
                Array.Clear(partialCounts);
            }

            data.ForEachChunk(c => partialChanged[c.Index] = AssignChunk(c, moves));
            var total = 0;
            foreach (var changed in partialChanged)
            {
                total += changed;
            }

            return total;
        }

        /// <summary>The assignment of one chunk; compiled optimized at once, since one call runs thousands of points.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private int AssignChunk(Chunk c, Moves moves)
        {
            var d = data.D;
            Span<double> d2 = stackalloc double[table.Padded];
            var sums = partialSums.AsSpan(c.Index * k * d, k * d);
            var counts = partialCounts.AsSpan(c.Index * k, k);
            var changed = 0;
            for (var i = c.Start; i < c.End; i++)
            {
                var point = data.Point(i);
                var label = Labels[i];
                if (moves.Full)
                {
                    label = table.Nearest(point, d2, out var first, out var runnerUp);
                    Labels[i] = label;
                    upper[i] = Math.Sqrt(first);
                    lower[i] = Math.Sqrt(runnerUp);
                    counts[label]++;
                    Add(sums.Slice(label * d, d), point);
                    continue;
                }

                var up = upper[i] + moves.Shifts![label];
                var low = lower[i] - (label == moves.MaxShiftIndex ? moves.SecondShift : moves.MaxShift);
                var bound = Math.Max(moves.Half![label], low);
                if (up > bound)
                {
                    up = Math.Sqrt(SquaredDistance(point, Centers.AsSpan(label * d, d)));
                    if (up > bound)
                    {
                        var nearest = table.Nearest(point, d2, out var best, out var second);
                        up = Math.Sqrt(best);
                        low = Math.Sqrt(second);
                        if (nearest != label)
                        {
                            changed++;
                            counts[label]--;
                            counts[nearest]++;
                            Subtract(sums.Slice(label * d, d), point);
                            Add(sums.Slice(nearest * d, d), point);
                            Labels[i] = nearest;
                        }
                    }
                }

                upper[i] = up;
                lower[i] = low;
            }

            return changed;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Add(Span<double> sum, ReadOnlySpan<double> point)
        {
            for (var t = 0; t < sum.Length; t++)
            {
                sum[t] += point[t];
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Subtract(Span<double> sum, ReadOnlySpan<double> point)
        {
            for (var t = 0; t < sum.Length; t++)
            {
                sum[t] -= point[t];
            }
        }

        /// <summary>
        /// The means of the clusters, reduced in chunk order. A cluster left empty moves to the point
        /// farthest from its own centroid (the first such point), as scikit-learn does; bounds are reset.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private double[] NewCenters()
        {
            var d = data.D;
            var sums = new double[k * d];
            var counts = new long[k];
            for (var c = 0; c < data.Chunks; c++)
            {
                for (var j = 0; j < k; j++)
                {
                    counts[j] += partialCounts[(c * k) + j];
                }

                for (var x = 0; x < k * d; x++)
                {
                    sums[x] += partialSums[(c * k * d) + x];
                }
            }

            var taken = new HashSet<int>();
            for (var j = 0; j < k; j++)
            {
                if (counts[j] > 0)
                {
                    for (var t = 0; t < d; t++)
                    {
                        sums[(j * d) + t] /= counts[j];
                    }

                    continue;
                }

                var far = -1;
                var farthest = -1.0;
                for (var i = 0; i < data.N; i++)
                {
                    var dist = SquaredDistance(data.Point(i), Centers.AsSpan(Labels[i] * d, d));
                    if (dist > farthest && !taken.Contains(i))
                    {
                        farthest = dist;
                        far = i;
                    }
                }

                taken.Add(far);
                data.Point(far).CopyTo(sums.AsSpan(j * d, d));
                Array.Fill(lower, 0.0);
            }

            return sums;
        }

        /// <summary>What the assignment step needs to know about the last update: the centroids' shifts, the largest two, and half the distance to each centroid's nearest other.</summary>
        private sealed class Moves
        {
            public Moves(bool full, double[]? shifts, double[]? half, int k)
            {
                Full = full;
                Shifts = shifts;
                Half = half;
                MaxShiftIndex = -1;
                if (shifts is null)
                {
                    return;
                }

                for (var j = 0; j < k; j++)
                {
                    if (shifts[j] > MaxShift)
                    {
                        SecondShift = MaxShift;
                        MaxShift = shifts[j];
                        MaxShiftIndex = j;
                    }
                    else if (shifts[j] > SecondShift)
                    {
                        SecondShift = shifts[j];
                    }
                }
            }

            public bool Full { get; }

            public double[]? Shifts { get; }

            public double[]? Half { get; }

            public double MaxShift { get; }

            public double SecondShift { get; }

            public int MaxShiftIndex { get; }
        }

        private double ComputeInertia() => data.SumChunks(1, (c, sum) => sum[0] = ChunkInertia(c))[0];

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private double ChunkInertia(Chunk c)
        {
            var d = data.D;
            var s = 0.0;
            for (var i = c.Start; i < c.End; i++)
            {
                s += SquaredDistance(data.Point(i), Centers.AsSpan(Labels[i] * d, d));
            }

            return s;
        }
    }
}
