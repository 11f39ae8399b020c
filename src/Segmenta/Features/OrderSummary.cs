using System.Data;
using Segmenta.Language;
using Segmenta.Sql;
using Segmenta.Warehouse;

namespace Segmenta.Features;

/// <summary>The purchase and refund events as an order summary was built from them, or as they are now.</summary>
/// <param name="Events">How many there are.</param>
/// <param name="Fingerprint">The dialect's fingerprint of them (<see cref="ISqlDialect.OrderEventsFingerprint"/>).</param>
/// <param name="LastAt">The last one's instant; null when there is none.</param>
public sealed record OrderEventsState(long Events, string Fingerprint, DateTime? LastAt)
{
    /// <summary>
    /// Whether an evaluation as of <paramref name="asOf"/> sees every one of these events: the last is before the as-of as
    /// the warehouse compares them, in whole microseconds (an instant's finer ticks do not reach SQL).
    /// </summary>
    public bool Before(DateTime asOf) => LastAt is null || LastAt.Value.Ticks < asOf.Ticks - (asOf.Ticks % 10);
}

/// <summary>
/// The order summary (<see cref="Tables.OrderSummary"/>, docs/features.md "The order summary"): each customer's kept orders
/// summed once over all their purchase and refund events, which a feature, RFM, cluster or persona query then reads instead
/// of computing the kept orders from the events again (10M events: the kept orders are 1.5-2 s of a 2 s <c>rfm</c>).
/// Derived data, never trusted blindly: <see cref="Prepare"/> compares a fingerprint of the purchase and refund events as they
/// are with the one the summary was built from, so whatever changed them (a load, a merge of profiles, an erasure) makes it
/// stale without having to say so; and a summary serves only an as-of after the last of them, in the zone it counted days in.
/// A stale summary is built again by the next analysis that would read it.
/// </summary>
public static class OrderSummary
{
    /// <summary>
    /// <paramref name="context"/>, reading the order summary when it holds the events as they are and they are all before the
    /// as-of: built first when it is stale; reading the events when the warehouse keeps no summary, when some event is at or
    /// after the as-of, or when another transaction is writing the summary at the same time (a later analysis reads its work).
    /// A context already decided is returned as it is, and so is one whose features are stored (it reads neither).
    /// </summary>
    public static EvaluationContext Prepare(IWarehouse warehouse, EvaluationContext context)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        ArgumentNullException.ThrowIfNull(context);
        return context.ReadsOrderSummary is not null || context.Stored.ContainsKey(FeatureSnapshots.Analysis)
            ? context
            : context with { ReadsOrderSummary = Reads(warehouse, context) };
    }

    /// <summary>Whether <paramref name="context"/> can read the order summary, built first when it is stale.</summary>
    private static bool Reads(IWarehouse warehouse, EvaluationContext context)
    {
        var d = warehouse.Dialect;
        if (FeatureSql.OrderEventsFingerprint(d) is not { } fingerprint)
        {
            return false;
        }

        try
        {
            // One transaction: the fingerprint, the stored state and, when they differ, the new sums all read one snapshot.
            using var tx = warehouse.BeginTransaction();
            var built = Built(tx, d);
            if (built is { } past && !past.Events.Before(context.AsOf))
            {
                // An as-of in the past of the events the summary was built from (a holdout, a history): no summary can serve
                // it unless events were deleted since, and then the events are merely read; spared the fingerprint's scan.
                return false;
            }

            var now = Read(tx, fingerprint);
            if (!now.Before(context.AsOf))
            {
                return false;
            }

            if (built is null || built.Value.Events != now || built.Value.Zone != context.Zone.Id)
            {
                foreach (var statement in FeatureSql.ClearOrderSummary(d))
                {
                    tx.Execute(statement);
                }

                tx.Execute(FeatureSql.OrderSummaryRows(d, context.Zone));
                tx.Execute(FeatureSql.RecordOrderSummary(d, now.Events, now.Fingerprint, now.LastAt, context.Zone.Id));
                tx.Commit();
            }

            return true;
        }
        catch (Exception e) when (warehouse.IsConflict(e))
        {
            // Another analysis is building it (or just built it) from its own snapshot: this one reads the events.
            return false;
        }
    }

    /// <summary>The events the stored summary was built from and the zone it counted days in; null when none was built.</summary>
    public static (OrderEventsState Events, string Zone)? Built(ISqlReader reader, ISqlDialect dialect)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(dialect);
        (OrderEventsState, string)? built = null;
        reader.Read(FeatureSql.OrderSummaryState(dialect), r => built = (State(r), r.GetString(3)));
        return built;
    }

    private static OrderEventsState Read(ISqlReader reader, SqlStatement fingerprint)
    {
        OrderEventsState? state = null;
        reader.Read(fingerprint, r => state = State(r));
        return state ?? throw new InvalidOperationException("the events' fingerprint returned no row");
    }

    private static OrderEventsState State(IDataRecord r) =>
        new(r.GetInt64(0), r.GetString(1), r.IsDBNull(2) ? null : DateTime.SpecifyKind(r.GetDateTime(2), DateTimeKind.Utc));
}
