namespace AgentBay.Lite;

/// <summary>
/// How <see cref="AgentBayClient"/> caches links. On by default: a link asked for again within
/// <see cref="TimeToLive"/> is served from memory, and concurrent requests for one link share a single call.
/// </summary>
/// <remarks>
/// <para>
/// The cache key is the session and the <see cref="LinkRequest"/>; <c>RefreshLinkAsync</c> bypasses it for a
/// guaranteed fresh link (and caches that one). Deleting or disposing a session through the client drops its links.
/// A failed or cancelled request is never cached.
/// </para>
/// <para>
/// When the cache is full, expired links are dropped first, then the links fetched longest ago (about a tenth of
/// <see cref="MaxEntries"/> at a time); requests still in flight are never dropped.
/// </para>
/// </remarks>
public sealed class LinkCacheOptions
{
    /// <summary>
    /// The default time-to-live, 5 minutes. AgentBay documents no lifetime for links; the shortest lifetime it
    /// documents for a related URL is 30 minutes (a session's resource URL), and idle sessions may be released after
    /// a few minutes, so 5 minutes is a conservative bound that still absorbs bursts of repeated requests.
    /// </summary>
    public static TimeSpan DefaultTimeToLive { get; } = TimeSpan.FromMinutes(5);

    /// <summary>The default bound, 10,000 links: a large fan-out fits without evicting its own results.</summary>
    public const int DefaultMaxEntries = 10_000;

    /// <summary>Whether links are cached. Default <see langword="true"/>.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How long a link is served from the cache after it was fetched. Default <see cref="DefaultTimeToLive"/>.</summary>
    public TimeSpan TimeToLive { get; set; } = DefaultTimeToLive;

    /// <summary>How many links the cache holds at most. Default <see cref="DefaultMaxEntries"/>.</summary>
    public int MaxEntries { get; set; } = DefaultMaxEntries;
}
