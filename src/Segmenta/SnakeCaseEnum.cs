using System.Text.Json;
using System.Text.Json.Serialization;

namespace Segmenta;

/// <summary>
/// An enum as snake_case text (<c>mbg_nbd</c>, <c>z_score</c>), for the stored models' build-time JSON contracts
/// (<c>JsonSourceGenerationOptions.Converters</c> names one per enum type; reflection's options used one converter for all).
/// </summary>
/// <typeparam name="T">The enum.</typeparam>
internal sealed class SnakeCaseEnum<T>() : JsonStringEnumConverter<T>(JsonNamingPolicy.SnakeCaseLower)
    where T : struct, Enum;
