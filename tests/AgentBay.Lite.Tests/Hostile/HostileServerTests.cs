using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using AgentBay.Lite.Backend;
using AgentBay.Lite.Tests.Rpc;

namespace AgentBay.Lite.Tests.Hostile;

/// <summary>
/// What a wrong or hostile server must not be able to do to the SDK: redirect the form (with the API key) elsewhere,
/// make it allocate or loop on a made-up file size, park a call for days with Retry-After, have a rejected
/// certificate retried, or get the key echoed into an exception message.
/// </summary>
public sealed class HostileServerTests
{
    private const string Key = "akm-hostile-secret-0123456789";

    [Theory]
    [InlineData(301)]
    [InlineData(302)]
    [InlineData(307)]
    [InlineData(308)]
    public async Task A_redirect_through_the_callers_handler_is_reported_and_nothing_reaches_the_other_host(int status)
    {
        using var elsewhere = new RecordingServer(HttpStatusCode.OK, location: null);
        using var gateway = new RecordingServer((HttpStatusCode)status, location: elsewhere.Root);
        using var handler = new SocketsHttpHandler(); // follows redirects unless told otherwise
        await using var client = new AgentBayClient(new AgentBayOptions
        {
            ApiKey = Key,
            Endpoint = gateway.Root,
            HttpMessageHandler = handler,
            LinkCache = { Enabled = false },
        });

        var error = await Assert.ThrowsAsync<AgentBayProtocolException>(() => client.GetLinkAsync("s-1", LinkRequest.Cdp).AsTask());

        Assert.Contains($"HTTP {status}", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, gateway.Connections);
        Assert.Equal(0, elsewhere.Connections);
    }

