using System.Collections.ObjectModel;
using System.Net;
using System.Runtime.CompilerServices;
using AgentBay.Lite.Backend;
using AgentBay.Lite.Caching;
using AgentBay.Lite.FanOut;
using AgentBay.Lite.Resilience;
using AgentBay.Lite.Rpc;

namespace AgentBay.Lite;

/// <summary>
/// The entry point to AgentBay: creates, finds, lists and deletes sessions and gets links into them. Thread-safe and
/// meant to be shared (one per API key and gateway), like <see cref="System.Net.Http.HttpClient"/>.
/// </summary>
/// <remarks>
/// <para>
/// Every attempt is limited to <see cref="AgentBayOptions.Timeout"/> and every call, retries included, to
/// <see cref="AgentBayRetryOptions.TotalTimeout"/>; hitting either throws <see cref="AgentBayTimeoutException"/>
/// naming it, while cancelling through a <see cref="CancellationToken"/> throws <see cref="OperationCanceledException"/>.
/// Transient failures of operations that are safe to repeat are retried (<see cref="AgentBayOptions.Retry"/>). Failures reported by the service throw <see cref="AgentBayException"/>
/// or one of its subtypes.
/// </para>
/// <para>
/// Disposing the client disposes only what it created: the <see cref="System.Net.Http.HttpClient"/> it built when
/// <see cref="AgentBayOptions.HttpClient"/> was not given. It does not delete sessions. Calls in flight end with
/// <see cref="ObjectDisposedException"/>, and retries waiting to run do not run.
/// </para>
/// </remarks>
public sealed class AgentBayClient : IAgentBayClient, IAsyncDisposable, IDisposable
{
    /// <summary>How long a pooled connection lives before it is replaced, so DNS changes of the gateway are seen.</summary>
    internal static readonly TimeSpan PooledConnectionLifetime = TimeSpan.FromMinutes(2);

    /// <summary>How long an idle pooled connection is kept.</summary>
    internal static readonly TimeSpan PooledConnectionIdleTimeout = TimeSpan.FromSeconds(90);

    /// <summary>
    /// At most this many connections per gateway. Fetching thousands of links at once would otherwise open a socket per
    /// request and exhaust ephemeral ports; requests beyond this queue for a free connection instead. 256 matches the
    /// socket pool of the official TypeScript SDK's runtime.
    /// </summary>
    internal const int MaxConnectionsPerServer = 256;

    private readonly IAgentBayBackend _backend;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _timeout;
    private readonly TimeSpan _deleteTimeout;
    private readonly TimeSpan _deletePollInterval;
    private readonly HttpClient? _ownedHttpClient;
    private readonly IDisposable? _ownedBackend;
    private readonly CancellationTokenSource _lifetime = new();
    private readonly CancellationToken _lifetimeToken;
    private readonly RetryExecutor _retry;
    private readonly SingleFlightCache<LinkKey, SessionLink>? _linkCache;
    private readonly LinkPortRange _linkPorts;
    private int _disposed;

    /// <summary>Creates a client from options.</summary>
    /// <param name="options">The API key, gateway and limits; see <see cref="AgentBayOptions"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">
    /// A setting is missing or invalid (e.g. no <see cref="AgentBayOptions.ApiKey"/>); the message names it and says
    /// how to fix it.
    /// </exception>
    public AgentBayClient(AgentBayOptions options)
        : this(options, options?.HttpClient, createBackend: null)
    {
    }

    /// <summary>
    /// Creates a client that sends through <paramref name="httpClient"/> (e.g. one from <c>IHttpClientFactory</c>),
    /// which it does not dispose; when <see langword="null"/>, the client builds and owns one as the public
    /// constructor does. <paramref name="createBackend"/> replaces the RPC backend (tests); by default it is
    /// <see cref="RpcBackend"/>.
    /// </summary>
    internal AgentBayClient(
        AgentBayOptions options,
        HttpClient? httpClient,
        Func<HttpClient, AgentBayOptions, TimeProvider, IAgentBayBackend>? createBackend)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid(nameof(options));
        if (httpClient is not null && !ReferenceEquals(httpClient, options.HttpClient) && options.HttpMessageHandler is not null)
        {
            throw new ArgumentException(
                "An HttpClient was supplied while AgentBayOptions.HttpMessageHandler is set. Set only one of them.",
                nameof(options));
        }

