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
            WITH orders AS (
              SELECT e.{id} AS customer_id, {key} AS order_key, max(e.{order}) IS NOT NULL AS has_order_id,
                     min(e.{at}) AS placed_at, coalesce(sum(e.{Q("revenue")}), 0) AS gross
              FROM {events} e
              WHERE e.{type} = {purchase} AND e.{at} < {end}
              GROUP BY e.{id}, {key}
            ),
            refunds AS (
              SELECT f.{Q(CanonicalModel.EventId)} AS refund_id, f.{id} AS customer_id, f.{order} AS order_id, f.{product} AS product,
                     f.{at} AS refunded_at, abs(f.{Q("revenue")}) AS amount
              FROM {events} f
              WHERE f.{type} = {refund} AND f.{at} < {end}
            ),
            same_order AS (
              SELECT r.refund_id, r.customer_id, r.amount, o.order_key
              FROM refunds r JOIN orders o ON o.customer_id = r.customer_id AND o.has_order_id AND o.order_key = r.order_id
            ),
            by_product AS (
              SELECT refund_id, customer_id, amount, order_key FROM (
                SELECT r.refund_id, r.customer_id, r.amount, {key} AS order_key,
                       row_number() OVER (PARTITION BY r.refund_id ORDER BY e.{at} DESC, {key}) AS n
                FROM refunds r JOIN {events} e ON e.{id} = r.customer_id AND e.{product} = r.product AND e.{at} <= r.refunded_at
                WHERE e.{type} = {purchase} AND r.refund_id NOT IN (SELECT refund_id FROM same_order)
              ) ranked
              WHERE n = 1
            ),
            matched AS (
              SELECT customer_id, order_key, sum(amount) AS refunded
              FROM (SELECT customer_id, order_key, amount FROM same_order UNION ALL SELECT customer_id, order_key, amount FROM by_product) u
              GROUP BY customer_id, order_key
            )
            SELECT o.customer_id, o.placed_at, o.gross, coalesce(m.refunded, 0) AS refunded, o.gross - coalesce(m.refunded, 0) AS net
            FROM orders o LEFT JOIN matched m ON m.customer_id = o.customer_id AND m.order_key = o.order_key
            WHERE coalesce(m.refunded, 0) <= 0 OR o.gross - coalesce(m.refunded, 0) > 0
            """;
    }
}
