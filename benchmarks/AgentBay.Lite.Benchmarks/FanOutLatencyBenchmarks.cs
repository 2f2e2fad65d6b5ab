using System.Globalization;
using AgentBay.Lite.Emulator;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace AgentBay.Lite.Benchmarks;

/// <summary>
/// Target 3: 1,000 distinct links through <c>GetLinksAsync</c> at <c>MaxConcurrency = 100</c> against the in-process
/// emulator answering GetLink after 10 ms: the ideal is 1,000 / 100 × 10 ms = 100 ms. Beside it, the same links asked
/// one after another. Both report time per link (<c>OperationsPerInvoke</c>), so Ratio is 1 / speed-up; the
/// "Per 1,000 links" column is the median scaled to a 1,000-link batch. The sequential loop asks
/// <see cref="SequentialLinks"/> = 100 links per invocation instead of 1,000: every link costs the same 10 ms + one
/// round trip, so the per-link time is the same and the run takes 1 s instead of 10 s per invocation.
/// <see cref="RawHttpClient_FanOut_1000_Links"/> is the floor this machine allows: the same 1,000 GetLink forms posted
/// by a plain <see cref="HttpClient"/>, 100 at a time, with no SDK in between.
/// Ten warm-up iterations: each process starts cold, and with one warm-up the fan-out was still getting faster at the
/// tenth measured iteration (188 ms falling to 137 ms) while tiered compilation promoted the client's and the
/// emulator's code; the steady state is what a long-running service sees.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Config))]
public class FanOutLatencyBenchmarks : IAsyncDisposable
{
    private const int FanOutLinks = 1_000;
    private const int SequentialLinks = 100;
    private static readonly FanOutOptions FanOut = new() { MaxConcurrency = 100 };

    private AgentBayEmulator _emulator = null!;
    private AgentBayClient _client = null!;
    private HttpClient _rawClient = null!;
    private byte[][] _rawForms = [];
    private LinkTarget[] _links = [];

    [GlobalSetup]
    public async Task Setup()
    {
        var options = new AgentBayEmulatorOptions();
        options.LatencyByAction["GetLink"] = new LatencyProfile(TimeSpan.FromMilliseconds(10));
        _emulator = await AgentBayEmulator.StartAsync(options);
        _client = EmulatorLinks.CreateUncachedClient(_emulator);
        _links = await EmulatorLinks.DistinctLinksAsync(_client, FanOutLinks);
        _rawClient = new HttpClient { BaseAddress = _emulator.Endpoint };
        _rawForms = EmulatorLinks.RawGetLinkForms(_links, _emulator.ApiKey);
    }

    /// <summary>The floor: the same 1,000 GetLinks from a plain HttpClient, 100 at a time.</summary>
    [Benchmark(OperationsPerInvoke = FanOutLinks)]
    public Task RawHttpClient_FanOut_1000_Links() => EmulatorLinks.PostRawGetLinksAsync(_rawClient, _rawForms, FanOut.MaxConcurrency);

    /// <summary>1,000 distinct links, 100 at a time.</summary>
    [Benchmark(OperationsPerInvoke = FanOutLinks)]
    public async Task FanOut_1000_Links_MaxConcurrency100()
    {
        var results = await _client.GetLinksAsync(_links, FanOut);
        EmulatorLinks.ThrowIfAnyFailed(results, FanOutLinks);
    }

    /// <summary>The same links one after another (the first <see cref="SequentialLinks"/>).</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = SequentialLinks)]
    public async Task Sequential_GetLinkAsync()
    {
        for (var i = 0; i < SequentialLinks; i++)
        {
            var (sessionId, request) = _links[i];
            await _client.GetLinkAsync(sessionId, request);
        }
    }

    [GlobalCleanup]
    public async Task Cleanup() => await DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        _client?.Dispose();
        _rawClient?.Dispose();
        if (_emulator is not null)
        {
            await _emulator.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            FullRunCounts.Apply(this, warmups: 10, iterations: 15);
            AddColumn(new PerBatchColumn());
        }
    }

    /// <summary>The median time per link × 1,000: what a 1,000-link batch takes at that rate.</summary>
    private sealed class PerBatchColumn : IColumn
    {
        public string Id => nameof(PerBatchColumn);

        public string ColumnName => "Per 1,000 links";

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Custom;

        public int PriorityInCategory => 0;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Dimensionless;

        public string Legend => "Median time per link × 1,000: the time a batch of 1,000 links takes (ideal fan-out: 100 ms)";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            var report = summary[benchmarkCase];
            return report?.ResultStatistics is { } stats
                ? (stats.Median * FanOutLinks / 1e6).ToString("N1", CultureInfo.InvariantCulture) + " ms"
                : "NA";
        }

        public bool IsAvailable(Summary summary) => true;

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    }
}
