using Segmenta.Language;
using Segmenta.Model;
using Segmenta.Sql;
using Segmenta.Warehouse;

namespace Segmenta.Uplift;

/// <summary>Every statement of the uplift feature: stored models and scores, and the rows the language reads.</summary>
internal static class UpliftSql
{
    /// <summary>The next model version (1 for the first).</summary>
    public static SqlStatement NextVersion(ISqlDialect d) =>
        new($"SELECT coalesce(max(version), 0) + 1 FROM {d.QuoteIdentifier(Tables.UpliftModels)}", []);

    /// <summary>Records a model.</summary>
    public static SqlStatement InsertModel(ISqlDialect d, string campaign, int version, DateTime fittedAt, DateTime asOf, string json)
    {
        var sql = new SqlBuilder(d);
        sql.Append($"INSERT INTO {d.QuoteIdentifier(Tables.UpliftModels)} (campaign, version, fitted_at, as_of, model) VALUES ({sql.Parameter(campaign)}, {sql.Parameter((long)version)}, {sql.Parameter(fittedAt)}, {sql.Parameter(asOf)}, {sql.Parameter(json)})");
        return sql.Build();
    }

    /// <summary>Removes a campaign's scores (a new model's replace them).</summary>
    public static SqlStatement ClearScores(ISqlDialect d, string campaign)
    {
        var sql = new SqlBuilder(d);
        sql.Append($"DELETE FROM {d.QuoteIdentifier(Tables.UpliftScores)} WHERE campaign = {sql.Parameter(campaign)}");
        return sql.Build();
    }

    /// <summary>The newest model of every campaign (or of the one named): its JSON, newest campaign first.</summary>
    public static SqlStatement Newest(ISqlDialect d, string? campaign)
    {
        var sql = new SqlBuilder(d);
        var p = sql.Parameter(campaign);
        var table = d.QuoteIdentifier(Tables.UpliftModels);
        sql.Append($"SELECT m.model FROM {table} m WHERE ({p} IS NULL OR m.campaign = {p}) AND m.version = (SELECT max(v.version) FROM {table} v WHERE v.campaign = m.campaign) ORDER BY m.campaign");
        return sql.Build();
    }

    /// <summary>One campaign's scores, ordered by customer id (bytes).</summary>
    public static SqlStatement Scores(ISqlDialect d, string campaign)
    {
        var sql = new SqlBuilder(d);
        sql.Append($"SELECT customer_id, conversion, revenue, visit, baseline, quadrant FROM {d.QuoteIdentifier(Tables.UpliftScores)} WHERE campaign = {sql.Parameter(campaign)} ORDER BY {d.BinaryOrder("customer_id")}");
        return sql.Build();
    }

    /// <summary>Writes the rows of <c>uplift.CAMPAIGN.*</c> for the segment language.</summary>
    public static void WriteFieldRows(SqlBuilder sql, string campaign, IReadOnlyCollection<string> fields)
    {
        var d = sql.Dialect;
        var columns = string.Concat(fields.Select(f => ", " + d.QuoteIdentifier(f)));
        sql.Append($"SELECT {d.QuoteIdentifier(CanonicalModel.CustomerId)}{columns} FROM {d.QuoteIdentifier(Tables.UpliftScores)} WHERE campaign = {sql.Parameter(campaign)}");
    }

    /// <summary>The field set's source: the newest model's scores of one campaign.</summary>
    public sealed class Source(string campaign) : IDerivedFieldSource
    {
        public void WriteRows(SqlBuilder sql, EvaluationContext context, IReadOnlyCollection<string> fields) => WriteFieldRows(sql, campaign, fields);
    }
}
