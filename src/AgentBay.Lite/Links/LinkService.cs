using System.Diagnostics;
using System.Runtime.CompilerServices;
using AgentBay.Lite.Backend;
using AgentBay.Lite.Caching;
using AgentBay.Lite.Caching.Shared;
using AgentBay.Lite.FanOut;
using AgentBay.Lite.Telemetry;
using Microsoft.Extensions.Logging;

namespace AgentBay.Lite.Links;

/// <summary>
/// Links over the (resilient) backend: the port policy (<see cref="AgentBayOptions.LinkPorts"/>), the single-flight
/// link cache and the bounded fan-out. Every link request of the SDK, one or many, from the client or a session,
/// takes <see cref="GetAsync(string, LinkRequest, CancellationToken)"/>. With a <see cref="SharedLinkTier"/> (opt-in,
/// <c>WithSharedLinkCache</c>), an in-process miss asks the shared tier before GetLink.
/// </summary>
internal sealed class LinkService
{
    private readonly IAgentBayBackend _backend;
    private readonly LinkPortRange _ports;
    private readonly TimeProvider _timeProvider;
    private readonly SingleFlightCache<LinkKey, SessionLink>? _cache;
    private readonly ClientTelemetry _telemetry;
    private readonly SharedLinkTier? _shared;

    public LinkService(
        IAgentBayBackend backend,
        LinkCacheOptions cache,
        LinkPortRange ports,
        TimeProvider timeProvider,
        ClientTelemetry telemetry,
        SharedLinkTier? shared = null)
    {
        _backend = backend;
        _ports = ports;
        _timeProvider = timeProvider;
        _telemetry = telemetry;

        // The shared tier sits behind the in-process one: without an in-process cache nothing is cached at all.
        _shared = cache.Enabled ? shared : null;
        _cache = !cache.Enabled
            ? null
            : _shared is null
                ? new(cache.TimeToLive, cache.MaxEntries, timeProvider, observer: telemetry.Metrics)
                : new(cache.TimeToLive, cache.MaxEntries, timeProvider, observer: telemetry.Metrics, lifetimeOf: link => _shared.RemainingLifetime(link.RetrievedAt));
    }

    /// <summary>The cache's counters; all zero without a cache.</summary>
    public LinkCacheStatistics Statistics =>
        _cache is null
            ? default
            : new(_cache.Hits, _cache.Misses, _cache.Evictions, _cache.Count) { SharedHits = _shared?.Hits ?? 0, SharedMisses = _shared?.Misses ?? 0 };

    /// <summary>A link from the cache, or fetched once for all concurrent callers.</summary>
    public ValueTask<SessionLink> GetAsync(string sessionId, LinkRequest request, CancellationToken cancellationToken)
    {
        CheckPort(request, nameof(request));
        return _cache is null
            ? new(FetchAsync(sessionId, request, cancellationToken))
            : _cache.GetOrFetchAsync(new LinkKey(sessionId, request), this, static (key, self, token) => self.FetchOnMissAsync(key.SessionId, key.Request, token), cancellationToken);
    }

    /// <summary>A new link whatever the cache holds; cached for the callers that follow.</summary>
    public Task<SessionLink> RefreshAsync(string sessionId, LinkRequest request, CancellationToken cancellationToken)
    {
        CheckPort(request, nameof(request));
        return _cache is null
            ? FetchAsync(sessionId, request, cancellationToken)
            : _cache.RefreshAsync(new LinkKey(sessionId, request), this, static (key, self, token) => self.FetchAndPublishAsync(key.SessionId, key.Request, token), cancellationToken);
    }

    /// <summary>Many links, at most <paramref name="maxConcurrency"/> at once; one result per key, in order.</summary>
    public async Task<IReadOnlyList<LinkResult>> GetManyAsync(IReadOnlyList<LinkKey> keys, int maxConcurrency, CancellationToken cancellationToken)
    {
        using FanOutScope scope = new(this, keys.Count, maxConcurrency);
        LinkResult[] results = await BoundedFanOut.RunAsync(keys, maxConcurrency, comparer: null, GetInBatchAsync, Success, Failure, cancellationToken).ConfigureAwait(false);
        foreach (LinkResult result in results)
        {
            scope.Count(result);
        }

        return results;
    }

    /// <summary>Many links, at most <paramref name="maxConcurrency"/> at once, each result as it completes.</summary>
    public async IAsyncEnumerable<LinkResult> StreamAsync(IReadOnlyList<LinkKey> keys, int maxConcurrency, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using FanOutScope scope = new(this, keys.Count, maxConcurrency);
        await foreach (var (_, result) in BoundedFanOut.StreamAsync(keys, maxConcurrency, comparer: null, GetInBatchAsync, Success, Failure, cancellationToken).ConfigureAwait(false))
        {
            scope.Count(result);
            yield return result;
        }
    }

