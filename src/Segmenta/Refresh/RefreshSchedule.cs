using System.Globalization;
using System.Text.RegularExpressions;
using Segmenta.Segments;
using Segmenta.Warehouse;

namespace Segmenta.Refresh;

/// <summary>A step between refresh instants: days and weeks are exact, months are calendar months.</summary>
/// <param name="Amount">How many units.</param>
/// <param name="Unit">day, week or month.</param>
public sealed partial record RefreshInterval(int Amount, string Unit)
{
    /// <summary>Reads <c>1 week</c>, <c>2 weeks</c>, <c>7 days</c>, <c>1 month</c> (or <c>1w</c>, <c>7d</c>, <c>1m</c>); returns what is wrong, or null.</summary>
    public static string? TryParse(string text, out RefreshInterval interval)
    {
        ArgumentNullException.ThrowIfNull(text);
        interval = new RefreshInterval(1, "week");
        var match = Pattern().Match(text.Trim().ToLowerInvariant());
        if (!match.Success || !int.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var amount) || amount < 1)
        {
            return $"`{text}` is not an interval; write a whole number of days, weeks or months, such as `1 week`";
        }

        interval = new RefreshInterval(amount, match.Groups[2].Value[0] switch { 'd' => "day", 'w' => "week", _ => "month" });
        return null;
    }

    /// <summary>The <paramref name="n"/>-th instant after <paramref name="start"/>.</summary>
    public DateTime After(DateTime start, int n) => Unit switch
    {
        "day" => start.AddDays((double)Amount * n),
        "week" => start.AddDays(7.0 * Amount * n),
        _ => start.AddMonths(Amount * n),
    };

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Amount} {Unit}{(Amount == 1 ? "" : "s")}");

    [GeneratedRegex(@"^(\d+)\s*(d|days?|w|weeks?|m|months?)$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}

/// <summary>Which instants a backfill refreshes, and which it skips because their snapshot is already recorded.</summary>
/// <param name="Run">Instants to refresh, oldest first.</param>
/// <param name="Recorded">Instants skipped: a snapshot there is already committed and later ones exist.</param>
public sealed record RefreshPlan(IReadOnlyList<DateTime> Run, IReadOnlyList<DateTime> Recorded);

/// <summary>Backfill: the instants from one date to another at an interval, checked against the history already recorded.</summary>
public static class RefreshSchedule
{
    /// <summary>At most this many instants in one backfill.</summary>
    public const int MaxInstants = 1000;

    /// <summary>
    /// <paramref name="from"/>, then every <paramref name="every"/> up to and including <paramref name="to"/>.
    /// Instants before the latest recorded history are skipped when their snapshot is committed (so a repeated or
    /// resumed backfill does the rest) and refused otherwise (history only moves forward).
    /// </summary>
    public static RefreshPlan Plan(ISqlReader reader, DateTime from, DateTime to, RefreshInterval every)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(every);
        if (to < from)
        {
            throw new HistoryException("--to is before --from");
        }

        var instants = new List<DateTime>();
        for (var n = 0; every.After(from, n) <= to; n++)
        {
            if (n >= MaxInstants)
            {
                throw new HistoryException(string.Create(CultureInfo.InvariantCulture, $"more than {MaxInstants} instants from {from:yyyy-MM-dd} to {to:yyyy-MM-dd} every {every}; choose a longer interval"));
            }

            instants.Add(every.After(from, n));
        }

        var latest = SegmentMaterializer.Latest(reader).Values.DefaultIfEmpty(DateTime.MinValue).Max();
        var committed = RefreshRuns.Snapshots(reader).ToHashSet();
        var run = new List<DateTime>();
        var recorded = new List<DateTime>();
        foreach (var t in instants)
        {
            if (t >= latest)
            {
                run.Add(t);
            }
            else if (committed.Contains(t))
            {
                recorded.Add(t);
            }
            else
            {
                throw new HistoryException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"history only moves forward: segments are recorded up to {latest:yyyy-MM-dd'T'HH:mm:ss'Z'}, after {t:yyyy-MM-dd'T'HH:mm:ss'Z'}, which has no snapshot; backfill from {latest:yyyy-MM-dd} on"));
            }
        }

        return new RefreshPlan(run, recorded);
    }
}
