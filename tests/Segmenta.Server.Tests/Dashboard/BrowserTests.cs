using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Xunit;

namespace Segmenta.Server.Tests;

/// <summary>The dashboard and the report in headless Chromium, checked against the API's own answers.</summary>
[Collection(DemoWorkspace.Name)]
public sealed class BrowserTests(BrowserFixture f)
{
    private static readonly CultureInfo Us = CultureInfo.InvariantCulture;  // groups thousands with commas, as the dashboard does

    [Fact]
    public async Task A_segment_built_in_the_builder_shows_diagnostics_then_its_size_then_its_persona()
    {
        var page = await f.OpenAsync(f.Admin);
        await page.GotoAsync(f.Address + "/#/builder");
        await BrowserFixture.Loaded(page);

        // A misspelt event type: an inline mark under it and a diagnostic with its line and column.
        await page.FillAsync("#segment-text", "segment vip_buyers \"VIP buyers\"\nwhere count(purchse, last 365 days) >= 2\n");
        var diagnostic = await page.WaitForSelectorAsync("ul.diagnostics li");
        Assert.Contains("line 2, column 13", await diagnostic!.TextContentAsync(), StringComparison.Ordinal);
        Assert.Equal("purchse", (await page.TextContentAsync("mark.squiggle"))?.Trim());
        Assert.Equal("true", await page.GetAttributeAsync("#segment-text", "aria-invalid"));
        await BrowserFixture.ShotAsync(page, "builder-diagnostics");

        // Fixed, with a second condition: the live preview shows the size the API computes, and one step per condition.
        const string text = "segment vip_buyers \"VIP buyers\"\nwhere count(purchase, last 365 days) >= 2\n  and age >= 40\n";
        await page.FillAsync("#segment-text", text);
        await page.WaitForSelectorAsync("#segment-text[aria-invalid=false]");
        var size = await page.WaitForSelectorAsync("[data-testid=preview-size]");
        var expected = await Preview(text);
        Assert.Equal(expected.GetProperty("size").GetInt64().ToString("N0", Us), await size!.TextContentAsync());
        Assert.Equal(2, await page.Locator("#builder-steps details tbody tr").CountAsync());
        await BrowserFixture.ShotAsync(page, "builder-preview");

        await page.FillAsync("#segment-name", "vip_buyers");
        await page.ClickAsync("text=Save segment");
        await page.WaitForSelectorAsync("text=Saved as");
        Assert.Equal(text, await File.ReadAllTextAsync(Path.Combine(f.Workspace.Root, "segments", "vip_buyers.seg")));

        // Its page: the persona card the API describes.
        await page.ClickAsync("a[href='#/segment/vip_buyers']");
        await page.WaitForSelectorAsync("#persona-heading");
        var persona = await f.ApiAsync("/api/personas?segments=vip_buyers");
        Assert.Equal(persona.GetProperty("personas")[0].GetProperty("card").GetProperty("heading").GetString(), await page.TextContentAsync("#persona-heading"));
        Assert.Equal(expected.GetProperty("size").GetInt64().ToString("N0", Us), await page.TextContentAsync("[data-testid=preview-size]"));
        await BrowserFixture.ShotAsync(page, "segment-persona");
    }

