using System.Globalization;
using Segmenta.Identity;
using Segmenta.Language;
using Segmenta.Model;
using Segmenta.Sql;
using Segmenta.Warehouse;

namespace Segmenta.Segments;

/// <summary>What a collection flush changed: whose data (their identifiers), whether events came, whether profiles did.</summary>
/// <param name="Identifiers">The user and anonymous ids the flush's messages carried.</param>
/// <param name="Events">Whether events were stored.</param>
/// <param name="Profiles">Whether profiles were stored or linked (identify, alias): traits changed, or events may have moved between profiles.</param>
public sealed record LiveChange(IReadOnlyCollection<Identifier> Identifiers, bool Events, bool Profiles);

/// <summary>One segment brought up to date for the touched customers.</summary>
/// <param name="Segment">The segment.</param>
/// <param name="Evaluated">Customers re-evaluated.</param>
/// <param name="Entered">Of them, those who entered.</param>
/// <param name="Exited">Of them, those who exited.</param>
/// <param name="ClockDependent">Whether its conditions also change with the clock alone (<c>last 30 days</c>): the other customers are brought up to date by the scheduled refresh.</param>
public sealed record LiveSegmentUpdate(string Segment, long Evaluated, long Entered, long Exited, bool ClockDependent);

/// <summary>A live update: the instant, the customers touched, each segment updated, and the segments left to the refresh with why.</summary>
/// <param name="At">The instant the touched customers' membership was evaluated at.</param>
/// <param name="Touched">Customers re-evaluated.</param>
/// <param name="Segments">Segments updated, in dependency order.</param>
/// <param name="RefreshOnly">Segments a flush affects that only a refresh can update, each with why.</param>
public sealed record LiveUpdate(DateTime At, long Touched, IReadOnlyList<LiveSegmentUpdate> Segments, IReadOnlyList<(string Segment, string Why)> RefreshOnly)
{
    /// <summary>Customers who entered or exited any segment.</summary>
    public long Changes => Segments.Sum(s => s.Entered + s.Exited);
}

/// <summary>
/// Near-real-time membership (docs/activation.md, "Near-real-time membership"): after a collection flush commits, the
/// segments whose conditions read what changed are evaluated again for the touched customers only — the segment's own
/// query restricted to their ids — at one instant, and the membership history is updated for them: stays of those who
/// left are closed, stays of those who joined are opened, at that instant. For every segment whose conditions do not change
/// with the clock, the history then holds exactly what a full evaluation at that instant gives. Segments that read the
/// stored analyses (RFM, clusters, CLV, features) or rank the whole population (<c>top 10%</c>) depend on every customer
/// and are left to the scheduled refresh, and say so; conditions relative to the as-of (<c>last 30 days</c>) are right
/// for the touched customers at once and for the others at the next refresh.
/// </summary>
public static class LiveMembership
{
    /// <summary>
    /// Updates the affected segments for the customers <paramref name="change"/> touched, at <paramref name="context"/>'s
    /// instant (not before any segment's latest recorded instant), in one transaction.
    /// </summary>
    public static LiveUpdate Apply(IWarehouse warehouse, SegmentCompilation segments, LiveChange change, EvaluationContext context, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        ArgumentNullException.ThrowIfNull(segments);
        ArgumentNullException.ThrowIfNull(change);
        ArgumentNullException.ThrowIfNull(context);
        var at = context.AsOf;
        var latest = SegmentMaterializer.Latest(warehouse);
        var reads = new Dictionary<string, Reads>(StringComparer.Ordinal);
        var updates = new List<LiveSegmentUpdate>();
        var refreshOnly = new List<(string, string)>();
        var affected = new List<(SegmentDefinition Segment, bool Clock)>();
        foreach (var segment in segments.Segments)
        {
            var r = Reads.Of(segment.Condition, reads);
            reads[segment.Name] = r;
            var touchedBy = (change.Events && r.Events) || (change.Profiles && (r.Traits || r.Events)) || r.Segments.Any(s => affected.Any(a => a.Segment.Name == s));
            if (!touchedBy)
            {
                continue;
            }

            if (r.Population is { } why)
            {
                refreshOnly.Add((segment.Name, why));
            }
            else if (!latest.TryGetValue(segment.Name, out var recorded))
            {
                refreshOnly.Add((segment.Name, "never materialized: its history starts with a refresh"));
            }
            else if (recorded > at)
            {
                refreshOnly.Add((segment.Name, string.Create(CultureInfo.InvariantCulture, $"already recorded at {recorded:yyyy-MM-dd'T'HH:mm:ss'Z'}, after this update")));
            }
            else
            {
                affected.Add((segment, r.Clock));
            }
        }

        var d = warehouse.Dialect;
        using var transaction = warehouse.BeginTransaction();
        var touched = Touched(transaction, change.Identifiers);
        if (touched.Count == 0 || affected.Count == 0)
        {
            return new LiveUpdate(at, touched.Count, [], refreshOnly);
        }

        transaction.Execute(SegmentSql.ClearLiveTouched(d));
        transaction.Append(Tables.SegmentLiveTouched, new TableRows(touched.Count).Add(CanonicalModel.CustomerId, [.. touched]), cancellation);
        foreach (var (segment, clock) in affected)
        {
            cancellation.ThrowIfCancellationRequested();
            long entered = 0, exited = 0;
            foreach (var (statement, counts) in SegmentSql.RecordTouched(d, segment, context))
            {
                var rows = transaction.Execute(statement);
                if (counts > 0)
                {
                    entered += rows;
                }
                else if (counts < 0)
                {
                    exited += rows;
                }
            }

            var update = new LiveSegmentUpdate(segment.Name, touched.Count, entered, exited, clock);
            transaction.Execute(SegmentSql.InsertLiveUpdate(d, update, at));
            updates.Add(update);
        }

        transaction.Execute(SegmentSql.ClearLiveTouched(d));
        transaction.Commit();
        return new LiveUpdate(at, touched.Count, updates, refreshOnly);
    }

