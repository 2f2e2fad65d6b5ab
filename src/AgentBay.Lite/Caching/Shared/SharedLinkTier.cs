using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Caching.Distributed;

namespace AgentBay.Lite.Caching.Shared;

/// <summary>
/// The link cache's second tier, shared by every instance that points at the same distributed cache: behind the
/// in-process <see cref="SingleFlightCache{TKey, TValue}"/>, in front of GetLink. Values are read from and written to
/// the app's <see cref="IDistributedCache"/> directly (as <see cref="SharedLinkSerializer"/> bytes), through
/// <see cref="GuardedDistributedCache"/> so that a failing cache never fails a call.
/// </summary>
/// <remarks>
/// <para>
/// A miss across the fleet: the first instance to miss takes a short lease on the link (a key beside it), fetches,
/// stores the link and drops the lease; instances that miss while the lease is held poll for the link instead of
/// fetching it too, and fetch themselves only if the lease disappears without a link (the fetch failed) or outlives
/// <see cref="LeaseTime"/>. A distributed cache has no atomic "add if absent", so instances that miss within the same
/// round trip can each take the lease: a stampede of N instances sends a handful of GetLinks, not N.
/// </para>
/// <para>
/// Lifetime: an entry lives in the shared tier for the in-process time-to-live counted from when the link was fetched,
/// and an instance that reads it keeps it in memory only for what is left of that, so no instance serves a link older
/// than <see cref="LinkCacheOptions.TimeToLive"/>.
/// </para>
/// </remarks>
internal sealed class SharedLinkTier
{
    /// <summary>How long a fetching instance holds its lease at most; a GetLink normally takes well under a second.</summary>
    internal static readonly TimeSpan LeaseTime = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan FirstPoll = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan LongestPoll = TimeSpan.FromMilliseconds(100);

    private readonly GuardedDistributedCache _store;
    private readonly SharedLinkSerializer _serializer;
    private readonly SharedLinkKeys _keys;
    private readonly TimeSpan _timeToLive;
    private readonly TimeProvider _timeProvider;

    private long _hits;
    private long _misses;

    /// <summary>Creates the tier.</summary>
    /// <param name="store">The app's distributed cache, guarded: links and leases.</param>
    /// <param name="serializer">The stored bytes of a link (encrypted when the app registered Data Protection).</param>
    /// <param name="keys">The key scheme of this client's endpoint and account.</param>
    /// <param name="timeToLive">The in-process time-to-live, which bounds the shared one.</param>
    /// <param name="timeProvider">The clock.</param>
    public SharedLinkTier(GuardedDistributedCache store, SharedLinkSerializer serializer, SharedLinkKeys keys, TimeSpan timeToLive, TimeProvider timeProvider)
    {
        _store = store;
        _serializer = serializer;
        _keys = keys;
        _timeToLive = timeToLive;
        _timeProvider = timeProvider;
    }

    /// <summary>Links this instance found in the shared tier instead of fetching them.</summary>
    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>Links this instance fetched after the shared tier had none (or failed).</summary>
    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>How long a link fetched at <paramref name="retrievedAt"/> may still be served.</summary>
    public TimeSpan RemainingLifetime(DateTimeOffset retrievedAt) => _timeToLive - (_timeProvider.GetUtcNow() - retrievedAt);

