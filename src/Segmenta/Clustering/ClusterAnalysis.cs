using System.Globalization;
using System.Text;
using Segmenta.Language;
using Segmenta.Model;
using Segmenta.Sql;
using Segmenta.Warehouse;

namespace Segmenta.Clustering;

/// <summary>How one input entered the clustering.</summary>
/// <param name="Name">The input.</param>
/// <param name="Categorical">True for a one-hot encoded input.</param>
/// <param name="Computed">True for a feature computed from events, false for a customer column.</param>
/// <param name="Log">Whether the signed log was taken.</param>
/// <param name="Skewness">The skewness of its present values (numeric inputs).</param>
/// <param name="Missing">Customers without a value.</param>
/// <param name="Fill">What a missing value became (null when such customers were dropped, and for categorical inputs).</param>
/// <param name="Levels">The one-hot levels (categorical inputs).</param>
public sealed record ClusterInputSummary(string Name, bool Categorical, bool Computed, bool Log, double? Skewness, long Missing, double? Fill, IReadOnlyList<string> Levels);

/// <summary>Where a cluster's center lies on one input, in the input's own units.</summary>
/// <param name="Input">The input.</param>
/// <param name="Level">The level, for a categorical input.</param>
/// <param name="Center">Numeric: the centroid mapped back to the input's units (the mean when unscaled and unlogged). Categorical: the share of the cluster with the level.</param>
/// <param name="Mean">Numeric: the mean of the members' values (missing ones filled); categorical: the same share.</param>
/// <param name="Overall">The same over every clustered customer.</param>
public sealed record ClusterCenter(string Input, string? Level, double Center, double Mean, double Overall);

/// <summary>One cluster of a fit.</summary>
/// <param name="Id">Its number, 1 for the largest.</param>
/// <param name="Customers">Its members at the fit.</param>
/// <param name="Share">Its share of the clustered customers.</param>
/// <param name="Centers">Its center on every input.</param>
public sealed record ClusterProfile(int Id, long Customers, double Share, IReadOnlyList<ClusterCenter> Centers);

/// <summary>The outcome of a fit: the model, how k was chosen, and each cluster in the inputs' units.</summary>
/// <param name="Model">The model (version 0 until stored).</param>
/// <param name="Choice">The k tried, their quality, the k chosen and why.</param>
/// <param name="Customers">Customers in the warehouse.</param>
/// <param name="Clustered">Customers fitted (all of them, less those dropped for a missing input).</param>
/// <param name="Inputs">Each input's treatment.</param>
/// <param name="Clusters">The clusters, largest first.</param>
/// <param name="Iterations">Iterations of the winning k-means start.</param>
/// <param name="Converged">Whether it converged.</param>
public sealed record ClusterResult(ClusterModel Model, KChoice Choice, long Customers, long Clustered, IReadOnlyList<ClusterInputSummary> Inputs, IReadOnlyList<ClusterProfile> Clusters, int Iterations, bool Converged);

/// <summary>A stored model seen again on the customers it was fitted at: each cluster in the inputs' units and a 2-D drawing.</summary>
/// <param name="Model">The model.</param>
/// <param name="Clusters">The clusters, as <see cref="ClusterResult.Clusters"/> (members assigned by nearest centroid).</param>
/// <param name="Projection">The customers and centroids on the two principal axes.</param>
public sealed record ClusterView(ClusterModel Model, IReadOnlyList<ClusterProfile> Clusters, ClusterProjection Projection);

/// <summary>
/// Data-driven segments (docs/clustering.md): k-means on prepared per-customer features, trained in
/// memory on the customers' rows, stored as a model, and scored in SQL over the whole base so that a
/// cluster is an ordinary segment — <c>cluster = 3</c> in the language, and <c>cluster_3</c>.
/// </summary>
public static class ClusterAnalysis
{


    /// <summary>The analysis name of stored scores in <see cref="AnalysisRuns"/> and <see cref="Language.EvaluationContext.Stored"/>.</summary>
    public const string Analysis = "clusters";

    /// <summary>The prefix of cluster fields in segment text (<c>cluster.id</c>; <c>cluster</c> alone is the id).</summary>
    public const string Namespace = "cluster";

