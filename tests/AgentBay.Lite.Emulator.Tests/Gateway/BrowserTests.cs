using AgentBay.Lite.Emulator.Browser;
using AgentBay.Lite.Emulator.Gateway;

namespace AgentBay.Lite.Emulator.Tests.Gateway;

/// <summary>A session's browser: Debian's Chromium started in the session, driven over CDP through the gateway.</summary>
public sealed class BrowserTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task CdpLink_DrivesTheBrowserInsideTheSession_WhichSeesTheSessionsOwnNetwork()
    {
        using var cts = new CancellationTokenSource(Patience);
        using var ended = new CancellationTokenSource();
        await using var browsers = new SessionBrowsers(Chromium.Find());
        Assert.True(browsers.Executable is not null, Chromium.MissingMessage);

        var browser = await browsers.GetOrStartAsync("session-cdpinside", fixture.Namespace.Pid, "/tmp/agentbay-browser", ended.Token, cts.Token);
        var token = fixture.Gateway.Add(new LinkDestination("session-cdpinside", LinkKind.Cdp, browser.Port, fixture.Namespace.Pid, ended.Token) { WebSocketPath = browser.DevToolsPath });

        Assert.Equal("inside", await OpenAndReadTitleAsync(fixture.Gateway.WebSocketUrl(token), fixture.HttpPort));
        Assert.Same(browser, await browsers.GetOrStartAsync("session-cdpinside", fixture.Namespace.Pid, "/tmp/agentbay-browser", ended.Token, cts.Token));

        await ended.CancelAsync();
        await browser.WaitForExitAsync(cts.Token);
        Assert.True(browser.HasExited);
    }

    [Fact]
    public async Task CdpLink_ToASessionOnTheHost_DrivesAHostBrowser()
    {
        using var cts = new CancellationTokenSource(Patience);
        using var ended = new CancellationTokenSource();
        var profile = Directory.CreateTempSubdirectory("agentbay-browser-test-");
        try
        {
            await using var browsers = new SessionBrowsers(Chromium.Find());
            Assert.True(browsers.Executable is not null, Chromium.MissingMessage);
            var browser = await browsers.GetOrStartAsync("session-cdphost", null, profile.FullName, ended.Token, cts.Token);
            var token = fixture.Gateway.Add(new LinkDestination("session-cdphost", LinkKind.Cdp, browser.Port, null, ended.Token) { WebSocketPath = browser.DevToolsPath });

            Assert.Equal("host", await OpenAndReadTitleAsync(fixture.Gateway.WebSocketUrl(token), fixture.HttpPort));

            await browsers.StopAsync("session-cdphost");
            Assert.True(browser.HasExited);
        }
        finally
        {
            profile.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task WithoutChromium_TheRefusalNamesTheDebianPackage()
    {
        await using var browsers = new SessionBrowsers(Chromium.Find(["/nonexistent/chromium"]));

        var error = await Assert.ThrowsAsync<BrowserUnavailableException>(() =>
            browsers.GetOrStartAsync("session-nochrome", null, "/nonexistent/profile", CancellationToken.None, CancellationToken.None));

        Assert.Null(browsers.Executable);
        Assert.Contains("Debian package 'chromium'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ABrowserThatExitsAtOnce_IsATypedFailure_AndTheNextRequestTriesAgain()
    {
        var profile = Directory.CreateTempSubdirectory("agentbay-browser-test-");
        try
        {
            await using var browsers = new SessionBrowsers("/bin/false");

            var first = await Assert.ThrowsAsync<BrowserUnavailableException>(() =>
                browsers.GetOrStartAsync("session-false", null, profile.FullName, CancellationToken.None, CancellationToken.None));
            var second = await Assert.ThrowsAsync<BrowserUnavailableException>(() =>
                browsers.GetOrStartAsync("session-false", null, profile.FullName, CancellationToken.None, CancellationToken.None));

            Assert.Contains("exited before its DevTools endpoint listened", first.Message, StringComparison.Ordinal);
            Assert.NotSame(first, second);
        }
        finally
        {
            profile.Delete(recursive: true);
        }
    }

    private static async Task<string> OpenAndReadTitleAsync(Uri cdpLink, int port)
    {
        using var cts = new CancellationTokenSource(Patience);
        await using var cdp = await CdpClient.ConnectAsync(cdpLink, cts.Token);
        Assert.StartsWith("Chrome/", await cdp.GetProductAsync(cts.Token), StringComparison.Ordinal);
        return await cdp.OpenAndReadTitleAsync($"http://127.0.0.1:{port}/", cts.Token);
    }
}
