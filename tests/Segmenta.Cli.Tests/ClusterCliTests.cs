using System.Text.Json;
using Segmenta.Testing;
using Xunit;

namespace Segmenta.Cli.Tests;

/// <summary><c>segmenta cluster</c> as a user runs it: the shipped Mall example, the clusters as segments, and mistakes.</summary>
public sealed class ClusterCliTests : IDisposable
{
    private readonly TempDir dir = TestPaths.NewTempDir();

    public ClusterCliTests() => Assert.Equal(0, CliRunner.Run(dir.Path, "init").ExitCode);

    public void Dispose() => dir.Dispose();

    [Fact]
    public void MallSample_RunSh_ReproducesThePublishedSolutionAndMakesSegments()
    {
        var (code, stdout, stderr) = CliRunner.Script(dir.Path, TestPaths.Sample("mall/run.sh"), "--json");
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        Assert.Equal(1, root.GetProperty("model").GetInt32());
        Assert.Equal(5, root.GetProperty("k").GetInt32());
        Assert.Equal("none", root.GetProperty("scaling").GetString());
        // The published five-cluster solution: inertia 44,448.46 (to 4 significant digits: 44,450), sizes 81/39/35/23/22.
        Assert.Equal(44448.46, root.GetProperty("inertia").GetDouble(), 0.005);
        Assert.Equal([81, 39, 35, 23, 22], root.GetProperty("clusters").EnumerateArray().Select(c => c.GetProperty("customers").GetInt32()));
        Assert.Equal("cluster_2", root.GetProperty("clusters")[1].GetProperty("segment").GetString());

        // Each cluster is a segment, scored in the warehouse.
        var preview = CliRunner.Run(dir.Path, "segment", "preview", "cluster_2", "--json");
        Assert.True(preview.ExitCode == 0, preview.Err);
        using (var p = JsonDocument.Parse(preview.Out))
        {
            Assert.Equal(39, p.RootElement.GetProperty("size").GetInt32());
        }

        dir.Write("segments/rich.seg", "segment rich_women where cluster = 2 and gender = \"Female\"\n");
        var check = CliRunner.Run(dir.Path, "segment", "check", "--json");
        Assert.True(check.ExitCode == 0, check.Out + check.Err);
        using (var c = JsonDocument.Parse(check.Out))
        {
            // The generated cluster segments are not the user's files.
            Assert.Equal(["segments/rich.seg"], c.RootElement.GetProperty("files").EnumerateArray().Select(f => f.GetString()));
        }
    }

    [Fact]
    public void Cluster_SameInputsAndSeed_ByteIdenticalJson()
    {
        Assert.Equal(0, CliRunner.Run(dir.Path, "ingest", "customers", TestPaths.DataFile("Mall_Customers.csv"), "--mapping", TestPaths.Sample("mall/mapping.yaml")).ExitCode);
        string[] args = ["cluster", "--features", "age,income,spending_score:2", "--categorical", "gender", "-k", "2..6", "--seed", "5", "--dry-run", "--as-of", "2025-01-01", "--json"];
        var first = CliRunner.Run(dir.Path, args);
        Assert.True(first.ExitCode == 0, first.Err);
        Assert.Equal(first.Out, CliRunner.Run(dir.Path, args).Out);
        using var doc = JsonDocument.Parse(first.Out);
        var root = doc.RootElement;
        Assert.Equal(JsonValueKind.Null, root.GetProperty("model").ValueKind);
        Assert.Equal(5, root.GetProperty("by_k").GetArrayLength());
        var k = root.GetProperty("k").GetInt32();
        var best = root.GetProperty("by_k").EnumerateArray().MaxBy(q => q.GetProperty("silhouette").GetDouble());
        Assert.Equal(best.GetProperty("k").GetInt32(), k);
        Assert.StartsWith($"k = {k}: the highest silhouette", root.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(["Female", "Male"], root.GetProperty("inputs")[3].GetProperty("levels").EnumerateArray().Select(l => l.GetString()));

        // --dry-run stored nothing: no cluster segments exist.
        var preview = CliRunner.Run(dir.Path, "segment", "preview", "cluster_1");
        Assert.Equal(2, preview.ExitCode);
    }

    [Theory]
    [InlineData("--features recency_dayz", "did you mean `recency_days`")]
    [InlineData("--features first_purchase_at", "is timestamp, not a number")]
    [InlineData("--features income -k 0..4", "-k: `0..4`")]
    [InlineData("--features income --scale minmax", "--scale: `minmax`")]
    [InlineData("--features income:-1", "must be a positive number")]
    [InlineData("--features income --log age", "--log: `age` is not one of --features")]
    [InlineData("--categorical income", "categorical inputs are text or boolean")]
    [InlineData("", "name what to cluster on")]
    public void Cluster_BadRequest_ExitsTwoWithTheReason(string options, string message)
    {
        var (code, _, stderr) = CliRunner.Run(dir.Path, ["cluster", .. options.Split(' ', StringSplitOptions.RemoveEmptyEntries)]);
        Assert.Equal(2, code);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
    }
}
