using System.Text.Json;
using Segmenta.Testing;
using Xunit;

namespace Segmenta.Cli.Tests;

/// <summary>
/// The destination verbs as a script uses them (docs/activation.md, docs/cli.md): list, test, sync, log and replay with
/// <c>--json</c> and their exit codes, on a generated workspace; a sync's audience is what `segment export --channel` writes.
/// </summary>
public sealed class DestinationCliTests
{
    [Fact]
    public void Destinations_ListTestSyncLog_WithJsonAndExitCodes()
    {
        using var dir = TestPaths.NewTempDir();
        Assert.Equal(0, CliRunner.Run(dir.Path, "init", "ws").ExitCode);
        var ws = dir.File("ws");
        Assert.Equal(0, CliRunner.Run(ws, "generate", "--customers", "500", "--events", "8000", "--seed", "3", "--out", "data").ExitCode);
        Assert.Equal(0, CliRunner.Run(ws, "ingest", "customers", "data/customers.csv").ExitCode);
        Assert.Equal(0, CliRunner.Run(ws, "ingest", "events", "data/events.csv").ExitCode);
        File.WriteAllText(Path.Combine(ws, "segments", "buyers.seg"), "segment buyers where count(purchase, last 365 days) >= 1\n");
        File.WriteAllText(Path.Combine(ws, "destinations", "drop.yaml"), "type: file\nsegments: [buyers]\nconsent: email\ntraits: [email]\n");
        File.WriteAllText(Path.Combine(ws, "destinations", "hook.yaml"), "type: webhook\nsegments: [buyers]\nconsent: email\nurl: http://127.0.0.1:9/hook\nsecret_env: SEGMENTA_CLI_TEST_UNSET_SECRET\n");

        // Before the segment's membership is stored, a sync is refused with the advice to refresh.
        var early = CliRunner.Run(ws, "destination", "sync", "drop", "--json");
        Assert.Equal(2, early.ExitCode);
        Assert.Contains("segmenta refresh", Error(early.Out), StringComparison.Ordinal);
        Assert.Equal(0, CliRunner.Run(ws, "segment", "materialize", "buyers", "--as-of", "2025-01-01").ExitCode);

        using (var list = Json(CliRunner.Run(ws, "destination", "list", "--json"), 0))
        {
            var destinations = list.RootElement.GetProperty("destinations");
            Assert.Equal(["drop", "hook"], destinations.EnumerateArray().Select(d => d.GetProperty("name").GetString()));
            Assert.Equal(JsonValueKind.Null, destinations[0].GetProperty("segments")[0].GetProperty("last_sync").ValueKind);
        }

        using (var test = Json(CliRunner.Run(ws, "destination", "test", "drop", "--json"), 0))
        {
            Assert.True(test.RootElement.GetProperty("ok").GetBoolean());
        }

        using (var test = Json(CliRunner.Run(ws, "destination", "test", "hook", "--json"), 1))
        {
            var secret = test.RootElement.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "secret");
            Assert.False(secret.GetProperty("ok").GetBoolean());
            Assert.Contains("SEGMENTA_CLI_TEST_UNSET_SECRET", secret.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        long audience;
        using (var sync = Json(CliRunner.Run(ws, "destination", "sync", "drop", "--json"), 0))
        {
            var first = sync.RootElement.GetProperty("syncs")[0];
            audience = first.GetProperty("audience").GetInt64();
            Assert.Equal(("written", audience, 0L), (first.GetProperty("status").GetString(), first.GetProperty("entered").GetInt64(), first.GetProperty("exited").GetInt64()));
            Assert.Equal(JsonValueKind.Null, sync.RootElement.GetProperty("delivery").ValueKind);
            var file = first.GetProperty("files")[0].GetString()!;
            Assert.Equal(audience, File.ReadAllLines(file).Length - 1);
        }

        // The audience is what an export for the same channel at the same instant writes.
        using (var export = Json(CliRunner.Run(ws, "segment", "export", "buyers", "--channel", "email", "--as-of", "2025-01-01", "--out", "buyers.csv", "--json"), 0))
        {
            Assert.True(audience > 0);
            Assert.Equal(export.RootElement.GetProperty("members").GetInt64(), audience);
        }

        using (var again = Json(CliRunner.Run(ws, "destination", "sync", "drop", "--json"), 0))
        {
            Assert.Equal("up_to_date", again.RootElement.GetProperty("syncs")[0].GetProperty("status").GetString());
        }

        using (var log = Json(CliRunner.Run(ws, "destination", "log", "drop", "--json"), 0))
        {
            Assert.Equal(2, log.RootElement.GetProperty("syncs").GetArrayLength());
            Assert.Equal(JsonValueKind.Null, log.RootElement.GetProperty("batches").ValueKind);
        }

        var noSecret = CliRunner.Run(ws, "destination", "sync", "hook", "--json");
        Assert.Equal(2, noSecret.ExitCode);
        Assert.Contains("SEGMENTA_CLI_TEST_UNSET_SECRET, which is not set", Error(noSecret.Out), StringComparison.Ordinal);

        var typo = CliRunner.Run(ws, "destination", "log", "drp", "--json");
        Assert.Equal(2, typo.ExitCode);
        Assert.Contains("did you mean `drop`", Error(typo.Out), StringComparison.Ordinal);

        Assert.Equal(2, CliRunner.Run(ws, "destination", "replay", "drop").ExitCode);
        Assert.Equal(2, CliRunner.Run(ws, "destination", "sync", "drop", "--wait", "soon").ExitCode);
    }

    private static JsonDocument Json((int ExitCode, string Out, string Err) run, int exitCode)
    {
        Assert.True(run.ExitCode == exitCode, $"exit {run.ExitCode}: {run.Err}{run.Out}");
        return JsonDocument.Parse(run.Out);
    }

    private static string Error(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.GetProperty("error").GetProperty("message").GetString()!;
    }
}
