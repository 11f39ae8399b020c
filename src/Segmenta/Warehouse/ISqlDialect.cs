using Segmenta.Model;

namespace Segmenta.Warehouse;

/// <summary>
/// What differs between warehouses' SQL. Identifiers are quoted here and nowhere else; values never
/// pass through a dialect (they are parameters).
/// </summary>
public interface ISqlDialect
{
    /// <summary>duckdb or postgres.</summary>
    string Name { get; }

    /// <summary>Quotes an identifier that the caller has resolved against the schema.</summary>
    string QuoteIdentifier(string name);

    /// <summary>The column type for a field type.</summary>
    string TypeName(FieldType type);

    /// <summary>The column type for an instant.</summary>
    string TimestampType { get; }
}
