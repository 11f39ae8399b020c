using System.ComponentModel;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Segmenta.Documents;
using Segmenta.Access;
using Segmenta.Server;
using Spectre.Console.Cli;

namespace Segmenta.Cli.Commands;

internal sealed class ServeSettings : WorkspaceSettingsBase
{
    [CommandOption("--listen <URL>")]
    [Description("The address to listen on (default: server.listen of segmenta.yaml, http://127.0.0.1:5380); port 0 picks a free one.")]
    public string? Listen { get; init; }

    [CommandOption("--verbose")]
    [Description("Log every request's outcome, not only warnings and errors.")]
    public bool Verbose { get; init; }
}

/// <summary><c>segmenta serve</c>: the REST API, the Tracking API collection endpoints and scheduled refreshes on the workspace, until stopped.</summary>
internal sealed class ServeCommand : GuardedCommand<ServeSettings>
{
    protected override int Run(ServeSettings settings, CancellationToken cancellation)
    {
        var workspace = FindWorkspace(settings);
        var warehouse = OpenWarehouse(workspace);
        var app = SegmentaHost.Build(new ServerStart(workspace, warehouse, settings.Listen, LogLevel: settings.Verbose ? LogLevel.Information : LogLevel.Warning, Parquet: Parquet));
        app.StartAsync(cancellation).GetAwaiter().GetResult();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "?";
        var keys = ApiKeyStore.For(workspace).List().Count(k => k.Active);
        if (settings.Json)
        {
            CliOutput.WriteJson(new ServingDocument(address, address + "/", workspace.Root, warehouse.Description, keys, workspace.Settings.Server.RefreshEvery?.ToString()));
        }
        else
        {
            Console.WriteLine($"Segmenta serving {workspace.Root} ({warehouse.Description}) on {address}");
            Console.WriteLine($"  dashboard {address}/");
            Console.WriteLine($"  API {address}/api   OpenAPI {address}/openapi/v1.json   collect {address}/v1/batch   health {address}/health");
            Console.WriteLine($"  refresh: {(workspace.Settings.Server.RefreshEvery is { } every ? "every " + every : "on demand (server.refresh_every in segmenta.yaml schedules it)")}");
            Console.WriteLine(keys == 0
                ? "  no API keys yet: `segmenta keys create dashboard --scopes read,admin` (and one with ingest for collection)"
                : $"  {keys} active API key(s); Ctrl+C stops");
        }

        Console.Out.Flush();
        app.WaitForShutdownAsync(cancellation).GetAwaiter().GetResult();
        app.StopAsync(CancellationToken.None).GetAwaiter().GetResult();
        app.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return ExitCodes.Ok;
    }
}
