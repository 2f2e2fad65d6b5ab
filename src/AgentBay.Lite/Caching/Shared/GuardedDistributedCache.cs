using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Logging;

namespace AgentBay.Lite.Caching.Shared;

/// <summary>
/// The app's <see cref="IDistributedCache"/> as the shared link tier sees it: a failure is never thrown (a read is a
/// miss, a write or removal is dropped), it logs one warning, and for <see cref="RetryAfter"/> afterwards the cache is
/// not called at all, so an unreachable server costs one connect timeout per interval instead of one per link.
/// Cancellation by the caller still cancels.
/// </summary>
internal sealed class GuardedDistributedCache(IDistributedCache inner, ILogger logger, TimeProvider timeProvider) : IDistributedCache
{
    /// <summary>How long the cache is left alone after a failure.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(30);

    private long _skipUntil = long.MinValue;
    private int _failing;
    private long _failures;

    /// <summary>Whether the cache is called now (false for <see cref="RetryAfter"/> after a failure).</summary>
    public bool IsAvailable => timeProvider.GetTimestamp() >= Volatile.Read(ref _skipUntil);

    /// <summary>How many calls to the cache failed.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    public byte[]? Get(string key)
    {
        if (!IsAvailable)
        {
            return null;
        }

        try
        {
            byte[]? value = inner.Get(key);
            Succeeded();
            return value;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            Failed(exception);
            return null;
        }
    }

    public async Task<byte[]?> GetAsync(string key, CancellationToken token = default)
    {
        if (!IsAvailable)
        {
            return null;
        }

        try
        {
            byte[]? value = await inner.GetAsync(key, token).ConfigureAwait(false);
            Succeeded();
            return value;
        }
        catch (Exception exception) when (!token.IsCancellationRequested)
        {
            Failed(exception);
            return null;
        }
    }

    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) =>
        Run(static (cache, state) => cache.Set(state.key, state.value, state.options), (key, value, options));

    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default) =>
        RunAsync(static (cache, state, t) => cache.SetAsync(state.key, state.value, state.options, t), (key, value, options), token);

    public void Refresh(string key) => Run(static (cache, k) => cache.Refresh(k), key);

    public Task RefreshAsync(string key, CancellationToken token = default) =>
        RunAsync(static (cache, k, t) => cache.RefreshAsync(k, t), key, token);

    public void Remove(string key) => Run(static (cache, k) => cache.Remove(k), key);

    public Task RemoveAsync(string key, CancellationToken token = default) =>
        RunAsync(static (cache, k, t) => cache.RemoveAsync(k, t), key, token);

    private void Run<TState>(Action<IDistributedCache, TState> action, TState state)
    {
        if (!IsAvailable)
        {
            return;
        }

        try
        {
            action(inner, state);
            Succeeded();
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            Failed(exception);
        }
    }

    private async Task RunAsync<TState>(Func<IDistributedCache, TState, CancellationToken, Task> action, TState state, CancellationToken token)
    {
        if (!IsAvailable)
        {
            return;
        }

        try
        {
            await action(inner, state, token).ConfigureAwait(false);
            Succeeded();
        }
        catch (Exception exception) when (!token.IsCancellationRequested)
        {
            Failed(exception);
        }
    }

    private void Succeeded()
    {
        if (Volatile.Read(ref _failing) != 0 && Interlocked.Exchange(ref _failing, 0) != 0)
        {
            SharedLinkCacheLog.Recovered(logger);
        }
    }

    private void Failed(Exception exception)
    {
        Interlocked.Increment(ref _failures);
        long retryTicks = (long)(RetryAfter.TotalSeconds * timeProvider.TimestampFrequency);
        Volatile.Write(ref _skipUntil, timeProvider.GetTimestamp() + retryTicks);
        if (Interlocked.Exchange(ref _failing, 1) == 0)
        {
            // The exception's type only: a cache client's message can carry its connection string or the key.
            SharedLinkCacheLog.Unavailable(logger, exception.GetType().Name, RetryAfter.TotalSeconds);
        }
    }
}
