using System.Text.Json;
using Segmenta.Testing;
using Xunit;

namespace Segmenta.Cli.Tests;

/// <summary><c>segmenta persona</c> as a user runs it on a generated base: cards, JSON, Markdown and HTML files, and mistakes.</summary>
public sealed class PersonaCliTests : IClassFixture<PersonaCliTests.Workspace>
{
    private readonly Workspace ws;

    public PersonaCliTests(Workspace ws) => this.ws = ws;

    [Fact]
    public void Persona_Json_DescribesRuleRfmAndClusterSegments()
    {
        var (code, stdout, stderr) = CliRunner.Run(ws.Path, "persona", "young_app", "rfm_champions", "cluster_1", "--as-of", "2025-01-01", "--json");
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var personas = doc.RootElement.GetProperty("personas").EnumerateArray().ToList();
        Assert.Equal(["young_app", "rfm_champions", "cluster_1"], personas.Select(p => p.GetProperty("segment").GetString()));
        var young = personas[0];
        Assert.Equal(4000, young.GetProperty("customers").GetInt64());
        var age = young.GetProperty("measures").EnumerateArray().Single(m => m.GetProperty("name").GetString() == "age");
        Assert.True(age.GetProperty("mean").GetDouble() < 30);
        Assert.True(age.GetProperty("index").GetDouble() < 100);
        Assert.Contains(young.GetProperty("over_indexing").EnumerateArray(), l => l.GetProperty("trait").GetString() == "preferred_channel" && l.GetProperty("level").GetString() == "app");
        Assert.StartsWith("Young", young.GetProperty("name").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("Reward them", personas[1].GetProperty("strategy").GetString(), StringComparison.Ordinal);
        Assert.Equal(personas[1].GetProperty("size").GetInt64(), personas[1].GetProperty("rfm_mix").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "Champions").GetProperty("members").GetInt64());

        // Deterministic: the same instant gives the same bytes.
        Assert.Equal(stdout, CliRunner.Run(ws.Path, "persona", "young_app", "rfm_champions", "cluster_1", "--as-of", "2025-01-01", "--json").Out);
    }

    [Fact]
    public void Persona_All_CardsInTheTerminalMarkdownAndHtml()
    {
        var text = CliRunner.Run(ws.Path, "persona", "--all", "--as-of", "2025-01-01");
        Assert.True(text.ExitCode == 0, text.Err);
        Assert.Contains("cluster_2", text.Out, StringComparison.Ordinal);
        Assert.Contains("rfm_lost", text.Out, StringComparison.Ordinal);
        Assert.Contains("strategy", text.Out, StringComparison.Ordinal);

        var markdown = CliRunner.Run(ws.Path, "persona", "cluster_1", "--as-of", "2025-01-01", "--format", "markdown");
        Assert.True(markdown.ExitCode == 0, markdown.Err);
        Assert.StartsWith("# Personas as of 2025-01-01T00:00:00Z\n\n### ", markdown.Out, StringComparison.Ordinal);
        Assert.Contains("- **strategy**: ", markdown.Out, StringComparison.Ordinal);

        var html = CliRunner.Run(ws.Path, "persona", "--all", "--as-of", "2025-01-01", "--format", "html", "-o", "personas.html");
        Assert.True(html.ExitCode == 0, html.Err);
        var page = File.ReadAllText(System.IO.Path.Combine(ws.Path, "personas.html"));
        Assert.StartsWith("<!DOCTYPE html>", page, StringComparison.Ordinal);
        Assert.Contains("Can&#39;t Lose Them", page, StringComparison.Ordinal); // escaped, like every text
        Assert.DoesNotContain("<script", page, StringComparison.Ordinal);
        Assert.Equal(Count(text.Out, "╭─"), Count(page, "<section class=\"card\">"));
    }

    [Theory]
    [InlineData("", "name the segments to describe")]
    [InlineData("young_ap", "did you mean `young_app`")]
    [InlineData("young_app --format pdf", "--format: `pdf`")]
    public void Persona_BadRequest_ExitsTwo(string args, string message)
    {
        var (code, _, stderr) = CliRunner.Run(ws.Path, ["persona", .. args.Split(' ', StringSplitOptions.RemoveEmptyEntries)]);
        Assert.Equal(2, code);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
    }

    private static int Count(string text, string part) => (text.Length - text.Replace(part, "", StringComparison.Ordinal).Length) / part.Length;

    /// <summary>One generated workspace for the class: 4,000 customers, a rule segment and a stored cluster model.</summary>
    public sealed class Workspace : IDisposable
    {
        private readonly TempDir dir = TestPaths.NewTempDir();

        public Workspace()
        {
            Assert.Equal(0, CliRunner.Run(Path, "init").ExitCode);
            Assert.Equal(0, CliRunner.Run(Path, "generate", "--customers", "4000", "--events", "80000", "--seed", "2", "--out", "data").ExitCode);
            Assert.Equal(0, CliRunner.Run(Path, "ingest", "customers", "data/customers.csv").ExitCode);
            Assert.Equal(0, CliRunner.Run(Path, "ingest", "events", "data/events.csv").ExitCode);
            dir.Write("segments/young.seg", "segment young_app \"Young app users\" where age < 30 and features.preferred_channel = \"app\"\n");
            var cluster = CliRunner.Run(Path, "cluster", "--features", "frequency,monetary,age", "-k", "3", "--as-of", "2025-01-01");
            Assert.True(cluster.ExitCode == 0, cluster.Err);
        }

        public string Path => dir.Path;

        public void Dispose() => dir.Dispose();
    }
}
