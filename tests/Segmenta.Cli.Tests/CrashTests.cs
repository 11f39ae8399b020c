using System.Diagnostics;
using Segmenta.DuckDb;
using Segmenta.Generation;
using Segmenta.Postgres;
using Segmenta.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Segmenta.Cli.Tests;

/// <summary>
/// An ingest killed with SIGKILL at any moment leaves the warehouse as before the run or as after
/// it, never half a file; a re-run completes it, and another re-run loads nothing. On DuckDB and
/// on PostgreSQL (where the server sees the client's socket close in the middle of a COPY or a commit).
/// </summary>
public class CrashTests(ITestOutputHelper output)
{
    [SkippableTheory]
    [InlineData("duckdb")]
    [InlineData("postgres")]
    public void Ingest_KilledAtAnyMoment_LeavesAllOrNothingAndReRunCompletes(string backend)
    {
        using var dir = TestPaths.NewTempDir();
        var database = backend == "postgres" ? PostgresServers.NewDatabase(PostgresServers.Main) : null;
        var data = CustomerBaseGenerator.Write(new GeneratorOptions(20_000, 1_500_000, 11, GeneratorOptions.DefaultAsOf), dir.File("data"));
        Assert.Equal(0, CliRunner.Run(dir.Path, database is null ? ["init", "ws"] : ["init", "ws", "--warehouse", database]).ExitCode);
        var ws = dir.File("ws");
        Warehouse.WarehouseSummary Summary()
        {
            using Warehouse.IWarehouse w = database is null ? DuckDbWarehouse.Open(Path.Combine(ws, "segmenta.duckdb")) : PostgresWarehouse.Open(database);
            return w.Summarize();
        }

        try
        {
            KillAndRerun(ws, data, Summary);
        }
        finally
        {
            if (database is not null)
            {
                PostgresServers.DropDatabase(database);
            }
        }
    }

    private void KillAndRerun(string ws, GeneratedBase data, Func<Warehouse.WarehouseSummary> summary)
    {
        long? customersAfterRun = null;
        long Events()
        {
            // All or nothing across the run's tables: its events, its record, the customers it created. DuckDB once replayed
            // a killed commit's events alone (DuckDbLog), which a count of events did not see.
            var s = summary();
            Assert.True(
                (s.Events, s.IngestRuns, s.Customers) == (0, 0, 0) || (s.Events == data.Events && s.IngestRuns > 0 && s.Customers == (customersAfterRun ??= s.Customers) && s.Customers > 0),
                $"events {s.Events} of {data.Events}, {s.IngestRuns} runs, {s.Customers} customers");
            return s.Events;
        }

        var killedMidRun = 0;
        foreach (var delay in new[] { 150, 400, 800, 1200, 1800, 2600, 3600, 5000 })
        {
            using var process = Process.Start(CliRunner.StartInfo(ws, "ingest", "events", data.EventsFile))!;
            Thread.Sleep(delay);
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true); // SIGKILL: no finally blocks, no flush
                killedMidRun++;
            }

            process.WaitForExit();
            var count = Events();
            output.WriteLine($"killed after {delay} ms: {count} events");
            Assert.True(count == 0 || count == data.Events, $"after a kill at {delay} ms the warehouse holds {count} of {data.Events} events");
        }

        Assert.True(killedMidRun >= 3, $"only {killedMidRun} kills landed while the ingest ran; the test did not test anything");

        var rerun = CliRunner.Run(ws, "ingest", "events", data.EventsFile, "--json");
        Assert.True(rerun.ExitCode == 0, rerun.Err);
        Assert.Equal(data.Events, Events());
        var final = CliRunner.Run(ws, "ingest", "events", data.EventsFile, "--json");
        Assert.Contains("\"loaded\": 0", final.Out, StringComparison.Ordinal);
        Assert.Equal(data.Events, Events());
    }
}
