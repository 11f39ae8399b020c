using System.Globalization;

namespace Segmenta.Documents;

/// <summary>How documents write values: instants in UTC to the second, days as dates, numbers finite or null.</summary>
public static class DocumentValues
{
    /// <summary>An instant as ISO 8601 UTC to the second.</summary>
    public static string Iso(DateTime t) => t.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>A day as ISO 8601 (yyyy-MM-dd).</summary>
    public static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>A finite number, or null: JSON has no NaN, and a value that cannot be computed is missing.</summary>
    public static double? Number(double value) => double.IsFinite(value) ? value : null;

    /// <summary>A value read from the warehouse as JSON writes it: instants and days as ISO 8601 text, the rest as is.</summary>
    public static object? Plain(object? value) => value switch
    {
        DateTime t => Iso(t),
        DateOnly d => Day(d),
        _ => value,
    };
}
