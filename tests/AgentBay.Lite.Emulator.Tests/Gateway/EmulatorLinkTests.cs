using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace AgentBay.Lite.Emulator.Tests.Gateway;

/// <summary>
/// The Session Link guide's three uses, over the wire against a running emulator: a web page served in the session
/// through its HTTPS link, a WebSocket service through its WSS link, the session's browser through its CDP link.
/// Services are started with the session's shell tool and files written with its file tool, so the tests hold
/// both for sessions on the host and for sandboxed ones.
/// </summary>
public sealed class EmulatorLinkTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>, IDisposable
{
    // Ports only these tests listen on (sessions without a sandbox share the host's loopback).
    private const int PagePort = 30171;
    private const int EchoPort = 30172;
    private const int BrowserPagePort = 30173;
    private const int SilentPort = 30197;

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly Rpc _rpc = new(fixture.Emulator);
    private readonly HttpClient _http = new() { Timeout = Patience };

    public void Dispose()
    {
        _rpc.Dispose();
        _http.Dispose();
    }

    [Fact]
    public async Task HttpsLink_ServesThePageWrittenAndServedInTheSession_AndStopsAfterDelete()
    {
        var id = await _rpc.CreateSessionAsync();
        var dir = await ServeAsync(id, PagePort, "<html><head><title>from the session</title></head><body>hello</body></html>");
        try
        {
            var url = await LinkAsync(id, ("ProtocolType", "https"), ("Port", PagePort.ToString(CultureInfo.InvariantCulture)));
            Assert.Matches($"^http://{Regex.Escape(fixture.Emulator.HostAndPort)}/request_ai/[0-9a-f]{{32,}}/path/$", url);

            var page = await GetWhenListeningAsync(new Uri(url));

            Assert.Contains("<title>from the session</title>", page, StringComparison.Ordinal);
        }
        finally
        {
            await StopServiceAsync(id, dir);
        }
    }

    [Fact]
    public async Task WssLink_EchoesThroughAWebSocketServiceStartedInTheSession()
    {
        var id = await _rpc.CreateSessionAsync();
        var dir = "/tmp/abl-echo-" + Guid.NewGuid().ToString("N");
        await ShellAsync(id, $"mkdir -p {dir}");
        await WriteFileAsync(id, dir + "/echo.py", await File.ReadAllTextAsync(ServiceProcess.Script("ws_echo_server.py")));
        await ShellAsync(id, $"cd {dir} && (/usr/bin/python3 echo.py {EchoPort} >/dev/null 2>&1 & echo $! > server.pid)");
        try
        {
            var url = new Uri(await LinkAsync(id, ("ProtocolType", "wss"), ("Port", EchoPort.ToString(CultureInfo.InvariantCulture))));
            Assert.Equal("ws", url.Scheme);
            await GetWhenListeningAsync(new Uri($"http://{url.Authority}{url.AbsolutePath}"), acceptAnyAnswer: true);

            using var cts = new CancellationTokenSource(Patience);
            using var socket = new ClientWebSocket();
            await socket.ConnectAsync(url, cts.Token);
            await socket.SendAsync(Encoding.UTF8.GetBytes("ping"), WebSocketMessageType.Text, true, cts.Token);
            var buffer = new byte[1024];
            var received = await socket.ReceiveAsync(buffer, cts.Token);

            Assert.Equal("echo: ping @ /", Encoding.UTF8.GetString(buffer, 0, received.Count));
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", cts.Token);
        }
        finally
        {
            await StopServiceAsync(id, dir);
        }
    }

