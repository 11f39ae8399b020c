using System.Globalization;
using Segmenta.Configuration;
using Segmenta.Refresh;

namespace Segmenta.Workspaces;

/// <summary>The <c>server:</c> section of <c>segmenta.yaml</c>: how <c>segmenta serve</c> listens, limits and refreshes.</summary>
/// <param name="Listen">The address Kestrel listens on (loopback by default: put a TLS proxy in front to expose it).</param>
/// <param name="RefreshEvery">How often the host refreshes every analysis and segment; null: never on its own.</param>
/// <param name="RequestsPerSecond">Each key's sustained request rate.</param>
/// <param name="Burst">Requests a key may send at once above its rate.</param>
/// <param name="MaxRequestBytes">The largest request body accepted (413 above it).</param>
public sealed record ServerOptions(
    string Listen = ServerOptions.DefaultListen,
    RefreshInterval? RefreshEvery = null,
    double RequestsPerSecond = 200,
    int Burst = 400,
    long MaxRequestBytes = 4 << 20)
{
    /// <summary>The default address.</summary>
    public const string DefaultListen = "http://127.0.0.1:5380";

    /// <summary>The defaults: loopback, no scheduled refresh, 200 requests/s per key, 4 MiB bodies.</summary>
    public static ServerOptions Default { get; } = new();

    /// <summary>Reads the section; every mistake names its line and column.</summary>
    internal static ServerOptions Parse(YamlSection section)
    {
        section.RejectUnknownKeys("listen", "refresh_every", "rate_limit", "max_request_bytes");
        var options = Default;
        var listen = section.GetString("listen") ?? options.Listen;
        if (!Uri.TryCreate(listen, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw section.ErrorAt("listen", $"`listen` must be an address such as {DefaultListen}, not `{listen}`");
        }

        RefreshInterval? every = null;
        if (section.GetString("refresh_every") is { } text && text != "off")
        {
            if (RefreshInterval.TryParse(text, out var interval) is { } problem)
            {
                throw section.ErrorAt("refresh_every", problem + "; or `off`");
            }

            every = interval;
        }

        var rate = options.RequestsPerSecond;
        var burst = options.Burst;
        if (section.GetSection("rate_limit") is { } r)
        {
            r.RejectUnknownKeys("requests_per_second", "burst");
            rate = r.GetNumber("requests_per_second", 0.001) ?? rate;
            burst = (int)(r.GetNumber("burst", 1) ?? burst);
        }

        var bytes = (long)(section.GetNumber("max_request_bytes", 1024) ?? options.MaxRequestBytes);
        return new ServerOptions(listen, every, rate, burst, bytes);
    }

    /// <summary>The section as YAML lines, the same every time for the same options.</summary>
    internal IEnumerable<string> ToYaml()
    {
        var inv = CultureInfo.InvariantCulture;
        yield return "server:                      # segmenta serve (docs/server.md)";
        yield return $"  listen: {Listen}";
        yield return $"  refresh_every: {(RefreshEvery is { } e ? e.ToString() : "off")}          # the host refreshes on its own: off, or an interval such as 1 day";
        yield return "  rate_limit:                 # per API key";
        yield return string.Create(inv, $"    requests_per_second: {RequestsPerSecond:0.###}");
        yield return string.Create(inv, $"    burst: {Burst}");
        yield return string.Create(inv, $"  max_request_bytes: {MaxRequestBytes}");
    }
}
