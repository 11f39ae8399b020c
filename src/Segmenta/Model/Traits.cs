using Segmenta.Configuration;
using Segmenta.Language;
using Segmenta.Warehouse;

namespace Segmenta.Model;

/// <summary>A trait named that neither the customers table nor a computed field set has: the message has a suggestion and the list of traits.</summary>
public sealed class UnknownTraitException(string message) : SegmentaException(message, FailureKind.BadInput);

/// <summary>
/// One column of a member table (preview samples, exports, audience files): a customer trait, a computed
/// field a segment can test — <c>rfm.segment</c>, <c>clv.value</c>, <c>cluster</c>, <c>features.monetary</c> — or a
/// computed trait of the segment files (<c>refund_share</c>), evaluated at the table's as-of like the segment itself.
/// </summary>
/// <param name="Name">The column's name in the output: the name as written (<c>rfm.segment</c>).</param>
/// <param name="Field">The field read.</param>
/// <param name="Set">The computed field set it belongs to; null for a customer trait.</param>
public sealed record TraitColumn(string Name, FieldDefinition Field, DerivedFieldSet? Set = null)
{
    /// <summary>A computed trait's expression, when the column is one.</summary>
    internal BoundValue? Expression { get; init; }

    /// <summary>The column as a bound value the SQL writer can plan and write.</summary>
    internal BoundValue Value => Expression ?? (Set is null ? new CustomerField(Field) : new DerivedField(Set, Field));
}

/// <summary>Columns chosen by name, for previews, exports and audience files.</summary>
public static class Traits
{
    /// <summary>The traits shown for sampled members of a preview when none are named (CLI and API alike).</summary>
    public static IReadOnlyList<string> PreviewDefaults { get; } = ["email", "country", "age"];

    /// <summary>The traits of an exported members file or audience file when none are named (CLI and API alike).</summary>
    public static IReadOnlyList<string> ExportDefaults { get; } = ["email", "first_name", "last_name"];

    /// <summary>
    /// The columns in <paramref name="list"/> (comma-separated), or those of <paramref name="defaults"/> the
    /// customers table has when no list is given; a listed name that is neither a customer trait nor a computed
    /// field of <paramref name="schema"/> (when given) is a mistake.
    /// </summary>
    public static IReadOnlyList<TraitColumn> Resolve(IWarehouse warehouse, string? list, IReadOnlyList<string> defaults, SegmentSchema? schema = null)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        ArgumentNullException.ThrowIfNull(defaults);
        var columns = warehouse.Columns(TableKind.Customers);
        var names = list is null ? defaults : list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var result = new List<TraitColumn>();
        foreach (var name in names)
        {
            if (columns.FirstOrDefault(c => c.Name == name) is { } column)
            {
                result.Add(new TraitColumn(name, column));
            }
            else if (schema is not null && Computed(schema, name) is { } computed)
            {
                result.Add(computed);
            }
            else if (list is not null)
            {
                var known = columns.Select(c => c.Name).Concat(schema is null ? [] : ComputedNames(schema)).ToList();
                throw new UnknownTraitException($"unknown trait `{name}`{Suggestions.DidYouMean(name, known)}; traits: {string.Join(", ", known)}");
            }
        }

        return result;
    }

    /// <summary>
    /// <c>namespace.field</c>, a computed trait, or a namespace alone that names its default field (<c>cluster</c>): the segment
    /// language's own lookup.
    /// </summary>
    private static TraitColumn? Computed(SegmentSchema schema, string name)
    {
        if (schema.Computed(name) is { } computed)
        {
            return new TraitColumn(name, new FieldDefinition(name, computed.Type)) { Expression = computed.Expression };
        }

        var dot = name.LastIndexOf('.');
        return (dot < 0 ? schema.Value(null, name) : schema.Value(name[..dot], name[(dot + 1)..])) switch
        {
            DerivedField derived => new TraitColumn(name, derived.Field, derived.Set),
            CustomerField trait => new TraitColumn(name, trait.Field),
            _ => null,
        };
    }

    private static IEnumerable<string> ComputedNames(SegmentSchema schema) =>
        schema.ComputedTraits.Select(t => t.Name).Concat(schema.DerivedSets.SelectMany(s => s.Fields.Select(f => $"{s.Namespace}.{f.Name}")));
}
