using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Segmenta;

/// <summary>
/// How every result is written as JSON, by every host (the CLI's <c>--json</c>, the API, the report): snake_case names,
/// enums as snake_case text, text unescaped where JSON allows. One definition, so the hosts cannot disagree.
/// </summary>
public static class ResultJson
{
    /// <summary>Indented, as the CLI prints it.</summary>
    public static JsonSerializerOptions Indented { get; } = Configure(new JsonSerializerOptions { WriteIndented = true });

    /// <summary>On one line, as stored in the warehouse.</summary>
    public static JsonSerializerOptions Compact { get; } = Configure(new JsonSerializerOptions());

    /// <summary>Applies the result conventions to <paramref name="options"/> (a host's own instance) and returns it.</summary>
    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        return options;
    }
}
