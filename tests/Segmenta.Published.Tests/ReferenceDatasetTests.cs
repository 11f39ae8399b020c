using System.Globalization;
using Microsoft.VisualBasic.FileIO;
using Segmenta.Contracts;
using Segmenta.Ingestion;
using Segmenta.Model;
using Segmenta.Testing;
using Segmenta.Warehouse;
using Xunit;

namespace Segmenta.Published.Tests;

/// <summary>
/// The real datasets load with the shipped mappings, and the warehouse agrees with counts taken
/// independently of the loader (the BCL's TextFieldParser, or plain splitting).
/// </summary>
public class ReferenceDatasetTests
{
    /// <summary>The fields of every data row of a delimited file, read by the BCL's parser (not the ingester's).</summary>
    internal static IEnumerable<string[]> Rows(string file, string delimiter = ",")
    {
        using var parser = new TextFieldParser(file) { TextFieldType = Microsoft.VisualBasic.FileIO.FieldType.Delimited, HasFieldsEnclosedInQuotes = true };
        parser.SetDelimiters(delimiter);
        parser.ReadFields(); // header
        while (parser.ReadFields() is { } fields)
        {
            yield return fields;
        }
    }

    [Fact]
    public void OnlineRetail_LoadsInvoiceLinesRefundsAndQuarantinesAnonymousRows()
    {
        var file = TestPaths.DataFile("online_retail.csv");
        long withoutCustomer = 0, purchases = 0, refunds = 0;
        decimal revenue = 0;
        var customers = new HashSet<string>();
        foreach (var r in Rows(file))
        {
            if (r[6].Length == 0)
            {
                withoutCustomer++;
                continue;
            }

            customers.Add(r[6]);
            _ = r[0].StartsWith('C') ? refunds++ : purchases++;
            revenue += decimal.Parse(r[3], CultureInfo.InvariantCulture) * decimal.Parse(r[5], CultureInfo.InvariantCulture);
        }

        using var f = new WarehouseFixture();
        var s = f.Ingest(TableKind.Events, file, TestPaths.Sample("mappings/online_retail.yaml"));
        Assert.Equal(541_909, s.Read);
        Assert.Equal(withoutCustomer, s.Quarantined);
        Assert.Equal(135_080, withoutCustomer); // the UCI documentation's figure
        Assert.Equal(purchases + refunds, s.Loaded);
        Assert.Equal(purchases, f.Count("SELECT count(*) FROM events WHERE event_type = 'purchase'"));
        Assert.Equal(refunds, f.Count("SELECT count(*) FROM events WHERE event_type = 'refund' AND revenue <= 0"));
        Assert.Equal(customers.Count, f.Count("SELECT count(*) FROM customers"));
        Assert.Equal(decimal.Round(revenue, 2), decimal.Round((decimal)f.Scalar("SELECT sum(revenue) FROM events")!, 2));
        Assert.All(f.Warehouse.ReadQuarantine(null, 5), q => Assert.Equal("missing customer_id", q.Reason));
        // Invoice times are London local time: 2010-12-01 08:26 GMT is 08:26 UTC, 2011-06-01 is BST.
        Assert.Equal(new DateTime(2010, 12, 1, 8, 26, 0), f.Scalar("SELECT min(occurred_at) FROM events"));
    }

    [Fact]
    public void CdnowMaster_LoadsEveryPurchaseOfTheCohort()
    {
        var file = TestPaths.DataFile("CDNOW_master.txt");
        var lines = File.ReadLines(file).Skip(1).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Where(p => p.Length == 4).ToList();
        using var f = new WarehouseFixture();
        var s = f.Ingest(TableKind.Events, file, TestPaths.Sample("mappings/cdnow_master.yaml"));
        Assert.Equal(new IngestSummary(lines.Count, lines.Count, 0, 0), s);
        Assert.Equal(69_659, lines.Count);
        Assert.Equal(23_570, f.Count("SELECT count(DISTINCT customer_id) FROM events"));
        Assert.Equal(lines.Sum(p => decimal.Parse(p[3], CultureInfo.InvariantCulture)), (decimal)f.Scalar("SELECT sum(revenue) FROM events")!);
        Assert.Equal(new DateTime(1998, 6, 30), f.Scalar("SELECT max(occurred_at) FROM events"));
    }

