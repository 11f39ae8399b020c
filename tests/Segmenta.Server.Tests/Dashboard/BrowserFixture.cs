using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Segmenta.Access;
using Segmenta.DuckDb;
using Segmenta.Testing;
using Segmenta.Workspaces;
using Xunit;

namespace Segmenta.Server.Tests;

/// <summary>
/// The dashboard in a real browser: the demo's workspace (run by the built CLI, small: 4,000 customers,
/// 80,000 events, every analysis, a measured campaign, the HTML report) served by a real host on a
/// free loopback port, and Debian's Chromium driven by Playwright. Playwright never downloads a
/// browser: the executable is /usr/bin/chromium (test.sh installs it), or SEGMENTA_CHROMIUM.
/// Screenshots go to TestResults/screenshots at the repository root.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public static readonly string[] ChromiumArgs =
        ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

    private readonly TempDir dir = TestPaths.NewTempDir();
    private WebApplication? app;
    private IPlaywright? playwright;

    public Workspace Workspace { get; private set; } = null!;

    public string Address { get; private set; } = "";

    public string Admin { get; private set; } = "";

    public string Reader { get; private set; } = "";

    public IBrowser Browser { get; private set; } = null!;

    public static string Screenshots { get; } = Path.Combine(TestPaths.RepositoryRoot, "TestResults", "screenshots");

    public string Report => Path.Combine(Workspace.Root, "report.html");

    public async Task InitializeAsync()
    {
        var chromium = Environment.GetEnvironmentVariable("SEGMENTA_CHROMIUM") ?? "/usr/bin/chromium";
        if (!File.Exists(chromium))
        {
            throw new InvalidOperationException($"the browser tests need Debian's chromium at {chromium} (test.sh installs it: apt-get install chromium)");
        }

        var root = Path.Combine(dir.Path, "demo");
        var (code, stdout, stderr) = CliRunner.Run(dir.Path, "demo", "--out", root, "--customers", "4000", "--events", "80000", "--json");
        if (code != 0)
        {
            throw new InvalidOperationException($"the demo failed: {stderr}{stdout}");
        }

        Workspace = Workspace.Open(root);
        Admin = ApiKeyStore.For(Workspace).Create("browser-admin", [ApiScopes.Admin], TimeProvider.System).Token;
        Reader = ApiKeyStore.For(Workspace).Create("browser-reader", [ApiScopes.Read], TimeProvider.System).Token;
        app = SegmentaHost.Build(new ServerStart(Workspace, DuckDbWarehouse.Open(Workspace.WarehousePath), "http://127.0.0.1:0"));
        await app.StartAsync();
        Address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = chromium, Headless = true, Args = ChromiumArgs });
        Directory.CreateDirectory(Screenshots);
    }

    /// <summary>A new page at the given width, signed in with <paramref name="key"/> (none: the sign-in form shows).</summary>
    public async Task<IPage> OpenAsync(string? key, int width = 1366, int height = 900)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height } });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        await page.GotoAsync(Address + "/");
        if (key is not null)
        {
            await page.FillAsync("#api-key", key);
            await page.ClickAsync("form.sign-in button[type=submit]");
            await Loaded(page);
        }

        return page;
    }

    /// <summary>Waits until the view has replaced its "Loading…" line.</summary>
    public static async Task Loaded(IPage page)
    {
        await page.WaitForSelectorAsync("main > :not(.loading)");
    }

    public static Task ShotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, name + ".png"), FullPage = true });

    /// <summary>The API's answer for a path, read with the reader key: what the page must show.</summary>
    public async Task<System.Text.Json.JsonElement> ApiAsync(string path)
    {
        using var client = new HttpClient { BaseAddress = new Uri(Address) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Reader);
        using var response = await client.GetAsync(path);
        response.EnsureSuccessStatusCode();
        return System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        playwright?.Dispose();
        if (app is not null)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        dir.Dispose();
    }
}

/// <summary>The demo workspace, its host and the browser, made once for the browser and dashboard API tests.</summary>
[CollectionDefinition(Name)]
public sealed class DemoWorkspace : ICollectionFixture<BrowserFixture>
{
    public const string Name = "demo workspace";
}
