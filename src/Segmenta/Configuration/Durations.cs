using System.Globalization;

namespace Segmenta.Configuration;

/// <summary>Durations written with their unit, in files and options alike: <c>250ms</c>, <c>2s</c>, <c>10m</c>, <c>1h</c>.</summary>
public static class Durations
{
    /// <summary>Reads a duration; false when the text is not a finite, non-negative number followed by ms, s, m or h.</summary>
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var trimmed = text?.Trim() ?? "";
        var unit = trimmed.EndsWith("ms", StringComparison.Ordinal) ? "ms" : trimmed.Length > 0 ? trimmed[^1..] : "";
        var scale = unit switch { "ms" => 0.001, "s" => 1, "m" => 60, "h" => 3600, _ => double.NaN };
        if (double.IsNaN(scale) || !double.TryParse(trimmed[..^unit.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            || !double.IsFinite(value) || value < 0 || value * scale > TimeSpan.MaxValue.TotalSeconds / 2)
        {
            return false;
        }

        duration = TimeSpan.FromSeconds(value * scale);
        return true;
    }
}
