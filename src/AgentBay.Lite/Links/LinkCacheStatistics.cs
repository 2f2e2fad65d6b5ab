namespace AgentBay.Lite;

/// <summary>A snapshot of the link cache's counters, from <see cref="AgentBayClient.GetLinkCacheStatistics"/>.</summary>
/// <param name="Hits">Link requests answered from the cache.</param>
/// <param name="Misses">Link requests that called the service or joined a call already in flight for the same link.</param>
/// <param name="Evictions">Links dropped because they expired or the cache was full (not those dropped by a delete).</param>
/// <param name="Count">Links held now, including requests in flight.</param>
/// <remarks>
/// <see cref="Hits"/>, <see cref="Misses"/>, <see cref="Evictions"/> and <see cref="Count"/> are the in-process tier's.
/// With the shared tier on (<c>WithSharedLinkCache</c>), every in-process miss is then either a
/// <see cref="SharedHits">shared hit</see> or a <see cref="SharedMisses">shared miss</see>; both stay zero without it.
/// </remarks>
public readonly record struct LinkCacheStatistics(long Hits, long Misses, long Evictions, int Count)
{
    /// <summary>In-process misses answered by the shared tier (a link another instance fetched): no GetLink sent.</summary>
    public long SharedHits { get; init; }

    /// <summary>In-process misses the shared tier could not answer (absent, or the tier failed), so GetLink was sent.</summary>
    public long SharedMisses { get; init; }
}
