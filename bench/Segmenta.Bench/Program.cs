// Benchmark helpers run by bench/run.sh, each in its own process so that peak memory is its own:
//   raw-load CSV DB        DuckDB's own CREATE TABLE AS SELECT * FROM read_csv(...) (the baseline)
//   verify DB WORKSPACE_DB [customers]  the two loads agree: same row count, same revenue (income), same customers (e-mails)
//   identity-verify PLAIN RESOLVED  bench/identity.sh: merges, and whether every event is attributed as its identifiers say
//   segment-sql WORKSPACE  the benchmark segment's compiled SQL against a hand-written DuckDB query,
//                          timed alternately in one process; both must count the same members
//   rfm-sql WORKSPACE      a hand-written DuckDB RFM query (median of 3 in one process) checked against the CLI's stored scores
//   rfm-sql-once WORKSPACE the same query once, in a fresh process (timed from outside)
//   kmeans-data N D K DIR  a seeded Gaussian mixture and Segmenta's k-means++ starts for seeds 1..3
//   kmeans DIR D K         Segmenta's k-means from each start: seconds, iterations, seconds per iteration, inertia
//   track-load URL KEY CUSTOMERS_CSV SECONDS CLIENTS BATCH   Tracking API batches from concurrent clients (bench/server.sh)
//   preview-load URL KEY SEGMENT AS_OF N                     a saved segment's preview N times in a row: latency percentiles
//   during-refresh URL ADMIN_KEY TRACK_KEY SEGMENT AS_OF CUSTOMERS_CSV CLIENTS BATCH   previews and acks while a refresh runs
//   uplift-data N D DIR    a randomized campaign with a known heterogeneous effect (bench/uplift.sh)
//   uplift DIR D           Segmenta's T-learner, held-out evaluation, scoring and allocation on it: seconds and quality
//   stored DB                                                after the server stopped: load events stored, distinct, quarantined, all
using System.Diagnostics;
using System.Globalization;
using DuckDB.NET.Data;
using Segmenta.Bench;