    /// <summary>The prefix of the generated segments' names: <c>cluster_1</c>.</summary>
    public const string SegmentPrefix = "cluster_";

    /// <summary>Fits the request to every customer's inputs at the context's as-of (nothing is stored).</summary>
    public static ClusterResult Fit(IWarehouse warehouse, EvaluationContext context, ClusterRequest request)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(request);
        Check(request);
        var (numericColumns, categoricalColumns, inputs) = ReadInputs(warehouse, context, request);
        var skewness = request.Numeric.ToDictionary(n => n.Name, n => ClusterPreparation.Skewness(inputs.Numeric[n.Name]), StringComparer.Ordinal);
        var numeric = request.Numeric.Select((n, i) => n with
        {
            Log = n.Log || (request.AutoLog && numericColumns[i].MoneyOrCount && skewness[n.Name] > ClusterRequest.SkewnessThreshold),
        }).ToList();
        var resolved = request with { Numeric = numeric, AutoLog = false };
        var preparation = ClusterPreparation.Fit(inputs, numeric, request.Categorical, request.Scaling, request.Missing);
        var (points, rows) = preparation.Transform(inputs);
        var d = preparation.Dimensions.Count;
        if (rows.Length < request.MaxK)
        {
            throw new ClusterSetupException(string.Create(
                CultureInfo.InvariantCulture,
                $"{rows.Length:N0} customers to cluster{(rows.Length < inputs.Customers.Count ? $" ({inputs.Customers.Count - rows.Length:N0} dropped for a missing input)" : "")}: too few for k = {request.MaxK}"));
        }

        var options = new KMeansOptions(request.MinK, request.Seed, request.Initializations);
        var (fit, choice) = ClusterSelection.Choose(points, d, request.MinK, request.MaxK, options, request.SilhouetteSample);

        // Clusters numbered by size, largest first (the earlier k-means index on a tie).
        var order = Enumerable.Range(0, fit.K).OrderByDescending(j => fit.Sizes[j]).ThenBy(j => j).ToArray();
        var centroids = order.SelectMany(j => fit.Centroid(j).ToArray()).ToArray();
        var sizes = order.Select(j => fit.Sizes[j]).ToArray();
        var renumbered = new int[fit.K];
        for (var i = 0; i < order.Length; i++)
        {
            renumbered[order[i]] = i + 1;
        }

