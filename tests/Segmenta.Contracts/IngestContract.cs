using Segmenta.DuckDb;
using Segmenta.Ingestion;
using Segmenta.Model;
using Segmenta.Warehouse;
using Xunit;

namespace Segmenta.Contracts;

/// <summary>
/// What ingestion guarantees on every backend: quarantine with line and reason, dedupe within and
/// across runs, merges of changed customers, declared columns, all-or-nothing runs. Each backend's
/// test project derives a class naming its <see cref="Backend"/>.
/// </summary>
public abstract class IngestContract
{
    private protected abstract Backend Backend { get; }

    private WarehouseFixture NewFixture(Workspaces.WorkspaceSettings? settings = null) => new(Backend, settings);

    private const string Events = """
        customer_id,event_type,occurred_at,revenue,channel
        c1,purchase,2024-01-05T10:00:00Z,19.99,web
        c1,purchase,2024-01-05T10:00:00Z,19.99,web
        c2,email_open,2024-01-06T08:30:00Z,,email
        ,purchase,2024-01-07T00:00:00Z,5,web
        c3,purchse,2024-01-07T00:00:00Z,5,web
        c3,purchase,yesterday,5,web
        c3,purchase,2024-01-08T00:00:00Z,abc,web
        """;

    [SkippableFact]
    public void Ingest_BadRows_AreQuarantinedWithLineAndReasonAndGoodRowsLoad()
    {
        using var f = NewFixture();
        var summary = f.Ingest(TableKind.Events, f.Write("e.csv", Events));
        Assert.Equal(new IngestSummary(7, 3, 4, 0), summary);
        var quarantine = f.Warehouse.ReadQuarantine(null, 10).OrderBy(q => q.Line).ToList();
        Assert.Equal([5L, 6, 7, 8], quarantine.Select(q => q.Line));
        Assert.Equal("missing customer_id (column `customer_id` is empty)", quarantine[0].Reason);
        Assert.Equal("unknown event type `purchse` — did you mean `purchase`?", quarantine[1].Reason);
        Assert.StartsWith("occurred_at: `yesterday` is not a timestamp", quarantine[2].Reason, StringComparison.Ordinal);
        Assert.Equal("revenue: `abc` is not a number (column `revenue`)", quarantine[3].Reason);
        Assert.Equal("c3,purchase,2024-01-08T00:00:00Z,abc,web", quarantine[3].Raw);
        // Identical rows are distinct events (the same line twice on a receipt), not duplicates.
        Assert.Equal(2, f.Count("SELECT count(*) FROM events WHERE customer_id = 'c1'"));
        Assert.Equal(39.98m, f.Scalar("SELECT sum(revenue) FROM events"));
    }

    [SkippableFact]
    public void Ingest_ValuesNoColumnHoldsExactly_AreQuarantinedNeverTruncatedAndTheFileLoads()
    {
        // A NUL cut `c1\0zz` to `c1` on DuckDB (another customer's row) and failed the run on PostgreSQL; a number
        // that rounds past DECIMAL(18,4) aborted the whole file with nothing recorded.
        using var f = NewFixture();
        var text = "customer_id,event_type,occurred_at,revenue,quantity,product\n"
            + "c1,purchase,2024-01-05T10:00:00Z,19.99,1,ok\n"
            + "c1\0zz,purchase,2024-01-05T10:00:00Z,5,1,nul in id\n"
            + "c2,purchase,2024-01-05T10:00:00Z,5,1,nul\0in text\n"
            + "c\u00012,purchase,2024-01-05T10:00:00Z,5,1,control character in id\n"
            + "c2,purchase,2024-01-05T10:00:00Z,99999999999999.99995,1,rounds past the column\n"
            + "c2,purchase,2024-01-05T10:00:00Z,-99999999999999.9999,1,the most negative that fits\n"
            + "c2,purchase,2024-01-05T10:00:00Z,5,99999999999999999999,quantity past bigint\n"
            + "c2,purchase,2024-01-05T10:00:00Z,5,2,tab\tand new\u2028line are text\n";
        var summary = f.Ingest(TableKind.Events, f.Write("e.csv", text));

        Assert.Equal(new IngestSummary(8, 3, 5, 0), summary);
        var quarantine = f.Warehouse.ReadQuarantine(null, 10).OrderBy(q => q.Line).ToList();
        Assert.Equal([3L, 4, 5, 6, 8], quarantine.Select(q => q.Line));
        Assert.StartsWith("customer_id: contains the control character U+0000 at position 3", quarantine[0].Reason, StringComparison.Ordinal);
        Assert.Equal("c1\\u0000zz,purchase,2024-01-05T10:00:00Z,5,1,nul in id", quarantine[0].Raw);
        Assert.StartsWith("product: contains the control character U+0000", quarantine[1].Reason, StringComparison.Ordinal);
        Assert.StartsWith("customer_id: contains the control character U+0001 at position 2; ids must be printable", quarantine[2].Reason, StringComparison.Ordinal);
        Assert.StartsWith("revenue: `99999999999999.99995` is too large", quarantine[3].Reason, StringComparison.Ordinal);
        Assert.StartsWith("quantity: `99999999999999999999` is too large", quarantine[4].Reason, StringComparison.Ordinal);
        Assert.Equal(["c1", "c2"], f.Strings("SELECT DISTINCT customer_id FROM events ORDER BY customer_id"));
        Assert.Equal(-99999999999999.9999m + 19.99m + 5m, f.Scalar("SELECT sum(revenue) FROM events"));
        Assert.Equal("tab\tand new\u2028line are text", f.Scalar("SELECT product FROM events WHERE quantity = 2"));
    }

