using Segmenta.Clustering;

namespace Segmenta.Uplift;

/// <summary>
/// Turns the inputs into the rows the trees read: numbers as they are (missing as NaN), categories one-hot over the
/// most frequent levels among the training customers (at most <see cref="MaximumLevels"/>; rarer levels and a missing
/// value have no column of their own).
/// </summary>
internal sealed class UpliftEncoder
{
    public const int MaximumLevels = 20;

    private UpliftEncoder(IReadOnlyList<UpliftInput> inputs) => Inputs = inputs;

    public IReadOnlyList<UpliftInput> Inputs { get; }

    public static UpliftEncoder Fit(IReadOnlyList<InputColumn> numeric, IReadOnlyList<InputColumn> categorical, ClusterInputs inputs, int[] training)
    {
        var result = numeric.Select(n => new UpliftInput(n.Name, false, [])).ToList();
        foreach (var c in categorical)
        {
            var values = inputs.Categorical[c.Name];
            var levels = training.Select(i => values[i]).OfType<string>()
                .GroupBy(v => v, StringComparer.Ordinal)
                .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
                .Take(MaximumLevels).Select(g => g.Key).ToList();
            result.Add(new UpliftInput(c.Name, true, levels));
        }

        return new UpliftEncoder(result);
    }

    public float[][] Encode(ClusterInputs inputs, IReadOnlyList<int> rows)
    {
        var width = Inputs.Sum(i => i.Categorical ? i.Levels.Count : 1);
        var result = new float[rows.Count][];
        for (var r = 0; r < rows.Count; r++)
        {
            var row = new float[width];
            var at = 0;
            foreach (var input in Inputs)
            {
                if (!input.Categorical)
                {
                    row[at++] = inputs.Numeric[input.Name][rows[r]] is { } v ? (float)v : float.NaN;
                    continue;
                }

                var value = inputs.Categorical[input.Name][rows[r]];
                for (var l = 0; l < input.Levels.Count; l++)
                {
                    row[at + l] = value == input.Levels[l] ? 1 : 0;
                }

                at += input.Levels.Count;
            }

            result[r] = row;
        }

        return result;
    }
}

/// <summary>The two uplift learners over <see cref="BoostedTrees"/>.</summary>
internal static class UpliftLearner
{
    /// <summary>A fitted learner: predicted uplift, and predicted outcome without contact.</summary>
    public sealed class Fitted(Func<float[][], double[]> uplift, IPredictor control)
    {
        public double[] Uplift(float[][] rows) => uplift(rows);

        public double[] Baseline(float[][] rows) => control.Predict(rows);
    }

    /// <summary>
    /// Fits <paramref name="method"/> to training rows with outcome <paramref name="y"/> and treatment <paramref name="treated"/>.
    /// The control model (the outcome without contact) is fitted either way: the T-learner's second model, and the baseline
    /// the quadrants need.
    /// </summary>
    public static Fitted Fit(float[][] rows, double[] y, byte[] treated, bool binary, UpliftMethod method, double treatedShare, BoostingOptions options)
    {
        var (controlRows, controlY) = Group(rows, y, treated, 0);
        var control = binary ? BoostedTrees.Probability(controlRows, controlY, options) : BoostedTrees.Regression(controlRows, controlY, options);
        if (method == UpliftMethod.TLearner)
        {
            var (treatedRows, treatedY) = Group(rows, y, treated, 1);
            var treatment = binary ? BoostedTrees.Probability(treatedRows, treatedY, options) : BoostedTrees.Regression(treatedRows, treatedY, options);
            return new Fitted(x => Difference(treatment.Predict(x), control.Predict(x)), control);
        }

        // E[Y (T − p) / (p (1 − p)) | x] = E[Y | T = 1, x] − E[Y | T = 0, x] when T is drawn with probability p.
        var p = treatedShare;
        var z = y.Select((v, i) => v * (treated[i] - p) / (p * (1 - p))).ToArray();
        var transformed = BoostedTrees.Regression(rows, z, options);
        return new Fitted(transformed.Predict, control);
    }

    private static (float[][] Rows, double[] Y) Group(float[][] rows, double[] y, byte[] treated, byte group)
    {
        var r = new List<float[]>();
        var v = new List<double>();
        for (var i = 0; i < rows.Length; i++)
        {
            if (treated[i] == group)
            {
                r.Add(rows[i]);
                v.Add(y[i]);
            }
        }

        return ([.. r], [.. v]);
    }

    private static double[] Difference(double[] a, double[] b)
    {
        var result = new double[a.Length];
        for (var i = 0; i < a.Length; i++)
        {
            result[i] = a[i] - b[i];
        }

        return result;
    }
}
