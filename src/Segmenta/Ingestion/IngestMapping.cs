using Segmenta.Configuration;
using Segmenta.Model;

namespace Segmenta.Ingestion;

/// <summary>Where one canonical (or declared) field's value comes from.</summary>
/// <param name="Target">The warehouse column.</param>
/// <param name="Column">A source column, read as is.</param>
/// <param name="Expression">A mapping expression over the source columns.</param>
/// <param name="Constant">A fixed value.</param>
/// <param name="Type">The type, required for declared (non-canonical) fields.</param>
/// <param name="Formats">Date or timestamp formats (.NET custom format strings), tried in order.</param>
/// <param name="ValueMap">Source values replaced before conversion.</param>
/// <param name="Default">The value used when the source has none.</param>
/// <param name="Required">When true, a row without a value is quarantined.</param>
/// <param name="Position">file:line:column of the field in the mapping, for messages.</param>
/// <param name="Aggregate">How a customers mapping over many records per customer (an event file) combines this field's values.</param>
public sealed record FieldMapping(
    string Target,
    string? Column = null,
    string? Expression = null,
    string? Constant = null,
    FieldType? Type = null,
    IReadOnlyList<string>? Formats = null,
    IReadOnlyDictionary<string, string>? ValueMap = null,
    string? Default = null,
    bool Required = false,
    string? Position = null,
    RowAggregate? Aggregate = null);

/// <summary>
/// How a customers mapping combines a customer's records into one profile (docs/ingestion.md, "Customers from an
/// event file"). Values a record lacks are ignored; a customer without any value gets none (count: 0).
/// </summary>
public enum RowAggregate
{
    /// <summary>The value of the customer's first record that has one, in source order.</summary>
    First,

    /// <summary>The value of the customer's last record that has one, in source order.</summary>
    Last,

    /// <summary>The value on most of the customer's records; a tie goes to the value seen first in the source.</summary>
    MostFrequent,

    /// <summary>The smallest value (numbers and times by value, text by ordinal order).</summary>
    Min,

    /// <summary>The largest value.</summary>
    Max,

    /// <summary>The sum (integer and number fields).</summary>
    Sum,

    /// <summary>How many of the customer's records have a value (an integer field).</summary>
    Count,
}

/// <summary>
/// How a source file maps onto a canonical table: read options, one entry per target field, and an
/// optional row filter. Written as YAML under <c>mappings/</c> (see docs/ingestion.md).
/// </summary>
public sealed record IngestMapping
{
    /// <summary>The table the rows go to.</summary>
    public required TableKind Table { get; init; }

    /// <summary>csv, jsonl or parquet; null: from the file's extension.</summary>
    public string? Format { get; init; }

    /// <summary>Delimited-text options.</summary>
    public DelimitedFormat Delimited { get; init; } = new();

    /// <summary>Time zone of source timestamps without an offset; null: the workspace's.</summary>
    public string? TimeZone { get; init; }

    /// <summary>The field mappings, in file order.</summary>
    public required IReadOnlyList<FieldMapping> Fields { get; init; }

    /// <summary>An expression a row must satisfy; rows it excludes are quarantined with that reason.</summary>
    public string? Filter { get; init; }

    /// <summary>Where the filter is written, for messages.</summary>
    public string? FilterPosition { get; init; }

    /// <summary>
    /// An expression selecting the records this mapping loads; the others are skipped and counted, not
    /// quarantined (one wide file can feed several mappings, such as a customer file with outcome columns).
    /// </summary>
    public string? Where { get; init; }

    /// <summary>Where <see cref="Where"/> is written, for messages.</summary>
    public string? WherePosition { get; init; }

    /// <summary>The mapping file, or null for the default by-name mapping.</summary>
    public string? File { get; init; }

    /// <summary>True when the mapping combines many records per customer into one (its fields say how).</summary>
    public bool Aggregates => Fields.Any(f => f.Aggregate is not null);

    /// <summary>
    /// The mapping used when none is given: every source column whose name is a canonical field of
    /// <paramref name="table"/> maps to it; any other column is an error.
    /// </summary>
    public static IngestMapping ByName(TableKind table, IReadOnlyList<string> sourceColumns, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(sourceColumns);
        var fields = new List<FieldMapping>();
        foreach (var column in sourceColumns)
        {
            var name = column.Trim();
            if (Derived(table, name) is { } derived)
            {
                throw new IngestSetupException($"{sourceName}: column `{column}`: {derived}; pass a mapping (--mapping)");
            }

            if (CanonicalModel.Find(table, name) is null)
            {
                var suggestion = Suggestions.Closest(name, CanonicalModel.Fields(table).Select(f => f.Name));
                throw new IngestSetupException(
                    $"{sourceName}: column `{column}` is not a canonical {CanonicalModel.TableName(table)} field"
                    + (suggestion is null ? "" : $" (did you mean `{suggestion}`?)")
                    + "; map or declare it in a mapping file and pass --mapping");
            }

            fields.Add(new FieldMapping(name, Column: column));
        }

        return new IngestMapping { Table = table, Fields = fields };
    }