var inv = CultureInfo.InvariantCulture;
switch (args.FirstOrDefault())
{
    case "raw-load" when args.Length == 3:
    {
        File.Delete(args[2]);
        using var connection = new DuckDBConnection("Data Source=" + args[2]);
        connection.Open();
        var clock = Stopwatch.StartNew();
        using var command = connection.CreateCommand();
        command.CommandText = "CREATE TABLE raw AS SELECT * FROM read_csv('" + args[1].Replace("'", "''", StringComparison.Ordinal) + "')";
        command.ExecuteNonQuery();
        command.CommandText = "CHECKPOINT";
        command.ExecuteNonQuery();
        Console.WriteLine(string.Create(inv, $"{clock.Elapsed.TotalSeconds:F3}"));
        return 0;
    }

    case "verify" when args.Length is 3 or 4:
    {
        using var connection = new DuckDBConnection("Data Source=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = args.ElementAtOrDefault(3) == "customers"
            ? $"""
                ATTACH '{args[1]}' AS raw (READ_ONLY); ATTACH '{args[2]}' AS seg (READ_ONLY);
                SELECT (SELECT count(*) FROM raw.raw) = (SELECT count(*) FROM seg.customers)
                   AND (SELECT sum(income)::DECIMAL(18,2) FROM raw.raw) = (SELECT sum(income)::DECIMAL(18,2) FROM seg.customers)
                   AND (SELECT count(DISTINCT email) FROM raw.raw) = (SELECT count(DISTINCT email) FROM seg.customers)
                """
            : $"""
                ATTACH '{args[1]}' AS raw (READ_ONLY); ATTACH '{args[2]}' AS seg (READ_ONLY);
                SELECT (SELECT count(*) FROM raw.raw) = (SELECT count(*) FROM seg.events)
                   AND (SELECT sum(revenue)::DECIMAL(18,2) FROM raw.raw) = (SELECT sum(revenue)::DECIMAL(18,2) FROM seg.events)
                   AND (SELECT count(DISTINCT customer_id) FROM raw.raw) = (SELECT count(DISTINCT customer_id) FROM seg.events)
                """;
        var agree = (bool)command.ExecuteScalar()!;
        Console.WriteLine(agree ? "agree" : "DISAGREE");
        return agree ? 0 : 1;
    }

    case "identity-verify" when args.Length == 3:
    {
        // Whom each event must belong to, from the identifiers it was stored with (not from Segmenta's graph): its user id;
        // else the customer whose identified events carried its device id; else the device's anonymous profile. And every
        // event that ends with a user matches the customer the generator gave it (the plain load).
        using var connection = new DuckDBConnection("Data Source=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            ATTACH '{args[1]}' AS plain (READ_ONLY); ATTACH '{args[2]}' AS resolved (READ_ONLY);
            CREATE TEMP TABLE owners AS
                SELECT anonymous_id, min(user_id) AS user_id FROM resolved.events WHERE user_id IS NOT NULL AND anonymous_id IS NOT NULL GROUP BY anonymous_id;
            CREATE TEMP TABLE expected AS
                SELECT e.event_id, e.customer_id, CASE WHEN e.user_id IS NOT NULL THEN e.user_id ELSE coalesce(o.user_id, 'anon:' || e.anonymous_id) END AS owner
                FROM resolved.events e LEFT JOIN owners o ON o.anonymous_id = e.anonymous_id;
            SELECT (SELECT count(*) FROM resolved.identity_links WHERE outcome = 'merged'),
                   (SELECT count(*) FROM expected WHERE customer_id IS DISTINCT FROM owner)
                 + (SELECT count(*) FROM expected x JOIN plain.events p ON p.event_id = x.event_id WHERE x.owner NOT LIKE 'anon:%' AND p.customer_id <> x.customer_id)
                 + abs((SELECT count(*) FROM plain.events) - (SELECT count(*) FROM resolved.events))
            """;
        using var reader = command.ExecuteReader();
        reader.Read();
        var (merges, wrong) = (reader.GetInt64(0), reader.GetInt64(1));
        Console.WriteLine(string.Create(inv, $"{merges} {(wrong == 0 ? "agree" : $"DISAGREE({wrong})")}"));
        return wrong == 0 ? 0 : 1;
    }

    case "segment-sql" when args.Length == 2:
        return SegmentSqlBenchmark.Run(args[1]);

    case "rfm-sql" when args.Length == 2:
        return RfmSqlBenchmark.Run(args[1]);

    case "rfm-sql-once" when args.Length == 2:
        return RfmSqlBenchmark.RunOnce(args[1]);

    case "kmeans-data" when args.Length == 5:
        return KMeansBenchmark.WriteData(int.Parse(args[1], inv), int.Parse(args[2], inv), int.Parse(args[3], inv), args[4]);

    case "track-load" when args.Length == 7:
        return await ServerLoad.Track(args[1], args[2], args[3], double.Parse(args[4], inv), int.Parse(args[5], inv), int.Parse(args[6], inv));

    case "preview-load" when args.Length == 6:
        return await ServerLoad.Preview(args[1], args[2], args[3], args[4], int.Parse(args[5], inv));

    case "during-refresh" when args.Length == 9:
        return await ServerLoad.DuringRefresh(args[1], args[2], args[3], args[4], args[5], args[6], int.Parse(args[7], inv), int.Parse(args[8], inv));

    case "activation-latency" when args.Length == 8:
        return await ActivationLatency.Run(args[1], args[2], int.Parse(args[3], inv), args[4], double.Parse(args[5], inv), int.Parse(args[6], inv), int.Parse(args[7], inv));

    case "stored" when args.Length == 2:
        return ServerLoad.Stored(args[1]);

    case "uplift-data" when args.Length == 4:
        return UpliftBenchmark.Data(int.Parse(args[1], inv), int.Parse(args[2], inv), args[3]);

    case "uplift" when args.Length == 3:
        return UpliftBenchmark.Run(args[1], int.Parse(args[2], inv));

    case "kmeans" when args.Length == 4:
        return KMeansBenchmark.Run(args[1], int.Parse(args[2], inv), int.Parse(args[3], inv));

    default:
        Console.Error.WriteLine("usage: Segmenta.Bench raw-load CSV DB | verify RAW_DB SEGMENTA_DB | segment-sql WORKSPACE | rfm-sql WORKSPACE | rfm-sql-once WORKSPACE | kmeans-data N D K DIR | kmeans DIR D K");
        return 2;
}
