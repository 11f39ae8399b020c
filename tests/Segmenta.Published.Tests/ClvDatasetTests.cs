using Segmenta.Clv;
using Segmenta.Contracts;
using Segmenta.Features;
using Segmenta.Model;
using Segmenta.Testing;
using Xunit;

namespace Segmenta.Published.Tests;

/// <summary>
/// The calibration/holdout check on the CDNOW sample (39 + 39 weeks) against BTYD's walkthrough, which
/// prints its Pareto/NBD comparison by calibration frequency (censored at 7) from the same transactions.
/// </summary>
public class ClvDatasetTests
{
    [Fact]
    public void ParetoValidation_Cdnow_HoldoutByFrequencyMatchesBtyd()
    {
        using var f = new WarehouseFixture();
        f.Ingest(TableKind.Events, TestPaths.DataFile("CDNOW_sample.txt"), TestPaths.Sample("cdnow/mapping.yaml"));
        var validation = ClvValidator.Validate(f.Warehouse, TimeZoneInfo.Utc, PurchaseModelKind.ParetoNbd, SummaryUnit.Weeks, new DateOnly(1997, 9, 30), new DateOnly(1998, 6, 30));

        // BTYD: estimates 0.553, 10.580, 0.606, 11.656 and, per bin 0..7+, customers, actual and expected means.
        Assert.Equal(0.553, validation.Model.Purchases["r"], 0.001);
        Assert.Equal(10.580, validation.Model.Purchases["alpha"], 0.005);
        Assert.Equal(0.606, validation.Model.Purchases["s"], 0.001);
        Assert.Equal(11.656, validation.Model.Purchases["beta"], 0.02);
        Assert.Equal(39.0, validation.HoldoutLength, 1e-9);
        long[] bins = [1411, 439, 214, 100, 62, 38, 29, 64];
        double[] actual = [0.237, 0.697, 1.393, 1.560, 2.532, 2.947, 3.862, 6.359];
        double[] expected = [0.138, 0.600, 1.196, 1.714, 2.399, 2.907, 3.819, 6.403];
        Assert.Equal(["0", "1", "2", "3", "4", "5", "6", "7+"], validation.ByFrequency.Select(b => b.Label));
        for (var i = 0; i < bins.Length; i++)
        {
            var bin = validation.ByFrequency[i];
            Assert.Equal(bins[i], bin.Customers);
            Assert.Equal(actual[i], bin.Actual, 0.0005);
            Assert.Equal(expected[i], bin.Predicted, 0.002);
        }

        // The weekly tracking covers both periods and adds up to the holdout totals.
        Assert.Equal(2357, validation.Customers);
        var holdoutWeeks = validation.Tracking.Where(w => w.End > new DateOnly(1997, 9, 30)).ToList();
        var straddling = validation.Tracking.First(w => w.End > new DateOnly(1997, 9, 30));
        Assert.InRange(validation.HoldoutActual, holdoutWeeks.Sum(w => w.Actual) - straddling.Actual, holdoutWeeks.Sum(w => w.Actual));
        Assert.Equal(validation.Tracking[^1].CumulativeActual, validation.Tracking.Sum(w => w.Actual));
        Assert.Equal(new DateOnly(1998, 6, 30), validation.Tracking[^1].End);

        // The model tracks the cohort's cumulative purchases within a few percent at the end of the holdout.
        var last = validation.Tracking[^1];
        Assert.InRange(last.CumulativePredicted / last.CumulativeActual, 0.9, 1.1);
    }
}
