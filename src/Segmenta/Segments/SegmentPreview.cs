using System.Data;
using System.Diagnostics;
using System.Globalization;
using Segmenta.Language;
using Segmenta.Model;
using Segmenta.Warehouse;

namespace Segmenta.Segments;

/// <summary>How many customers remain after one more top-level condition.</summary>
/// <param name="Condition">The condition's text.</param>
/// <param name="Remaining">Customers meeting it and every condition before it.</param>
/// <param name="Funnel">When the condition is a funnel (<c>did A then B … within</c>): of those meeting every condition before it, how many reached each step.</param>
public sealed record SegmentStep(string Condition, long Remaining, IReadOnlyList<FunnelStep>? Funnel = null);

/// <summary>One step of a funnel condition and the customers who reached it: an event of step 1, then of each step up to this one in order, within the spans.</summary>
public sealed record FunnelStep(string Step, long Reached);

/// <summary>The members' stored CLV predictions (<c>segmenta clv</c>).</summary>
/// <param name="Predicted">Members with a prediction.</param>
/// <param name="Value">Their predicted value.</param>
/// <param name="TotalValue">Every customer's predicted value.</param>
/// <param name="MeanProbabilityAlive">Their mean P(alive).</param>
/// <param name="Warnings">The active CLV model's warnings (a degenerate fit, a collapsed P(alive), a poor holdout forecast): what qualifies the numbers above.</param>
public sealed record SegmentLifetime(long Predicted, double Value, double TotalValue, double MeanProbabilityAlive, IReadOnlyList<string>? Warnings = null)
{
    /// <summary>The members' share of all predicted value (0–1).</summary>
    public double ShareOfValue => TotalValue <= 0 ? 0 : Value / TotalValue;
}

/// <summary>Who is in a segment, how many, what they are worth, and why the segment is the size it is.</summary>
public sealed record SegmentPreview(
    string Name,
    string? Title,
    string Version,
    DateTime AsOf,
    long Size,
    long Customers,
    decimal MemberRevenue,
    decimal Revenue,
    IReadOnlyList<SegmentStep> Steps,
    IReadOnlyList<string> SampleColumns,
    IReadOnlyList<IReadOnlyList<object?>> Sample,
    TimeSpan Elapsed,
    SegmentLifetime? Lifetime = null,
    long AnonymousMembers = 0)
{
    /// <summary>Members as a share of all customers (0–1).</summary>
    public double ShareOfCustomers => Customers == 0 ? 0 : (double)Size / Customers;

    /// <summary>Members' net revenue as a share of every customer's net revenue before as-of (0–1; net: purchases less refunds).</summary>
    public double ShareOfRevenue => Revenue == 0 ? 0 : (double)(MemberRevenue / Revenue);

    /// <summary>Computes the preview: one pass for sizes, funnel, revenue and sample ids, then a lookup of the sample's traits.</summary>
    public static SegmentPreview Compute(IWarehouse warehouse, SegmentDefinition segment, EvaluationContext context, IReadOnlyList<TraitColumn> sampleTraits, int sampleSize)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        ArgumentNullException.ThrowIfNull(segment);
        ArgumentNullException.ThrowIfNull(sampleTraits);
        var clock = Stopwatch.StartNew();
        var query = segment.Query(warehouse.Dialect, context);
        var warnings = Clv.ClvAnalysis.ActiveWarnings(warehouse);
        long customers = 0, size = 0, anonymous = 0;
        decimal revenue = 0, memberRevenue = 0;
        var steps = new List<SegmentStep>();
        var ids = new List<string>();
        SegmentLifetime? lifetime = null;
        warehouse.Read(query.Preview(sampleSize, lifetime: warnings is not null), r =>
        {
            customers = r.GetInt64(0);
            revenue = DecimalOrZero(r, 1);
            for (var i = 0; i < segment.ConditionTexts.Count; i++)
            {
                steps.Add(new SegmentStep(segment.ConditionTexts[i], r.GetInt64(2 + i)));
            }

            size = steps[^1].Remaining;
            var column = 2 + segment.ConditionTexts.Count;
            memberRevenue = DecimalOrZero(r, column++);
            if (sampleSize > 0)
            {
                if (!r.IsDBNull(column))
                {
                    ids.AddRange(((System.Collections.IEnumerable)r.GetValue(column)).Cast<object>().Select(o => (string)o));
                }

                column++;
            }

            // Then each funnel condition's counts per step, in order.
            for (var i = 0; i < steps.Count; i++)
            {
                if (segment.FunnelTexts.ElementAtOrDefault(i) is { } texts)
                {
                    steps[i] = steps[i] with { Funnel = [.. texts.Select((t, k) => new FunnelStep(t, r.GetInt64(column + k)))] };
                    column += texts.Count;
                }
            }

            anonymous = r.GetInt64(column++);
            if (warnings is not null)
            {
                lifetime = new SegmentLifetime(
                    Convert.ToInt64(r.GetValue(column), CultureInfo.InvariantCulture),
                    Convert.ToDouble(r.GetValue(column + 1), CultureInfo.InvariantCulture),
                    Convert.ToDouble(r.GetValue(column + 3), CultureInfo.InvariantCulture),
                    r.IsDBNull(column + 2) ? 0 : Convert.ToDouble(r.GetValue(column + 2), CultureInfo.InvariantCulture),
                    warnings);
            }
        });

        var sample = new List<IReadOnlyList<object?>>();
        if (ids.Count > 0)
        {
            warehouse.Read(query.Traits(ids, sampleTraits), r =>
            {
                var values = new object?[r.FieldCount];
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] = r.IsDBNull(i) ? null : r.GetValue(i);
                }

                sample.Add(values);
            });
        }

        return new SegmentPreview(segment.Name, segment.Title, segment.Version, context.AsOf, size, customers, memberRevenue, revenue, steps, SegmentQuery.OutputColumns(sampleTraits), sample, clock.Elapsed, lifetime, anonymous);
    }

    private static decimal DecimalOrZero(IDataRecord r, int i) => r.IsDBNull(i) ? 0 : Convert.ToDecimal(r.GetValue(i), CultureInfo.InvariantCulture);
}
