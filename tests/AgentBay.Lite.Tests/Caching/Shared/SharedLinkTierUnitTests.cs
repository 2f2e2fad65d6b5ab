using System.Text;
using System.Diagnostics.Metrics;
using AgentBay.Lite.Backend;
using AgentBay.Lite.Caching;
using AgentBay.Lite.Caching.Shared;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using AgentBay.Lite.Links;
using AgentBay.Lite.Telemetry;

namespace AgentBay.Lite.Tests.Caching;

/// <summary>The shared link tier's parts that need no server: keys, stored values, lifetimes and the failure guard.</summary>
public sealed class SharedLinkTierUnitTests
{
    private const string ApiKey = "akm-0123456789abcdef0123456789abcdef";
    private static readonly Uri Endpoint = new("https://wuyingai.cn-shanghai.aliyuncs.com/");

    [Fact]
    public void Keys_name_endpoint_account_session_and_request_but_hold_no_key_material()
    {
        var keys = new SharedLinkKeys(Endpoint, ApiKey);
        string key = keys.For("session-04bdwfj7u688ec96t", LinkRequest.Https(30150));

        Assert.Equal($"agentbay-lite:link:v1:{keys.Scope}:session-04bdwfj7u688ec96t:https:30150", key);
        Assert.Matches("^[0-9a-f]{32}$", keys.Scope);
        Assert.DoesNotContain(ApiKey, key, StringComparison.Ordinal);
        Assert.DoesNotContain("0123456789abcdef", key, StringComparison.Ordinal); // no run of the key either
        Assert.Equal(key, new SharedLinkKeys(Endpoint, ApiKey).For("session-04bdwfj7u688ec96t", LinkRequest.Https(30150)));
    }

    [Fact]
    public void Another_account_or_endpoint_or_request_gets_another_key()
    {
        var keys = new SharedLinkKeys(Endpoint, ApiKey);
        string key = keys.For("s-1", LinkRequest.Https(30150));

        Assert.NotEqual(key, new SharedLinkKeys(Endpoint, ApiKey + "x").For("s-1", LinkRequest.Https(30150)));
        Assert.NotEqual(key, new SharedLinkKeys(new Uri("https://wuyingai.ap-southeast-1.aliyuncs.com/"), ApiKey).For("s-1", LinkRequest.Https(30150)));
        Assert.NotEqual(key, keys.For("s-1", LinkRequest.Wss(30150)));
        Assert.NotEqual(key, keys.For("s-1", LinkRequest.Cdp));
        Assert.NotEqual(key, keys.For("s-2", LinkRequest.Https(30150)));
    }

