using AgentBay.Lite.Emulator;
using BenchmarkDotNet.Attributes;

namespace AgentBay.Lite.Benchmarks;

/// <summary>
/// One tool call through the SDK by its two routes against the emulator, in one run: the API route (CallMcpTool, a
/// form POST to the gateway with the API key) and the direct route (POST {link_url}/callTool with the session's
/// token). The tool is <c>write_file</c> of a few bytes, so what differs is the route, not the tool's work.
/// <see cref="Setup"/> checks, through the emulator's counters, that each client really takes its route.
/// </summary>
[MemoryDiagnoser]
public class ToolRouteBenchmarks : IAsyncDisposable
{
    private AgentBayEmulator _emulator = null!;
    private AgentBayClient _apiClient = null!;
    private AgentBayClient _directClient = null!;
    private AgentBaySession _viaApi = null!;
    private AgentBaySession _viaDirect = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        _emulator = await AgentBayEmulator.StartAsync();
        _apiClient = new AgentBayClient(new AgentBayOptions { ApiKey = _emulator.ApiKey, Endpoint = _emulator.Endpoint, UseDirectToolRoute = false });
        _directClient = new AgentBayClient(new AgentBayOptions { ApiKey = _emulator.ApiKey, Endpoint = _emulator.Endpoint });
        _viaApi = await _apiClient.CreateSessionAsync();
        _viaDirect = await _directClient.CreateSessionAsync();

        await Api_WriteFile();
        await Direct_WriteFile();
        if (_emulator.GetRequestCount("CallMcpTool") != 1 || _emulator.GetRequestCount("CallToolDirect") != 1)
        {
            throw new InvalidOperationException("The two clients did not take one route each.");
        }
    }

    /// <summary>The API route: CallMcpTool.</summary>
    [Benchmark(Baseline = true)]
    public Task Api_WriteFile() => _viaApi.Files.WriteAsync("bench.txt", "route");

    /// <summary>The direct route: POST {link_url}/callTool.</summary>
    [Benchmark]
    public Task Direct_WriteFile() => _viaDirect.Files.WriteAsync("bench.txt", "route");

    [GlobalCleanup]
    public async Task CleanupAsync() => await DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        await _viaApi.DisposeAsync();
        await _viaDirect.DisposeAsync();
        await _apiClient.DisposeAsync();
        await _directClient.DisposeAsync();
        await _emulator.DisposeAsync();
    }
}
