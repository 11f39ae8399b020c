using System.Text.Json;
using Segmenta.Testing;
using Xunit;

namespace Segmenta.Cli.Tests;

/// <summary>
/// The CLI on a PostgreSQL warehouse, as a user runs it: init names the server, and every verb gives
/// what it gives on the embedded DuckDB file, byte for byte where the output is data.
/// </summary>
public sealed class PostgresCliTests : IDisposable
{
    private const string Customers = "customer_id,country,age,email,income,birth_date,signup_at\nc1,US,34,a@x.org,52000.5,1990-04-01,2020-01-01T08:00:00Z\nc2,us,51,b@x.org,61000,,\nc3,CA,28,c@x.org,,1996-12-31,\nc4,,40,d@x.org,1e3,,\nc5,DE,19,e@x.org,0.25,,\n";
    private const string Events = "customer_id,event_type,occurred_at,revenue\nc1,purchase,2024-12-01T10:00:00Z,120\nc1,purchase,2024-06-01T10:00:00Z,80\nc2,purchase,2024-12-20T10:00:00Z,30\nc3,email_open,2024-12-30T10:00:00Z,\nc4,purchase,2025-02-01T10:00:00Z,500\nc5,purchase,yesterday,1\n";
    private const string Segments = """
        segment us_spenders "US spenders"
        where country = "us" and sum(purchase.revenue, last 365 days) >= 100
        segment recent where did purchase in last 45 days
        """;

    private readonly TempDir dir = TestPaths.NewTempDir();
    private readonly List<string> databases = [];

    public void Dispose()
    {
        databases.ForEach(PostgresServers.DropDatabase);
        dir.Dispose();
    }

    [SkippableFact]
    public void EveryVerb_OnPostgres_GivesWhatItGivesOnDuckDb()
    {
        var database = PostgresServers.NewDatabase(PostgresServers.Main);
        databases.Add(database);
        var duck = Workspace("duck");
        var pg = Workspace("pg", "--warehouse", database);
        Assert.Contains("postgres 127.0.0.1:", File.ReadAllText(Path.Combine(pg, "segmenta.yaml")) + Run(pg, "status").Out, StringComparison.Ordinal);

        foreach (var args in new[]
        {
            new[] { "segment", "preview", "us_spenders", "--as-of", "2025-01-01", "--json" },
            ["segment", "list", "--json"],
            ["ingest", "quarantine", "--json"],
        })
        {
            Assert.Equal(Normalize(Run(duck, args).Out), Normalize(Run(pg, args).Out));
        }

        foreach (var format in new[] { "csv", "json", "parquet" })
        {
            var export = new[] { "segment", "export", "recent", "--as-of", "2025-01-01", "--format", format, "--out", "recent." + format, "--traits", "country,age,income,birth_date,signup_at", "--ignore-consent" };
            Run(duck, export);
            Run(pg, export);
            Assert.Equal(Contents(Path.Combine(duck, "recent." + format)), Contents(Path.Combine(pg, "recent." + format)));
        }

        Assert.Equal("customer_id,country,age,income,birth_date,signup_at\nc1,US,34,52000.5,1990-04-01,2020-01-01T08:00:00Z\nc2,us,51,61000,,\n", File.ReadAllText(Path.Combine(pg, "recent.csv")));
        using var status = JsonDocument.Parse(Run(pg, "status", "--json").Out);
        Assert.Equal(5, status.RootElement.GetProperty("customers").GetInt64());
    }

    [SkippableFact]
    public void Init_ConnectionStringWithPassword_IsRefusedAndWritesNothing()
    {
        PostgresServers.RequireOrSkip();
        var (code, _, stderr) = CliRunner.Run(dir.Path, "init", "ws", "--warehouse", "Host=127.0.0.1;Database=x;Password=secret");
        Assert.Equal(2, code);
        Assert.Contains("must not contain a password", stderr, StringComparison.Ordinal);
        Assert.Contains("PGPASSWORD", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(dir.Path, "ws", "segmenta.yaml")));
    }

    [SkippableFact]
    public void Init_UnreachableServer_ExitsThreeAndLeavesNoWorkspace()
    {
        PostgresServers.RequireOrSkip();
        var (code, _, stderr) = CliRunner.Run(dir.Path, "init", "ws", "--warehouse", "Host=127.0.0.1;Port=1;Database=x;Timeout=3");
        Assert.Equal(3, code);
        Assert.Contains("cannot connect to PostgreSQL at 127.0.0.1:1/x", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(dir.Path, "ws", "segmenta.yaml")));
    }

    /// <summary>A file's text; for Parquet, its column types and rows as DuckDB reads them.</summary>
    private static string Contents(string path)
    {
        if (!path.EndsWith(".parquet", StringComparison.Ordinal))
        {
            return File.ReadAllText(path);
        }

        using var duck = new DuckDB.NET.Data.DuckDBConnection("Data Source=:memory:");
        duck.Open();
        using var command = duck.CreateCommand();
        command.CommandText = $"SELECT (SELECT string_agg(column_name || ' ' || column_type, ', ') FROM (DESCRIBE SELECT * FROM read_parquet('{path}'))) AS types, string_agg(CAST(p AS VARCHAR), '; ' ORDER BY customer_id) FROM read_parquet('{path}') p";
        using var reader = command.ExecuteReader();
        reader.Read();
        return reader.GetString(0) + " | " + reader.GetString(1);
    }

    private string Workspace(string name, params string[] init)
    {
        var root = Path.Combine(dir.Path, name);
        Run(dir.Path, ["init", name, .. init]);
        Directory.CreateDirectory(Path.Combine(root, "segments"));
        File.WriteAllText(Path.Combine(root, "segments", "core.seg"), Segments);
        Run(root, "ingest", "customers", dir.Write("c.csv", Customers));
        Run(root, "ingest", "events", dir.Write("e.csv", Events));
        Run(root, "segment", "materialize", "--as-of", "2025-01-01");
        return root;
    }

    private static (string Out, string Err) Run(string where, params string[] args)
    {
        var (code, stdout, stderr) = CliRunner.Run(where, args);
        Assert.True(code == 0, $"segmenta {string.Join(' ', args)} exited {code}: {stderr}");
        return (stdout, stderr);
    }

    /// <summary>Drops what differs by design between runs: timings, and when and where things were stored.</summary>
    private static string Normalize(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return Strip(doc.RootElement);

        static string Strip(JsonElement e) => e.ValueKind switch
        {
            JsonValueKind.Object => "{" + string.Join(",", e.EnumerateObject()
                .Where(p => p.Name is not ("seconds" or "elapsed_ms" or "materialized_at" or "source" or "run_id" or "workspace"))
                .Select(p => p.Name + ":" + Strip(p.Value))) + "}",
            JsonValueKind.Array => "[" + string.Join(",", e.EnumerateArray().Select(Strip)) + "]",
            _ => e.GetRawText(),
        };
    }
}
