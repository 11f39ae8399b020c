using System.Collections.Frozen;
using System.Text.Json;
using Segmenta.Language;
using Segmenta.Model;
using Segmenta.Sql;
using Segmenta.Warehouse;

namespace Segmenta.Features;

/// <summary>The distribution of one feature at a snapshot: numbers and instants by summary statistics, text by its most common values.</summary>
/// <param name="Feature">The feature.</param>
/// <param name="Present">Customers with a value (not missing).</param>
/// <param name="Mean">The mean of a number.</param>
/// <param name="Min">The smallest number.</param>
/// <param name="Median">The median of a number (linear interpolation).</param>
/// <param name="Max">The largest number.</param>
/// <param name="First">The earliest instant.</param>
/// <param name="Last">The latest instant.</param>
/// <param name="Top">The most common texts with their counts (most first, then by text).</param>
public sealed record FeatureDistribution(
    FeatureDefinition Feature,
    long Present,
    double? Mean,
    double? Min,
    double? Median,
    double? Max,
    DateTime? First,
    DateTime? Last,
    IReadOnlyList<(string Value, long Count)> Top);

/// <summary>
/// Materialized features: every customer's row of <see cref="FeatureCatalog"/> at an as-of instant,
/// stored in <see cref="Tables.CustomerFeatures"/> beside earlier snapshots, so a later refresh can compare them.
/// </summary>
public static class FeatureSnapshots
{
    /// <summary>The analysis name in <see cref="AnalysisRuns"/>.</summary>
    public const string Analysis = "features";

    /// <summary>Every feature, in catalog order: the snapshot's columns after <c>customer_id</c>.</summary>
    internal static IReadOnlyList<string> Names { get; } = FeatureCatalog.All.Select(f => f.Name).ToList();

    /// <summary>Computes every feature of every customer as of the context's instant and stores it (replacing a snapshot at the same instant).</summary>
    public static AnalysisRun Materialize(IWarehouse warehouse, EvaluationContext context, DateTime now, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        ArgumentNullException.ThrowIfNull(context);
        var options = JsonSerializer.Serialize(new Dictionary<string, string> { ["timezone"] = context.Zone.Id });
        var computing = OrderSummary.Prepare(warehouse, context.WithNothingStored());
        warehouse.ExecuteInTransaction(
            WarehouseSql.ReplaceAnalysis(warehouse.Dialect, Analysis, Tables.CustomerFeatures, Columns, sql => FeatureSql.Write(sql, computing, Names), context.AsOf, now, options),
            cancellation);
        return AnalysisRuns.List(warehouse, Analysis).First(r => r.AsOf == context.AsOf);
    }

    /// <summary>The stored rows at <paramref name="asOf"/>: <c>customer_id</c> and every feature, ordered by customer id.</summary>
    public static SqlStatement Rows(ISqlDialect dialect, DateTime asOf)
    {
        ArgumentNullException.ThrowIfNull(dialect);
        return FeatureSql.StoredRows(dialect, Columns, asOf);
    }

    /// <summary>The columns of <see cref="Rows"/>.</summary>
    public static IReadOnlyList<string> Columns { get; } = [CanonicalModel.CustomerId, .. Names];

    /// <summary>The distribution of every feature in the snapshot at <paramref name="asOf"/>.</summary>
    public static IReadOnlyList<FeatureDistribution> Describe(IWarehouse warehouse, DateTime asOf, int topValues = 3)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        var rows = new FeatureDistribution?[FeatureCatalog.All.Count];
        warehouse.Read(FeatureSql.Distribution(warehouse.Dialect, asOf), r =>
        {
            var position = Convert.ToInt32(r.GetValue(0), System.Globalization.CultureInfo.InvariantCulture);
            double? Number(int i) => r.IsDBNull(i) ? null : Convert.ToDouble(r.GetValue(i), System.Globalization.CultureInfo.InvariantCulture);
            DateTime? Instant(int i) => r.IsDBNull(i) ? null : DateTime.SpecifyKind(r.GetDateTime(i), DateTimeKind.Utc);
            rows[position] = new FeatureDistribution(FeatureCatalog.All[position], r.GetInt64(1), Number(2), Number(3), Number(4), Number(5), Instant(6), Instant(7), []);
        });

        var result = rows.Select(row => row ?? throw new InvalidOperationException("a feature's distribution is missing")).ToList();
        for (var k = 0; k < result.Count; k++)
        {
            if (result[k].Feature.Type is FieldType.Text or FieldType.Boolean)
            {
                result[k] = result[k] with { Top = TopValues(warehouse, result[k].Feature.Name, asOf, topValues) };
            }
        }

        return result;
    }

    private static List<(string, long)> TopValues(IWarehouse warehouse, string feature, DateTime asOf, int limit)
    {
        var top = new List<(string, long)>();
        warehouse.Read(FeatureSql.TopValues(warehouse.Dialect, feature, asOf, limit), r => top.Add((r.GetString(0), r.GetInt64(1))));
        return top;
    }
}
