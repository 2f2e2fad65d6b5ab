using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AgentBay.Lite.IntegrationTests.Errors;

/// <summary>
/// A redirect is not followed: the official clients do not follow one either, and a gateway that redirects an RPC
/// means the endpoint is wrong. It surfaces as a protocol failure naming the status, after exactly one request.
/// </summary>
public sealed class RedirectTests
{
    [Fact]
    public async Task A_redirect_is_reported_not_followed()
    {
        await using var server = await RedirectingServer.StartAsync();
        await using var client = new AgentBayClient(new AgentBayOptions
        {
            ApiKey = "akm-test",
            Endpoint = server.Endpoint,
            LinkCache = { Enabled = false },
        });

        var thrown = await Assert.ThrowsAsync<AgentBayProtocolException>(() => client.GetLinkAsync("s-1", LinkRequest.Cdp).AsTask());

        Assert.Contains("HTTP 307", thrown.Message, StringComparison.Ordinal);
        Assert.Equal(1, server.Requests);
    }

    /// <summary>A loopback HTTP/1.1 server that answers every request with 307 to itself (a redirect that keeps the POST).</summary>
    private sealed class RedirectingServer : IAsyncDisposable
    {
        private readonly TcpListener _listener;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _accepting;
        private int _requests;

        private RedirectingServer(TcpListener listener)
        {
            _listener = listener;
            Endpoint = new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/");
            _accepting = AcceptAsync();
        }

        public Uri Endpoint { get; }

        public int Requests => Volatile.Read(ref _requests);

        public static Task<RedirectingServer> StartAsync()
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return Task.FromResult(new RedirectingServer(listener));
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _accepting.ContinueWith(_ => { }, TaskScheduler.Default);
            _stop.Dispose();
        }

        private async Task AcceptAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                var socket = await _listener.AcceptSocketAsync(_stop.Token);
                _ = ServeAsync(socket);
            }
        }

        private async Task ServeAsync(Socket socket)
        {
            using (socket)
            {
                var buffer = new byte[64 * 1024];
                var received = 0;
                while (!_stop.IsCancellationRequested)
                {
                    var read = await socket.ReceiveAsync(buffer.AsMemory(received), _stop.Token);
                    if (read == 0)
                    {
                        return;
                    }

                    received += read;
                    var text = Encoding.ASCII.GetString(buffer, 0, received);
                    var headerEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
                    if (headerEnd < 0)
                    {
                        continue;
                    }

                    var lengthLine = text[..headerEnd].Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
                    var bodyLength = lengthLine is null ? 0 : int.Parse(lengthLine["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
                    if (received < headerEnd + 4 + bodyLength)
                    {
                        continue;
                    }

                    Interlocked.Increment(ref _requests);
                    received = 0;
                    var answer = $"HTTP/1.1 307 Temporary Redirect\r\nLocation: {Endpoint}?again=1\r\nContent-Length: 0\r\n\r\n";
                    await socket.SendAsync(Encoding.ASCII.GetBytes(answer), _stop.Token);
                }
            }
        }
    }
}
