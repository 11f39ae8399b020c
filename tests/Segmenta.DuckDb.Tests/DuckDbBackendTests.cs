using Segmenta.Testing;
using Segmenta.Warehouse;
using Segmenta.Workspaces;
using Xunit;

namespace Segmenta.DuckDb.Tests;

/// <summary>The backend choice made once in the core (<see cref="WarehouseBackends"/>) over this adapter.</summary>
public class DuckDbBackendTests
{
    [Fact]
    public void The_workspace_settings_choose_the_backend_and_an_unoffered_one_is_refused_by_name()
    {
        using var dir = TestPaths.NewTempDir();
        var backends = new WarehouseBackends([new DuckDbBackend()]);
        var duck = Workspace.Init(dir.File("duck"), new WorkspaceSettings { Name = "duck" });
        using (var warehouse = backends.Open(Workspace.Open(duck.Root)))
        {
            Assert.StartsWith("duckdb", warehouse.Description, StringComparison.Ordinal);
        }

        var pg = Workspace.Init(dir.File("pg"), new WorkspaceSettings { Name = "pg", Warehouse = new WarehouseSettings("postgres", ConnectionString: "Host=127.0.0.1;Database=x") });
        var e = Assert.Throws<WorkspaceException>(() => backends.Open(Workspace.Open(pg.Root)));
        Assert.Contains("`postgres` is not offered here; expected duckdb", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_driver_exception_is_told_apart_from_any_other_without_the_host_naming_its_type()
    {
        var backends = new WarehouseBackends([new DuckDbBackend()]);
        using var connection = DuckDbWarehouse.OpenInMemory();
        using var command = connection.CreateCommand();
        command.CommandText = "SELEC 1";
        var driver = Record.Exception(() => command.ExecuteNonQuery());
        Assert.NotNull(driver);
        Assert.True(backends.IsDriverException(driver));
        Assert.False(backends.IsDriverException(new InvalidOperationException("a bug")));
        Assert.False(backends.IsDriverException(new WorkspaceException("bad input")));
    }

    [Theory]
    [InlineData("256MB", 256_000_000L)]
    [InlineData("512 MiB", 512L * 1024 * 1024)]
    [InlineData("1.5GB", 1_500_000_000L)]
    [InlineData("2gib", 2L * 1024 * 1024 * 1024)]
    public void The_memory_limit_in_the_settings_is_the_limit_DuckDB_holds(string limit, long bytes)
    {
        using var dir = TestPaths.NewTempDir();
        var backends = new WarehouseBackends([new DuckDbBackend()]);
        var settings = WorkspaceSettings.Parse("segmenta.yaml", $"warehouse:\n  backend: duckdb\n  memory_limit: {limit}\n");
        var workspace = Workspace.Init(dir.File("ws"), settings with { Name = "ws" });
        using var warehouse = backends.Open(Workspace.Open(workspace.Root));
        long held = 0;
        warehouse.Read(new Sql.SqlStatement("SELECT memory_limit FROM (SELECT value AS memory_limit FROM duckdb_settings() WHERE name = 'memory_limit')", []), r => held = ParseBytes(r.GetString(0)));

        // DuckDB prints the limit cut to a tenth of its own unit (1.5GB as 1.3 GiB): within 10%, far from the default (80% of memory).
        Assert.InRange(held, bytes * 0.9, bytes * 1.001);
    }

    [Fact]
    public void Without_a_memory_limit_DuckDB_keeps_its_default_and_the_settings_file_says_nothing()
    {
        using var dir = TestPaths.NewTempDir();
        var workspace = Workspace.Init(dir.File("ws"), new WorkspaceSettings { Name = "ws" });
        Assert.DoesNotContain("memory_limit", File.ReadAllText(Path.Combine(workspace.Root, WorkspaceSettings.FileName)), StringComparison.Ordinal);
        using var warehouse = new WarehouseBackends([new DuckDbBackend()]).Open(Workspace.Open(workspace.Root));
        long held = 0;
        warehouse.Read(new Sql.SqlStatement("SELECT value FROM duckdb_settings() WHERE name = 'memory_limit'", []), r => held = ParseBytes(r.GetString(0)));
        Assert.True(held > 1L << 30, $"default limit {held}");
    }

    private static long ParseBytes(string text)
    {
        var parts = text.Split(' ');
        var factor = parts[1] switch
        {
            "KiB" => 1L << 10,
            "MiB" => 1L << 20,
            "GiB" => 1L << 30,
            "TiB" => 1L << 40,
            "KB" => 1_000L,
            "MB" => 1_000_000L,
            "GB" => 1_000_000_000L,
            _ => throw new FormatException(text),
        };
        return (long)(double.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture) * factor);
    }
}
