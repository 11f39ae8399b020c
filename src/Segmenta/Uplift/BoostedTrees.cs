using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.LightGbm;

namespace Segmenta.Uplift;

/// <summary>The gradient-boosted trees every uplift learner fits (LightGBM through ML.NET).</summary>
/// <param name="Trees">Boosting iterations.</param>
/// <param name="Leaves">Leaves per tree.</param>
/// <param name="LearningRate">Shrinkage per tree.</param>
/// <param name="MinimumLeaf">Customers a leaf needs at least: uplift is a small difference, so leaves must be large to see it.</param>
/// <param name="Seed">LightGBM's and ML.NET's seed.</param>
public sealed record BoostingOptions(int Trees = 100, int Leaves = 8, double LearningRate = 0.05, int MinimumLeaf = 100, int Seed = 42);

/// <summary>A fitted model's predictions for rows of features.</summary>
internal interface IPredictor
{
    double[] Predict(float[][] rows);
}

/// <summary>
/// LightGBM (ML.NET's <c>Microsoft.ML.LightGbm</c>) behind one call: a regression of a number, or the probability of a
/// yes/no outcome. Rows are dense float vectors; a missing value is NaN, which LightGBM routes to its own side of each split.
/// An outcome without variation (nobody converted) is its constant: there is nothing for trees to learn.
/// </summary>
internal static class BoostedTrees
{
    public static IPredictor Regression(float[][] rows, double[] label, BoostingOptions options) =>
        Fit(rows, label, binary: false, options);

    public static IPredictor Probability(float[][] rows, double[] label, BoostingOptions options) =>
        Fit(rows, label, binary: true, options);

    private static IPredictor Fit(float[][] rows, double[] label, bool binary, BoostingOptions options)
    {
        if (rows.Length == 0)
        {
            throw new ArgumentException("no rows to fit", nameof(rows));
        }

        var first = label[0];
        if (label.All(v => v == first))
        {
            return new Constant(first);
        }

        var width = rows[0].Length;
        var ml = new MLContext(options.Seed);
        var data = ml.Data.LoadFromEnumerable(rows.Select((r, i) => new Row { Features = r, Label = (float)label[i], Flag = label[i] > 0 }), Schema(width));
        ITransformer model;
        string column;
        if (binary)
        {
            model = ml.BinaryClassification.Trainers.LightGbm(new LightGbmBinaryTrainer.Options
            {
                LabelColumnName = nameof(Row.Flag),
                FeatureColumnName = nameof(Row.Features),
                NumberOfIterations = options.Trees,
                NumberOfLeaves = options.Leaves,
                LearningRate = options.LearningRate,
                MinimumExampleCountPerLeaf = options.MinimumLeaf,
                Seed = options.Seed,
                Silent = true,
                Verbose = false,
            }).Fit(data);
            column = "Probability";
        }
        else
        {
            model = ml.Regression.Trainers.LightGbm(new LightGbmRegressionTrainer.Options
            {
                LabelColumnName = nameof(Row.Label),
                FeatureColumnName = nameof(Row.Features),
                NumberOfIterations = options.Trees,
                NumberOfLeaves = options.Leaves,
                LearningRate = options.LearningRate,
                MinimumExampleCountPerLeaf = options.MinimumLeaf,
                Seed = options.Seed,
                Silent = true,
                Verbose = false,
            }).Fit(data);
            column = "Score";
        }

        return new Fitted(ml, model, column, width);
    }

    private static SchemaDefinition Schema(int width)
    {
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
        return schema;
    }

    private sealed class Fitted(MLContext ml, ITransformer model, string column, int width) : IPredictor
    {
        public double[] Predict(float[][] rows)
        {
            if (rows.Length == 0)
            {
                return [];
            }

            var data = ml.Data.LoadFromEnumerable(rows.Select(r => new Row { Features = r }), Schema(width));
            var scored = model.Transform(data);
            return [.. scored.GetColumn<float>(column).Select(v => (double)v)];
        }
    }

    private sealed class Constant(double value) : IPredictor
    {
        public double[] Predict(float[][] rows) => [.. rows.Select(_ => value)];
    }

    /// <summary>ML.NET's row shape (its properties are read by reflection).</summary>
    private sealed class Row
    {
        public float[] Features { get; set; } = [];

        public float Label { get; set; }

        public bool Flag { get; set; }
    }
}
