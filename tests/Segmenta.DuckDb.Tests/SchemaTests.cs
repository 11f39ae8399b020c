using Segmenta.Testing;
using Segmenta.Warehouse;
using Xunit;

namespace Segmenta.DuckDb.Tests;

public class SchemaTests
{
    [Fact]
    public void Open_NewFile_CreatesTheLatestSchema()
    {
        using var dir = TestPaths.NewTempDir();
        using var w = DuckDbWarehouse.Open(dir.File("w.duckdb"));
        Assert.Equal(WarehouseSchema.LatestVersion, w.SchemaVersion);
        Assert.NotNull(w.Scalar("SELECT count(*) FROM segment_memberships"));
    }

    [Fact]
    public void Open_OlderWorkspace_UpgradesItAndKeepsItsData()
    {
        using var dir = TestPaths.NewTempDir();
        var path = dir.File("w.duckdb");
        using (var v1 = DuckDbWarehouse.Open(path, upToVersion: 1))
        {
            Assert.Equal(1, v1.SchemaVersion);
            v1.Execute("INSERT INTO customers (customer_id, country) VALUES ('c1', 'US')");
            Assert.Throws<DuckDB.NET.Data.DuckDBException>(() => v1.Scalar("SELECT count(*) FROM segment_definitions"));
        }

        using var upgraded = DuckDbWarehouse.Open(path);
        Assert.Equal(WarehouseSchema.LatestVersion, upgraded.SchemaVersion);
        Assert.Equal(0L, upgraded.Scalar("SELECT count(*) FROM segment_definitions"));
        Assert.Equal("US", upgraded.Scalar("SELECT country FROM customers WHERE customer_id = 'c1'"));
        Assert.Equal(WarehouseSchema.Migrations.Count, Convert.ToInt32(upgraded.Scalar("SELECT count(*) FROM segmenta_schema"), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Open_NewerWorkspaceThanThisBuild_IsRefused()
    {
        using var dir = TestPaths.NewTempDir();
        var path = dir.File("w.duckdb");
        using (var w = DuckDbWarehouse.Open(path))
        {
            w.Execute("INSERT INTO segmenta_schema VALUES (999, 'from the future')");
        }

        var e = Assert.Throws<WarehouseException>(() => DuckDbWarehouse.Open(path));
        Assert.Contains("newer than this Segmenta knows", e.Message, StringComparison.Ordinal);
    }
}
