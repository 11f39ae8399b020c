using System.Globalization;

namespace Segmenta.Contracts;

/// <summary>One event as the reference computation sees it (instants in UTC).</summary>
internal sealed record FeatureEvent(
    string EventId,
    string CustomerId,
    string Type,
    DateTime OccurredAt,
    decimal? Revenue,
    string? OrderId = null,
    string? Channel = null,
    string? Category = null,
    string? CampaignId = null,
    decimal? Duration = null,
    string? Product = null);

/// <summary>One customer as the reference computation sees it.</summary>
internal sealed record FeatureCustomer(string Id, DateTime? SignupAt = null);

/// <summary>A customer's reference RFM scores and segment.</summary>
internal sealed record RefRfm(int R, int F, int M, string Segment);

/// <summary>
/// docs/features.md and docs/rfm.md computed a second way, in plain LINQ over in-memory rows, to check
/// the warehouse SQL against: no SQL, no shared code with the product.
/// </summary>
internal static class ReferenceFeatures
{
    /// <summary>The standard map as a grid, rows FM 5..1, columns R 1..5 (docs/rfm.md), typed out independently of the product's rules.</summary>
    private static readonly string[][] StandardGrid =
    [
        ["Can't Lose Them", "At Risk", "Loyal Customers", "Champions", "Champions"],
        ["Can't Lose Them", "At Risk", "Loyal Customers", "Loyal Customers", "Champions"],
        ["At Risk", "At Risk", "Need Attention", "Potential Loyalists", "Potential Loyalists"],
        ["Lost", "Hibernating", "About to Sleep", "Potential Loyalists", "Potential Loyalists"],
        ["Lost", "Hibernating", "About to Sleep", "Promising", "New Customers"],
    ];

    /// <summary>Every behavioral feature of every customer, by feature name (missing values are null).</summary>
    public static Dictionary<string, Dictionary<string, object?>> Compute(IEnumerable<FeatureCustomer> customers, IEnumerable<FeatureEvent> events, DateTime asOf, TimeZoneInfo zone)
    {
        var byCustomer = events.Where(e => e.OccurredAt < asOf).ToLookup(e => e.CustomerId, StringComparer.Ordinal);
        var result = new Dictionary<string, Dictionary<string, object?>>(StringComparer.Ordinal);
        foreach (var customer in customers)
        {
            var mine = byCustomer[customer.Id].ToList();
            var purchases = mine.Where(e => e.Type == "purchase").ToList();
            var refunds = mine.Where(e => e.Type == "refund").ToList();
            var kept = KeptOrders(purchases, refunds);
            var days = kept.Select(o => Day(o.PlacedAt, zone)).Distinct().Order().ToList();
            var orders = kept.Count;
            var gross = purchases.Sum(e => e.Revenue ?? 0);
            var refunded = refunds.Sum(e => Math.Abs(e.Revenue ?? 0));
            var net = gross - refunded;
            DateTime? first = kept.Count == 0 ? null : kept.Min(o => o.PlacedAt);
            DateTime? last = kept.Count == 0 ? null : kept.Max(o => o.PlacedAt);
            DateTime? firstSign = mine.Count == 0 ? null : mine.Min(e => e.OccurredAt);
            if (customer.SignupAt is { } signup && signup < asOf && (firstSign is null || signup < firstSign))
            {
                firstSign = signup;
            }

            int Messages(string type) => mine.Where(e => e.Type == type).Select(e => e.CampaignId ?? e.EventId).Distinct(StringComparer.Ordinal).Count();
            var sent = Messages("email_sent");
            var impressions = mine.Count(e => e.Type == "ad_impression");
            var sessions = mine.Where(e => e.Type == "session").ToList();
            var timed = sessions.Where(e => e.Duration is not null).ToList();
            result[customer.Id] = new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["first_purchase_at"] = first,
                ["last_purchase_at"] = last,
                ["recency_days"] = last is { } l ? (long)Math.Floor((asOf - l).TotalDays) : null,
                ["frequency"] = (long)orders,
                ["purchase_days"] = (long)days.Count,
                ["gross_revenue"] = gross,
                ["refunded"] = refunded,
                ["refunds"] = (long)refunds.Count,
                ["refund_rate"] = gross > 0 ? Math.Min(1.0, (double)refunded / (double)gross) : null,
                ["monetary"] = net,
                ["avg_order_value"] = orders > 0 ? (double)kept.Sum(o => o.Net) / orders : null,
                ["avg_days_between_purchases"] = days.Count > 1 ? (double)(days[^1].DayNumber - days[0].DayNumber) / (days.Count - 1) : null,
                ["tenure_days"] = firstSign is { } s ? (long)Math.Floor((asOf - s).TotalDays) : null,
                ["email_sends"] = (long)sent,
                ["email_open_rate"] = sent > 0 ? Math.Min(1.0, (double)Messages("email_open") / sent) : null,
                ["email_click_rate"] = sent > 0 ? Math.Min(1.0, (double)Messages("email_click") / sent) : null,
                ["ad_click_rate"] = impressions > 0 ? Math.Min(1.0, (double)mine.Count(e => e.Type == "ad_click") / impressions) : null,
                ["sessions"] = (long)sessions.Count,
                ["time_on_site_seconds"] = sessions.Sum(e => e.Duration ?? 0),
                ["avg_session_seconds"] = timed.Count > 0 ? (double)timed.Sum(e => e.Duration!.Value) / timed.Count : null,
                ["preferred_channel"] = Mode(purchases, e => e.Channel),
                ["top_category"] = Mode(purchases, e => e.Category),
            };
        }

