namespace AgentBay.Lite;

/// <summary>
/// A cloud session (a Linux, browser or code sandbox) and what can be done with it: get links into it, read its
/// details, run commands and write or read files. Disposing it deletes the session on the service.
/// </summary>
/// <remarks>
/// Obtained from <see cref="IAgentBayClient.CreateSessionAsync"/> or <see cref="IAgentBayClient.GetSessionAsync"/>.
/// Thread-safe. Its calls go through the <see cref="AgentBayClient"/> that created it, so that client must not be
/// disposed first. Its members are virtual and it has a protected constructor, so a test can substitute it (and its
/// <see cref="Commands"/> and <see cref="Files"/>) behind a substituted <see cref="IAgentBayClient"/>;
/// <see cref="AgentBayModelFactory.AgentBaySession"/> makes one that only carries values.
/// <code>
/// await using AgentBaySession session = await client.CreateSessionAsync(new CreateSessionOptions { ImageId = "browser_latest" });
/// SessionLink cdp = await session.GetLinkAsync(LinkRequest.Cdp);
/// </code>
/// </remarks>
public class AgentBaySession : IAsyncDisposable
{
    private readonly AgentBayServices? _services;
    private Task? _disposal;
    private int _deleted;

    /// <summary>For substitutes in tests; a substitute's members return defaults unless set up.</summary>
    protected AgentBaySession()
    {
        Id = string.Empty;
        Labels = System.Collections.ObjectModel.ReadOnlyDictionary<string, string>.Empty;
        ToolServers = Backend.ToolServers.Empty;
        Commands = new SessionCommands(tools: null, Tools.ToolTarget.None);
        Files = new SessionFiles(tools: null, Tools.ToolTarget.None);
        Code = new SessionCode(streams: null, string.Empty, wsUrl: null, token: null, Backend.ToolServers.Empty);
    }

    /// <summary>A session served by a client's <paramref name="services"/>; without them (the model factory's) it only carries values.</summary>
    internal AgentBaySession(
        AgentBayServices? services,
        string id,
        string? imageId,
        Uri? resourceUrl,
        string? resourceId,
        string? appInstanceId,
        Uri? linkUrl,
        string? token,
        Uri? wsUrl,
        IReadOnlyDictionary<string, string> labels,
        IReadOnlyDictionary<string, string>? toolServers = null)
    {
        toolServers ??= Backend.ToolServers.Empty;
        _services = services;
        Id = id;
        ImageId = imageId;
        ResourceUrl = resourceUrl;
        ResourceId = resourceId;
        AppInstanceId = appInstanceId;
        LinkUrl = linkUrl;
        Token = token;
        WsUrl = wsUrl;
        ToolServers = toolServers;
        Labels = labels;
        var target = new Tools.ToolTarget(id, linkUrl, token, toolServers);
        Commands = new SessionCommands(services?.Tools, target);
        Files = new SessionFiles(services?.Tools, target);
        Code = new SessionCode(services?.Code, id, wsUrl, token, toolServers);
    }

    /// <summary>The session's id (e.g. <c>session-04bdwfj7u688ec96t</c>).</summary>
    public virtual string Id { get; }

    /// <summary>
    /// The image the session was created with, as given in <see cref="CreateSessionOptions.ImageId"/>;
    /// <see langword="null"/> for the default image or when the session was obtained with
    /// <see cref="IAgentBayClient.GetSessionAsync"/>.
    /// </summary>
    public virtual string? ImageId { get; }

    /// <summary>
    /// A URL that opens the session's live desktop stream in a browser, as reported when the session was created or
    /// fetched; <see langword="null"/> if none. Documented as valid for 30 minutes; <see cref="GetInfoAsync"/> returns a
    /// fresh one.
    /// </summary>
    public virtual Uri? ResourceUrl { get; }

    /// <summary>The session's resource id (<c>p-…</c>), or <see langword="null"/> if the service gave none.</summary>
    public virtual string? ResourceId { get; }

    /// <summary>The session's app instance id, or <see langword="null"/> if the service gave none.</summary>
    public virtual string? AppInstanceId { get; }

