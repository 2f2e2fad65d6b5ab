using AgentBay.Lite.Backend;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Caching.Memory;

namespace AgentBay.Lite.Benchmarks;

/// <summary>
/// Target 1: a <c>GetLinkAsync</c> served from the SDK's link cache (≤ 60 ns, 0 bytes) against the same job done with
/// <see cref="IMemoryCache"/>'s <c>GetOrCreateAsync</c> — the usual library for the hand-written cache the official
/// documentation suggests: same key shape (session id, <see cref="LinkRequest"/>), same value, same time-to-live.
/// Both entries are warmed in <see cref="Setup"/>, so every measured call is a hit.
/// </summary>
[MemoryDiagnoser]
public class LinkCacheHitBenchmarks : IDisposable
{
    private const string SessionId = "session-04bdwfj7u688ec96t";
    private static readonly LinkRequest Request = LinkRequest.Https(30150);

    private AgentBayClient _client = null!;
    private MemoryCache _memoryCache = null!;
    private Func<ICacheEntry, Task<SessionLink>> _fetchIntoEntry = null!;
    private CannedBackend _backend = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        _backend = new CannedBackend();
        var options = new AgentBayOptions { ApiKey = "akm-bench" };
        _client = new AgentBayClient(_backend, options, TimeProvider.System);

        // The baseline does what the SDK does on a miss: call the backend, wrap the answer, keep it for the same TTL.
        var ttl = options.LinkCache.TimeToLive;
        _memoryCache = new MemoryCache(new MemoryCacheOptions { SizeLimit = options.LinkCache.MaxEntries });
        var backend = _backend;
        _fetchIntoEntry = async entry =>
        {
            var (sessionId, request) = ((string, LinkRequest))entry.Key;
            entry.AbsoluteExpirationRelativeToNow = ttl;
            entry.Size = 1;
            var record = await backend.GetLinkAsync(sessionId, request, CancellationToken.None).ConfigureAwait(false);
            return new SessionLink(record.Url, request, sessionId, record.RequestId, DateTimeOffset.UtcNow);
        };

        var ours = await _client.GetLinkAsync(SessionId, Request);
        var theirs = await _memoryCache.GetOrCreateAsync((SessionId, Request), _fetchIntoEntry);
        if (_backend.Calls != 2 || ours.Url != theirs!.Url)
        {
            throw new InvalidOperationException($"Warm-up expected one fetch per cache, saw {_backend.Calls}.");
        }
    }

    /// <summary>The SDK: a warmed <c>GetLinkAsync</c>, completed synchronously from the link cache.</summary>
    [Benchmark]
    public ValueTask<SessionLink> Sdk_LinkCache_Hit() => _client.GetLinkAsync(SessionId, Request);

    /// <summary>The baseline: <c>IMemoryCache.GetOrCreateAsync((sessionId, request), fetch)</c> on a warmed entry.</summary>
    [Benchmark(Baseline = true)]
    public Task<SessionLink?> MemoryCache_GetOrCreateAsync_Hit() => _memoryCache.GetOrCreateAsync((SessionId, Request), _fetchIntoEntry);

    [GlobalCleanup]
    public void Cleanup()
    {
        var misses = _client.GetLinkCacheStatistics().Misses;
        if (_backend.Calls != 2 || misses != 1)
        {
            throw new InvalidOperationException($"A measured call missed a cache: {_backend.Calls} backend calls, {misses} SDK misses.");
        }

        Dispose();
    }

    public void Dispose()
    {
        _client?.Dispose();
        _memoryCache?.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>A backend that answers GetLink at once with a fixed URL; nothing else is called.</summary>
    private sealed class CannedBackend : IAgentBayBackend
    {
        private static readonly Task<LinkRecord> Answer =
            Task.FromResult(new LinkRecord(new Uri("https://127.0.0.1:8910/request_ai/bench-token/path/"), "6C8E2F0A-0000-4000-8000-000000000001"));

        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public Task<LinkRecord> GetLinkAsync(string sessionId, LinkRequest request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            return Answer;
        }

        public Task<SessionRecord> CreateSessionAsync(SessionCreation request, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<SessionRecord> GetSessionAsync(string sessionId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<string> GetSessionStatusAsync(string sessionId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<SessionPage> ListSessionsAsync(SessionListing request, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task DeleteSessionAsync(string sessionId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task RefreshIdleTimeAsync(string sessionId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<ResourceRecord> GetResourceAsync(string sessionId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<ToolResult> CallToolAsync(string sessionId, string toolName, string argumentsJson, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
