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
}
