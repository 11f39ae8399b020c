using System.Text.Json;
using Segmenta.Testing;
using Xunit;

namespace Segmenta.Cli.Tests;

/// <summary>refresh, history, members and migration as a user runs them, on a small generated base.</summary>
public sealed class RefreshCliTests : IDisposable
{
    private readonly TempDir dir = TestPaths.NewTempDir();

    public RefreshCliTests()
    {
        Assert.Equal(0, CliRunner.Run(dir.Path, "generate", "--customers", "800", "--events", "16000", "--seed", "3", "--out", "data").ExitCode);
        Assert.Equal(0, CliRunner.Run(dir.Path, "init").ExitCode);
        Assert.Equal(0, CliRunner.Run(dir.Path, "ingest", "customers", "data/customers.csv").ExitCode);
        Assert.Equal(0, CliRunner.Run(dir.Path, "ingest", "events", "data/events.csv").ExitCode);
        dir.Write("segments/core.seg", "segment recent where did purchase in last 30 days\nsegment openers where count(email_open, last 30 days) >= 1\n");
    }

    public void Dispose() => dir.Dispose();

    private JsonDocument Json(params string[] args)
    {
        var (code, stdout, stderr) = CliRunner.Run(dir.Path, [.. args, "--json"]);
        Assert.True(code == 0, stderr);
        return JsonDocument.Parse(stdout);
    }

    [Fact]
    public void Backfill_ThenHistoryMembersAndMigration_TellOneConsistentStory()
    {
        using (var backfill = Json("refresh", "--from", "2024-12-04", "--to", "2025-01-01", "--every", "1 week"))
        {
            var snapshots = backfill.RootElement.GetProperty("snapshots").EnumerateArray().ToList();
            Assert.Equal(["2024-12-04T00:00:00Z", "2024-12-11T00:00:00Z", "2024-12-18T00:00:00Z", "2024-12-25T00:00:00Z", "2025-01-01T00:00:00Z"], snapshots.Select(s => s.GetProperty("as_of").GetString()));
            Assert.All(snapshots, s => Assert.Equal(8, s.GetProperty("steps").GetArrayLength()));
            Assert.All(snapshots[1..], s => Assert.Equal(26, s.GetProperty("features").GetArrayLength()));
        }

        // Repeating the backfill does only the last instant again (the rest is recorded).
        using (var again = Json("refresh", "--from", "2024-12-04", "--to", "2025-01-01"))
        {
            Assert.Equal(4, again.RootElement.GetProperty("already_recorded").GetArrayLength());
            Assert.Equal(1, again.RootElement.GetProperty("snapshots").GetArrayLength());
        }

        using var history = Json("history", "recent");
        var rows = history.RootElement.GetProperty("materializations").EnumerateArray().ToList();
        Assert.Equal(5, rows.Count);
        for (var i = 1; i < rows.Count; i++)
        {
            Assert.Equal(rows[i - 1].GetProperty("size").GetInt64() + rows[i].GetProperty("entered").GetInt64() - rows[i].GetProperty("exited").GetInt64(), rows[i].GetProperty("size").GetInt64());
        }

        using var members = Json("members", "recent", "--at", "2024-12-20");
        Assert.Equal("2024-12-18T00:00:00Z", members.RootElement.GetProperty("answered_by").GetString());
        Assert.Equal(rows[2].GetProperty("size").GetInt64(), members.RootElement.GetProperty("size").GetInt64());
        Assert.Equal(members.RootElement.GetProperty("size").GetInt64(), members.RootElement.GetProperty("customer_ids").GetArrayLength());

        using var migration = Json("migration", "rfm", "--from", "2024-12-04", "--to", "2025-01-01");
        var m = migration.RootElement;
        var counts = m.GetProperty("counts").EnumerateArray().Select(r => r.EnumerateArray().Select(c => c.GetInt64()).ToList()).ToList();
        Assert.Equal(counts.Select(r => r.Sum()), m.GetProperty("from_totals").EnumerateArray().Select(t => t.GetInt64()));
        Assert.Equal("(none)", m.GetProperty("states").EnumerateArray().Last().GetString());
        Assert.All(m.GetProperty("shares").EnumerateArray().Where((_, i) => counts[i].Sum() > 0), r => Assert.Equal(1.0, r.EnumerateArray().Sum(c => c.GetDouble()), 5));
        Assert.True(m.GetProperty("top_flows").GetArrayLength() > 0);

        var text = CliRunner.Run(dir.Path, "migration", "recent,openers", "--from", "2024-12-04");
        Assert.Equal(0, text.ExitCode);
        Assert.Contains("Largest moves:", text.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Refresh_Mistakes_AreRefusedOrReportedLoudly()
    {
        var first = CliRunner.Run(dir.Path, "refresh", "--as-of", "2024-12-20");
        Assert.True(first.ExitCode == 0, first.Err);
        Assert.Contains("snapshot 1, the first", first.Out, StringComparison.Ordinal);
        Assert.Contains("No drift alerts.", first.Out, StringComparison.Ordinal);

        var backwards = CliRunner.Run(dir.Path, "refresh", "--as-of", "2024-12-10");
        Assert.Equal(2, backwards.ExitCode);
        Assert.Contains("history only moves forward", backwards.Err, StringComparison.Ordinal);

        var early = CliRunner.Run(dir.Path, "members", "recent", "--at", "2024-01-01");
        Assert.Equal(2, early.ExitCode);
        Assert.Contains("first recorded at 2024-12-20T00:00:00Z", early.Err, StringComparison.Ordinal);

        var unknown = CliRunner.Run(dir.Path, "history", "recnt");
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("did you mean `recent`", unknown.Err, StringComparison.Ordinal);

        Assert.Equal(2, CliRunner.Run(dir.Path, "refresh", "--from", "2025-01-01", "--to", "2025-02-01", "--every", "1 fortnight").ExitCode);
        Assert.Equal(2, CliRunner.Run(dir.Path, "refresh", "--from", "2025-01-01").ExitCode);

        // A broken segment fails the refresh loudly (exit 4) and the snapshot of 2024-12-20 stays current.
        dir.Write("segments/broken.seg", "segment broken where age >\n");
        var (code, stdout, stderr) = CliRunner.Run(dir.Path, "refresh", "--as-of", "2024-12-27", "--json");
        Assert.Equal(4, code);
        Assert.Contains("the snapshot of 2024-12-20T00:00:00Z stays current", stderr, StringComparison.Ordinal);
        using var failed = JsonDocument.Parse(stdout);
        Assert.Equal("failed", failed.RootElement.GetProperty("status").GetString());
        Assert.Equal("segments", failed.RootElement.GetProperty("failed_step").GetString());
        Assert.Contains("broken.seg:1:", failed.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        using var members = Json("members", "recent");
        Assert.Equal("2024-12-20T00:00:00Z", members.RootElement.GetProperty("answered_by").GetString());
    }
}
