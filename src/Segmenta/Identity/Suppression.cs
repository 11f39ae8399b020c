using System.Security.Cryptography;
using System.Text;
using Segmenta.Warehouse;

namespace Segmenta.Identity;

/// <summary>
/// Identifiers of erased customers, kept only as hashes (SHA-256 of <c>kind:value</c>), so the suppression list holds no
/// personal data yet a later row with one of them is recognized and dropped (docs/identity.md, "Erasure").
/// </summary>
public static class Suppression
{
    /// <summary>A user id.</summary>
    public const string UserId = "user_id";

    /// <summary>An anonymous id.</summary>
    public const string AnonymousId = "anonymous_id";

    /// <summary>An e-mail address (compared trimmed and in lower case).</summary>
    public const string Email = "email";

    /// <summary>The stored hash of an identifier.</summary>
    public static string Hash(string kind, string value)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(value);
        var normalized = kind == Email ? value.Trim().ToLowerInvariant() : value;
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(kind + ":" + normalized)));
    }

    /// <summary>Every suppressed hash.</summary>
    public static IReadOnlySet<string> Read(ISqlReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var hashes = new HashSet<string>(StringComparer.Ordinal);
        reader.Read(IdentitySql.SuppressedHashes(reader.Dialect), r => hashes.Add(r.GetString(0)));
        return hashes;
    }
}