    [Fact]
    public async Task CdpLink_DrivesTheSessionsBrowser_WhichOpensAPageServedInTheSession_AndInitBrowserLeadsToTheSameBrowser()
    {
        Assert.True(fixture.Emulator.BrowserUnavailableReason is null, fixture.Emulator.BrowserUnavailableReason);
        var id = await _rpc.CreateSessionAsync(("ImageId", "browser_latest"));
        var dir = await ServeAsync(id, BrowserPagePort, "<html><head><title>seen by the session browser</title></head></html>");
        try
        {
            var init = (await _rpc.CallAsync("InitBrowser", ("SessionId", id), ("PersistentPath", "/tmp/agentbay_browser"), ("BrowserOption", "{}"))).AssertOk();
            var port = init.Data.GetProperty("Port").GetInt32();
            Assert.InRange(port, 1, 65535);
            Assert.Equal(port, (await _rpc.CallAsync("InitBrowser", ("SessionId", id))).AssertOk().Data.GetProperty("Port").GetInt32());

            var first = (await _rpc.CallAsync("GetCdpLink", ("SessionId", id))).AssertOk().Data.GetProperty("Url").GetString()!;
            var second = await LinkAsync(id);
            Assert.StartsWith($"ws://{fixture.Emulator.HostAndPort}/websocket_ai/", first, StringComparison.Ordinal);
            await GetWhenListeningAsync(new Uri($"http://127.0.0.1:{BrowserPagePort}/"), viaSession: (id, BrowserPagePort));

            using var cts = new CancellationTokenSource(Patience);
            await using (var cdp = await CdpClient.ConnectAsync(new Uri(first), cts.Token))
            {
                Assert.Equal("seen by the session browser", await cdp.OpenAndReadTitleAsync($"http://127.0.0.1:{BrowserPagePort}/", cts.Token));
            }

            await using (var cdp = await CdpClient.ConnectAsync(new Uri(second), cts.Token))
            {
                Assert.Contains($"http://127.0.0.1:{BrowserPagePort}/", await cdp.GetPageUrlsAsync(cts.Token));
            }
        }
        finally
        {
            await StopServiceAsync(id, dir);
        }
    }