        _timeProvider = TimeProvider.System;
        _timeout = options.Timeout;
        _deleteTimeout = options.DeleteTimeout;
        _deletePollInterval = options.DeletePollInterval;
        _linkPorts = options.LinkPorts;
        _linkCache = CreateLinkCache(options.LinkCache, _timeProvider);
        _lifetimeToken = _lifetime.Token;

        // Disposing an HttpClient this client owns cancels the RPC backend's requests in flight, so attempts need not
        // watch the lifetime themselves; through any other HttpClient or backend they must.
        _retry = new RetryExecutor(options.Retry, _timeout, _timeProvider, lifetimeCancelsAttempts: httpClient is not null || createBackend is not null);

        HttpClient client;
        if (httpClient is null)
        {
            client = CreateHttpClient(options);
            _ownedHttpClient = client;
        }
        else
        {
            client = httpClient;
            Uri baseAddress = options.GetBaseAddress();
            if (client.BaseAddress is null)
            {
                client.BaseAddress = baseAddress;
            }
            else if (client.BaseAddress != baseAddress)
            {
                throw new ArgumentException(
                    $"The HttpClient's BaseAddress '{client.BaseAddress}' differs from AgentBayOptions.Endpoint '{options.Endpoint}'. Make them agree, or leave BaseAddress null and the SDK sets it from Endpoint.",
                    nameof(options));
            }
        }

