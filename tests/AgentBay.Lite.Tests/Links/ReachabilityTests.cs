using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using AgentBay.Lite.Backend;

namespace AgentBay.Lite.Tests.Links;

/// <summary>
/// <see cref="SessionLink.WaitUntilReachableAsync"/>: knocks until the gateway stops answering "nothing listening"
/// (502/503/504), against an in-memory handler for HTTP links and a loopback server for WebSocket links.
/// </summary>
public sealed class ReachabilityTests
{
    private static readonly Uri HttpLink = new("https://gw.example.com:8008/request_ai/secret-token/path/");

    [Fact]
    public async Task Gateway_errors_mean_not_yet_and_the_first_other_answer_ends_the_wait()
    {
        var handler = new ScriptedHandler(HttpStatusCode.BadGateway, HttpStatusCode.ServiceUnavailable, HttpStatusCode.GatewayTimeout, HttpStatusCode.OK);
        SessionLink link = Link(HttpLink, handler);

        await link.WaitUntilReachableAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(4, handler.Requests.Count);
        Assert.All(handler.Requests, r => Assert.Equal((HttpMethod.Get, HttpLink), r));
    }

    [Fact]
    public async Task The_services_own_error_answer_counts_as_reachable()
    {
        var handler = new ScriptedHandler(HttpStatusCode.BadGateway, HttpStatusCode.NotFound);

        await Link(HttpLink, handler).WaitUntilReachableAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(2, handler.Requests.Count);
    }

