using System.Globalization;

namespace Segmenta.Clustering;

/// <summary>The chosen number of clusters, and why.</summary>
/// <param name="K">The chosen k.</param>
/// <param name="Reason">One sentence: the rule and what the other criteria say.</param>
/// <param name="ByK">The fit's quality for every k tried, ascending.</param>
/// <param name="ElbowK">The elbow of the inertia curve (null with fewer than three k tried).</param>
public sealed record KChoice(int K, string Reason, IReadOnlyList<ClusterQuality> ByK, int? ElbowK);

/// <summary>
/// Automatic k: fits every k in a range and keeps the one with the highest silhouette (the smaller k
/// on a tie), reporting Calinski–Harabasz, Davies–Bouldin and the elbow of the inertia curve beside it.
/// </summary>
public static class ClusterSelection
{
    /// <summary>Fits k = <paramref name="minK"/>..<paramref name="maxK"/> with <paramref name="options"/> (its K ignored) and chooses.</summary>
    public static (KMeansResult Model, KChoice Choice) Choose(double[] points, int dimensions, int minK, int maxK, KMeansOptions options, int silhouetteSample = ClusterQuality.DefaultSilhouetteSample)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(minK, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxK, minK);
        var fits = FitEach(points, dimensions, minK, maxK, options, silhouetteSample);

        var qualities = fits.Select(f => f.Quality).ToList();
        var elbow = Elbow(qualities);
        if (minK == maxK)
        {
            return (fits[0].Model, new KChoice(minK, string.Create(CultureInfo.InvariantCulture, $"k = {minK}, as asked"), qualities, elbow));
        }

        var chosen = qualities.Where(q => q.K >= 2).MaxBy(q => q.Silhouette) ?? qualities[0];
        var inv = CultureInfo.InvariantCulture;
        var sample = chosen.SilhouetteSample;
        var ch = qualities.Where(q => q.K >= 2).MaxBy(q => q.CalinskiHarabasz)!.K;
        var db = qualities.Where(q => q.K >= 2).MinBy(q => q.DaviesBouldin)!.K;
        string Agrees(string what, int k, string superlative) => k == chosen.K ? $"{what} also {superlative} at {k}" : $"{what} {superlative} at {k}";
        var reason = string.Create(inv, $"k = {chosen.K}: the highest silhouette ({chosen.Silhouette:0.000}, on {sample:N0} customers); ")
            + string.Join("; ", new[]
            {
                Agrees("Calinski–Harabasz", ch, "peaks"),
                Agrees("Davies–Bouldin", db, "is lowest"),
                elbow is { } e ? (e == chosen.K ? string.Create(inv, $"the elbow of the inertia curve is also at {e}") : string.Create(inv, $"the elbow of the inertia curve is at {e}")) : null,
            }.OfType<string>());
        return (fits.First(f => f.Quality.K == chosen.K).Model, new KChoice(chosen.K, reason, qualities, elbow));
    }

    /// <summary>
    /// Each k's fit and its quality, ascending in k. Up to <see cref="ParallelKUpTo"/> points the k are fitted side by side,
    /// each on one thread; above it, one after the other, each on every thread. Either way the same numbers: a fit's
    /// partial sums are reduced in chunk order whatever the threads.
    /// </summary>
    /// <remarks>
    /// On few points an iteration is too short for its threads to share (100k points, 2 cores: k = 2..10 took 2.2 s with
    /// both cores on each fit, 3.3 s on one); whole fits side by side keep both cores busy. On many points a fit
    /// parallelizes well by itself, and side by side fits would each hold their arrays (~100 bytes a point) at once.
    /// </remarks>
    private static List<(KMeansResult Model, ClusterQuality Quality)> FitEach(double[] points, int dimensions, int minK, int maxK, KMeansOptions options, int silhouetteSample)
    {
        (KMeansResult, ClusterQuality) FitOne(int k, int? threads)
        {
            var model = KMeans.Fit(points, dimensions, options with { K = k, Threads = threads });
            return (model, ClusterQuality.Measure(points, model, options.Seed, silhouetteSample, threads));
        }

        var count = maxK - minK + 1;
        var workers = options.Threads ?? Environment.ProcessorCount;
        if (workers == 1 || count == 1 || points.Length / dimensions > ParallelKUpTo)
        {
            return [.. Enumerable.Range(minK, count).Select(k => FitOne(k, options.Threads))];
        }

        var fits = new (KMeansResult, ClusterQuality)[count];
        try
        {
            // The largest k first: they take longest, and the small ones fill in after them.
            Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = workers }, i => fits[count - 1 - i] = FitOne(maxK - i, 1));
        }
        catch (AggregateException e) when (e.InnerExceptions.Count >= 1)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);
        }

        return [.. fits];
    }

    /// <summary>The most points for which the k are fitted side by side (<see cref="FitEach"/>).</summary>
    internal const int ParallelKUpTo = 1_000_000;

    /// <summary>
    /// The elbow: with k and inertia both rescaled to 0..1 over the range tried, the k whose inertia has
    /// fallen furthest below the straight line from the first to the last (the "kneedle" rule).
    /// </summary>
    public static int? Elbow(IReadOnlyList<ClusterQuality> byK)
    {
        ArgumentNullException.ThrowIfNull(byK);
        if (byK.Count < 3)
        {
            return null;
        }

        var first = byK[0];
        var last = byK[^1];
        var drop = first.Inertia - last.Inertia;
        if (drop <= 0)
        {
            return null;
        }

        return byK.MaxBy(q => ((first.Inertia - q.Inertia) / drop) - ((double)(q.K - first.K) / (last.K - first.K)))!.K;
    }
}