    [SkippableFact]
    public void Ingest_BytesThatAreNotUtf8_AreQuarantinedUnlessTheMappingNamesTheEncoding()
    {
        // A Windows-1252 export read as UTF-8 turned "Café" into "Caf\uFFFD" with nothing quarantined.
        using var f = NewFixture();
        var bytes = "customer_id,city\nc1,Caf"u8.ToArray().Append((byte)0xE9).Concat("\nc2,Lund\nc3,\u00C5re\n"u8.ToArray()).ToArray();
        var file = f.Write("latin.csv", "");
        File.WriteAllBytes(file, bytes);

        var summary = f.Ingest(TableKind.Customers, file);
        Assert.Equal(new IngestSummary(3, 2, 1, 0), summary);
        var entry = Assert.Single(f.Warehouse.ReadQuarantine(null, 10));
        Assert.Equal(2, entry.Line);
        Assert.StartsWith("the line is not UTF-8: byte 0xE9 at character 7", entry.Reason, StringComparison.Ordinal);
        Assert.Equal("c1,Caf\\xE9", entry.Raw);

        // Named in the mapping, the same bytes are the letter they stand for.
        using var g = NewFixture();
        var latin = g.Write("latin.csv", "");
        File.WriteAllBytes(latin, [.. "customer_id,city\nc1,Caf"u8, 0xE9, .. "\nc2,Lund\n"u8]);
        var mapping = g.Write("m.yaml", """
            table: customers
            source: { encoding: windows-1252 }
            fields:
              customer_id: customer_id
              city: city
            """);
        Assert.Equal(new IngestSummary(2, 2, 0, 0), g.Ingest(TableKind.Customers, latin, mapping));
        Assert.Equal("Café", g.Scalar("SELECT city FROM customers WHERE customer_id = 'c1'"));
    }

    [SkippableFact]
    public void OpenConnection_ReadsBesideAnOpenWriteTransaction_SeeingWhatWasCommitted()
    {
        // The server's reads take reader connections so that they never queue behind a refresh or a flush.
        using var f = NewFixture();
        f.Ingest(TableKind.Customers, f.Write("c.csv", "customer_id,country\nc1,SE\n"));
        using var reader = f.Warehouse.OpenConnection();
        Assert.NotNull(reader);
        long Count()
        {
            long count = -1;
            reader!.Read(new Sql.SqlStatement("SELECT count(*) FROM customers", []), r => count = r.GetInt64(0));
            return count;
        }

        using (var transaction = f.Warehouse.BeginTransaction())
        {
            transaction.Execute(new Sql.SqlStatement("INSERT INTO customers (customer_id) VALUES ('c2')", []));
            Assert.Equal(1, Count());
            transaction.Commit();
        }

        Assert.Equal(2, Count());
    }

