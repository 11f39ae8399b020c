using Segmenta.Language;
using Segmenta.Model;
using Segmenta.Sql;
using Segmenta.Warehouse;

namespace Segmenta.Campaigns;

/// <summary>
/// Every statement of the campaigns feature: launched campaigns and their assignments, recorded arms, the
/// planner's converters, the audiences per arm and the outcomes a measurement reads. Tables are named through
/// <see cref="Tables"/> and quoted by the dialect; values are parameters.
/// </summary>
internal static class CampaignSql
{
    /// <summary>Customers per (segment, arm) of the campaign named.</summary>
    public static SqlStatement StoredCounts(ISqlDialect d, string campaign)
    {
        var sql = new SqlBuilder(d);
        sql.Append($"SELECT segment, arm, count(*) FROM {d.QuoteIdentifier(Tables.CampaignAssignments)} WHERE campaign = {sql.Parameter(campaign)} GROUP BY segment, arm");
        return sql.Build();
    }

    /// <summary>Every customer's id.</summary>
    public static SqlStatement Everyone(ISqlDialect d) => new($"SELECT customer_id FROM {d.QuoteIdentifier(Tables.Customers)}", []);

    /// <summary>The latest event's instant (null without events).</summary>
    public static SqlStatement LatestEvent(ISqlDialect d) => new($"SELECT max(occurred_at) FROM {d.QuoteIdentifier(Tables.Events)}", []);

    /// <summary>(customer id, value as text) of every customer with a value of the trait <paramref name="field"/>.</summary>
    public static SqlStatement RecordedArms(ISqlDialect d, string field)
    {
        var column = d.QuoteIdentifier(field);
        return new($"SELECT customer_id, CAST({column} AS {d.TypeName(FieldType.Text)}) FROM {d.QuoteIdentifier(Tables.Customers)} WHERE {column} IS NOT NULL", []);
    }

    /// <summary>Records a launch (its assignments are appended beside it).</summary>
    public static SqlStatement InsertCampaign(ISqlDialect d, CampaignDefinition definition, DateTime launchedAt, DateTime asOf, DateTime sendAt, long customers)
    {
        var sql = new SqlBuilder(d);
        sql.Append($"INSERT INTO {d.QuoteIdentifier(Tables.Campaigns)} (name, launched_at, as_of, send_at, customers, definition) VALUES ({sql.Parameter(definition.Name)}, {sql.Parameter(launchedAt)}, {sql.Parameter(asOf)}, {sql.Parameter(sendAt)}, {sql.Parameter(customers)}, {sql.Parameter(definition.Text)})");
        return sql.Build();
    }

    /// <summary>Every launched campaign, or the one named, newest first.</summary>
    public static SqlStatement Launched(ISqlDialect d, string? name)
    {
        var sql = new SqlBuilder(d);
        var p = sql.Parameter(name);
        sql.Append($"SELECT name, launched_at, as_of, send_at, customers, definition FROM {d.QuoteIdentifier(Tables.Campaigns)} WHERE {p} IS NULL OR name = {p} ORDER BY launched_at DESC, name");
        return sql.Build();
    }

    /// <summary>One arm's audience with the traits chosen and its segment, as of the launch, ordered by customer id (bytes).</summary>
    public static SqlStatement ArmAudience(ISqlDialect d, EvaluationContext context, string campaign, string arm, IReadOnlyList<TraitColumn> traits)
    {
        var sql = new SqlBuilder(d);
        var writer = new SegmentSqlWriter(context, sql);
        var id = $"{writer.Customers}.{d.QuoteIdentifier(CanonicalModel.CustomerId)}";
        sql.Append($"SELECT {SegmentQuery.Columns(writer, traits, "a.segment")}\n");
        writer.WriteFrom("");
        sql.Append($"\nJOIN {d.QuoteIdentifier(Tables.CampaignAssignments)} a ON a.customer_id = {id}\nWHERE a.campaign = {sql.Parameter(campaign)} AND a.arm = {sql.Parameter(arm)}\nORDER BY {d.BinaryOrder(id)}");
        return sql.Build();
    }

    /// <summary>Customers with an event of one of <paramref name="types"/> in [<paramref name="from"/>, <paramref name="to"/>).</summary>
    public static SqlStatement Converters(ISqlDialect d, IReadOnlyList<string> types, DateTime from, DateTime to)
    {
        var sql = new SqlBuilder(d);
        var list = string.Join(", ", types.Select(t => sql.Parameter(t)));
        sql.Append($"SELECT DISTINCT customer_id FROM {d.QuoteIdentifier(Tables.Events)} WHERE event_type IN ({list}) AND occurred_at >= {sql.Parameter(from)} AND occurred_at < {sql.Parameter(to)}");
        return sql.Build();
    }