    [Fact]
    public async Task The_builder_colours_the_language_and_completes_the_workspaces_names()
    {
        var page = await f.OpenAsync(f.Admin);
        await page.GotoAsync(f.Address + "/#/builder");
        await BrowserFixture.Loaded(page);

        // Once the schema is there, the template's event type is coloured as one.
        await page.WaitForSelectorAsync(".editor-mirror .tok-event");

        // An event type after an aggregate's `(`: offered, picked with Enter.
        await page.FillAsync("#segment-text", "segment picked where count(pur");
        var option = await page.WaitForSelectorAsync("#completions li[role=option][aria-selected=true]");
        Assert.Equal("purchase", await option!.TextContentAsync());
        Assert.Equal("true", await page.GetAttributeAsync("#segment-text", "aria-expanded"));
        await page.PressAsync("#segment-text", "Enter");
        Assert.Equal("segment picked where count(purchase", await page.InputValueAsync("#segment-text"));

        // A property after `purchase.`, picked with Tab; then a trait, the second offer chosen with the arrow keys if there are two.
        await page.Locator("#segment-text").PressSequentiallyAsync(".reve");
        await page.WaitForSelectorAsync("#completions li[role=option]:text-is('revenue')");
        await page.PressAsync("#segment-text", "Tab");
        await page.Locator("#segment-text").PressSequentiallyAsync(", last 365 days) >= 1 and ag");
        await page.WaitForSelectorAsync("#completions li[role=option]:text-is('age')");
        await page.PressAsync("#segment-text", "Enter");
        await page.Locator("#segment-text").PressSequentiallyAsync(" > 30");
        await page.PressAsync("#segment-text", "Escape");
        Assert.Equal("segment picked where count(purchase.revenue, last 365 days) >= 1 and age > 30", await page.InputValueAsync("#segment-text"));

        // It compiles (diagnostics under the text as it is typed), and the mirror colours keywords, functions, event types and numbers.
        await page.WaitForSelectorAsync("#segment-text[aria-invalid=false]");
        Assert.Equal(["segment", "where", "last", "days", "and"], await page.Locator(".editor-mirror .tok-keyword").AllTextContentsAsync());
        Assert.Equal("count", await page.TextContentAsync(".editor-mirror .tok-function"));
        Assert.Equal("purchase", await page.TextContentAsync(".editor-mirror .tok-event"));
        Assert.Equal(["365", "1", "30"], await page.Locator(".editor-mirror .tok-number").AllTextContentsAsync());
        await BrowserFixture.ShotAsync(page, "builder-completion");

        // A mistake typed now is marked under its text.
        await page.Locator("#segment-text").PressSequentiallyAsync(" and agee > 3");
        await page.PressAsync("#segment-text", "Escape");
        await page.WaitForSelectorAsync("#segment-text[aria-invalid=true]");
        Assert.Equal("agee", (await page.TextContentAsync("mark.squiggle"))?.Trim());
    }

    [Fact]
    public async Task A_campaign_result_shows_every_comparison_and_the_roi()
    {
        var page = await f.OpenAsync(f.Reader);
        await page.ClickAsync("nav >> text=Campaigns");
        await page.ClickAsync("a[href='#/campaign/new_year']");
        await page.WaitForSelectorAsync("[data-testid=campaign-roi]");
        var result = await f.ApiAsync("/api/campaigns/new_year/results");
        var totals = result.GetProperty("totals");
        var roi = totals.GetProperty("roi").GetDouble();

        // The ROI is headlined only when the net profit's interval excludes zero; otherwise the page says so instead.
        var expected = totals.GetProperty("money").GetProperty("verdict").GetString() == "inconclusive"
            ? "not distinguishable from 0"
            : (roi * 100).ToString("F1", CultureInfo.InvariantCulture) + "%";
        Assert.Equal(expected, await page.TextContentAsync("[data-testid=campaign-roi]"));
        Assert.Equal(result.GetProperty("comparisons").GetArrayLength(), await page.Locator("table.comparisons tbody tr").CountAsync());
        Assert.True(await page.EvalOnSelectorAsync<bool>("#lift-chart canvas", "c => c.width > 0 && !!c.closest('figure')"));
        await BrowserFixture.ShotAsync(page, "campaign-result");
    }

    [Fact]
    public async Task An_export_is_for_a_channel_and_says_how_many_had_not_consented()
    {
        var page = await f.OpenAsync(f.Reader);
        await page.GotoAsync($"{f.Address}/#/segment/lapsed_vips");
        await BrowserFixture.Loaded(page);
        await page.SelectOptionAsync("#export-channel", "email");
        await page.ClickAsync("text=Export CSV");
        var said = await page.Locator(".actions .notice").TextContentAsync();

        // The count the page shows is the one the API's header gives for the same export.
        using var client = new HttpClient { BaseAddress = new Uri(f.Address) };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", f.Reader);
        using var response = await client.GetAsync(new Uri("/api/segments/lapsed_vips/export?format=csv&channel=email", UriKind.Relative));
        var leftOut = long.Parse(response.Headers.GetValues("Segmenta-Consent-Left-Out").Single(), CultureInfo.InvariantCulture);
        Assert.Equal(string.Create(CultureInfo.InvariantCulture, $"Exported the members who consented to email; {leftOut:N0} left out without consent."), said);

        await page.SelectOptionAsync("#export-channel", "");
        await page.ClickAsync("text=Export JSON");
        Assert.Equal("Exported every member: consent was not checked.", await page.Locator(".actions .notice").TextContentAsync());
    }

