using Segmenta.Insights;
using static Segmenta.Documents.DocumentValues;

namespace Segmenta.Documents;

/// <summary>The insight feed as <c>segmenta insights</c> prints it.</summary>
public sealed record InsightFeedDocument(string AsOf, string? PreviousAsOf, double FalseDiscoveryRate, int Tested, IReadOnlyList<InsightDocument> Insights, IReadOnlyList<string> NotChecked);

/// <summary>One insight: kind, subject, headline, evidence, effect size, p and q.</summary>
public sealed record InsightDocument(int Rank, string Kind, string Subject, string Headline, string Evidence, double? Effect, string EffectUnit, double? P, double? Q, long Customers);

/// <summary>Builds the insight documents.</summary>
public static class InsightDocuments
{
    /// <summary>The document of <paramref name="feed"/>.</summary>
    public static InsightFeedDocument Of(InsightFeed feed)
    {
        ArgumentNullException.ThrowIfNull(feed);
        return new InsightFeedDocument(
            Iso(feed.AsOf),
            feed.PreviousAsOf is { } previous ? Iso(previous) : null,
            feed.FalseDiscoveryRate,
            feed.Tested,
            [.. feed.Insights.Select((i, k) => new InsightDocument(k + 1, i.Kind, i.Subject, i.Headline, i.Evidence, Number(i.Effect), i.EffectUnit, Number(i.P), Number(i.Q), i.Customers))],
            feed.NotChecked);
    }
}
