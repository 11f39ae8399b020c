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
    private readonly FrozenDictionary<string, ComputedTrait> computed;

    /// <summary>Creates a schema from the warehouse's columns.</summary>
    public SegmentSchema(
        IEnumerable<FieldDefinition> customerFields,
        IEnumerable<FieldDefinition> eventFields,
        IEnumerable<string> eventTypes,
        IEnumerable<DerivedFieldSet>? derived = null)
        : this(customerFields, eventFields, eventTypes, derived, [])
    {
    }

    private SegmentSchema(
        IEnumerable<FieldDefinition> customerFields,
        IEnumerable<FieldDefinition> eventFields,
        IEnumerable<string> eventTypes,
        IEnumerable<DerivedFieldSet>? derived,
        IEnumerable<ComputedTrait> computed)
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
        ComputedTraits = computed.ToList();
        this.computed = ComputedTraits.ToFrozenDictionary(t => t.Name, StringComparer.Ordinal);
    }

    /// <summary>Computed traits (<c>trait NAME = EXPRESSION</c> in segment files), usable by name like a customer trait.</summary>
    public IReadOnlyList<ComputedTrait> ComputedTraits { get; }

    /// <summary>This schema plus computed traits (replacing those of the same names).</summary>
    public SegmentSchema WithComputed(IEnumerable<ComputedTrait> traits)
    {
        ArgumentNullException.ThrowIfNull(traits);
        var added = traits.ToList();
        return new SegmentSchema(CustomerFields, EventFields, EventTypes, DerivedSets, [.. ComputedTraits.Where(t => !added.Any(a => a.Name == t.Name)), .. added]);
    }

    internal ComputedTrait? Computed(string name) => computed.GetValueOrDefault(name);

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
        return new SegmentSchema(CustomerFields, EventFields, EventTypes, [.. DerivedSets.Where(d => d.Namespace != set.Namespace), set], ComputedTraits);
    }

    internal FieldDefinition? Customer(string name) => customer.GetValueOrDefault(name);

    internal FieldDefinition? EventProperty(string name) => eventProperties.GetValueOrDefault(name);

    internal IEnumerable<string> EventPropertyNames => eventProperties.Keys;

    internal bool IsEventType(string name) => eventTypes.Contains(name);

    internal DerivedFieldSet? Derived(string ns) => derived.GetValueOrDefault(ns);

    /// <summary>
    /// A per-customer value by the name segments write: <c>namespace.field</c> with a <paramref name="qualifier"/>;
    /// without one a customer trait, else a computed trait (its bound expression), else a namespace alone naming its default field (<c>cluster</c>). Null when
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

        if (Computed(name) is { } computedTrait)
        {
            return computedTrait.Expression;
        }

        return Derived(name) is { DefaultField: { } fieldName } named && named.Fields.FirstOrDefault(f => f.Name == fieldName) is { } defaultField
            ? new DerivedField(named, defaultField)
            : null;
    }
}

/// <summary>
/// A computed trait: a named per-customer measure written as code (<c>trait refund_share = -sum(refund.revenue) / sum(purchase.revenue)</c>),
/// evaluated at each evaluation's as-of wherever it is used — inside segment conditions (as if its expression were written there),
/// ranked, exported and shown in member tables.
/// </summary>
public sealed class ComputedTrait : CodeDefinition
{
    internal ComputedTrait(string name, string? title, string? description, string? file, string text, TextSpan span, BoundValue expression, IReadOnlyList<ComputedTrait> uses)
        : base(name, title, description, file, text, span, uses)
    {
        Expression = expression;
        Uses = [.. uses.Select(u => u.Name)];
    }

    /// <summary>What kind of value it has.</summary>
    public FieldType Type => Expression.Type;

    /// <summary>The computed traits its expression uses, directly.</summary>
    public IReadOnlyList<string> Uses { get; }

    internal BoundValue Expression { get; }
}

/// <summary>The words of the segment language, for editors that colour and complete it.</summary>
public static class LanguageVocabulary
{
    /// <summary>Keywords (reserved, and those with a meaning in one place only), in order.</summary>
    public static IReadOnlyList<string> Keywords { get; } = [.. Parser.Keywords.Distinct(StringComparer.Ordinal)];

    /// <summary>Functions: aggregates of events, then functions of one value.</summary>
    public static IReadOnlyList<string> Functions { get; } = [.. Parser.Functions, .. Parser.ValueFunctions];
}