    [Fact]
    public async Task Refusals_UnknownToken404_NothingListening502NamingSessionAndPort_DeletedSession404()
    {
        var unknown = await _http.GetAsync(new Uri(fixture.Emulator.Endpoint, "/request_ai/00000000000000000000000000000000000000ff/path/"));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("Unknown link", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var id = await _rpc.CreateSessionAsync();
        var https = new Uri(await LinkAsync(id, ("ProtocolType", "https"), ("Port", SilentPort.ToString(CultureInfo.InvariantCulture))));
        var silent = await _http.GetAsync(https);
        Assert.Equal(HttpStatusCode.BadGateway, silent.StatusCode);
        Assert.Equal($"Nothing is listening on port {SilentPort} in session {id}.\n", await silent.Content.ReadAsStringAsync());

        (await _rpc.CallAsync("DeleteSessionAsync", ("SessionId", id))).AssertOk();
        var deleted = await _http.GetAsync(https);
        Assert.Equal(HttpStatusCode.NotFound, deleted.StatusCode);
    }

    [Fact]
    public async Task WithoutChromium_CdpLinksAndInitBrowserAreRefused_NamingTheDebianPackage()
    {
        await using var emulator = await AgentBayEmulator.StartAsync(new AgentBayEmulatorOptions { BrowserExecutable = "/nonexistent/chromium" });
        using var rpc = new Rpc(emulator);
        var id = await rpc.CreateSessionAsync(("ImageId", "browser_latest"));

        Assert.Contains("Debian package 'chromium'", emulator.BrowserUnavailableReason, StringComparison.Ordinal);
        foreach (var call in new[] { rpc.CallAsync("GetCdpLink", ("SessionId", id)), rpc.CallAsync("GetLink", ("SessionId", id)), rpc.CallAsync("InitBrowser", ("SessionId", id)) })
        {
            var refusal = (await call).AssertError("InvalidOperation.BrowserUnavailable");
            Assert.Contains("Debian package 'chromium'", refusal.Message, StringComparison.Ordinal);
        }

        var linux = await rpc.CreateSessionAsync();
        (await rpc.CallAsync("GetCdpLink", ("SessionId", linux))).AssertError("InvalidOperation.CdpUnsupportedImage");
        (await rpc.CallAsync("GetLink", ("SessionId", id), ("ProtocolType", "https"), ("Port", "30150"))).AssertOk();
    }

    [Fact]
    public async Task HttpsEmulator_GivesTheRealLinkShapes_AndItsHttpsLinkWorks()
    {
        await using var emulator = await AgentBayEmulator.StartAsync(new AgentBayEmulatorOptions { UseHttps = true });
        var trusted = emulator.Certificate!.RawData;
        using var rpc = new Rpc(emulator, new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, cert, _, _) => cert is not null && cert.GetRawCertData().AsSpan().SequenceEqual(trusted) },
        });
        var id = await rpc.CreateSessionAsync();

        var https = (await rpc.CallAsync("GetLink", ("SessionId", id), ("ProtocolType", "https"), ("Port", SilentPort.ToString(CultureInfo.InvariantCulture)))).AssertOk().Data.GetProperty("Url").GetString()!;
        var wss = (await rpc.CallAsync("GetLink", ("SessionId", id), ("Port", "30150"))).AssertOk().Data.GetProperty("Url").GetString()!;

        Assert.Matches($"^https://{Regex.Escape(emulator.HostAndPort)}/request_ai/[0-9a-f]{{32,}}/path/$", https);
        Assert.Matches($"^wss://{Regex.Escape(emulator.HostAndPort)}/websocket_ai/[0-9a-f]{{32,}}$", wss);
        var answer = await rpc.Http.GetAsync(new Uri(https));
        Assert.Equal(HttpStatusCode.BadGateway, answer.StatusCode);
        Assert.Contains($"port {SilentPort} in session {id}", await answer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private async Task<string> LinkAsync(string id, params (string Key, string Value)[] fields) =>
        (await _rpc.CallAsync("GetLink", [("SessionId", id), .. fields])).AssertOk().Data.GetProperty("Url").GetString()!;

    /// <summary>Writes index.html into a fresh /tmp directory of the session and serves it with <c>python3 -m http.server</c>, as the Session Link guide does.</summary>
    private async Task<string> ServeAsync(string id, int port, string html)
    {
        var dir = "/tmp/abl-page-" + Guid.NewGuid().ToString("N");
        await ShellAsync(id, $"mkdir -p {dir}");
        await WriteFileAsync(id, dir + "/index.html", html);
        await ShellAsync(id, $"cd {dir} && (python3 -m http.server {port} --bind 127.0.0.1 >/dev/null 2>&1 & echo $! > server.pid)");
        return dir;
    }

    private async Task StopServiceAsync(string id, string dir)
    {
        if ((await _rpc.CallAsync("GetSession", ("SessionId", id))).Status == HttpStatusCode.OK)
        {
            await ShellAsync(id, $"kill $(cat {dir}/server.pid); rm -rf {dir}");
            (await _rpc.CallAsync("DeleteSessionAsync", ("SessionId", id))).AssertOk();
        }
    }

    /// <summary>GETs a URL until the service behind it answers (the gateway says 502 while nothing listens yet).</summary>
    private async Task<string> GetWhenListeningAsync(Uri url, bool acceptAnyAnswer = false, (string Id, int Port)? viaSession = null)
    {
        if (viaSession is { } via)
        {
            url = new Uri(await LinkAsync(via.Id, ("ProtocolType", "https"), ("Port", via.Port.ToString(CultureInfo.InvariantCulture))));
        }

        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            using var response = await _http.GetAsync(url);
            if (response.StatusCode != HttpStatusCode.BadGateway || DateTime.UtcNow > deadline)
            {
                if (!acceptAnyAnswer)
                {
                    Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                }

                return await response.Content.ReadAsStringAsync();
            }

            await Task.Delay(50);
        }
    }

    private async Task ShellAsync(string id, string command)
    {
        var (text, isError) = await _rpc.ToolAsync(id, "shell", Json(("command", command), ("timeout_ms", "20000")));
        Assert.False(isError, text);
    }

    private async Task WriteFileAsync(string id, string path, string content)
    {
        var (text, isError) = await _rpc.ToolAsync(id, "write_file", Json(("path", path), ("content", content), ("mode", "overwrite")));
        Assert.False(isError, text);
    }

    private static string Json(params (string Key, string Value)[] fields)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            foreach (var (key, value) in fields)
            {
                if (key == "timeout_ms")
                {
                    w.WriteNumber(key, int.Parse(value, CultureInfo.InvariantCulture));
                }
                else
                {
                    w.WriteString(key, value);
                }
            }

            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
