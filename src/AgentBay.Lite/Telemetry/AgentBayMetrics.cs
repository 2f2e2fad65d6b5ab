using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using AgentBay.Lite.Caching;

namespace AgentBay.Lite.Telemetry;

/// <summary>
/// The SDK's instruments, created once per <see cref="Meter"/>: on the host's meter when dependency injection provides
/// an <see cref="IMeterFactory"/> (so each container, e.g. each test, measures apart), on one process-wide meter
/// otherwise.
/// </summary>
internal sealed class AgentBayMetrics : ISingleFlightCacheObserver
{
    private static readonly ConditionalWeakTable<Meter, AgentBayMetrics> ByMeter = new();
    // Which tier of the link cache a hit or miss is counted for: this process's memory, or the fleet's shared tier.
    private static readonly KeyValuePair<string, object?> MemoryTier = new("agentbay.link_cache.tier", "memory");
    private static readonly KeyValuePair<string, object?> SharedTier = new("agentbay.link_cache.tier", "shared");

    private static readonly Lazy<AgentBayMetrics> Shared = new(static () => new(new Meter(AgentBayDiagnostics.Name, AgentBayDiagnostics.Version)));

    private AgentBayMetrics(Meter meter)
    {
        OperationDuration = meter.CreateHistogram<double>(
            "agentbay.client.operation.duration", "s", "Duration of calls to the AgentBay service, retries and backoff included.");
        Retries = meter.CreateCounter<long>(
            "agentbay.client.operation.retries", "{retry}", "Attempts after the first, by operation.");
        LinkCacheHits = meter.CreateCounter<long>(
            "agentbay.client.link_cache.hits", "{lookup}", "Links served from the link cache.");
        LinkCacheMisses = meter.CreateCounter<long>(
            "agentbay.client.link_cache.misses", "{lookup}", "Link lookups that fetched, or joined a fetch in flight.");
        LinkCacheEvictions = meter.CreateCounter<long>(
            "agentbay.client.link_cache.evictions", "{entry}", "Links dropped from the cache because they expired or it was full.");
        FanOutInFlight = meter.CreateUpDownCounter<long>(
            "agentbay.client.fan_out.in_flight", "{link}", "Links of GetLinksAsync/StreamLinksAsync batches being fetched now.");
    }

    public Histogram<double> OperationDuration { get; }

    public Counter<long> Retries { get; }

    public Counter<long> LinkCacheHits { get; }

    public Counter<long> LinkCacheMisses { get; }

    public Counter<long> LinkCacheEvictions { get; }

    public UpDownCounter<long> FanOutInFlight { get; }

    /// <summary>The instruments on <paramref name="meterFactory"/>'s <c>AgentBay.Lite</c> meter, or on the process-wide one.</summary>
    public static AgentBayMetrics For(IMeterFactory? meterFactory) => meterFactory is null
        ? Shared.Value
        : ByMeter.GetValue(
            meterFactory.Create(new MeterOptions(AgentBayDiagnostics.Name) { Version = AgentBayDiagnostics.Version }),
            static meter => new AgentBayMetrics(meter));

    /// <summary>Counts a lookup in the shared tier (<c>WithSharedLinkCache</c>): a hit, or a miss that fetched.</summary>
    public void SharedTierLookup(bool hit) => (hit ? LinkCacheHits : LinkCacheMisses).Add(1, SharedTier);

    void ISingleFlightCacheObserver.OnHit() => LinkCacheHits.Add(1, MemoryTier);

    void ISingleFlightCacheObserver.OnMiss() => LinkCacheMisses.Add(1, MemoryTier);

    void ISingleFlightCacheObserver.OnEviction() => LinkCacheEvictions.Add(1);
}
