using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Segmenta.Activation;

/// <summary>
/// The signature of a webhook delivery (docs/activation.md, "Verifying a delivery"): the header
/// <c>Segmenta-Signature: t=UNIX_SECONDS,v1=HEX</c> where HEX is the lower-case hex HMAC-SHA256, keyed with the shared
/// secret, of <c>UNIX_SECONDS + "." + body</c> (the body's exact bytes). A receiver recomputes it, compares in constant
/// time, and refuses a timestamp outside its replay window (default 5 minutes) so a captured request cannot be sent
/// again later. Every try is signed afresh; the batch's <c>Idempotency-Key</c> stays the same.
/// </summary>
public static class WebhookSignature
{
    /// <summary>The header's name.</summary>
    public const string Header = "Segmenta-Signature";

    /// <summary>The replay window a receiver should allow by default.</summary>
    public static TimeSpan DefaultWindow { get; } = TimeSpan.FromMinutes(5);

    /// <summary>The header's value for a body sent at <paramref name="at"/>.</summary>
    public static string Sign(byte[] secret, byte[] body, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(secret);
        ArgumentNullException.ThrowIfNull(body);
        var seconds = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return $"t={seconds},v1={Mac(secret, seconds, body)}";
    }

    /// <summary>
    /// Whether a header signs <paramref name="body"/> with <paramref name="secret"/> at a time within
    /// <paramref name="window"/> of <paramref name="now"/>; <paramref name="problem"/> says why not.
    /// </summary>
    public static bool Verify(byte[] secret, byte[] body, string? header, DateTimeOffset now, TimeSpan window, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(secret);
        ArgumentNullException.ThrowIfNull(body);
        string? seconds = null;
        var signatures = new List<string>();
        foreach (var part in (header ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                continue;
            }

            switch (part[..eq])
            {
                case "t":
                    seconds = part[(eq + 1)..];
                    break;
                case "v1":
                    signatures.Add(part[(eq + 1)..]);
                    break;
            }
        }

        if (seconds is null || !long.TryParse(seconds, NumberStyles.None, CultureInfo.InvariantCulture, out var unix) || signatures.Count == 0)
        {
            problem = $"no `{Header}: t=…,v1=…` header";
            return false;
        }

        if (Math.Abs((now - DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(unix, 0, 253402300799))).TotalSeconds) > window.TotalSeconds)
        {
            problem = "the timestamp is outside the replay window";
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Mac(secret, seconds, body));
        if (!signatures.Any(s => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(s), expected)))
        {
            problem = "the signature does not match the body";
            return false;
        }

        problem = null;
        return true;
    }

    private static string Mac(byte[] secret, string seconds, byte[] body)
    {
        var prefix = Encoding.ASCII.GetBytes(seconds + ".");
        var message = new byte[prefix.Length + body.Length];
        prefix.CopyTo(message, 0);
        body.CopyTo(message, prefix.Length);
        return Convert.ToHexStringLower(HMACSHA256.HashData(secret, message));
    }
}
