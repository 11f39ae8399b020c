using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Segmenta.Documents;
using Segmenta.Access;
using Segmenta.Collection;
using Segmenta.Server.Collection;
using Segmenta.Server.Endpoints;
using Segmenta.Server.Hosting;
using Segmenta.Warehouse;
using Segmenta.Workspaces;

namespace Segmenta.Server;

/// <summary>How to start the host.</summary>
/// <param name="Workspace">The workspace it serves.</param>
/// <param name="Warehouse">Its warehouse, opened by the caller (the adapters live outside this project); the host disposes it unless <paramref name="OwnsWarehouse"/> is false.</param>
/// <param name="Listen">The address to listen on; null: <c>server.listen</c> of segmenta.yaml.</param>
/// <param name="Time">The clock (tests pass their own).</param>
/// <param name="LogLevel">The least severe log messages written to the console.</param>
/// <param name="SessionToken">A key with the read scope that exists only in this process (<c>segmenta report</c> reads the API with it); never stored.</param>
/// <param name="Scheduled">Run the scheduled refreshes of <c>server.refresh_every</c> and the webhook delivery loop (the report's read-only host does not).</param>
/// <param name="OwnsWarehouse">Whether stopping the host closes the warehouse (a report borrows the caller's).</param>
/// <param name="Parquet">How Parquet files are written (file destinations in Parquet), where the host composes it.</param>
public sealed record ServerStart(Workspace Workspace, IWarehouse Warehouse, string? Listen = null, TimeProvider? Time = null, LogLevel LogLevel = LogLevel.Warning, string? SessionToken = null, bool Scheduled = true, bool OwnsWarehouse = true, Files.IParquetFiles? Parquet = null);

/// <summary>
/// <c>segmenta serve</c>: one ASP.NET Core host on the workspace with the REST API (OpenAPI document
/// at <c>/openapi/v1.json</c>), the Segment-compatible collection endpoints, and scheduled refreshes.
/// Every endpoint but <c>/health</c> needs an API key; each key, and each address without one, is rate limited.
/// </summary>
public static class SegmentaHost
{
    /// <summary>Builds the host; <see cref="WebApplication.RunAsync(string?)"/> or <c>StartAsync</c> serves it.</summary>
    public static WebApplication Build(ServerStart start)
    {
        ArgumentNullException.ThrowIfNull(start);
        var workspace = start.Workspace;
        var options = workspace.Settings.Server;
        var mappings = TrackingMappings.For(workspace);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = workspace.Root, EnvironmentName = Environments.Production });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(start.LogLevel)
            .AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error);  // keys are API keys, not cookies: nothing is protected with it
        builder.WebHost.UseUrls(start.Listen ?? options.Listen);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = options.MaxRequestBytes;
        });

        var services = builder.Services;
        services.AddSingleton(start.Time ?? TimeProvider.System);
        services.AddSingleton(sp => new WarehouseAccess(workspace, start.Warehouse, sp.GetRequiredService<TimeProvider>(), start.OwnsWarehouse));
        services.AddSingleton(ApiKeyStore.For(workspace));
        services.AddSingleton(new SessionKey(start.SessionToken));
        services.AddSingleton(mappings);
        services.AddSingleton<EventCollector>();
        services.AddHostedService(sp => sp.GetRequiredService<EventCollector>());
        services.AddSingleton<RefreshScheduler>();
        services.AddSingleton(sp => new DestinationDispatcher(sp.GetRequiredService<WarehouseAccess>(), sp.GetRequiredService<ILogger<DestinationDispatcher>>(), start.Parquet));
        if (start.Scheduled)
        {
            services.AddHostedService(sp => sp.GetRequiredService<RefreshScheduler>());
            services.AddHostedService(sp => sp.GetRequiredService<DestinationDispatcher>());
        }

        services.ConfigureHttpJsonOptions(o => ResultJson.Configure(o.SerializerOptions));   // the same JSON as the CLI's --json
        services.AddProblemDetails();
        services.AddExceptionHandler<Problems>();
        services.AddOpenApi(o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Segmenta API";
            document.Info.Description = "Segments, analyses, campaigns, history and event collection (Segment Tracking API) for one workspace. Send an API key as `Authorization: Bearer KEY`.";
            return Task.CompletedTask;
        }));
        services.AddAuthentication(ApiKeyAuthentication.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthentication>(ApiKeyAuthentication.SchemeName, null);
        services.AddAuthorization(o =>
        {
            foreach (var scope in ApiScopes.All)
            {
                o.AddPolicy(Scopes.PolicyName(scope), p => p.RequireAuthenticatedUser().RequireAssertion(c => Scopes.Allows(c.User, scope)));
            }
        });
        services.AddRateLimiter(o =>
        {
            // A token bucket per key: the rate is sustained, the burst absorbs a client's catch-up. Tokens
            // are added ten times a second (at least one at a time) so a low rate still refills evenly.
            var tokensPerPeriod = Math.Max(1, (int)Math.Ceiling(options.RequestsPerSecond / 10));
            var period = TimeSpan.FromSeconds(tokensPerPeriod / options.RequestsPerSecond);
            // A request without a valid key has the bucket of its address, so guessing keys or flooding 401s is limited too.
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                RateLimitPartition.GetTokenBucketLimiter(
                    context.User.FindFirst(ApiKeyAuthentication.KeyClaim)?.Value is { } key ? "key:" + key : "address:" + context.Connection.RemoteIpAddress,
                    _ => new TokenBucketRateLimiterOptions
                    {
                        TokenLimit = options.Burst,
                        TokensPerPeriod = tokensPerPeriod,
                        ReplenishmentPeriod = period,
                        QueueLimit = 0,
                        AutoReplenishment = true,
                    }));
            o.OnRejected = async (context, ct) =>
            {
                context.HttpContext.Response.Headers.RetryAfter = "1";
                await Problems.Write(context.HttpContext, StatusCodes.Status429TooManyRequests, "Too many requests",
                    $"each key, and each address without one, may send {options.RequestsPerSecond} requests a second (bursts of {options.Burst}); retry after a second").ConfigureAwait(false);
            };
        });

        var app = builder.Build();
        app.Use((context, next) =>
        {
            // No response is sniffed into another type, and none is cached unless it says so (the dashboard's assets).
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                headers.XContentTypeOptions = "nosniff";
                if (!headers.ContainsKey("Cache-Control"))
                {
                    headers.CacheControl = "no-store";
                }

                return Task.CompletedTask;
            });
            return next(context);
        });
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();

        app.MapGet("/health", (WarehouseAccess access) => TypedResults.Ok(new HealthDocument("ok", access.Settings.Name)))
            .AllowAnonymous().WithTags("Health").WithSummary("Liveness: answers without a key");
        app.MapOpenApi().RequireScope(ApiScopes.Read);
        app.MapCollect();
        app.MapSegments();
        app.MapAnalyses();
        app.MapCampaignActions();
        app.MapRefresh();
        app.MapDestinations();
        app.MapCustomers();
        app.MapDashboard();
        return app;
    }
}
