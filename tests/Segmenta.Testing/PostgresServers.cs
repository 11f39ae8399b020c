using System.Diagnostics;
using Npgsql;
using Xunit;

namespace Segmenta.Testing;

/// <summary>
/// The PostgreSQL servers the tests use: those test.sh started (SEGMENTA_PG, and SEGMENTA_PG_WORKERS
/// as "conn|conn"), or, when a test runner is started without them, three throwaway clusters this
/// process starts with scripts/pg-cluster.sh and stops when it exits. Tests are skipped, with the
/// reason, only when no PostgreSQL binaries exist; SEGMENTA_REQUIRE_POSTGRES=1 (set by test.sh)
/// turns even that into a failure.
/// </summary>
internal static class PostgresServers
{
    private static readonly Lazy<(string? Main, string[] Workers, string? Unavailable)> Servers = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The single-node server (also the coordinator of the sharded tests).</summary>
    public static string Main => Require().Main!;

    /// <summary>The two worker servers.</summary>
    public static IReadOnlyList<string> Workers => Require().Workers;

    /// <summary>A connection string for a database that does not exist yet on <paramref name="server"/>.</summary>
    public static string NewDatabase(string server) =>
        new NpgsqlConnectionStringBuilder(server) { Database = "seg_" + Guid.NewGuid().ToString("N")[..12] }.ConnectionString;

    /// <summary>Drops the database a connection string names, closing its sessions.</summary>
    public static void DropDatabase(string connectionString)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        var database = b.Database!;
        b.Database = "postgres";
        b.Pooling = false;
        using var connection = new NpgsqlConnection(b.ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", connection);
        command.ExecuteNonQuery();
    }

    /// <summary>True when the servers run (false only without PostgreSQL binaries).</summary>
    public static bool Available => Servers.Value.Unavailable is null;

    /// <summary>Skips the calling test when the servers cannot run, or fails it where they are required.</summary>
    public static void RequireOrSkip() => Require();

    private static (string? Main, string[] Workers, string? Unavailable) Require()
    {
        var servers = Servers.Value;
        if (servers.Unavailable is { } why)
        {
            Assert.False(Environment.GetEnvironmentVariable("SEGMENTA_REQUIRE_POSTGRES") == "1", "PostgreSQL is required here (SEGMENTA_REQUIRE_POSTGRES=1) but " + why);
            Skip.If(true, "PostgreSQL tests skipped: " + why);
        }

        return servers;
    }

    private static (string?, string[], string?) Start()
    {
        var main = Environment.GetEnvironmentVariable("SEGMENTA_PG");
        var workers = Environment.GetEnvironmentVariable("SEGMENTA_PG_WORKERS")?.Split('|', StringSplitOptions.RemoveEmptyEntries) ?? [];
        if (main is not null && workers.Length >= 2)
        {
            return (main, workers, null);
        }

        var script = Path.Combine(TestPaths.RepositoryRoot, "scripts", "pg-cluster.sh");
        // The test host is killed, not shut down, at the end of a run: a watchdog started with each
        // cluster stops it once this process is gone.
        var connections = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var dir = Path.Combine(Path.GetTempPath(), "segmenta-pg-" + Guid.NewGuid().ToString("N")[..8]);
            var (code, output) = Cluster(script, "start", dir, Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (code == 3)
            {
                return (null, [], "no PostgreSQL binaries on this machine (" + output.Trim() + ")");
            }

            if (code != 0)
            {
                throw new InvalidOperationException($"scripts/pg-cluster.sh start failed ({code}): {output}");
            }

            connections.Add(output.Trim().Split('\n')[^1]);
        }

        return (connections[0], [connections[1], connections[2]], null);
    }

    private static (int Code, string Output) Cluster(string script, params string[] args)
    {
        var info = new ProcessStartInfo("bash", [script, .. args]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, process.ExitCode == 0 ? output : error + output);
    }
}
