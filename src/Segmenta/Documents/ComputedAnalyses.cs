using Segmenta.Clustering;
using Segmenta.Features;
using Segmenta.Language;
using Segmenta.Rfm;
using Segmenta.Sql;
using Segmenta.Warehouse;

namespace Segmenta.Documents;

/// <summary>
/// Every customer's features, RFM scores and (with a model) clusters at one as-of, computed once into temporary
/// tables of the warehouse's connection, for views that evaluate many segments at that instant (the report): each
/// segment's query then reads those rows instead of computing them again, as a refresh's segments read the rows it
/// stored. The rows are those the same queries compute, so every answer is the same (a test compares the report's
/// documents with the API's). The tables are dropped on dispose.
/// </summary>
public sealed class ComputedAnalyses : IDisposable
{
    private static long instances;
    private readonly IWarehouse warehouse;
    private readonly List<string> tables = [];
    private readonly long instance = Interlocked.Increment(ref instances);

    private ComputedAnalyses(IWarehouse warehouse, EvaluationContext context)
    {
        this.warehouse = warehouse;
        Context = context;
    }

    /// <summary>The context whose queries read the computed rows.</summary>
    public EvaluationContext Context { get; private set; }

    /// <summary>Computes the analyses at <paramref name="context"/>'s as-of; clusters only with <paramref name="clusters"/>.</summary>
    public static ComputedAnalyses Compute(IWarehouse warehouse, EvaluationContext context, RfmOptions rfm, ClusterModel? clusters, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(rfm);
        var computed = new ComputedAnalyses(warehouse, context.WithNothingStored());
        try
        {
            computed.Add(FeatureSnapshots.Analysis, Tables.CustomerFeatures, FeatureSnapshots.Columns, (sql, c) => FeatureSql.Write(sql, c, FeatureSnapshots.Names), cancellation);
            computed.Add(RfmAnalysis.Analysis, Tables.RfmScores, RfmSql.Columns, (sql, c) => new RfmSql(rfm).Write(sql, c), cancellation);
            if (clusters is not null)
            {
                computed.Add(ClusterAnalysis.Analysis, Tables.ClusterScores, ClusterSql.Columns, (sql, c) => new ClusterSql(clusters).Write(sql, c), cancellation);
            }

            return computed;
        }
        catch
        {
            computed.Dispose();
            throw;
        }
    }

    /// <summary>Computes one analysis into a temporary table shaped like its stored table, reading those computed before it.</summary>
    private void Add(string analysis, string like, IReadOnlyList<string> columns, Action<SqlBuilder, EvaluationContext> write, CancellationToken cancellation)
    {
        var d = warehouse.Dialect;
        var table = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"segmenta_view_{instance}_{like}");
        var context = Context;
        warehouse.ExecuteInTransaction(
            [
                WarehouseSql.DropIfExists(d, table),
                WarehouseSql.CreateTemporaryLike(d, table, like),
                WarehouseSql.InsertAnalysisRows(d, table, columns, sql => write(sql, context), context.AsOf),
            ],
            cancellation);
        tables.Add(table);
        Context = Context.WithStored(analysis, table);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (tables.Count > 0)
        {
            warehouse.ExecuteInTransaction([.. tables.Select(t => WarehouseSql.DropIfExists(warehouse.Dialect, t))]);
            tables.Clear();
        }
    }
}