        var model = new ClusterModel(0, context.AsOf, resolved, preparation, fit.K, centroids, sizes, fit.Inertia, choice);
        var labels = fit.Labels.Select(l => renumbered[l]).ToArray();
        var summaries = numeric.Select((n, i) => new ClusterInputSummary(
                n.Name, false, numericColumns[i].Computed, n.Log, skewness[n.Name], inputs.Numeric[n.Name].LongCount(v => v is null), double.IsNaN(preparation.Dimensions[i].Fill) ? null : preparation.Dimensions[i].Fill, []))
            .Concat(request.Categorical.Select((c, i) => new ClusterInputSummary(
                c.Name, true, categoricalColumns[i].Computed, false, null, inputs.Categorical[c.Name].LongCount(v => v is null), null, preparation.Dimensions.Where(x => x.Input == c.Name && x.Level is not null).Select(x => x.Level!).ToList())))
            .ToList();
        return new ClusterResult(model, choice, inputs.Customers.Count, rows.Length, summaries, Profiles(model, inputs, rows, labels), fit.Iterations, fit.Converged);
    }

    /// <summary>
    /// Reads the model's inputs again at its fit instant, assigns every customer to the nearest centroid, and
    /// returns the profiles and a projection of <paramref name="sample"/> customers on the principal axes.
    /// </summary>
    public static ClusterView Describe(IWarehouse warehouse, ClusterModel model, TimeZoneInfo zone, int sample = ClusterProjection.DefaultSample)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        ArgumentNullException.ThrowIfNull(model);
        var (_, _, inputs) = ReadInputs(warehouse, new EvaluationContext(model.AsOf, zone), model.Request);
        var (points, rows) = model.Preparation.Transform(inputs);
        var labels = KMeans.Assign(points, model.Dimensions, model.Centroids.ToArray()).Select(l => l + 1).ToArray();
        return new ClusterView(model, Profiles(model, inputs, rows, labels), ClusterProjection.Of(model, points, labels, sample));
    }

    /// <summary>The request's inputs resolved against the customers table and every customer's values at the context's as-of.</summary>
    private static (IReadOnlyList<InputColumn> Numeric, IReadOnlyList<InputColumn> Categorical, ClusterInputs Inputs) ReadInputs(IWarehouse warehouse, EvaluationContext context, ClusterRequest request)
    {
        var customerColumns = warehouse.Columns(TableKind.Customers);
        var numeric = ClusterInputQuery.Resolve(request.Numeric.Select(n => n.Name), customerColumns, numeric: true);
        var categorical = ClusterInputQuery.Resolve(request.Categorical.Select(c => c.Name), customerColumns, numeric: false);
        return (numeric, categorical, ClusterInputQuery.Read(warehouse, context, numeric, categorical));
    }

    private static void Check(ClusterRequest request)
    {
        if (request.Numeric.Count + request.Categorical.Count == 0)
        {
            throw new ClusterSetupException("name at least one input to cluster on");
        }

        if (request.Numeric.Select(n => n.Name).Concat(request.Categorical.Select(c => c.Name)).GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw new ClusterSetupException($"`{twice.Key}` is named twice");
        }

        if (request.MinK < 1 || request.MaxK < request.MinK || request.MaxK > 50)
        {
            throw new ClusterSetupException(string.Create(CultureInfo.InvariantCulture, $"k must be a number or a range such as 2..10, between 1 and 50 (got {request.MinK}..{request.MaxK})"));
        }

        if (request.Initializations < 1)
        {
            throw new ClusterSetupException("at least one k-means start is needed");
        }

        foreach (var weight in request.Numeric.Select(n => n.Weight).Concat(request.Categorical.Select(c => c.Weight)))
        {
            if (!(weight > 0) || !double.IsFinite(weight))
            {
                throw new ClusterSetupException(string.Create(CultureInfo.InvariantCulture, $"weights must be positive numbers (got {weight})"));
            }
        }
    }

    /// <summary>Each cluster's center in the inputs' units beside its members' means and the overall means.</summary>
    private static List<ClusterProfile> Profiles(ClusterModel model, ClusterInputs inputs, int[] rows, int[] labels)
    {
        var dims = model.Preparation.Dimensions;
        var total = rows.Length;
        var profiles = new List<ClusterProfile>();
        double Raw(PreparedDimension dim, int row) => dim.Level is null
            ? inputs.Numeric[dim.Input][row] ?? dim.Fill
            : string.Equals(inputs.Categorical[dim.Input][row], dim.Level, StringComparison.Ordinal) ? 1 : 0;
        var overall = dims.Select(dim => rows.Sum(r => Raw(dim, r)) / total).ToArray();
        for (var j = 1; j <= model.K; j++)
        {
            var members = rows.Where((_, i) => labels[i] == j).ToArray();
            var centroid = model.Centroid(j);
            var centers = dims.Select((dim, t) =>
            {
                var mean = members.Length == 0 ? double.NaN : members.Sum(r => Raw(dim, r)) / members.Length;
                var center = dim.Level is null ? dim.Original(centroid[t]) : centroid[t] / dim.Weight;
                return new ClusterCenter(dim.Input, dim.Level, center, mean, overall[t]);
            }).ToList();
            profiles.Add(new ClusterProfile(j, members.Length, total == 0 ? 0 : (double)members.Length / total, centers));
        }

        return profiles;
    }

    /// <summary>Stores the model as the next version, which becomes the active one; returns it with its version.</summary>
    public static ClusterModel Store(IWarehouse warehouse, ClusterModel model, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        ArgumentNullException.ThrowIfNull(model);
        long latest = 0;
        warehouse.Read(WarehouseSql.LatestModelVersion(warehouse.Dialect, Tables.ClusterModels), r => latest = Convert.ToInt64(r.GetValue(0), CultureInfo.InvariantCulture));
        var stored = model with { Version = checked((int)latest + 1) };
        warehouse.ExecuteInTransaction([ClusterSql.InsertModel(warehouse.Dialect, stored, now)]);
        return stored;
    }

    /// <summary>
    /// Scores every customer with <paramref name="model"/> at the context's as-of and stores the clusters in
    /// <see cref="Tables.ClusterScores"/> (replacing any stored at that instant); returns the customers stored.
    /// </summary>
    public static AnalysisRun StoreScores(IWarehouse warehouse, ClusterModel model, EvaluationContext context, DateTime now, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(context);
        var scoring = new ClusterSql(model);
        var options = string.Create(CultureInfo.InvariantCulture, $"{{\"model\":{model.Version}}}");
        warehouse.ExecuteInTransaction(
            WarehouseSql.ReplaceAnalysis(warehouse.Dialect, Analysis, Tables.ClusterScores, ClusterSql.Columns, sql => scoring.Write(sql, context), context.AsOf, now, options),
            cancellation);
        return AnalysisRuns.List(warehouse, Analysis).First(r => r.AsOf == context.AsOf);
    }

    /// <summary>The active model (the newest stored), or null before the first <c>segmenta cluster</c>.</summary>
    public static ClusterModel? Active(IWarehouse warehouse)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        string? json = null;
        warehouse.Read(WarehouseSql.NewestModel(warehouse.Dialect, Tables.ClusterModels), r => json = r.GetString(0));
        return json is null ? null : ClusterModel.FromJson(json);
    }

    /// <summary>
    /// <c>cluster.id</c> (1..k; <c>cluster</c> alone means it) and <c>cluster.distance</c> (to the centroid, in
    /// prepared units) for the segment language, scored with <paramref name="model"/> at each evaluation's as-of;
    /// with the generated segments <c>cluster_1</c>…
    /// </summary>
    public static DerivedFieldSet FieldSet(ClusterModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new DerivedFieldSet(Namespace, Tables.ClusterModels, [new("id", FieldType.Integer), new("distance", FieldType.Number)], "segmenta cluster")
        {
            Source = new ClusterSql(model),
            DefaultField = "id",
            Segments = Segments(model),
        };
    }

    /// <summary>Every customer's cluster computed at the context's as-of, ordered by customer id (columns: <c>customer_id, cluster, distance</c>).</summary>
    public static SqlStatement Assignments(ISqlDialect dialect, EvaluationContext context, ClusterModel model)
    {
        ArgumentNullException.ThrowIfNull(dialect);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(model);
        return ClusterSql.Assignments(dialect, context, model);
    }

    /// <summary>The columns of <see cref="Assignments"/>.</summary>
    public static IReadOnlyList<string> AssignmentColumns { get; } = [CanonicalModel.CustomerId, "cluster", "distance"];

    /// <summary>The generated segment of cluster <paramref name="id"/>: <c>cluster_3</c>.</summary>
    public static string SegmentName(int id) => SegmentPrefix + id.ToString(CultureInfo.InvariantCulture);

    /// <summary>One segment per cluster of the model, so that each can be previewed, materialized, exported and referenced.</summary>
    public static SegmentSource Segments(ClusterModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var inv = CultureInfo.InvariantCulture;
        var inputs = string.Join(", ", model.Request.Numeric.Select(n => n.Name).Concat(model.Request.Categorical.Select(c => c.Name)));
        var text = new StringBuilder(string.Create(inv, $"# The clusters of k-means model {model.Version} (segmenta cluster; docs/clustering.md).\n"));
        for (var j = 1; j <= model.K; j++)
        {
            // The model's version is part of the text, so a new model gives each segment a new version.
            text.Append(inv, $"\nsegment {SegmentName(j)} \"Cluster {j}\"\n  description \"k-means cluster {j} of {model.K} on {inputs} (model {model.Version}, fitted as of {model.AsOf:yyyy-MM-dd'T'HH:mm:ss'Z'})\"\nwhere cluster = {j}\n");
        }

        return new SegmentSource(string.Create(inv, $"(cluster model {model.Version})"), text.ToString());
    }
}
