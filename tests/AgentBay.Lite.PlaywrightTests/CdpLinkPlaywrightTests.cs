using System.Globalization;
using System.Net;
using AgentBay.Lite.Emulator;
using Microsoft.Playwright;

namespace AgentBay.Lite.PlaywrightTests;

/// <summary>Use case 1 of the Session Link guide: Playwright drives a browser session through its CDP link.</summary>
public sealed class CdpLinkPlaywrightTests : IAsyncLifetime
{
    // A port only this test serves on (sessions without a sandbox share the host's loopback).
    private const int PagePort = 30174;

    private AgentBayEmulator _emulator = null!;

    public async Task InitializeAsync() => _emulator = await AgentBayEmulator.StartAsync();

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    [Fact]
    public async Task Playwright_connects_over_the_cdp_link_and_the_browser_opens_a_page_served_in_its_session()
    {
        Assert.True(_emulator.BrowserUnavailableReason is null, _emulator.BrowserUnavailableReason);
        await using var client = new AgentBayClient(new AgentBayOptions { ApiKey = _emulator.ApiKey, Endpoint = _emulator.Endpoint });
        await using AgentBaySession session = await client.CreateSessionAsync(new CreateSessionOptions { ImageId = "browser_latest" });
        await session.Files.WriteAsync("site/index.html", "<html><head><title>served in the session</title></head><body>hi</body></html>");
        CommandResult started = await session.Commands.ExecuteAsync($"cd site && (python3 -m http.server {PagePort} --bind 127.0.0.1 >/dev/null 2>&1 & echo $!)");
        Assert.True(started.Succeeded, started.Output);
        int serverPid = int.Parse(started.Stdout.Trim(), CultureInfo.InvariantCulture);
        try
        {
            await WaitUntilServedAsync(await session.GetLinkAsync(LinkRequest.Https(PagePort)));
            SessionLink cdp = await session.GetLinkAsync(LinkRequest.Cdp);

            using IPlaywright playwright = await Playwright.CreateAsync();
            // The first connect starts the session's browser; under a parallel test run that can take a while (a hang
            // guard, not a speed limit).
            IBrowser browser = await playwright.Chromium.ConnectOverCDPAsync(cdp.Url.ToString(), new BrowserTypeConnectOverCDPOptions { Timeout = 120_000 });
            try
            {
                IPage page = await browser.Contexts[0].NewPageAsync();
                await page.GotoAsync($"http://127.0.0.1:{PagePort}/");

                Assert.Equal("served in the session", await page.TitleAsync());
                Assert.Matches(@"^[0-9]+\.[0-9]+\.", browser.Version);
            }
            finally
            {
                await browser.CloseAsync();
            }
        }
        finally
        {
            await session.Commands.ExecuteAsync($"kill {serverPid}");
        }
    }

    /// <summary>Waits until the page answers through its HTTPS link (the gateway says 502 while nothing listens); bounded.</summary>
    private static async Task WaitUntilServedAsync(SessionLink link)
    {
        using var http = new HttpClient();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            using HttpResponseMessage response = await http.GetAsync(link.Url, deadline.Token);
            if (response.StatusCode != HttpStatusCode.BadGateway)
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), deadline.Token);
        }
    }
}
