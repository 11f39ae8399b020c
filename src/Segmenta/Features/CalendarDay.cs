using Segmenta.Sql;

namespace Segmenta.Features;

/// <summary>The calendar day of a stored (UTC) instant in the workspace time zone, as SQL.</summary>
internal static class CalendarDay
{
    /// <summary>A plain cast in UTC (the common case, and the cheapest); the dialect's zone conversion elsewhere.</summary>
    public static string Of(SqlBuilder sql, TimeZoneInfo zone, string instant) =>
        zone.HasSameRules(TimeZoneInfo.Utc)
            ? $"CAST({instant} AS DATE)"
            : sql.Dialect.LocalDate(instant, sql.Parameter(zone.Id));
}
