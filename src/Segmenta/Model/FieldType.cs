namespace Segmenta.Model;

/// <summary>The value types a canonical or declared column can hold.</summary>
public enum FieldType
{
    /// <summary>Text (VARCHAR / text).</summary>
    Text,

    /// <summary>A 64-bit integer.</summary>
    Integer,

    /// <summary>An exact decimal number with four fractional digits (money, measurements); sums are exact and deterministic.</summary>
    Number,

    /// <summary>true / false.</summary>
    Boolean,

    /// <summary>A calendar date without time.</summary>
    Date,

    /// <summary>An instant, stored in UTC.</summary>
    Timestamp,
}

/// <summary>Parsing and naming of <see cref="FieldType"/> as written in mapping files.</summary>
public static class FieldTypes
{
    /// <summary>The name used in mapping files and diagnostics.</summary>
    public static string Name(FieldType type) => type switch
    {
        FieldType.Text => "text",
        FieldType.Integer => "integer",
        FieldType.Number => "number",
        FieldType.Boolean => "boolean",
        FieldType.Date => "date",
        FieldType.Timestamp => "timestamp",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <summary>Parses a type name as written in a mapping file.</summary>
    public static bool TryParse(string? name, out FieldType type)
    {
        switch (name?.Trim().ToUpperInvariant())
        {
            case "TEXT" or "STRING" or "VARCHAR": type = FieldType.Text; return true;
            case "INTEGER" or "INT" or "BIGINT": type = FieldType.Integer; return true;
            case "NUMBER" or "DECIMAL" or "NUMERIC" or "MONEY": type = FieldType.Number; return true;
            case "BOOLEAN" or "BOOL": type = FieldType.Boolean; return true;
            case "DATE": type = FieldType.Date; return true;
            case "TIMESTAMP" or "DATETIME" or "INSTANT": type = FieldType.Timestamp; return true;
            default: type = FieldType.Text; return false;
        }
    }
}
