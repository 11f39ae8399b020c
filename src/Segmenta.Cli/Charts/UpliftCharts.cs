using Segmenta.Uplift;

namespace Segmenta.Cli.Charts;

/// <summary>The uplift and Qini curves of <c>uplift fit</c> (ScottPlot), per outcome, with random targeting's diagonal, as SVG and PNG.</summary>
internal static class UpliftCharts
{
    private const int Width = 900;
    private const int Height = 520;

    /// <summary>Writes the charts into <paramref name="folder"/> and returns their paths.</summary>
    public static IReadOnlyList<string> Write(UpliftModel model, string folder)
    {
        Directory.CreateDirectory(folder);
        var written = new List<string>();
        foreach (var e in model.Evaluations)
        {
            written.AddRange(Curve(
                $"Qini curve: {e.Outcome} (held-out customers of {model.Campaign}), Qini coefficient {e.QiniCoefficient:0.000}",
                "Incremental " + e.Outcome + " (treated − control scaled to the treated count)",
                e.QiniCurve,
                folder,
                $"qini_{e.Outcome}"));
            written.AddRange(Curve(
                $"Uplift curve: {e.Outcome} (held-out customers of {model.Campaign}), normalized AUUC {(double.IsNaN(e.UpliftAuc) ? "(yes/no outcomes only)" : e.UpliftAuc.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture))}",
                "Incremental " + e.Outcome + " if the top's rates held for all targeted",
                e.UpliftCurve,
                folder,
                $"uplift_{e.Outcome}"));
        }

        return written;
    }

    private static IEnumerable<string> Curve(string title, string axis, UpliftCurve curve, string folder, string name)
    {
        var plot = new ScottPlot.Plot();
        var model = plot.Add.Scatter(curve.Targeted, curve.Value);
        model.LegendText = "ranked by predicted uplift";
        model.MarkerSize = 0;
        model.LineWidth = 2;
        var random = plot.Add.Line(0, 0, curve.Targeted[^1], curve.Value[^1]);
        random.LegendText = "random targeting";
        random.LinePattern = ScottPlot.LinePattern.Dashed;
        random.Color = ScottPlot.Colors.Gray;
        plot.ShowLegend(ScottPlot.Alignment.UpperLeft);
        plot.Title(title);
        plot.XLabel("Customers targeted (held-out part)");
        plot.YLabel(axis);
        var svg = Path.GetFullPath(Path.Combine(folder, name + ".svg"));
        var png = Path.GetFullPath(Path.Combine(folder, name + ".png"));
        plot.SaveSvg(svg, Width, Height);
        plot.SavePng(png, Width, Height);
        return [svg, png];
    }
}
