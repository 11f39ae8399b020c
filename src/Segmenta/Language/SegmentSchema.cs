using System.Collections.Frozen;
using Segmenta.Model;
using Segmenta.Sql;

namespace Segmenta.Language;

/// <summary>
/// Per-customer fields an analysis computes (features, RFM scores, clusters, CLV). Segments use them
/// as <c>namespace.field</c>; registering a set is all an analysis does to make its outputs usable in
/// the language — the parser never changes. A set either reads a table keyed by <c>customer_id</c>
/// or, with a <see cref="Source"/>, is computed in the same query at the evaluation's as-of instant.
/// </summary>
/// <param name="Namespace">The prefix in segment text, such as <c>rfm</c>.</param>
/// <param name="Table">The warehouse table holding one row per customer (where a source's results are materialized).</param>
/// <param name="Fields">The columns segments may use.</param>
/// <param name="Description">What computes it, for messages.</param>
public sealed record DerivedFieldSet(string Namespace, string Table, IReadOnlyList<FieldDefinition> Fields, string Description)
{
    /// <summary>Computes the rows at each evaluation's as-of instead of reading <see cref="Table"/>; null reads the table.</summary>
    public IDerivedFieldSource? Source { get; init; }

    /// <summary>The field the namespace alone names, if any: <c>cluster = 3</c> is <c>cluster.id = 3</c> (a customer column of that name wins).</summary>
    public string? DefaultField { get; init; }

    /// <summary>Segments the analysis generates from its outputs (the named RFM segments, one per cluster), compiled with the workspace's own.</summary>
    public SegmentSource? Segments { get; init; }
}

/// <summary>Writes the rows of a computed field set as SQL.</summary>
public interface IDerivedFieldSource
{
    /// <summary>
    /// Writes a query with one row per customer — <c>customer_id</c> and <paramref name="fields"/> —
    /// as of <paramref name="context"/>'s instant; values go through <paramref name="sql"/>'s parameters.
    /// </summary>
    void WriteRows(SqlBuilder sql, EvaluationContext context, IReadOnlyCollection<string> fields);
}

/// <summary>What segment text is checked against: the workspace's customer traits, event properties and types, and derived fields.</summary>
public sealed class SegmentSchema
{
    /// <summary>The word for "an event of any type".</summary>
    public const string AnyEvent = "any";

    private readonly FrozenDictionary<string, FieldDefinition> customer;
    private readonly FrozenDictionary<string, FieldDefinition> eventProperties;
    private readonly FrozenSet<string> eventTypes;
    private readonly FrozenDictionary<string, DerivedFieldSet> derived;

    /// <summary>Creates a schema from the warehouse's columns.</summary>
    public SegmentSchema(
        IEnumerable<FieldDefinition> customerFields,
        IEnumerable<FieldDefinition> eventFields,
        IEnumerable<string> eventTypes,
        IEnumerable<DerivedFieldSet>? derived = null)
    {
        ArgumentNullException.ThrowIfNull(customerFields);
        ArgumentNullException.ThrowIfNull(eventFields);
        ArgumentNullException.ThrowIfNull(eventTypes);
        CustomerFields = customerFields.ToList();
        EventFields = eventFields.ToList();
        EventTypes = eventTypes.Distinct(StringComparer.Ordinal).ToList();
        DerivedSets = (derived ?? []).ToList();
        customer = CustomerFields.ToFrozenDictionary(f => f.Name, StringComparer.Ordinal);
        eventProperties = EventFields.Where(f => f.Name != CanonicalModel.CustomerId).ToFrozenDictionary(f => f.Name, StringComparer.Ordinal);
        this.eventTypes = EventTypes.ToFrozenSet(StringComparer.Ordinal);
        this.derived = DerivedSets.ToFrozenDictionary(d => d.Namespace, StringComparer.Ordinal);
    }

    /// <summary>The canonical model with the standard event types and any extra ones.</summary>
    public static SegmentSchema Canonical(IEnumerable<string>? extraEventTypes = null) => new(
        CanonicalModel.CustomerFields,
        CanonicalModel.EventFields,
        [.. CanonicalModel.StandardEventTypes, .. extraEventTypes ?? []]);

    /// <summary>Customer traits.</summary>
    public IReadOnlyList<FieldDefinition> CustomerFields { get; }

    /// <summary>Event columns.</summary>
    public IReadOnlyList<FieldDefinition> EventFields { get; }

    /// <summary>Known event types.</summary>
    public IReadOnlyList<string> EventTypes { get; }

    /// <summary>Registered derived field sets.</summary>
    public IReadOnlyList<DerivedFieldSet> DerivedSets { get; }

    /// <summary>This schema plus one more derived field set (replacing one with the same namespace).</summary>
    public SegmentSchema WithDerived(DerivedFieldSet set)
    {
        ArgumentNullException.ThrowIfNull(set);
        return new SegmentSchema(CustomerFields, EventFields, EventTypes, [.. DerivedSets.Where(d => d.Namespace != set.Namespace), set]);
    }

    internal FieldDefinition? Customer(string name) => customer.GetValueOrDefault(name);

    internal FieldDefinition? EventProperty(string name) => eventProperties.GetValueOrDefault(name);

    internal IEnumerable<string> EventPropertyNames => eventProperties.Keys;

    internal bool IsEventType(string name) => eventTypes.Contains(name);

    internal DerivedFieldSet? Derived(string ns) => derived.GetValueOrDefault(ns);

    /// <summary>
    /// A per-customer value by the name segments write: <c>namespace.field</c> with a <paramref name="qualifier"/>;
    /// without one a customer trait, else a namespace alone naming its default field (<c>cluster</c>). Null when
    /// there is none (the binder reports why; member tables refuse the name).
    /// </summary>
    internal BoundValue? Value(string? qualifier, string name)
    {
        if (qualifier is not null)
        {
            return Derived(qualifier) is { } set && set.Fields.FirstOrDefault(f => f.Name == name) is { } field ? new DerivedField(set, field) : null;
        }

        if (Customer(name) is { } trait)
        {
            return new CustomerField(trait);
        }

        return Derived(name) is { DefaultField: { } fieldName } named && named.Fields.FirstOrDefault(f => f.Name == fieldName) is { } defaultField
            ? new DerivedField(named, defaultField)
            : null;
    }
}
