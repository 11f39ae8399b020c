using System.Text.Json;
using System.Text.Json.Serialization;
using Segmenta.Features;

namespace Segmenta.Clv;

/// <summary>How to turn predicted purchases into a value.</summary>
/// <param name="HorizonDays">How far ahead, in days (12 months = 365.2425).</param>
/// <param name="AnnualDiscount">Annual discount rate applied to each month's expected cash flow: a flow at t days is divided by (1 + rate)^(t / 365.2425).</param>
/// <param name="Margin">The share of revenue that is profit (1 values revenue).</param>
public sealed record ClvValueOptions(double HorizonDays = ClvValueOptions.DaysPerYear, double AnnualDiscount = 0.1, double Margin = 1)
{
    /// <summary>Days in a Gregorian year.</summary>
    public const double DaysPerYear = 365.2425;

    /// <summary>Days in a month: a twelfth of a Gregorian year.</summary>
    public const double DaysPerMonth = DaysPerYear / 12;

    /// <summary>
    /// Reads a horizon as users write it — <c>12 months</c>, <c>52 weeks</c>, <c>365 days</c>, <c>2 years</c>
    /// (or <c>12m</c>, <c>52w</c>, <c>365d</c>, <c>2y</c>) — into days; a month is a twelfth of a year.
    /// Returns what is wrong, or null.
    /// </summary>
    public static string? TryParseHorizon(string text, out double days)
    {
        ArgumentNullException.ThrowIfNull(text);
        days = 0;
        var trimmed = text.Trim().ToLowerInvariant();
        var split = 0;
        while (split < trimmed.Length && (char.IsDigit(trimmed[split]) || trimmed[split] == '.'))
        {
            split++;
        }

        if (!double.TryParse(trimmed[..split], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var amount) || !(amount > 0))
        {
            return $"`{text}` is not a horizon; expected a positive number and a unit, such as 12 months, 52 weeks or 365 days";
        }

        var perUnit = trimmed[split..].Trim() switch
        {
            "d" or "day" or "days" => 1.0,
            "w" or "week" or "weeks" => 7.0,
            "m" or "month" or "months" => DaysPerMonth,
            "y" or "year" or "years" => DaysPerYear,
            var unit => double.NaN,
        };
        if (double.IsNaN(perUnit))
        {
            return $"`{text}`: unknown unit; expected days, weeks, months or years";
        }

        days = amount * perUnit;
        return null;
    }

    /// <summary>What is wrong with the options, or null.</summary>
    public string? Problem() =>
        !(HorizonDays > 0) || !double.IsFinite(HorizonDays) ? "the horizon must be a positive length of time"
        : !(AnnualDiscount >= 0) || !double.IsFinite(AnnualDiscount) ? "the discount rate must be 0 or more (0.1 is 10% a year)"
        : !(Margin > 0) || Margin > 1 ? "the margin must be in (0, 1] (1 values revenue)"
        : null;
}

/// <summary>A stored CLV fit: the purchase model and the spend model fitted to one calibration period.</summary>
/// <param name="Version">Its number in <c>clv_models</c> (0 until stored); the newest is active.</param>
/// <param name="Model">The purchase model.</param>
/// <param name="Unit">The time unit of the fit's t_x, T and parameters (α, β are per unit).</param>
/// <param name="CalibrationEnd">The last day of the calibration period.</param>
/// <param name="Purchases">The purchase model's fit.</param>
/// <param name="Spend">The Gamma-Gamma fit; null when it failed (then there is no value, only purchases and P(alive)).</param>
/// <param name="SpendProblem">Why there is no spend fit.</param>
/// <param name="Diagnostics">The checks made at fit time (null for models stored before they existed, and for fits made only to be checked).</param>
public sealed record ClvModel(
    int Version,
    PurchaseModelKind Model,
    SummaryUnit Unit,
    DateOnly CalibrationEnd,
    ModelFit Purchases,
    ModelFit? Spend,
    string? SpendProblem,
    ClvDiagnostics? Diagnostics = null)
{
    /// <summary>The model as JSON text, as stored (doubles round-trip exactly).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, ClvModelJson.Default.ClvModel);

    /// <summary>Reads a model written by <see cref="ToJson"/>.</summary>
    public static ClvModel FromJson(string json) =>
        JsonSerializer.Deserialize(json, ClvModelJson.Default.ClvModel) ?? throw new JsonException("a CLV model was expected");

    /// <summary>All warnings of both fits and of the diagnostics.</summary>
    public IReadOnlyList<string> Warnings => [.. Purchases.Warnings, .. Spend?.Warnings ?? [], .. SpendProblem is null ? [] : new[] { SpendProblem }, .. Diagnostics?.Warnings ?? []];

    /// <summary>
    /// <see cref="Warnings"/> of the model <paramref name="json"/> holds (as <see cref="ToJson"/> writes it), read from the
    /// document without deserializing the model (a test holds the two to the same list).
    /// </summary>
    public static IReadOnlyList<string> WarningsOf(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        IEnumerable<string> Of(string member) =>
            root.TryGetProperty(member, out var part) && part.ValueKind == JsonValueKind.Object
                && part.TryGetProperty("warnings", out var list) && list.ValueKind == JsonValueKind.Array
                ? list.EnumerateArray().Select(w => w.GetString() ?? "")
                : [];
        var problem = root.TryGetProperty("spend_problem", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
        return [.. Of("purchases"), .. Of("spend"), .. problem is null ? [] : new[] { problem }, .. Of("diagnostics")];
    }
}

/// <summary>
/// The stored model's JSON contract, generated at build time: snake_case names, enums as snake_case strings, NaN and the
/// infinities as named literals. Reflection built the same contract on first use, 55–75 ms of every command that reads a
/// model (a segment preview among them); a test holds the two to the same text.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    Converters = [typeof(SnakeCaseEnum<PurchaseModelKind>), typeof(SnakeCaseEnum<SummaryUnit>)])]
[JsonSerializable(typeof(ClvModel))]
internal sealed partial class ClvModelJson : JsonSerializerContext;
