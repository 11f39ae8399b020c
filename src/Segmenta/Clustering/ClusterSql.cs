using System.Globalization;
using Segmenta.Features;
using Segmenta.Language;
using Segmenta.Model;
using Segmenta.Sql;
using Segmenta.Warehouse;

namespace Segmenta.Clustering;

/// <summary>
/// Every statement of the clustering feature. An instance scores a model: it assigns every customer to the
/// model's nearest centroid in SQL, at the evaluation's as-of: the inputs (<see cref="WriteInputs"/>), then each
/// prepared coordinate with the fitted fill, signed log, center, scale and weight, then the squared distance to each centroid summed in coordinate order
/// (the arithmetic <see cref="KMeans"/> does, so the database and the fit agree), then the nearest
/// (the lowest cluster number on a tie). Columns: <c>customer_id, id, distance</c>; a customer dropped
/// for a missing input has no cluster (null).
/// </summary>
internal sealed class ClusterSql(ClusterModel model) : IDerivedFieldSource
{
    /// <summary>The columns of every customer's scored row: computed, stored in <see cref="Tables.ClusterScores"/>, or read back.</summary>
    public static IReadOnlyList<string> Columns { get; } = [CanonicalModel.CustomerId, "id", "distance"];

    /// <summary>Stores a model under its version.</summary>
    public static SqlStatement InsertModel(ISqlDialect d, ClusterModel model, DateTime fittedAt)
    {
        var sql = new SqlBuilder(d);
        sql.Append($"INSERT INTO {d.QuoteIdentifier(Tables.ClusterModels)} (version, fitted_at, as_of, k, customers, inertia, model) VALUES ({sql.Parameter((long)model.Version)}, {sql.Parameter(fittedAt)}, {sql.Parameter(model.AsOf)}, {sql.Parameter((long)model.K)}, {sql.Parameter(model.Sizes.Sum())}, {sql.Parameter(model.Inertia)}, {sql.Parameter(model.ToJson())})");
        return sql.Build();
    }

    /// <summary>Every customer's cluster computed at the context's as-of, ordered by customer id (columns: <c>customer_id, cluster, distance</c>).</summary>
    public static SqlStatement Assignments(ISqlDialect d, EvaluationContext context, ClusterModel model)
    {
        var sql = new SqlBuilder(d);
        var id = d.QuoteIdentifier(CanonicalModel.CustomerId);
        sql.Append($"SELECT s.{id}, s.id AS {d.QuoteIdentifier("cluster")}, s.distance FROM (\n");
        new ClusterSql(model).Write(sql, context);
        sql.Append($"\n) s ORDER BY {d.BinaryOrder("s." + id)}");
        return sql.Build();
    }

    /// <summary>How many customers there are: the rows <see cref="InputsByCustomer"/> gives.</summary>
    public static SqlStatement CustomerCount(ISqlDialect d) => new($"SELECT count(*) FROM {d.QuoteIdentifier(Tables.Customers)}", []);

    /// <summary>Every customer's inputs (<see cref="WriteInputs"/>), ordered by customer id (bytes).</summary>
    public static SqlStatement InputsByCustomer(ISqlDialect d, EvaluationContext context, IReadOnlyList<InputColumn> numeric, IReadOnlyList<InputColumn> categorical)
    {
        var sql = new SqlBuilder(d);
        sql.Append("SELECT * FROM (\n");
        WriteInputs(sql, context, numeric, categorical);
        sql.Append($"\n) x ORDER BY {d.BinaryOrder("x." + d.QuoteIdentifier(CanonicalModel.CustomerId))}");
        return sql.Build();
    }

    /// <summary>
    /// Writes <c>SELECT customer_id, n0…, t0… FROM customers …</c>: numeric inputs as doubles
    /// (<c>n</c> and their position), categorical ones as text (<c>t</c> and their position).
    /// </summary>
    public static void WriteInputs(SqlBuilder sql, EvaluationContext context, IReadOnlyList<InputColumn> numeric, IReadOnlyList<InputColumn> categorical)
    {
        var d = sql.Dialect;
        var id = d.QuoteIdentifier(CanonicalModel.CustomerId);
        var computed = numeric.Concat(categorical).Where(c => c.Computed).Select(c => c.Name).Distinct(StringComparer.Ordinal).ToList();
        string Source(InputColumn c) => (c.Computed ? "f." : "c.") + d.QuoteIdentifier(c.Name);
        sql.Append($"SELECT c.{id} AS {id}");
        for (var i = 0; i < numeric.Count; i++)
        {
            sql.Append($", {d.ToDouble(Source(numeric[i]))} AS n{I(i)}");
        }

        for (var i = 0; i < categorical.Count; i++)
        {
            sql.Append($", CAST({Source(categorical[i])} AS {d.TypeName(FieldType.Text)}) AS t{I(i)}");
        }

        sql.Append($"\nFROM {d.QuoteIdentifier(Tables.Customers)} c");
        if (computed.Count > 0)
        {
            sql.Append("\nJOIN (\n");
            FeatureSql.Write(sql, context, computed);
            sql.Append($"\n) f ON f.{id} = c.{id}");
        }
    }

    /// <summary>The model scored.</summary>
    public ClusterModel Model { get; } = model;

    /// <inheritdoc />
    /// <remarks>Reads the clusters stored at the as-of when the context says they are (a refresh stored them), else scores.</remarks>
    public void WriteRows(SqlBuilder sql, EvaluationContext context, IReadOnlyCollection<string> fields)
    {
        ArgumentNullException.ThrowIfNull(sql);
        ArgumentNullException.ThrowIfNull(context);
        if (context.Stored.TryGetValue(ClusterAnalysis.Analysis, out var stored))
        {
            var d = sql.Dialect;
            sql.Append($"SELECT {string.Join(", ", Columns.Select(d.QuoteIdentifier))} FROM {d.QuoteIdentifier(stored)} WHERE as_of = {sql.Parameter(context.AsOf)}");
            return;
        }

        Write(sql, context);
    }

