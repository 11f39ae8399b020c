using System.Text;
using System.Text.Json;

namespace Segmenta.Ingestion;

/// <summary>
/// Reads JSON lines: one object per line. Nested objects are flattened to dotted names
/// (<c>properties.category</c>); arrays are kept as JSON text. The columns are the keys seen in the
/// first lines; a later key outside them is ignored, a line that is not an object is a record error.
/// </summary>
public sealed class JsonLinesRecordSource : IRecordSource
{
    private const int ColumnSampleLines = 1000;

    private readonly StreamReader reader;
    private readonly Dictionary<string, int> ordinals = new(StringComparer.Ordinal);
    private readonly List<string> columns = [];
    private readonly Queue<(long Line, string Text)> lookahead = new();
    private string?[] values = [];
    private string raw = "";
    private long line;

    private JsonLinesRecordSource(string name, Stream stream)
    {
        Name = name;
        Length = stream.CanSeek ? stream.Length : 0;
        reader = new StreamReader(stream, SourceEncoding.Utf8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);

        // Learn the columns from the first lines, keeping them to be read again.
        while (lookahead.Count < ColumnSampleLines && reader.ReadLine() is { } text)
        {
            line++;
            lookahead.Enqueue((line, text));
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            try
            {
                using var doc = JsonDocument.Parse(text);
                if (doc.RootElement.ValueKind == JsonValueKind.Object)
                {
                    Collect(doc.RootElement, "", (key, _) =>
                    {
                        if (ordinals.TryAdd(key, columns.Count))
                        {
                            columns.Add(key);
                        }
                    });
                }
            }
            catch (JsonException)
            {
                // Reported as a record error when the line is read.
            }
        }

        if (columns.Count == 0)
        {
            throw new IngestSetupException($"{name}: no JSON object found in the first {ColumnSampleLines} lines");
        }
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public IReadOnlyList<string> Columns => columns;

    /// <inheritdoc />
    public long Line { get; private set; }

    /// <inheritdoc />
    public string? RecordError { get; private set; }

    /// <inheritdoc />
    public long Position => reader.BaseStream.CanSeek ? reader.BaseStream.Position : 0;

    /// <inheritdoc />
    public long Length { get; }

    /// <summary>Opens a file; a missing file is an <see cref="IngestSetupException"/>.</summary>
    public static JsonLinesRecordSource Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new IngestSetupException($"{path}: no such file");
        }

        return new JsonLinesRecordSource(path, File.OpenRead(path));
    }

    /// <summary>Reads from a stream.</summary>
    public static JsonLinesRecordSource FromStream(string name, Stream stream) => new(name, stream);

    /// <inheritdoc />
    public bool Read()
    {
        while (true)
        {
            long number;
            string? text;
            if (lookahead.Count > 0)
            {
                (number, text) = lookahead.Dequeue();
            }
            else
            {
                text = reader.ReadLine();
                number = ++line;
            }

            if (text is null)
            {
                return false;
            }

            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            Line = number;
            raw = text;
            RecordError = null;
            if (values.Length != columns.Count)
            {
                values = new string?[columns.Count];
            }
            else
            {
                Array.Clear(values);
            }

            if (SourceEncoding.Problem(text) is { } notText)
            {
                RecordError = notText;
                return true;
            }

            try
            {
                using var doc = JsonDocument.Parse(text);
                if (doc.RootElement.ValueKind != JsonValueKind.Object)
                {
                    RecordError = $"expected a JSON object, found {doc.RootElement.ValueKind.ToString().ToLowerInvariant()}";
                    return true;
                }

                Collect(doc.RootElement, "", (key, value) =>
                {
                    if (ordinals.TryGetValue(key, out var i))
                    {
                        values[i] = value;
                    }
                });
            }
            catch (JsonException e)
            {
                RecordError = "invalid JSON: " + e.Message;
            }

            return true;
        }
    }

    /// <inheritdoc />
    public bool IsNull(int ordinal) => values[ordinal] is null;

    /// <inheritdoc />
    public ReadOnlySpan<char> Value(int ordinal) => values[ordinal];

    /// <inheritdoc />
    public string RawRecord() => SourceEncoding.Shown(raw);

    /// <inheritdoc />
    public void Dispose() => reader.Dispose();

    /// <summary>Visits every leaf of a JSON object with its dotted name: nested objects flattened, arrays and numbers as JSON text.</summary>
    internal static void Collect(JsonElement element, string prefix, Action<string, string?> visit)
    {
        try
        {
            CollectProperties(element, prefix, visit);
        }
        catch (InvalidOperationException e)
        {
            // A name or string whose escapes are not text (a lone surrogate such as \udc00): the record is bad, like invalid JSON.
            throw new JsonException("a name or value is not valid text: " + e.Message, e);
        }
    }

    private static void CollectProperties(JsonElement element, string prefix, Action<string, string?> visit)
    {
        foreach (var property in element.EnumerateObject())
        {
            var key = prefix.Length == 0 ? property.Name : prefix + "." + property.Name;
            var value = property.Value;
            switch (value.ValueKind)
            {
                case JsonValueKind.Object:
                    CollectProperties(value, key, visit);
                    break;
                case JsonValueKind.Null or JsonValueKind.Undefined:
                    visit(key, null);
                    break;
                case JsonValueKind.String:
                    visit(key, value.GetString());
                    break;
                case JsonValueKind.True:
                    visit(key, "true");
                    break;
                case JsonValueKind.False:
                    visit(key, "false");
                    break;
                default:
                    visit(key, value.GetRawText());
                    break;
            }
        }
    }
}
