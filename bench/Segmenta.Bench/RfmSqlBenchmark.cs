using System.Diagnostics;
using System.Globalization;
using DuckDB.NET.Data;

namespace Segmenta.Bench;

/// <summary>
/// A hand-written DuckDB query computing RFM (rank method, 5 bins, as of 2025-01-01) straight from the
/// events table — the baseline `segmenta rfm --method ranks` is held to — timed (median of 3) and checked
/// against the scores the CLI stored: every customer's R, F and M must agree. Timed in one process, the
/// query runs with the database already in DuckDB's buffer: the fastest it can be.
/// </summary>
internal static class RfmSqlBenchmark
{
    // Kept orders (docs/features.md, "Orders and refunds") written independently of the product's SQL: a refund
    // undoes its own order id's purchase order, else (DuckDB's ASOF JOIN) the latest purchase of its product at or
    // before it; an order whose refunds reach its gross is no purchase occasion. Monetary is purchases less refunds.
    private const string Query = """
        WITH p AS (
          SELECT customer_id, coalesce(order_id, event_id) AS k, order_id, product, occurred_at, revenue
          FROM events WHERE occurred_at < TIMESTAMP '2025-01-01' AND event_type = 'purchase'),
        r AS (
          SELECT event_id, customer_id, order_id, product, occurred_at, abs(revenue) AS amount
          FROM events WHERE occurred_at < TIMESTAMP '2025-01-01' AND event_type = 'refund'),
        orders AS (
          SELECT customer_id, k, min(occurred_at) AS placed, coalesce(sum(revenue), 0) AS gross, bool_or(order_id IS NOT NULL) AS has_id
          FROM p GROUP BY customer_id, k),
        own AS (
          SELECT r.event_id, r.customer_id, o.k, r.amount FROM r JOIN orders o ON o.customer_id = r.customer_id AND o.has_id AND o.k = r.order_id),
        by_product AS (
          SELECT r.event_id, r.customer_id, x.k, r.amount
          FROM (SELECT * FROM r WHERE event_id NOT IN (SELECT event_id FROM own)) r
          ASOF JOIN p x ON x.customer_id = r.customer_id AND x.product = r.product AND x.occurred_at <= r.occurred_at),
        matched AS (
          SELECT customer_id, k, sum(amount) AS refunded FROM (SELECT * FROM own UNION ALL SELECT * FROM by_product) GROUP BY customer_id, k),
        kept AS (
          SELECT o.customer_id, o.placed FROM orders o LEFT JOIN matched m ON m.customer_id = o.customer_id AND m.k = o.k
          WHERE coalesce(m.refunded, 0) <= 0 OR o.gross - coalesce(m.refunded, 0) > 0),
        c AS (
          SELECT customer_id, max(placed) AS last_purchase, count(*) AS frequency FROM kept GROUP BY customer_id),
        money AS (
          SELECT customer_id, coalesce(sum(revenue) FILTER (WHERE event_type = 'purchase'), 0) - coalesce(sum(abs(revenue)) FILTER (WHERE event_type = 'refund'), 0) AS monetary
          FROM events WHERE occurred_at < TIMESTAMP '2025-01-01' AND event_type IN ('purchase', 'refund') GROUP BY customer_id),
        s AS (
          SELECT c.customer_id, (epoch_us(TIMESTAMP '2025-01-01') - epoch_us(c.last_purchase)) // 86400000000 AS recency, c.frequency, money.monetary
          FROM c JOIN money ON money.customer_id = c.customer_id)
        SELECT customer_id,
               1 + (5 * (rank() OVER (ORDER BY recency DESC) - 1)) // count(*) OVER () AS r,
               1 + (5 * (rank() OVER (ORDER BY frequency) - 1)) // count(*) OVER () AS f,
               1 + (5 * (rank() OVER (ORDER BY monetary) - 1)) // count(*) OVER () AS m
        FROM s
        """;

    /// <summary>
    /// Opens the workspace's database, runs the query once and exits: timed from outside, process start
    /// included, it is the hand-written query on the same footing as the CLI (a fresh process, a cold
    /// database buffer).
    /// </summary>
    public static int RunOnce(string workspaceDir)
    {
        using var connection = Open(workspaceDir);
        using var command = connection.CreateCommand();
        command.CommandText = $"CREATE OR REPLACE TEMP TABLE hand AS {Query}";
        command.ExecuteNonQuery();
        return 0;
    }

    public static int Run(string workspaceDir)
    {
        var inv = CultureInfo.InvariantCulture;
        using var connection = Open(workspaceDir);
        var times = new List<double>();
        for (var i = 0; i < 3; i++)
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"CREATE OR REPLACE TEMP TABLE hand AS {Query}";
            var clock = Stopwatch.StartNew();
            command.ExecuteNonQuery();
            times.Add(clock.Elapsed.TotalSeconds);
        }

        using var check = connection.CreateCommand();
        check.CommandText = """
            SELECT count(*), count(*) FILTER (WHERE s.r = h.r AND s.f = h.f AND s.m = h.m)
            FROM hand h FULL JOIN (SELECT * FROM rfm_scores WHERE as_of = TIMESTAMP '2025-01-01') s USING (customer_id)
            """;
        using var reader = check.ExecuteReader();
        reader.Read();
        var (all, same) = (reader.GetInt64(0), reader.GetInt64(1));
        Console.WriteLine(string.Create(inv, $"{times.Order().ElementAt(1):F3} {all} {(all == same ? "agree" : "DISAGREE")}"));
        return all == same ? 0 : 1;
    }

    private static DuckDBConnection Open(string workspaceDir)
    {
        var connection = new DuckDBConnection("Data Source=" + Path.Combine(workspaceDir, "segmenta.duckdb") + ";ACCESS_MODE=READ_ONLY");
        connection.Open();
        return connection;
    }
}
