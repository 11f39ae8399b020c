using System.Globalization;
using Segmenta.Clustering;
using Segmenta.Generation;
using Segmenta.Language;
using Segmenta.Model;
using Segmenta.Segments;
using Segmenta.Warehouse;
using Segmenta.Workspaces;
using Xunit;

namespace Segmenta.Contracts;

/// <summary>
/// Clusters on a backend: a model fitted in memory and scored in the warehouse's SQL puts every
/// customer in the cluster the in-memory arithmetic puts them in, and clusters work as segments.
/// </summary>
public abstract class ClusterContract
{
    private static readonly DateTime AsOf = GeneratorOptions.DefaultAsOf.AddDays(-20);

    private protected abstract Backend Backend { get; }

    /// <summary>Money, counts, a rate, a trait and two categories, with missing values (customers without purchases, e-mails or a channel).</summary>
    private static ClusterRequest Mixed(MissingValues missing) => new(
        [new("recency_days"), new("frequency"), new("monetary", Weight: 2), new("email_open_rate"), new("age")],
        [new("gender"), new("preferred_channel", Weight: 0.5)],
        FeatureScaling.ZScore,
        missing,
        MinK: 3,
        MaxK: 5,
        Seed: 11,
        Initializations: 3,
        AutoLog: true);

    [SkippableFact]
    public void Inputs_ReadIntoArraysOfAnyFirstSize_AreTheSameRowsAndValues()
    {
        // The arrays start at the customers' count; a count that is off (customers stored between the count and the read,
        // or removed) must only grow or trim them.
        using var f = Loaded(out var context);
        var columns = f.Warehouse.Columns(TableKind.Customers);
        var numeric = ClusterInputQuery.Resolve(["recency_days", "monetary", "age"], columns, numeric: true);
        var categorical = ClusterInputQuery.Resolve(["gender"], columns, numeric: false);
        var counted = ClusterInputQuery.Read(f.Warehouse, context, numeric, categorical);
        Assert.True(counted.Customers.Count > 100);
        Assert.Equal(counted.Customers.Count, counted.Numeric["age"].Length);
        Assert.Contains(counted.Numeric["recency_days"], v => v is null);   // customers without a purchase
        foreach (var first in new long[] { 0, 1, 7, counted.Customers.Count - 1, counted.Customers.Count + 1000 })
        {
            var read = ClusterInputQuery.Read(f.Warehouse, context, numeric, categorical, first);
            Assert.Equal(counted.Customers, read.Customers);
            foreach (var name in new[] { "recency_days", "monetary", "age" })
            {
                Assert.Equal(counted.Numeric[name], read.Numeric[name]);
            }

            Assert.Equal(counted.Categorical["gender"], read.Categorical["gender"]);
        }
    }

    [SkippableTheory]
    [InlineData(MissingValues.Median)]
    [InlineData(MissingValues.Drop)]
    public void Cluster_GeneratedBase_SqlScoringAgreesWithTheFitForEveryCustomer(MissingValues missing)
    {
        using var f = Loaded(out var context);
        var result = ClusterAnalysis.Fit(f.Warehouse, context, Mixed(missing));
        var model = ClusterAnalysis.Store(f.Warehouse, result.Model, DateTime.UtcNow);
        Assert.Equal(1, model.Version);

        // Auto log: the skewed money and counts, not the age.
        Assert.Contains(model.Request.Numeric, n => n.Name == "monetary" && n.Log);
        Assert.Contains(model.Request.Numeric, n => n.Name == "age" && !n.Log);

        // The in-memory definition: prepare, then the nearest centroid.
        var inputs = ClusterInputQuery.Read(
            f.Warehouse,
            context,
            ClusterInputQuery.Resolve(model.Request.Numeric.Select(n => n.Name), f.Warehouse.Columns(TableKind.Customers), numeric: true),
            ClusterInputQuery.Resolve(model.Request.Categorical.Select(c => c.Name), f.Warehouse.Columns(TableKind.Customers), numeric: false));
        var (points, rows) = model.Preparation.Transform(inputs);
        var labels = KMeans.Assign(points, model.Dimensions, model.Centroids.ToArray());
        var expected = inputs.Customers.ToDictionary(c => c, _ => (int?)null, StringComparer.Ordinal);
        for (var i = 0; i < rows.Length; i++)
        {
            expected[inputs.Customers[rows[i]]] = labels[i] + 1;
        }

        var actual = new Dictionary<string, int?>(StringComparer.Ordinal);
        f.Warehouse.Read(ClusterAnalysis.Assignments(f.Dialect, context, model), r => actual[r.GetString(0)] = r.IsDBNull(1) ? null : (int)Convert.ToInt64(r.GetValue(1), CultureInfo.InvariantCulture));
        Assert.Equal(expected.Count, actual.Count);
        var differences = expected.Where(e => e.Value != actual[e.Key]).Select(e => $"{e.Key}: expected {e.Value}, got {actual[e.Key]}").ToList();
        Assert.True(differences.Count == 0, $"{differences.Count} differences: {string.Join("; ", differences.Take(5))}");

        // The fit's own sizes are what the warehouse counts.
        Assert.Equal(model.Sizes, Enumerable.Range(1, model.K).Select(j => (long)actual.Values.Count(v => v == j)));
        Assert.Equal(result.Clustered, actual.Values.Count(v => v is not null));
        if (missing == MissingValues.Drop)
        {
            // Customers without a purchase (no recency) or an e-mail (no open rate) are in no cluster.
            Assert.InRange(actual.Values.Count(v => v is null), 1, actual.Count - 10);
            Assert.Equal(result.Customers - result.Clustered, actual.Values.Count(v => v is null));
        }
        else
        {
            Assert.All(actual.Values, v => Assert.NotNull(v));
        }
    }

