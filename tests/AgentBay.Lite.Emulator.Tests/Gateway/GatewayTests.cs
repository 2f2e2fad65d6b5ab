using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AgentBay.Lite.Emulator.Gateway;

namespace AgentBay.Lite.Emulator.Tests.Gateway;

/// <summary>The gateway against real services inside a real network namespace.</summary>
public sealed class GatewayTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>, IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly HttpClient _http = new() { Timeout = Patience };

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task HttpsLink_ReachesThePortInsideTheSession_NotTheHostsSamePort()
    {
        var token = fixture.Gateway.Add(fixture.Target(LinkKind.Https, fixture.HttpPort));

        var page = await _http.GetStringAsync(fixture.Gateway.RequestUrl(token, "?q=1"));

        Assert.Contains("<title>inside</title>", page, StringComparison.Ordinal);
        Assert.Contains("inside /?q=1", page, StringComparison.Ordinal);
        var direct = await _http.GetStringAsync(new Uri($"http://127.0.0.1:{fixture.HttpPort}/"));
        Assert.Contains("<title>host</title>", direct, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HttpsLink_WithoutTrailingSlash_ReachesTheRoot()
    {
        var token = fixture.Gateway.Add(fixture.Target(LinkKind.Https, fixture.HttpPort));

        var page = await _http.GetStringAsync(new Uri(fixture.Gateway.Address, $"/request_ai/{token}/path"));

        Assert.Contains("inside /</body>", page, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("PATCH")]
    public async Task LargeRequestBody_ArrivesWhole_ForEveryMethod(string method)
    {
        var token = fixture.Gateway.Add(fixture.Target(LinkKind.Https, fixture.HttpPort));
        var body = RandomNumberGenerator.GetBytes(24 * 1024 * 1024);

        using var request = new HttpRequestMessage(new HttpMethod(method), fixture.Gateway.RequestUrl(token, "upload?x=y"))
        {
            Content = new StreamContent(new MemoryStream(body)),
        };
        using var response = await _http.SendAsync(request);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(body.Length, json.RootElement.GetProperty("length").GetInt32());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(body)), json.RootElement.GetProperty("sha256").GetString());
        Assert.Equal(method, json.RootElement.GetProperty("method").GetString());
        Assert.Equal("/upload?x=y", json.RootElement.GetProperty("path").GetString());
    }

    [Fact]
    public async Task LargeResponseBody_ArrivesWhole()
    {
        var token = fixture.Gateway.Add(fixture.Target(LinkKind.Https, fixture.HttpPort));
        const int Size = 40 * 1024 * 1024;

        using var response = await _http.GetAsync(fixture.Gateway.RequestUrl(token, $"big?n={Size}"), HttpCompletionOption.ResponseHeadersRead);
        await using var stream = await response.Content.ReadAsStreamAsync();
        var hash = await SHA256.HashDataAsync(stream);

        var block = Enumerable.Range(0, 256 * 256).Select(i => (byte)(i % 256)).ToArray();
        using var expected = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (var left = Size; left > 0; left -= block.Length)
        {
            expected.AppendData(block, 0, Math.Min(left, block.Length));
        }

        Assert.Equal(expected.GetHashAndReset(), hash);
    }

    [Fact]
    public async Task ServerSentEvents_StreamThrough_TheFirstEventArrivesWhileTheServerStillHoldsTheSecond()
    {
        var token = fixture.Gateway.Add(fixture.Target(LinkKind.Https, fixture.HttpPort));
        using var cts = new CancellationTokenSource(Patience);

        using var response = await _http.GetAsync(fixture.Gateway.RequestUrl(token, "sse"), HttpCompletionOption.ResponseHeadersRead, cts.Token);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));

        // The server sends "two" only after /release; a buffering gateway would never deliver "one" first.
        Assert.Equal("data: one", await reader.ReadLineAsync(cts.Token));
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        await _http.GetStringAsync(fixture.Gateway.RequestUrl(token, "release"), cts.Token);
        Assert.Equal("", await reader.ReadLineAsync(cts.Token));
        Assert.Equal("data: two", await reader.ReadLineAsync(cts.Token));
    }

    [Fact]
    public async Task Headers_PassThrough_HopByHopOnesDoNot_AndTheServiceSeesItsOwnLoopbackAsHost()
    {
        var token = fixture.Gateway.Add(fixture.Target(LinkKind.Https, fixture.HttpPort));
        using var request = new HttpRequestMessage(HttpMethod.Get, fixture.Gateway.RequestUrl(token, "headers"));
        request.Headers.Add("X-Custom", "kept");
        request.Headers.Add("Keep-Alive", "timeout=5");
        request.Headers.Add("Proxy-Connection", "keep-alive");
        request.Headers.TE.ParseAdd("trailers");

        using var response = await _http.SendAsync(request);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var seen = json.RootElement;

        Assert.Equal("kept", seen.GetProperty("x-custom").GetString());
        Assert.Equal($"127.0.0.1:{fixture.HttpPort}", seen.GetProperty("host").GetString());
        Assert.False(seen.TryGetProperty("keep-alive", out _), "Keep-Alive was forwarded");
        Assert.False(seen.TryGetProperty("proxy-connection", out _), "Proxy-Connection was forwarded");
        Assert.False(seen.TryGetProperty("te", out _), "TE was forwarded");
    }

    [Fact]
    public async Task WssLink_EchoesThroughTheSessionsWebSocketService()
    {
        var token = fixture.Gateway.Add(fixture.Target(LinkKind.Wss, fixture.WsPort));

        var answer = await EchoAsync(fixture.Gateway.WebSocketUrl(token), "hello");

        Assert.Equal("echo: hello @ /", answer);
    }

    [Fact]
    public async Task HttpsLink_ForwardsWebSocketUpgrades_WithTheirPath()
    {
        var token = fixture.Gateway.Add(fixture.Target(LinkKind.Https, fixture.WsPort));
        var url = new Uri($"ws://{fixture.Gateway.Address.Authority}/request_ai/{token}/path/chat/room");

        var answer = await EchoAsync(url, "hi");

        Assert.Equal("echo: hi @ /chat/room", answer);
    }

    [Fact]
    public async Task UnknownToken_Is404_WithABodyThatSaysSo()
    {
        using var response = await _http.GetAsync(fixture.Gateway.RequestUrl("0123456789abcdef0123456789abcdef01234567"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("Unknown link", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RevokedToken_Is404()
    {
        var token = fixture.Gateway.Add(fixture.Target(LinkKind.Https, fixture.HttpPort));
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync(fixture.Gateway.RequestUrl(token))).StatusCode);

        fixture.Gateway.Revoke(token);
        using var response = await _http.GetAsync(fixture.Gateway.RequestUrl(token));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("Unknown link", body, StringComparison.Ordinal);
        Assert.DoesNotContain(token, body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NothingListening_Is502_NamingTheSessionAndPort()
    {
        var freePort = ServiceProcess.FreePort();
        var target = fixture.Target(LinkKind.Https, freePort);
        var token = fixture.Gateway.Add(target);

        using var response = await _http.GetAsync(fixture.Gateway.RequestUrl(token));

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal($"Nothing is listening on port {freePort} in session {target.SessionId}.\n", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task WrongRouteForTheLinkKind_Is404_ThatSaysWhichRoute()
    {
        var https = fixture.Gateway.Add(fixture.Target(LinkKind.Https, fixture.HttpPort));
        var wss = fixture.Gateway.Add(fixture.Target(LinkKind.Wss, fixture.WsPort));

        using var onWebSocketRoute = await _http.GetAsync(new Uri(fixture.Gateway.Address, $"/websocket_ai/{https}"));
        using var onRequestRoute = await _http.GetAsync(fixture.Gateway.RequestUrl(wss));

        Assert.Equal(HttpStatusCode.NotFound, onWebSocketRoute.StatusCode);
        Assert.Contains("/request_ai/", await onWebSocketRoute.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, onRequestRoute.StatusCode);
        Assert.Contains("/websocket_ai/", await onRequestRoute.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnavailableLink_Is503_WithTheResolversReason()
    {
        var token = fixture.Gateway.Add(() => throw new LinkUnavailableException("No Chromium found: install the Debian package 'chromium'."));

        using var response = await _http.GetAsync(new Uri(fixture.Gateway.Address, $"/websocket_ai/{token}"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("'chromium'", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SessionEnd_CutsAnOpenWebSocket_AndRefusesNewRequests()
    {
        using var ended = new CancellationTokenSource();
        var token = fixture.Gateway.Add(fixture.Target(LinkKind.Wss, fixture.WsPort, ended.Token));
        using var cts = new CancellationTokenSource(Patience);
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(fixture.Gateway.WebSocketUrl(token), cts.Token);
        Assert.Equal("echo: before @ /", await SendReceiveAsync(socket, "before", cts.Token));

        await ended.CancelAsync();

        var buffer = new byte[1024];
        await Assert.ThrowsAnyAsync<WebSocketException>(async () =>
        {
            // The gateway aborts the connection: the next receive ends without a close handshake.
            var result = await socket.ReceiveAsync(buffer, cts.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                throw new WebSocketException("closed");
            }
        });
        using var after = await _http.GetAsync(new Uri(fixture.Gateway.Address, $"/websocket_ai/{token}"));
        Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
    }

    private static async Task<string> EchoAsync(Uri url, string message)
    {
        using var cts = new CancellationTokenSource(Patience);
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(url, cts.Token);
        var answer = await SendReceiveAsync(socket, message, cts.Token);
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", cts.Token);
        return answer;
    }

    private static async Task<string> SendReceiveAsync(ClientWebSocket socket, string message, CancellationToken cancellationToken)
    {
        await socket.SendAsync(Encoding.UTF8.GetBytes(message), WebSocketMessageType.Text, true, cancellationToken);
        var buffer = new byte[4096];
        var result = await socket.ReceiveAsync(buffer, cancellationToken);
        return Encoding.UTF8.GetString(buffer, 0, result.Count);
    }
}
