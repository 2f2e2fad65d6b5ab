using System.ComponentModel;
using AgentBay.Lite.Caching;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;

namespace AgentBay.Lite.Benchmarks;

/// <summary>
/// Issue 19's decision, in one run: the SDK's own <see cref="SingleFlightCache{TKey, TValue}"/> against
/// <see cref="HybridCache"/> with its memory tier only (no <c>IDistributedCache</c> registered), for a hit and for a
/// 1,000-caller stampede on a cold key. HybridCache gets its best case: an immutable value (marked
/// <see cref="ImmutableObjectAttribute"/>, so its memory tier hands out the instance instead of a deserialized copy)
/// and, in one variant, a key string built once; the other variant builds the string key per call, as the link
/// service would have to from a session id and a <see cref="LinkRequest"/>. Rule: if HybridCache is within 2x of ours
/// on hits with zero or near-zero allocations, it takes both tiers; otherwise ours stays in front.
/// </summary>
[MemoryDiagnoser]
public class HybridCacheDecisionBenchmarks : IDisposable
{
    private const int StampedeCallers = 1_000;
    private const string SessionId = "session-04bdwfj7u688ec96t";
    private static readonly LinkRequest Request = LinkRequest.Https(30150);
    private static readonly SessionLink Link = new(new Uri("https://127.0.0.1:8910/request_ai/bench-token/path/"), Request, SessionId, "req-1", DateTimeOffset.UtcNow);
    private static readonly HybridCacheEntryOptions Entry = new() { Expiration = TimeSpan.FromMinutes(5), LocalCacheExpiration = TimeSpan.FromMinutes(5) };

    private readonly Func<LinkKey, int, CancellationToken, Task<SessionLink>> _ourFetch = static (_, _, _) => Task.FromResult(Link);
    private readonly Func<int, CancellationToken, ValueTask<ImmutableLink>> _theirFetch = static (_, _) => new(new ImmutableLink(Link));
    private SingleFlightCache<LinkKey, SessionLink> _ours = null!;
    private ServiceProvider _provider = null!;
    private HybridCache _hybrid = null!;
    private string _warmKey = null!;
    private int _stampede;
    private int _ourStampedeFetches;
    private int _theirStampedeFetches;
    private int _stampedesRun;

    [GlobalSetup]
    public async Task Setup()
    {
        _ours = new SingleFlightCache<LinkKey, SessionLink>(TimeSpan.FromMinutes(5), 10_000, TimeProvider.System);
        _provider = new ServiceCollection().AddHybridCache().Services.BuildServiceProvider();
        _hybrid = _provider.GetRequiredService<HybridCache>();
        _warmKey = KeyOf(SessionId, Request);
        await _ours.GetOrFetchAsync(new LinkKey(SessionId, Request), 0, _ourFetch, CancellationToken.None);
        await _hybrid.GetOrCreateAsync(_warmKey, 0, _theirFetch, Entry);
    }

    /// <summary>Ours: a warmed lookup by (session id, request), completed synchronously.</summary>
    [Benchmark(Baseline = true)]
    public ValueTask<SessionLink> Ours_Hit() => _ours.GetOrFetchAsync(new LinkKey(SessionId, Request), 0, _ourFetch, CancellationToken.None);

    /// <summary>HybridCache, memory tier, its best case: the key string built once.</summary>
    [Benchmark]
    public ValueTask<ImmutableLink> Hybrid_Hit_PrebuiltKey() => _hybrid.GetOrCreateAsync(_warmKey, 0, _theirFetch, Entry);

    /// <summary>HybridCache, memory tier, the key built per call as the link service would.</summary>
    [Benchmark]
    public ValueTask<ImmutableLink> Hybrid_Hit_KeyPerCall() => _hybrid.GetOrCreateAsync(KeyOf(SessionId, Request), 0, _theirFetch, Entry);

    /// <summary>Ours: 1,000 concurrent callers on a cold key; the fetch completes once all of them wait.</summary>
    [Benchmark]
    public async Task Ours_Stampede_1000()
    {
        var release = new TaskCompletionSource<SessionLink>(TaskCreationOptions.RunContinuationsAsynchronously);
        var key = new LinkKey(NextSessionId(), Request);
        var waits = new Task<SessionLink>[StampedeCallers];
        Func<LinkKey, TaskCompletionSource<SessionLink>, CancellationToken, Task<SessionLink>> fetch = (_, gate, _) =>
        {
            Interlocked.Increment(ref _ourStampedeFetches);
            return gate.Task;
        };
        for (var i = 0; i < waits.Length; i++)
        {
            waits[i] = _ours.GetOrFetchAsync(key, release, fetch, CancellationToken.None).AsTask();
        }

        release.SetResult(Link);
        await Task.WhenAll(waits);
        Interlocked.Increment(ref _stampedesRun);
    }

    /// <summary>HybridCache: the same stampede.</summary>
    [Benchmark]
    public async Task Hybrid_Stampede_1000()
    {
        var release = new TaskCompletionSource<ImmutableLink>(TaskCreationOptions.RunContinuationsAsynchronously);
        var key = KeyOf(NextSessionId(), Request);
        var waits = new Task<ImmutableLink>[StampedeCallers];
        Func<TaskCompletionSource<ImmutableLink>, CancellationToken, ValueTask<ImmutableLink>> fetch = (gate, _) =>
        {
            Interlocked.Increment(ref _theirStampedeFetches);
            return new ValueTask<ImmutableLink>(gate.Task);
        };
        for (var i = 0; i < waits.Length; i++)
        {
            waits[i] = _hybrid.GetOrCreateAsync(key, release, fetch, Entry).AsTask();
        }

        release.SetResult(new ImmutableLink(Link));
        await Task.WhenAll(waits);
        Interlocked.Increment(ref _stampedesRun);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        // Every stampede must have fetched once (a run measures one of the two stampede methods, or neither).
        var fetches = Volatile.Read(ref _ourStampedeFetches) + Volatile.Read(ref _theirStampedeFetches);
        if (fetches != Volatile.Read(ref _stampedesRun))
        {
            throw new InvalidOperationException($"{fetches} fetches for {_stampedesRun} stampedes: a cache let callers through.");
        }

        Dispose();
    }

    public void Dispose()
    {
        _provider?.Dispose();
        GC.SuppressFinalize(this);
    }

    private static string KeyOf(string sessionId, LinkRequest request) => string.Concat(sessionId, "|", request.ToString());

    private string NextSessionId() => "session-stampede" + Interlocked.Increment(ref _stampede).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The cached value for HybridCache, marked immutable so its memory tier keeps the instance.</summary>
    [ImmutableObject(true)]
    public sealed class ImmutableLink(SessionLink link)
    {
        public SessionLink Link { get; } = link;
    }
}
