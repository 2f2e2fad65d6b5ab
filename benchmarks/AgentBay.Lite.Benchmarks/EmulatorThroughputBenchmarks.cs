using System.Net.Http.Headers;
using System.Text;
using AgentBay.Lite.Emulator;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;

namespace AgentBay.Lite.Benchmarks;

/// <summary>
/// GetLink throughput of the in-process AgentBay emulator over loopback HTTP/1.1 keep-alive: each operation is one
/// GetLink round trip, issued by <see cref="Concurrency"/> workers sharing one <see cref="HttpClient"/>.
/// The Op/s column is the emulator's sustained GetLink rate (client and server share the machine's cores).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(OpsPerSecondConfig))]
public class EmulatorThroughputBenchmarks : IDisposable
{
    private const int RequestsPerInvoke = 2048;

    private AgentBayEmulator _emulator = null!;
    private HttpClient _http = null!;
    private byte[] _body = null!;
    private string _path = null!;
    private int _next;

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

        // Open the keep-alive connections before measuring.
        await GetLinkFanOut();
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
}