    [Fact]
    public async Task A_link_that_never_answers_ends_in_a_typed_timeout_that_hides_the_token()
    {
        var handler = new ScriptedHandler(HttpStatusCode.BadGateway);

        var error = await Assert.ThrowsAsync<AgentBayTimeoutException>(
            () => Link(HttpLink, handler).WaitUntilReachableAsync(TimeSpan.FromMilliseconds(400)));

        Assert.Equal(TimeSpan.FromMilliseconds(400), error.Timeout);
        Assert.Contains("HTTP 502", error.Message, StringComparison.Ordinal);
        Assert.Contains("WaitUntilReachableAsync", error.Message, StringComparison.Ordinal);
        Assert.Contains("request_ai/***/path/", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-token", error.Message, StringComparison.Ordinal);
        Assert.True(handler.Requests.Count >= 2, $"knocked {handler.Requests.Count} times");
    }

    [Fact]
    public async Task Cancelling_ends_the_wait_and_the_knock_in_flight_with_OperationCanceledException()
    {
        var handler = new ScriptedHandler(HttpStatusCode.OK) { Hang = true };
        using var cts = new CancellationTokenSource();

        Task wait = Link(HttpLink, handler).WaitUntilReachableAsync(TimeSpan.FromMinutes(5), cts.Token);
        await handler.FirstRequest.Task;
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait);
        Assert.True(handler.SawCancellation.Task.IsCompletedSuccessfully, "the knock in flight was not cancelled");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public async Task A_timeout_that_is_not_positive_and_finite_is_refused(int milliseconds)
    {
        var handler = new ScriptedHandler(HttpStatusCode.OK);
        TimeSpan timeout = milliseconds == -1 ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(milliseconds);

        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Link(HttpLink, handler).WaitUntilReachableAsync(timeout));

        Assert.Equal("timeout", error.ParamName);
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task A_websocket_link_is_reachable_once_the_upgrade_is_accepted()
    {
        using var server = new LoopbackWebSocketServer(refusals: 2);

        await Link(new Uri($"ws://127.0.0.1:{server.Port}/websocket_ai/secret-token"), new SocketsHttpHandler())
            .WaitUntilReachableAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(3, await server.Handshakes);
    }

    [Fact]
    public async Task A_port_nobody_listens_on_is_not_yet_reachable()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // connections to it are now refused

        var error = await Assert.ThrowsAsync<AgentBayTimeoutException>(
            () => Link(new Uri($"http://127.0.0.1:{port}/request_ai/t/path/"), new SocketsHttpHandler()).WaitUntilReachableAsync(TimeSpan.FromMilliseconds(300)));

        Assert.Contains("no answer", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080/request_ai/tok/path/")]
    [InlineData("ws://127.0.0.1:8080/websocket_ai/tok")]
    [InlineData("https://gw.example.com:8008/request_ai/tok/path/")]
    [InlineData("wss://gw.example.com:8008/websocket_ai/tok")]
    public async Task Links_from_a_plain_http_emulator_are_taken_as_issued(string url)
    {
        var test = new TestClient();
        test.Backend.GetLinkAsync("s1", LinkRequest.Https(30150), Arg.Any<CancellationToken>()).Returns(new LinkRecord(new Uri(url), "r"));

        SessionLink link = await test.Client.GetLinkAsync("s1", LinkRequest.Https(30150));

        Assert.Equal(new Uri(url), link.Url);
        Assert.DoesNotContain("tok", link.ToString(), StringComparison.Ordinal);
        Assert.StartsWith(new Uri(url).GetLeftPart(UriPartial.Authority), link.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://gw:8008/request_ai/abc/path/", "https://gw:8008/request_ai/***/path/")]
    [InlineData("wss://gw:8008/websocket_ai/abc", "wss://gw:8008/websocket_ai/***")]
    [InlineData("wss://gw/websocket_ai/abc?token=x", "wss://gw/websocket_ai/***?***")]
    [InlineData("wss://gw/devtools/browser/abc", "wss://gw/***")]
    [InlineData("https://user:pw@gw/request_ai/abc/path/", "https://gw/request_ai/***/path/")]
    public void ToString_hides_the_token(string url, string expected) =>
        Assert.Equal(expected, Link(new Uri(url), new ScriptedHandler()).ToString());

    private static SessionLink Link(Uri url, HttpMessageHandler handler) =>
        new(url, LinkRequest.Https(30150), "s1", "r", DateTimeOffset.UnixEpoch, TimeProvider.System, new LinkProbe(handler, ownsHandler: true));

    /// <summary>Answers each request with the next status of a script, repeating the last one.</summary>
    private sealed class ScriptedHandler(params HttpStatusCode[] script) : HttpMessageHandler
    {
        public List<(HttpMethod, Uri?)> Requests { get; } = [];

        public bool Hang { get; init; }

        public TaskCompletionSource FirstRequest { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource SawCancellation { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            HttpStatusCode status;
            lock (Requests)
            {
                Requests.Add((request.Method, request.RequestUri));
                status = script[Math.Min(Requests.Count, script.Length) - 1];
            }

            FirstRequest.TrySetResult();
            if (Hang)
            {
                try
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    SawCancellation.TrySetResult();
                    throw;
                }
            }

            return new HttpResponseMessage(status) { RequestMessage = request };
        }
    }

    /// <summary>
    /// A loopback server that refuses the first <c>refusals</c> WebSocket handshakes with 502, as the gateway does
    /// while nothing listens in the session, then accepts one.
    /// </summary>
    private sealed class LoopbackWebSocketServer : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly Task<int> _serving;

        public LoopbackWebSocketServer(int refusals)
        {
            _listener.Start();
            _serving = ServeAsync(refusals);
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        /// <summary>How many handshakes arrived, refused ones included, once one was accepted.</summary>
        public Task<int> Handshakes => _serving;

        public void Dispose() => _listener.Dispose();

        private async Task<int> ServeAsync(int refusals)
        {
            for (int handshake = 1; ; handshake++)
            {
                using TcpClient client = await _listener.AcceptTcpClientAsync();
                NetworkStream stream = client.GetStream();
                string head = await ReadHeadAsync(stream);
                string key = head.Split("\r\n").First(l => l.StartsWith("Sec-WebSocket-Key:", StringComparison.OrdinalIgnoreCase))[18..].Trim();
                if (handshake <= refusals)
                {
                    await stream.WriteAsync("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray());
                    continue;
                }

#pragma warning disable CA5350 // RFC 6455 §4.2.2 fixes SHA-1 for the accept key; it protects nothing.
                string accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
#pragma warning restore CA5350
                await stream.WriteAsync(Encoding.ASCII.GetBytes(
                    $"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"));

                // The client's close frame arrives next; reading it proves the handshake was closed, not dropped.
                byte[] frame = new byte[2];
                await stream.ReadExactlyAsync(frame);
                Assert.Equal(0x88, frame[0]); // FIN + close opcode
                return handshake;
            }
        }

        private static async Task<string> ReadHeadAsync(NetworkStream stream)
        {
            var head = new StringBuilder();
            byte[] one = new byte[1];
            while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
            {
                await stream.ReadExactlyAsync(one);
                head.Append((char)one[0]);
            }

            return head.ToString();
        }
    }
}
