using System.Text.Json;
using Segmenta.Testing;
using Xunit;

namespace Segmenta.Cli.Tests;

/// <summary>
/// <c>identity show</c>, <c>identity undo</c> and <c>forget</c> as a script uses them (docs/identity.md): JSON documents,
/// exit codes for unknown ids and links, and an erasure that also removes the person from an exported audience file.
/// </summary>
public sealed class IdentityCliTests
{
    private const string Events = """
        event_id,customer_id,anonymous_id,event_type,occurred_at,revenue
        a1,,cookie-1,page_view,2025-01-02T10:00:00Z,
        a2,,cookie-1,cart_add,2025-01-02T10:03:00Z,
        a3,user-1,cookie-1,purchase,2025-01-02T10:09:00Z,30
        b1,user-2,,purchase,2025-01-03T10:00:00Z,12
        """;

    [Fact]
    public void ShowUndoForget_WorkAsDocumented()
    {
        using var dir = TestPaths.NewTempDir();
        var ws = Path.Combine(dir.Path, "ws");
        Assert.Equal(0, CliRunner.Run(dir.Path, "init", ws).ExitCode);
        File.WriteAllText(Path.Combine(ws, "events.csv"), Events);
        File.WriteAllText(Path.Combine(ws, "customers.csv"), "customer_id,email\nuser-1,one@example.com\nuser-2,two@example.com\n");
        Assert.Equal(0, CliRunner.Run(ws, "ingest", "customers", "customers.csv").ExitCode);
        Assert.Equal(0, CliRunner.Run(ws, "ingest", "events", "events.csv").ExitCode);

        using (var shown = JsonDocument.Parse(CliRunner.Run(ws, "identity", "show", "user-1", "--json").Out))
        {
            var root = shown.RootElement;
            Assert.Equal(3, root.GetProperty("events").GetInt64());
            Assert.False(root.GetProperty("anonymous").GetBoolean());
            Assert.Equal("merged", root.GetProperty("links")[0].GetProperty("outcome").GetString());
        }

        var unknown = CliRunner.Run(ws, "identity", "show", "nobody", "--json");
        Assert.Equal(2, unknown.ExitCode);
        Assert.Equal("not_found", JsonDocument.Parse(unknown.Out).RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(2, CliRunner.Run(ws, "identity", "undo", "user_id:user-1", "anonymous_id:other").ExitCode);
        Assert.Equal(2, CliRunner.Run(ws, "identity", "undo", "user-1", "cookie-1").ExitCode);

        var undo = CliRunner.Run(ws, "identity", "undo", "anonymous_id:cookie-1", "user_id:user-1", "--reason", "test", "--json");
        Assert.Equal(0, undo.ExitCode);
        Assert.Equal(2, JsonDocument.Parse(undo.Out).RootElement.GetProperty("events_moved").GetInt64());
        Assert.Equal(2, JsonDocument.Parse(CliRunner.Run(ws, "identity", "show", "anon:cookie-1", "--json").Out).RootElement.GetProperty("events").GetInt64());

        // An exported file that names the person loses their line; the request names nobody.
        var exports = Path.Combine(ws, "exports");
        Directory.CreateDirectory(exports);
        File.WriteAllText(Path.Combine(exports, "audience.csv"), "customer_id,email\nuser-1,one@example.com\nuser-2,two@example.com\n");
        var forget = CliRunner.Run(ws, "forget", "user-2", "--json");
        Assert.Equal(0, forget.ExitCode);
        var erasure = JsonDocument.Parse(forget.Out).RootElement;
        Assert.Equal(1, erasure.GetProperty("erasure").GetProperty("customers").GetInt32());
        Assert.Equal(1, erasure.GetProperty("files")[0].GetProperty("records_removed").GetInt64());
        Assert.DoesNotContain("user-2", erasure.GetProperty("erasure").GetRawText(), StringComparison.Ordinal);
        Assert.Equal("customer_id,email\nuser-1,one@example.com\n", File.ReadAllText(Path.Combine(exports, "audience.csv")));
        Assert.Equal(2, CliRunner.Run(ws, "identity", "show", "user-2").ExitCode);

        var again = CliRunner.Run(ws, "ingest", "events", "events.csv", "--json");
        Assert.Equal(1, JsonDocument.Parse(again.Out).RootElement.GetProperty("suppressed").GetInt64());
        File.WriteAllText(Path.Combine(ws, "later.csv"), "event_id,customer_id,event_type,occurred_at\nc1,user-2,page_view,2025-01-05T10:00:00Z\n");
        Assert.Equal(1, JsonDocument.Parse(CliRunner.Run(ws, "ingest", "events", "later.csv", "--json").Out).RootElement.GetProperty("suppressed").GetInt64());

        File.WriteAllText(Path.Combine(ws, "ids.txt"), "# a bulk request\nuser-1\n\nnot-a-customer\n");
        var bulk = JsonDocument.Parse(CliRunner.Run(ws, "forget", "--file", "ids.txt", "--json").Out).RootElement.GetProperty("erasure");
        Assert.Equal(2, bulk.GetProperty("requested").GetInt32());
        Assert.Equal(1, bulk.GetProperty("not_found").GetInt32());
        Assert.Equal(2, CliRunner.Run(ws, "forget").ExitCode);
    }
}
