using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Segmenta.Access;

namespace Segmenta.Server.Hosting;

/// <summary>Endpoints declare the scope they need; one authorization policy per scope checks the key's claims.</summary>
internal static class Scopes
{
    public static TBuilder RequireScope<TBuilder>(this TBuilder builder, string scope)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.RequireAuthorization(PolicyName(scope));
        builder.WithMetadata(new ScopeMetadata(scope));
        return builder;
    }

    public static string PolicyName(string scope) => "scope:" + scope;

    public static bool Allows(System.Security.Claims.ClaimsPrincipal user, string scope) =>
        ApiScopes.Allows(user.FindAll(ApiKeyAuthentication.ScopeClaim).Select(c => c.Value).ToList(), scope);
}
