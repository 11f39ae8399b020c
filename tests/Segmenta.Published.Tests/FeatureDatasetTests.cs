using System.Globalization;
using Segmenta.Contracts;
using Segmenta.Features;
using Segmenta.Language;
using Segmenta.Model;
using Segmenta.Rfm;
using Segmenta.Testing;
using Segmenta.Workspaces;
using Xunit;

namespace Segmenta.Published.Tests;

/// <summary>
/// Features, RFM and the repeat-purchase summary on the real datasets, against computations that read
/// the raw files themselves: plain LINQ over the parsed UCI Online Retail CSV, and the published
/// CDNOW summaries of the BTYD and lifetimes packages.
/// </summary>
public class FeatureDatasetTests
{
    private static readonly TimeZoneInfo London = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");

    /// <summary>The customary UCI snapshot: the day after the last invoice (2011-12-09), London time.</summary>
    private static readonly DateTime UciAsOf = TimeZoneInfo.ConvertTimeToUtc(new DateTime(2011, 12, 10), London);

    [Fact]
    public void OnlineRetail_FeaturesAndRfm_EqualPlainLinqOverTheCsvForEveryCustomer()
    {
        // Independent reading: the BCL's TextFieldParser, London invoice times converted here.
        var events = ReferenceDatasetTests.Rows(TestPaths.DataFile("online_retail.csv"))
            .Select((r, index) => (r, line: index + 2))
            .Where(x => x.r[6].Length > 0)
            .Select(x => new FeatureEvent(
                x.line.ToString(CultureInfo.InvariantCulture),
                ((long)double.Parse(x.r[6], CultureInfo.InvariantCulture)).ToString(CultureInfo.InvariantCulture),
                x.r[0].StartsWith('C') ? "refund" : "purchase",
                TimeZoneInfo.ConvertTimeToUtc(DateTime.ParseExact(x.r[4], "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), London),
                decimal.Parse(x.r[3], CultureInfo.InvariantCulture) * decimal.Parse(x.r[5], CultureInfo.InvariantCulture),
                OrderId: x.r[0],
                Channel: "web",
                Product: x.r[1]))
            .ToList();

        var customers = events.Select(e => e.CustomerId).Distinct(StringComparer.Ordinal).Select(id => new FeatureCustomer(id)).ToList();
        var expected = ReferenceFeatures.Compute(customers, events, UciAsOf, London);

        using var f = new WarehouseFixture(new WorkspaceSettings { TimeZone = "Europe/London" });
        f.Ingest(TableKind.Events, TestPaths.DataFile("online_retail.csv"), TestPaths.Sample("mappings/online_retail.yaml"));
        var context = new EvaluationContext(UciAsOf, London);
        var run = FeatureSnapshots.Materialize(f.Warehouse, context, DateTime.UtcNow);
        Assert.Equal(4_372, run.Rows); // the customers UCI's documentation counts
        Assert.Equal(expected.Count, run.Rows);

        var compared = 0;
        f.Warehouse.Read(FeatureSnapshots.Rows(f.Dialect, context.AsOf), r =>
        {
            var want = expected[r.GetString(0)];
            for (var i = 1; i < r.FieldCount; i++)
            {
                if (want.TryGetValue(r.GetName(i), out var value))
                {
                    var actual = r.IsDBNull(i) ? null : r.GetValue(i);
                    Assert.True(ReferenceFeatures.Same(value, actual), $"{r.GetString(0)}.{r.GetName(i)}: expected {value ?? "null"}, got {actual ?? "null"}");
                    compared++;
                }
            }
        });
        Assert.Equal(expected.Count * expected.First().Value.Count, compared);
        Assert.Contains(expected.Values, e => (decimal)e["refunded"]! > 0 && (long)e["frequency"]! > 1);

        // The two methods are different rules: on this base they score some customers differently.
        var byQuantiles = ReferenceFeatures.Rfm(expected, 5, quantiles: true);
        var byRanks = ReferenceFeatures.Rfm(expected, 5, quantiles: false);
        Assert.Contains(byQuantiles, kv => byRanks[kv.Key] != kv.Value);
        foreach (var method in new[] { RfmMethod.Quantiles, RfmMethod.Ranks })
        {
            var report = RfmAnalysis.Materialize(f.Warehouse, context, RfmOptions.Default with { Method = method }, DateTime.UtcNow);
            var scores = ReferenceFeatures.Rfm(expected, 5, method == RfmMethod.Quantiles);
            Assert.Equal(scores.Count, report.Scored);
            f.Warehouse.Read(RfmAnalysis.Stored(f.Dialect, context.AsOf), r =>
                Assert.Equal(scores[r.GetString(0)], new RefRfm((int)r.GetInt64(4), (int)r.GetInt64(5), (int)r.GetInt64(6), r.GetString(8))));
            foreach (var row in report.Segments)
            {
                Assert.Equal(scores.Values.Count(s => s.Segment == row.Segment), row.Customers);
            }
        }
    }

    [Fact]
    public void Cdnow_CalibrationSummaryInWeeks_EqualsThePublishedSummaryExactly()
    {
        using var f = new WarehouseFixture();
        f.Ingest(TableKind.Events, TestPaths.DataFile("CDNOW_sample.txt"), TestPaths.Sample("cdnow/mapping.yaml"));
        var period = new SummaryPeriod(new DateOnly(1997, 9, 30), new DateOnly(1998, 6, 30), SummaryUnit.Weeks);
        var rows = new Dictionary<string, (long X, double Tx, double T, double? Spend, long Holdout)>(StringComparer.Ordinal);
        f.Warehouse.Read(RepeatPurchaseSummary.Query(f.Dialect, TimeZoneInfo.Utc, period), r =>
            rows[r.GetString(0)] = (r.GetInt64(1), r.GetDouble(2), r.GetDouble(3), r.IsDBNull(4) ? null : r.GetDouble(4), r.GetInt64(5)));

        var published = File.ReadLines(TestPaths.DataFile("cdnow_customers_summary.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(2_357, published.Count);
        Assert.Equal(published.Count, rows.Count);
        foreach (var p in published)
        {
            var row = rows[p[0]];
            Assert.Equal((p[0], long.Parse(p[1], CultureInfo.InvariantCulture)), (p[0], row.X));
            Assert.Equal((p[0], double.Parse(p[2], CultureInfo.InvariantCulture)), (p[0], Math.Round(row.Tx, 2, MidpointRounding.AwayFromZero)));
            Assert.Equal((p[0], double.Parse(p[3], CultureInfo.InvariantCulture)), (p[0], Math.Round(row.T, 2, MidpointRounding.AwayFromZero)));
        }

        // The published figures are the file's, rounded to two decimals; the summary keeps full precision.
        // Gamma-Gamma's input: the mean spend of repeat transaction days (published rounded to cents; 0 for x = 0).
        foreach (var p in File.ReadLines(TestPaths.DataFile("cdnow_customers_summary_with_transactions.csv")).Skip(1).Select(l => l.Split(',')))
        {
            var zbar = double.Parse(p[4], CultureInfo.InvariantCulture);
            var spend = rows[p[0]].Spend;
            Assert.True(spend is null ? zbar == 0 : Math.Abs(spend.Value - zbar) <= 0.005 + 1e-9, $"customer {p[0]}: zbar {zbar}, computed {spend}");
        }

        // Holdout purchase days, counted straight from the transaction log.
        var holdoutDays = File.ReadLines(TestPaths.DataFile("cdnowElog.csv")).Skip(1).Select(l => l.Split(','))
            .Where(p => string.CompareOrdinal(p[2], "19970930") > 0)
            .Select(p => (p[1], p[2])).Distinct().Count();
        Assert.Equal(holdoutDays, rows.Values.Sum(r => r.Holdout));
    }

    /// <summary>
    /// <c>clv fit</c> reads every customer's purchase days once and summarizes the calibration and the holdout check's
    /// periods in memory (<see cref="Segmenta.Clv.PurchaseDays"/>): value for value what the SQL summary gives, on the
    /// UCI refunds and the London time zone and on CDNOW, with and without a holdout, in weeks and in days.
    /// </summary>
    [Fact]
    public void PurchaseDays_SummaryInMemory_EqualsTheSqlSummaryValueForValue()
    {
        using var uci = new WarehouseFixture(new WorkspaceSettings { TimeZone = "Europe/London" });
        uci.Ingest(TableKind.Events, TestPaths.DataFile("online_retail.csv"), TestPaths.Sample("mappings/online_retail.yaml"));
        AssertSameSummaries(uci, London, new DateOnly(2011, 12, 9),
            new SummaryPeriod(new DateOnly(2011, 12, 9), null, SummaryUnit.Weeks),
            new SummaryPeriod(new DateOnly(2011, 6, 30), new DateOnly(2011, 12, 9), SummaryUnit.Days));

        using var cdnow = new WarehouseFixture();
        cdnow.Ingest(TableKind.Events, TestPaths.DataFile("CDNOW_sample.txt"), TestPaths.Sample("cdnow/mapping.yaml"));
        AssertSameSummaries(cdnow, TimeZoneInfo.Utc, new DateOnly(1998, 6, 30),
            new SummaryPeriod(new DateOnly(1998, 6, 30), null, SummaryUnit.Weeks),
            new SummaryPeriod(new DateOnly(1997, 9, 30), new DateOnly(1998, 6, 30), SummaryUnit.Weeks));
    }

    private static void AssertSameSummaries(WarehouseFixture f, TimeZoneInfo zone, DateOnly lastDay, params SummaryPeriod[] periods)
    {
        var days = Segmenta.Clv.PurchaseDays.Read(f.Warehouse, zone, lastDay);
        foreach (var period in periods)
        {
            var sql = new List<string>();
            f.Warehouse.Read(RepeatPurchaseSummary.Query(f.Dialect, zone, period), r => sql.Add(string.Join(" | ",
                r.GetString(0), Convert.ToDouble(r.GetValue(1), CultureInfo.InvariantCulture).ToString("R", CultureInfo.InvariantCulture),
                r.GetDouble(2).ToString("R", CultureInfo.InvariantCulture), r.GetDouble(3).ToString("R", CultureInfo.InvariantCulture),
                r.IsDBNull(4) ? "null" : r.GetDouble(4).ToString("R", CultureInfo.InvariantCulture),
                Convert.ToInt64(r.GetValue(5), CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture),
                Convert.ToDouble(r.GetValue(6), CultureInfo.InvariantCulture).ToString("R", CultureInfo.InvariantCulture))));
            var memory = days.Summary(period).Select(c => string.Join(" | ",
                c.CustomerId, c.History.X.ToString("R", CultureInfo.InvariantCulture), c.History.Tx.ToString("R", CultureInfo.InvariantCulture),
                c.History.T.ToString("R", CultureInfo.InvariantCulture), c.MeanSpend?.ToString("R", CultureInfo.InvariantCulture) ?? "null",
                c.HoldoutPurchases.ToString(CultureInfo.InvariantCulture), c.HoldoutSpend.ToString("R", CultureInfo.InvariantCulture))).ToList();
            Assert.True(sql.Count > 1000, $"{period}: {sql.Count} customers");
            Assert.Equal(sql, memory);
        }

        Assert.Throws<ArgumentException>(() => days.Summary(new SummaryPeriod(lastDay.AddDays(-1), null, SummaryUnit.Weeks)));
    }
}