        try
        {
            IAgentBayBackend backend = createBackend is null
                ? new RpcBackend(client, options.ApiKey!, options.RegionId, _timeProvider)
                : createBackend(client, options, _timeProvider);
            _backend = backend;
            _ownedBackend = backend as IDisposable; // In case a backend ever holds resources of its own.
        }
        catch
        {
            _ownedHttpClient?.Dispose();
            throw;
        }
    }

    /// <summary>Creates a client on a given backend (tests). The backend is not disposed by the client.</summary>
    internal AgentBayClient(IAgentBayBackend backend, AgentBayOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        options.ThrowIfInvalid(nameof(options));
        _backend = backend;
        _timeProvider = timeProvider;
        _timeout = options.Timeout;
        _deleteTimeout = options.DeleteTimeout;
        _deletePollInterval = options.DeletePollInterval;
        _linkPorts = options.LinkPorts;
        _linkCache = CreateLinkCache(options.LinkCache, _timeProvider);
        _lifetimeToken = _lifetime.Token;
        _retry = new RetryExecutor(options.Retry, _timeout, _timeProvider);
    }

    /// <summary>The clock used for timestamps, timeouts and polling.</summary>
    internal TimeProvider TimeProvider => _timeProvider;

    /// <inheritdoc />
    public async Task<AgentBaySession> CreateSessionAsync(CreateSessionOptions? options = null, CancellationToken cancellationToken = default)
    {
        string? imageId = options?.ImageId;
        if (imageId is not null && string.IsNullOrWhiteSpace(imageId))
        {
            throw new ArgumentException(
                "CreateSessionOptions.ImageId is blank. Set it to an image id such as linux_latest or browser_latest, or leave it null for the service's default image.",
                nameof(options));
        }

        int? idleTimeoutSeconds = null;
        if (options?.IdleTimeout is { } idle)
        {
            if (idle <= TimeSpan.Zero || idle.TotalSeconds > int.MaxValue)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(options), idle, "CreateSessionOptions.IdleTimeout must be positive (it is sent in whole seconds), or null for the service's default.");
            }

            idleTimeoutSeconds = (int)Math.Ceiling(idle.TotalSeconds);
        }

        ReadOnlyDictionary<string, string> labels = SnapshotLabels(options?.Labels, nameof(options), "CreateSessionOptions.Labels");
        ThrowIfDisposed();

        var request = new SessionCreation(imageId, labels.Count == 0 ? null : labels, idleTimeoutSeconds);
        SessionRecord created = await InvokeAsync(
            request,
            static (backend, request, token) => backend.CreateSessionAsync(request, token),
            CallSafety.NotRepeatable,
            cancellationToken).ConfigureAwait(false);

        return NewSession(created, created.SessionId, imageId, labels);
    }

    /// <inheritdoc />
    public async Task<AgentBaySession> GetSessionAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sessionId);
        ThrowIfDisposed();

        SessionRecord record = await InvokeAsync(
            sessionId,
            static (backend, id, token) => backend.GetSessionAsync(id, token),
            CallSafety.Repeatable,
            cancellationToken).ConfigureAwait(false);

        return NewSession(record, string.IsNullOrEmpty(record.SessionId) ? sessionId : record.SessionId, imageId: null, ReadOnlyDictionary<string, string>.Empty);
    }

    private AgentBaySession NewSession(SessionRecord record, string sessionId, string? imageId, ReadOnlyDictionary<string, string> labels) => new(
        this,
        sessionId,
        imageId,
        ToUri(record.ResourceUrl),
        record.ResourceId,
        record.AppInstanceId,
        ToUri(record.LinkUrl),
        record.Token,
        ToUri(record.WsUrl),
        labels);

    /// <inheritdoc />
    public IAsyncEnumerable<SessionSummary> ListSessionsAsync(SessionQuery? query = null, CancellationToken cancellationToken = default)
    {
        // Validate and copy now, not when enumeration starts.
        int pageSize = query?.PageSize ?? SessionQuery.DefaultPageSize;
        if (pageSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(query), pageSize, "SessionQuery.PageSize must be positive; the default is 10.");
        }

        string? status = query?.Status;
        if (status is not null && string.IsNullOrWhiteSpace(status))
        {
            throw new ArgumentException("SessionQuery.Status is blank. Set it to a status such as RUNNING, or leave it null for any status.", nameof(query));
        }

        ReadOnlyDictionary<string, string> labels = SnapshotLabels(query?.Labels, nameof(query), "SessionQuery.Labels");
        ThrowIfDisposed();
        return ListSessionsCoreAsync(labels.Count == 0 ? null : labels, status, pageSize, cancellationToken);
    }

    private async IAsyncEnumerable<SessionSummary> ListSessionsCoreAsync(
        IReadOnlyDictionary<string, string>? labels,
        string? status,
        int pageSize,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? nextToken = null;
        while (true)
        {
            var listing = new SessionListing(labels, status, pageSize, nextToken);
            SessionPage page = await InvokeAsync(
                listing,
                static (backend, listing, token) => backend.ListSessionsAsync(listing, token),
            CallSafety.Repeatable,
                cancellationToken).ConfigureAwait(false);

            foreach (SessionListItem item in page.Items)
            {
                yield return new SessionSummary(item.SessionId, item.Status);
            }

            if (string.IsNullOrEmpty(page.NextToken))
            {
                yield break;
            }

            if (page.NextToken == nextToken)
            {
                throw new AgentBayProtocolException(
                    $"The service answered the session listing page '{nextToken}' with the same continuation token again; stopping instead of looping forever.");
            }

            nextToken = page.NextToken;
        }
    }

    /// <inheritdoc />
    public Task DeleteSessionAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sessionId);
        ThrowIfDisposed();
        return DeleteSessionCoreAsync(sessionId, cancellationToken);
    }

    /// <inheritdoc />
    public Task KeepSessionAliveAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sessionId);
        ThrowIfDisposed();
        return KeepAliveCoreAsync(sessionId, cancellationToken);
    }

    /// <summary>Resets a session's idle timer (RefreshSessionIdleTime); safe to repeat.</summary>
    internal Task KeepAliveCoreAsync(string sessionId, CancellationToken cancellationToken) =>
        InvokeAsync(
            sessionId,
            static async (backend, id, token) =>
            {
                await backend.RefreshIdleTimeAsync(id, token).ConfigureAwait(false);
                return true;
            },
            CallSafety.Repeatable,
            cancellationToken);

    /// <inheritdoc />
    public ValueTask<SessionLink> GetLinkAsync(string sessionId, LinkRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sessionId);
        ArgumentNullException.ThrowIfNull(request);
        ThrowIfDisposed();
        return GetLinkCoreAsync(sessionId, request, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<SessionLink> RefreshLinkAsync(string sessionId, LinkRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sessionId);
        ArgumentNullException.ThrowIfNull(request);
        ThrowIfDisposed();
        return new(RefreshLinkCoreAsync(sessionId, request, cancellationToken));
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<LinkResult>> GetLinksAsync(
        IEnumerable<LinkTarget> requests,
        FanOutOptions? options = null,
        CancellationToken cancellationToken = default) =>
        await GetLinksCoreAsync(ToLinkKeys(requests), MaxConcurrency(options), cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public IAsyncEnumerable<LinkResult> StreamLinksAsync(
        IEnumerable<LinkTarget> requests,
        FanOutOptions? options = null,
        CancellationToken cancellationToken = default) =>
        StreamLinksCoreAsync(ToLinkKeys(requests), MaxConcurrency(options), cancellationToken);

    /// <inheritdoc />
    public LinkCacheStatistics GetLinkCacheStatistics() =>
        _linkCache is null ? default : new(_linkCache.Hits, _linkCache.Misses, _linkCache.Evictions, _linkCache.Count);

    /// <summary>Disposes the <see cref="System.Net.Http.HttpClient"/> the client created, if any. Idempotent.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _lifetime.Cancel();
        _lifetime.Dispose();
        _ownedBackend?.Dispose();
        _ownedHttpClient?.Dispose();
    }

    /// <summary>Disposes the <see cref="System.Net.Http.HttpClient"/> the client created, if any. Idempotent.</summary>
    /// <returns>A completed task.</returns>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// The one path every link request takes, from <see cref="GetLinkAsync"/> and from
    /// <see cref="AgentBaySession.GetLinkAsync"/>; a link cache belongs here. Arguments are already validated.
    /// </summary>
    internal ValueTask<SessionLink> GetLinkCoreAsync(string sessionId, LinkRequest request, CancellationToken cancellationToken)
    {
        CheckLinkPort(request, nameof(request));
        return _linkCache is null
            ? new(FetchLinkAsync(sessionId, request, cancellationToken))
            : _linkCache.GetOrFetchAsync(new LinkKey(sessionId, request), this, FetchCachedLink, cancellationToken);
    }

    /// <summary>Fetches a new link whatever the cache holds, and caches it when caching is on.</summary>
    internal Task<SessionLink> RefreshLinkCoreAsync(string sessionId, LinkRequest request, CancellationToken cancellationToken)
    {
        CheckLinkPort(request, nameof(request));
        return _linkCache is null
            ? FetchLinkAsync(sessionId, request, cancellationToken)
            : _linkCache.RefreshAsync(new LinkKey(sessionId, request), this, FetchCachedLink, cancellationToken);
    }

    /// <summary>
    /// Refuses a port outside <see cref="AgentBayOptions.LinkPorts"/> before anything is sent, naming the setting: the
    /// one check of the port policy, on every path a link request takes.
    /// </summary>
    internal void CheckLinkPort(LinkRequest request, string paramName)
    {
        int? port = request switch
        {
            LinkRequest.HttpsLink https => https.Port,
            LinkRequest.WssLink wss => wss.Port,
            _ => null,
        };

        if (port is { } value && !_linkPorts.Contains(value))
        {
            throw new ArgumentOutOfRangeException(
                paramName,
                value,
                $"Port {value} ({request}) is outside AgentBayOptions.LinkPorts ({_linkPorts}), the ports this client asks links for. AgentBay opens 30100-30199 to every account; if yours has more ports open, widen AgentBayOptions.LinkPorts, otherwise run the service in the session on a port in the range.");
        }
    }

    /// <summary>Fetches many links, at most <paramref name="maxConcurrency"/> at once; one result per key, in order.</summary>
    internal async Task<IReadOnlyList<LinkResult>> GetLinksCoreAsync(IReadOnlyList<LinkKey> keys, int maxConcurrency, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        return await BoundedFanOut.RunAsync(keys, maxConcurrency, comparer: null, GetLinkCoreAsync, LinkSuccess, LinkFailure, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Fetches many links, at most <paramref name="maxConcurrency"/> at once, yielding each result as it completes.</summary>
    internal async IAsyncEnumerable<LinkResult> StreamLinksCoreAsync(
        IReadOnlyList<LinkKey> keys, int maxConcurrency, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        await foreach (var (_, result) in BoundedFanOut.StreamAsync(keys, maxConcurrency, comparer: null, GetLinkCoreAsync, LinkSuccess, LinkFailure, cancellationToken).ConfigureAwait(false))
        {
            yield return result;
        }
    }

    /// <summary>Validates a batch's options, returning its concurrency.</summary>
    internal static int MaxConcurrency(FanOutOptions? options)
    {
        int max = options?.MaxConcurrency ?? FanOutOptions.DefaultMaxConcurrency;
        if (max < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), max, $"FanOutOptions.MaxConcurrency must be at least 1; the default is {FanOutOptions.DefaultMaxConcurrency}.");
        }

        return max;
    }

    private LinkKey[] ToLinkKeys(IEnumerable<LinkTarget> requests)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var keys = new List<LinkKey>(requests.TryGetNonEnumeratedCount(out int count) ? count : 16);
        foreach (LinkTarget? target in requests)
        {
            if (target is null)
            {
                throw new ArgumentException($"Link request {keys.Count} is null; every entry needs a session id and a LinkRequest.", nameof(requests));
            }

            CheckLinkPort(target.Request, nameof(requests));
            keys.Add(new LinkKey(target.SessionId, target.Request));
        }

        return [.. keys];
    }

    private static Task<SessionLink> FetchCachedLink(LinkKey key, AgentBayClient client, CancellationToken cancellationToken) =>
        client.FetchLinkAsync(key.SessionId, key.Request, cancellationToken);

    private ValueTask<SessionLink> GetLinkCoreAsync(LinkKey key, CancellationToken cancellationToken) =>
        GetLinkCoreAsync(key.SessionId, key.Request, cancellationToken);

    private static LinkResult LinkSuccess(LinkKey key, SessionLink link) => LinkResult.Success(link);

    private static LinkResult LinkFailure(LinkKey key, Exception error) => LinkResult.Failure(key.SessionId, key.Request, error);

    private static SingleFlightCache<LinkKey, SessionLink>? CreateLinkCache(LinkCacheOptions options, TimeProvider timeProvider) =>
        options.Enabled ? new(options.TimeToLive, options.MaxEntries, timeProvider) : null;

    /// <summary>Drops a session's cached links; called whenever the client deletes a session.</summary>
    private void ForgetLinks(string sessionId) =>
        _linkCache?.RemoveWhere(static (key, id) => string.Equals(key.SessionId, id, StringComparison.Ordinal), sessionId);

    /// <summary>Asks the service for a link, bypassing any cache.</summary>
    internal Task<SessionLink> FetchLinkAsync(string sessionId, LinkRequest request, CancellationToken cancellationToken) =>
        InvokeAsync(
            (Client: this, SessionId: sessionId, Request: request),
            static (backend, state, token) => backend.GetLinkAsync(state.SessionId, state.Request, token),
            static (state, record) => new SessionLink(record.Url, state.Request, state.SessionId, record.RequestId, state.Client._timeProvider.GetUtcNow(), state.Client._timeProvider),
            CallSafety.Repeatable,
            cancellationToken);

    /// <summary>Reads a session's resource details.</summary>
    internal async Task<SessionInfo> GetInfoCoreAsync(string sessionId, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        ResourceRecord record = await InvokeAsync(
            sessionId,
            static (backend, id, token) => backend.GetResourceAsync(id, token),
            CallSafety.Repeatable,
            cancellationToken).ConfigureAwait(false);
        return new SessionInfo(
            string.IsNullOrEmpty(record.SessionId) ? sessionId : record.SessionId,
            ToUri(record.ResourceUrl),
            record.ResourceType,
            record.ResourceId,
            record.AppId,
            record.AuthCode,
            record.ConnectionProperties,
            record.Ticket,
            _timeProvider.GetUtcNow());
    }

    /// <summary>Calls a tool in a session.</summary>
    internal Task<ToolResult> CallToolAsync(string sessionId, string toolName, string argumentsJson, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        return InvokeAsync(
            (sessionId, toolName, argumentsJson),
            static (backend, state, token) => backend.CallToolAsync(state.sessionId, state.toolName, state.argumentsJson, token),
            CallSafety.NotRepeatable,
            cancellationToken);
    }

    /// <summary>Requests the deletion, then polls the status until it is <c>FINISH</c>/<c>DELETED</c> or the session is gone.</summary>
    internal async Task DeleteSessionCoreAsync(string sessionId, CancellationToken cancellationToken)
    {
        try
        {
            await DeleteAndWaitAsync(sessionId, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ForgetLinks(sessionId);
        }
    }

    private async Task DeleteAndWaitAsync(string sessionId, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        await InvokeAsync(
            sessionId,
            static async (backend, id, token) =>
            {
                await backend.DeleteSessionAsync(id, token).ConfigureAwait(false);
                return true;
            },
            CallSafety.Repeatable,
            cancellationToken).ConfigureAwait(false);

        using CancellationTokenSource? deadline = _deleteTimeout == Timeout.InfiniteTimeSpan
            ? null
            : new CancellationTokenSource(_deleteTimeout, _timeProvider);
        using CancellationTokenSource? linked = deadline is null
            ? null
            : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        CancellationToken token = linked?.Token ?? cancellationToken;

        string? lastStatus = null;
        try
        {
            while (true)
            {
                try
                {
                    lastStatus = await InvokeAsync(
                        sessionId,
                        static (backend, id, token) => backend.GetSessionStatusAsync(id, token),
            CallSafety.Repeatable,
                        token).ConfigureAwait(false);
                }
                catch (SessionNotFoundException)
                {
                    return;
                }

                if (IsDeleted(lastStatus))
                {
                    return;
                }

                await Task.Delay(_deletePollInterval, _timeProvider, token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested && deadline is { IsCancellationRequested: true })
        {
            throw new AgentBayTimeoutException(
                $"Session {sessionId} was still {lastStatus ?? "not reported"} {_deleteTimeout.TotalSeconds:0.###} s after its deletion was requested (AgentBayOptions.DeleteTimeout). The deletion is under way on the service; raise DeleteTimeout to wait longer.",
                _deleteTimeout,
                ex);
        }
    }

    private static bool IsDeleted(string? status) =>
        string.Equals(status, "FINISH", StringComparison.OrdinalIgnoreCase)
        || string.Equals(status, "DELETED", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Runs one backend call with retries (<see cref="AgentBayOptions.Retry"/>), each attempt under
    /// <see cref="AgentBayOptions.Timeout"/> and all of them under <see cref="AgentBayRetryOptions.TotalTimeout"/>; see
    /// <see cref="RetryExecutor"/>. Whatever fails surfaces as the <see cref="AgentBayException"/> family, except the
    /// caller's cancellation (<see cref="OperationCanceledException"/>).
    /// </summary>
    internal Task<T> InvokeAsync<TState, T>(
        TState state,
        Func<IAgentBayBackend, TState, CancellationToken, Task<T>> call,
        CallSafety safety,
        CancellationToken cancellationToken) =>
        InvokeAsync(state, call, static (_, answer) => answer, safety, cancellationToken);

    /// <summary>As <see cref="InvokeAsync{TState, T}(TState, Func{IAgentBayBackend, TState, CancellationToken, Task{T}}, CallSafety, CancellationToken)"/>, shaping the backend's answer with <paramref name="complete"/>.</summary>
    internal Task<T> InvokeAsync<TState, TAnswer, T>(
        TState state,
        Func<IAgentBayBackend, TState, CancellationToken, Task<TAnswer>> call,
        Func<TState, TAnswer, T> complete,
        CallSafety safety,
        CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        cancellationToken.ThrowIfCancellationRequested();
        return _retry.ExecuteAsync(_backend, state, call, complete, safety, cancellationToken, _lifetimeToken);
    }

    internal static HttpClient CreateHttpClient(AgentBayOptions options)
    {
        if (options.HttpMessageHandler is { } given)
        {
            TurnOffRedirects(given, nameof(options));
        }

        HttpMessageHandler handler = options.HttpMessageHandler ?? CreateHandler(options);
        return new HttpClient(handler, disposeHandler: options.HttpMessageHandler is null)
        {
            BaseAddress = options.GetBaseAddress(),

            // The SDK enforces AgentBayOptions.Timeout per call itself, so that hitting it can be told apart from
            // the caller cancelling.
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    /// <summary>The handler the SDK uses when it owns its HTTP stack; every setting is chosen for many concurrent link requests.</summary>
    /// <remarks>
    /// Compression is not asked for, as the official clients do not ask for it (agentbay-rpc.md §1.3): answers are a
    /// few hundred bytes (file chunks at most 50 KiB), and offering gzip, deflate and brotli costs every request
    /// about 700 bytes of header objects and a handler stage. A handler of the caller's own can ask for it.
    /// Redirects are not followed, as the official clients do not follow them: a gateway redirecting an RPC means the
    /// endpoint is wrong, which the 3xx status reported as an <see cref="AgentBayProtocolException"/> says, and the
    /// redirect stage would cost every request an async hop.
    /// </remarks>
    internal static SocketsHttpHandler CreateHandler(AgentBayOptions options) => new()
    {
        PooledConnectionLifetime = PooledConnectionLifetime,
        PooledConnectionIdleTimeout = PooledConnectionIdleTimeout,
        MaxConnectionsPerServer = MaxConnectionsPerServer,
        AutomaticDecompression = DecompressionMethods.None,
        AllowAutoRedirect = false,
        ConnectTimeout = options.Timeout,
        UseCookies = false,
    };

    /// <summary>
    /// Turns off redirect following on the transport at the end of a caller's handler chain: a redirected RPC means the
    /// endpoint is wrong, and following it would send the request (a 307/308 re-posts the form with the API key) to
    /// whatever host the gateway names. A transport of another kind is left as it is; <see cref="Http.FormContent"/>
    /// still keeps the form from being re-posted.
    /// </summary>
    private static void TurnOffRedirects(HttpMessageHandler handler, string paramName)
    {
        while (handler is DelegatingHandler { InnerHandler: { } inner })
        {
            handler = inner;
        }

        try
        {
            switch (handler)
            {
                case SocketsHttpHandler { AllowAutoRedirect: true } sockets:
                    sockets.AllowAutoRedirect = false;
                    break;
                case HttpClientHandler { AllowAutoRedirect: true } classic:
                    classic.AllowAutoRedirect = false;
                    break;
            }
        }
        catch (InvalidOperationException ex)
        {
            throw new ArgumentException(
                "AgentBayOptions.HttpMessageHandler follows redirects and has already sent a request, so the SDK cannot turn that off. Set AllowAutoRedirect = false on it, or give a handler that has not been used yet.",
                paramName,
                ex);
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

    private static Uri? ToUri(string? value) =>
        !string.IsNullOrEmpty(value) && Uri.TryCreate(value, UriKind.Absolute, out Uri? uri) ? uri : null;

    private static ReadOnlyDictionary<string, string> SnapshotLabels(IDictionary<string, string>? labels, string paramName, string settingName)
    {
        if (labels is null || labels.Count == 0)
        {
            return ReadOnlyDictionary<string, string>.Empty;
        }

        var copy = new Dictionary<string, string>(labels.Count, StringComparer.Ordinal);
        foreach (KeyValuePair<string, string> label in labels)
        {
            if (string.IsNullOrWhiteSpace(label.Key))
            {
                throw new ArgumentException($"{settingName} has an empty key. Every label needs a non-empty key.", paramName);
            }

            if (label.Value is null)
            {
                throw new ArgumentException($"{settingName}['{label.Key}'] is null. Give every label a value (it may be empty).", paramName);
            }

            copy[label.Key] = label.Value;
        }

        return new ReadOnlyDictionary<string, string>(copy);
    }
}
