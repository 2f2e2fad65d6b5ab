namespace AgentBay.Lite;

/// <summary>
/// A cloud session (a Linux, browser or code sandbox) and what can be done with it: get links into it, read its
/// details, run commands and write or read files. Disposing it deletes the session on the service.
/// </summary>
/// <remarks>
/// Obtained from <see cref="IAgentBayClient.CreateSessionAsync"/> or <see cref="IAgentBayClient.GetSessionAsync"/>.
/// Thread-safe. Its calls go through the <see cref="AgentBayClient"/> that created it, so that client must not be
/// disposed first.
/// <code>
/// await using AgentBaySession session = await client.CreateSessionAsync(new CreateSessionOptions { ImageId = "browser_latest" });
/// SessionLink cdp = await session.GetLinkAsync(LinkRequest.Cdp);
/// </code>
/// </remarks>
public sealed class AgentBaySession : IAsyncDisposable
{
    private readonly AgentBayClient _client;
    private Task? _disposal;
    private int _deleted;

    internal AgentBaySession(
        AgentBayClient client,
        string id,
        string? imageId,
        Uri? resourceUrl,
        string? resourceId,
        string? appInstanceId,
        Uri? linkUrl,
        string? token,
        Uri? wsUrl,
        IReadOnlyDictionary<string, string> labels)
    {
        _client = client;
        Id = id;
        ImageId = imageId;
        ResourceUrl = resourceUrl;
        ResourceId = resourceId;
        AppInstanceId = appInstanceId;
        LinkUrl = linkUrl;
        Token = token;
        WsUrl = wsUrl;
        Labels = labels;
        Commands = new SessionCommands(this);
        Files = new SessionFiles(this);
    }

    /// <summary>The session's id (e.g. <c>session-04bdwfj7u688ec96t</c>).</summary>
    public string Id { get; }

    /// <summary>
    /// The image the session was created with, as given in <see cref="CreateSessionOptions.ImageId"/>;
    /// <see langword="null"/> for the default image or when the session was obtained with
    /// <see cref="IAgentBayClient.GetSessionAsync"/>.
    /// </summary>
    public string? ImageId { get; }

    /// <summary>
    /// A URL that opens the session's live desktop stream in a browser, as reported when the session was created or
    /// fetched; <see langword="null"/> if none. Documented as valid for 30 minutes; <see cref="GetInfoAsync"/> returns a
    /// fresh one.
    /// </summary>
    public Uri? ResourceUrl { get; }

    /// <summary>The session's resource id (<c>p-…</c>), or <see langword="null"/> if the service gave none.</summary>
    public string? ResourceId { get; }

    /// <summary>The session's app instance id, or <see langword="null"/> if the service gave none.</summary>
    public string? AppInstanceId { get; }

    /// <summary>The base URL for direct tool calls, or <see langword="null"/> if the service gave none.</summary>
    public Uri? LinkUrl { get; }

    /// <summary>The access token for direct tool calls, or <see langword="null"/> if the service gave none.</summary>
    public string? Token { get; }

    /// <summary>
    /// The session's WebSocket URL, or <see langword="null"/>: the AgentBay service gives none (the AGB service does).
    /// </summary>
    public Uri? WsUrl { get; }

    /// <summary>
    /// The labels given at creation; empty when the session was obtained with
    /// <see cref="IAgentBayClient.GetSessionAsync"/>, which does not report labels.
    /// </summary>
    public IReadOnlyDictionary<string, string> Labels { get; }

    /// <summary>Runs shell commands in the session.</summary>
    public SessionCommands Commands { get; }

    /// <summary>Writes and reads files in the session.</summary>
    public SessionFiles Files { get; }

    internal AgentBayClient Client => _client;

    /// <summary>Gets a link to a service inside this session. See <see cref="IAgentBayClient.GetLinkAsync"/>.</summary>
    /// <param name="request">Which link: <see cref="LinkRequest.Cdp"/>, <see cref="LinkRequest.Https"/> or <see cref="LinkRequest.Wss"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The link.</returns>
    /// <exception cref="AgentBayException">The service refused, e.g. CDP on an image without a browser.</exception>
    public ValueTask<SessionLink> GetLinkAsync(LinkRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return _client.GetLinkCoreAsync(Id, request, cancellationToken);
    }

    /// <summary>Gets a new link from the service, bypassing the cache. See <see cref="IAgentBayClient.RefreshLinkAsync"/>.</summary>
    /// <param name="request">Which link.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The fresh link.</returns>
    public Task<SessionLink> RefreshLinkAsync(LinkRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return _client.RefreshLinkCoreAsync(Id, request, cancellationToken);
    }

