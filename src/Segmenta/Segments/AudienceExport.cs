using System.Data;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Segmenta.Language;
using Segmenta.Model;
using Segmenta.Sql;
using Segmenta.Warehouse;

namespace Segmenta.Segments;

/// <summary>The file formats an audience is exported in.</summary>
public enum AudienceFormat
{
    /// <summary>RFC 4180 CSV with a header, UTF-8.</summary>
    Csv,

    /// <summary>A JSON array of objects, one per member.</summary>
    Json,

    /// <summary>Apache Parquet (zstd).</summary>
    Parquet,
}

/// <summary>
/// Writes a segment's members with chosen traits to a file, ordered by customer id, with values in
/// invariant formats (ISO 8601 times in UTC), so that the same inputs give a byte-identical file.
/// The file appears complete or not at all: it is written beside the target and moved into place.
/// </summary>
public static class AudienceExport
{
    /// <summary>
    /// Exports the members who consented to the request's channel at the as-of instant (every member when the user skipped
    /// the check), and returns how many were written and who the check left out (docs/identity.md, "Consent").
    /// <paramref name="segments"/> is the compilation the segment belongs to.
    /// </summary>
    public static (long Rows, ConsentCheck Consent) Write(
        IWarehouse warehouse, SegmentCompilation segments, SegmentDefinition segment, EvaluationContext context, IReadOnlyList<TraitColumn> traits, AudienceFormat format, string path, ConsentRequest consent)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        ArgumentNullException.ThrowIfNull(segment);
        ArgumentNullException.ThrowIfNull(traits);
        ArgumentNullException.ThrowIfNull(consent);
        if (consent.Channel is not { } channel)
        {
            return (WriteQuery(warehouse, segment.Query(warehouse.Dialect, context).Export(traits), SegmentQuery.OutputColumns(traits), format, path),
                ConsentCheck.NotChecked(consent.SkippedBecause ?? "skipped"));
        }

        ArgumentNullException.ThrowIfNull(segments);
        var schema = segments.Schema ?? throw new ArgumentException("a compilation of segment files, which has its schema", nameof(segments));
        var name = ConsentFilter.Channel(schema, channel);
        var consenting = ConsentFilter.Condition(schema, segments, name, segment.Name);
        var members = ConsentFilter.Count(warehouse, segment, context);
        var rows = WriteQuery(warehouse, consenting.Query(warehouse.Dialect, context).Export(traits), SegmentQuery.OutputColumns(traits), format, path);
        return (rows, new ConsentCheck(true, null, [new ConsentLeftOut(segment.Name, name, members - rows)]));
    }

    /// <summary>
    /// Writes the rows of any per-customer query (ordered by the query) with <paramref name="columns"/>
    /// as the CSV header, and returns the number of rows written.
    /// </summary>
    public static long WriteQuery(IWarehouse warehouse, SqlStatement query, IReadOnlyList<string> columns, AudienceFormat format, string path)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(path);
        long rows = 0;
        Workspaces.AtomicFile.Replace(path, temporary =>
        {
            switch (format)
            {
                case AudienceFormat.Parquet:
                    rows = warehouse.ExportParquet(query, temporary);
                    break;
                case AudienceFormat.Csv:
                    using (var writer = new StreamWriter(temporary, false, new UTF8Encoding(false)))
                    {
                        writer.NewLine = "\n";
                        writer.WriteLine(string.Join(',', columns.Select(c => Csv(c, text: true))));
                        warehouse.Read(query, r =>
                        {
                            writer.WriteLine(string.Join(',', Enumerable.Range(0, r.FieldCount).Select(i => Csv(Text(r, i), r.GetFieldType(i) == typeof(string)))));
                            rows++;
                        });
                    }

                    break;
                default:
                    using (var stream = File.Create(temporary))
                    using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false }))
                    {
                        json.WriteStartArray();
                        warehouse.Read(query, r =>
                        {
                            json.WriteStartObject();
                            for (var i = 0; i < r.FieldCount; i++)
                            {
                                WriteJson(json, r.GetName(i), r, i);
                            }

                            json.WriteEndObject();
                            rows++;
                        });
                        json.WriteEndArray();
                    }

                    break;
            }
        });

        return rows;
    }

    private static string? Text(IDataRecord r, int i) => r.IsDBNull(i) ? null : Format(r.GetValue(i));

    /// <summary>A stored value as an exported file writes it: times ISO 8601 UTC, dates yyyy-MM-dd, numbers invariant.</summary>
    internal static string? Format(object? value) => value switch
    {
        null or DBNull => null,
        DateTime t => t.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        var v => v.ToString(),
    };

    /// <summary>
    /// A CSV field. Text that a spreadsheet would run as a formula (it starts with <c>=</c>, <c>+</c>, <c>-</c>,
    /// <c>@</c>, a tab or a carriage return: <c>=HYPERLINK(…)</c> in a name) is written with a leading <c>'</c>, as
    /// OWASP's CSV-injection guidance says, so opening an audience file runs nothing; numbers are written as they
    /// are, and JSON and Parquet exports keep every value unchanged.
    /// </summary>
    internal static string Csv(string? value, bool text)
    {
        if (value is null)
        {
            return "";
        }

        if (text && value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }

        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 || (text && value.StartsWith('\''))
            ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
            : value;
    }

    private static void WriteJson(Utf8JsonWriter json, string name, IDataRecord r, int i) => WriteJson(json, name, r.IsDBNull(i) ? null : r.GetValue(i));

    /// <summary>A stored value as a JSON property: booleans and numbers as JSON's own, anything else as <see cref="Format"/> writes it.</summary>
    internal static void WriteJson(Utf8JsonWriter json, string name, object? value)
    {
        switch (value)
        {
            case null:
                json.WriteNull(name);
                break;
            case bool b:
                json.WriteBoolean(name, b);
                break;
            case long l:
                json.WriteNumber(name, l);
                break;
            case int n:
                json.WriteNumber(name, n);
                break;
            case decimal d:
                json.WriteNumber(name, d);
                break;
            case double d:
                json.WriteNumber(name, d);
                break;
            default:
                json.WriteString(name, Format(value));
                break;
        }
    }
}
