using AgentBay.Lite.Emulator;
using AgentBay.Lite.Testing;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.Extensions.DependencyInjection;

namespace AgentBay.Lite.Benchmarks;

/// <summary>
/// Issue 19's fleet figure: 10 cold "function instances" — each a fresh <see cref="ServiceProvider"/> with its own
/// client, HTTP stack and in-process cache, started one after another — each asking for the same 100 links (fan-out),
/// against the in-process emulator answering GetLink after 10 ms, without and with the shared tier over a real
/// redis-server on loopback (emptied before every run, so each run starts with a cold fleet). The GetLink requests a
/// run sends are read from the emulator's counter and printed at the end; a run that sends other than 1,000 (without)
/// or more than 100 plus a few (with) throws.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Config))]
public class SharedLinkFleetBenchmarks : IAsyncDisposable
{
    private const int Instances = 10;
    private const int Links = 100;

    private AgentBayEmulator _emulator = null!;
    private RedisServer _redis = null!;
    private LinkTarget[] _links = [];
    private long _before;
    private readonly List<long> _sentWithout = [];
    private readonly List<long> _sentWith = [];

    /// <summary>Synchronous on purpose: BenchmarkDotNet's in-process toolchain does not await an async setup.</summary>
    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    private async Task SetupAsync()
    {
        var options = new AgentBayEmulatorOptions();
        options.LatencyByAction["GetLink"] = new LatencyProfile(TimeSpan.FromMilliseconds(10));
        _emulator = await AgentBayEmulator.StartAsync(options);
        _redis = await RedisServer.StartAsync();
        using AgentBayClient setup = EmulatorLinks.CreateUncachedClient(_emulator);
        _links = await EmulatorLinks.DistinctLinksAsync(setup, Links);
    }

    [IterationSetup]
    public void EmptyTheFleet()
    {
        if (_redis.SendAsync("FLUSHALL").GetAwaiter().GetResult() != "+OK")
        {
            throw new InvalidOperationException("FLUSHALL failed.");
        }

        _before = _emulator.GetRequestCount("GetLink");
    }

    /// <summary>Every instance fetches all 100 links itself: the in-process cache helps only the process that filled it.</summary>
    [Benchmark(Baseline = true)]
    public async Task Ten_cold_instances_in_process_cache_only()
    {
        await RunFleetAsync(shared: false);
        Record(_sentWithout, expectedAtMost: Instances * Links, expectedAtLeast: Instances * Links);
    }

    /// <summary>The first instance fetches the 100 links; the other nine find them in Redis.</summary>
    [Benchmark]
    public async Task Ten_cold_instances_with_shared_tier()
    {
        await RunFleetAsync(shared: true);
        Record(_sentWith, expectedAtMost: Links + 10, expectedAtLeast: Links);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        if (_sentWithout.Count > 0)
        {
            Console.WriteLine($"// GetLink requests per run, in-process cache only: {string.Join(", ", _sentWithout.Distinct())}");
        }

        if (_sentWith.Count > 0)
        {
            Console.WriteLine($"// GetLink requests per run, with shared tier: {string.Join(", ", _sentWith.Distinct())}");
        }

        DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    public async ValueTask DisposeAsync()
    {
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }

        if (_emulator is not null)
        {
            await _emulator.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    private async Task RunFleetAsync(bool shared)
    {
        for (int i = 0; i < Instances; i++)
        {
            var services = new ServiceCollection();
            IHttpClientBuilder agentBay = services.AddAgentBay(o =>
            {
                o.ApiKey = _emulator.ApiKey;
                o.Endpoint = _emulator.Endpoint;
            });
            if (shared)
            {
                services.AddStackExchangeRedisCache(o => o.Configuration = _redis.Configuration);
                agentBay.WithSharedLinkCache();
            }

            await using ServiceProvider instance = services.BuildServiceProvider();
            var results = await instance.GetRequiredService<IAgentBayClient>().GetLinksAsync(_links);
            EmulatorLinks.ThrowIfAnyFailed(results, Links);
        }
    }

    private void Record(List<long> runs, long expectedAtMost, long expectedAtLeast)
    {
        long sent = _emulator.GetRequestCount("GetLink") - _before;
        if (sent > expectedAtMost || sent < expectedAtLeast)
        {
            throw new InvalidOperationException($"A fleet run sent {sent} GetLinks, expected {expectedAtLeast}-{expectedAtMost}.");
        }

        runs.Add(sent);
    }

    private sealed class Config : ManualConfig
    {
        public Config() => FullRunCounts.Apply(this, warmups: 2, iterations: 10); // [IterationSetup] makes each iteration one invocation
    }
}
