using Segmenta.Features;
using Segmenta.Language;
using Segmenta.Model;
using Segmenta.Rfm;
using Segmenta.Sql;
using Segmenta.Warehouse;

namespace Segmenta.Personas;

/// <summary>
/// Every statement of the personas feature: the population's inputs, what each customer bought and the stored
/// CLV predictions. Tables are quoted by the dialect; values are parameters.
/// </summary>
internal static class PersonaSql
{
    /// <summary>
    /// Every customer's <c>customer_id</c>, the numeric inputs as doubles, the categorical inputs, then net revenue
    /// (<c>monetary</c>), refunds and the RFM segment (null without purchases), at the context's as-of.
    /// </summary>
    public static SqlStatement Population(ISqlDialect d, EvaluationContext context, RfmOptions options, IReadOnlyList<string> numeric, IReadOnlyList<string> categorical)
    {
        var sql = new SqlBuilder(d);
        var id = d.QuoteIdentifier(CanonicalModel.CustomerId);
        sql.Append($"SELECT f.{id}");
        foreach (var name in numeric)
        {
            sql.Append($", {d.ToDouble("f." + d.QuoteIdentifier(name))}");
        }

        foreach (var name in categorical)
        {
            sql.Append($", f.{d.QuoteIdentifier(name)}");
        }

        // Revenue is net revenue (monetary), the one definition every view shares; it is among the numeric inputs.
        sql.Append(", f.monetary, f.refunds, r.segment\nFROM (\n");
        FeatureSql.Write(sql, context, [.. numeric, .. categorical, "refunds"]);
        sql.Append("\n) f\nLEFT JOIN (\n");
        new RfmSql(options).Write(sql, context);
        sql.Append($"\n) r ON r.{id} = f.{id}");
        return sql.Build();
    }

    /// <summary>
    /// (customer, <paramref name="trait"/> value[, the smallest <paramref name="label"/>]) for every value of the event
    /// property a customer purchased before the as-of.
    /// </summary>
    public static SqlStatement Bought(ISqlDialect d, DateTime asOf, string trait, string? label)
    {
        var sql = new SqlBuilder(d);
        var level = d.QuoteIdentifier(trait);
        var name = label is null ? "" : $", min(e.{d.QuoteIdentifier(label)})";
        sql.Append($"SELECT e.{d.QuoteIdentifier(CanonicalModel.CustomerId)}, e.{level}{name} FROM {d.QuoteIdentifier(Tables.Events)} e WHERE e.{d.QuoteIdentifier(CanonicalModel.EventType)} = {sql.Parameter("purchase")} AND e.{d.QuoteIdentifier(CanonicalModel.OccurredAt)} < {sql.Parameter(asOf)} AND e.{level} IS NOT NULL GROUP BY 1, 2");
        return sql.Build();
    }

    /// <summary>The channels (lower case) some customer was granted consent to before the as-of.</summary>
    public static SqlStatement GrantedChannels(ISqlDialect d, DateTime asOf)
    {
        var sql = new SqlBuilder(d);
        sql.Append($"SELECT DISTINCT lower({d.QuoteIdentifier("channel")}) FROM {d.QuoteIdentifier(Tables.Events)} WHERE {d.QuoteIdentifier(CanonicalModel.EventType)} = {sql.Parameter(Consent.GrantedEvent)} AND {d.QuoteIdentifier(CanonicalModel.OccurredAt)} < {sql.Parameter(asOf)} AND {d.QuoteIdentifier("channel")} IS NOT NULL");
        return sql.Build();
    }

    /// <summary>Every stored CLV prediction: <c>customer_id, value, p_alive, model_version, history_end</c>.</summary>
    public static SqlStatement Predictions(ISqlDialect d) =>
        new($"SELECT customer_id, {d.QuoteIdentifier("value")}, p_alive, model_version, history_end FROM {d.QuoteIdentifier(Tables.ClvPredictions)}", []);
}
