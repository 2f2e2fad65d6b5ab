using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using AgentBay.Lite.Emulator;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;

namespace AgentBay.Lite.Benchmarks;

/// <summary>
/// GetLink throughput of the in-process AgentBay emulator over loopback HTTP/1.1 keep-alive: each operation is one
/// GetLink round trip, issued by <see cref="Concurrency"/> workers. <see cref="GetLinkFanOut"/> uses one shared
/// <see cref="HttpClient"/> (what an SDK does); <see cref="GetLinkRawKeepAlive"/> uses one raw socket per worker
/// writing the exact bytes the TypeScript SDK sends (like <c>wrk</c>), so less of the CPU goes to the client.
/// The Op/s column is the sustained GetLink rate; client and server share the machine's cores.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(OpsPerSecondConfig))]
public class EmulatorThroughputBenchmarks : IDisposable
{
    private const int RequestsPerInvoke = 16_384;

    private AgentBayEmulator _emulator = null!;
    private HttpClient _http = null!;
    private byte[] _body = null!;
    private string _path = null!;
    private int _next;
    private byte[] _rawRequest = null!;
    private RawConnection[] _raw = [];

    /// <summary>Requests in flight at once.</summary>
    [Params(1, 64)]
    public int Concurrency { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _emulator = await AgentBayEmulator.StartAsync();
        _http = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = Concurrency,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            UseProxy = false,
        })
        {
            BaseAddress = _emulator.Endpoint,
        };

        var create = await SendAsync("CreateMcpSession", "Authorization=Bearer%20" + _emulator.ApiKey + "&ImageId=linux_latest");
        var marker = "\"SessionId\":\"";
        var start = create.IndexOf(marker, StringComparison.Ordinal) + marker.Length;
        var sessionId = create[start..create.IndexOf('"', start)];

        _path = "/?Action=GetLink&Format=json&Version=2025-05-06&Timestamp=2026-01-24T08%3A00%3A00Z&SignatureNonce=9b2f0c1d2e3f40516273849506a7b8c9";
        _body = Encoding.UTF8.GetBytes($"Authorization=Bearer%20{_emulator.ApiKey}&Port=30150&ProtocolType=https&SessionId={sessionId}");

        var host = _emulator.Endpoint.Authority;
        _rawRequest = Encoding.ASCII.GetBytes(
            $"POST {_path} HTTP/1.1\r\nhost: {host}\r\nx-acs-version: 2025-05-06\r\nx-acs-action: GetLink\r\n"
            + "user-agent: AlibabaCloud (linux; x64) Node.js/v20.20.2 Core/1.0.1 TeaDSL/2\r\n"
            + $"content-type: application/x-www-form-urlencoded\r\nConnection: keep-alive\r\ncontent-length: {_body.Length}\r\n\r\n"
            + Encoding.ASCII.GetString(_body));
        _raw = new RawConnection[Concurrency];
        for (var i = 0; i < _raw.Length; i++)
        {
            _raw[i] = await RawConnection.OpenAsync(_emulator.Endpoint.Host, _emulator.Endpoint.Port);
        }

        // Open the keep-alive connections before measuring.
        await GetLinkFanOut();
        await GetLinkRawKeepAlive();
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        Dispose();
        await _emulator.DisposeAsync();
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _http?.Dispose();
            foreach (var connection in _raw)
            {
                connection.Dispose();
            }

            _raw = [];
        }
    }

    /// <summary><see cref="RequestsPerInvoke"/> GetLink calls spread over <see cref="Concurrency"/> workers.</summary>
    [Benchmark(OperationsPerInvoke = RequestsPerInvoke)]
    public async Task GetLinkFanOut()
    {
        _next = 0;
        var workers = new Task[Concurrency];
        for (var i = 0; i < workers.Length; i++)
        {
            workers[i] = WorkerAsync();
        }

        await Task.WhenAll(workers);
    }

    private async Task WorkerAsync()
    {
        while (Interlocked.Increment(ref _next) <= RequestsPerInvoke)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, _path) { Content = new ByteArrayContent(_body) };
            request.Content.Headers.ContentType = FormContentType;
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead);
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"GetLink answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            }
        }
    }

    /// <summary><see cref="RequestsPerInvoke"/> GetLink calls over <see cref="Concurrency"/> raw keep-alive connections.</summary>
    [Benchmark(OperationsPerInvoke = RequestsPerInvoke)]
    public async Task GetLinkRawKeepAlive()
    {
        _next = 0;
        var workers = new Task[Concurrency];
        for (var i = 0; i < workers.Length; i++)
        {
            workers[i] = RawWorkerAsync(_raw[i]);
        }

        await Task.WhenAll(workers);
    }

    private async Task RawWorkerAsync(RawConnection connection)
    {
        while (Interlocked.Increment(ref _next) <= RequestsPerInvoke)
        {
            await connection.RoundTripAsync(_rawRequest);
        }
    }

    private async Task<string> SendAsync(string action, string form)
    {
        using var content = new StringContent(form, Encoding.UTF8, "application/x-www-form-urlencoded");
        using var response = await _http.PostAsync("/?Action=" + action, content);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    private static readonly MediaTypeHeaderValue FormContentType = new("application/x-www-form-urlencoded");

    /// <summary>Adds an operations-per-second column.</summary>
    private sealed class OpsPerSecondConfig : ManualConfig
    {
        public OpsPerSecondConfig() => AddColumn(StatisticColumn.OperationsPerSecond);
    }

    /// <summary>A minimal HTTP/1.1 keep-alive client: sends a request, reads one Content-Length-framed 200 answer.</summary>
    private sealed class RawConnection : IDisposable
    {
        private static readonly byte[] HeaderEnd = "\r\n\r\n"u8.ToArray();
        private static readonly byte[] ContentLength = "content-length:"u8.ToArray();
        private readonly Socket _socket;
        private readonly byte[] _buffer = new byte[64 * 1024];
        private int _start;
        private int _end;

        private RawConnection(Socket socket) => _socket = socket;

        public static async Task<RawConnection> OpenAsync(string host, int port)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(IPAddress.Parse(host), port);
            return new RawConnection(socket);
        }

        public async Task RoundTripAsync(ReadOnlyMemory<byte> request)
        {
            await _socket.SendAsync(request, SocketFlags.None);
            while (true)
            {
                if (TryConsumeResponse())
                {
                    return;
                }

                if (_end == _buffer.Length)
                {
                    Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                    _end -= _start;
                    _start = 0;
                }

                var n = await _socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None);
                if (n == 0)
                {
                    throw new InvalidOperationException("The emulator closed the connection.");
                }

                _end += n;
            }
        }

        private bool TryConsumeResponse()
        {
            var data = _buffer.AsSpan(_start, _end - _start);
            var headerEnd = data.IndexOf(HeaderEnd);
            if (headerEnd < 0)
            {
                return false;
            }

            var headers = data[..headerEnd];
            if (!headers.StartsWith("HTTP/1.1 200"u8))
            {
                throw new InvalidOperationException("GetLink failed: " + Encoding.ASCII.GetString(headers));
            }

            var length = 0;
            foreach (var range in headers.Split((byte)'\n'))
            {
                var line = headers[range].TrimEnd((byte)'\r');
                if (line.Length > ContentLength.Length && System.Text.Ascii.EqualsIgnoreCase(line[..ContentLength.Length], ContentLength))
                {
                    length = int.Parse(Encoding.ASCII.GetString(line[ContentLength.Length..]).Trim(), CultureInfo.InvariantCulture);
                }
            }

            var total = headerEnd + HeaderEnd.Length + length;
            if (data.Length < total)
            {
                return false;
            }

            _start += total;
            if (_start == _end)
            {
                _start = _end = 0;
            }

            return true;
        }

        public void Dispose() => _socket.Dispose();
    }
}
