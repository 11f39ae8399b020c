using System.Diagnostics;
using System.Globalization;
using Segmenta.DuckDb;
using Segmenta.Language;
using Segmenta.Segments;
using Segmenta.Sql;
using Segmenta.Workspaces;

namespace Segmenta.Bench;

/// <summary>
/// The benchmark segment (three traits, two windowed event aggregates) compiled by Segmenta, against two
/// queries a DuckDB user would write by hand for it: aggregate the events per customer then join (the
/// compiler's own shape), and — written without looking at the compiler — join the chosen customers to
/// their events first, then group and test in HAVING. Runs alternate so all see the same cache state;
/// the medians of seven runs each are printed as "compiled_s aggregate_first_s join_first_s members agree".
/// </summary>
internal static class SegmentSqlBenchmark
{
    public const string Segment = "bench_behavioral";

    public static readonly DateTime AsOf = new(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private const string HandWritten = """
        SELECT count(*)
        FROM customers c
        LEFT JOIN (
            SELECT customer_id,
                   sum(revenue) FILTER (WHERE event_type = 'purchase' AND occurred_at >= TIMESTAMP '2024-01-02 00:00:00') AS revenue_365,
                   count(*) FILTER (WHERE event_type = 'email_open') AS opens_90
            FROM events
            WHERE occurred_at < TIMESTAMP '2025-01-01 00:00:00' AND occurred_at >= TIMESTAMP '2024-01-02 00:00:00'
              AND event_type IN ('purchase', 'email_open')
              AND (event_type = 'purchase' OR occurred_at >= TIMESTAMP '2024-10-03 00:00:00')
            GROUP BY customer_id
        ) e ON e.customer_id = c.customer_id
        WHERE c.country IN ('US', 'CA') AND c.age BETWEEN 25 AND 54 AND c.email_opt_in
          AND coalesce(e.revenue_365, 0) >= 200 AND coalesce(e.opens_90, 0) >= 1
        """;

    private const string JoinFirst = """
        SELECT count(*) FROM (
            SELECT c.customer_id
            FROM customers c
            JOIN events e ON e.customer_id = c.customer_id
            WHERE c.country IN ('US', 'CA') AND c.age BETWEEN 25 AND 54 AND c.email_opt_in
              AND e.occurred_at >= TIMESTAMP '2024-01-02 00:00:00' AND e.occurred_at < TIMESTAMP '2025-01-01 00:00:00'
            GROUP BY c.customer_id
            HAVING sum(e.revenue) FILTER (WHERE e.event_type = 'purchase') >= 200
               AND count(*) FILTER (WHERE e.event_type = 'email_open' AND e.occurred_at >= TIMESTAMP '2024-10-03 00:00:00') >= 1
        ) m
        """;

    public static int Run(string workspaceDir)
    {
        var workspace = Workspace.Open(workspaceDir);
        using var warehouse = DuckDbWarehouse.Open(workspace.WarehousePath);
        var library = SegmentLibrary.Load(workspace, SegmentLibrary.SchemaOf(warehouse, workspace.Settings));
        var segment = library.Compilation.Find(Segment) ?? throw new InvalidOperationException($"{Segment} is not in {workspaceDir}/segments");
        var context = new EvaluationContext(AsOf, workspace.Settings.Zone);
        var members = new SqlBuilder(DuckDbDialect.Instance);
        members.Append("SELECT count(*) FROM (\n");
        segment.Query(DuckDbDialect.Instance, context).WriteMembers(members);
        members.Append("\n) m");
        var compiled = members.Build();

        long Count(SqlStatement statement)
        {
            long n = 0;
            warehouse.Read(statement, r => n = r.GetInt64(0));
            return n;
        }

        SqlStatement[] queries = [compiled, new SqlStatement(HandWritten, []), new SqlStatement(JoinFirst, [])];
        var times = queries.Select(_ => new List<double>()).ToArray();
        var counts = new long[queries.Length];
        for (var i = 0; i < 8; i++)
        {
            for (var q = 0; q < queries.Length; q++)
            {
                var clock = Stopwatch.StartNew();
                counts[q] = Count(queries[q]);
                if (i > 0)
                {
                    times[q].Add(clock.Elapsed.TotalSeconds);
                }
            }
        }

        static double Median(List<double> xs) => xs.Order().ElementAt(xs.Count / 2);
        var agree = counts.All(c => c == counts[0]);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Median(times[0]):F4} {Median(times[1]):F4} {Median(times[2]):F4} {counts[0]} {(agree ? "agree" : $"DISAGREE({string.Join('/', counts)})")}"));
        return agree ? 0 : 1;
    }
}
