using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace AgentBay.Lite.Emulator.Tests.LiveView;

/// <summary>Issue 20's rules for resource URLs, over real HTTP and WebSockets: tokens, expiry, and who may use the page's socket.</summary>
public sealed class LiveViewTests : IAsyncLifetime, IDisposable
{
    private readonly ManualClock _clock = new();
    private AgentBayEmulator _emulator = null!;
    private Rpc _rpc = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _emulator = await AgentBayEmulator.StartAsync(new AgentBayEmulatorOptions { TimeProvider = _clock });
        _rpc = new Rpc(_emulator);
        _http = new HttpClient();
    }

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    public void Dispose()
    {
        _http.Dispose();
        _rpc.Dispose();
    }

    [Fact]
    public async Task Every_answer_carries_a_fresh_unguessable_link_to_a_page_that_names_its_session()
    {
        var created = (await _rpc.CallAsync("CreateMcpSession", ("ImageId", "code_latest"))).AssertOk().Data;
        var id = created.GetProperty("SessionId").GetString()!;
        var fromCreate = created.GetProperty("ResourceUrl").GetString()!;
        var first = await ResourceUrlAsync(id);
        var second = await ResourceUrlAsync(id);

        Assert.Equal(3, new HashSet<string> { fromCreate, first, second }.Count);
        foreach (var url in new[] { fromCreate, first, second })
        {
            // 32 base64url characters: 192 random bits, and nothing of the session id.
            Assert.Matches("^" + _emulator.Endpoint.GetLeftPart(UriPartial.Authority) + "/resource/[A-Za-z0-9_-]{32}$", url);
            Assert.DoesNotContain(id, url);
            using var page = await _http.GetAsync(new Uri(url));
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Equal("text/html", page.Content.Headers.ContentType!.MediaType);
            Assert.Contains(id, await page.Content.ReadAsStringAsync());
            Assert.StartsWith("default-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single());
            Assert.Equal("no-referrer", page.Headers.GetValues("Referrer-Policy").Single());
            Assert.Equal("DENY", page.Headers.GetValues("X-Frame-Options").Single());
        }
    }

    [Fact]
    public async Task A_link_expires_after_thirty_minutes_and_an_unknown_or_ended_one_is_not_found()
    {
        var id = await _rpc.CreateSessionAsync(("ImageId", "code_latest"));
        var url = new Uri(await ResourceUrlAsync(id));
        _clock.Advance(TimeSpan.FromMinutes(29) + TimeSpan.FromSeconds(59));
        using (var stillValid = await _http.GetAsync(url))
        {
            Assert.Equal(HttpStatusCode.OK, stillValid.StatusCode);
        }

        _clock.Advance(TimeSpan.FromSeconds(1));
        using (var expired = await _http.GetAsync(url))
        {
            Assert.Equal(HttpStatusCode.Gone, expired.StatusCode);
            Assert.Contains("This live view link has expired", await expired.Content.ReadAsStringAsync());
        }

        var socketRefusal = await Assert.ThrowsAsync<WebSocketException>(() => ConnectAsync(url, OwnOrigin()));
        Assert.Contains("410", socketRefusal.Message);

        using (var unknown = await _http.GetAsync(new Uri(_emulator.Endpoint, "/resource/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
            Assert.Contains("No session at this link", await unknown.Content.ReadAsStringAsync());
        }

        var live = new Uri(await ResourceUrlAsync(id));
        (await _rpc.CallAsync("ReleaseMcpSession", ("SessionId", id))).AssertOk();
        using var ended = await _http.GetAsync(live);
        Assert.Equal(HttpStatusCode.NotFound, ended.StatusCode);
    }

    [Fact]
    public async Task A_session_keeps_its_newest_links_however_often_it_is_described()
    {
        var id = await _rpc.CreateSessionAsync(("ImageId", "code_latest"));
        var urls = new List<Uri>();
        for (var i = 0; i <= 32; i++)
        {
            urls.Add(new Uri(await ResourceUrlAsync(id)));
        }

        using var oldest = await _http.GetAsync(urls[0]);
        Assert.Equal(HttpStatusCode.NotFound, oldest.StatusCode);
        foreach (var kept in new[] { urls[1], urls[^1] })
        {
            using var page = await _http.GetAsync(kept);
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        }
    }

    [Fact]
    public async Task The_socket_answers_only_the_emulators_own_page()
    {
        var id = await _rpc.CreateSessionAsync(("ImageId", "code_latest"));
        var url = new Uri(await ResourceUrlAsync(id));

        foreach (var origin in new[] { "http://evil.example", "null", _emulator.Endpoint.GetLeftPart(UriPartial.Scheme) + "localhost:1", null })
        {
            var refusal = await Assert.ThrowsAsync<WebSocketException>(() => ConnectAsync(url, origin));
            Assert.Contains("403", refusal.Message);
        }

        // A page under another host name (DNS rebinding) is refused by the browser-request guard before the token is looked at.
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Host = "rebound.example:" + _emulator.Endpoint.Port;
        using var rebound = await _http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Forbidden, rebound.StatusCode);

        // A person may follow the link from any site: the page itself opens on a cross-site navigation.
        using var navigation = new HttpRequestMessage(HttpMethod.Get, url);
        navigation.Headers.Add("Sec-Fetch-Site", "cross-site");
        navigation.Headers.Add("Sec-Fetch-Mode", "navigate");
        using var followed = await _http.SendAsync(navigation);
        Assert.Equal(HttpStatusCode.OK, followed.StatusCode);

        using var own = await ConnectAsync(url, OwnOrigin());
        Assert.Equal(WebSocketState.Open, own.State);
    }

    [Fact]
    public async Task The_terminal_streams_a_commands_output_from_its_own_session_only()
    {
        var mine = await _rpc.CreateSessionAsync(("ImageId", "code_latest"));
        var other = await _rpc.CreateSessionAsync(("ImageId", "code_latest"));
        await _rpc.ToolAsync(mine, "write_file", """{"path":"mine.txt","content":"m","mode":"overwrite"}""");
        await _rpc.ToolAsync(other, "write_file", """{"path":"other.txt","content":"o","mode":"overwrite"}""");

        using var socket = await ConnectAsync(new Uri(await ResourceUrlAsync(mine)), OwnOrigin());
        var files = await ReceiveUntilAsync(socket, m => m.GetProperty("type").GetString() == "files");
        Assert.EndsWith(mine, files.GetProperty("path").GetString());
        Assert.Equal("[FILE] mine.txt", files.GetProperty("listing").GetString());

        await SendAsync(socket, """{"type":"run","command":"pwd; ls; echo oops >&2; exit 3"}""");
        var output = new StringBuilder();
        var errors = new StringBuilder();
        var exit = await ReceiveUntilAsync(socket, m =>
        {
            if (m.GetProperty("type").GetString() == "out")
            {
                (m.GetProperty("stream").GetString() == "stderr" ? errors : output).Append(m.GetProperty("text").GetString());
            }

            return m.GetProperty("type").GetString() == "exit";
        });
        Assert.Equal(3, exit.GetProperty("code").GetInt32());
        Assert.Equal(files.GetProperty("path").GetString() + "\nmine.txt\n", output.ToString());
        Assert.Equal("oops\n", errors.ToString());
        Assert.DoesNotContain(other, output.ToString());
    }

    [Fact]
    public async Task An_open_view_is_told_when_its_session_ends()
    {
        var id = await _rpc.CreateSessionAsync(("ImageId", "code_latest"));
        using var socket = await ConnectAsync(new Uri(await ResourceUrlAsync(id)), OwnOrigin());
        await ReceiveUntilAsync(socket, m => m.GetProperty("type").GetString() == "files");

        (await _rpc.CallAsync("ReleaseMcpSession", ("SessionId", id))).AssertOk();

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var buffer = new byte[1 << 16];
        WebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer, deadline.Token);
        }
        while (result.MessageType != WebSocketMessageType.Close);
        Assert.Equal("the session has ended", result.CloseStatusDescription);
    }

    [Fact]
    public async Task The_browser_is_watched_only_while_a_viewer_is_connected()
    {
        Assert.True(_emulator.BrowserUnavailableReason is null, _emulator.BrowserUnavailableReason);
        var id = await _rpc.CreateSessionAsync(("ImageId", "browser_latest"));
        var link = (await _rpc.CallAsync("GetCdpLink", ("SessionId", id))).AssertOk().Data.GetProperty("Url").GetString()!;
        // The first use starts the session's browser: a hang guard, not a speed limit.
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await using var cdp = await Gateway.CdpClient.ConnectAsync(new Uri(link), deadline.Token);
        var (pages, attached) = await cdp.CountAttachedPagesAsync(deadline.Token);
        Assert.Equal(0, attached);

        using (var viewer = await ConnectAsync(new Uri(await ResourceUrlAsync(id)), OwnOrigin()))
        {
            var frame = await ReceiveUntilAsync(viewer, m => m.GetProperty("type").GetString() == "frame");
            Assert.True(Convert.FromBase64String(frame.GetProperty("data").GetString()!) is [0xFF, 0xD8, ..], "a frame is a JPEG");
            (pages, attached) = await cdp.CountAttachedPagesAsync(deadline.Token);
            Assert.Equal(1, attached);
            await viewer.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", deadline.Token);
        }

        // The emulator stops the screencast and detaches once its viewer has gone.
        while ((await cdp.CountAttachedPagesAsync(deadline.Token)).Attached != 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), deadline.Token);
        }

        Assert.True(pages >= 1);
    }

    private async Task<string> ResourceUrlAsync(string sessionId) =>
        (await _rpc.CallAsync("GetMcpResource", ("SessionId", sessionId))).AssertOk().Data.GetProperty("ResourceUrl").GetString()!;

    private string OwnOrigin() => _emulator.Endpoint.GetLeftPart(UriPartial.Authority);

    private static async Task<ClientWebSocket> ConnectAsync(Uri page, string? origin)
    {
        var socket = new ClientWebSocket();
        if (origin is not null)
        {
            socket.Options.SetRequestHeader("Origin", origin);
        }

        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await socket.ConnectAsync(new Uri("ws://" + page.Authority + page.AbsolutePath + "/ws"), timeout.Token);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static Task SendAsync(ClientWebSocket socket, string json) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, CancellationToken.None);

    /// <summary>Reads messages until one matches (a hang guard of 60 s, not a speed limit).</summary>
    private static async Task<JsonElement> ReceiveUntilAsync(ClientWebSocket socket, Func<JsonElement, bool> match)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var buffer = new byte[1 << 20];
        while (true)
        {
            var length = 0;
            WebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(new ArraySegment<byte>(buffer, length, buffer.Length - length), deadline.Token);
                length += result.Count;
            }
            while (!result.EndOfMessage);

            Assert.NotEqual(WebSocketMessageType.Close, result.MessageType);
            using var doc = JsonDocument.Parse(buffer.AsMemory(0, length));
            if (match(doc.RootElement))
            {
                return doc.RootElement.Clone();
            }
        }
    }

    private sealed class ManualClock : TimeProvider
    {
        private long _ticks = DateTimeOffset.UtcNow.UtcTicks;

        public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }
}
