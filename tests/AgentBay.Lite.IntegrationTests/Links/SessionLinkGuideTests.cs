using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using System.Text;

namespace AgentBay.Lite.IntegrationTests.Links;

/// <summary>
/// The Session Link guide's use cases, written the way a user of this SDK would: a browser's CDP endpoint, a web app
/// served from the session on port 30150, a WebSocket service on port 30180, and several links fetched in parallel.
/// Every link is opened: the emulator's gateway forwards it into the session.
/// </summary>
public sealed class SessionLinkGuideTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>
{
    [Fact]
    public async Task Use_case_1_a_browser_session_gives_a_cdp_link_that_drives_its_browser()
    {
        await using var client = fixture.CreateClient();
        await using AgentBaySession session = await client.CreateSessionAsync(new CreateSessionOptions { ImageId = "browser_latest" });

        SessionLink cdp = await session.GetLinkAsync(LinkRequest.Cdp);

        // What Playwright's ConnectOverCDPAsync or Puppeteer's connect is given (the Playwright run itself is in
        // AgentBay.Lite.PlaywrightTests); here the DevTools protocol is spoken over a plain WebSocket.
        Assert.Equal("ws", cdp.Url.Scheme);
        Assert.StartsWith("/websocket_ai/", cdp.Url.AbsolutePath, StringComparison.Ordinal);
        Assert.Equal(session.Id, fixture.Emulator.ResolveLinkToken(LinkTests.TokenOf(cdp.Url)));
        using var socket = new ClientWebSocket();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120)); // a hang guard: the first connect starts the browser
        await socket.ConnectAsync(cdp.Url, timeout.Token);
        string answer = await SendReceiveAsync(socket, """{"id":1,"method":"Browser.getVersion"}""", timeout.Token);
        Assert.Contains("\"product\":\"Chrome/", answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Use_case_2_a_web_app_written_and_started_in_the_session_is_served_through_its_https_link()
    {
        await using var client = fixture.CreateClient();
        await using AgentBaySession session = await client.CreateSessionAsync(new CreateSessionOptions { ImageId = "linux_latest" });
        string marker = "hello from " + session.Id;

        await session.Files.WriteAsync("/tmp/index.html", $"<html><body><h1>{marker}</h1></body></html>\n");
        CommandResult started = await session.Commands.ExecuteAsync("cd /tmp && (python3 -m http.server 30150 --bind 127.0.0.1 >/dev/null 2>&1 & echo $!)");
        Assert.True(started.Succeeded, started.Output);
        int serverPid = int.Parse(started.Stdout.Trim(), CultureInfo.InvariantCulture);
        try
        {
            SessionLink link = await session.GetLinkAsync(LinkRequest.Https(30150));

            Assert.Equal("http", link.Url.Scheme);
            Assert.Matches("^/request_ai/[A-Za-z0-9_-]+/path/$", link.Url.AbsolutePath);
            Assert.Equal(session.Id, fixture.Emulator.ResolveLinkToken(LinkTests.TokenOf(link.Url)));
            Assert.Contains(marker, await FetchWhenListeningAsync(new Uri(link.Url, "index.html")), StringComparison.Ordinal);
        }
        finally
        {
            await session.Commands.ExecuteAsync($"kill {serverPid}; rm -f /tmp/index.html");
        }
    }

    [Fact]
    public async Task Use_case_3_a_websocket_service_on_port_30180_answers_through_its_wss_link()
    {
        await using var client = fixture.CreateClient();
        await using AgentBaySession session = await client.CreateSessionAsync(new CreateSessionOptions { ImageId = "linux_latest" });
        await session.Files.WriteAsync("echo_server.py", EchoServer);
        CommandResult started = await session.Commands.ExecuteAsync("/usr/bin/python3 echo_server.py 30180 >/dev/null 2>&1 & echo $!");
        Assert.True(started.Succeeded, started.Output);
        int serverPid = int.Parse(started.Stdout.Trim(), CultureInfo.InvariantCulture);
        try
        {
            SessionLink link = await session.GetLinkAsync(LinkRequest.Wss(30180));

            Assert.Equal("ws", link.Url.Scheme);
            Assert.Equal(fixture.Emulator.HostAndPort, link.Url.Authority);
            Assert.Matches("^/websocket_ai/[A-Za-z0-9_-]+$", link.Url.AbsolutePath);
            Assert.Equal(30180, Assert.IsType<LinkRequest.WssLink>(link.Request).Port);
            await WaitUntilListeningAsync(new UriBuilder(link.Url) { Scheme = "http" }.Uri);
            using var socket = new ClientWebSocket();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await socket.ConnectAsync(link.Url, timeout.Token);
            Assert.Equal("echo: hello " + session.Id, await SendReceiveAsync(socket, "hello " + session.Id, timeout.Token));
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
        }
        finally
        {
            await session.Commands.ExecuteAsync($"kill {serverPid}");
        }
    }

    [Fact]
    public async Task Link_refusals_are_clear_unknown_404_nothing_listening_502_deleted_session_404()
    {
        await using var client = fixture.CreateClient();
        using var http = new HttpClient();
        SessionLink silent;
        string sessionId;
        await using (AgentBaySession session = await client.CreateSessionAsync())
        {
            sessionId = session.Id;
            silent = await session.GetLinkAsync(LinkRequest.Https(30196));
            using HttpResponseMessage nothing = await http.GetAsync(silent.Url);
            Assert.Equal(HttpStatusCode.BadGateway, nothing.StatusCode);
            Assert.Equal($"Nothing is listening on port 30196 in session {session.Id}.\n", await nothing.Content.ReadAsStringAsync());
        }

        using HttpResponseMessage deleted = await http.GetAsync(silent.Url);
        Assert.Equal(HttpStatusCode.NotFound, deleted.StatusCode);
        Assert.DoesNotContain(LinkTests.TokenOf(silent.Url), await deleted.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using HttpResponseMessage unknown = await http.GetAsync(new Uri(fixture.Emulator.Endpoint, "request_ai/not-a-token/path/"));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("Unknown link", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Null(fixture.Emulator.ResolveLinkToken(LinkTests.TokenOf(silent.Url)));
        await Assert.ThrowsAsync<SessionNotFoundException>(() => client.GetSessionAsync(sessionId));
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
        Assert.Equal("ws", byRequest[LinkRequest.Cdp].Scheme);
        Assert.Equal("http", byRequest[LinkRequest.Https(30150)].Scheme);
        Assert.Equal("ws", byRequest[LinkRequest.Wss(30180)].Scheme);
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

    /// <summary>A WebSocket echo service for Debian's python3-websockets (/usr/bin/python3).</summary>
    private const string EchoServer = """
        import asyncio, sys, websockets

        async def echo(websocket, path=None):
            async for message in websocket:
                await websocket.send("echo: " + message)

        async def main():
            async with websockets.serve(echo, "127.0.0.1", int(sys.argv[1])):
                await asyncio.Future()

        asyncio.run(main())
        """;

    /// <summary>GETs a link URL, retrying only while the gateway says nothing listens yet (502); bounded.</summary>
    private static async Task<string> FetchWhenListeningAsync(Uri url)
    {
        using var http = new HttpClient();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            using HttpResponseMessage response = await http.GetAsync(url, deadline.Token);
            if (response.StatusCode != HttpStatusCode.BadGateway)
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                return await response.Content.ReadAsStringAsync(deadline.Token);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), deadline.Token);
        }
    }

    /// <summary>Waits until something listens behind a WSS link (any answer but the gateway's 502).</summary>
    private static async Task WaitUntilListeningAsync(Uri url)
    {
        using var http = new HttpClient();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            using HttpResponseMessage response = await http.GetAsync(url, deadline.Token);
            if (response.StatusCode != HttpStatusCode.BadGateway)
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), deadline.Token);
        }
    }

    private static async Task<string> SendReceiveAsync(ClientWebSocket socket, string message, CancellationToken cancellationToken)
    {
        await socket.SendAsync(Encoding.UTF8.GetBytes(message), WebSocketMessageType.Text, true, cancellationToken);
        var buffer = new byte[64 * 1024];
        int length = 0;
        WebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(new ArraySegment<byte>(buffer, length, buffer.Length - length), cancellationToken);
            length += result.Count;
        }
        while (!result.EndOfMessage);

        return Encoding.UTF8.GetString(buffer, 0, length);
    }
}
