using System.Text.Json;
using System.Text.Json.Serialization;

namespace Segmenta.Clustering;

/// <summary>What to cluster on and how: the inputs, their preparation, and the search for k.</summary>
/// <param name="Numeric">Numeric inputs: catalog features (<c>monetary</c>), demographic traits (<c>income</c>) or any numeric customer column.</param>
/// <param name="Categorical">Categorical inputs, one-hot encoded: text traits or features (<c>gender</c>, <c>preferred_channel</c>).</param>
/// <param name="Scaling">How numeric inputs are put on one scale.</param>
/// <param name="Missing">What a missing numeric value becomes.</param>
/// <param name="MinK">The smallest k tried.</param>
/// <param name="MaxK">The largest k tried (equal to <paramref name="MinK"/> for a fixed k).</param>
/// <param name="Seed">Seeds k-means++ and the silhouette sample.</param>
/// <param name="Initializations">k-means++ starts per k; the lowest inertia wins.</param>
/// <param name="AutoLog">Log-transform the money and count inputs whose skewness exceeds 1 (inputs with <see cref="NumericInput.Log"/> set are logged anyway).</param>
/// <param name="SilhouetteSample">Customers the silhouette is computed on (all of them when there are fewer).</param>
public sealed record ClusterRequest(
    IReadOnlyList<NumericInput> Numeric,
    IReadOnlyList<CategoricalInput> Categorical,
    FeatureScaling Scaling = FeatureScaling.ZScore,
    MissingValues Missing = MissingValues.Median,
    int MinK = 2,
    int MaxK = 10,
    ulong Seed = 42,
    int Initializations = 10,
    bool AutoLog = false,
    int SilhouetteSample = ClusterQuality.DefaultSilhouetteSample)
{
    /// <summary>Skewness above which <see cref="AutoLog"/> logs a money or count input.</summary>
    public const double SkewnessThreshold = 1;
}

/// <summary>
/// A fitted, stored clustering: the preparation and centroids that assign any customer, at any as-of,
/// to a cluster. Clusters are numbered 1..k by size, largest first, as of the fit.
/// </summary>
/// <param name="Version">The model's number in <c>cluster_models</c> (0 before it is stored); the newest is the active one.</param>
/// <param name="AsOf">The instant the inputs were computed at for the fit.</param>
/// <param name="Request">What was asked.</param>
/// <param name="Preparation">The fitted preparation: every coordinate's transform.</param>
/// <param name="K">Number of clusters.</param>
/// <param name="Centroids">Centroids in prepared coordinates, row-major: cluster j (1-based) is row j − 1.</param>
/// <param name="Sizes">Customers per cluster at the fit, cluster 1 first.</param>
/// <param name="Inertia">Sum of squared distances of the fitted customers to their centroids.</param>
/// <param name="Choice">How k was chosen: every k tried with its quality (null in models stored before it was kept).</param>
public sealed record ClusterModel(
    int Version,
    DateTime AsOf,
    ClusterRequest Request,
    ClusterPreparation Preparation,
    int K,
    IReadOnlyList<double> Centroids,
    IReadOnlyList<long> Sizes,
    double Inertia,
    KChoice? Choice = null)
{

    /// <summary>Dimensions of a prepared point.</summary>
    public int Dimensions => Preparation.Dimensions.Count;

    /// <summary>The centroid of cluster <paramref name="cluster"/> (1-based), in prepared coordinates.</summary>
    public IReadOnlyList<double> Centroid(int cluster)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(cluster, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(cluster, K);
        return Centroids.Skip((cluster - 1) * Dimensions).Take(Dimensions).ToList();
    }

    /// <summary>The model as JSON text, as stored (doubles round-trip exactly).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, ClusterModelJson.Default.ClusterModel);

    /// <summary>Reads a model written by <see cref="ToJson"/>.</summary>
    public static ClusterModel FromJson(string json) =>
        JsonSerializer.Deserialize(json, ClusterModelJson.Default.ClusterModel) ?? throw new JsonException("a cluster model was expected");
}

/// <summary>
/// The stored model's JSON contract, generated at build time (as <c>Segmenta.Clv.ClvModelJson</c>): the same text reflection
/// wrote, without building the contract on first use in every command that reads the model.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    Converters = [typeof(SnakeCaseEnum<FeatureScaling>), typeof(SnakeCaseEnum<MissingValues>)])]
[JsonSerializable(typeof(ClusterModel))]
internal sealed partial class ClusterModelJson : JsonSerializerContext;
