using System.Diagnostics;
using System.Globalization;
using Segmenta.DuckDb;
using Segmenta.Language;
using Segmenta.Segments;
using Segmenta.Sql;
using Segmenta.Workspaces;

namespace Segmenta.Bench;

/// <summary>
/// The benchmark segment (three traits, two windowed event aggregates) compiled by Segmenta, against
/// the query a DuckDB user would write by hand for it. Runs alternate so both see the same cache state;
/// the medians of seven runs each are printed as "compiled_s handwritten_s members agree".
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
        var handWritten = new SqlStatement(HandWritten, []);

        long Count(SqlStatement statement)
        {
            long n = 0;
            warehouse.Read(statement, r => n = r.GetInt64(0));
            return n;
        }

        var compiledTimes = new List<double>();
        var handTimes = new List<double>();
        long compiledCount = 0, handCount = 0;
        for (var i = 0; i < 8; i++)
        {
            var clock = Stopwatch.StartNew();
            compiledCount = Count(compiled);
            var c = clock.Elapsed.TotalSeconds;
            clock.Restart();
            handCount = Count(handWritten);
            var h = clock.Elapsed.TotalSeconds;
            if (i > 0)
            {
                compiledTimes.Add(c);
                handTimes.Add(h);
            }
        }

        static double Median(List<double> xs) => xs.Order().ElementAt(xs.Count / 2);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Median(compiledTimes):F4} {Median(handTimes):F4} {compiledCount} {(compiledCount == handCount ? "agree" : $"DISAGREE({handCount})")}"));
        return compiledCount == handCount ? 0 : 1;
    }
}
