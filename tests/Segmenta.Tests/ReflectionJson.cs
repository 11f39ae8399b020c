using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Xunit;

namespace Segmenta.Tests;

/// <summary>
/// The stored models' JSON as reflection wrote it before their contracts were generated at build time (these were their
/// options): models stored then must still be read, and new ones written the same way.
/// </summary>
internal static class ReflectionJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
    };

    /// <summary>
    /// Asserts that <paramref name="toJson"/> writes the text reflection writes for <paramref name="model"/>, and that each
    /// reads the other's; returns that text.
    /// </summary>
    public static string AssertSameContract<T>(T model, Func<T, string> toJson, Func<string, T> fromJson)
    {
        var generated = toJson(model);
        var reflected = JsonSerializer.Serialize(model, Options);
        Assert.Equal(reflected, generated);
        Assert.Equal(generated, toJson(fromJson(reflected)));
        Assert.Equal(generated, JsonSerializer.Serialize(JsonSerializer.Deserialize<T>(generated, Options), Options));
        return generated;
    }
}
