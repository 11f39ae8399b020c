using Segmenta.Numerics;

namespace Segmenta.Clustering;

/// <summary>How numeric inputs are put on a common scale before clustering.</summary>
public enum FeatureScaling
{
    /// <summary>Values as they are (after the log transform, when asked).</summary>
    None,

    /// <summary>(x − mean) / standard deviation (population, as scikit-learn's StandardScaler).</summary>
    ZScore,

    /// <summary>(x − median) / interquartile range (linear-interpolation quartiles): outliers pull less.</summary>
    Robust,
}

/// <summary>What happens to a customer with a missing numeric input.</summary>
public enum MissingValues
{
    /// <summary>Filled with the input's median.</summary>
    Median,

    /// <summary>Filled with the input's mean.</summary>
    Mean,

    /// <summary>Filled with 0.</summary>
    Zero,

    /// <summary>Left out: not trained on, and in no cluster.</summary>
    Drop,
}

/// <summary>A numeric clustering input.</summary>
/// <param name="Name">The feature or trait.</param>
/// <param name="Weight">Multiplies the scaled value: 2 counts the input twice as much in distances.</param>
/// <param name="Log">Take sign(x)·ln(1 + |x|) first, for skewed money and counts.</param>
public sealed record NumericInput(string Name, double Weight = 1, bool Log = false);

/// <summary>A categorical clustering input, one-hot encoded.</summary>
/// <param name="Name">The trait or text feature.</param>
/// <param name="Weight">The value of the "yes" coordinate (the coordinates are not scaled).</param>
/// <param name="MaxLevels">The most frequent levels that get a coordinate; rarer and missing values get none (all zeros).</param>
public sealed record CategoricalInput(string Name, double Weight = 1, int MaxLevels = 10);

/// <summary>
/// One coordinate of a prepared point. Numeric: ((log? slog(x ?? Fill) : x ?? Fill) − Center) / Scale · Weight.
/// One-hot: Weight when the value equals <see cref="Level"/>, else 0.
/// </summary>
/// <param name="Input">The input's name.</param>
/// <param name="Level">The level of a one-hot coordinate; null for a numeric one.</param>
/// <param name="Log">Whether the signed log transform applies.</param>
/// <param name="Fill">What a missing numeric value is taken as (NaN under <see cref="MissingValues.Drop"/>).</param>
/// <param name="Center">Subtracted after the transform.</param>
/// <param name="Scale">Divides after centering (1 when the input does not vary).</param>
/// <param name="Weight">Multiplies at the end.</param>
public sealed record PreparedDimension(string Input, string? Level, bool Log, double Fill, double Center, double Scale, double Weight)
{
    /// <summary>The coordinate's label: the input, or <c>input=level</c>.</summary>
    public string Label => Level is null ? Input : Input + "=" + Level;

    /// <summary>sign(x)·ln(1 + |x|): defined for every x, 0 at 0, monotonic.</summary>
    public static double SignedLog(double x) => Math.Sign(x) * Math.Log(1 + Math.Abs(x));

    /// <summary>The prepared value of a numeric input's raw value (already filled).</summary>
    public double Numeric(double raw) => ((Log ? SignedLog(raw) : raw) - Center) / Scale * Weight;

    /// <summary>A prepared value back in the input's units (the inverse of <see cref="Numeric"/>).</summary>
    public double Original(double prepared)
    {
        var x = (prepared / Weight * Scale) + Center;
        return Log ? Math.Sign(x) * (Math.Exp(Math.Abs(x)) - 1) : x;
    }
}

/// <summary>The raw inputs of the customers to cluster: one array per input, one slot per customer.</summary>
/// <param name="Customers">Customer ids, in row order.</param>
/// <param name="Numeric">Each numeric input's values (null when missing).</param>
/// <param name="Categorical">Each categorical input's values (null when missing).</param>
public sealed record ClusterInputs(IReadOnlyList<string> Customers, IReadOnlyDictionary<string, double?[]> Numeric, IReadOnlyDictionary<string, string?[]> Categorical);

/// <summary>
/// Feature preparation as explicit, recorded steps: fill or drop missing values, signed log, scale,
/// weight, one-hot encode. The fitted <see cref="Dimensions"/> are everything scoring needs, so the
/// same arithmetic can run in SQL over the whole base.
/// </summary>
/// <param name="Dimensions">The coordinates, numeric inputs first in the order asked, then one-hot levels.</param>
/// <param name="Scaling">The scaling used.</param>
/// <param name="Missing">The missing-value policy used.</param>
public sealed record ClusterPreparation(IReadOnlyList<PreparedDimension> Dimensions, FeatureScaling Scaling, MissingValues Missing)
{
    /// <summary>Fits the preparation to <paramref name="inputs"/>: fills, centers and scales from the customers that are kept.</summary>
    public static ClusterPreparation Fit(ClusterInputs inputs, IReadOnlyList<NumericInput> numeric, IReadOnlyList<CategoricalInput> categorical, FeatureScaling scaling, MissingValues missing)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(numeric);
        ArgumentNullException.ThrowIfNull(categorical);
        if (numeric.Count + categorical.Count == 0)
        {
            throw new ArgumentException("clustering needs at least one input", nameof(numeric));
        }

