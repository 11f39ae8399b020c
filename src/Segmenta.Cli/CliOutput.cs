using System.Text.Json;
using Segmenta.Documents;
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

    /// <summary>
    /// Reports a failure and returns its exit code: one <c>error:</c> line on stderr, and with <c>--json</c> also one
    /// <see cref="ErrorDocument"/> on stdout, so that a script reads every outcome the same way. A null kind is an interruption.
    /// </summary>
    public static int Fail(bool json, FailureKind? kind, string message)
    {
        var code = kind is { } k ? ExitCodes.For(k) : ExitCodes.Interrupted;
        Error(message);
        if (json)
        {
            WriteJson(new ErrorDocument(new ErrorDetail(kind is { } known ? JsonNamingPolicy.SnakeCaseLower.ConvertName(known.ToString()) : "interrupted", message, code)));
        }

        return code;
    }

    public static void Warning(string message) => Console.Error.WriteLine("warning: " + message);
}