    /// <summary>
    /// Per assigned customer of <paramref name="campaign"/>: segment, arm, conversions (distinct orders), net revenue
    /// (or conversions × the value per conversion), opens, clicks, visits and seconds on site from the send to <paramref name="to"/>.
    /// </summary>
    public static SqlStatement Outcomes(ISqlDialect d, LaunchedCampaign campaign, DateTime to, IReadOnlyList<string>? only = null)
    {
        var outcome = campaign.Definition.Outcome;
        var sql = new SqlBuilder(d);
        var name = sql.Parameter(campaign.Definition.Name);
        string In(IReadOnlyList<string> types) => types.Count == 0 ? "FALSE" : $"e.event_type IN ({string.Join(", ", types.Select(t => sql.Parameter(t)))})";
        var conversion = In(outcome.Conversion);
        var ours = $"(e.campaign_id IS NULL OR e.campaign_id = {name})";
        // Revenue is net, as everywhere (docs/features.md): refunds in the window count against it, whatever their sign.
        var refund = sql.Parameter("refund");
        var revenue = outcome.ValuePerConversion is { } value
            ? $"CAST(count(e.event_type) FILTER (WHERE {conversion}) * {sql.Parameter((double)value)} AS {d.DoubleType})"
            : $"CAST(coalesce(sum(e.revenue) FILTER (WHERE {conversion}), 0) - coalesce(sum(abs(e.revenue)) FILTER (WHERE e.event_type = {refund}), 0) AS {d.DoubleType})";
        var all = outcome.Conversion.Concat(outcome.Open).Concat(outcome.Click).Concat(outcome.Visit).Append("refund").Distinct(StringComparer.Ordinal).ToList();
        sql.Append(
            $"""
            SELECT a.customer_id, a.segment, a.arm,
                   count(DISTINCT coalesce(e.order_id, e.event_id)) FILTER (WHERE {conversion}),
                   {revenue},
                   count(e.event_type) FILTER (WHERE {In(outcome.Open)} AND {ours}),
                   count(e.event_type) FILTER (WHERE {In(outcome.Click)} AND {ours}),
                   count(e.event_type) FILTER (WHERE {In(outcome.Visit)}),
                   CAST(coalesce(sum(e.duration_seconds) FILTER (WHERE {In(outcome.Visit)}), 0) AS {d.DoubleType})
            FROM {d.QuoteIdentifier(Tables.CampaignAssignments)} a
            LEFT JOIN {d.QuoteIdentifier(Tables.Events)} e ON e.customer_id = a.customer_id
                AND e.occurred_at >= {sql.Parameter(campaign.SendAt)} AND e.occurred_at < {sql.Parameter(to)}
                AND {In(all)}
            WHERE a.campaign = {name}{(only is null ? "" : $" AND a.customer_id IN ({sql.ParameterList(only)})")}
            GROUP BY a.customer_id, a.segment, a.arm
            ORDER BY {d.BinaryOrder("a.customer_id")}
            """);
        return sql.Build();
    }

    /// <summary>The campaigns (names) in which any of <paramref name="customerIds"/> is assigned.</summary>
    public static SqlStatement CampaignsOf(ISqlDialect d, IReadOnlyList<string> customerIds)
    {
        ArgumentNullException.ThrowIfNull(customerIds);
        var sql = new SqlBuilder(d);
        sql.Append($"SELECT DISTINCT campaign FROM {d.QuoteIdentifier(Tables.CampaignAssignments)} WHERE customer_id IN ({sql.ParameterList(customerIds)}) ORDER BY campaign");
        return sql.Build();
    }

    /// <summary>
    /// The frozen outcomes of erased customers counted in a measurement to <paramref name="to"/>: segment, arm, conversions,
    /// revenue, opens, clicks, visits, seconds, clv_before, clv_after.
    /// </summary>
    public static SqlStatement ErasedOutcomes(ISqlDialect d, string campaign, DateTime to)
    {
        var sql = new SqlBuilder(d);
        sql.Append(
            $"""
            SELECT segment, arm, conversions, revenue, opens, clicks, visits, seconds, clv_before, clv_after FROM {d.QuoteIdentifier(Tables.ErasedOutcomes)}
            WHERE campaign = {sql.Parameter(campaign)} AND frozen_to <= {sql.Parameter(to)}
            """);
        return sql.Build();
    }
}