    [SkippableFact]
    public void Ingest_CustomersFromAnEventFile_EachFieldCombinedByItsStatedRule()
    {
        // Order lines, several per customer: each profile field says how its lines combine; a bad line is
        // quarantined and counts for nothing; ties of most_frequent go to the value seen first.
        using var f = NewFixture();
        var lines = f.Write("lines.csv", """
            cust,country,seen,amount,coupon,tier
            a,Spain,2024-03-01T00:00:00Z,10.5,X,b
            a,France,2024-01-01T00:00:00Z,4,,a
            b,Italy,2024-02-01T00:00:00Z,7,Y,z
            a,France,2024-02-01T00:00:00Z,1.5,Z,c
            b,Italy,notadate,7,Y,z
            b,Malta,2024-05-01T00:00:00Z,3,,y
            """);
        var mapping = f.Write("m.yaml", """
            table: customers
            fields:
              customer_id: cust
              country: { column: country, aggregate: most_frequent }
              signup_at: { column: seen, aggregate: min }
              spend: { column: amount, type: number, aggregate: sum }
              coupons: { column: coupon, type: integer, aggregate: count }
              first_coupon: { column: coupon, type: text, aggregate: first }
              last_tier: { column: tier, type: text, aggregate: last }
              top_tier: { column: tier, type: text, aggregate: max }
            """);
        var summary = f.Ingest(TableKind.Customers, lines, mapping);
        Assert.Equal(new IngestSummary(6, 2, 1, 0), summary);
        Assert.Equal("France", f.Scalar("SELECT country FROM customers WHERE customer_id = 'a'"));
        Assert.Equal("Italy", f.Scalar("SELECT country FROM customers WHERE customer_id = 'b'")); // 1-1 tie: seen first
        Assert.Equal(new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc), Convert.ToDateTime(f.Scalar("SELECT signup_at FROM customers WHERE customer_id = 'a'"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(16m, Convert.ToDecimal(f.Scalar("SELECT spend FROM customers WHERE customer_id = 'a'"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(10m, Convert.ToDecimal(f.Scalar("SELECT spend FROM customers WHERE customer_id = 'b'"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(2L, Convert.ToInt64(f.Scalar("SELECT coupons FROM customers WHERE customer_id = 'a'"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("X", f.Scalar("SELECT first_coupon FROM customers WHERE customer_id = 'a'"));
        Assert.Equal("c", f.Scalar("SELECT last_tier FROM customers WHERE customer_id = 'a'"));
        Assert.Equal("z", f.Scalar("SELECT top_tier FROM customers WHERE customer_id = 'b'"));

        // The same file again changes nothing.
        Assert.Equal(new IngestSummary(6, 0, 1, 2), f.Ingest(TableKind.Customers, lines, mapping));
    }

    [SkippableFact]
    public void Ingest_SameFileTwice_LoadsNothingTheSecondTimeAndQuarantinesNothingTwice()
    {
        using var f = NewFixture();
        var file = f.Write("e.csv", Events);
        f.Ingest(TableKind.Events, file);
        var again = f.Ingest(TableKind.Events, file);
        Assert.Equal(new IngestSummary(7, 0, 4, 3), again);
        Assert.Equal(3, f.Count("SELECT count(*) FROM events"));
        Assert.Equal(4, f.Count("SELECT count(*) FROM quarantine"));
        Assert.Equal(2, f.Count("SELECT count(*) FROM ingest_runs"));
    }

    [SkippableFact]
    public void Ingest_OverlappingFile_LoadsOnlyTheNewEvents()
    {
        using var f = NewFixture();
        f.Ingest(TableKind.Events, f.Write("a.csv", "customer_id,event_type,occurred_at\nc1,session,2024-01-01T00:00:00Z\nc1,session,2024-01-02T00:00:00Z\n"));
        var s = f.Ingest(TableKind.Events, f.Write("b.csv", "customer_id,event_type,occurred_at\nc1,session,2024-01-02T00:00:00Z\nc1,session,2024-01-03T00:00:00Z\n"));
        Assert.Equal(new IngestSummary(2, 1, 0, 1), s);
        Assert.Equal(3, f.Count("SELECT count(*) FROM events"));
    }

    [SkippableFact]
    public void Ingest_SourceEventIds_RepeatedInFileAndAcrossRuns_AreDuplicates()
    {
        using var f = NewFixture();
        var first = f.Ingest(TableKind.Events, f.Write("a.csv", "event_id,customer_id,event_type,occurred_at\ne1,c1,session,2024-01-01T00:00:00Z\ne1,c1,session,2024-01-01T00:00:00Z\ne2,c1,session,2024-01-02T00:00:00Z\n"));
        Assert.Equal(new IngestSummary(3, 2, 0, 1), first);
        var second = f.Ingest(TableKind.Events, f.Write("b.csv", "event_id,customer_id,event_type,occurred_at\ne2,c1,session,2024-01-02T00:00:00Z\ne3,c2,session,2024-01-03T00:00:00Z\n"));
        Assert.Equal(new IngestSummary(2, 1, 0, 1), second);
        Assert.Equal(["e1", "e2", "e3"], f.Strings("SELECT event_id FROM events ORDER BY event_id"));
    }

    [SkippableFact]
    public void Ingest_Events_CreateBareCustomersForUnknownIds()
    {
        using var f = NewFixture();
        f.Ingest(TableKind.Customers, f.Write("c.csv", "customer_id,country\nc1,US\n"));
        f.Ingest(TableKind.Events, f.Write("e.csv", "customer_id,event_type,occurred_at\nc1,session,2024-01-01T00:00:00Z\nc9,session,2024-01-01T00:00:00Z\n"));
        Assert.Equal(["c1", "c9"], f.Strings("SELECT customer_id FROM customers ORDER BY 1"));
    }

    [SkippableFact]
    public void Ingest_EveryWriterOfCustomers_AddsEachIdOnce()
    {
        // DuckDB's customers have no key (schema 15): nothing but the writers keeps an id from being stored twice. Each one
        // here meets ids it already stored and ids repeated in its input: a whole file into the empty table and over
        // stored profiles, a file row by row (a malformed row sends it there), events' bare customers by either reader,
        // and identity resolution's profiles.
        using var f = NewFixture();
        f.Ingest(TableKind.Customers, f.Write("a.csv", "customer_id,country\nc1,US\nc2,GB\nc1,US\n"));
        f.Ingest(TableKind.Customers, f.Write("b.csv", "customer_id,country\nc2,DE\nc3,FR\nc3,FR\n"));
        f.Ingest(TableKind.Customers, f.Write("c.csv", "customer_id,country,age\nc3,FR,\nc4,IT,x\nc4,IT,40\nc5,ES,50\n"));
        const string Header = "customer_id,anonymous_id,event_type,occurred_at\n";
        f.Ingest(TableKind.Events, f.Write("d.csv", Header + "c1,,session,2024-01-01T00:00:00Z\nc6,,session,2024-01-01T00:00:00Z\nc6,,session,2024-01-02T00:00:00Z\nc7,,session,2024-01-02T00:00:00Z\n"));
        f.Ingest(TableKind.Events, f.Write("e.csv", Header + "c7,,session,2024-01-03T00:00:00Z\nc8,,session,soon\nc8,,session,2024-01-03T00:00:00Z\nc8,,session,2024-01-04T00:00:00Z\n"));
        f.Ingest(TableKind.Events, f.Write("f.csv", Header + ",v1,page_view,2024-01-05T00:00:00Z\n,v1,page_view,2024-01-05T00:01:00Z\nc9,v1,signup,2024-01-05T00:02:00Z\nc9,v2,session,2024-01-06T00:00:00Z\n,v2,page_view,2024-01-06T00:01:00Z\n"));
        f.Ingest(TableKind.Customers, f.Write("g.csv", "customer_id,anonymous_id,identified_at\nc9,v3,2024-01-07T00:00:00Z\nc10,v3,2024-01-08T00:00:00Z\n"));

        Assert.Equal(
            ["c1", "c10", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9"],
            f.Strings("SELECT customer_id FROM customers ORDER BY customer_id"));
    }

    [SkippableFact]
    public void Ingest_Customers_UpdatesChangedRowsAndCountsUnchangedAsDuplicates()
    {
        using var f = NewFixture();
        Assert.Equal(new IngestSummary(2, 2, 0, 0), f.Ingest(TableKind.Customers, f.Write("a.csv", "customer_id,country,age\nc1,US,30\nc2,GB,40\n")));
        var s = f.Ingest(TableKind.Customers, f.Write("b.csv", "customer_id,country,age\nc1,US,30\nc2,DE,40\nc3,FR,50\n"));
        Assert.Equal(new IngestSummary(3, 2, 0, 1), s);
        Assert.Equal(["c1 US", "c2 DE", "c3 FR"], f.Strings("SELECT customer_id || ' ' || country FROM customers ORDER BY 1"));
    }

    [SkippableFact]
    public void Ingest_CustomerRepeatedInFileWithOtherValues_IsQuarantinedNotOverwritten()
    {
        using var f = NewFixture();
        var s = f.Ingest(TableKind.Customers, f.Write("a.csv", "customer_id,country\nc1,US\nc1,US\nc1,GB\n"));
        Assert.Equal(new IngestSummary(3, 1, 1, 1), s);
        Assert.Equal("customer `c1` appears again with different values (first on line 2)", f.Warehouse.ReadQuarantine(null, 1)[0].Reason);
        Assert.Equal("US", f.Scalar("SELECT country FROM customers"));
    }

    [SkippableFact]
    public void Ingest_DeclaredTraits_BecomeTypedColumns()
    {
        using var f = NewFixture();
        var mapping = f.Write("m.yaml", """
            table: customers
            fields:
              customer_id: id
              loyalty_tier: { column: tier, type: text, map: { G: gold, S: silver } }
              points: { column: pts, type: integer, default: "0" }
              vip: { column: vip, type: boolean }
            """);
        f.Ingest(TableKind.Customers, f.Write("c.csv", "id,tier,pts,vip\n1,G,120,yes\n2,S,,no\n"), mapping);
        var columns = f.Warehouse.Columns(TableKind.Customers).Where(c => c.Declared).ToList();
        Assert.Equal([new FieldDefinition("loyalty_tier", FieldType.Text, true), new FieldDefinition("points", FieldType.Integer, true), new FieldDefinition("vip", FieldType.Boolean, true)], columns);
        Assert.Equal(["1 gold 120 true", "2 silver 0 false"], f.Strings("SELECT customer_id || ' ' || loyalty_tier || ' ' || points || ' ' || vip FROM customers ORDER BY 1"));
    }

    [SkippableFact]
    public void Ingest_DeclaredFieldWithOtherTypeThanTheColumn_FailsBeforeWriting()
    {
        using var f = NewFixture();
        f.Ingest(TableKind.Customers, f.Write("c.csv", "id,tier\n1,G\n"), f.Write("m.yaml", "table: customers\nfields:\n  customer_id: id\n  tier: { column: tier, type: text }\n"));
        var e = Assert.Throws<IngestSetupException>(() =>
            f.Ingest(TableKind.Customers, f.Write("d.csv", "id,tier\n2,3\n"), f.Write("n.yaml", "table: customers\nfields:\n  customer_id: id\n  tier: { column: tier, type: integer }\n")));
        Assert.Contains("`tier` already exists in customers as text, not integer", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, f.Count("SELECT count(*) FROM customers"));
        Assert.Equal(1, f.Count("SELECT count(*) FROM ingest_runs"));
    }

    [SkippableFact]
    public void Ingest_FailureMidRun_RollsBackEverything()
    {
        using var f = NewFixture();
        // A declared column added by the failed run must disappear with it.
        var mapping = f.Write("m.yaml", "table: events\nfields:\n  customer_id: c\n  event_type: { value: session }\n  occurred_at: t\n  note: { column: n, type: text }\n");
        var bad = f.Write("e.csv", "c,t,n\nc1,2024-01-01T00:00:00Z,x\n");
        using (var load = f.Warehouse.BeginLoad(new IngestLoadRequest(TableKind.Events, bad, mapping,
                   [new FieldDefinition("event_id", FieldType.Text)], [new FieldDefinition("note", FieldType.Text, true)], false, DateTime.UtcNow)))
        {
            // Disposed without Commit: an exception, a Ctrl+C.
        }

        Assert.DoesNotContain(f.Warehouse.Columns(TableKind.Events), c => c.Name == "note");
        Assert.Equal(0, f.Count("SELECT count(*) FROM ingest_runs"));
        Assert.Equal(new IngestSummary(1, 1, 0, 0), f.Ingest(TableKind.Events, bad, mapping));
    }

    [SkippableFact]
    public void Ingest_FilterAndExpressionsAndConstants_FromMapping()
    {
        using var f = NewFixture();
        var mapping = f.Write("m.yaml", """
            table: events
            filter: "Quantity != 0"
            fields:
              customer_id: { expr: "text(int(Cust))" }
              event_type: { expr: "if(starts_with(Inv, 'C'), 'refund', 'purchase')" }
              occurred_at: { column: When, format: "dd/MM/yyyy HH:mm" }
              revenue: { expr: "Quantity * Price" }
              channel: { value: store }
            """);
        var s = f.Ingest(TableKind.Events, f.Write("r.csv", "Inv,Cust,When,Quantity,Price\n1,17850.0,01/12/2010 08:26,6,2.55\nC2,17850.0,02/12/2010 09:00,-2,2.55\n3,17850.0,02/12/2010 09:00,0,2.55\n"), mapping);
        Assert.Equal(new IngestSummary(3, 2, 1, 0), s);
        Assert.Equal("excluded by the mapping's filter `Quantity != 0`", f.Warehouse.ReadQuarantine(null, 1)[0].Reason);
        Assert.Equal(["17850 purchase 15.3000 store 2010-12-01 08:26:00", "17850 refund -5.1000 store 2010-12-02 09:00:00"],
            f.Strings("SELECT customer_id || ' ' || event_type || ' ' || revenue || ' ' || channel || ' ' || occurred_at FROM events ORDER BY occurred_at"));
    }

    [SkippableFact]
    public void Ingest_JsonLines_FlattensNestedProperties()
    {
        using var f = NewFixture();
        var mapping = f.Write("m.yaml", "table: events\nfields:\n  customer_id: userId\n  event_type: { expr: \"lower(event)\" }\n  occurred_at: timestamp\n  revenue: properties.revenue\n  category: properties.category\n");
        var file = f.Write("e.jsonl", """
            {"userId": "u1", "event": "Purchase", "timestamp": "2024-02-01T10:00:00Z", "properties": {"revenue": 12.5, "category": "shoes"}}

            {"userId": "u2", "event": "page_view", "timestamp": "2024-02-01T11:00:00+01:00", "properties": {"category": null}}
            not json
            """);
        var s = f.Ingest(TableKind.Events, file, mapping);
        Assert.Equal(new IngestSummary(3, 2, 1, 0), s);
        Assert.Equal(4, f.Warehouse.ReadQuarantine(null, 1)[0].Line);
        Assert.Equal(["u1 purchase 12.5000 shoes 2024-02-01 10:00:00", "u2 page_view - - 2024-02-01 10:00:00"],
            f.Strings("SELECT customer_id || ' ' || event_type || ' ' || coalesce(revenue::VARCHAR, '-') || ' ' || coalesce(category, '-') || ' ' || occurred_at FROM events ORDER BY customer_id"));
    }

    [SkippableFact]
    public void Ingest_Parquet_LoadsTheSameAsTheCsv()
    {
        using var f = NewFixture();
        var csv = f.Write("e.csv", "customer_id,event_type,occurred_at,revenue\nc1,purchase,2024-01-05T10:00:00Z,19.99\nc2,session,2024-01-06T08:30:00Z,\n");
        var parquet = Path.Combine(f.Dir, "e.parquet");
        DuckDbParquetFiles.Instance.FromCsv(csv, parquet);
        Assert.Equal(new IngestSummary(2, 2, 0, 0), f.Ingest(TableKind.Events, parquet));
        Assert.Equal(new IngestSummary(2, 0, 0, 2), f.Ingest(TableKind.Events, csv)); // same events, same identity
    }

    [SkippableFact]
    public void Ingest_TimestampsWithoutOffset_AreReadInTheWorkspaceZone()
    {
        using var f = NewFixture(new Workspaces.WorkspaceSettings { TimeZone = "America/New_York" });
        f.Ingest(TableKind.Events, f.Write("e.csv", "customer_id,event_type,occurred_at\nc1,session,2024-07-01 12:00:00\nc1,session,2024-07-01T12:00:00Z\n"));
        Assert.Equal(["2024-07-01 12:00:00", "2024-07-01 16:00:00"], f.Strings("SELECT occurred_at::VARCHAR FROM events ORDER BY 1"));
    }

    [SkippableFact]
    public void Ingest_WorkspaceEventTypes_ExtendTheStandardOnes()
    {
        using var f = NewFixture(new Workspaces.WorkspaceSettings { EventTypes = ["store_visit"] });
        var s = f.Ingest(TableKind.Events, f.Write("e.csv", "customer_id,event_type,occurred_at\nc1,store_visit,2024-07-01T12:00:00Z\nc1,teleport,2024-07-01T12:00:00Z\n"));
        Assert.Equal(new IngestSummary(2, 1, 1, 0), s);
    }
}
