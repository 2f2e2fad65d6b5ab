using AgentBay.Lite.Backend;

namespace AgentBay.Lite.Rpc;

/// <summary>
/// The AgentBay POP RPC backend (wuyingai, API version 2025-05-06): builds each action's form, sends it through the
/// generated <see cref="IAgentBayRpcApi"/> client, and maps the answer onto the backend models through
/// <see cref="RpcEnvelopeReader"/>.
/// </summary>
internal sealed class RpcBackend : IAgentBayBackend
{
    private readonly IAgentBayRpcApi _api;
    private readonly string _authorization;
    private readonly string? _regionId;
    private readonly SecretRedactor _secrets;

    /// <summary>Creates the backend.</summary>
    /// <param name="httpClient">An HTTP client whose <see cref="HttpClient.BaseAddress"/> is the service endpoint root.</param>
    /// <param name="apiKey">The API key, sent as the <c>Authorization</c> form field.</param>
    /// <param name="regionId">Where sessions run (<c>LoginRegionId</c>), or <see langword="null"/> for the service default.</param>
    /// <param name="timeProvider">The clock for request timestamps.</param>
    public RpcBackend(HttpClient httpClient, string apiKey, string? regionId, TimeProvider timeProvider)
        : this(new AgentBayRpcApiClient(httpClient ?? throw new ArgumentNullException(nameof(httpClient)), timeProvider), apiKey, regionId)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
    }

    /// <summary>Creates the backend over any implementation of the RPC interface.</summary>
    internal RpcBackend(IAgentBayRpcApi api, string apiKey, string? regionId)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentException.ThrowIfNullOrWhiteSpace(apiKey);
        _api = api;
        _authorization = RpcProtocol.Authorization(apiKey);
        _secrets = new SecretRedactor(apiKey);
        _regionId = string.IsNullOrWhiteSpace(regionId) ? null : regionId;
    }

    /// <inheritdoc />
    public Task<SessionRecord> CreateSessionAsync(SessionCreation request, CancellationToken cancellationToken) =>
        WireFailures.MappedAsync(CreateSessionCoreAsync(request, cancellationToken));

    private async Task<SessionRecord> CreateSessionCoreAsync(SessionCreation request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        const string Action = "CreateMcpSession";
        var form = new CreateMcpSessionForm(_authorization)
        {
            ImageId = string.IsNullOrEmpty(request.ImageId) ? null : request.ImageId,
            Labels = request.Labels is { Count: > 0 } labels ? new Dictionary<string, string>(labels) : null,
            LoginRegionId = _regionId,
            SdkStats = RpcProtocol.SdkStats,
            Timeout = request.IdleTimeoutSeconds,
        };
        var response = await _api.CreateMcpSessionAsync(form, cancellationToken).ConfigureAwait(false);
        var envelope = RpcEnvelopeReader.Read(response, Action, sessionId: null, _secrets);
        var data = RpcEnvelopeReader.RequireData(envelope.Data, envelope, response.StatusCode, Action);
        return data.ToCreatedRecord(envelope, response.StatusCode, Action, "SessionId", _secrets);
    }

    /// <inheritdoc />
    public Task<SessionRecord> GetSessionAsync(string sessionId, CancellationToken cancellationToken) =>
        WireFailures.MappedAsync(GetSessionCoreAsync(sessionId, cancellationToken));

    private async Task<SessionRecord> GetSessionCoreAsync(string sessionId, CancellationToken cancellationToken)
    {
        const string Action = "GetSession";
        var response = await _api.GetSessionAsync(new SessionForm(_authorization, sessionId), cancellationToken).ConfigureAwait(false);
        var envelope = RpcEnvelopeReader.Read(response, Action, sessionId, _secrets);
        var data = RpcEnvelopeReader.RequireData(envelope.Data, envelope, response.StatusCode, Action);
        return data.ToRecord(RpcEnvelopeReader.NullIfEmpty(data.SessionId) ?? sessionId, envelope, RpcEnvelopeReader.NullIfEmpty(data.Status));
    }

    /// <inheritdoc />
    public Task<string> GetSessionStatusAsync(string sessionId, CancellationToken cancellationToken) =>
        WireFailures.MappedAsync(GetSessionStatusCoreAsync(sessionId, cancellationToken));

    private async Task<string> GetSessionStatusCoreAsync(string sessionId, CancellationToken cancellationToken)
    {
        const string Action = "GetSessionDetail";
        var response = await _api.GetSessionDetailAsync(sessionId, new RpcForm(_authorization), cancellationToken).ConfigureAwait(false);
        var envelope = RpcEnvelopeReader.Read(response, Action, sessionId, _secrets);
        var data = RpcEnvelopeReader.RequireData(envelope.Data, envelope, response.StatusCode, Action);
        return RpcEnvelopeReader.NullIfEmpty(data.Status)
            ?? throw new AgentBayProtocolException(
                $"{Action} succeeded but gave no Status for session '{sessionId}' (request id {envelope.RequestId ?? "none"}).", bodyExcerpt: null, envelope.RequestId, response.StatusCode);
    }

    /// <inheritdoc />
    public Task<SessionPage> ListSessionsAsync(SessionListing request, CancellationToken cancellationToken) =>
        WireFailures.MappedAsync(ListSessionsCoreAsync(request, cancellationToken));

    private async Task<SessionPage> ListSessionsCoreAsync(SessionListing request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        const string Action = "ListSession";
        var form = new ListSessionForm(_authorization, request.MaxResults)
        {
            Labels = request.Labels is null ? [] : new Dictionary<string, string>(request.Labels),
            NextToken = RpcEnvelopeReader.NullIfEmpty(request.NextToken),
            Status = RpcEnvelopeReader.NullIfEmpty(request.Status),
        };
        var response = await _api.ListSessionAsync(form, cancellationToken).ConfigureAwait(false);
        var envelope = RpcEnvelopeReader.Read(response, Action, sessionId: null, _secrets);

        // An empty page may come without Data at all; that is still an empty page, not a malformed answer.
        var entries = envelope.Data ?? [];
        var items = new List<SessionListItem>(entries.Count);
        foreach (var entry in entries)
        {
            var id = RpcEnvelopeReader.NullIfEmpty(entry?.SessionId)
                ?? throw new AgentBayProtocolException(
                    $"{Action} listed a session without a SessionId (request id {envelope.RequestId ?? "none"}).", bodyExcerpt: null, envelope.RequestId, response.StatusCode);
            items.Add(new SessionListItem(id, RpcEnvelopeReader.NullIfEmpty(entry!.SessionStatus)));
        }

        return new SessionPage(items, RpcEnvelopeReader.NullIfEmpty(envelope.NextToken), envelope.TotalCount);
    }

    /// <inheritdoc />
    public Task DeleteSessionAsync(string sessionId, CancellationToken cancellationToken) =>
        WireFailures.MappedAsync(DeleteSessionCoreAsync(sessionId, cancellationToken));

    private async Task DeleteSessionCoreAsync(string sessionId, CancellationToken cancellationToken)
    {
        var response = await _api.DeleteSessionAsync(new SessionForm(_authorization, sessionId), cancellationToken).ConfigureAwait(false);
        RpcEnvelopeReader.Read(response, "DeleteSessionAsync", sessionId, _secrets);
    }

    /// <inheritdoc />
    public Task RefreshIdleTimeAsync(string sessionId, CancellationToken cancellationToken) =>
        WireFailures.MappedAsync(RefreshIdleTimeCoreAsync(sessionId, cancellationToken));

    private async Task RefreshIdleTimeCoreAsync(string sessionId, CancellationToken cancellationToken)
    {
        var response = await _api.RefreshSessionIdleTimeAsync(new SessionForm(_authorization, sessionId), cancellationToken).ConfigureAwait(false);
        RpcEnvelopeReader.Read(response, "RefreshSessionIdleTime", sessionId, _secrets);
    }

    /// <inheritdoc />
    public Task<ResourceRecord> GetResourceAsync(string sessionId, CancellationToken cancellationToken) =>
        WireFailures.MappedAsync(GetResourceCoreAsync(sessionId, cancellationToken));

    private async Task<ResourceRecord> GetResourceCoreAsync(string sessionId, CancellationToken cancellationToken)
    {
        const string Action = "GetMcpResource";
        var response = await _api.GetMcpResourceAsync(new SessionForm(_authorization, sessionId), cancellationToken).ConfigureAwait(false);
        var envelope = RpcEnvelopeReader.Read(response, Action, sessionId, _secrets);
        var data = RpcEnvelopeReader.RequireData(envelope.Data, envelope, response.StatusCode, Action);
        var desktop = data.DesktopInfo;
        return new ResourceRecord(
            RpcEnvelopeReader.NullIfEmpty(data.SessionId) ?? sessionId,
            RpcEnvelopeReader.NullIfEmpty(envelope.RequestId),
            RpcEnvelopeReader.NullIfEmpty(data.ResourceUrl),
            RpcEnvelopeReader.NullIfEmpty(desktop?.ResourceType),
            RpcEnvelopeReader.NullIfEmpty(desktop?.ResourceId),
            RpcEnvelopeReader.NullIfEmpty(desktop?.AppId),
            RpcEnvelopeReader.NullIfEmpty(desktop?.AuthCode),
            RpcEnvelopeReader.NullIfEmpty(desktop?.ConnectionProperties),
            RpcEnvelopeReader.NullIfEmpty(desktop?.Ticket));
    }

    /// <inheritdoc />
    public Task<LinkRecord> GetLinkAsync(string sessionId, LinkRequest request, CancellationToken cancellationToken) =>
        WireFailures.MappedAsync(GetLinkCoreAsync(sessionId, request, cancellationToken));

    private async Task<LinkRecord> GetLinkCoreAsync(string sessionId, LinkRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        const string Action = "GetLink";

        // agentbay-rpc.md §4: nothing asks for the browser's CDP endpoint; a port alone means wss, as documented.
        var form = request switch
        {
            LinkRequest.CdpLink => new GetLinkForm(_authorization, sessionId),
            LinkRequest.HttpsLink https => new GetLinkForm(_authorization, sessionId) { ProtocolType = "https", Port = https.Port },
            LinkRequest.WssLink wss => new GetLinkForm(_authorization, sessionId) { Port = wss.Port },
            _ => throw new ArgumentOutOfRangeException(nameof(request), request, "Unknown link request."),
        };
        var response = await _api.GetLinkAsync(form, cancellationToken).ConfigureAwait(false);
        var envelope = RpcEnvelopeReader.Read(response, Action, sessionId, _secrets);
        var data = RpcEnvelopeReader.RequireData(envelope.Data, envelope, response.StatusCode, Action);
        if (!Uri.TryCreate(data.Url, UriKind.Absolute, out var url))
        {
            var excerpt = data.Url is null ? "no Url" : $"Url '{Excerpt(data.Url)}'";
            throw new AgentBayProtocolException(
                $"{Action} succeeded but gave {excerpt}, which is not an absolute URL (request id {envelope.RequestId ?? "none"}).",
                data.Url is null ? null : Excerpt(data.Url), envelope.RequestId, response.StatusCode);
        }

        return new LinkRecord(url, RpcEnvelopeReader.NullIfEmpty(envelope.RequestId));
    }

    /// <inheritdoc />
    public Task<ToolResult> CallToolAsync(string sessionId, string toolName, string argumentsJson, CancellationToken cancellationToken) =>
        WireFailures.MappedAsync(CallToolCoreAsync(sessionId, toolName, argumentsJson, cancellationToken));

    private async Task<ToolResult> CallToolCoreAsync(string sessionId, string toolName, string argumentsJson, CancellationToken cancellationToken)
    {
        const string Action = "CallMcpTool";
        var form = new CallMcpToolForm(_authorization, sessionId, toolName, argumentsJson);
        var response = await _api.CallMcpToolAsync(form, cancellationToken).ConfigureAwait(false);
        var envelope = RpcEnvelopeReader.Read(response, Action, sessionId, _secrets);
        var data = RpcEnvelopeReader.RequireData(envelope.Data, envelope, response.StatusCode, Action);
        var first = data.Content is { Count: > 0 } content ? content[0] : null;
        var text = first?.Text ?? first?.Blob ?? first?.Data ?? string.Empty;

        // A failed tool's text becomes the exception's message, so a command that printed the key (echo $KEY; exit 1)
        // must not hand it back there. A successful result is the caller's own data and stays as it is.
        var isError = data.IsError == true;
        return new ToolResult(isError, isError ? _secrets.Redact(text)! : text, RpcEnvelopeReader.NullIfEmpty(envelope.RequestId));
    }

    /// <summary>Releases a session at once (ReleaseMcpSession), the older synchronous delete.</summary>
    public async Task ReleaseSessionAsync(string sessionId, CancellationToken cancellationToken)
    {
        var response = await _api.ReleaseMcpSessionAsync(new SessionForm(_authorization, sessionId), cancellationToken).ConfigureAwait(false);
        RpcEnvelopeReader.Read(response, "ReleaseMcpSession", sessionId, _secrets);
    }

    private static string Excerpt(string text) => text.Length <= 200 ? text : string.Concat(text.AsSpan(0, 200), "…");
}