    /// <summary>Writes <c>SELECT customer_id, id, distance</c> for every customer.</summary>
    public void Write(SqlBuilder sql, EvaluationContext context)
    {
        ArgumentNullException.ThrowIfNull(sql);
        ArgumentNullException.ThrowIfNull(context);
        var id = sql.Dialect.QuoteIdentifier(CanonicalModel.CustomerId);
        var dims = Model.Preparation.Dimensions;
        var k = Model.K;

        sql.Append($"SELECT {id}, CASE WHEN m IS NULL THEN NULL");
        for (var j = 1; j < k; j++)
        {
            sql.Append($" WHEN d{I(j)} = m THEN {I(j)}");
        }

        sql.Append($" ELSE {I(k)} END AS id, sqrt(m) AS distance\nFROM (\n  SELECT {id}, least({string.Join(", ", Enumerable.Range(1, k).Select(j => "d" + I(j)))}) AS m");
        for (var j = 1; j <= k; j++)
        {
            sql.Append($", d{I(j)}");
        }

        sql.Append($"\n  FROM (\n    SELECT {id}");
        for (var j = 1; j <= k; j++)
        {
            var centroid = Model.Centroid(j);
            var terms = Enumerable.Range(0, dims.Count).Select(t =>
            {
                var c = sql.Parameter(centroid[t]);
                return $"(x{I(t)} - {c}) * (x{I(t)} - {c})";
            });
            sql.Append($",\n           {string.Join(" + ", terms)} AS d{I(j)}");
        }

        sql.Append("\n    FROM (\n");
        WriteCoordinates(sql, context);
        sql.Append("\n    ) p\n  ) q\n) r");
    }

    /// <summary>
    /// Writes <c>SELECT id, members, x0…</c>: per cluster, its members and the mean of each prepared coordinate
    /// over them (where the cluster's members sit now, to compare with the model's centroid); ordered by cluster.
    /// The clusters come from <see cref="WriteRows"/>: the stored scores when the context has them.
    /// </summary>
    public void WriteMemberMeans(SqlBuilder sql, EvaluationContext context)
    {
        ArgumentNullException.ThrowIfNull(sql);
        var id = sql.Dialect.QuoteIdentifier(CanonicalModel.CustomerId);
        var dims = Model.Preparation.Dimensions.Count;
        sql.Append($"SELECT s.id, count(*) AS members{string.Concat(Enumerable.Range(0, dims).Select(t => $", {sql.Dialect.ExactMean($"p.x{I(t)}")} AS x{I(t)}"))}\nFROM (\n");
        WriteCoordinates(sql, context);
        sql.Append("\n) p\nJOIN (\n");
        WriteRows(sql, context, []);
        sql.Append($"\n) s ON s.{id} = p.{id}\nWHERE s.id IS NOT NULL GROUP BY s.id ORDER BY s.id");
    }

    /// <summary>Writes <c>SELECT customer_id, x0…</c>: every customer's prepared coordinates.</summary>
    private void WriteCoordinates(SqlBuilder sql, EvaluationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var id = sql.Dialect.QuoteIdentifier(CanonicalModel.CustomerId);
        var request = Model.Request;
        var numeric = request.Numeric.Select(n => Column(n.Name)).ToList();
        var categorical = request.Categorical.Select(c => Column(c.Name)).ToList();
        var dims = Model.Preparation.Dimensions;
        sql.Append($"SELECT {id}");
        for (var t = 0; t < dims.Count; t++)
        {
            sql.Append($",\n       {Coordinate(sql, dims[t], numeric, categorical)} AS x{I(t)}");
        }

        sql.Append("\nFROM (\n");
        WriteInputs(sql, context, numeric, categorical);
        sql.Append("\n) i");
    }

    /// <summary>One prepared coordinate, as <see cref="PreparedDimension.Numeric"/> computes it.</summary>
    private static string Coordinate(SqlBuilder sql, PreparedDimension dim, List<InputColumn> numeric, List<InputColumn> categorical)
    {
        var d = sql.Dialect;
        if (dim.Level is { } level)
        {
            var t = categorical.FindIndex(c => c.Name == dim.Input);
            return $"CASE WHEN t{I(t)} = {sql.Parameter(level)} THEN {sql.Parameter(dim.Weight)} ELSE {d.ToDouble("0")} END";
        }

        var n = "n" + I(numeric.FindIndex(c => c.Name == dim.Input));
        var value = double.IsNaN(dim.Fill) ? n : $"coalesce({n}, {sql.Parameter(dim.Fill)})";
        if (dim.Log)
        {
            value = $"sign({value}) * ln(1 + abs({value}))";
        }

        return $"(({value} - {sql.Parameter(dim.Center)}) / {sql.Parameter(dim.Scale)}) * {sql.Parameter(dim.Weight)}";
    }

    /// <summary>Where an input of a stored model comes from: a computed feature, else a customer column (types were checked at the fit).</summary>
    private static InputColumn Column(string name) =>
        FeatureCatalog.Find(name) is { Trait: false } feature
            ? new InputColumn(name, feature.Type, true, feature.Unit)
            : new InputColumn(name, FieldType.Text, false, null);

    private static string I(int i) => i.ToString(CultureInfo.InvariantCulture);
}