    [Theory]
    [InlineData(307)]
    [InlineData(308)]
    public async Task A_callers_HttpClient_that_follows_a_redirect_never_reposts_the_form(int status)
    {
        using var elsewhere = new RecordingServer(HttpStatusCode.OK, location: null);
        using var gateway = new RecordingServer((HttpStatusCode)status, location: elsewhere.Root);
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = true });
        await using var client = new AgentBayClient(new AgentBayOptions
        {
            ApiKey = Key,
            Endpoint = gateway.Root,
            HttpClient = http,
            LinkCache = { Enabled = false },
        });

        var error = await Assert.ThrowsAsync<AgentBayProtocolException>(() => client.GetLinkAsync("s-1", LinkRequest.Cdp).AsTask());

        Assert.Contains("redirected", error.Message, StringComparison.Ordinal);
        Assert.Contains(Key, gateway.Received, StringComparison.Ordinal); // the one request that was meant
        Assert.DoesNotContain(Key, elsewhere.Received, StringComparison.Ordinal);
        Assert.DoesNotContain("Authorization", elsewhere.Received, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_made_up_file_size_is_refused_before_anything_is_allocated_or_read()
    {
        var test = new TestClient();
        var calls = test.AnswerTools(new ToolResult(false, "name: huge\nsize: 2147483648\nisDirectory: false", "r"), new ToolResult(false, "AAAA", "r"));

        var error = await Assert.ThrowsAsync<AgentBayException>(() => test.Session().Files.ReadAsync("/tmp/huge"));

        Assert.Contains("SessionFiles.MaxReadSize", error.Message, StringComparison.Ordinal);
        Assert.Single(calls);
    }

    [Fact]
    public async Task A_part_longer_than_asked_for_is_a_protocol_error_not_silently_kept()
    {
        var test = new TestClient();
        int size = SessionFiles.ChunkSize + 10;
        string tooLong = Convert.ToBase64String(new byte[SessionFiles.ChunkSize * 2]);
        test.AnswerTools(new ToolResult(false, $"size: {size}\nisDirectory: false", "r"), new ToolResult(false, tooLong, "r"));

        var error = await Assert.ThrowsAsync<AgentBayProtocolException>(() => test.Session().Files.ReadAsync("/tmp/f"));

        Assert.Contains($"with {SessionFiles.ChunkSize * 2} bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_Retry_After_beyond_the_documented_maximum_surfaces_at_once_even_without_an_overall_limit()
    {
        var test = new TestClient(o =>
        {
            o.LinkCache.Enabled = false;
            o.Retry.TotalTimeout = Timeout.InfiniteTimeSpan;
        });
        var elevenDays = TimeSpan.FromDays(11);
        test.Backend.GetLinkAsync("s1", LinkRequest.Cdp, Arg.Any<CancellationToken>()).Returns<LinkRecord>(_ =>
            throw new AgentBayThrottledException("throttled", elevenDays, "Throttling.User", "slow down", "r", HttpStatusCode.TooManyRequests));

        var error = await Assert.ThrowsAsync<AgentBayThrottledException>(() => test.Client.GetLinkAsync("s1", LinkRequest.Cdp).AsTask());

        Assert.Equal(elevenDays, error.RetryAfter);
        await test.Backend.Received(1).GetLinkAsync("s1", LinkRequest.Cdp, Arg.Any<CancellationToken>());
    }

    [Fact]
    public void MaxRetryAfter_must_not_be_negative()
    {
        var error = Assert.Throws<ArgumentException>(() => new AgentBayClient(new AgentBayOptions { ApiKey = Key, Retry = { MaxRetryAfter = TimeSpan.FromSeconds(-1) } }));

        Assert.Contains("Retry.MaxRetryAfter", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_rejected_certificate_is_not_retried(bool classifiedByDotNet)
    {
        var test = new TestClient(o => o.LinkCache.Enabled = false);
        HttpRequestException tlsFailure = classifiedByDotNet
            ? new HttpRequestException(HttpRequestError.SecureConnectionError, "The SSL connection could not be established.", new AuthenticationException("RemoteCertificateNameMismatch"))
            : new HttpRequestException("The SSL connection could not be established.", new AuthenticationException("RemoteCertificateChainErrors"));
        test.Backend.GetLinkAsync("s1", LinkRequest.Cdp, Arg.Any<CancellationToken>()).Returns<LinkRecord>(_ => throw WireFailures.Map(tlsFailure));

        var error = await Assert.ThrowsAsync<AgentBayException>(() => test.Client.GetLinkAsync("s1", LinkRequest.Cdp).AsTask());

        Assert.Same(tlsFailure, error.InnerException);
        await test.Backend.Received(1).GetLinkAsync("s1", LinkRequest.Cdp, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task A_service_that_echoes_the_request_does_not_put_the_key_into_the_exception()
    {
        using var host = new RpcTestHost();
        host.Answer(
            $$"""{"RequestId":"R-1","Success":false,"Code":"InvalidParameter","Message":"bad form: Authorization=Bearer {{RpcTestHost.ApiKey}}&SessionId=s1 (key {{RpcTestHost.ApiKey}}, also akm-other-key-42)"}""",
            HttpStatusCode.BadRequest);

        var error = await Assert.ThrowsAnyAsync<AgentBayException>(() => host.Backend.GetLinkAsync("s1", LinkRequest.Cdp, CancellationToken.None));

        Assert.DoesNotContain(RpcTestHost.ApiKey, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(RpcTestHost.ApiKey, error.ServerMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("akm-other-key-42", error.Message, StringComparison.Ordinal);
        Assert.Contains("bad form", error.ServerMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_proxy_page_that_echoes_the_form_does_not_put_the_key_into_the_excerpt()
    {
        using var host = new RpcTestHost();
        host.Answer($"<html><pre>Authorization=Bearer%20{RpcTestHost.ApiKey}&amp;SessionId=s1</pre></html>", HttpStatusCode.BadGateway);

        var error = await Assert.ThrowsAsync<AgentBayProtocolException>(() => host.Backend.GetLinkAsync("s1", LinkRequest.Cdp, CancellationToken.None));

        Assert.DoesNotContain(RpcTestHost.ApiKey, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(RpcTestHost.ApiKey, error.BodyExcerpt, StringComparison.Ordinal);
        Assert.Contains("SessionId=s1", error.BodyExcerpt, StringComparison.Ordinal);
    }

    /// <summary>
    /// A loopback HTTP/1.1 server that records the raw bytes it receives and answers each request with one status (and
    /// a <c>Location</c> when given). Counts connections, so a handler that never connected is visible.
    /// </summary>
    private sealed class RecordingServer : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly StringBuilder _received = new();
        private readonly HttpStatusCode _status;
        private readonly Uri? _location;
        private int _connections;

        public RecordingServer(HttpStatusCode status, Uri? location)
        {
            _status = status;
            _location = location;
            _listener.Start();
            Root = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
            _ = AcceptAsync();
        }

        public Uri Root { get; }

        public int Connections => Volatile.Read(ref _connections);

        public string Received
        {
            get
            {
                lock (_received)
                {
                    return _received.ToString();
                }
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            _stop.Dispose();
        }

        private async Task AcceptAsync()
        {
            try
            {
                while (true)
                {
                    Socket socket = await _listener.AcceptSocketAsync(_stop.Token);
                    Interlocked.Increment(ref _connections);
                    _ = ServeAsync(socket);
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }
        }

        private async Task ServeAsync(Socket socket)
        {
            using (socket)
            {
                var buffer = new byte[64 * 1024];
                var pending = new StringBuilder();
                try
                {
                    while (true)
                    {
                        int read = await socket.ReceiveAsync(buffer, _stop.Token);
                        if (read == 0)
                        {
                            return;
                        }

                        string text = Encoding.ASCII.GetString(buffer, 0, read);
                        lock (_received)
                        {
                            _received.Append(text);
                        }

                        pending.Append(text);
                        if (!HasWholeRequest(pending.ToString()))
                        {
                            continue;
                        }

                        pending.Clear();
                        string location = _location is null ? string.Empty : $"Location: {_location}next\r\n";
                        string body = _status == HttpStatusCode.OK ? """{"Success":true,"Data":{"Url":"wss://x/websocket_ai/t"}}""" : string.Empty;
                        await socket.SendAsync(Encoding.ASCII.GetBytes(
                            $"HTTP/1.1 {(int)_status} X\r\n{location}Content-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n{body}"), _stop.Token);
                    }
                }
                catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                }
            }
        }

        private static bool HasWholeRequest(string text)
        {
            int end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end < 0)
            {
                return false;
            }

            string? lengthLine = text[..end].Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
            int length = lengthLine is null ? 0 : int.Parse(lengthLine["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
            return text.Length >= end + 4 + length;
        }
    }
}
