using Segmenta.Configuration;
using Segmenta.Workspaces;
using Xunit;

namespace Segmenta.Tests;

/// <summary>segmenta.yaml's warehouse section: what it accepts, what it refuses, and that it round-trips.</summary>
public class WorkspaceSettingsTests
{
    [Fact]
    public void Postgres_WithShards_RoundTripsThroughTheFile()
    {
        var settings = new WorkspaceSettings
        {
            Warehouse = new WarehouseSettings("postgres", ConnectionString: "Host=db;Database=seg;Username=me", Shards: ["Host=w1;Database=s", "Host=w\"2;Database=s"]),
        };
        var parsed = WorkspaceSettings.Parse("segmenta.yaml", settings.ToYaml());
        Assert.Equal("postgres", parsed.Warehouse.Backend);
        Assert.Equal("Host=db;Database=seg;Username=me", parsed.Warehouse.ConnectionString);
        Assert.Equal(["Host=w1;Database=s", "Host=w\"2;Database=s"], parsed.Warehouse.ShardList);
        Assert.Equal(settings.ToYaml(), parsed.ToYaml());
    }

    [Fact]
    public void DuckDb_WithAMemoryLimit_RoundTripsThroughTheFile()
    {
        var settings = new WorkspaceSettings { Warehouse = new WarehouseSettings(MemoryLimit: "6GB") };
        var parsed = WorkspaceSettings.Parse("segmenta.yaml", settings.ToYaml());
        Assert.Equal("6GB", parsed.Warehouse.MemoryLimit);
        Assert.Equal(settings.ToYaml(), parsed.ToYaml());
    }

    [Theory]
    [InlineData("warehouse:\n  backend: postgres\n  connection_string: \"Host=db;Password=hunter2\"\n", 3, "must not contain a password")]
    [InlineData("warehouse:\n  backend: postgres\n  connection_string: \"Host=db\"\n  shards: [\"Host=w;PWD=x\"]\n", 4, "must not contain a password")]
    [InlineData("warehouse:\n  backend: postgres\n", 2, "needs `connection_string`")]
    [InlineData("warehouse:\n  backend: duckdb\n  shards: [\"Host=w\"]\n", 3, "`shards` needs the postgres backend")]
    [InlineData("warehouse:\n  backend: duckdb\n  memory_limit: lots\n", 3, "`lots` is not a memory size; expected a number and a unit")]
    [InlineData("warehouse:\n  backend: duckdb\n  memory_limit: 80%\n", 3, "is not a memory size")]
    [InlineData("warehouse:\n  backend: duckdb\n  memory_limit: \"6GB'; SELECT 1; --\"\n", 3, "is not a memory size")]
    [InlineData("warehouse:\n  backend: postgres\n  connection_string: \"Host=db\"\n  memory_limit: 6GB\n", 4, "`memory_limit` is the DuckDB warehouse's")]
    public void Warehouse_Mistakes_AreRefusedWithTheirLine(string yaml, int line, string message)
    {
        var e = Assert.Throws<ConfigurationException>(() => WorkspaceSettings.Parse("segmenta.yaml", yaml));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.Contains($"segmenta.yaml:{line}:", e.Message, StringComparison.Ordinal);
    }
}
