namespace AgentBay.Lite;

/// <summary>
/// The AgentBay operations of <see cref="AgentBayClient"/>, for code that takes the client as a dependency and for
/// substituting it in that code's tests.
/// </summary>
public interface IAgentBayClient
{
    /// <summary>Creates a session and returns it once the service has it ready.</summary>
    /// <param name="options">The image and labels, or <see langword="null"/> for a session of the default image.</param>
    /// <param name="cancellationToken">Cancels the call (the service may still create the session).</param>
    /// <returns>The new session; dispose it (<c>await using</c>) to delete it.</returns>
    /// <exception cref="ArgumentException">A label key is empty, or <see cref="CreateSessionOptions.ImageId"/> is blank.</exception>
    /// <exception cref="AgentBayException">The service refused or failed the creation.</exception>
    Task<AgentBaySession> CreateSessionAsync(CreateSessionOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Gets an existing session by id (the service's GetSession).</summary>
    /// <param name="sessionId">The session's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>
    /// The session. Its <see cref="AgentBaySession.ImageId"/> and <see cref="AgentBaySession.Labels"/> are empty,
    /// because GetSession does not report them.
    /// </returns>
    /// <exception cref="SessionNotFoundException">The session does not exist (any more).</exception>
    Task<AgentBaySession> GetSessionAsync(string sessionId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Lists sessions matching <paramref name="query"/>. Pages are requested lazily, one per
    /// <see cref="SessionQuery.PageSize"/> sessions enumerated, following the service's continuation token.
    /// </summary>
    /// <param name="query">Label and status filters and the page size, or <see langword="null"/> for all sessions.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>The sessions, page by page. Released sessions are not listed.</returns>
    /// <exception cref="ArgumentException">A label key is empty, the status is blank, or the page size is not positive.</exception>
    IAsyncEnumerable<SessionSummary> ListSessionsAsync(SessionQuery? query = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes a session and waits until the service reports it finished or gone, polling every
    /// <see cref="AgentBayOptions.DeletePollInterval"/> for at most <see cref="AgentBayOptions.DeleteTimeout"/>
    /// (60 seconds by default).
    /// </summary>
    /// <param name="sessionId">The session's id.</param>
    /// <param name="cancellationToken">Cancels the deletion request or the wait.</param>
    /// <returns>A task that completes when the session is deleted.</returns>
    /// <exception cref="SessionNotFoundException">The session did not exist when the deletion was requested.</exception>
    /// <exception cref="AgentBayTimeoutException">The session was not gone within <see cref="AgentBayOptions.DeleteTimeout"/>.</exception>
    Task DeleteSessionAsync(string sessionId, CancellationToken cancellationToken = default);

    /// <summary>Gets a link to a service inside a session: its browser's CDP endpoint, or an HTTPS or WSS URL for a port.</summary>
    /// <remarks>
    /// Links are cached (see <see cref="AgentBayOptions.LinkCache"/>): a link asked for again within its time-to-live
    /// comes from memory without a call, and concurrent requests for one link share a single call. Use
    /// <see cref="RefreshLinkAsync"/> for a guaranteed fresh link.
    /// </remarks>
    /// <param name="sessionId">The session's id.</param>
    /// <param name="request">Which link: <see cref="LinkRequest.Cdp"/>, <see cref="LinkRequest.Https"/> or <see cref="LinkRequest.Wss"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The link.</returns>
    /// <exception cref="AgentBayException">
    /// The service refused, e.g. CDP on an image without a browser; <see cref="AgentBayException.Code"/> and
    /// <see cref="AgentBayException.ServerMessage"/> carry its words.
    /// </exception>
    ValueTask<SessionLink> GetLinkAsync(string sessionId, LinkRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Resets a session's idle timer (the service's RefreshSessionIdleTime), so a session created with
    /// <see cref="CreateSessionOptions.IdleTimeout"/> is not released while it is still wanted. Safe to repeat, and
    /// retried like a read.
    /// </summary>
    /// <param name="sessionId">The session's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the service has reset the timer.</returns>
    /// <exception cref="SessionNotFoundException">The session is gone (deleted, or already released).</exception>
    Task KeepSessionAliveAsync(string sessionId, CancellationToken cancellationToken = default);

    /// <summary>Gets a new link from the service, bypassing the cache; the new link replaces any cached one.</summary>
    /// <param name="sessionId">The session's id.</param>
    /// <param name="request">Which link.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The fresh link.</returns>
    /// <exception cref="AgentBayException">The service refused; see <see cref="GetLinkAsync"/>.</exception>
    ValueTask<SessionLink> RefreshLinkAsync(string sessionId, LinkRequest request, CancellationToken cancellationToken = default);

    /// <summary>The link cache's counters (hits, misses, evictions, entries); all zero when <see cref="AgentBayOptions.LinkCache"/> is disabled.</summary>
    /// <returns>A snapshot of the counters.</returns>
    LinkCacheStatistics GetLinkCacheStatistics();

    /// <summary>
    /// Gets many links in parallel, at most <see cref="FanOutOptions.MaxConcurrency"/> at once, and returns one
    /// <see cref="LinkResult"/> per request, in the order given. A refusal or failure of one link is reported in its
    /// result and never hides the others; duplicates are fetched once; cached links are served from the cache.
    /// </summary>
    /// <param name="requests">Which link of which session, one entry per link wanted.</param>
    /// <param name="options">The concurrency; <see langword="null"/> for the default (64).</param>
    /// <param name="cancellationToken">
    /// Stops the batch: no new request starts, and every link not yet obtained is reported with an
    /// <see cref="OperationCanceledException"/>.
    /// </param>
    /// <returns>One result per request, in input order.</returns>
    /// <exception cref="ArgumentException">An entry is <see langword="null"/>.</exception>
    Task<IReadOnlyList<LinkResult>> GetLinksAsync(
        IEnumerable<LinkTarget> requests,
        FanOutOptions? options = null,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// Like <see cref="GetLinksAsync"/>, but yields each <see cref="LinkResult"/> as soon as it is known, so work can
    /// start on the first link while the others are still being fetched. Leaving the enumeration early cancels the
    /// requests still running.
    /// </summary>
    /// <param name="requests">Which link of which session, one entry per link wanted.</param>
    /// <param name="options">The concurrency; <see langword="null"/> for the default (64).</param>
    /// <param name="cancellationToken">Stops the batch; the links not yet obtained are yielded as cancelled.</param>
    /// <returns>One result per request, in completion order.</returns>
    /// <exception cref="ArgumentException">An entry is <see langword="null"/>.</exception>
    IAsyncEnumerable<LinkResult> StreamLinksAsync(
        IEnumerable<LinkTarget> requests,
        FanOutOptions? options = null,
        CancellationToken cancellationToken = default);
}
