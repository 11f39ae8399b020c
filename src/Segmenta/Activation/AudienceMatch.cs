using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Segmenta.Activation;

/// <summary>One column of an ad platform's customer-list file.</summary>
/// <param name="Key">The match key it carries (email, phone, first_name, last_name, country, zip).</param>
/// <param name="Header">The column's header as the platform names it.</param>
/// <param name="Hashed">Whether the platform wants the normalized value SHA-256-hashed (lower-case hex).</param>
public sealed record MatchColumn(string Key, string Header, bool Hashed);

/// <summary>
/// Contact data as the ad platforms match it (docs/activation.md, "Ad platforms"): each value normalized by the
/// platform's published rules, then SHA-256-hashed where the platform says so. A value that cannot be normalized (an
/// e-mail without one <c>@</c>, a phone number without a country code) is left empty rather than sent wrong.
/// </summary>
/// <remarks>
/// Google (Data Manager API, "Format user data", and the Customer Match guides): e-mail trimmed of all whitespace and
/// lower-cased; for gmail.com and googlemail.com every dot before the <c>@</c> and a <c>+</c> suffix are removed;
/// phone in E.164 with its <c>+</c>; first and last names trimmed and lower-cased; all four hashed; country (ISO 3166-1
/// alpha-2) and postal code sent as they are. Meta (Marketing API, "Customer list custom audiences", hashing and
/// normalization, and its Business SDK): every key hashed; e-mail trimmed (of whitespace and dots at the ends) and lower-cased; phone digits only with the country code, no
/// <c>+</c> and no leading zeros; names lower-cased without punctuation; postal code lower-cased without spaces (a US
/// code to its first five digits); country as its lower-case two-letter code.
/// </remarks>
public static class AudienceMatch
{
    /// <summary>The columns of a platform's file, in the platform's order.</summary>
    public static IReadOnlyList<MatchColumn> Columns(DestinationType platform) => platform switch
    {
        DestinationType.GoogleCustomerMatch =>
        [
            new("email", "Email", true), new("phone", "Phone", true), new("first_name", "First Name", true),
            new("last_name", "Last Name", true), new("country", "Country", false), new("zip", "Zip", false),
        ],
        DestinationType.MetaCustomAudience =>
        [
            new("email", "email", true), new("phone", "phone", true), new("first_name", "fn", true),
            new("last_name", "ln", true), new("country", "country", true), new("zip", "zip", true),
        ],
        _ => throw new ArgumentOutOfRangeException(nameof(platform), platform, "not an ad platform"),
    };

