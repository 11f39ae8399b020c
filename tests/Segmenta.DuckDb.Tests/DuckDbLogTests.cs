using System.Globalization;
using DuckDB.NET.Data;
using Segmenta.Testing;
using Xunit;

namespace Segmenta.DuckDb.Tests;

/// <summary>
/// A process killed in the middle of a commit leaves DuckDB's log without the commit's final flush entry; DuckDB 1.5 would
/// still install the row groups a large append wrote ahead of it (DuckDbLog). The crash images here are made without a
/// kill: the database is copied while its last commit is still in the log (DuckDB's checkpoint on commit turned off), whole
/// and with the flush entry cut off — what a SIGKILL between the commit's entries and its flush leaves.
/// </summary>
public class DuckDbLogTests
{
    private const int Events = 300_000;   // above a row group (122,880 rows): DuckDB writes them to the file before the commit

    [Fact]
    public void A_commit_cut_before_its_flush_is_not_replayed_and_a_finished_one_is()
    {
        using var dir = TestPaths.NewTempDir();
        var (finished, cut) = CrashImages(dir);

        using (var warehouse = DuckDbWarehouse.Open(finished))
        {
            Assert.Equal((Events, 1L), Counts(warehouse));
        }

        using (var warehouse = DuckDbWarehouse.Open(cut))
        {
            // Without the cut: 300,000 events and no quarantine row, half a transaction.
            Assert.Equal((0L, 0L), Counts(warehouse));
        }

        // The next open meets a log that holds nothing unfinished, and the warehouse takes writes as before.
        using (var warehouse = DuckDbWarehouse.Open(cut))
        {
            Assert.Equal((0L, 0L), Counts(warehouse));
            warehouse.Execute("INSERT INTO quarantine (run_id, source, line, reason, raw) VALUES (2, 'after', 1, 'r', 'x')");
        }

        using (var warehouse = DuckDbWarehouse.Open(cut))
        {
            Assert.Equal((0L, 1L), Counts(warehouse));
        }
    }

    [Fact]
    public void The_committed_length_is_the_end_of_the_last_flush_and_a_log_of_another_shape_is_left_alone()
    {
        using var dir = TestPaths.NewTempDir();
        var (finished, cut) = CrashImages(dir);
        var whole = File.ReadAllBytes(finished + ".wal");
        Assert.Equal(whole.Length, DuckDbLog.CommittedLength(new MemoryStream(whole)));
        Assert.True(File.ReadAllBytes(cut + ".wal").Length < whole.Length);

        // Every cut inside the last commit goes back to where the commit began, and the log is read no further.
        var committedBefore = DuckDbLog.CommittedLength(new MemoryStream(whole[..^1]));
        Assert.NotNull(committedBefore);
        Assert.True(committedBefore < whole.Length);
        foreach (var length in new[] { whole.Length - 1, whole.Length - 21, (int)committedBefore! + 20, (int)committedBefore + 1 })
        {
            Assert.Equal(committedBefore, DuckDbLog.CommittedLength(new MemoryStream(whole[..length])));
        }

        var otherVersion = (byte[])whole.Clone();
        otherVersion[5] = 3;
        Assert.Null(DuckDbLog.CommittedLength(new MemoryStream(otherVersion)));
        var otherEntry = (byte[])whole.Clone();
        otherEntry[8 + 16] = 0x65;   // the first entry's data does not start with field 100
        Assert.Null(DuckDbLog.CommittedLength(new MemoryStream(otherEntry)));
    }

    /// <summary>A warehouse whose last commit (a run's events and its quarantined row) is still in the log: whole, and with its flush entry cut off.</summary>
    private static (string Finished, string Cut) CrashImages(TempDir dir)
    {
        var path = dir.File("live/segmenta.duckdb");
        DuckDbWarehouse.Open(path).Dispose();
        var finished = dir.File("finished/segmenta.duckdb");
        var cut = dir.File("cut/segmenta.duckdb");
        using (var connection = new DuckDBConnection("Data Source=" + path))
        {
            connection.Open();
            Execute(connection, "SET debug_skip_checkpoint_on_commit = true");
            Execute(connection, "BEGIN TRANSACTION");
            Execute(connection, "INSERT INTO quarantine (run_id, source, line, reason, raw) VALUES (1, 'events.csv', 7, 'bad', 'x')");
            Execute(connection, string.Create(
                CultureInfo.InvariantCulture,
                $"INSERT INTO events (event_id, customer_id, event_type, occurred_at, ingest_run) SELECT 'e' || i, 'c' || (i % 1000), 'purchase', TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_seconds(i), 1 FROM range({Events}) t(i)"));
            Execute(connection, "COMMIT");
            foreach (var copy in new[] { finished, cut })
            {
                Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
                File.Copy(path, copy);
                File.Copy(path + ".wal", copy + ".wal");
            }
        }

        // The last entry is the commit's flush: 16 bytes of size and checksum, 5 of data (field 100 = 100, end).
        var log = File.ReadAllBytes(cut + ".wal");
        Assert.Equal([0x05, 0, 0, 0, 0, 0, 0, 0], log[^21..^13]);
        Assert.Equal([0x64, 0x00, 0x64, 0xFF, 0xFF], log[^5..]);
        File.WriteAllBytes(cut + ".wal", log[..^21]);
        return (finished, cut);
    }

    private static (long Events, long Quarantined) Counts(DuckDbWarehouse warehouse) =>
        (Convert.ToInt64(warehouse.Scalar("SELECT count(*) FROM events"), CultureInfo.InvariantCulture),
         Convert.ToInt64(warehouse.Scalar("SELECT count(*) FROM quarantine"), CultureInfo.InvariantCulture));

    private static void Execute(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