    [Fact]
    public async Task A_segments_page_shows_where_it_is_sent_and_the_last_sync()
    {
        var page = await f.OpenAsync(f.Reader);
        await page.GotoAsync($"{f.Address}/#/segment/lapsed_vips");
        await BrowserFixture.Loaded(page);
        var row = page.Locator("table:has(caption:has-text('Where lapsed_vips is sent')) tbody tr");
        Assert.Equal(1, await row.CountAsync());
        var cells = await row.Locator("th, td").AllTextContentsAsync();

        // The demo syncs destinations/weekly_drop.yaml after each snapshot: the row is its last sync, as the API has it.
        using var client = new HttpClient { BaseAddress = new Uri(f.Address) };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", f.Reader);
        using var destination = System.Text.Json.JsonDocument.Parse(await client.GetStringAsync(new Uri("/api/destinations/weekly_drop", UriKind.Relative)));
        var last = destination.RootElement.GetProperty("segments")[0].GetProperty("last_sync");
        Assert.Equal("weekly_drop (file)", cells[0]);
        Assert.Equal("email", cells[1]);
        Assert.Equal("written", cells[3]);
        Assert.Equal(last.GetProperty("audience").GetInt64().ToString("N0", CultureInfo.InvariantCulture), cells[4]);
        Assert.Equal(last.GetProperty("entered").GetInt64().ToString("N0", CultureInfo.InvariantCulture), cells[5]);

        // Its sync log: one row per weekly sync, newest first, the first being the last sync above.
        await page.ClickAsync("text=Sync log: weekly_drop");
        var log = page.Locator("table:has(caption:has-text('Sync log of weekly_drop for lapsed_vips')) tbody tr");
        await log.First.WaitForAsync();
        Assert.Equal(13, await log.CountAsync());
        Assert.Equal($"#{last.GetProperty("sync_id").GetInt64()}", (await log.First.Locator("th, td").AllTextContentsAsync())[0]);
    }

    [Theory]
    [InlineData("overview", "#sizes-chart canvas")]
    [InlineData("segments", "table")]
    [InlineData("rfm", "#rfm-grid")]
    [InlineData("clusters", "#cluster-scatter canvas")]
    [InlineData("clv", "#clv-deciles canvas")]
    [InlineData("migration", "#migration-matrix")]
    public async Task Every_view_renders_from_the_api_without_errors(string route, string selector)
    {
        var page = await f.OpenAsync(f.Reader);
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        await page.GotoAsync($"{f.Address}/#/{route}");
        await BrowserFixture.Loaded(page);
        await page.WaitForSelectorAsync(selector);
        Assert.Equal(0, await page.Locator(".notice.error").CountAsync());
        Assert.Empty(errors);
        if (route == "overview")
        {
            var snapshot = (await f.ApiAsync("/api/refresh")).GetProperty("current_snapshot").GetString()!;
            Assert.Contains(snapshot[..10], await page.TextContentAsync("dl.facts"), StringComparison.Ordinal);

            // The insight feed: the card lists the API's findings in its order.
            var insights = (await f.ApiAsync("/api/insights")).GetProperty("insights").EnumerateArray().Select(i => i.GetProperty("headline").GetString()!).ToList();
            Assert.NotEmpty(insights);
            Assert.Equal(insights, await page.Locator("ol.insights > li > strong").AllTextContentsAsync());
        }

        if (route == "rfm")
        {
            var bins = (await f.ApiAsync("/api/rfm")).GetProperty("bins").GetInt32();
            Assert.Equal(bins * bins, await page.Locator("#rfm-grid tbody td").CountAsync());
        }

        await BrowserFixture.ShotAsync(page, "view-" + route);
    }

