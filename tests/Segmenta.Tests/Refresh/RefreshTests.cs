using Segmenta.Configuration;
using Segmenta.Refresh;
using Segmenta.Workspaces;
using Xunit;

namespace Segmenta.Tests.Refresh;

public class RefreshTests
{
    [Fact]
    public void Index_HalvesMovingToAQuarter_IsTheDefinition()
    {
        // (0.25 − 0.5)·ln(0.25/0.5) + (0.75 − 0.5)·ln(0.75/0.5), by hand: 0.274653…
        Assert.Equal(0.2746530721670274, PopulationStability.Index([0.5, 0.5], [0.25, 0.75]), 12);
        Assert.Equal("significant", PopulationStability.Level(0.2746530721670274));
        Assert.Equal(0, PopulationStability.Index([0.2, 0.3, 0.5], [0.2, 0.3, 0.5]));
    }

    [Fact]
    public void Index_EmptyBin_CountsAsRareNotImpossible()
    {
        // The empty bin is floored at 0.0001: 0.1·ln(0.9) … + 0.0999·ln(1000).
        Assert.Equal(0.7006208039360982, PopulationStability.Index([1, 0], [0.9, 0.1]), 12);
        Assert.Equal(0, PopulationStability.Index([0.5, 0.5, 0], [0.5, 0.5, 0]));
        Assert.Throws<ArgumentException>(() => PopulationStability.Index([1], [0.5, 0.5]));
    }

    [Theory]
    [InlineData("1 week", "2025-01-01", 2, "2025-01-15")]
    [InlineData("7d", "2025-01-01", 1, "2025-01-08")]
    [InlineData("2 weeks", "2025-01-01", 1, "2025-01-15")]
    [InlineData("1 month", "2025-01-31", 1, "2025-02-28")]
    [InlineData("3 days", "2025-01-01", 3, "2025-01-10")]
    public void Interval_Parsed_StepsByCalendar(string text, string start, int n, string expected)
    {
        Assert.Null(RefreshInterval.TryParse(text, out var every));
        Assert.Equal(DateTime.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), every.After(DateTime.Parse(start, System.Globalization.CultureInfo.InvariantCulture), n));
    }

    [Theory]
    [InlineData("week")]
    [InlineData("0 weeks")]
    [InlineData("1 fortnight")]
    public void Interval_Malformed_SaysWhatToWrite(string text) =>
        Assert.Contains("days, weeks or months", RefreshInterval.TryParse(text, out _), StringComparison.Ordinal);

    [Fact]
    public void Settings_RefreshSection_IsReadAndWrittenBack()
    {
        var settings = WorkspaceSettings.Parse("segmenta.yaml", """
            refresh:
              clv: { horizon: 6 months, discount: 0.05, margin: 30% }
              drift: { size_change: 10%, min_size_change: 5, psi: 0.2, centroid_shift: 1 }
            """);
        Assert.Equal(new DriftThresholds(0.1, 5, 0.2, 1), settings.Refresh.Drift);
        Assert.Equal(0.3, settings.Refresh.Clv.Margin, 12);
        Assert.Equal(settings.Refresh, WorkspaceSettings.Parse("segmenta.yaml", settings.ToYaml()).Refresh);
        Assert.Equal(RefreshOptions.Default, WorkspaceSettings.Parse("segmenta.yaml", "name: x\n").Refresh);
    }

    [Fact]
    public void Settings_BadThreshold_NamesLineAndColumn()
    {
        var e = Assert.Throws<ConfigurationException>(() => WorkspaceSettings.Parse("segmenta.yaml", "refresh:\n  drift:\n    psi: -1\n"));
        Assert.Contains("segmenta.yaml:3:", e.Message, StringComparison.Ordinal);
        Assert.Contains("psi", e.Message, StringComparison.Ordinal);
    }
}
