using System.Globalization;
using Segmenta.Clv;

namespace Segmenta.Cli.Charts;

/// <summary>The validation charts of <c>clv validate</c> (ScottPlot), each as SVG and PNG.</summary>
internal static class ClvCharts
{
    private const int Width = 800;
    private const int Height = 480;

    /// <summary>Writes the charts into <paramref name="folder"/> and returns their paths.</summary>
    public static IReadOnlyList<string> Write(ClvValidation validation, string folder)
    {
        Directory.CreateDirectory(folder);
        var written = new List<string>();
        var model = ClvFitter.DisplayName(validation.Model.Model);

        var byFrequency = new ScottPlot.Plot();
        double[] positions = [.. Enumerable.Range(0, validation.ByFrequency.Count).Select(i => (double)i)];
        var actual = byFrequency.Add.Scatter(positions, validation.ByFrequency.Select(b => b.Actual).ToArray());
        actual.LegendText = "Actual";
        var predicted = byFrequency.Add.Scatter(positions, validation.ByFrequency.Select(b => b.Predicted).ToArray());
        predicted.LegendText = model;
        predicted.LinePattern = ScottPlot.LinePattern.Dashed;
        byFrequency.Axes.Bottom.SetTicks(positions, validation.ByFrequency.Select(b => b.Label).ToArray());
        byFrequency.Title(string.Create(CultureInfo.InvariantCulture, $"Holdout purchases by calibration purchases ({validation.HoldoutLength:0.#} {Unit(validation)} holdout)"));
        byFrequency.XLabel("Repeat purchases in the calibration period");
        byFrequency.YLabel("Mean purchases in the holdout");
        byFrequency.ShowLegend(ScottPlot.Alignment.UpperLeft);
        written.AddRange(Save(byFrequency, folder, "holdout_by_frequency"));

        var tracking = new ScottPlot.Plot();
        double[] weeks = [.. validation.Tracking.Select(w => (double)w.Week)];
        var cumulativeActual = tracking.Add.Scatter(weeks, validation.Tracking.Select(w => (double)w.CumulativeActual).ToArray());
        cumulativeActual.LegendText = "Actual";
        cumulativeActual.MarkerSize = 0;
        var cumulativePredicted = tracking.Add.Scatter(weeks, validation.Tracking.Select(w => w.CumulativePredicted).ToArray());
        cumulativePredicted.LegendText = model;
        cumulativePredicted.MarkerSize = 0;
        cumulativePredicted.LinePattern = ScottPlot.LinePattern.Dashed;
        var split = validation.Tracking.FirstOrDefault(w => w.End > validation.Model.CalibrationEnd);
        if (split is not null)
        {
            var line = tracking.Add.VerticalLine(split.Week - 0.5);
            line.LinePattern = ScottPlot.LinePattern.Dotted;
            line.Text = "holdout";
        }

        tracking.Title("Cumulative repeat purchases of the cohort, week by week");
        tracking.XLabel("Week");
        tracking.YLabel("Cumulative repeat purchases");
        tracking.ShowLegend(ScottPlot.Alignment.UpperLeft);
        written.AddRange(Save(tracking, folder, "cumulative_purchases"));
        return written;
    }

    private static string Unit(ClvValidation validation) => validation.Model.Unit.ToString().ToLowerInvariant();

    private static IEnumerable<string> Save(ScottPlot.Plot plot, string folder, string name)
    {
        var svg = Path.GetFullPath(Path.Combine(folder, name + ".svg"));
        var png = Path.GetFullPath(Path.Combine(folder, name + ".png"));
        plot.SaveSvg(svg, Width, Height);
        plot.SavePng(png, Width, Height);
        return [svg, png];
    }
}