    [Fact]
    public async Task The_dashboard_works_from_the_keyboard_and_at_phone_width()
    {
        var page = await f.OpenAsync(f.Reader, width: 390, height: 800);
        foreach (var route in new[] { "overview", "rfm", "campaign/new_year", "clusters" })
        {
            await page.GotoAsync($"{f.Address}/#/{route}");
            await BrowserFixture.Loaded(page);
            var wide = await page.EvaluateAsync<string>("""
                () => { const w = document.documentElement.clientWidth;
                  return document.documentElement.scrollWidth <= w ? '' : [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > w + 1 && !e.closest('.table-wrap, nav')).slice(0, 6).map(e => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`).join('; '); }
                """);
            Assert.True(wide.Length == 0, $"{route} scrolls sideways at 390 px: {wide}");
        }

        await BrowserFixture.ShotAsync(page, "phone-clusters");
        await page.GotoAsync(f.Address + "/#/overview");
        await page.ReloadAsync();  // a fresh load: focus starts at the top of the page
        await BrowserFixture.Loaded(page);
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("Skip to content", await page.EvaluateAsync<string>("() => document.activeElement.textContent"));
        for (var i = 0; i < 12 && await page.EvaluateAsync<string>("() => document.activeElement.textContent") != "RFM"; i++)
        {
            await page.Keyboard.PressAsync("Tab");
        }

        await page.Keyboard.PressAsync("Enter");
        await page.WaitForSelectorAsync("#rfm-grid");
        Assert.Equal("RFM", await page.TextContentAsync("main h1"));
    }

    [Fact]
    public async Task A_wrong_key_is_refused_with_a_message()
    {
        var page = await f.OpenAsync("sgk_nope_nope");
        await page.WaitForSelectorAsync("form.sign-in .notice.error");
        Assert.Contains("not accepted", await page.TextContentAsync("form.sign-in .notice.error"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_report_shows_the_same_views_with_no_network()
    {
        var context = await f.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1366, Height = 900 } });
        var page = await context.NewPageAsync();
        var blocked = new List<string>();
        await page.RouteAsync("**/*", async route =>
        {
            if (route.Request.Url.StartsWith("file:", StringComparison.Ordinal) || route.Request.Url.StartsWith("data:", StringComparison.Ordinal))
            {
                await route.ContinueAsync();
            }
            else
            {
                blocked.Add(route.Request.Url);
                await route.AbortAsync();
            }
        });
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        await page.GotoAsync("file://" + f.Report);
        await BrowserFixture.Loaded(page);
        Assert.Equal(0, await page.Locator("nav a[href='#/builder']").CountAsync());
        var status = await f.ApiAsync("/api/status");
        Assert.Contains(status.GetProperty("customers").GetInt64().ToString("N0", Us), await page.TextContentAsync("main .stats"), StringComparison.Ordinal);

        await page.GotoAsync($"file://{f.Report}#/campaign/new_year");
        await page.WaitForSelectorAsync("[data-testid=campaign-roi]");
        await page.GotoAsync($"file://{f.Report}#/segment/lapsed_vips");
        await page.WaitForSelectorAsync("#persona-heading");
        Assert.Equal(1, await page.Locator("table:has(caption:has-text('Where lapsed_vips is sent')) tbody tr:has-text('weekly_drop (file)')").CountAsync());
        await BrowserFixture.ShotAsync(page, "report-segment");
        Assert.Empty(blocked);
        Assert.Empty(errors);
    }

    private async Task<JsonElement> Preview(string text)
    {
        using var client = new HttpClient { BaseAddress = new Uri(f.Address) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", f.Reader);
        using var response = await client.PostAsJsonAsync("/api/segments/preview", new { text });
        var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.True(answer.GetProperty("ok").GetBoolean(), answer.ToString());
        return answer.GetProperty("preview").Clone();
    }
}