    /// <summary>A value of a match key as <paramref name="platform"/> wants it before hashing; null when it cannot be used.</summary>
    public static string? Normalize(DestinationType platform, string key, string? value, string? countryCallingCode = null, string? country = null)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var google = platform == DestinationType.GoogleCustomerMatch;
        return key switch
        {
            "email" => Email(value, google),
            "phone" => Phone(value, countryCallingCode) is { } digits ? (google ? "+" + digits : digits) : null,
            "first_name" or "last_name" => google ? Name(value, keepPunctuation: true) : Name(value, keepPunctuation: false),
            "country" => Country(value) is { } code ? (google ? code : code.ToLowerInvariant()) : null,
            "zip" => google ? value.Trim() : MetaZip(value, country),
            _ => throw new ArgumentOutOfRangeException(nameof(key), key, "not a match key"),
        };
    }

    /// <summary>The SHA-256 of the UTF-8 text as lower-case hex, as both platforms take it.</summary>
    public static string Sha256(string normalized)
    {
        ArgumentNullException.ThrowIfNull(normalized);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(normalized)));
    }

    /// <summary>The cell of a column: the normalized value, hashed when the platform says so; null when unusable.</summary>
    public static string? Cell(DestinationType platform, MatchColumn column, string? value, string? countryCallingCode, string? country)
    {
        ArgumentNullException.ThrowIfNull(column);
        return Normalize(platform, column.Key, value, countryCallingCode, country) is { } normalized
            ? column.Hashed ? Sha256(normalized) : normalized
            : null;
    }

    private static string? Email(string value, bool google)
    {
        // Google removes every whitespace; Meta trims the ends, dots included, as its own Business SDK does.
        var email = google ? string.Concat(value.Where(c => !char.IsWhiteSpace(c))).ToLowerInvariant() : value.Trim().Trim('.').Trim().ToLowerInvariant();
        var at = email.IndexOf('@', StringComparison.Ordinal);
        if (at <= 0 || at != email.LastIndexOf('@') || at == email.Length - 1)
        {
            return null;
        }

        var local = email[..at];
        var domain = email[(at + 1)..];
        if (google && domain is "gmail.com" or "googlemail.com")
        {
            var plus = local.IndexOf('+', StringComparison.Ordinal);
            local = (plus >= 0 ? local[..plus] : local).Replace(".", "", StringComparison.Ordinal);
            if (local.Length == 0)
            {
                return null;
            }
        }

        return local + "@" + domain;
    }

    /// <summary>
    /// The phone number's E.164 digits (country code first, no <c>+</c>): a number written with <c>+</c> or the
    /// international prefix <c>00</c> keeps its own country code; any other gets <paramref name="countryCallingCode"/>
    /// after its national trunk <c>0</c> is dropped; without one it cannot be used. E.164 allows 8 to 15 digits here.
    /// </summary>
    public static string? Phone(string value, string? countryCallingCode)
    {
        ArgumentNullException.ThrowIfNull(value);
        var text = value.Trim();
        if (text.Any(char.IsLetter))
        {
            return null;
        }

        var international = text.StartsWith('+');
        var digits = string.Concat(text.Where(char.IsAsciiDigit));
        if (!international && digits.StartsWith("00", StringComparison.Ordinal))
        {
            international = true;
            digits = digits[2..];
        }

        if (!international)
        {
            if (countryCallingCode is null)
            {
                return null;
            }

            digits = countryCallingCode + (digits.StartsWith('0') ? digits[1..] : digits);
        }

        return digits.Length is >= 8 and <= 15 && digits[0] != '0' ? digits : null;
    }

    private static string? Name(string value, bool keepPunctuation)
    {
        var name = value.Trim().ToLowerInvariant();
        if (!keepPunctuation)
        {
            name = string.Concat(name.Where(c => !char.IsPunctuation(c) && !char.IsSymbol(c))).Trim();
        }

        return name.Length == 0 ? null : name.Normalize(NormalizationForm.FormC);
    }

    /// <summary>The two-letter ISO 3166-1 code of a country written as its code or its English name; null when unknown.</summary>
    public static string? Country(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var text = value.Trim();
        if (text.Length == 2 && text.All(char.IsAsciiLetter))
        {
            return text.ToUpperInvariant();
        }

        return CountryNames.Value.TryGetValue(text, out var code) ? code : null;
    }

    private static readonly Lazy<Dictionary<string, string>> CountryNames = new(() =>
    {
        var names = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["USA"] = "US", ["United States of America"] = "US", ["UK"] = "GB", ["Great Britain"] = "GB", ["England"] = "GB",
        };
        try
        {
            foreach (var culture in CultureInfo.GetCultures(CultureTypes.SpecificCultures))
            {
                var region = new RegionInfo(culture.Name);
                if (region.TwoLetterISORegionName.Length == 2)
                {
                    names.TryAdd(region.EnglishName, region.TwoLetterISORegionName);
                    names.TryAdd(region.ThreeLetterISORegionName, region.TwoLetterISORegionName);
                }
            }
        }
        catch (ArgumentException)
        {
            // Invariant globalization has no regions: only codes and the names above are known.
        }

        return names;
    });

    private static string? MetaZip(string value, string? country)
    {
        var zip = string.Concat(value.Where(c => !char.IsWhiteSpace(c))).ToLowerInvariant();
        if (country is { } c && Country(c) == "US")
        {
            var digits = zip.Split('-')[0];
            zip = digits.Length >= 5 && digits[..5].All(char.IsAsciiDigit) ? digits[..5] : zip;
        }

        return zip.Length == 0 ? null : zip;
    }
}
