using System.Globalization;

namespace Segmenta.Server.Documents;

/// <summary>How documents write values: instants in UTC to the second, numbers finite or null.</summary>
internal static class Documents
{
    /// <summary>An instant as ISO 8601 UTC to the second.</summary>
    public static string Iso(DateTime t) => t.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>A finite number, or null: JSON has no NaN, and a value that cannot be computed is missing.</summary>
    public static double? Number(double value) => double.IsFinite(value) ? value : null;
}
