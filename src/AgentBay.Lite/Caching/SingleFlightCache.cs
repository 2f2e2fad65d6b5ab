using System.Collections.Concurrent;

namespace AgentBay.Lite.Caching;

/// <summary>
/// A bounded, expiring cache whose concurrent misses for one key share a single fetch.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Hit: one dictionary lookup and a clock read; completes synchronously and allocates nothing.</item>
/// <item>Miss: the first caller starts the fetch under a token of the entry's own, and every concurrent caller for
/// the key waits on it. A waiter that cancels stops waiting at once; when the last waiter has left, the fetch is
/// cancelled (its request with it) and the entry dropped, as nobody wants the value any more. A fetch that fails or
/// is cancelled is removed at once, so the next caller tries again; failures are never cached.</item>
/// <item>Expiry: an entry is served for <c>timeToLive</c> after its fetch completed, by the injected
/// <see cref="TimeProvider"/>, or for less when <c>lifetimeOf</c> says the value is already partly used up (a link
/// another instance fetched earlier, read from the shared tier).</item>
/// <item>Bound: when an insert would exceed <c>maxEntries</c>, expired entries go first, then the entries fetched
/// longest ago (about a tenth of the capacity at once, so eviction work is amortised); fetches still in flight are
/// never evicted.</item>
/// </list>
/// </remarks>
/// <typeparam name="TKey">The key; compared by value.</typeparam>
/// <typeparam name="TValue">The cached value.</typeparam>
internal sealed class SingleFlightCache<TKey, TValue>
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, Entry> _entries;
    private readonly TimeProvider _timeProvider;
    private readonly bool _systemClock;
    private readonly long _timeToLiveTicks;
    private readonly int _maxEntries;
    private readonly Func<TValue, TimeSpan>? _lifetimeOf;
    private readonly object _evictionLock = new();
    private readonly ISingleFlightCacheObserver? _observer;
    private int _count;
    private long _hits;
    private long _misses;
    private long _evictions;

    /// <summary>Creates a cache.</summary>
    /// <param name="timeToLive">How long a fetched value is served.</param>
    /// <param name="maxEntries">How many entries the cache holds at most.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="comparer">The key comparer, or <see langword="null"/> for the default.</param>
    /// <param name="observer">Told of every hit, miss and eviction as it happens (telemetry), or <see langword="null"/>.</param>
    /// <param name="lifetimeOf">
    /// How long a fetched value may still be served, when that can be less than <paramref name="timeToLive"/> (a value
    /// read from a shared tier that another instance fetched earlier); <see langword="null"/> for the full time-to-live.
    /// </param>
    public SingleFlightCache(
        TimeSpan timeToLive,
        int maxEntries,
        TimeProvider timeProvider,
        IEqualityComparer<TKey>? comparer = null,
        ISingleFlightCacheObserver? observer = null,
        Func<TValue, TimeSpan>? lifetimeOf = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeToLive, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEntries, 1);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _entries = new ConcurrentDictionary<TKey, Entry>(comparer);
        _timeProvider = timeProvider;

        // On the system clock, entries are timed with Environment.TickCount64 (milliseconds, a coarse monotonic clock
        // that is several times cheaper to read than the high-resolution timestamp); the time-to-live is minutes, so
        // millisecond resolution changes nothing. Any other TimeProvider (tests) is read through GetTimestamp.
        _systemClock = ReferenceEquals(timeProvider, TimeProvider.System);
        _timeToLiveTicks = _systemClock
            ? Math.Max(1, (long)Math.Ceiling(timeToLive.TotalMilliseconds))
            : (long)(timeToLive.TotalSeconds * timeProvider.TimestampFrequency);
        _maxEntries = maxEntries;
        _observer = observer;
        _lifetimeOf = lifetimeOf;
    }

    /// <summary>How many lookups were served from the cache.</summary>
    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>How many lookups had to fetch, or join a fetch in flight.</summary>
    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>How many entries were dropped because they expired or the cache was full (not explicit removals).</summary>
    public long Evictions => Interlocked.Read(ref _evictions);

    /// <summary>How many entries the cache holds, including fetches in flight.</summary>
    public int Count => Volatile.Read(ref _count);

    private void CountEviction()
    {
        Interlocked.Increment(ref _evictions);
        _observer?.OnEviction();
    }

    /// <summary>The current time in the units of <see cref="_timeToLiveTicks"/>.</summary>
    private long Now() => _systemClock ? Environment.TickCount64 : _timeProvider.GetTimestamp();

    /// <summary>Returns the cached value for <paramref name="key"/>, or fetches it once for all concurrent callers.</summary>
    /// <param name="key">The key.</param>
    /// <param name="state">Passed to <paramref name="fetch"/>, so callers need no closure.</param>
    /// <param name="fetch">Fetches the value; its token is cancelled when every caller waiting for it has cancelled.</param>
    /// <param name="cancellationToken">Stops this caller's wait; the shared fetch goes on while others still wait.</param>
    public ValueTask<TValue> GetOrFetchAsync<TState>(
        TKey key, TState state, Func<TKey, TState, CancellationToken, Task<TValue>> fetch, CancellationToken cancellationToken)
    {
        if (_entries.TryGetValue(key, out var entry) && entry.TryGetFresh(Now(), out var value))
        {
            Interlocked.Increment(ref _hits);
            _observer?.OnHit();
            return new ValueTask<TValue>(value);
        }

        return new ValueTask<TValue>(FetchAsync(key, state, fetch, replace: false, cancellationToken));
    }

    /// <summary>Fetches a fresh value whatever the cache holds, and caches it for the callers that follow.</summary>
    public Task<TValue> RefreshAsync<TState>(
        TKey key, TState state, Func<TKey, TState, CancellationToken, Task<TValue>> fetch, CancellationToken cancellationToken) =>
        FetchAsync(key, state, fetch, replace: true, cancellationToken);

    /// <summary>Drops every entry whose key matches; fetches in flight for them still complete for their waiters but are not kept.</summary>
    /// <returns>How many entries were dropped.</returns>
    public int RemoveWhere<TState>(Func<TKey, TState, bool> predicate, TState state)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        var removed = 0;
        foreach (var pair in _entries)
        {
            if (predicate(pair.Key, state) && TryRemoveEntry(pair.Key, pair.Value))
            {
                removed++;
            }
        }

        return removed;
    }

    /// <summary>Drops every entry.</summary>
    public void Clear() => RemoveWhere(static (_, _) => true, 0);

    private async Task<TValue> FetchAsync<TState>(
        TKey key, TState state, Func<TKey, TState, CancellationToken, Task<TValue>> fetch, bool replace, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Interlocked.Increment(ref _misses);
        _observer?.OnMiss();
        var entry = replace ? Replace(key) : JoinOrStart(key);
        if (entry.TryClaimFetch())
        {
            _ = RunFetchAsync(key, entry, state, fetch);
        }

        try
        {
            return await entry.Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (entry.RemoveWaiter())
            {
                // The last waiter left before the value arrived: stop the fetch and forget the entry.
                TryRemoveEntry(key, entry);
                entry.Abandon();
            }
        }
    }

    private Entry JoinOrStart(TKey key)
    {
        while (true)
        {
            if (_entries.TryGetValue(key, out var existing))
            {
                if (!existing.IsExpired(Now()) && existing.TryAddWaiter())
                {
                    return existing; // in flight, or completed after our first look
                }

                var fresh = new Entry();
                if (_entries.TryUpdate(key, fresh, existing))
                {
                    if (existing.IsExpired(Now()))
                    {
                        CountEviction();
                    }

                    return fresh;
                }

                continue;
            }

            var created = new Entry();
            if (_entries.TryAdd(key, created))
            {
                OnAdded();
                return created;
            }
        }
    }

    private Entry Replace(TKey key)
    {
        var fresh = new Entry();
        while (true)
        {
            if (_entries.TryGetValue(key, out var existing))
            {
                if (_entries.TryUpdate(key, fresh, existing))
                {
                    return fresh;
                }
            }
            else if (_entries.TryAdd(key, fresh))
            {
                OnAdded();
                return fresh;
            }
        }
    }

    private async Task RunFetchAsync<TState>(TKey key, Entry entry, TState state, Func<TKey, TState, CancellationToken, Task<TValue>> fetch)
    {
        try
        {
            var value = await fetch(key, state, entry.FetchToken).ConfigureAwait(false);
            entry.Complete(value, Now() + LifetimeTicks(value));
        }
        catch (Exception exception)
        {
            // Not cached: remove before publishing the failure, so no caller can observe the failed entry afterwards.
            TryRemoveEntry(key, entry);
            entry.Fail(exception);
        }
        finally
        {
            entry.Dispose();
        }
    }

    /// <summary>How long <paramref name="value"/> is served, in the units of <see cref="Now"/>.</summary>
    private long LifetimeTicks(TValue value)
    {
        if (_lifetimeOf is null)
        {
            return _timeToLiveTicks;
        }

        TimeSpan lifetime = _lifetimeOf(value);
        if (lifetime <= TimeSpan.Zero)
        {
            return 0; // handed to the callers waiting for it, expired for everyone after them
        }

        long ticks = _systemClock
            ? (long)Math.Ceiling(lifetime.TotalMilliseconds)
            : (long)(lifetime.TotalSeconds * _timeProvider.TimestampFrequency);
        return Math.Min(ticks, _timeToLiveTicks);
    }

    private bool TryRemoveEntry(TKey key, Entry entry)
    {
        if (_entries.TryRemove(KeyValuePair.Create(key, entry)))
        {
            Interlocked.Decrement(ref _count);
            return true;
        }

        return false;
    }

    private void OnAdded()
    {
        if (Interlocked.Increment(ref _count) > _maxEntries)
        {
            Evict();
        }
    }

    private void Evict()
    {
        // One evictor at a time; others proceed and may briefly overshoot the bound by the number of racing inserts.
        if (!Monitor.TryEnter(_evictionLock))
        {
            return;
        }

        try
        {
            var now = Now();
            var target = _maxEntries - Math.Max(1, _maxEntries / 10);
            var completed = new List<KeyValuePair<TKey, Entry>>();
            foreach (var pair in _entries)
            {
                if (pair.Value.IsExpired(now))
                {
                    if (TryRemoveEntry(pair.Key, pair.Value))
                    {
                        CountEviction();
                    }
                }
                else if (pair.Value.IsCompleted)
                {
                    completed.Add(pair);
                }
            }

            var excess = Volatile.Read(ref _count) - target;
            if (excess <= 0)
            {
                return;
            }

            completed.Sort(static (a, b) => a.Value.ExpiresAt.CompareTo(b.Value.ExpiresAt));
            for (var i = 0; i < completed.Count && excess > 0; i++)
            {
                if (TryRemoveEntry(completed[i].Key, completed[i].Value))
                {
                    CountEviction();
                    excess--;
                }
            }
        }
        finally
        {
            Monitor.Exit(_evictionLock);
        }
    }

    /// <summary>
    /// One key's value: a fetch in flight, then the value with its expiry. While in flight it counts its waiters; when
    /// the count falls to zero it is abandoned (the count becomes -1, so nobody joins it again) and its fetch cancelled.
    /// </summary>
    private sealed class Entry : IDisposable
    {
        private readonly TaskCompletionSource<TValue> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly CancellationTokenSource _fetch = new();
        private int _waiters = 1; // whoever creates the entry waits on it
        private bool _fetchDone;
        private int _fetchClaimed;
        private TValue? _value;
        private long _expiresAt = long.MaxValue;
        private volatile bool _completed;

        public Task<TValue> Completion => _completion.Task;

        public bool IsCompleted => _completed;

        public long ExpiresAt => Volatile.Read(ref _expiresAt);

        public bool TryClaimFetch() => Interlocked.Exchange(ref _fetchClaimed, 1) == 0;

        public CancellationToken FetchToken => _fetch.Token;

        /// <summary>Joins the entry as one more waiter, unless it was abandoned.</summary>
        public bool TryAddWaiter()
        {
            while (true)
            {
                int waiters = Volatile.Read(ref _waiters);
                if (waiters < 0)
                {
                    return false;
                }

                if (Interlocked.CompareExchange(ref _waiters, waiters + 1, waiters) == waiters)
                {
                    return true;
                }
            }
        }

        /// <summary>Leaves the entry; <see langword="true"/> when this was the last waiter and the value had not arrived.</summary>
        public bool RemoveWaiter() =>
            Interlocked.Decrement(ref _waiters) == 0
            && !_completion.Task.IsCompleted
            && Interlocked.CompareExchange(ref _waiters, -1, 0) == 0;

        /// <summary>Cancels the fetch nobody waits for any more, unless it has finished already.</summary>
        public void Abandon()
        {
            lock (_fetch)
            {
                if (!_fetchDone)
                {
                    _fetch.Cancel();
                }
            }
        }

        /// <summary>Frees the fetch's token source once the fetch is over.</summary>
        public void Dispose()
        {
            lock (_fetch)
            {
                _fetchDone = true;
                _fetch.Dispose();
            }
        }

        public bool TryGetFresh(long now, out TValue value)
        {
            if (_completed && now < Volatile.Read(ref _expiresAt))
            {
                value = _value!;
                return true;
            }

            value = default!;
            return false;
        }

        public bool IsExpired(long now) => _completed && now >= Volatile.Read(ref _expiresAt);

        public void Complete(TValue value, long expiresAt)
        {
            _value = value;
            Volatile.Write(ref _expiresAt, expiresAt);
            _completed = true; // published last: a reader that sees it also sees the value and expiry
            _completion.TrySetResult(value);
        }

        public void Fail(Exception exception)
        {
            if (exception is OperationCanceledException canceled)
            {
                _completion.TrySetCanceled(canceled.CancellationToken);
            }
            else
            {
                _completion.TrySetException(exception);
            }
        }
    }
}

/// <summary>Told of a <see cref="SingleFlightCache{TKey, TValue}"/>'s hits, misses and evictions as they happen.</summary>
internal interface ISingleFlightCacheObserver
{
    /// <summary>A lookup was served from the cache.</summary>
    void OnHit();

    /// <summary>A lookup had to fetch, or join a fetch in flight.</summary>
    void OnMiss();

    /// <summary>An entry was dropped because it expired or the cache was full.</summary>
    void OnEviction();
}