    /// <summary>The profiles the identifiers resolve to now, and the profiles they were named after (gone if merged away).</summary>
    private static List<string> Touched(ISqlReader reader, IReadOnlyCollection<Identifier> identifiers)
    {
        var ids = new SortedSet<string>(identifiers.Select(i => i.DefaultCustomerId), StringComparer.Ordinal);
        foreach (var chunk in identifiers.Distinct().Chunk(500))
        {
            reader.Read(SegmentSql.ProfilesOf(reader.Dialect, chunk), r => ids.Add(r.GetString(0)));
        }

        return [.. ids];
    }

    /// <summary>What a condition reads, as far as a flush can change it.</summary>
    private sealed record Reads(bool Events, bool Traits, bool Clock, string? Population, IReadOnlyList<string> Segments)
    {
        public static Reads Of(BoundCondition condition, IReadOnlyDictionary<string, Reads> earlier)
        {
            bool events = false, traits = false, clock = false;
            string? population = null;
            var refs = new List<string>();
            void Value(BoundValue value)
            {
                foreach (var leaf in value.Leaves())
                {
                    switch (leaf)
                    {
                        case CustomerField:
                            traits = true;
                            break;
                        case DerivedField derived:
                            population ??= $"reads {derived.Set.Namespace}.{derived.Field.Name}, which the refresh computes for everyone";
                            break;
                        case Aggregate aggregate:
                            events = true;
                            clock |= aggregate.Window.Kind == WindowKind.Last;
                            if (aggregate.Events.Filter is { } filter)
                            {
                                Visit(filter);
                            }

                            break;
                        default:
                            break;
                    }
                }

                clock |= value is DaysSince || (value is Arithmetic a && (a.Left is DaysSince || a.Right is DaysSince));
            }

            void Visit(BoundCondition c)
            {
                switch (c)
                {
                    case BoundAll all: all.Items.ToList().ForEach(Visit); break;
                    case BoundAny any: any.Items.ToList().ForEach(Visit); break;
                    case BoundNot not: Visit(not.Operand); break;
                    case BoundTest test:
                        Value(test.Value);
                        clock |= test.Span is not null;
                        break;
                    case BoundCompare compare:
                        Value(compare.Left);
                        Value(compare.Right);
                        break;
                    case BoundSequence sequence:
                        events = true;
                        clock |= sequence.Window.Kind == WindowKind.Last;
                        break;
                    case BoundRank rank:
                        Value(rank.Measure);
                        population ??= "ranks the whole population (top/bottom)";
                        break;
                    case BoundSegmentRef reference:
                        refs.Add(reference.Target.Name);
                        Inherit(reference.Target.Name);
                        break;
                    case BoundTransition transition:
                        refs.Add(transition.Target.Name);
                        clock |= transition.Within is not null;
                        Inherit(transition.Target.Name);
                        break;
                    default:
                        break;
                }
            }

            void Inherit(string name)
            {
                if (earlier.TryGetValue(name, out var r))
                {
                    events |= r.Events;
                    traits |= r.Traits;
                    clock |= r.Clock;
                    population ??= r.Population is null ? null : $"refers to {name}, which {r.Population}";
                }
            }

            Visit(condition);
            return new Reads(events, traits, clock, population, refs);
        }
    }
}
