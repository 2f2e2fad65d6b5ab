using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;

namespace AgentBay.Lite.Benchmarks;

/// <summary>
/// The link gateway's cost: the same small HTTP service reached directly and through an HTTPS link of an HTTPS
/// emulator, in one run — one request at a time (median latency) and 64 at a time (requests per second).
/// </summary>
/// <remarks>
/// <para>
/// The service is a second emulator process listening on <see cref="ServicePort"/> (a fast Kestrel server; its
/// <c>GET /_emulator/status</c> answers a few hundred bytes of JSON), so neither side is limited by a slow service.
/// The gateway emulator runs with <c>--https</c>, as the real service's links are HTTPS; its session runs on the host
/// (no sandbox), so the link leads to the same port the direct requests use. Both emulators are processes of their own,
/// so the benchmark's HttpClient load never pauses them.
/// </para>
/// <para>
/// Read: <c>Ratio</c> of the <c>OneRequest</c> pair is link latency / direct latency (median: Median column); for the
/// <c>Concurrent64</c> pair, 1 / Ratio is the share of the direct request rate the link keeps (Op/s column).
/// </para>
/// </remarks>
[Config(typeof(Config))]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class GatewayBenchmarks : IDisposable
{
    /// <summary>A port in the link range that no test of this repository serves on.</summary>
    private const int ServicePort = 30191;

    private const int Concurrency = 64;
    private const int RequestsPerWorker = 32;

    private EmulatorProcess _service = null!;
    private EmulatorProcess _gateway = null!;
    private HttpClient _http = null!;
    private Uri _direct = null!;
    private Uri _link = null!;
    private string _certificatePath = "";

    [GlobalSetup]
    public async Task Setup()
    {
        _service = await EmulatorProcess.StartAsync("--port", ServicePort.ToString(CultureInfo.InvariantCulture));
        _certificatePath = Path.Combine(Path.GetTempPath(), "agentbay-lite-bench-gateway-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + ".pem");
        // --no-sandbox: the linked port must be the host's, where the service emulator listens; a sandboxed session
        // has a loopback of its own.
        _gateway = await EmulatorProcess.StartAsync("--cert-out", _certificatePath, "--no-sandbox");
        var trusted = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(_certificatePath)).RawData;
        _http = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = Concurrency,
            SslOptions = { RemoteCertificateValidationCallback = (_, cert, _, _) => cert is not null && cert.GetRawCertData().AsSpan().SequenceEqual(trusted) },
        });
        _http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", _service.ApiKey);

        _direct = new Uri(_service.Endpoint, "_emulator/status");
        _link = new Uri(new Uri(await GetHttpsLinkAsync()), "_emulator/status");
        await CheckAsync(_direct);
        await CheckAsync(_link);
    }

    [Benchmark(Baseline = true), BenchmarkCategory("OneRequest")]
    public Task Direct_OneRequest() => GetAsync(_direct);

    [Benchmark, BenchmarkCategory("OneRequest")]
    public Task HttpsLink_OneRequest() => GetAsync(_link);

    [Benchmark(Baseline = true, OperationsPerInvoke = Concurrency * RequestsPerWorker), BenchmarkCategory("Concurrent64")]
    public Task Direct_Concurrent64() => LoadAsync(_direct);

    [Benchmark(OperationsPerInvoke = Concurrency * RequestsPerWorker), BenchmarkCategory("Concurrent64")]
    public Task HttpsLink_Concurrent64() => LoadAsync(_link);

    [GlobalCleanup]
    public void Cleanup() => Dispose();

    public void Dispose()
    {
        _http?.Dispose();
        _gateway?.Dispose();
        _service?.Dispose();
        File.Delete(_certificatePath);
        GC.SuppressFinalize(this);
    }

    private async Task GetAsync(Uri url)
    {
        using var response = await _http.GetAsync(url);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"GET {url.AbsolutePath} answered {(int)response.StatusCode}.");
        }

        await response.Content.CopyToAsync(Stream.Null);
    }

    private Task LoadAsync(Uri url) =>
        Task.WhenAll(Enumerable.Range(0, Concurrency).Select(async _ =>
        {
            for (var i = 0; i < RequestsPerWorker; i++)
            {
                await GetAsync(url);
            }
        }));

    private async Task CheckAsync(Uri url)
    {
        using var response = await _http.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.OK || !body.StartsWith('{'))
        {
            throw new InvalidOperationException($"{url} answered {(int)response.StatusCode}: {body}");
        }
    }

    /// <summary>Creates a session on the gateway emulator and asks for its HTTPS link to <see cref="ServicePort"/>.</summary>
    private async Task<string> GetHttpsLinkAsync()
    {
        async Task<JsonElement> CallAsync(string action, string form)
        {
            using var content = new StringContent($"Authorization=Bearer%20{_gateway.ApiKey}&{form}", System.Text.Encoding.UTF8, "application/x-www-form-urlencoded");
            using var response = await _http.PostAsync(new Uri(_gateway.Endpoint, "?Action=" + action), content);
            using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            return document.RootElement.GetProperty("Data").Clone();
        }

        var session = (await CallAsync("CreateMcpSession", "ImageId=linux_latest")).GetProperty("SessionId").GetString();
        return (await CallAsync("GetLink", $"SessionId={session}&ProtocolType=https&Port={ServicePort.ToString(CultureInfo.InvariantCulture)}")).GetProperty("Url").GetString()!;
    }

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            FullRunCounts.Apply(this, warmups: 5, iterations: 20);
            AddColumn(StatisticColumn.Median, StatisticColumn.OperationsPerSecond);
        }
    }
}
