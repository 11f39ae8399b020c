using System.Text.Json;
using Spectre.Console;

namespace Segmenta.Cli;

/// <summary>Writes results as tables for people or as JSON (snake_case, stable field names) for scripts.</summary>
internal static class CliOutput
{
    public static JsonSerializerOptions Json => ResultJson.Indented;

    public static void WriteJson<T>(T value) => Console.Out.WriteLine(JsonSerializer.Serialize(value, Json));

    /// <summary>True when progress bars and colors make sense: a terminal, and not JSON output.</summary>
    public static bool Interactive(bool json) => !json && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    public static void Error(string message) => Console.Error.WriteLine("error: " + message);

    public static void Warning(string message) => Console.Error.WriteLine("warning: " + message);
}
