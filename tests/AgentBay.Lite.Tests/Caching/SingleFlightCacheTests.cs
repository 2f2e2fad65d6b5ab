using AgentBay.Lite.Caching;

namespace AgentBay.Lite.Tests.Caching;

public sealed class SingleFlightCacheTests
{
    private static readonly TimeSpan Ttl = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task A_second_lookup_is_a_synchronous_hit_that_does_not_fetch()
    {
        var fetcher = new CountingFetcher();
        var cache = NewCache(new FakeTimeProvider());

        var first = await cache.GetOrFetchAsync("k", fetcher, CountingFetcher.Fetch, CancellationToken.None);
        var second = SynchronousResult(cache.GetOrFetchAsync("k", fetcher, CountingFetcher.Fetch, CancellationToken.None));

        Assert.Equal(first, second);
        Assert.Equal(1, fetcher.Calls);
        Assert.Equal((1, 1), (cache.Hits, cache.Misses));
    }

    [Fact]
    public async Task Concurrent_misses_for_one_key_share_a_single_fetch()
    {
        var gate = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var fetcher = new CountingFetcher(gate.Task);
        var cache = NewCache(new FakeTimeProvider());

        var waiters = Enumerable.Range(0, 200)
            .Select(_ => Task.Run(() => cache.GetOrFetchAsync("k", fetcher, CountingFetcher.Fetch, CancellationToken.None).AsTask()))
            .ToArray();
        await fetcher.Started.Task;
        gate.SetResult("v");
        var results = await Task.WhenAll(waiters);

        Assert.All(results, r => Assert.Equal("v", r));
        Assert.Equal(1, fetcher.Calls);
    }

    [Fact]
    public async Task A_waiter_that_cancels_stops_waiting_without_cancelling_the_fetch_for_the_others()
    {
        var gate = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var fetcher = new CountingFetcher(gate.Task);
        var cache = NewCache(new FakeTimeProvider());
        using var impatient = new CancellationTokenSource();

        var cancelled = cache.GetOrFetchAsync("k", fetcher, CountingFetcher.Fetch, impatient.Token).AsTask();
        var patient = cache.GetOrFetchAsync("k", fetcher, CountingFetcher.Fetch, CancellationToken.None).AsTask();
        await fetcher.Started.Task;
        await impatient.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.False(fetcher.LastToken.IsCancellationRequested);
        gate.SetResult("v");
        Assert.Equal("v", await patient);
        Assert.Equal(1, fetcher.Calls);
    }

    [Fact]
    public async Task A_failed_fetch_reaches_its_waiters_and_is_not_cached()
    {
        var fetcher = new CountingFetcher { FailNext = 1 };
        var cache = NewCache(new FakeTimeProvider());

        await Assert.ThrowsAsync<InvalidOperationException>(() => cache.GetOrFetchAsync("k", fetcher, CountingFetcher.Fetch, CancellationToken.None).AsTask());
        var retried = await cache.GetOrFetchAsync("k", fetcher, CountingFetcher.Fetch, CancellationToken.None);

        Assert.Equal("k#2", retried);
        Assert.Equal(2, fetcher.Calls);
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public async Task A_cancelled_fetch_is_not_cached()
    {
        var fetcher = new CountingFetcher { CancelNext = 1 };
        var cache = NewCache(new FakeTimeProvider());

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cache.GetOrFetchAsync("k", fetcher, CountingFetcher.Fetch, CancellationToken.None).AsTask());
        Assert.Equal(0, cache.Count);

        Assert.Equal("k#2", await cache.GetOrFetchAsync("k", fetcher, CountingFetcher.Fetch, CancellationToken.None));
    }

