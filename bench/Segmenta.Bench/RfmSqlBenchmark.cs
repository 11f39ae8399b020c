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
    private const string Query = """
        WITH c AS (
          SELECT customer_id,
                 max(occurred_at) FILTER (WHERE event_type = 'purchase') AS last_purchase,
                 count(DISTINCT coalesce(order_id, event_id)) FILTER (WHERE event_type = 'purchase') AS frequency,
                 coalesce(sum(revenue) FILTER (WHERE event_type = 'purchase'), 0) - coalesce(sum(abs(revenue)) FILTER (WHERE event_type = 'refund'), 0) AS monetary
          FROM events
          WHERE occurred_at < TIMESTAMP '2025-01-01' AND event_type IN ('purchase', 'refund')
          GROUP BY customer_id),
        p AS (
          SELECT customer_id, (epoch_us(TIMESTAMP '2025-01-01') - epoch_us(last_purchase)) // 86400000000 AS recency, frequency, monetary
          FROM c WHERE frequency > 0)
        SELECT customer_id,
               1 + (5 * (rank() OVER (ORDER BY recency DESC) - 1)) // count(*) OVER () AS r,
               1 + (5 * (rank() OVER (ORDER BY frequency) - 1)) // count(*) OVER () AS f,
               1 + (5 * (rank() OVER (ORDER BY monetary) - 1)) // count(*) OVER () AS m
        FROM p
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