        var kept = Kept(inputs, numeric.Select(n => n.Name), missing);
        var dimensions = new List<PreparedDimension>();
        foreach (var input in numeric)
        {
            var values = inputs.Numeric[input.Name];
            var present = kept.Where(i => values[i] is not null).Select(i => values[i]!.Value).ToArray();
            var fill = missing switch
            {
                MissingValues.Drop => double.NaN,
                MissingValues.Zero => 0,
                MissingValues.Mean => present.Length == 0 ? 0 : present.Average(),
                _ => present.Length == 0 ? 0 : Statistics.Quantile(present.Order().ToArray(), 0.5),
            };
            var transformed = kept.Select(i => values[i] ?? fill).Select(x => input.Log ? PreparedDimension.SignedLog(x) : x).ToArray();
            var (center, scale) = scaling switch
            {
                FeatureScaling.ZScore => MeanAndDeviation(transformed),
                FeatureScaling.Robust => MedianAndIqr(transformed),
                _ => (0.0, 1.0),
            };
            dimensions.Add(new PreparedDimension(input.Name, null, input.Log, fill, center, scale == 0 || !double.IsFinite(scale) ? 1 : scale, input.Weight));
        }

        foreach (var input in categorical)
        {
            var values = inputs.Categorical[input.Name];
            var levels = kept.Select(i => values[i]).OfType<string>()
                .GroupBy(v => v, StringComparer.Ordinal)
                .OrderByDescending(g => g.Count())
                .ThenBy(g => g.Key, StringComparer.Ordinal)
                .Take(input.MaxLevels)
                .Select(g => g.Key)
                .Order(StringComparer.Ordinal);
            dimensions.AddRange(levels.Select(level => new PreparedDimension(input.Name, level, false, double.NaN, 0, 1, input.Weight)));
        }

        return new ClusterPreparation(dimensions, scaling, missing);
    }

    /// <summary>The prepared points of the kept customers (row-major) and which rows they are.</summary>
    public (double[] Points, int[] Rows) Transform(ClusterInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var rows = Kept(inputs, Dimensions.Where(d => d.Level is null).Select(d => d.Input).Distinct(StringComparer.Ordinal), Missing);
        var d = Dimensions.Count;
        var points = new double[rows.Length * d];
        for (var t = 0; t < d; t++)
        {
            var dim = Dimensions[t];
            if (dim.Level is null)
            {
                var values = inputs.Numeric[dim.Input];
                for (var r = 0; r < rows.Length; r++)
                {
                    points[(r * d) + t] = dim.Numeric(values[rows[r]] ?? dim.Fill);
                }
            }
            else
            {
                var values = inputs.Categorical[dim.Input];
                for (var r = 0; r < rows.Length; r++)
                {
                    points[(r * d) + t] = string.Equals(values[rows[r]], dim.Level, StringComparison.Ordinal) ? dim.Weight : 0;
                }
            }
        }

        return (points, rows);
    }

    /// <summary>Sample skewness (Fisher's g1) of the present values: above 1 is strongly right-skewed, the case for <see cref="NumericInput.Log"/>.</summary>
    public static double Skewness(IEnumerable<double?> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var x = values.Where(v => v.HasValue).Select(v => v!.Value).ToArray();   // not OfType, which boxes every value
        if (x.Length < 3)
        {
            return 0;
        }

        var mean = x.Average();
        double m2 = 0, m3 = 0;
        foreach (var v in x)
        {
            var dv = v - mean;
            m2 += dv * dv;
            m3 += dv * dv * dv;
        }

        m2 /= x.Length;
        m3 /= x.Length;
        return m2 == 0 ? 0 : m3 / Math.Pow(m2, 1.5);
    }

    private static int[] Kept(ClusterInputs inputs, IEnumerable<string> numeric, MissingValues missing)
    {
        var all = Enumerable.Range(0, inputs.Customers.Count);
        if (missing != MissingValues.Drop)
        {
            return all.ToArray();
        }

        var columns = numeric.Select(n => inputs.Numeric[n]).ToList();
        return all.Where(i => columns.All(c => c[i] is not null)).ToArray();
    }

    private static (double, double) MeanAndDeviation(double[] x)
    {
        if (x.Length == 0)
        {
            return (0, 1);
        }

        var mean = x.Average();
        var variance = x.Sum(v => (v - mean) * (v - mean)) / x.Length;
        return (mean, Math.Sqrt(variance));
    }

    private static (double, double) MedianAndIqr(double[] x)
    {
        if (x.Length == 0)
        {
            return (0, 1);
        }

        var sorted = x.Order().ToArray();
        return (Statistics.Quantile(sorted, 0.5), Statistics.Quantile(sorted, 0.75) - Statistics.Quantile(sorted, 0.25));
    }
}