    [SkippableFact]
    public void Clusters_InSegments_SelectTheScoredMembersAndFollowTheActiveModel()
    {
        using var f = Loaded(out var context);
        Assert.Null(ClusterAnalysis.Active(f.Warehouse));
        var first = ClusterAnalysis.Store(f.Warehouse, ClusterAnalysis.Fit(f.Warehouse, context, Mixed(MissingValues.Median)).Model, DateTime.UtcNow);
        var assigned = new Dictionary<string, (long Id, double Distance)>(StringComparer.Ordinal);
        f.Warehouse.Read(ClusterAnalysis.Assignments(f.Dialect, context, first), r => assigned[r.GetString(0)] = (Convert.ToInt64(r.GetValue(1), CultureInfo.InvariantCulture), r.GetDouble(2)));

        var library = SegmentLibrary.Load(f.Workspace, SegmentLibrary.SchemaOf(f.Warehouse, f.Workspace.Settings));
        var compilation = SegmentCompiler.Compile(
            [
                new SegmentSource("t.seg", """
                    segment near_two where cluster = 2 and cluster.distance < 1.5
                    segment one_or_three where in segment cluster_1 or cluster.id = 3
                    """),
                .. library.Sources,
            ],
            library.Schema);
        Assert.Empty(compilation.Diagnostics);
        Assert.True(library.IsGenerated(ClusterAnalysis.Segments(first).File));

        List<string> Members(string name)
        {
            var query = compilation.Find(name)!.Query(f.Dialect, context).Members();
            return f.Strings(query.Text, [.. query.Parameters]).Order(StringComparer.Ordinal).ToList();
        }

        List<string> Where(Func<(long Id, double Distance), bool> rule) => assigned.Where(a => rule(a.Value)).Select(a => a.Key).Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(Members("near_two"));
        Assert.Equal(Where(a => a.Id == 2 && a.Distance < 1.5), Members("near_two"));
        Assert.Equal(Where(a => a.Id is 1 or 3), Members("one_or_three"));
        for (var j = 1; j <= first.K; j++)
        {
            Assert.Equal(first.Sizes[j - 1], Members(ClusterAnalysis.SegmentName(j)).Count);
        }

        // The same request and seed give the same model; a stored model with another k becomes the active one.
        Assert.Equal(first.ToJson(), (ClusterAnalysis.Fit(f.Warehouse, context, Mixed(MissingValues.Median)).Model with { Version = 1 }).ToJson());
        var second = ClusterAnalysis.Store(f.Warehouse, ClusterAnalysis.Fit(f.Warehouse, context, Mixed(MissingValues.Median) with { MinK = 2, MaxK = 2 }).Model, DateTime.UtcNow);
        Assert.Equal(2, second.Version);
        Assert.Equal(second.ToJson(), ClusterAnalysis.Active(f.Warehouse)!.ToJson());
        var now = SegmentLibrary.Load(f.Workspace, SegmentLibrary.SchemaOf(f.Warehouse, f.Workspace.Settings));
        Assert.NotNull(now.Compilation.Find("cluster_2"));
        Assert.Null(now.Compilation.Find("cluster_3"));
        Assert.NotEqual(library.Compilation.Find("cluster_1")!.Version, now.Compilation.Find("cluster_1")!.Version);
    }

    private WarehouseFixture Loaded(out EvaluationContext context)
    {
        var f = new WarehouseFixture(Backend, new WorkspaceSettings());
        f.IngestGenerated(new GeneratorOptions(1500, 30_000, 9, GeneratorOptions.DefaultAsOf));
        context = new EvaluationContext(AsOf, f.Workspace.Settings.Zone);
        return f;
    }
}
