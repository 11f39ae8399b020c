using Segmenta.Configuration;
using Segmenta.Warehouse;

namespace Segmenta.Model;

/// <summary>A trait named that the customers table lacks: the message has a suggestion and the list of traits.</summary>
public sealed class UnknownTraitException(string message) : Exception(message);

/// <summary>Customer columns chosen by name, for previews, exports and audience files.</summary>
public static class Traits
{
    /// <summary>
    /// The customer columns in <paramref name="list"/> (comma-separated), or those of <paramref name="defaults"/>
    /// the table has when no list is given; a listed name the table lacks is a mistake.
    /// </summary>
    public static IReadOnlyList<FieldDefinition> Resolve(IWarehouse warehouse, string? list, IReadOnlyList<string> defaults)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        ArgumentNullException.ThrowIfNull(defaults);
        var columns = warehouse.Columns(TableKind.Customers);
        var names = list is null ? defaults : list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var result = new List<FieldDefinition>();
        foreach (var name in names)
        {
            if (columns.FirstOrDefault(c => c.Name == name) is { } column)
            {
                result.Add(column);
            }
            else if (list is not null)
            {
                throw new UnknownTraitException($"unknown trait `{name}`{Suggestions.DidYouMean(name, columns.Select(c => c.Name))}; traits: {string.Join(", ", columns.Select(c => c.Name))}");
            }
        }

        return result;
    }
}
