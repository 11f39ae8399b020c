using System.Text;
using Segmenta.Model;

namespace Segmenta.Sql;

/// <summary>A SQL text and its positional parameter values.</summary>
/// <param name="Text">The SQL, with the dialect's placeholders.</param>
/// <param name="Parameters">The values, first placeholder first.</param>
public sealed record SqlStatement(string Text, IReadOnlyList<object?> Parameters);

/// <summary>
/// Builds one SQL statement for one dialect. Code appends SQL text it owns; identifiers go through
/// <see cref="Identifier"/> and every value through <see cref="Parameter"/>, so user text reaches the
/// warehouse only as a parameter or as an identifier the binder resolved against the schema.
/// Equal values share one parameter.
/// </summary>
public sealed class SqlBuilder
{
    private readonly StringBuilder text = new();
    private readonly List<object?> parameters = [];
    private readonly Dictionary<(Type, object), int> ordinals = [];

    /// <summary>Starts an empty statement.</summary>
    public SqlBuilder(ISqlDialect dialect)
    {
        ArgumentNullException.ThrowIfNull(dialect);
        Dialect = dialect;
    }

    /// <summary>The dialect written.</summary>
    public ISqlDialect Dialect { get; }

    /// <summary>Appends SQL text written by Segmenta's code (never user text).</summary>
    public SqlBuilder Append(string sql)
    {
        text.Append(sql);
        return this;
    }

    /// <summary>Appends a quoted identifier.</summary>
    public SqlBuilder Identifier(string name)
    {
        text.Append(Dialect.QuoteIdentifier(name));
        return this;
    }

    /// <summary>
    /// The placeholder for a value whose type is known where it is written: a null is cast to that
    /// type, so a server that types parameters (PostgreSQL) never meets a null it cannot place.
    /// </summary>
    public string Parameter<T>(T value)
    {
        if (value is null && ClrFieldType(Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T)) is { } type)
        {
            parameters.Add(null);
            return $"CAST({Dialect.Parameter(parameters.Count)} AS {Dialect.TypeName(type)})";
        }

        return Parameter((object?)value);
    }

    private static FieldType? ClrFieldType(Type type) =>
        type == typeof(string) ? FieldType.Text
        : type == typeof(long) || type == typeof(int) ? FieldType.Integer
        : type == typeof(decimal) ? FieldType.Number
        : type == typeof(bool) ? FieldType.Boolean
        : type == typeof(DateOnly) ? FieldType.Date
        : type == typeof(DateTime) ? FieldType.Timestamp
        : null;

    /// <summary>
    /// The placeholders of <paramref name="values"/> separated by commas, for <c>IN (…)</c>; <c>NULL</c> when there are
    /// none, so that <c>x IN (NULL)</c> selects nothing.
    /// </summary>
    public string ParameterList(IReadOnlyCollection<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return values.Count == 0 ? "NULL" : string.Join(", ", values.Select(v => Parameter(v)));
    }

    /// <summary>The placeholder for a value, registering it.</summary>
    public string Parameter(object? value)
    {
        if (value is DateTime instant)
        {
            // Instants are stored as zone-less UTC timestamps; an unspecified kind binds as exactly that.
            value = DateTime.SpecifyKind(instant, DateTimeKind.Unspecified);
        }

        if (value is null)
        {
            parameters.Add(null);
            return Dialect.Parameter(parameters.Count);
        }

        var key = (value.GetType(), value);
        if (!ordinals.TryGetValue(key, out var ordinal))
        {
            parameters.Add(value);
            ordinal = parameters.Count;
            ordinals[key] = ordinal;
        }

        return Dialect.ParameterType(value.GetType()) is { } type
            ? $"CAST({Dialect.Parameter(ordinal)} AS {type})"
            : Dialect.Parameter(ordinal);
    }

    /// <summary>The statement so far.</summary>
    public SqlStatement Build() => new(text.ToString(), parameters.ToList());

    /// <inheritdoc />
    public override string ToString() => text.ToString();
}
