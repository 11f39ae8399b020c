using System.Globalization;
using System.Text.Json;
using System.Xml.Linq;
using Segmenta.Testing;
using Xunit;

namespace Segmenta.Cli.Tests;

/// <summary><c>segmenta clv</c> as a user runs it: the shipped CDNOW example, fit and predict, CLV in segments, and mistakes.</summary>
public sealed class ClvCliTests : IDisposable
{
    private readonly TempDir dir = TestPaths.NewTempDir();

    public ClvCliTests() => Assert.Equal(0, CliRunner.Run(dir.Path, "init").ExitCode);

    public void Dispose() => dir.Dispose();

    [Fact]
    public void CdnowSample_RunSh_ValidatesLikeThePublishedAnalysisAndDrawsCharts()
    {
        var (code, stdout, stderr) = CliRunner.Script(dir.Path, TestPaths.Sample("cdnow/run.sh"), "--model", "pareto", "--json");
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;

        // BTYD's walkthrough, Pareto/NBD on the same transactions: per bin 0..7+, customers and actual/expected means.
        var bins = root.GetProperty("by_frequency").EnumerateArray().ToList();
        Assert.Equal([1411, 439, 214, 100, 62, 38, 29, 64], bins.Select(b => b.GetProperty("customers").GetInt32()));
        double[] actual = [0.237, 0.697, 1.393, 1.560, 2.532, 2.947, 3.862, 6.359];
        double[] expected = [0.138, 0.600, 1.196, 1.714, 2.399, 2.907, 3.819, 6.403];
        for (var i = 0; i < bins.Count; i++)
        {
            Assert.Equal(actual[i], bins[i].GetProperty("actual").GetDouble(), 0.0005);
            Assert.Equal(expected[i], bins[i].GetProperty("predicted").GetDouble(), 0.002);
        }

        var purchases = root.GetProperty("fit").GetProperty("purchases");
        Assert.Equal("pareto", purchases.GetProperty("model").GetString());
        Assert.Equal(["r", "alpha", "s", "beta"], purchases.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()));
        Assert.All(purchases.GetProperty("parameters").EnumerateArray(), p => Assert.True(p.GetProperty("standard_error").GetDouble() > 0));
        Assert.Equal(78, root.GetProperty("tracking").GetArrayLength());

