using System.Globalization;
using Segmenta.Model;

namespace Segmenta.Sql;

/// <summary>PostgreSQL's SQL (15 and later; the same text runs on the coordinator of a sharded setup).</summary>
public sealed class PostgresDialect : ISqlDialect
{
    /// <summary>The one instance.</summary>
    public static PostgresDialect Instance { get; } = new();

    /// <inheritdoc />
    public string Name => "postgres";

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
        FieldType.Text => "TEXT",
        FieldType.Integer => "BIGINT",
        FieldType.Number => "NUMERIC(18,4)",
        FieldType.Boolean => "BOOLEAN",
        FieldType.Date => "DATE",
        FieldType.Timestamp => "TIMESTAMP",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <inheritdoc />
    public string Parameter(int ordinal) => "$" + ordinal.ToString(CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public string Contains(string text, string part) => $"strpos({text}, {part}) > 0";

    /// <inheritdoc />
    public string StartsWith(string text, string prefix) => $"starts_with({text}, {prefix})";

    /// <inheritdoc />
    public string EndsWith(string text, string suffix) => $"right({text}, length({suffix})) = {suffix}";

    /// <inheritdoc />
    public string MinusSeconds(string instant, string seconds) => $"{instant} - make_interval(secs => {seconds})";

    /// <inheritdoc />
    public string? ParameterType(Type type) => type == typeof(long) ? "BIGINT" : type == typeof(decimal) ? "NUMERIC" : null;

    /// <inheritdoc />
    public string SmallestBy(string value, string key, string filter, int count) => $"(array_agg({value} ORDER BY {key}) FILTER (WHERE {filter}))[1:{count.ToString(CultureInfo.InvariantCulture)}]";

    /// <inheritdoc />
    public string ToDouble(string number) => $"CAST({number} AS DOUBLE PRECISION)";
}