    /// <summary>
    /// The session's own base URL for tool calls (link_url), or <see langword="null"/> if the service gave none. With
    /// <see cref="Token"/> and the tool's server from <see cref="ToolServers"/>, <see cref="Commands"/> and
    /// <see cref="Files"/> call <c>POST {LinkUrl}/callTool</c> directly instead of going through the API (see
    /// <see cref="AgentBayOptions.UseDirectToolRoute"/>).
    /// </summary>
    public virtual Uri? LinkUrl { get; }

    /// <summary>
    /// The session's access token for <see cref="LinkUrl"/> and <see cref="WsUrl"/> (sent as <c>X-Access-Token</c>), or
    /// <see langword="null"/> if the service gave none. A secret: whoever holds it can run commands in the session. The
    /// SDK never logs it or puts it in <see cref="ToString"/> or exception messages.
    /// </summary>
    public virtual string? Token { get; }

    /// <summary>
    /// The session's WebSocket URL (ws_url) that <see cref="Code"/> streams program output over, or
    /// <see langword="null"/> if the service gave none.
    /// </summary>
    public virtual Uri? WsUrl { get; }

    /// <summary>
    /// The session's tools and the MCP server each belongs to (e.g. <c>shell</c> → <c>wuying_shell</c>), from the
    /// service's tool list; empty if it gave none. The direct tool route needs a tool's server.
    /// </summary>
    public virtual IReadOnlyDictionary<string, string> ToolServers { get; }

    /// <summary>
    /// The labels given at creation; empty when the session was obtained with
    /// <see cref="IAgentBayClient.GetSessionAsync"/>, which does not report labels.
    /// </summary>
    public virtual IReadOnlyDictionary<string, string> Labels { get; }

    /// <summary>Runs shell commands in the session.</summary>
    public virtual SessionCommands Commands { get; }

    /// <summary>Writes and reads files in the session.</summary>
    public virtual SessionFiles Files { get; }

    /// <summary>Runs programs in the session, streaming their output over <see cref="WsUrl"/>.</summary>
    public virtual SessionCode Code { get; }

    private AgentBayServices Services => Connected(_services);

    /// <summary>The services behind a session or its tools; one from the model factory has none.</summary>
    internal static T Connected<T>(T? service)
        where T : class => service ?? throw new InvalidOperationException(
        "This session was made by AgentBayModelFactory and is not connected to a client. To fake its calls in a test, substitute AgentBaySession (and its Commands and Files): their members are virtual.");

    /// <summary>Gets a link to a service inside this session. See <see cref="IAgentBayClient.GetLinkAsync"/>.</summary>
    /// <param name="request">Which link: <see cref="LinkRequest.Cdp"/>, <see cref="LinkRequest.Https"/> or <see cref="LinkRequest.Wss"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The link.</returns>
    /// <exception cref="AgentBayException">The service refused, e.g. CDP on an image without a browser.</exception>
    public virtual ValueTask<SessionLink> GetLinkAsync(LinkRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Services.Links.GetAsync(Id, request, cancellationToken);
    }

    /// <summary>Gets a new link from the service, bypassing the cache. See <see cref="IAgentBayClient.RefreshLinkAsync"/>.</summary>
    /// <param name="request">Which link.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The fresh link.</returns>
    public virtual ValueTask<SessionLink> RefreshLinkAsync(LinkRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new(Services.Links.RefreshAsync(Id, request, cancellationToken));
    }

    /// <summary>
    /// Gets several links of this session in parallel, one <see cref="LinkResult"/> per request in the order given.
    /// See <see cref="IAgentBayClient.GetLinksAsync"/>.
    /// </summary>
    /// <param name="requests">The links.</param>
    /// <param name="options">The concurrency; <see langword="null"/> for the default.</param>
    /// <param name="cancellationToken">Stops the batch; links not yet obtained are reported as cancelled.</param>
    /// <returns>One result per request, in input order.</returns>
    public virtual Task<IReadOnlyList<LinkResult>> GetLinksAsync(
        IEnumerable<LinkRequest> requests, FanOutOptions? options = null, CancellationToken cancellationToken = default) =>
        Services.Links.GetManyAsync(ToKeys(requests), AgentBayClient.MaxConcurrency(options), cancellationToken);

