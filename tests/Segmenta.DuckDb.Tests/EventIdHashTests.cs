using Segmenta.Contracts;
using Segmenta.Ingestion;
using Segmenta.Model;
using Xunit;

namespace Segmenta.DuckDb.Tests;

/// <summary>
/// A load's duplicate check on DuckDB reads the stored ids' hashes (event_id_hashes) and compares ids only where a hash
/// matches. The check is exact only while every stored event has its hash under the hash function in use: these tests hold
/// that invariant after each kind of load, show a repeat still found after the hashes were made by another function (an
/// upgrade of DuckDB), and show that a hash left by a deleted event does not turn its id away.
/// </summary>
public class EventIdHashTests
{
    private const string Header = "event_id,customer_id,event_type,occurred_at,revenue";

    private static string Rows(params string[] ids) =>
        Header + "\n" + string.Join("\n", ids.Select((id, i) => $"{id},c{i % 3},purchase,2024-01-0{1 + (i % 9)}T10:00:00Z,{i + 1}")) + "\n";

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Every_stored_event_has_its_hash_once_a_load_into_a_table_with_rows_has_checked(bool readsWholeFiles)
    {
        using var f = new WarehouseFixture();

        // Into the empty table: nothing to check, and no hashes made (the next load makes them).
        var first = Ingestor(f, readsWholeFiles).Run(new IngestRequest(TableKind.Events, f.Write("a.csv", Rows("e1", "e2", "e3"))));
        Assert.Equal(3, first.Loaded);
        Assert.Equal(0, f.Count("SELECT count(*) FROM event_id_hash_function"));

        // Then a file with two stored ids and two new ones: the repeats found, every stored event hashed.
        var second = Ingestor(f, readsWholeFiles).Run(new IngestRequest(TableKind.Events, f.Write("b.csv", Rows("e2", "e4", "e3", "e5"))));
        Assert.Equal((2L, 2L), (second.Loaded, second.Duplicates));
        AssertHashesComplete(f);

        // And a third, new ids only: their hashes added, none rebuilt.
        var third = Ingestor(f, readsWholeFiles).Run(new IngestRequest(TableKind.Events, f.Write("c.csv", Rows("e6", "e7"))));
        Assert.Equal((2L, 0L), (third.Loaded, third.Duplicates));
        AssertHashesComplete(f);
        Assert.Equal(7, f.Count("SELECT count(*) FROM event_id_hashes"));
        Assert.Equal(7, f.Count("SELECT count(*) FROM events"));
    }

    [Fact]
    public void A_repeat_is_found_after_the_hashes_were_made_by_another_function()
    {
        using var f = new WarehouseFixture();
        Ingestor(f, readsWholeFiles: true).Run(new IngestRequest(TableKind.Events, f.Write("a.csv", Rows("e1", "e2"))));
        Ingestor(f, readsWholeFiles: false).Run(new IngestRequest(TableKind.Events, f.Write("b.csv", Rows("e3"))));
        AssertHashesComplete(f);

        // What an upgrade of DuckDB that changed hash() would leave: every stored hash and the probe from the old function.
        Execute(f, "UPDATE event_id_hashes SET h = h + 1");
        Execute(f, "UPDATE event_id_hash_function SET probe = probe + 1");

        var again = Ingestor(f, readsWholeFiles: false).Run(new IngestRequest(TableKind.Events, f.Write("c.csv", Rows("e2", "e4"))));
        Assert.Equal((1L, 1L), (again.Loaded, again.Duplicates));
        Assert.Equal(4, f.Count("SELECT count(*) FROM events"));
        AssertHashesComplete(f);
    }

    [Fact]
    public void A_hash_left_by_a_deleted_event_does_not_turn_its_id_away()
    {
        using var f = new WarehouseFixture();
        Ingestor(f, readsWholeFiles: true).Run(new IngestRequest(TableKind.Events, f.Write("a.csv", Rows("e1", "e2"))));
        Ingestor(f, readsWholeFiles: false).Run(new IngestRequest(TableKind.Events, f.Write("b.csv", Rows("e3"))));

        // An erasure deletes events and leaves their hashes: the id matches a hash, and the ids themselves say it is new.
        Execute(f, "DELETE FROM events WHERE event_id = 'e1'");
        var again = Ingestor(f, readsWholeFiles: false).Run(new IngestRequest(TableKind.Events, f.Write("c.csv", Rows("e1"))));
        Assert.Equal((1L, 0L), (again.Loaded, again.Duplicates));
        Assert.Equal(1, f.Count("SELECT count(*) FROM events WHERE event_id = 'e1'"));
    }

    /// <summary>The hashes are marked current under this DuckDB's function, and no stored event lacks its hash.</summary>
    private static void AssertHashesComplete(WarehouseFixture f)
    {
        Assert.Equal(1, f.Count("SELECT count(*) FROM event_id_hash_function WHERE probe = hash('segmenta: event id hashes')"));
        Assert.Equal(0, f.Count("SELECT count(*) FROM events e WHERE hash(e.event_id) NOT IN (SELECT h FROM event_id_hashes)"));
    }

    private static void Execute(WarehouseFixture f, string sql)
    {
        using var transaction = f.Warehouse.BeginTransaction();
        transaction.Execute(new Segmenta.Sql.SqlStatement(sql, []));
        transaction.Commit();
    }

    private static Ingestor Ingestor(WarehouseFixture f, bool readsWholeFiles) =>
        new(f.Warehouse, f.Workspace.Settings, TimeProvider.System, DuckDbParquetFiles.Instance) { ReadsWholeFiles = readsWholeFiles };
}
