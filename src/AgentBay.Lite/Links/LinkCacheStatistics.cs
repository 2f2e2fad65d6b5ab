namespace AgentBay.Lite;

/// <summary>A snapshot of the link cache's counters, from <see cref="AgentBayClient.GetLinkCacheStatistics"/>.</summary>
/// <param name="Hits">Link requests answered from the cache.</param>
/// <param name="Misses">Link requests that called the service or joined a call already in flight for the same link.</param>
/// <param name="Evictions">Links dropped because they expired or the cache was full (not those dropped by a delete).</param>
/// <param name="Count">Links held now, including requests in flight.</param>
public readonly record struct LinkCacheStatistics(long Hits, long Misses, long Evictions, int Count);
