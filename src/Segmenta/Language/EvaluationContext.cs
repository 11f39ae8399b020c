using System.Collections.Frozen;
using System.Globalization;
using Segmenta.Ingestion;

namespace Segmenta.Language;

/// <summary>
/// The one as-of instant an evaluation is relative to, and the time zone that says where calendar
/// days start. Every window bound is computed here, in C#, and reaches SQL as a parameter.
/// </summary>
public sealed record EvaluationContext
{
    /// <summary>Creates a context; <paramref name="asOf"/> is taken as UTC.</summary>
    public EvaluationContext(DateTime asOf, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        AsOf = DateTime.SpecifyKind(asOf.Kind == DateTimeKind.Local ? asOf.ToUniversalTime() : asOf, DateTimeKind.Utc);
        Zone = zone;
    }

    /// <summary>The as-of instant (UTC). Events at or after it do not exist for this evaluation.</summary>
    public DateTime AsOf { get; }

    /// <summary>The workspace time zone.</summary>
    public TimeZoneInfo Zone { get; }

    /// <summary>
    /// The analyses (<c>features</c>, <c>rfm</c>, <c>clusters</c>) whose rows at <see cref="AsOf"/> were stored for this
    /// evaluation, each with the table that holds them (rows at <see cref="AsOf"/> in its <c>as_of</c> column): a refresh
    /// stores them in the warehouse's own tables first; a view that evaluates many segments at one instant computes them
    /// once into temporary tables. Their queries read those rows instead of computing them again.
    /// </summary>
    public IReadOnlyDictionary<string, string> Stored { get; init; } = FrozenDictionary<string, string>.Empty;

    /// <summary>
    /// Whether queries read the kept orders' per-customer sums from the order summary (<see cref="Warehouse.Tables.OrderSummary"/>)
    /// instead of computing them from the events: decided by <c>Segmenta.Features.OrderSummary.Prepare</c>, true only when the
    /// summary was built from the purchase and refund events as they are and every one of them is before <see cref="AsOf"/>;
    /// null until then (read as false), so that a context decided once is not asked, nor the events scanned, again.
    /// </summary>
    public bool? ReadsOrderSummary { get; init; }

    /// <summary>This context with <paramref name="analysis"/>'s rows at its as-of stored in <paramref name="table"/>.</summary>
    public EvaluationContext WithStored(string analysis, string table) =>
        this with { Stored = new Dictionary<string, string>(Stored, StringComparer.Ordinal) { [analysis] = table }.ToFrozenDictionary(StringComparer.Ordinal) };

    /// <summary>This context computing every analysis (nothing stored).</summary>
    public EvaluationContext WithNothingStored() => this with { Stored = FrozenDictionary<string, string>.Empty };

    /// <summary>The instant (UTC) a calendar day starts in the workspace zone; a day whose midnight falls in a DST gap starts at the first valid minute.</summary>
    public DateTime StartOf(DateOnly day) => StartOf(day, Zone);

    private static DateTime StartOf(DateOnly day, TimeZoneInfo zone)
    {
        var local = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        for (var i = 0; i < 24 * 60 && zone.IsInvalidTime(local); i++)
        {
            local = local.AddMinutes(1);
        }

        return TimeZoneInfo.ConvertTimeToUtc(local, zone);
    }

    /// <summary>An instant cut to whole seconds (UTC): memberships are stored per as-of instant, and whole seconds keep it the same on every backend.</summary>
    public static DateTime WholeSeconds(DateTime instant) => new(instant.Ticks - (instant.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);

    /// <summary>
    /// Reads an as-of instant as users give it: a date (its start in <paramref name="zone"/>) or an ISO 8601
    /// time (local to <paramref name="zone"/> when it has no offset), with ingestion's timestamp rules.
    /// Returns what is wrong, or null.
    /// </summary>
    public static string? TryParseInstant(string text, TimeZoneInfo zone, out DateTime utc)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(zone);
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            utc = StartOf(day, zone);
            return null;
        }

        return ValueParser.ParseTimestamp(text, [], zone, out utc);
    }

    /// <summary>The first calendar day that starts at or after <paramref name="instant"/>: how an instant bound applies to a DATE column.</summary>
    public DateOnly FirstDayStartingAtOrAfter(DateTime instant)
    {
        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(instant, DateTimeKind.Utc), Zone));
        return StartOf(day) < instant ? day.AddDays(1) : day;
    }

    /// <summary>As-of minus a span: hours, days and weeks are exact; months and years are calendar months on the UTC clock.</summary>
    internal DateTime Before(Quantity span) => Subtract(AsOf, span);

    internal static DateTime Subtract(DateTime instant, Quantity span)
    {
        try
        {
            return span.Unit switch
            {
                TimeUnit.Hours => instant.AddHours(-span.Amount),
                TimeUnit.Days => instant.AddDays(-span.Amount),
                TimeUnit.Weeks => instant.AddDays(-7 * span.Amount),
                TimeUnit.Months => instant.AddMonths(-(int)span.Amount),
                _ => instant.AddYears(-(int)span.Amount),
            };
        }
        catch (ArgumentOutOfRangeException)
        {
            return DateTime.MinValue;
        }
    }

    /// <summary>A span in seconds (sequences: hours, days and weeks only).</summary>
    internal static long Seconds(Quantity span) => span.Unit switch
    {
        TimeUnit.Hours => span.Amount * 3600,
        TimeUnit.Days => span.Amount * 86_400,
        TimeUnit.Weeks => span.Amount * 7 * 86_400,
        _ => throw new ArgumentOutOfRangeException(nameof(span), "months and years have no fixed length"),
    };

    /// <summary>A window's half-open bounds [from, to); every window ends at as-of at the latest.</summary>
    internal (DateTime? From, DateTime To) Resolve(Window window) => window.Kind switch
    {
        WindowKind.AllTime => (null, AsOf),
        WindowKind.Last => (Before(window.Last), AsOf),
        WindowKind.Since => (StartOf(window.From), AsOf),
        WindowKind.Before => (null, Min(StartOf(window.From), AsOf)),
        _ => (StartOf(window.From), Min(StartOf(window.To.AddDays(1)), AsOf)),
    };

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;
}
