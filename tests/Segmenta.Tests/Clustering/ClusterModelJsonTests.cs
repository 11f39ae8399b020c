using System.Text.Json;
using Segmenta.Clustering;
using Xunit;

namespace Segmenta.Tests.Clustering;

/// <summary>
/// The stored cluster model's JSON comes from a contract generated at build time; models stored before it were written
/// by reflection (<see cref="ReflectionJson"/>). Both must write the same text and read each other's.
/// </summary>
public sealed class ClusterModelJsonTests
{
    [Theory]
    [InlineData(FeatureScaling.ZScore, MissingValues.Median)]
    [InlineData(FeatureScaling.Robust, MissingValues.Drop)]
    public void ToJson_SameTextAsReflection_AndEachReadsTheOther(FeatureScaling scaling, MissingValues missing)
    {
        var random = new Random(3);
        var n = 300;
        var inputs = new ClusterInputs(
            [.. Enumerable.Range(0, n).Select(i => $"c{i}")],
            new Dictionary<string, double?[]>
            {
                ["spend"] = [.. Enumerable.Range(0, n).Select(i => i % 17 == 0 ? (double?)null : (i % 3 * 100) + random.NextDouble())],
                ["visits"] = [.. Enumerable.Range(0, n).Select(i => (double?)(i % 3) + random.NextDouble())],
            },
            new Dictionary<string, string?[]> { ["country"] = [.. Enumerable.Range(0, n).Select(i => i % 5 == 0 ? null : i % 2 == 0 ? "US" : "GB")] });
        NumericInput[] numeric = [new("spend", Log: true), new("visits", Weight: 2)];
        CategoricalInput[] categorical = [new("country", Weight: 0.5)];
        var preparation = ClusterPreparation.Fit(inputs, numeric, categorical, scaling, missing);
        var (points, _) = preparation.Transform(inputs);
        var (fit, choice) = ClusterSelection.Choose(points, preparation.Dimensions.Count, 2, 4, new KMeansOptions(0, Seed: 1, Initializations: 2));
        var request = new ClusterRequest(numeric, categorical, scaling, missing, 2, 4, 1, 2, AutoLog: true);
        var model = new ClusterModel(3, new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc), request, preparation, fit.K, [.. fit.Centroids], [.. fit.Sizes], fit.Inertia, choice);

        var generated = ReflectionJson.AssertSameContract(model, m => m.ToJson(), ClusterModel.FromJson);
        Assert.Contains($"\"scaling\":\"{JsonNamingPolicy.SnakeCaseLower.ConvertName(scaling.ToString())}\"", generated, StringComparison.Ordinal);
    }
}