    /// <summary>The link from the shared tier, or fetched (once across the fleet, as far as the lease allows) and stored.</summary>
    public async Task<SessionLink> GetOrFetchAsync(
        string sessionId, LinkRequest request, Func<string, LinkRequest, CancellationToken, Task<SessionLink>> fetch, CancellationToken cancellationToken)
    {
        string key = _keys.For(sessionId, request);
        if (await TryReadAsync(key, sessionId, request, cancellationToken).ConfigureAwait(false) is { } cached)
        {
            Interlocked.Increment(ref _hits);
            return cached;
        }

        if (!_store.IsAvailable)
        {
            Interlocked.Increment(ref _misses);
            return await fetch(sessionId, request, cancellationToken).ConfigureAwait(false);
        }

        string leaseKey = SharedLinkKeys.LeaseFor(key);
        byte[] owner = Encoding.ASCII.GetBytes(Convert.ToHexString(RandomNumberGenerator.GetBytes(16)));
        if (await TryTakeLeaseAsync(leaseKey, owner, cancellationToken).ConfigureAwait(false))
        {
            return await FetchAndStoreAsync(key, leaseKey, sessionId, request, fetch, cancellationToken).ConfigureAwait(false);
        }

        // Another instance is fetching this link: wait for it to land rather than fetch it again.
        long deadline = _timeProvider.GetTimestamp() + (long)(LeaseTime.TotalSeconds * _timeProvider.TimestampFrequency);
        TimeSpan pause = FirstPoll;
        while (_timeProvider.GetTimestamp() < deadline && _store.IsAvailable)
        {
            await Task.Delay(pause, _timeProvider, cancellationToken).ConfigureAwait(false);
            if (await TryReadAsync(key, sessionId, request, cancellationToken).ConfigureAwait(false) is { } landed)
            {
                Interlocked.Increment(ref _hits);
                return landed;
            }

            if (await _store.GetAsync(leaseKey, cancellationToken).ConfigureAwait(false) is null)
            {
                break; // the lease is gone without a link: that fetch failed, so fetch here
            }

            pause = pause * 2 < LongestPoll ? pause * 2 : LongestPoll;
        }

        return await FetchAndStoreAsync(key, leaseKey: null, sessionId, request, fetch, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stores a link fetched outside <see cref="GetOrFetchAsync"/> (a refresh), for the instances that follow.</summary>
    public async Task PublishAsync(SessionLink link, CancellationToken cancellationToken) =>
        await WriteAsync(_keys.For(link.SessionId, link.Request), link, cancellationToken).ConfigureAwait(false);

    /// <summary>Removes every link of a session this client's port policy allows from the shared tier.</summary>
    public async Task RemoveSessionAsync(string sessionId, LinkPortRange ports)
    {
        // One removal per possible key, all at once: the cache client pipelines them over its connection.
        var removals = new List<Task>();
        foreach (string key in _keys.AllFor(sessionId, ports))
        {
            removals.Add(_store.RemoveAsync(key, CancellationToken.None));
        }

        await Task.WhenAll(removals).ConfigureAwait(false);
    }

    private async Task<SessionLink> FetchAndStoreAsync(
        string key, string? leaseKey, string sessionId, LinkRequest request, Func<string, LinkRequest, CancellationToken, Task<SessionLink>> fetch, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _misses);
        try
        {
            SessionLink link = await fetch(sessionId, request, cancellationToken).ConfigureAwait(false);
            await WriteAsync(key, link, cancellationToken).ConfigureAwait(false);
            return link;
        }
        finally
        {
            if (leaseKey is not null)
            {
                await _store.RemoveAsync(leaseKey, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private async Task<bool> TryTakeLeaseAsync(string leaseKey, byte[] owner, CancellationToken cancellationToken)
    {
        if (await _store.GetAsync(leaseKey, cancellationToken).ConfigureAwait(false) is not null)
        {
            return false;
        }

        await _store.SetAsync(leaseKey, owner, new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = LeaseTime }, cancellationToken).ConfigureAwait(false);

        // Last writer wins: read back, and only the instance whose mark is there fetches. A cache that failed in
        // between reads back nothing, and this instance fetches.
        byte[]? holder = await _store.GetAsync(leaseKey, cancellationToken).ConfigureAwait(false);
        return holder is null || holder.AsSpan().SequenceEqual(owner);
    }

    private async Task<SessionLink?> TryReadAsync(string key, string sessionId, LinkRequest request, CancellationToken cancellationToken)
    {
        byte[]? stored = await _store.GetAsync(key, cancellationToken).ConfigureAwait(false);
        if (stored is null)
        {
            return null;
        }

        SharedLinkEntry entry = _serializer.Deserialize(stored);
        if (!entry.IsUsable || RemainingLifetime(entry.RetrievedAt) <= TimeSpan.Zero)
        {
            return null;
        }

        return new SessionLink(new Uri(entry.Url!, UriKind.Absolute), request, sessionId, entry.RequestId, entry.RetrievedAt, _timeProvider);
    }

    private async Task WriteAsync(string key, SessionLink link, CancellationToken cancellationToken)
    {
        TimeSpan remaining = RemainingLifetime(link.RetrievedAt);
        if (remaining <= TimeSpan.Zero)
        {
            return;
        }

        var options = new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = remaining };
        await _store.SetAsync(key, _serializer.Serialize(SharedLinkEntry.From(link)), options, cancellationToken).ConfigureAwait(false);
    }
}
