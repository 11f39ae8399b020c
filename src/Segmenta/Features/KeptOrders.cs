using Segmenta.Model;
using Segmenta.Sql;

namespace Segmenta.Features;

/// <summary>
/// The purchase orders customers kept, net of the refunds that undo them — the one definition of a purchase
/// occasion that features, RFM, the repeat-purchase summary and the CLV models share (docs/features.md, "Orders
/// and refunds"). An order is the purchase events sharing an <c>order_id</c> (an event without one is an order
/// of its own); each refund is matched to the order it undoes:
/// <list type="number">
/// <item>a purchase order of the same customer with the refund's own <c>order_id</c> (sources that refund against the order);</item>
/// <item>else the customer's latest purchase of the refund's <c>product</c> at or before the refund (sources such as
/// Online Retail, whose cancellations carry an invoice of their own);</item>
/// <item>else none: the refund still lowers the customer's net revenue (<c>monetary</c>), but no order.</item>
/// </list>
/// An order's net value is its gross revenue less its matched refunds, never below 0; an order whose refunds
/// reach its whole value was cancelled, and is not a purchase occasion. Refund amounts count whatever their sign.
/// </summary>
internal static class KeptOrders
{
    /// <summary>
    /// <c>SELECT customer_id, placed_at, gross, refunded, net</c>: one row per kept order placed before the
    /// instant <paramref name="end"/> (a parameter), counting refunds before it.
    /// </summary>
    public static string Query(SqlBuilder sql, string end)
    {
        var d = sql.Dialect;
        string Q(string name) => d.QuoteIdentifier(name);
        var id = Q(CanonicalModel.CustomerId);
        var type = Q(CanonicalModel.EventType);
        var at = Q(CanonicalModel.OccurredAt);
        var order = Q("order_id");
        var product = Q("product");
        var purchase = sql.Parameter("purchase");
        var refund = sql.Parameter("refund");
        var events = Q("events");
        var key = $"coalesce(e.{order}, e.{Q(CanonicalModel.EventId)})";
        return $"""
            SELECT o.customer_id, o.placed_at, o.gross, coalesce(m.refunded, 0) AS refunded,
                   o.gross - coalesce(m.refunded, 0) AS net
            FROM (
              SELECT e.{id} AS customer_id, {key} AS order_key, min(e.{at}) AS placed_at, coalesce(sum(e.{Q("revenue")}), 0) AS gross
              FROM {events} e
              WHERE e.{type} = {purchase} AND e.{at} < {end}
              GROUP BY e.{id}, {key}
            ) o
            LEFT JOIN (
              SELECT customer_id, order_key, sum(amount) AS refunded FROM (
                SELECT r.customer_id, r.amount, coalesce(r.same_order, {key}) AS order_key,
                       row_number() OVER (PARTITION BY r.refund_id ORDER BY e.{at} DESC, {key}) AS n
                FROM (
                  SELECT f.{Q(CanonicalModel.EventId)} AS refund_id, f.{id} AS customer_id, f.{product} AS product, f.{at} AS refunded_at,
                         abs(f.{Q("revenue")}) AS amount, so.{order} AS same_order
                  FROM {events} f
                  LEFT JOIN (
                    SELECT DISTINCT e.{id}, e.{order} FROM {events} e WHERE e.{type} = {purchase} AND e.{order} IS NOT NULL AND e.{at} < {end}
                  ) so ON so.{id} = f.{id} AND so.{order} = f.{order}
                  WHERE f.{type} = {refund} AND f.{at} < {end}
                ) r
                LEFT JOIN {events} e ON r.same_order IS NULL AND e.{type} = {purchase} AND e.{id} = r.customer_id
                                    AND e.{product} = r.product AND e.{at} <= r.refunded_at
              ) x
              WHERE n = 1 AND order_key IS NOT NULL
              GROUP BY customer_id, order_key
            ) m ON m.customer_id = o.customer_id AND m.order_key = o.order_key
            WHERE coalesce(m.refunded, 0) <= 0 OR o.gross - coalesce(m.refunded, 0) > 0
            """;
    }
}
