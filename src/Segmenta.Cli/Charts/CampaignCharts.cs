using Segmenta.Campaigns;
using Segmenta.Numerics;

namespace Segmenta.Cli.Charts;

/// <summary>The lift charts of <c>measure</c> (ScottPlot): each comparison's lift with its interval, as SVG and PNG.</summary>
internal static class CampaignCharts
{
    private const int Width = 900;

    /// <summary>Writes the charts into <paramref name="folder"/> and returns their paths.</summary>
    public static IReadOnlyList<string> Write(CampaignResult result, string folder)
    {
        Directory.CreateDirectory(folder);
        var comparisons = result.Comparisons;
        string[] labels = [.. comparisons.Select(c => $"{c.Segment}: {c.Arm} vs {c.Against}")];
        var written = new List<string>();
        written.AddRange(Forest(
            "Conversion-rate lift (percentage points) with Newcombe intervals",
            "Absolute lift in conversion rate (points)",
            labels,
            [.. comparisons.Select(c => c.Conversion.Difference * 100)],
            [.. comparisons.Select(c => new Interval(c.Conversion.Interval.Low * 100, c.Conversion.Interval.High * 100))],
            folder,
            "conversion_lift"));
        written.AddRange(Forest(
            "Revenue-per-recipient lift with Welch or bootstrap intervals",
            "Absolute lift in revenue per recipient",
            labels,
            [.. comparisons.Select(c => c.RevenuePerRecipient.Difference)],
            [.. comparisons.Select(c => c.RevenuePerRecipient.Interval)],
            folder,
            "revenue_lift"));
        return written;
    }

    private static IEnumerable<string> Forest(string title, string axis, string[] labels, double[] points, Interval[] intervals, string folder, string name)
    {
        var plot = new ScottPlot.Plot();
        var positions = new double[labels.Length];
        for (var i = 0; i < labels.Length; i++)
        {
            // The first comparison on top.
            var y = labels.Length - 1 - i;
            positions[i] = y;
            var whisker = plot.Add.Line(intervals[i].Low, y, intervals[i].High, y);
            whisker.LineWidth = 2;
            whisker.Color = ScottPlot.Colors.SteelBlue;
            var marker = plot.Add.Marker(points[i], y);
            marker.Color = ScottPlot.Colors.Navy;
            marker.Size = 8;
        }

        var zero = plot.Add.VerticalLine(0);
        zero.LinePattern = ScottPlot.LinePattern.Dotted;
        zero.Color = ScottPlot.Colors.Gray;
        plot.Axes.Left.SetTicks(positions, [.. labels]);
        plot.Axes.SetLimitsY(-1, Math.Max(1, labels.Length));
        plot.Title(title);
        plot.XLabel(axis);
        var height = 160 + (36 * Math.Max(1, labels.Length));
        var svg = Path.GetFullPath(Path.Combine(folder, name + ".svg"));
        var png = Path.GetFullPath(Path.Combine(folder, name + ".png"));
        plot.SaveSvg(svg, Width, height);
        plot.SavePng(png, Width, height);
        return [svg, png];
    }
}
