using System.Text.Json;
using System.Text.RegularExpressions;
using Segmenta.Testing;
using Xunit;

namespace Segmenta.Cli.Tests;

/// <summary>
/// The command line's contract for scripts (docs/cli.md): every verb and sub-verb answers <c>--help</c>; mistakes in
/// the command line exit 2; with <c>--json</c>, a failure is one error document on stdout with the same exit code.
/// </summary>
public partial class CliContractTests
{
    [Fact]
    public void Help_EveryVerbAndSubVerb_PrintsItsUsageAndExitsZero()
    {
        using var dir = TestPaths.NewTempDir();
        var verbs = new List<string[]>();
        var pending = new Queue<string[]>([[]]);
        while (pending.TryDequeue(out var path))
        {
            var (code, stdout, stderr) = CliRunner.Run(dir.Path, [.. path, "--help"]);
            var name = path.Length == 0 ? "segmenta" : "segmenta " + string.Join(' ', path);
            Assert.True(code == 0, $"`{name} --help` exited {code}: {stderr}{stdout}");
            Assert.Contains("USAGE:", stdout, StringComparison.Ordinal);
            Assert.DoesNotContain("Error", stdout + stderr, StringComparison.Ordinal);
            verbs.Add(path);
            foreach (var command in Commands(stdout))
            {
                pending.Enqueue([.. path, command]);
            }
        }

        // The walk reached the branches' sub-verbs, not only the top level.
        Assert.Contains(verbs, v => v is ["clv", "fit"]);
        Assert.Contains(verbs, v => v is ["keys", "revoke"]);
        Assert.True(verbs.Count >= 35, $"only {verbs.Count} verbs answered --help");
    }

    [Fact]
    public void Mistakes_InTheCommandLine_ExitTwo_AndWithJsonPrintAnErrorDocument()
    {
        using var dir = TestPaths.NewTempDir();
        foreach (var args in new[] { new[] { "frobnicate" }, ["status", "--bogus"], ["generate", "--customers", "0"] })
        {
            var plain = CliRunner.Run(dir.Path, args);
            Assert.True(plain.ExitCode == 2, $"{string.Join(' ', args)} exited {plain.ExitCode}: {plain.Err}");
            Assert.Contains("error: ", plain.Err, StringComparison.Ordinal);

            var json = CliRunner.Run(dir.Path, [.. args, "--json"]);
            Assert.Equal(2, json.ExitCode);
            using var document = JsonDocument.Parse(json.Out);
            var error = document.RootElement.GetProperty("error");
            Assert.Equal("bad_input", error.GetProperty("code").GetString());
            Assert.Equal(2, error.GetProperty("exit_code").GetInt32());
            Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
        }
    }

    [Fact]
    public void Failures_OfAVerb_WithJson_AreOneErrorDocumentWithTheDocumentedExitCode()
    {
        using var dir = TestPaths.NewTempDir();
        Assert.Equal(0, CliRunner.Run(dir.Path, "init", "ws").ExitCode);
        var ws = dir.File("ws");

        var missing = CliRunner.Run(ws, "ingest", "events", "no-such-file.csv", "--json");
        Assert.Equal(2, missing.ExitCode);
        using (var document = JsonDocument.Parse(missing.Out))
        {
            var error = document.RootElement.GetProperty("error");
            Assert.Equal(["code", "message", "exit_code"], error.EnumerateObject().Select(p => p.Name));
            Assert.Equal("bad_input", error.GetProperty("code").GetString());
            Assert.Contains("no-such-file.csv", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        }

        var unknown = CliRunner.Run(ws, "segment", "show", "nobody_here", "--json");
        Assert.Equal(2, unknown.ExitCode);
        using (var document = JsonDocument.Parse(unknown.Out))
        {
            Assert.Contains("nobody_here", document.RootElement.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        }

        // Without --json, stdout stays empty: the message is for people, on stderr.
        var human = CliRunner.Run(ws, "segment", "show", "nobody_here");
        Assert.Equal(2, human.ExitCode);
        Assert.Equal("", human.Out.Trim());
        Assert.StartsWith("error: ", human.Err.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public void Ingest_MostRowsQuarantined_WarnsWithTheFirstReasonAndExitsOne()
    {
        // The original UCI Online Retail file writes dates as 12/1/2010 8:26; the sample mapping reads ISO dates, so every
        // row is set aside. Nothing is lost (the rows wait in quarantine), but a script must not take it for success.
        using var dir = TestPaths.NewTempDir();
        Assert.Equal(0, CliRunner.Run(dir.Path, "init", "ws").ExitCode);
        var ws = dir.File("ws");
        var file = dir.Write("retail.csv", "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
            + "536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,12/1/2010 8:26,2.55,17850.0,United Kingdom\n"
            + "536365,71053,WHITE METAL LANTERN,6,12/1/2010 8:26,3.39,17850.0,United Kingdom\n");
        var mapping = TestPaths.Sample(Path.Combine("mappings", "online_retail.yaml"));

        var ingest = CliRunner.Run(ws, "ingest", "events", file, "-m", mapping, "--json");
        Assert.True(ingest.ExitCode == 1, ingest.Err);
        using (var document = JsonDocument.Parse(ingest.Out))
        {
            Assert.Equal(2, document.RootElement.GetProperty("quarantined").GetInt64());
        }

        Assert.Contains("warning: 2 of 2 rows (100%) were set aside, more than the 50% allowed", ingest.Err, StringComparison.Ordinal);
        Assert.Contains("`12/1/2010 8:26` is not a timestamp", ingest.Err, StringComparison.Ordinal);

        // The threshold is the user's: allowing every row to be set aside is a success (the rows were seen before: duplicates in quarantine are not added twice).
        var allowed = CliRunner.Run(ws, "ingest", "events", file, "-m", mapping, "--max-quarantined", "1");
        Assert.True(allowed.ExitCode == 0, allowed.Err);
        using var quarantine = JsonDocument.Parse(CliRunner.Run(ws, "ingest", "quarantine", "--json").Out);
        Assert.Equal(2, quarantine.RootElement.GetArrayLength());
    }

    /// <summary>The sub-commands a help page lists under COMMANDS.</summary>
    private static IEnumerable<string> Commands(string help)
    {
        var start = help.IndexOf("COMMANDS:", StringComparison.Ordinal);
        if (start < 0)
        {
            yield break;
        }

        foreach (var line in help[(start + "COMMANDS:".Length)..].Split('\n'))
        {
            if (CommandLine().Match(line) is { Success: true } m)
            {
                yield return m.Groups[1].Value;
            }
        }
    }

    /// <summary>A command's line: four spaces, then its name (lower case), not a wrapped description's continuation.</summary>
    [GeneratedRegex(@"^ {4}([a-z][a-z-]*)(?: <[A-Z]+>)?\s{2,}")]
    private static partial Regex CommandLine();
}
