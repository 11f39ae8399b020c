using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Segmenta.Access;

namespace Segmenta.Server.Hosting;

/// <summary>
/// Authenticates a request by its API key: <c>Authorization: Bearer KEY</c>, or HTTP basic auth with
/// the key as the user name and an empty password (how Segment's libraries send a write key). The
/// key's scopes become claims that the endpoint policies check.
/// </summary>
internal sealed class ApiKeyAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiKeyStore keys, SessionKey session)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string ScopeClaim = "scope";
    public const string KeyClaim = "key";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (header.Length == 0)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var token = TokenOf(header);
        var key = session.Verify(token) ?? keys.Verify(token);
        if (key is null)
        {
            return Task.FromResult(AuthenticateResult.Fail("unknown or revoked API key"));
        }

        var claims = new List<Claim> { new(KeyClaim, key.Id), new(ClaimTypes.Name, key.Name) };
        claims.AddRange(key.Scopes.Select(s => new Claim(ScopeClaim, s)));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer, Basic realm=\"segmenta\"";
        return Problems.Write(Context, StatusCodesFor.Unauthorized, "An API key is required",
            "send `Authorization: Bearer KEY` (or HTTP basic auth with the key as user name); create keys with `segmenta keys create`");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Problems.Write(Context, StatusCodesFor.Forbidden, "The API key lacks the scope this needs",
            $"this endpoint needs a key with the `{Context.GetEndpoint()?.Metadata.GetMetadata<ScopeMetadata>()?.Scope ?? "?"}` scope");

    private static string? TokenOf(string header)
    {
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return header[7..].Trim();
        }

        if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
                var colon = decoded.IndexOf(':', StringComparison.Ordinal);
                return colon < 0 ? decoded : decoded[..colon];
            }
            catch (FormatException)
            {
                return null;
            }
        }

        return null;
    }
}

/// <summary>The in-process read key of <see cref="ServerStart.SessionToken"/> (none when null).</summary>
internal sealed class SessionKey(string? token)
{
    private readonly byte[]? expected = token is null ? null : Encoding.UTF8.GetBytes(token);
    private readonly ApiKey key = new("session", "session", [ApiScopes.Read], DateTime.UnixEpoch, null, "");

    public ApiKey? Verify(string? presented) =>
        expected is not null && presented is not null && System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), expected) ? key : null;
}

/// <summary>The scope an endpoint needs, for the 403 message.</summary>
internal sealed record ScopeMetadata(string Scope);

/// <summary>Status codes by name.</summary>
internal static class StatusCodesFor
{
    public const int Unauthorized = 401;
    public const int Forbidden = 403;
}