    [Fact]
    public async Task An_entry_is_served_until_its_time_to_live_ends_and_fetched_again_after()
    {
        var clock = new FakeTimeProvider();
        var fetcher = new CountingFetcher();
        var cache = NewCache(clock);

        await cache.GetOrFetchAsync("k", fetcher, CountingFetcher.Fetch, CancellationToken.None);
        clock.Advance(Ttl - TimeSpan.FromTicks(1));
        Assert.Equal("k#1", await cache.GetOrFetchAsync("k", fetcher, CountingFetcher.Fetch, CancellationToken.None));
        clock.Advance(TimeSpan.FromTicks(1));
        Assert.Equal("k#2", await cache.GetOrFetchAsync("k", fetcher, CountingFetcher.Fetch, CancellationToken.None));

        Assert.Equal(1, cache.Evictions);
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public async Task A_full_cache_evicts_the_entries_fetched_longest_ago()
    {
        var clock = new FakeTimeProvider();
        var fetcher = new CountingFetcher();
        var cache = new SingleFlightCache<string, string>(Ttl, maxEntries: 10, clock);

        for (var i = 0; i < 11; i++)
        {
            await cache.GetOrFetchAsync($"k{i}", fetcher, CountingFetcher.Fetch, CancellationToken.None);
            clock.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.InRange(cache.Count, 1, 10);
        Assert.True(cache.Evictions >= 1);
        var callsBefore = fetcher.Calls;
        await cache.GetOrFetchAsync("k10", fetcher, CountingFetcher.Fetch, CancellationToken.None);
        Assert.Equal(callsBefore, fetcher.Calls); // the newest survived
        await cache.GetOrFetchAsync("k0", fetcher, CountingFetcher.Fetch, CancellationToken.None);
        Assert.Equal(callsBefore + 1, fetcher.Calls); // the oldest was evicted
    }

    [Fact]
    public async Task RemoveWhere_drops_only_matching_entries()
    {
        var fetcher = new CountingFetcher();
        var cache = NewCache(new FakeTimeProvider());
        foreach (var key in new[] { "a:1", "a:2", "b:1" })
        {
            await cache.GetOrFetchAsync(key, fetcher, CountingFetcher.Fetch, CancellationToken.None);
        }

        var removed = cache.RemoveWhere(static (key, prefix) => key.StartsWith(prefix, StringComparison.Ordinal), "a:");

        Assert.Equal(2, removed);
        Assert.Equal(1, cache.Count);
        Assert.Equal(0, cache.Evictions);
        await cache.GetOrFetchAsync("b:1", fetcher, CountingFetcher.Fetch, CancellationToken.None);
        Assert.Equal(3, fetcher.Calls);
    }

    [Fact]
    public async Task Refresh_fetches_even_when_cached_and_later_hits_see_the_new_value()
    {
        var fetcher = new CountingFetcher();
        var cache = NewCache(new FakeTimeProvider());

        await cache.GetOrFetchAsync("k", fetcher, CountingFetcher.Fetch, CancellationToken.None);
        var fresh = await cache.RefreshAsync("k", fetcher, CountingFetcher.Fetch, CancellationToken.None);

        Assert.Equal("k#2", fresh);
        Assert.Equal("k#2", await cache.GetOrFetchAsync("k", fetcher, CountingFetcher.Fetch, CancellationToken.None));
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public async Task A_waiter_that_cancels_returns_at_once_and_the_fetch_goes_on_for_the_others()
    {
        var gate = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var fetcher = new CountingFetcher(gate.Task);
        var cache = NewCache(new FakeTimeProvider());
        using var leaving = new CancellationTokenSource();

        var first = cache.GetOrFetchAsync("k", fetcher, CountingFetcher.Fetch, leaving.Token).AsTask();
        await fetcher.Started.Task;
        var second = cache.GetOrFetchAsync("k", fetcher, CountingFetcher.Fetch, CancellationToken.None).AsTask();
        await leaving.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        Assert.False(fetcher.LastToken.IsCancellationRequested);
        gate.SetResult("v");
        Assert.Equal("v", await second);
        Assert.Equal(1, fetcher.Calls);
    }

    [Fact]
    public async Task When_the_last_waiter_leaves_the_fetch_is_cancelled_and_forgotten()
    {
        var gate = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var fetcher = new CountingFetcher(gate.Task);
        var cache = NewCache(new FakeTimeProvider());
        using var one = new CancellationTokenSource();
        using var two = new CancellationTokenSource();

        var first = cache.GetOrFetchAsync("k", fetcher, CountingFetcher.Fetch, one.Token).AsTask();
        await fetcher.Started.Task;
        var second = cache.GetOrFetchAsync("k", fetcher, CountingFetcher.Fetch, two.Token).AsTask();
        await one.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        Assert.False(fetcher.LastToken.IsCancellationRequested);

        await two.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => second);

        Assert.True(fetcher.LastToken.IsCancellationRequested);
        Assert.Equal(0, cache.Count);
        gate.SetCanceled(fetcher.LastToken);
    }

    [Fact]
    public async Task A_caller_after_an_abandoned_fetch_starts_a_new_one()
    {
        var gate = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var fetcher = new CountingFetcher(gate.Task);
        var cache = NewCache(new FakeTimeProvider());
        using var leaving = new CancellationTokenSource();

        var abandoned = cache.GetOrFetchAsync("k", fetcher, CountingFetcher.Fetch, leaving.Token).AsTask();
        await fetcher.Started.Task;
        CancellationToken abandonedToken = fetcher.LastToken;
        await leaving.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);

        var next = cache.GetOrFetchAsync("k", fetcher, CountingFetcher.Fetch, CancellationToken.None).AsTask();
        gate.SetResult("v");

        Assert.Equal("v", await next);
        Assert.Equal(2, fetcher.Calls);
        Assert.True(abandonedToken.IsCancellationRequested);
        Assert.False(fetcher.LastToken.IsCancellationRequested);
    }

    [Fact]
    public async Task A_hit_allocates_nothing()
    {
        var fetcher = new CountingFetcher();
        var cache = NewCache(new FakeTimeProvider());
        await cache.GetOrFetchAsync("k", fetcher, CountingFetcher.Fetch, CancellationToken.None);
        for (var i = 0; i < 100; i++)
        {
            _ = SynchronousResult(cache.GetOrFetchAsync("k", fetcher, CountingFetcher.Fetch, CancellationToken.None));
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            _ = SynchronousResult(cache.GetOrFetchAsync("k", fetcher, CountingFetcher.Fetch, CancellationToken.None));
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static string SynchronousResult(ValueTask<string> pending)
    {
        if (!pending.IsCompletedSuccessfully)
        {
            throw new Xunit.Sdk.XunitException("expected a hit that completes synchronously");
        }

        return pending.Result;
    }

    private static SingleFlightCache<string, string> NewCache(TimeProvider clock) =>
        new(Ttl, maxEntries: 1000, clock);

    private sealed class CountingFetcher(Task<string>? gate = null)
    {
        private readonly Task<string>? _gate = gate;
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public int FailNext { get; set; }

        public int CancelNext { get; set; }

        public CancellationToken LastToken { get; private set; }

        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public static async Task<string> Fetch(string key, CountingFetcher self, CancellationToken cancellationToken)
        {
            var call = Interlocked.Increment(ref self._calls);
            self.LastToken = cancellationToken;
            self.Started.TrySetResult();
            if (self.FailNext-- > 0)
            {
                throw new InvalidOperationException("refused");
            }

            if (self.CancelNext-- > 0)
            {
                throw new OperationCanceledException();
            }

            return self._gate is null ? $"{key}#{call}" : await self._gate;
        }
    }
}