    [Fact]
    public void CdnowSample_HeaderlessFile_LoadsWithDeclaredColumns()
    {
        using var f = new WarehouseFixture();
        var s = f.Ingest(TableKind.Events, TestPaths.DataFile("CDNOW_sample.txt"), TestPaths.Sample("cdnow/mapping.yaml"));
        Assert.Equal(new IngestSummary(6_919, 6_919, 0, 0), s);
        Assert.Equal(2_357, f.Count("SELECT count(*) FROM customers"));
    }

    [Fact]
    public void Hillstrom_LoadsCustomersWithTheirRandomizedArm()
    {
        var file = TestPaths.DataFile("Kevin_Hillstrom_MineThatData_E-MailAnalytics_DataMiningChallenge_2008.03.20.csv");
        var arms = Rows(file).GroupBy(r => r[8]).ToDictionary(g => g.Key, g => (long)g.Count());
        using var f = new WarehouseFixture();
        var s = f.Ingest(TableKind.Customers, file, TestPaths.Sample("hillstrom/customers.yaml"));
        Assert.Equal(new IngestSummary(64_000, 64_000, 0, 0), s);
        foreach (var (arm, count) in arms)
        {
            Assert.Equal(count, f.Count("SELECT count(*) FROM customers WHERE campaign_arm = $1", arm));
        }

        Assert.Equal(0, f.Count("SELECT count(*) FROM customers WHERE zip_area = 'Surburban'"));
        Assert.Equal(Rows(file).Count(r => r[10] == "1"), f.Count("SELECT count(*) FROM customers WHERE converted"));
    }

    [Fact]
    public void IfoodAndBankAndMall_CustomerTablesLoadCompletely()
    {
        using var f = new WarehouseFixture();
        Assert.Equal(new IngestSummary(2_240, 2_240, 0, 0), f.Ingest(TableKind.Customers, TestPaths.DataFile("ml_project1_data.csv"), TestPaths.Sample("ifood/customers.yaml")));
        Assert.Equal(Rows(TestPaths.DataFile("ml_project1_data.csv")).Count(r => r[4].Length == 0), f.Count("SELECT count(*) FROM customers WHERE income IS NULL"));

        var bank = TestPaths.DataFile("bank.csv");
        Assert.Equal(new IngestSummary(4_521, 4_521, 0, 0), f.Ingest(TableKind.Customers, bank, TestPaths.Sample("mappings/bank_marketing.yaml")));
        Assert.Equal(Rows(bank, ";").Count(r => r[16] == "yes"), f.Count("SELECT count(*) FROM customers WHERE subscribed"));

        Assert.Equal(new IngestSummary(200, 200, 0, 0), f.Ingest(TableKind.Customers, TestPaths.DataFile("Mall_Customers.csv"), TestPaths.Sample("mall/mapping.yaml")));
        Assert.Equal(15_000m, f.Scalar("SELECT income FROM customers WHERE customer_id = '1'"));
        // Mall and iFood ids overlap: the Mall rows update those customers rather than adding new ones.
        var overlap = Rows(TestPaths.DataFile("ml_project1_data.csv")).Select(r => r[0])
            .Intersect(Rows(TestPaths.DataFile("Mall_Customers.csv")).Select(r => r[0]), StringComparer.Ordinal).Count();
        Assert.True(overlap > 0);
        Assert.Equal(2_240 + 4_521 + 200 - overlap, f.Count("SELECT count(*) FROM customers"));
    }
}
