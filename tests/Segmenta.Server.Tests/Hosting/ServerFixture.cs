using Xunit;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Segmenta.Access;
using Segmenta.DuckDb;
using Segmenta.Generation;
using Segmenta.Ingestion;
using Segmenta.Model;
using Segmenta.Testing;
using Segmenta.Workspaces;

namespace Segmenta.Server.Tests;

/// <summary>
/// A real host on a free loopback port over a DuckDB workspace with a generated base (2,000 customers,
/// 40,000 events, as of 2025-01-01) and three keys: admin, read and ingest.
/// </summary>
public sealed class ServerFixture : IAsyncLifetime
{
    public static readonly DateTime AsOf = new(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private readonly TempDir dir = TestPaths.NewTempDir();
    private WebApplication? app;

    public Workspace Workspace { get; private set; } = null!;

    public GeneratedBase Base { get; private set; } = null!;

    public Uri Address { get; private set; } = null!;

    public string Admin { get; private set; } = "";

    public string Reader { get; private set; } = "";

    public string Ingest { get; private set; } = "";

    public ApiKeyStore Keys => ApiKeyStore.For(Workspace);

    /// <summary>The <c>server:</c> settings written into segmenta.yaml.</summary>
    internal ServerOptions Settings { get; init; } = ServerOptions.Default;

    internal bool WithData { get; init; } = true;

    public async Task InitializeAsync()
    {
        var root = Path.Combine(dir.Path, "ws");
        Workspace.Init(root, new WorkspaceSettings { Name = "api-tests", AsOf = AsOf, Server = Settings });

        Workspace = Workspace.Open(root);
        var warehouse = DuckDbWarehouse.Open(Workspace.WarehousePath);
        if (WithData)
        {
            Base = CustomerBaseGenerator.Write(new GeneratorOptions(2000, 40_000, 11, AsOf), Path.Combine(dir.Path, "data"));
            var ingestor = new Ingestor(warehouse, Workspace.Settings, TimeProvider.System);
            ingestor.Run(new IngestRequest(TableKind.Customers, Base.CustomersFile));
            ingestor.Run(new IngestRequest(TableKind.Events, Base.EventsFile));
            File.WriteAllText(Path.Combine(root, "segments", "core.seg"), """
                segment buyers "Repeat buyers"
                where count(purchase, last 365 days) >= 2

                segment older_buyers "Older repeat buyers"
                where in segment buyers and age >= 50

                trait purchases_365 "Purchases in a year" = count(purchase, last 365 days)
                """);
        }

        Admin = Keys.Create("admin", [ApiScopes.Admin], TimeProvider.System).Token;
        Reader = Keys.Create("reader", [ApiScopes.Read], TimeProvider.System).Token;
        Ingest = Keys.Create("tracker", [ApiScopes.Ingest], TimeProvider.System).Token;
        app = SegmentaHost.Build(new ServerStart(Workspace, warehouse, "http://127.0.0.1:0"));
        await app.StartAsync();
        Address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    /// <summary>The host's warehouse connections.</summary>
    internal Hosting.WarehouseAccess Access => app!.Services.GetRequiredService<Hosting.WarehouseAccess>();

    /// <summary>Every endpoint the host maps: method and route pattern.</summary>
    public IReadOnlyList<(string Method, string Route)> Routes => [.. app!.Services.GetRequiredService<Microsoft.AspNetCore.Routing.EndpointDataSource>().Endpoints
        .OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>()
        .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => (m, "/" + e.RoutePattern.RawText!.TrimStart('/'))))
        .Distinct()
        .OrderBy(r => r.Item2, StringComparer.Ordinal).ThenBy(r => r.m, StringComparer.Ordinal)];

    public HttpClient Client(string? token)
    {
        var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromMinutes(2) };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    public async Task DisposeAsync()
    {
        if (app is not null)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        dir.Dispose();
    }
}

/// <summary>A host with tight limits: one request a second with bursts of two, 2 KiB bodies.</summary>
public sealed class LimitedServerFixture() : IAsyncLifetime
{
    private readonly ServerFixture inner = new()
    {
        WithData = false,
        Settings = new ServerOptions(RequestsPerSecond: 1, Burst: 2, MaxRequestBytes: 2048),
    };

    public ServerFixture Server => inner;

    public Task InitializeAsync() => inner.InitializeAsync();

    public Task DisposeAsync() => inner.DisposeAsync();
}
