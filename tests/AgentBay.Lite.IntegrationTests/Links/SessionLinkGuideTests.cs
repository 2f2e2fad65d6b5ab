using System.Globalization;

namespace AgentBay.Lite.IntegrationTests.Links;

/// <summary>
/// The Session Link guide's use cases, written the way a user of this SDK would: a browser's CDP endpoint, a web app
/// served from the session on port 30150, a WebSocket service on port 30180, and several links fetched in parallel.
/// </summary>
public sealed class SessionLinkGuideTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>
{
    [Fact]
    public async Task Use_case_1_a_browser_session_gives_a_cdp_link_for_a_browser_automation_tool()
    {
        await using var client = fixture.CreateClient();
        await using AgentBaySession session = await client.CreateSessionAsync(new CreateSessionOptions { ImageId = "browser_latest" });

        SessionLink cdp = await session.GetLinkAsync(LinkRequest.Cdp);

        // What Playwright's ConnectOverCDPAsync or Puppeteer's connect would be given.
        Assert.Equal("wss", cdp.Url.Scheme);
        Assert.StartsWith("/websocket_ai/", cdp.Url.AbsolutePath, StringComparison.Ordinal);
        Assert.Equal(session.Id, fixture.Emulator.ResolveLinkToken(LinkTests.TokenOf(cdp.Url)));
    }

    [Fact]
    public async Task Use_case_2_a_web_app_written_and_started_in_the_session_gets_an_https_link()
    {
        await using var client = fixture.CreateClient();
        await using AgentBaySession session = await client.CreateSessionAsync(new CreateSessionOptions { ImageId = "linux_latest" });
        string marker = "hello from " + session.Id;

        await session.Files.WriteAsync("index.html", $"<html><body><h1>{marker}</h1></body></html>\n");
        CommandResult started = await session.Commands.ExecuteAsync("python3 -m http.server 30150 >/dev/null 2>&1 & echo $!");
        int serverPid = int.Parse(started.Stdout.Trim(), CultureInfo.InvariantCulture);
        try
        {
            Assert.True(started.Succeeded, started.Output);

            SessionLink link = await session.GetLinkAsync(LinkRequest.Https(30150));

            Assert.Equal("https", link.Url.Scheme);
            Assert.Matches("^/request_ai/[A-Za-z0-9_-]+/path/$", link.Url.AbsolutePath);
            Assert.Equal(session.Id, fixture.Emulator.ResolveLinkToken(LinkTests.TokenOf(link.Url)));

            // The server the command started is real: it serves the page written through the SDK from the session's
            // directory, on the session's own loopback (the sandbox's network namespace, unreachable from the host).
            Assert.Contains(marker, await FetchInSessionAsync(session, "http://127.0.0.1:30150/index.html"), StringComparison.Ordinal);
        }
        finally
        {
            await session.Commands.ExecuteAsync($"kill {serverPid}");
        }
    }

    [Fact]
    public async Task Use_case_3_a_websocket_service_on_port_30180_gets_a_wss_link()
    {
        await using var client = fixture.CreateClient();
        await using AgentBaySession session = await client.CreateSessionAsync(new CreateSessionOptions { ImageId = "linux_latest" });

        SessionLink link = await session.GetLinkAsync(LinkRequest.Wss(30180));

        Assert.Equal("wss", link.Url.Scheme);
        Assert.Equal(fixture.Emulator.HostAndPort, link.Url.Authority);
        Assert.Matches("^/websocket_ai/[A-Za-z0-9_-]+$", link.Url.AbsolutePath);
        Assert.Equal(session.Id, fixture.Emulator.ResolveLinkToken(LinkTests.TokenOf(link.Url)));
        Assert.Equal(30180, Assert.IsType<LinkRequest.WssLink>(link.Request).Port);
    }

    [Fact]
    public async Task Several_links_of_one_session_fetched_in_parallel_with_GetLinksAsync()
    {
        await using var client = fixture.CreateClient();
        await using AgentBaySession session = await client.CreateSessionAsync(new CreateSessionOptions { ImageId = "browser_latest" });
        LinkRequest[] wanted = [LinkRequest.Cdp, LinkRequest.Https(30150), LinkRequest.Wss(30180), LinkRequest.Https(30100)];
        long before = fixture.Emulator.GetRequestCount("GetLink");

        IReadOnlyList<LinkResult> results = await session.GetLinksAsync(wanted);

        Assert.Equal(wanted.Length, fixture.Emulator.GetRequestCount("GetLink") - before);
        Assert.Equal(wanted, results.Select(r => r.Request));
        Dictionary<LinkRequest, Uri> byRequest = results.ToDictionary(r => r.Request, r => r.GetLinkOrThrow().Url);
        Assert.Equal("wss", byRequest[LinkRequest.Cdp].Scheme);
        Assert.Equal("https", byRequest[LinkRequest.Https(30150)].Scheme);
        Assert.Equal("wss", byRequest[LinkRequest.Wss(30180)].Scheme);
        Assert.All(byRequest.Values, url => Assert.Equal(session.Id, fixture.Emulator.ResolveLinkToken(LinkTests.TokenOf(url))));
    }

    [Fact]
    public async Task Several_links_of_one_session_fetched_in_parallel_with_Task_WhenAll()
    {
        await using var client = fixture.CreateClient();
        await using AgentBaySession session = await client.CreateSessionAsync(new CreateSessionOptions { ImageId = "browser_latest" });
        long before = fixture.Emulator.GetRequestCount("GetLink");

        SessionLink[] links = await Task.WhenAll(
            session.GetLinkAsync(LinkRequest.Cdp).AsTask(),
            session.GetLinkAsync(LinkRequest.Https(30150)).AsTask(),
            session.GetLinkAsync(LinkRequest.Wss(30180)).AsTask());

        Assert.Equal(3, fixture.Emulator.GetRequestCount("GetLink") - before);
        Assert.Equal([LinkRequest.Cdp, LinkRequest.Https(30150), LinkRequest.Wss(30180)], links.Select(l => l.Request));
        Assert.Equal(3, links.Select(l => l.Url).Distinct().Count());
        Assert.All(links, l => Assert.Equal(session.Id, fixture.Emulator.ResolveLinkToken(LinkTests.TokenOf(l.Url))));
    }

    /// <summary>GETs a URL from inside the session, retrying only while nothing listens yet (bounded).</summary>
    private static async Task<string> FetchInSessionAsync(AgentBaySession session, string url)
    {
        string script = "import sys,time,urllib.request\nfor i in range(400):\n  try:\n    print(urllib.request.urlopen(sys.argv[1]).read().decode()); break\n  except OSError: time.sleep(0.05)\n";
        await session.Files.WriteAsync("/tmp/fetch.py", script);
        CommandResult fetched = await session.Commands.ExecuteAsync("python3 /tmp/fetch.py " + url);
        Assert.True(fetched.Succeeded, fetched.Output);
        return fetched.Stdout;
    }
}