        // Four charts, each a real image: SVG that parses, PNG with its signature.
        var charts = root.GetProperty("charts").EnumerateArray().Select(c => c.GetString()!).ToList();
        Assert.Equal(4, charts.Count);
        foreach (var chart in charts)
        {
            Assert.True(new FileInfo(chart).Length > 1000, chart);
            if (chart.EndsWith(".svg", StringComparison.Ordinal))
            {
                Assert.Equal("svg", XDocument.Load(chart).Root!.Name.LocalName);
            }
            else
            {
                Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(chart).Take(4));
            }
        }
    }

    [Fact]
    public void FitAndPredict_Cdnow_StoreCustomerValuesThatSegmentsUse()
    {
        Assert.Equal(0, CliRunner.Run(dir.Path, "ingest", "events", TestPaths.DataFile("CDNOW_sample.txt"), "--mapping", TestPaths.Sample("cdnow/mapping.yaml")).ExitCode);
        var fit = CliRunner.Run(dir.Path, "clv", "fit", "--model", "bgnbd", "--calibration-end", "1997-09-30", "--as-of", "1998-07-01", "--json");
        Assert.True(fit.ExitCode == 0, fit.Err);
        using (var doc = JsonDocument.Parse(fit.Out))
        {
            var root = doc.RootElement;
            Assert.Equal(1, root.GetProperty("fit").GetProperty("version").GetInt32());
            var parameters = root.GetProperty("fit").GetProperty("purchases").GetProperty("parameters").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!, p => p.GetProperty("value").GetDouble());
            Assert.Equal(0.243, parameters["r"], 0.001);
            Assert.Equal(4.414, parameters["alpha"], 0.005);
            Assert.Equal("1997-09-30", root.GetProperty("predictions").GetProperty("history_end").GetString());
            Assert.Equal(2357, root.GetProperty("predictions").GetProperty("customers").GetInt32());
        }

        // Predictions from the active fit with the histories through the as-of, stored for segments.
        string[] predict = ["clv", "predict", "--as-of", "1998-07-01", "--horizon", "6 months", "--discount", "0", "--json"];
        var first = CliRunner.Run(dir.Path, [.. predict, "-o", "predictions.csv"]);
        Assert.True(first.ExitCode == 0, first.Err);
        long inactive;
        using (var doc = JsonDocument.Parse(first.Out))
        {
            var p = doc.RootElement.GetProperty("predictions");
            Assert.Equal("1998-06-30", p.GetProperty("history_end").GetString());
            Assert.Equal(365.2425 / 2, p.GetProperty("horizon_days").GetDouble(), 1e-9);
            Assert.Equal(10, p.GetProperty("deciles").GetArrayLength());
            Assert.Equal(1.0, p.GetProperty("deciles").EnumerateArray().Sum(d => d.GetProperty("share_of_value").GetDouble()), 1e-9);
            inactive = p.GetProperty("likely_inactive").GetInt64();
            Assert.InRange(inactive, 100, 2000);
        }

        Assert.Equal(2358, File.ReadAllLines(Path.Combine(dir.Path, "predictions.csv")).Length);
        Assert.Equal(first.Out, CliRunner.Run(dir.Path, [.. predict, "-o", "predictions.csv"]).Out);

        dir.Write("segments/clv.seg", "segment fading \"Probably gone\" where clv.p_alive < 0.5\nsegment keepers where clv.value > 50 and clv.p_alive >= 0.5\n");
        var preview = CliRunner.Run(dir.Path, "segment", "preview", "fading", "--as-of", "1998-07-01", "--json");
        Assert.True(preview.ExitCode == 0, preview.Err);
        using (var doc = JsonDocument.Parse(preview.Out))
        {
            Assert.Equal(inactive, doc.RootElement.GetProperty("size").GetInt64());
            Assert.Equal(inactive, doc.RootElement.GetProperty("lifetime").GetProperty("members_predicted").GetInt64());
            Assert.InRange(doc.RootElement.GetProperty("lifetime").GetProperty("members_mean_p_alive").GetDouble(), 0, 0.5);

            // The preview's lifetime figures against the exported predictions, summed here: the members' value, their mean
            // P(alive), everyone's value (exact decimal sums in the preview, values to 1e-6; the CSV's doubles in any order).
            var header = File.ReadLines(Path.Combine(dir.Path, "predictions.csv")).First().Split(',');
            var rows = File.ReadLines(Path.Combine(dir.Path, "predictions.csv")).Skip(1).Select(l => l.Split(','))
                .Select(f => (Alive: double.Parse(f[Array.IndexOf(header, "p_alive")], CultureInfo.InvariantCulture), Value: double.Parse(f[Array.IndexOf(header, "value")], CultureInfo.InvariantCulture)))
                .ToList();
            var fading = rows.Where(r => r.Alive < 0.5).ToList();
            var lifetime = doc.RootElement.GetProperty("lifetime");
            Assert.Equal(fading.Count, lifetime.GetProperty("members_predicted").GetInt64());
            Assert.Equal(fading.Sum(r => r.Value), lifetime.GetProperty("members_value").GetDouble(), 1e-3);
            Assert.Equal(fading.Average(r => r.Alive), lifetime.GetProperty("members_mean_p_alive").GetDouble(), 1e-9);
            Assert.Equal(rows.Sum(r => r.Value), lifetime.GetProperty("all_customers_value").GetDouble(), 1e-3);
        }

        // The same preview twice: the same bytes but for its timing.
        static string Timeless(string json) => System.Text.RegularExpressions.Regex.Replace(json, "\"seconds\": [0-9.]+", "");
        Assert.Equal(Timeless(preview.Out), Timeless(CliRunner.Run(dir.Path, "segment", "preview", "fading", "--as-of", "1998-07-01", "--json").Out));
    }

    [Fact]
    public void Clv_Mistakes_ClearErrorsAndExitCodes()
    {
        var before = CliRunner.Run(dir.Path, "clv", "predict");
        Assert.Equal(2, before.ExitCode);
        Assert.Contains("segmenta clv fit", before.Err, StringComparison.Ordinal);

        Assert.Equal(2, CliRunner.Run(dir.Path, "clv", "fit", "--model", "weibull").ExitCode);
        var horizon = CliRunner.Run(dir.Path, "clv", "fit", "--horizon", "12 parsecs");
        Assert.Equal(2, horizon.ExitCode);
        Assert.Contains("unknown unit", horizon.Err, StringComparison.Ordinal);
        Assert.Equal(2, CliRunner.Run(dir.Path, "clv", "validate").ExitCode);
        Assert.Equal(2, CliRunner.Run(dir.Path, "clv", "fit", "--margin", "1.5").ExitCode);

        // Nothing bought yet: the fit fails loudly (exit 1), nothing is stored.
        var empty = CliRunner.Run(dir.Path, "clv", "fit", "--as-of", "2025-01-01");
        Assert.Equal(1, empty.ExitCode);
        Assert.Contains("no customers", empty.Err, StringComparison.Ordinal);
        Assert.Equal(2, CliRunner.Run(dir.Path, "clv", "predict").ExitCode);
    }

}