    /// <summary>
    /// Gets several links of this session in parallel, one <see cref="LinkResult"/> per request in the order given.
    /// See <see cref="IAgentBayClient.GetLinksAsync"/>.
    /// </summary>
    /// <param name="requests">The links.</param>
    /// <param name="options">The concurrency; <see langword="null"/> for the default.</param>
    /// <param name="cancellationToken">Stops the batch; links not yet obtained are reported as cancelled.</param>
    /// <returns>One result per request, in input order.</returns>
    public Task<IReadOnlyList<LinkResult>> GetLinksAsync(
        IEnumerable<LinkRequest> requests, FanOutOptions? options = null, CancellationToken cancellationToken = default) =>
        _client.GetLinksCoreAsync(ToKeys(requests), AgentBayClient.MaxConcurrency(options), cancellationToken);

    /// <summary>
    /// Gets several links of this session in parallel, yielding each result as it completes.
    /// See <see cref="IAgentBayClient.StreamLinksAsync"/>.
    /// </summary>
    /// <param name="requests">The links.</param>
    /// <param name="options">The concurrency; <see langword="null"/> for the default.</param>
    /// <param name="cancellationToken">Stops the batch.</param>
    /// <returns>One result per request, in completion order.</returns>
    public IAsyncEnumerable<LinkResult> StreamLinksAsync(
        IEnumerable<LinkRequest> requests, FanOutOptions? options = null, CancellationToken cancellationToken = default) =>
        _client.StreamLinksCoreAsync(ToKeys(requests), AgentBayClient.MaxConcurrency(options), cancellationToken);

    /// <summary>
    /// Resets the session's idle timer, so the service does not release it after
    /// <see cref="CreateSessionOptions.IdleTimeout"/>. See <see cref="IAgentBayClient.KeepSessionAliveAsync"/>.
    /// </summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the service has reset the timer.</returns>
    /// <exception cref="SessionNotFoundException">The session is gone.</exception>
    public Task KeepAliveAsync(CancellationToken cancellationToken = default) =>
        _client.KeepAliveCoreAsync(Id, cancellationToken);

    /// <summary>Reads the session's current resource and desktop details (the service's GetMcpResource).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The details; the resource URL in them is documented as valid for 30 minutes.</returns>
    /// <exception cref="SessionNotFoundException">The session is gone.</exception>
    public Task<SessionInfo> GetInfoAsync(CancellationToken cancellationToken = default) =>
        _client.GetInfoCoreAsync(Id, cancellationToken);

    /// <summary>
    /// Deletes the session and waits until it is gone, as <see cref="IAgentBayClient.DeleteSessionAsync"/> does.
    /// Returns at once if this object already deleted it.
    /// </summary>
    /// <param name="cancellationToken">Cancels the deletion request or the wait.</param>
    /// <returns>A task that completes when the session is deleted.</returns>
    /// <exception cref="SessionNotFoundException">The session was already gone (deleted elsewhere, or released).</exception>
    /// <exception cref="AgentBayTimeoutException">The session was not gone within <see cref="AgentBayOptions.DeleteTimeout"/>.</exception>
    public async Task DeleteAsync(CancellationToken cancellationToken = default)
    {
        if (Volatile.Read(ref _deleted) != 0)
        {
            return;
        }

        await _client.DeleteSessionCoreAsync(Id, cancellationToken).ConfigureAwait(false);
        Volatile.Write(ref _deleted, 1);
    }

    /// <summary>
    /// Deletes the session on the service and waits until it is gone. Idempotent and safe to call concurrently (all
    /// callers share one deletion); a session that is already gone is not an error.
    /// </summary>
    /// <returns>A task that completes when the session is deleted.</returns>
    /// <exception cref="AgentBayException">The deletion failed for another reason (e.g. the service could not be reached); a later call tries again.</exception>
    public async ValueTask DisposeAsync()
    {
        if (Volatile.Read(ref _deleted) != 0)
        {
            return;
        }

        var completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task? running = Interlocked.CompareExchange(ref _disposal, completion.Task, null);
        if (running is not null)
        {
            await running.ConfigureAwait(false);
            return;
        }

        try
        {
            await _client.DeleteSessionCoreAsync(Id, CancellationToken.None).ConfigureAwait(false);
        }
        catch (SessionNotFoundException)
        {
            // Already gone: that is what disposal wants.
        }
        catch (Exception ex)
        {
            // Let a later dispose try again; callers waiting on this one see the failure.
            Volatile.Write(ref _disposal, null);
            completion.SetException(ex);
            _ = completion.Task.Exception; // observed here; waiting callers still receive it.
            throw;
        }

        Volatile.Write(ref _deleted, 1);
        completion.SetResult();
    }

    private LinkKey[] ToKeys(IEnumerable<LinkRequest> requests)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var keys = new List<LinkKey>();
        foreach (LinkRequest request in requests)
        {
            if (request is null)
            {
                throw new ArgumentException($"Link request {keys.Count} is null.", nameof(requests));
            }

            _client.CheckLinkPort(request, nameof(requests));
            keys.Add(new LinkKey(Id, request));
        }

        return [.. keys];
    }

    /// <summary>Returns <see cref="Id"/>.</summary>
    public override string ToString() => Id;
}