    /// <summary>Why a field cannot be mapped because Segmenta fills it, or null.</summary>
    private static string? Derived(TableKind table, string target) =>
        table == TableKind.Events && target == CanonicalModel.UserId
            ? "`user_id` is filled from `customer_id`: map the user id to `customer_id` (and an anonymous visitor's id to `anonymous_id`)"
            : null;

    /// <summary>Reads a mapping file; mistakes come back as <see cref="ConfigurationException"/> with line and column.</summary>
    public static IngestMapping Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!System.IO.File.Exists(path))
        {
            throw new IngestSetupException($"{path}: no such mapping file");
        }

        return Parse(path, System.IO.File.ReadAllText(path));
    }

    /// <summary>Parses mapping text.</summary>
    public static IngestMapping Parse(string file, string text)
    {
        var root = YamlSection.Load(file, text);
        root.RejectUnknownKeys("table", "source", "fields", "filter", "where", "description");
        var tableName = root.RequireString("table");
        var table = tableName switch
        {
            "customers" => TableKind.Customers,
            "events" => TableKind.Events,
            _ => throw root.ErrorAt("table", $"unknown table `{tableName}`; expected customers or events"),
        };

        string? format = null;
        string? zone = null;
        var delimited = new DelimitedFormat();
        if (root.GetSection("source") is { } source)
        {
            source.RejectUnknownKeys("format", "delimiter", "header", "columns", "quote", "timezone", "encoding");
            format = source.GetString("format");
            if (format is not null and not ("csv" or "jsonl" or "parquet"))
            {
                throw source.ErrorAt("format", $"unknown format `{format}`; expected csv, jsonl or parquet");
            }

            char? delimiter = null;
            if (source.GetString("delimiter") is { } d)
            {
                delimiter = DelimitedFormat.TryParseDelimiter(d, out var c)
                    ? c
                    : throw source.ErrorAt("delimiter", $"unknown delimiter `{d}`; expected , ; tab | or whitespace");
            }

            var quote = source.GetString("quote");
            if (quote is { Length: not 1 })
            {
                throw source.ErrorAt("quote", "`quote` must be a single character");
            }

            var columns = source.GetStringList("columns");
            var encoding = source.GetString("encoding");
            var found = encoding is null ? SourceEncoding.Utf8 : SourceEncoding.Find(encoding);
            if (found is null)
            {
                throw source.ErrorAt("encoding", $"unknown encoding `{encoding}`; expected utf-8, latin-1, windows-1252, iso-8859-15 or another IANA name");
            }

            if (format == "jsonl" && !ReferenceEquals(found, SourceEncoding.Utf8))
            {
                throw source.ErrorAt("encoding", "JSON Lines are UTF-8 (RFC 8259); `encoding` applies to csv");
            }

            delimited = new DelimitedFormat(delimiter, source.GetBoolean("header") ?? true, columns.Count > 0 ? columns : null, quote?[0] ?? '"', encoding);
            zone = source.GetString("timezone");
            if (zone is not null && !TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _))
            {
                throw source.ErrorAt("timezone", $"unknown time zone `{zone}`");
            }
        }

        var entries = root.GetEntries("fields");
        if (entries.Count == 0)
        {
            throw root.ErrorHere("a mapping needs `fields:`, one entry per warehouse column");
        }

        var fields = new List<FieldMapping>();
        foreach (var entry in entries)
        {
            fields.Add(ParseField(table, entry));
        }

        if (fields.Any(f => f.Aggregate is not null))
        {
            // One rule per field, said by the user: which of a customer's many records gives each value.
            var unstated = entries.FirstOrDefault(e => e.Key != CanonicalModel.CustomerId && fields.First(f => f.Target == e.Key).Aggregate is null);
            if (unstated is not null)
            {
                throw unstated.Error($"field `{unstated.Key}` needs an `aggregate` too: this mapping combines each customer's records into one profile, so every field says how (first, last, most_frequent, min, max, sum or count)");
            }
        }

        var duplicate = fields.GroupBy(f => f.Target, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw entries.Last(e => e.Key == duplicate.Key).Error($"field `{duplicate.Key}` is mapped twice");
        }

        return new IngestMapping
        {
            Table = table,
            Format = format,
            Delimited = delimited,
            TimeZone = zone,
            Fields = fields,
            Filter = root.GetString("filter"),
            FilterPosition = root.Has("filter") ? root.PositionOf("filter") : null,
            Where = root.GetString("where"),
            WherePosition = root.Has("where") ? root.PositionOf("where") : null,
            File = file,
        };
    }

    private static readonly string[] ValueSources = ["column", "expr", "value"];

    private static RowAggregate? ParseAggregate(TableKind table, string target, YamlSection spec)
    {
        if (spec.GetString("aggregate") is not { } name)
        {
            return null;
        }

        if (table != TableKind.Customers || target == CanonicalModel.CustomerId)
        {
            throw spec.ErrorAt("aggregate", table != TableKind.Customers
                ? "`aggregate` combines records into customer profiles; it is for customers mappings"
                : "`customer_id` is what records are grouped by; it takes no `aggregate`");
        }

        var aggregate = name switch
        {
            "first" => RowAggregate.First,
            "last" => RowAggregate.Last,
            "most_frequent" => RowAggregate.MostFrequent,
            "min" => RowAggregate.Min,
            "max" => RowAggregate.Max,
            "sum" => RowAggregate.Sum,
            "count" => RowAggregate.Count,
            _ => throw spec.ErrorAt("aggregate", $"unknown aggregate `{name}`; expected first, last, most_frequent, min, max, sum or count"),
        };
        var type = CanonicalModel.Find(table, target)?.Type ?? (spec.GetString("type") is { } t && FieldTypes.TryParse(t, out var parsed) ? parsed : (FieldType?)null);
        if (aggregate == RowAggregate.Sum && type is not (null or FieldType.Integer or FieldType.Number))
        {
            throw spec.ErrorAt("aggregate", $"`sum` adds numbers; `{target}` is {FieldTypes.Name(type!.Value)}");
        }

        if (aggregate == RowAggregate.Count && type is not (null or FieldType.Integer))
        {
            throw spec.ErrorAt("aggregate", $"`count` gives an integer; `{target}` is {FieldTypes.Name(type!.Value)}");
        }

        return aggregate;
    }

    private static FieldMapping ParseField(TableKind table, YamlEntry entry)
    {
        var target = entry.Key;
        if (!CanonicalModel.IsValidFieldName(target))
        {
            throw entry.Error($"field name `{target}` must be lower snake case (letters, digits, _)");
        }

        if (Derived(table, target) is { } derived)
        {
            throw entry.Error(derived);
        }

        var canonical = CanonicalModel.Find(table, target);
        FieldMapping field;
        if (entry.Scalar is { } shortForm)
        {
            field = new FieldMapping(target, Column: shortForm, Position: entry.Position);
        }
        else if (entry.Section is { } spec)
        {
            spec.RejectUnknownKeys("column", "expr", "value", "type", "format", "map", "default", "required", "aggregate");
            var sources = ValueSources.Count(spec.Has);
            if (sources != 1)
            {
                throw entry.Error($"field `{target}` needs exactly one of `column`, `expr` or `value`");
            }

            FieldType? type = null;
            if (spec.GetString("type") is { } typeName)
            {
                type = FieldTypes.TryParse(typeName, out var t)
                    ? t
                    : throw spec.ErrorAt("type", $"unknown type `{typeName}`; expected text, integer, number, boolean, date or timestamp");
            }

            IReadOnlyDictionary<string, string>? map = null;
            if (spec.Has("map"))
            {
                var mapEntry = entry.Section!.GetEntries("map");
                map = mapEntry.ToDictionary(e => e.Key, e => e.Scalar ?? throw e.Error("a value map entry must be a single value"), StringComparer.Ordinal);
            }

            field = new FieldMapping(
                target,
                Column: spec.GetString("column"),
                Expression: spec.GetString("expr"),
                Constant: spec.GetString("value"),
                Type: type,
                Formats: spec.GetStringList("format"),
                ValueMap: map,
                Default: spec.GetString("default"),
                Required: spec.GetBoolean("required") ?? false,
                Position: entry.Position,
                Aggregate: ParseAggregate(table, target, spec));
        }
        else
        {
            throw entry.Error($"field `{target}` must be a source column name or a mapping with `column`, `expr` or `value`");
        }

        if (canonical is not null && field.Type is { } given && given != canonical.Type)
        {
            throw entry.Error($"`{target}` is a canonical field of type {FieldTypes.Name(canonical.Type)}, not {FieldTypes.Name(given)}");
        }

        if (canonical is null && field.Type is null)
        {
            var suggestion = Suggestions.Closest(target, CanonicalModel.Fields(table).Select(f => f.Name));
            throw entry.Error(
                $"`{target}` is not a canonical {CanonicalModel.TableName(table)} field"
                + (suggestion is null ? "" : $" (did you mean `{suggestion}`?)")
                + "; to declare it as an extra " + (table == TableKind.Customers ? "trait" : "property") + ", give it a `type`");
        }

        return field;
    }
}
