using Segmenta.Model;
using Segmenta.Warehouse;

namespace Segmenta.DuckDb;

/// <summary>DuckDB's SQL.</summary>
public sealed class DuckDbDialect : ISqlDialect
{
    /// <summary>The one instance.</summary>
    public static DuckDbDialect Instance { get; } = new();

    /// <inheritdoc />
    public string Name => "duckdb";

    /// <inheritdoc />
    public string TimestampType => "TIMESTAMP";

    /// <inheritdoc />
    public string QuoteIdentifier(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    /// <inheritdoc />
    public string TypeName(FieldType type) => type switch
    {
        FieldType.Text => "VARCHAR",
        FieldType.Integer => "BIGINT",
        FieldType.Number => "DECIMAL(18,4)",
        FieldType.Boolean => "BOOLEAN",
        FieldType.Date => "DATE",
        FieldType.Timestamp => "TIMESTAMP",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };
}