    /// <summary>
    /// Gets several links of this session in parallel, yielding each result as it completes.
    /// See <see cref="IAgentBayClient.StreamLinksAsync"/>.
    /// </summary>
    /// <param name="requests">The links.</param>
    /// <param name="options">The concurrency; <see langword="null"/> for the default.</param>
    /// <param name="cancellationToken">Stops the batch.</param>
    /// <returns>One result per request, in completion order.</returns>
    public virtual IAsyncEnumerable<LinkResult> StreamLinksAsync(
        IEnumerable<LinkRequest> requests, FanOutOptions? options = null, CancellationToken cancellationToken = default) =>
        Services.Links.StreamAsync(ToKeys(requests), AgentBayClient.MaxConcurrency(options), cancellationToken);

    /// <summary>
    /// Resets the session's idle timer, so the service does not release it after
    /// <see cref="CreateSessionOptions.IdleTimeout"/>. See <see cref="IAgentBayClient.KeepSessionAliveAsync"/>.
    /// </summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the service has reset the timer.</returns>
    /// <exception cref="SessionNotFoundException">The session is gone.</exception>
    public virtual Task KeepAliveAsync(CancellationToken cancellationToken = default) =>
        Services.Sessions.KeepAliveAsync(Id, cancellationToken);

    /// <summary>Reads the session's current resource and desktop details (the service's GetMcpResource).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The details; the resource URL in them is documented as valid for 30 minutes.</returns>
    /// <exception cref="SessionNotFoundException">The session is gone.</exception>
    public virtual Task<SessionInfo> GetInfoAsync(CancellationToken cancellationToken = default) =>
        Services.Sessions.GetInfoAsync(Id, cancellationToken);

    /// <summary>
    /// Deletes the session and waits until it is gone, as <see cref="IAgentBayClient.DeleteSessionAsync"/> does.
    /// Returns at once if this object already deleted it.
    /// </summary>
    /// <param name="cancellationToken">Cancels the deletion request or the wait.</param>
    /// <returns>A task that completes when the session is deleted.</returns>
    /// <exception cref="SessionNotFoundException">The session was already gone (deleted elsewhere, or released).</exception>
    /// <exception cref="AgentBayTimeoutException">The session was not gone within <see cref="AgentBayOptions.DeleteTimeout"/>.</exception>
    public virtual async Task DeleteAsync(CancellationToken cancellationToken = default)
    {
        if (Volatile.Read(ref _deleted) != 0)
        {
            return;
        }

        await Services.DeleteSessionAsync(Id, cancellationToken).ConfigureAwait(false);
        Volatile.Write(ref _deleted, 1);
    }

    /// <summary>
    /// Deletes the session on the service and waits until it is gone, as the end of an <c>await using</c> block.
    /// Idempotent and safe to call concurrently (all callers share one deletion); a session that is already gone is
    /// not an error. A failure to delete is not thrown: it would replace the exception that may be leaving the
    /// <c>await using</c> block. A later call tries again; call <see cref="DeleteAsync"/> to see why it failed.
    /// </summary>
    /// <returns>A task that completes when the deletion has succeeded or failed.</returns>
    public virtual async ValueTask DisposeAsync()
    {
        if (_services is null || Volatile.Read(ref _deleted) != 0)
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
            await _services.DeleteSessionAsync(Id, CancellationToken.None).ConfigureAwait(false);
            Volatile.Write(ref _deleted, 1);
        }
        catch (SessionNotFoundException)
        {
            Volatile.Write(ref _deleted, 1); // already gone: that is what disposal wants
        }
        catch (Exception ex) when (ex is AgentBayException or ObjectDisposedException or OperationCanceledException)
        {
            Volatile.Write(ref _disposal, null); // let a later dispose try again
        }
        finally
        {
            completion.SetResult();
        }

        GC.SuppressFinalize(this);
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

            Services.Links.CheckPort(request, nameof(requests));
            keys.Add(new LinkKey(Id, request));
        }

        return [.. keys];
    }

    /// <summary>Returns <see cref="Id"/>.</summary>
    public override string ToString() => Id;
}