    /// <summary>
    /// Refuses a port outside <see cref="AgentBayOptions.LinkPorts"/> before anything is sent, naming the setting: the
    /// one check of the port policy, on every path a link request takes.
    /// </summary>
    public void CheckPort(LinkRequest request, string paramName)
    {
        int? port = request switch
        {
            LinkRequest.HttpsLink https => https.Port,
            LinkRequest.WssLink wss => wss.Port,
            _ => null,
        };

        if (port is { } value && !_ports.Contains(value))
        {
            throw new ArgumentOutOfRangeException(
                paramName,
                value,
                $"Port {value} ({request}) is outside AgentBayOptions.LinkPorts ({_ports}), the ports this client asks links for. AgentBay opens 30100-30199 to every account; if yours has more ports open, widen AgentBayOptions.LinkPorts, otherwise run the service in the session on a port in the range.");
        }
    }

    /// <summary>
    /// Drops a session's cached links, from the shared tier too; called whenever the client deletes a session. Never
    /// throws for the shared tier: a removal it could not make expires with the entry.
    /// </summary>
    public Task ForgetAsync(string sessionId)
    {
        _cache?.RemoveWhere(static (key, id) => string.Equals(key.SessionId, id, StringComparison.Ordinal), sessionId);
        return _shared is null ? Task.CompletedTask : _shared.RemoveSessionAsync(sessionId, _ports);
    }

    /// <summary>An in-process miss: through the shared tier when there is one, else straight to GetLink.</summary>
    private async Task<SessionLink> FetchOnMissAsync(string sessionId, LinkRequest request, CancellationToken cancellationToken)
    {
        if (_shared is null)
        {
            return await FetchAsync(sessionId, request, cancellationToken).ConfigureAwait(false);
        }

        // A shared hit is a link this instance did not have to fetch itself.
        bool fetched = false;
        SessionLink link = await _shared.GetOrFetchAsync(
            sessionId,
            request,
            (id, linkRequest, token) =>
            {
                fetched = true;
                return FetchAsync(id, linkRequest, token);
            },
            cancellationToken).ConfigureAwait(false);
        _telemetry.Metrics.SharedTierLookup(hit: !fetched);
        return link;
    }

    /// <summary>A refresh: always GetLink, and the new link replaces the shared tier's for the instances that follow.</summary>
    private async Task<SessionLink> FetchAndPublishAsync(string sessionId, LinkRequest request, CancellationToken cancellationToken)
    {
        SessionLink link = await FetchAsync(sessionId, request, cancellationToken).ConfigureAwait(false);
        if (_shared is not null)
        {
            await _shared.PublishAsync(link, cancellationToken).ConfigureAwait(false);
        }

        return link;
    }

    private async Task<SessionLink> FetchAsync(string sessionId, LinkRequest request, CancellationToken cancellationToken)
    {
        LinkRecord record = await _backend.GetLinkAsync(sessionId, request, cancellationToken).ConfigureAwait(false);
        ILogger logger = _telemetry.Logger;
        if (logger.IsEnabled(LogLevel.Debug))
        {
            string redacted = LinkRedaction.Redact(record.Url);
            string kind = request.ToString();
            Log.LinkFetched(logger, redacted, kind, sessionId, record.RequestId);
        }

        return new SessionLink(record.Url, request, sessionId, record.RequestId, _timeProvider.GetUtcNow(), _timeProvider);
    }

    /// <summary>One link of a batch, counted in the fan-out's in-flight instrument while it is fetched.</summary>
    private async ValueTask<SessionLink> GetInBatchAsync(LinkKey key, CancellationToken cancellationToken)
    {
        _telemetry.Metrics.FanOutInFlight.Add(1);
        try
        {
            return await GetAsync(key.SessionId, key.Request, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _telemetry.Metrics.FanOutInFlight.Add(-1);
        }
    }

    private static LinkResult Success(LinkKey key, SessionLink link) => LinkResult.Success(link);

    private static LinkResult Failure(LinkKey key, Exception error) => LinkResult.Failure(key.SessionId, key.Request, error);

    /// <summary>A batch's span (<c>AgentBay GetLinks</c>, parent of its links' operation spans) and its closing log event.</summary>
    private sealed class FanOutScope : IDisposable
    {
        private readonly LinkService _owner;
        private readonly Activity? _span;
        private readonly long _started;
        private readonly int _count;
        private readonly int _maxConcurrency;
        private int _failed;

        public FanOutScope(LinkService owner, int count, int maxConcurrency)
        {
            _owner = owner;
            _count = count;
            _maxConcurrency = maxConcurrency;
            _started = owner._timeProvider.GetTimestamp();
            _span = ClientTelemetry.StartSpan("AgentBay GetLinks");
            _span?.SetTag(AgentBayDiagnostics.Tags.LinkCount, count);
            _span?.SetTag(AgentBayDiagnostics.Tags.MaxConcurrency, maxConcurrency);
        }

        public void Count(LinkResult result)
        {
            if (!result.Succeeded)
            {
                _failed++;
            }
        }

        public void Dispose()
        {
            if (_span is not null)
            {
                _span.SetTag(AgentBayDiagnostics.Tags.LinksFailed, _failed);
                if (_failed > 0)
                {
                    _span.SetStatus(ActivityStatusCode.Error, $"{_failed} of {_count} links failed");
                }

                _span.Dispose();
            }

            ILogger logger = _owner._telemetry.Logger;
            if (logger.IsEnabled(LogLevel.Debug))
            {
                double elapsed = _owner._telemetry.ElapsedMilliseconds(_started);
                Log.FanOutCompleted(logger, _count, _maxConcurrency, elapsed, _failed);
            }
        }
    }
}
