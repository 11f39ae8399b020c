using Segmenta.Clv;
using Segmenta.Features;
using Segmenta.Language;
using Segmenta.Model;
using Segmenta.Segments;
using Segmenta.Testing;
using Segmenta.Workspaces;
using Xunit;

namespace Segmenta.Contracts;

/// <summary>
/// CLV on a backend, from the CDNOW sample's raw transactions: the summary computed in the warehouse's
/// SQL fits to the published BG/NBD estimates, predictions are stored with one bulk append and
/// replaced atomically, and segments select on them exactly as the in-memory predictions say.
/// </summary>
public abstract class ClvContract
{
    private static readonly DateOnly CalibrationEnd = new(1997, 9, 30);

    private protected abstract Backend Backend { get; }

    [SkippableFact]
    public void Clv_Cdnow_FitsThePublishedModelAndSegmentsReadThePredictions()
    {
        using var f = new WarehouseFixture(Backend, new WorkspaceSettings());
        f.Ingest(TableKind.Events, TestPaths.DataFile("CDNOW_sample.txt"), TestPaths.Sample("cdnow/mapping.yaml"));
        var customers = ClvAnalysis.ReadSummary(f.Warehouse, TimeZoneInfo.Utc, new SummaryPeriod(CalibrationEnd, null, SummaryUnit.Weeks));
        Assert.Equal(2357, customers.Count);

        // Fader, Hardie and Lee (2005): r = 0.243, α = 4.414, a = 0.793, b = 2.426, LL = −9582.4; the
        // unrounded summary moves the estimates in the fourth digit at most.
        var model = ClvAnalysis.Fit(customers, PurchaseModelKind.BgNbd, SummaryUnit.Weeks, CalibrationEnd);
        Assert.Equal(0.243, model.Purchases["r"], 0.001);
        Assert.Equal(4.414, model.Purchases["alpha"], 0.005);
        Assert.Equal(0.793, model.Purchases["a"], 0.002);
        Assert.Equal(2.426, model.Purchases["b"], 0.005);
        Assert.Equal(-9582.4, model.Purchases.LogLikelihood, 0.5);
        Assert.NotNull(model.Spend);

        Assert.Null(ClvAnalysis.Active(f.Warehouse));
        var month = ClvAnalysis.Predict(model, customers, CalibrationEnd, new ClvValueOptions(HorizonDays: 30));
        var stored = ClvAnalysis.Store(f.Warehouse, model, DateTime.UtcNow, month);
        Assert.Equal(1, stored.Version);
        Assert.Equal(stored.ToJson(), ClvAnalysis.Active(f.Warehouse)!.ToJson());
        var versions = new List<long>();
        f.Warehouse.Read(new Sql.SqlStatement("SELECT DISTINCT model_version FROM clv_predictions", []), r => versions.Add(Convert.ToInt64(r.GetValue(0), System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal([1L], versions);

        // Replacing predictions: the second store leaves only its own rows.
        var year = ClvAnalysis.Predict(stored, customers, CalibrationEnd, new ClvValueOptions());
        ClvAnalysis.StorePredictions(f.Warehouse, year);
        Assert.All(year.Customers, c => Assert.True(c.Value >= 0 && c.ProbabilityAlive is >= 0 and <= 1));

        var library = SegmentLibrary.Load(f.Workspace, SegmentLibrary.SchemaOf(f.Warehouse, f.Workspace.Settings));
        var compilation = SegmentCompiler.Compile(
            [new SegmentSource("t.seg", """
                segment fading where clv.p_alive < 0.3
                segment valuable where clv.value > 100 and clv.expected_purchases >= 1
                """)],
            library.Schema);
        Assert.Empty(compilation.Diagnostics);
        var context = new EvaluationContext(new DateTime(1997, 10, 1, 0, 0, 0, DateTimeKind.Utc), TimeZoneInfo.Utc);
        List<string> Members(string name)
        {
            var query = compilation.Find(name)!.Query(f.Dialect, context).Members();
            return f.Strings(query.Text, [.. query.Parameters]).Order(StringComparer.Ordinal).ToList();
        }

        List<string> Where(Func<ClvPrediction, bool> rule) => year.Customers.Where(rule).Select(c => c.CustomerId).Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(Members("fading"));
        Assert.Equal(Where(c => c.ProbabilityAlive < 0.3), Members("fading"));
        Assert.NotEmpty(Members("valuable"));
        Assert.Equal(Where(c => c.Value > 100 && c.ExpectedPurchases >= 1), Members("valuable"));

        // The stored rows are the predictions, value for value; also when they are appended in several slices.
        void AssertStored()
        {
            var values = new Dictionary<string, double>(StringComparer.Ordinal);
            f.Warehouse.Read(new Sql.SqlStatement($"SELECT customer_id, {f.Dialect.QuoteIdentifier("value")} FROM clv_predictions", []), r => values.Add(r.GetString(0), r.GetDouble(1)));
            Assert.Equal(year.Customers.Count, values.Count);
            Assert.All(year.Customers, c => Assert.Equal(c.Value!.Value, values[c.CustomerId], c.Value.Value * 1e-12));
            Assert.Equal(year.TotalValue, values.Values.Sum(), year.TotalValue * 1e-9);
        }

        AssertStored();
        using (var transaction = f.Warehouse.BeginTransaction())
        {
            ClvAnalysis.StorePredictions(transaction, year, 1000, CancellationToken.None);
            transaction.Commit();
        }

        AssertStored();
    }

    /// <summary>
    /// The purchase days carry a day's spend in the events' own number type when it fits (a narrow decimal: reading the
    /// wide sum DuckDB gives cost 0.3-0.7 s at 1M customers) and in the wide one beyond it: a day of two purchases whose
    /// sum exceeds the narrow type keeps every digit, and the mean repeat spend is what the SQL summary computes.
    /// </summary>
    [SkippableFact]
    public void PurchaseDays_ADaySpendBeyondTheEventsNumberType_IsReadExactly()
    {
        using var f = new WarehouseFixture(Backend, new WorkspaceSettings());
        f.Ingest(TableKind.Events, f.Write("events.csv", """
            event_id,customer_id,event_type,occurred_at,revenue
            e1,c1,purchase,2026-01-05T10:00:00Z,12.5
            e2,c1,purchase,2026-02-10T09:00:00Z,60000000000000.1234
            e3,c1,purchase,2026-02-10T11:00:00Z,60000000000000.0001
            e4,c1,purchase,2026-03-01T10:00:00Z,7.25
            e5,c2,purchase,2026-01-20T10:00:00Z,99999999999999.9999
            e6,c2,purchase,2026-02-20T10:00:00Z,0.0001
            """));
        var lastDay = new DateOnly(2026, 3, 31);
        var customers = PurchaseDays.Read(f.Warehouse, TimeZoneInfo.Utc, lastDay).Calibration(SummaryUnit.Days);
        Assert.Equal(["c1", "c2"], customers.Select(c => c.CustomerId));

        // c1: repeat days 2026-02-10 (120000000000000.1235, beyond 14 integer digits) and 2026-03-01 (7.25).
        Assert.Equal((double)((120000000000000.1235m + 7.25m) / 2), customers[0].MeanSpend);
        Assert.Equal((double)0.0001m, customers[1].MeanSpend);
        var sql = new List<double?>();
        f.Warehouse.Read(RepeatPurchaseSummary.Query(f.Dialect, TimeZoneInfo.Utc, new SummaryPeriod(lastDay, null, SummaryUnit.Days)), r => sql.Add(r.IsDBNull(4) ? null : r.GetDouble(4)));
        Assert.Equal(sql, customers.Select(c => c.MeanSpend));
    }
}
