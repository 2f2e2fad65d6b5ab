using System.Collections.ObjectModel;
using System.Diagnostics.Metrics;
using System.Net;
using AgentBay.Lite.Agb;
using AgentBay.Lite.Backend;
using AgentBay.Lite.Caching.Shared;
using AgentBay.Lite.Links;
using AgentBay.Lite.Resilience;
using AgentBay.Lite.Rpc;
using AgentBay.Lite.Sessions;
using AgentBay.Lite.Telemetry;
using AgentBay.Lite.Tools;
using Microsoft.Extensions.Logging;

namespace AgentBay.Lite;

/// <summary>
/// The entry point to AgentBay: creates, finds, lists and deletes sessions and gets links into them. Thread-safe and
/// meant to be shared (one per API key and gateway), like <see cref="System.Net.Http.HttpClient"/>.
/// </summary>
/// <remarks>
/// A thin facade: it checks arguments, builds the layers below once, and hands each call to one of them — sessions,
/// links (cache and fan-out) or tools — which call the resilience layer, which calls the wire backend.
/// </remarks>
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

    private readonly AgentBayServices _services;
    private readonly HttpClient? _ownedHttpClient;
    private readonly IDisposable? _ownedBackend;
    private readonly CancellationTokenSource _lifetime = new();
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

    /// <summary>Creates a client from options that logs through <paramref name="loggerFactory"/> and measures on <paramref name="meterFactory"/>'s meter.</summary>
    /// <param name="options">The API key, gateway and limits; see <see cref="AgentBayOptions"/>.</param>
    /// <param name="loggerFactory">
    /// Where the client logs (category <c>AgentBay.Lite</c>); <see langword="null"/> logs nothing. With
    /// <c>AddAgentBay</c> the container's factory is used.
    /// </param>
    /// <param name="meterFactory">
    /// Where the client's <c>AgentBay.Lite</c> meter comes from; <see langword="null"/> uses one process-wide meter.
    /// With <c>AddAgentBay</c> the container's factory is used. Spans always come from the <c>AgentBay.Lite</c>
    /// activity source.
    /// </param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A setting is missing or invalid; the message names it and says how to fix it.</exception>
    public AgentBayClient(AgentBayOptions options, ILoggerFactory? loggerFactory, IMeterFactory? meterFactory)
        : this(options, options?.HttpClient, createBackend: null, loggerFactory, meterFactory)
    {
    }

    /// <summary>
    /// Creates a client that sends through <paramref name="httpClient"/> (e.g. one from <c>IHttpClientFactory</c>),
    /// which it does not dispose; when <see langword="null"/>, the client builds and owns one as the public
    /// constructor does. <paramref name="createBackend"/> replaces the wire backend (tests); by default it is
    /// <see cref="RpcBackend"/>, or <see cref="AgbBackend"/> when <see cref="AgentBayOptions.Service"/> is AGB. Logs and
    /// metrics go to the factories given, if any. <paramref name="sharedLinks"/> is the opt-in shared link tier (DI's
    /// <c>WithSharedLinkCache</c>); it holds nothing to dispose (the app owns its distributed cache).
    /// </summary>
    internal AgentBayClient(
        AgentBayOptions options,
        HttpClient? httpClient,
        Func<HttpClient, AgentBayOptions, TimeProvider, IAgentBayBackend>? createBackend,
        ILoggerFactory? loggerFactory = null,
        IMeterFactory? meterFactory = null,
        SharedLinkTier? sharedLinks = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid(nameof(options));
        if (httpClient is not null && !ReferenceEquals(httpClient, options.HttpClient) && options.HttpMessageHandler is not null)
        {
            throw new ArgumentException(
                "An HttpClient was supplied while AgentBayOptions.HttpMessageHandler is set. Set only one of them.",
                nameof(options));
        }

        TimeProvider timeProvider = TimeProvider.System;

        var retry = new RetryExecutor(options.Retry, options.Timeout, timeProvider);

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
            IAgentBayBackend backend = createBackend is not null ? createBackend(client, options, timeProvider)
                : options.Service == AgentBayService.Agb ? new AgbBackend(client, options.ApiKey!)
                : new RpcBackend(client, options.ApiKey!, options.RegionId, timeProvider);
            _ownedBackend = backend as IDisposable; // In case a backend ever holds resources of its own.
            var telemetry = new ClientTelemetry(loggerFactory, meterFactory, options.GetBaseAddress(), timeProvider);
            _services = Compose(backend, retry, telemetry, options, timeProvider, client, _lifetime.Token, sharedLinks);
        }
        catch
        {
            _ownedHttpClient?.Dispose();
            throw;
        }
    }

    /// <summary>Creates a client on a given backend (tests). The backend is not disposed by the client.</summary>
    internal AgentBayClient(
        IAgentBayBackend backend,
        AgentBayOptions options,
        TimeProvider timeProvider,
        ILoggerFactory? loggerFactory = null,
        IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        options.ThrowIfInvalid(nameof(options));
        var telemetry = new ClientTelemetry(loggerFactory, meterFactory, options.GetBaseAddress(), timeProvider);
        _services = Compose(backend, new RetryExecutor(options.Retry, options.Timeout, timeProvider), telemetry, options, timeProvider, http: null, _lifetime.Token);
    }

    /// <summary>The services this client's sessions call.</summary>
    internal AgentBayServices Services => _services;

    /// <summary>
    /// Builds the layers, bottom up: the wire backend, the resilience decorator, the domain services. The direct tool
    /// route (link_url) sends through the same <paramref name="http"/> client as the backend; without one it is off.
    /// </summary>
    private static AgentBayServices Compose(
        IAgentBayBackend wire,
        RetryExecutor retry,
        ClientTelemetry telemetry,
        AgentBayOptions options,
        TimeProvider timeProvider,
        HttpClient? http,
        CancellationToken lifetime,
        SharedLinkTier? sharedLinks = null)
    {
        var resilient = new ResilientBackend(wire, retry, telemetry, lifetime, options.Service == AgentBayService.Agb ? AgbBackend.Safety : OperationSafety.Of);
        DirectToolRoute? direct = options.UseDirectToolRoute && http is not null ? new DirectToolRoute(http, retry, telemetry, wire, lifetime) : null;
        return new AgentBayServices(
            new SessionService(resilient, options.DeleteTimeout, options.DeletePollInterval, timeProvider),
            new LinkService(resilient, options.LinkCache, options.LinkPorts, timeProvider, telemetry, sharedLinks),
            new ToolService(resilient, direct));
    }

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
        SessionRecord created = await _services.Sessions.CreateAsync(request, cancellationToken).ConfigureAwait(false);

        return NewSession(created, created.SessionId, imageId, labels);
    }

    /// <inheritdoc />
    public async Task<AgentBaySession> GetSessionAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sessionId);
        ThrowIfDisposed();

        SessionRecord record = await _services.Sessions.GetAsync(sessionId, cancellationToken).ConfigureAwait(false);
        return NewSession(record, string.IsNullOrEmpty(record.SessionId) ? sessionId : record.SessionId, imageId: null, ReadOnlyDictionary<string, string>.Empty);
    }

    private AgentBaySession NewSession(SessionRecord record, string sessionId, string? imageId, ReadOnlyDictionary<string, string> labels) => new(
        _services,
        sessionId,
        imageId,
        SessionService.ToUri(record.ResourceUrl),
        record.ResourceId,
        record.AppInstanceId,
        SessionService.ToUri(record.LinkUrl),
        record.Token,
        SessionService.ToUri(record.WsUrl),
        labels,
        record.ToolServers);

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
        return _services.Sessions.ListAsync(labels.Count == 0 ? null : labels, status, pageSize, cancellationToken);
    }

    /// <inheritdoc />
    public Task DeleteSessionAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sessionId);
        ThrowIfDisposed();
        return _services.DeleteSessionAsync(sessionId, cancellationToken);
    }

    /// <inheritdoc />
    public Task KeepSessionAliveAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sessionId);
        ThrowIfDisposed();
        return _services.Sessions.KeepAliveAsync(sessionId, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<SessionLink> GetLinkAsync(string sessionId, LinkRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sessionId);
        ArgumentNullException.ThrowIfNull(request);
        ThrowIfDisposed();
        return _services.Links.GetAsync(sessionId, request, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<SessionLink> RefreshLinkAsync(string sessionId, LinkRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sessionId);
        ArgumentNullException.ThrowIfNull(request);
        ThrowIfDisposed();
        return new(_services.Links.RefreshAsync(sessionId, request, cancellationToken));
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<LinkResult>> GetLinksAsync(
        IEnumerable<LinkTarget> requests,
        FanOutOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        LinkKey[] keys = ToLinkKeys(requests);
        int maxConcurrency = MaxConcurrency(options);
        ThrowIfDisposed();
        return _services.Links.GetManyAsync(keys, maxConcurrency, cancellationToken);
    }

    /// <inheritdoc />
    public IAsyncEnumerable<LinkResult> StreamLinksAsync(
        IEnumerable<LinkTarget> requests,
        FanOutOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        LinkKey[] keys = ToLinkKeys(requests);
        int maxConcurrency = MaxConcurrency(options);
        ThrowIfDisposed();
        return _services.Links.StreamAsync(keys, maxConcurrency, cancellationToken);
    }

    /// <inheritdoc />
    public LinkCacheStatistics GetLinkCacheStatistics() => _services.Links.Statistics;

    /// <summary>
    /// Disposes the <see cref="System.Net.Http.HttpClient"/> the client created, if any, and ends calls in flight with
    /// <see cref="ObjectDisposedException"/>. Idempotent.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _lifetime.Cancel();
        _lifetime.Dispose();
        _services.Code.Dispose();
        _ownedBackend?.Dispose();
        _ownedHttpClient?.Dispose();
    }

    /// <summary>Disposes the client; see <see cref="Dispose"/>.</summary>
    /// <returns>A completed task.</returns>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
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

            _services.Links.CheckPort(target.Request, nameof(requests));
            keys.Add(new LinkKey(target.SessionId, target.Request));
        }

        return [.. keys];
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
    /// about 700 bytes of header objects and a handler stage. A handler of the caller's own can ask for it. It is left at
    /// the handler's default (none) rather than set: naming <c>AutomaticDecompression</c> at all, even as
    /// <c>None</c>, links the gzip, deflate and brotli code into every NativeAOT app on the SDK (1.1 MB).
    /// Redirects are not followed, as the official clients do not follow them: a gateway redirecting an RPC means the
    /// endpoint is wrong, which the 3xx status reported as an <see cref="AgentBayProtocolException"/> says, and the
    /// redirect stage would cost every request an async hop.
    /// </remarks>
    internal static SocketsHttpHandler CreateHandler(AgentBayOptions options) => new()
    {
        PooledConnectionLifetime = PooledConnectionLifetime,
        PooledConnectionIdleTimeout = PooledConnectionIdleTimeout,
        MaxConnectionsPerServer = MaxConnectionsPerServer,
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