    [Fact]
    public void A_session_removal_covers_every_link_the_port_policy_allows()
    {
        var keys = new SharedLinkKeys(Endpoint, ApiKey);
        var all = keys.AllFor("s-1", new LinkPortRange(30100, 30102)).ToList();

        Assert.Equal(7, all.Count);
        Assert.Contains(keys.For("s-1", LinkRequest.Cdp), all);
        Assert.Contains(keys.For("s-1", LinkRequest.Https(30101)), all);
        Assert.Contains(keys.For("s-1", LinkRequest.Wss(30102)), all);
        Assert.Equal(all.Count, all.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void The_stored_value_round_trips_through_source_generated_json()
    {
        var link = new SessionLink(new Uri("https://gw.example/request_ai/tok-123/"), LinkRequest.Https(30150), "s-1", "req-9", DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123));
        var serializer = new SharedLinkSerializer(protector: null);

        byte[] bytes = serializer.Serialize(SharedLinkEntry.From(link));
        SharedLinkEntry back = serializer.Deserialize(bytes);

        Assert.Equal("{\"u\":\"https://gw.example/request_ai/tok-123/\",\"r\":\"req-9\",\"t\":1700000000123}", Encoding.UTF8.GetString(bytes));
        Assert.True(back.IsUsable);
        Assert.Equal(link.Url.OriginalString, back.Url);
        Assert.Equal("req-9", back.RequestId);
        Assert.Equal(link.RetrievedAt, back.RetrievedAt);
    }

    [Fact]
    public void With_a_protector_the_stored_bytes_hide_the_link_and_only_the_same_purpose_reads_them()
    {
        var link = new SessionLink(new Uri("https://gw.example/request_ai/tok-123/"), LinkRequest.Https(30150), "s-1", null, DateTimeOffset.UnixEpoch);
        var provider = new XorProtectionProvider();
        var serializer = new SharedLinkSerializer(provider.CreateProtector(SharedLinkSerializer.ProtectorPurpose));

        byte[] bytes = serializer.Serialize(SharedLinkEntry.From(link));
        Assert.DoesNotContain("tok-123", Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
        Assert.Equal(link.Url.OriginalString, serializer.Deserialize(bytes).Url);

        // Another key (another purpose here), or a plain value read by an instance that encrypts: a miss, not a failure.
        var other = new SharedLinkSerializer(provider.CreateProtector("another purpose"));
        Assert.Same(SharedLinkEntry.Unreadable, other.Deserialize(bytes));
        byte[] plain = new SharedLinkSerializer(null).Serialize(SharedLinkEntry.From(link));
        Assert.Same(SharedLinkEntry.Unreadable, serializer.Deserialize(plain));
        Assert.False(SharedLinkEntry.Unreadable.IsUsable);
    }

    [Fact]
    public void Garbage_bytes_read_as_a_miss()
    {
        var serializer = new SharedLinkSerializer(null);
        Assert.Same(SharedLinkEntry.Unreadable, serializer.Deserialize("not json"u8.ToArray()));
    }

    [Fact]
    public async Task A_link_read_from_the_shared_tier_lives_in_memory_only_for_what_is_left_of_its_time_to_live()
    {
        var clock = new FakeTimeProvider();
        var ttl = TimeSpan.FromMinutes(5);
        var cache = new SingleFlightCache<string, SessionLink>(ttl, 100, clock, lifetimeOf: link => ttl - (clock.GetUtcNow() - link.RetrievedAt));
        int fetches = 0;

        // Another instance fetched this link four minutes ago: one minute is left.
        Task<SessionLink> FetchOld(string key, int state, CancellationToken token)
        {
            fetches++;
            return Task.FromResult(new SessionLink(new Uri("https://gw.example/x/"), LinkRequest.Cdp, key, null, clock.GetUtcNow() - TimeSpan.FromMinutes(4)));
        }

        await cache.GetOrFetchAsync("s-1", 0, FetchOld, CancellationToken.None);
        clock.Advance(TimeSpan.FromSeconds(59));
        await cache.GetOrFetchAsync("s-1", 0, FetchOld, CancellationToken.None);
        Assert.Equal(1, fetches);
        clock.Advance(TimeSpan.FromSeconds(1));
        await cache.GetOrFetchAsync("s-1", 0, FetchOld, CancellationToken.None);
        Assert.Equal(2, fetches);
    }

    [Fact]
    public async Task A_link_one_instance_fetched_is_read_by_another_from_the_distributed_cache_until_the_session_is_deleted()
    {
        var clock = new FakeTimeProvider();
        var store = new DictionaryCache();
        var keys = new SharedLinkKeys(Endpoint, ApiKey);
        SharedLinkTier Instance() => new(new GuardedDistributedCache(store, new ListLogger(), clock), new SharedLinkSerializer(null), keys, TimeSpan.FromMinutes(5), clock);
        int fetches = 0;
        Task<SessionLink> Fetch(string sessionId, LinkRequest request, CancellationToken token)
        {
            fetches++;
            return Task.FromResult(new SessionLink(new Uri($"https://gw.example/request_ai/tok-{fetches}/"), request, sessionId, "req-1", clock.GetUtcNow()));
        }

        SharedLinkTier first = Instance(), second = Instance();
        SessionLink fetched = await first.GetOrFetchAsync("s-1", LinkRequest.Https(30150), Fetch, CancellationToken.None);
        clock.Advance(TimeSpan.FromMinutes(1));
        SessionLink read = await second.GetOrFetchAsync("s-1", LinkRequest.Https(30150), Fetch, CancellationToken.None);

        Assert.Equal(1, fetches);
        Assert.Equal(fetched.Url, read.Url);
        Assert.Equal(fetched.RetrievedAt, read.RetrievedAt);
        Assert.Equal((0, 1), (first.Hits, first.Misses));
        Assert.Equal((1, 0), (second.Hits, second.Misses));
        string key = keys.For("s-1", LinkRequest.Https(30150));
        Assert.Equal([key], store.Values.Keys); // the lease is gone once the link is stored
        Assert.Equal(TimeSpan.FromMinutes(5), store.Expiries[key]);

        await second.RemoveSessionAsync("s-1", new LinkPortRange(30150, 30151));
        Assert.Empty(store.Values);
        await first.GetOrFetchAsync("s-1", LinkRequest.Https(30150), Fetch, CancellationToken.None);
        Assert.Equal(2, fetches);
    }

    [Fact]
    public async Task Shared_tier_lookups_are_counted_under_their_own_tier()
    {
        var clock = new FakeTimeProvider();
        var store = new DictionaryCache();
        var keys = new SharedLinkKeys(Endpoint, ApiKey);
        using ServiceProvider services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = services.GetRequiredService<IMeterFactory>();
        using var hits = new MetricCollector<long>(meters, "AgentBay.Lite", "agentbay.client.link_cache.hits");
        using var misses = new MetricCollector<long>(meters, "AgentBay.Lite", "agentbay.client.link_cache.misses");
        var backend = Substitute.For<IAgentBayBackend>();
        backend.GetLinkAsync("s-1", Arg.Any<LinkRequest>(), Arg.Any<CancellationToken>())
            .Returns(new LinkRecord(new Uri("https://gw.example/request_ai/tok-1/"), "req-1"));

        // Three instances with memories of their own, one distributed cache.
        LinkService Instance() => new(
            backend,
            new LinkCacheOptions(),
            LinkPortRange.Default,
            clock,
            new ClientTelemetry(loggerFactory: null, meters, Endpoint, clock),
            new SharedLinkTier(new GuardedDistributedCache(store, new ListLogger(), clock), new SharedLinkSerializer(null), keys, TimeSpan.FromMinutes(5), clock));
        LinkService first = Instance(), second = Instance(), third = Instance();
        await first.GetAsync("s-1", LinkRequest.Https(30150), CancellationToken.None);
        await second.GetAsync("s-1", LinkRequest.Https(30150), CancellationToken.None);
        await second.GetAsync("s-1", LinkRequest.Https(30150), CancellationToken.None);
        await third.GetAsync("s-1", LinkRequest.Https(30150), CancellationToken.None);

        await backend.Received(1).GetLinkAsync("s-1", LinkRequest.Https(30150), Arg.Any<CancellationToken>());
        Assert.Equal((2L, 1L), (Count(hits, "shared"), Count(misses, "shared")));
        Assert.Equal((1L, 3L), (Count(hits, "memory"), Count(misses, "memory")));
    }

    private static long Count(MetricCollector<long> collector, string tier) =>
        collector.GetMeasurementSnapshot().Where(m => Equals(m.Tags["agentbay.link_cache.tier"], tier)).Sum(m => m.Value);

    [Fact]
    public async Task A_failing_cache_logs_one_warning_is_skipped_for_a_while_and_is_tried_again()
    {
        var clock = new FakeTimeProvider();
        var inner = Substitute.For<IDistributedCache>();
        inner.GetAsync(Arg.Any<string>(), Arg.Any<CancellationToken>()).Returns<byte[]?>(_ => throw new IOException("connection refused to redis://:secret@10.0.0.1"));
        var logger = new ListLogger();
        var guarded = new GuardedDistributedCache(inner, logger, clock);

        Assert.Null(await guarded.GetAsync("k"));
        Assert.False(guarded.IsAvailable);
        Assert.Null(await guarded.GetAsync("k"));
        await guarded.SetAsync("k", [1], new DistributedCacheEntryOptions());
        await inner.Received(1).GetAsync("k", Arg.Any<CancellationToken>());
        await inner.DidNotReceive().SetAsync(Arg.Any<string>(), Arg.Any<byte[]>(), Arg.Any<DistributedCacheEntryOptions>(), Arg.Any<CancellationToken>());

        clock.Advance(GuardedDistributedCache.RetryAfter);
        Assert.True(guarded.IsAvailable);
        Assert.Null(await guarded.GetAsync("k")); // fails again: no second warning while it stays down
        await inner.Received(2).GetAsync("k", Arg.Any<CancellationToken>());

        var warning = Assert.Single(logger.Entries, e => e.Level == LogLevel.Warning);
        Assert.Contains("IOException", warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", warning.Message, StringComparison.Ordinal);
        Assert.Equal(2, guarded.Failures);

        clock.Advance(GuardedDistributedCache.RetryAfter);
        inner.GetAsync(Arg.Any<string>(), Arg.Any<CancellationToken>()).Returns(Task.FromResult<byte[]?>([7]));
        Assert.Equal([7], await guarded.GetAsync("k"));
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Information);
    }

    [Fact]
    public async Task The_callers_cancellation_still_cancels()
    {
        var inner = Substitute.For<IDistributedCache>();
        inner.GetAsync(Arg.Any<string>(), Arg.Any<CancellationToken>()).Returns(call => Task.FromCanceled<byte[]?>(call.Arg<CancellationToken>()));
        var guarded = new GuardedDistributedCache(inner, new ListLogger(), new FakeTimeProvider());
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => guarded.GetAsync("k", cancelled.Token));
        Assert.True(guarded.IsAvailable);
    }

    /// <summary>A stand-in for Data Protection: XOR with the purpose, plus a check byte so a wrong purpose fails.</summary>
    private sealed class XorProtectionProvider : IDataProtectionProvider
    {
        public IDataProtector CreateProtector(string purpose) => new Protector(purpose);

        private sealed class Protector(string purpose) : IDataProtector
        {
            private readonly byte[] _key = Encoding.UTF8.GetBytes(purpose);

            public IDataProtector CreateProtector(string purpose) => new Protector(purpose);

            public byte[] Protect(byte[] plaintext) => [(byte)_key.Length, .. Xor(plaintext)];

            public byte[] Unprotect(byte[] protectedData) =>
                protectedData.Length > 0 && protectedData[0] == (byte)_key.Length
                    ? Xor(protectedData[1..])
                    : throw new System.Security.Cryptography.CryptographicException("not protected with this key");

            private byte[] Xor(byte[] data) => data.Select((b, i) => (byte)(b ^ _key[i % _key.Length])).ToArray();
        }
    }

    /// <summary>An in-memory <see cref="IDistributedCache"/> that records each entry's expiry; expiry is not enforced.</summary>
    private sealed class DictionaryCache : IDistributedCache
    {
        public Dictionary<string, byte[]> Values { get; } = [];

        public Dictionary<string, TimeSpan?> Expiries { get; } = [];

        public byte[]? Get(string key)
        {
            lock (Values)
            {
                return Values.GetValueOrDefault(key);
            }
        }

        public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => Task.FromResult(Get(key));

        public void Set(string key, byte[] value, DistributedCacheEntryOptions options)
        {
            lock (Values)
            {
                Values[key] = value;
                Expiries[key] = options.AbsoluteExpirationRelativeToNow;
            }
        }

        public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
        {
            Set(key, value, options);
            return Task.CompletedTask;
        }

        public void Refresh(string key)
        {
        }

        public Task RefreshAsync(string key, CancellationToken token = default) => Task.CompletedTask;

        public void Remove(string key)
        {
            lock (Values)
            {
                Values.Remove(key);
            }
        }

        public Task RemoveAsync(string key, CancellationToken token = default)
        {
            Remove(key);
            return Task.CompletedTask;
        }
    }

    private sealed class ListLogger : ILogger
    {
        public List<(LogLevel Level, string Message)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add((logLevel, formatter(state, exception)));
    }
}
