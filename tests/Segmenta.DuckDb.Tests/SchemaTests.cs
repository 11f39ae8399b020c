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
        Assert.NotNull(w.Scalar("SELECT count(*) FROM segment_intervals"));
    }

    [Fact]
    public void Transaction_EndedByTheDatabase_TheErrorThatEndedItReachesTheCaller()
    {
        // A full disk makes DuckDB end the transaction itself; the ROLLBACK on the way out then failed with
        // "cannot rollback - no transaction is active", which replaced the error that said what happened.
        using var dir = TestPaths.NewTempDir();
        using var w = DuckDbWarehouse.Open(dir.File("w.duckdb"));
        var e = Assert.Throws<IOException>(void () =>
        {
            using var transaction = w.BeginTransaction();
            transaction.Execute(new Sql.SqlStatement("INSERT INTO customers (customer_id) VALUES ('c1')", []));
            transaction.Execute(new Sql.SqlStatement("ROLLBACK", []));
            throw new IOException("No space left on device");
        });
        Assert.Equal("No space left on device", e.Message);
        Assert.Equal(0L, w.Scalar("SELECT count(*) FROM customers"));
    }

    [Fact]
    public void IsFault_IoErrorsAreTheWarehouses_MistakesInSqlAreNot()
    {
        using var dir = TestPaths.NewTempDir();
        using var w = DuckDbWarehouse.Open(dir.File("w.duckdb"));
        var io = Assert.ThrowsAny<Exception>(() => w.Execute($"COPY (SELECT 1) TO '{dir.File("missing/folder/x.parquet")}' (FORMAT parquet)"));
        Assert.True(w.IsFault(io), io.Message);
        var syntax = Assert.ThrowsAny<Exception>(() => w.Execute("SELEC 1"));
        Assert.False(w.IsFault(syntax), syntax.Message);
        Assert.True(w.IsFault(new IOException("No space left on device")));
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

    [Theory]
    [InlineData(14, "customers", "ALTER TABLE customers ADD COLUMN loyalty_tier VARCHAR",
        "INSERT INTO customers (customer_id, country, loyalty_tier) VALUES ('c2', 'US', 'gold'), ('c1', NULL, NULL), ('c3', 'FR', 'tin')",
        "INSERT INTO customers (customer_id) VALUES ('c1')")]
    [InlineData(15, "computed_trait_values", "SELECT 1",
        "INSERT INTO computed_trait_values (as_of, trait, version, customer_id, number_value) VALUES ('2024-01-01', 'ltv', 'v1', 'c2', 2), ('2024-01-01', 'ltv', 'v1', 'c1', NULL), ('2024-01-01', 'tier', 'v1', 'c1', 1)",
        "INSERT INTO computed_trait_values (as_of, trait, version, customer_id) VALUES ('2024-01-01', 'ltv', 'v2', 'c1')")]
    [InlineData(15, "uplift_scores", "SELECT 1",
        "INSERT INTO uplift_scores (campaign, customer_id, conversion, quadrant) VALUES ('spring', 'c2', 0.1, 'persuadable'), ('spring', 'c1', NULL, NULL)",
        "INSERT INTO uplift_scores (campaign, customer_id) VALUES ('spring', 'c1')")]
    [InlineData(15, "destination_members", "SELECT 1",
        "INSERT INTO destination_members VALUES ('crm', 's', 'c2', '2024-01-01'), ('crm', 's', 'c1', '2024-01-02')",
        "INSERT INTO destination_members VALUES ('crm', 's', 'c1', '2024-01-03')")]
    [InlineData(15, "destination_batch_members", "SELECT 1",
        "INSERT INTO destination_batch_members VALUES ('b1', 'c2', 'entered', '{}'), ('b1', 'c1', 'exited', NULL)",
        "INSERT INTO destination_batch_members VALUES ('b1', 'c1', 'entered', NULL)")]
    [InlineData(15, "identities", "SELECT 1",
        "INSERT INTO identities VALUES ('anonymous_id', 'd2', 'u1'), ('anonymous_id', 'd1', 'u1')",
        "INSERT INTO identities VALUES ('anonymous_id', 'd1', 'u2')")]
    [InlineData(15, "identity_links", "SELECT 1",
        "INSERT INTO identity_links VALUES ('user_id', 'u1', 'anonymous_id', 'd1', NULL, 'a.csv', 1, 'merged', NULL, NULL, NULL)",
        "INSERT INTO identity_links VALUES ('user_id', 'u1', 'anonymous_id', 'd1', NULL, 'b.csv', 2, 'merged', NULL, NULL, NULL)")]
    [InlineData(15, "identity_changes", "SELECT 1",
        "INSERT INTO identity_changes VALUES (1, 1, '2024-01-01', 'anonymous_id', 'd1', 'anon:d1', 'u1', 'linked')",
        "INSERT INTO identity_changes VALUES (1, 2, '2024-01-02', 'anonymous_id', 'd2', 'anon:d2', 'u1', 'linked')")]
    public void Open_OlderWorkspace_TablesLoseTheirCostlyKeyAndKeepEveryColumnAndRow(int version, string table, string alter, string rows, string repeat)
    {
        using var dir = TestPaths.NewTempDir();
        var path = dir.File("w.duckdb");
        string[] columns;
        string stored;
        using (var old = DuckDbWarehouse.Open(path, upToVersion: version))
        {
            old.Execute(alter);
            old.Execute(rows);
            Assert.Throws<DuckDB.NET.Data.DuckDBException>(() => old.Execute(repeat));
            columns = Columns(old);
            stored = Rows(old);
            Assert.Equal(1L, Keys(old));
        }

        using var upgraded = DuckDbWarehouse.Open(path);
        Assert.Equal(columns, Columns(upgraded));
        Assert.Contains(" NO", string.Join(",", columns), StringComparison.Ordinal);
        Assert.Equal(stored, Rows(upgraded));
        Assert.Equal(0L, Keys(upgraded));

        string[] Columns(DuckDbWarehouse w) =>
            ((string)w.Scalar($"SELECT string_agg(column_name || ' ' || data_type || ' ' || is_nullable, ',' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_name = '{table}'")!).Split(',');
        string Rows(DuckDbWarehouse w) => (string)w.Scalar($"SELECT string_agg(CAST(t AS VARCHAR), '|') FROM {table} t")!;
        long Keys(DuckDbWarehouse w) => (long)w.Scalar($"SELECT count(*) FROM duckdb_constraints() WHERE table_name = '{table}' AND constraint_type = 'PRIMARY KEY'")!;
    }

    [Fact]
    public void Open_Version8Memberships_BecomeIntervalsThatAnswerEveryMaterialization()
    {
        using var dir = TestPaths.NewTempDir();
        var path = dir.File("w.duckdb");
        var t = new[] { new DateTime(2024, 1, 1), new DateTime(2024, 2, 1), new DateTime(2024, 3, 1) };
        var members = new Dictionary<(string, int), string[]>
        {
            [("s", 0)] = ["a", "b"],
            [("s", 1)] = ["b", "c"],
            [("s", 2)] = ["a", "b", "c"],
            [("x", 1)] = ["a"],
        };
        using (var v8 = DuckDbWarehouse.Open(path, upToVersion: 8))
        {
            foreach (var ((segment, i), ids) in members)
            {
                v8.Execute("INSERT INTO segment_materializations VALUES ($1, 'v1', $2, $2, $3)", segment, t[i], (long)ids.Length);
                foreach (var id in ids)
                {
                    v8.Execute("INSERT INTO segment_memberships VALUES ($1, 'v1', $2, $3)", segment, t[i], id);
                }
            }
        }

        using var upgraded = DuckDbWarehouse.Open(path);
        Assert.Equal(5L, upgraded.Scalar("SELECT count(*) FROM segment_intervals"));
        foreach (var ((segment, i), ids) in members)
        {
            var at = Segments.SegmentMaterializer.Members(upgraded, segment, t[i].AddDays(1))!;
            Assert.Equal(t[i], at.AnsweredBy);
            Assert.Equal(ids, at.CustomerIds);
        }

        var history = Segments.SegmentMaterializer.History(upgraded, "s").Reverse().Select(m => (m.Size, m.Entered, m.Exited));
        Assert.Equal([(2L, 2L, 0L), (2L, 1L, 1L), (3L, 1L, 0L)], history);
        Assert.Throws<DuckDB.NET.Data.DuckDBException>(() => upgraded.Scalar("SELECT count(*) FROM segment_memberships"));
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