        return result;
    }

    /// <summary>
    /// One customer's kept orders (docs/features.md, "Orders and refunds"), typed out from the rule: orders are
    /// purchases by order id (or alone); a refund undoes the purchase order with its own order id, else the latest
    /// purchase of its product at or before it (then the smallest order key), else nothing; an order whose refunds
    /// reach its gross is cancelled; the rest are kept at gross less refunds.
    /// </summary>
    public static List<(string Key, DateTime PlacedAt, decimal Net)> KeptOrders(List<FeatureEvent> purchases, List<FeatureEvent> refunds)
    {
        var orders = purchases.GroupBy(e => e.OrderId ?? e.EventId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (PlacedAt: g.Min(e => e.OccurredAt), Gross: g.Sum(e => e.Revenue ?? 0)), StringComparer.Ordinal);
        var orderIds = purchases.Where(e => e.OrderId is not null).Select(e => e.OrderId!).ToHashSet(StringComparer.Ordinal);
        var refunded = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var refund in refunds)
        {
            string? key = null;
            if (refund.OrderId is { } own && orderIds.Contains(own))
            {
                key = own;
            }
            else if (refund.Product is { } product)
            {
                key = purchases.Where(p => p.Product == product && p.OccurredAt <= refund.OccurredAt)
                    .OrderByDescending(p => p.OccurredAt).ThenBy(p => p.OrderId ?? p.EventId, StringComparer.Ordinal)
                    .Select(p => p.OrderId ?? p.EventId).FirstOrDefault();
            }

            if (key is not null && refund.Revenue is { } amount)
            {
                refunded[key] = refunded.GetValueOrDefault(key) + Math.Abs(amount);
            }
        }

        return orders
            .Select(o => (o.Key, o.Value.PlacedAt, o.Value.Gross, Refunded: refunded.GetValueOrDefault(o.Key)))
            .Where(o => o.Refunded <= 0 || o.Gross - o.Refunded > 0)
            .Select(o => (o.Key, o.PlacedAt, o.Gross - o.Refunded))
            .ToList();
    }

    /// <summary>RFM scores for the customers with an order (docs/rfm.md), with the standard segment names on 5 bins.</summary>
    public static Dictionary<string, RefRfm> Rfm(Dictionary<string, Dictionary<string, object?>> features, int bins, bool quantiles)
    {
        var scored = features.Where(kv => (long)kv.Value["frequency"]! > 0).ToList();
        var n = scored.Count;

        // "Goodness" of each measure: higher is better (recency negated).
        int[] Scores(Func<Dictionary<string, object?>, decimal> goodness)
        {
            var values = scored.Select(kv => goodness(kv.Value)).ToArray();
            var sorted = values.Order().ToArray();
            if (quantiles)
            {
                // The textbook k/N quantile (linear interpolation, as NumPy and pandas.qcut): position (n − 1)·k/N.
                var cuts = Enumerable.Range(1, bins - 1).Select(k =>
                {
                    var position = (decimal)(n - 1) * k / bins;
                    var low = (int)Math.Floor(position);
                    var high = Math.Min(low + 1, n - 1);
                    return sorted[low] + ((sorted[high] - sorted[low]) * (position - low));
                }).ToArray();
                return values.Select(v => 1 + cuts.Count(c => v > c)).ToArray();
            }

            return values.Select(v =>
            {
                var worse = LowerBound(sorted, v);
                return 1 + (int)((long)bins * worse / n);
            }).ToArray();
        }

        var r = Scores(f => -(long)f["recency_days"]!);
        var fr = Scores(f => (long)f["frequency"]!);
        var m = Scores(f => (decimal)f["monetary"]!);
        var result = new Dictionary<string, RefRfm>(StringComparer.Ordinal);
        for (var i = 0; i < n; i++)
        {
            var fm = (int)Math.Ceiling((fr[i] + m[i]) / 2.0);
            result[scored[i].Key] = new RefRfm(r[i], fr[i], m[i], bins == 5 ? StandardGrid[5 - fm][r[i] - 1] : "");
        }

        return result;
    }

    /// <summary>
    /// A reference value against what a warehouse returned: doubles to 1e-9 relative (the SQL divides in
    /// another order), decimals, integers and instants exactly, whatever CLR type the driver used.
    /// </summary>
    public static bool Same(object? expected, object? actual) => (expected, actual) switch
    {
        (null, null) => true,
        (null, _) or (_, null) => false,
        (double e, _) => Math.Abs(e - Convert.ToDouble(actual, CultureInfo.InvariantCulture)) <= 1e-9 * Math.Max(1, Math.Abs(e)),
        (decimal e, _) => e == Convert.ToDecimal(actual, CultureInfo.InvariantCulture),
        (long e, _) => e == Convert.ToInt64(actual, CultureInfo.InvariantCulture),
        (DateTime e, DateTime a) => e.Ticks == a.Ticks,
        _ => Equals(expected, actual),
    };

    private static int LowerBound(decimal[] sorted, decimal value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (sorted[mid] < value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private static DateOnly Day(DateTime utc, TimeZoneInfo zone) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), zone));

    private static string? Mode(List<FeatureEvent> purchases, Func<FeatureEvent, string?> key) =>
        purchases.Where(e => key(e) is not null)
            .GroupBy(e => key(e)!, StringComparer.Ordinal)
            .OrderByDescending(g => g.Count())
            .ThenByDescending(g => g.Any(e => e.Revenue is not null) ? g.Sum(e => e.Revenue ?? 0) : decimal.MinValue)
            .ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => g.Key)
            .FirstOrDefault();
}
