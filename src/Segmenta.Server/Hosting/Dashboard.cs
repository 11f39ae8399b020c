using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;

namespace Segmenta.Server.Hosting;

/// <summary>
/// The dashboard: one page, one script and one stylesheet, bundled at build time from
/// <c>Dashboard/</c> and embedded in this assembly. Served by the host (anonymous: the page asks for
/// an API key and sends it to the API), and inlined whole into <c>segmenta report</c>.
/// </summary>
internal static class Dashboard
{
    private static readonly Lazy<(string Script, string Style, string Version)> Assets = new(() =>
    {
        var script = Read("dashboard/app.js");
        var style = Read("dashboard/app.css");
        var version = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(script + "\n" + style)))[..16];
        return (script, style, version);
    });

    /// <summary>The bundled script.</summary>
    public static string Script => Assets.Value.Script;

    /// <summary>The bundled stylesheet.</summary>
    public static string Style => Assets.Value.Style;

    public static void MapDashboard(this IEndpointRouteBuilder app)
    {
        var version = Assets.Value.Version;
        var page = Page($"<link rel=\"stylesheet\" href=\"/assets/app.css?v={version}\">", $"<script src=\"/assets/app.js?v={version}\" defer></script>");
        app.MapGet("/", (HttpContext context) =>
        {
            Secure(context.Response);
            context.Response.Headers.CacheControl = "no-cache";
            return TypedResults.Content(page, "text/html; charset=utf-8");
        }).AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/assets/app.js", (HttpContext context) => Asset(context, Script, "text/javascript; charset=utf-8")).AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/assets/app.css", (HttpContext context) => Asset(context, Style, "text/css; charset=utf-8")).AllowAnonymous().ExcludeFromDescription();
    }

    /// <summary>The whole dashboard as one file, reading the API's answers saved in <paramref name="reportJson"/> instead of the API.</summary>
    public static string Report(string reportJson, string title)
    {
        ArgumentNullException.ThrowIfNull(reportJson);

        // Inside <script>, "</script" ends the element early and "<!--" changes how the rest is parsed. In
        // JSON "<\/" and "\u003C!--" mean the same text; the bundle is checked to contain neither (a
        // regular expression or string of the minified code cannot be rewritten blindly).
        var data = reportJson.Replace("</", "<\\/", StringComparison.Ordinal).Replace("<!--", "\\u003C!--", StringComparison.Ordinal);
        if (Script.Contains("</script", StringComparison.OrdinalIgnoreCase) || Script.Contains("<!--", StringComparison.Ordinal) || Style.Contains("</style", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException("the dashboard bundle contains text that would end its inline element; it cannot be inlined");
        }

        return Page(
            $"<style>{Style}</style>",
            $"<script id=\"segmenta-report\" type=\"application/json\">{data}</script>\n<script>{Script}</script>",
            title);
    }

    private static string Page(string head, string scripts, string title = "Segmenta") => $"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <link rel="icon" href="data:,">
        <title>{System.Net.WebUtility.HtmlEncode(title)}</title>
        {head}
        </head>
        <body>
        <noscript>The Segmenta dashboard needs JavaScript.</noscript>
        {scripts}
        </body>
        </html>

        """;

    private static IResult Asset(HttpContext context, string text, string type)
    {
        var etag = new EntityTagHeaderValue($"\"{Assets.Value.Version}\"");
        Secure(context.Response);
        context.Response.Headers.CacheControl = "public, max-age=31536000, immutable";
        context.Response.Headers.ETag = etag.ToString();
        if (context.Request.Headers.IfNoneMatch.ToString() == etag.ToString())
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        return TypedResults.Text(text, type);
    }

    /// <summary>The page may load only its own script, style and API; inline styles are the heat maps' cell colours.</summary>
    private static void Secure(HttpResponse response)
    {
        response.Headers.ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
    }

    private static string Read(string name)
    {
        using var stream = typeof(Dashboard).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"the dashboard asset {name} is not embedded; the build bundles it (Dashboard/, npm and node)");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
