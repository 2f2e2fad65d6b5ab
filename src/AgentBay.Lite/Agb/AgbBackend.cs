using System.Text.Json;
using AgentBay.Lite.Backend;
using AgentBay.Lite.Http;
using AgentBay.Lite.Resilience;
using AgentBay.Lite.Rpc;

namespace AgentBay.Lite.Agb;

/// <summary>
/// The AGB REST backend (agb-rest.md): builds each route's query and JSON body, sends it through the generated
/// <see cref="IAgbRestApi"/> client, and maps the answer onto the backend models. The answers are the POP envelope in
/// camelCase, so they are read by <see cref="RpcEnvelopeReader"/> into the same failure family; a request id missing from
/// the body is taken from the <c>x-request-id</c> header, as the AGB SDKs do.
/// </summary>
internal sealed class AgbBackend : IAgentBayBackend
{
    /// <summary>The image a session gets when the caller names none; the AGB SDKs require one, so the SDK supplies it.</summary>
    public const string DefaultImageId = "agb-code-space-1";

    private readonly IAgbRestApi _api;
    private readonly string _authorization;
    private readonly SecretRedactor _secrets;

    /// <summary>Creates the backend.</summary>
    /// <param name="httpClient">An HTTP client whose <see cref="HttpClient.BaseAddress"/> is the AGB endpoint root.</param>
    /// <param name="apiKey">The API key, sent as <c>authorization: Bearer &lt;key&gt;</c>.</param>
    public AgbBackend(HttpClient httpClient, string apiKey)
        : this(new AgbRestApiClient(httpClient ?? throw new ArgumentNullException(nameof(httpClient))), apiKey)
    {
    }

    /// <summary>Creates the backend over any implementation of the REST interface.</summary>
    internal AgbBackend(IAgbRestApi api, string apiKey)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentException.ThrowIfNullOrWhiteSpace(apiKey);
        _api = api;
        _authorization = RpcProtocol.Authorization(apiKey);
        _secrets = new SecretRedactor(apiKey);
    }

    /// <summary>createSession's <c>sdkStats</c> query parameter, in the shape the AGB SDKs send.</summary>
    internal static string SdkStats => RpcProtocol.SdkStats;

    /// <summary>
    /// AGB's table of what may be sent again after a failure that may have reached the service. Same verdicts as
    /// AgentBay's, row by row for AGB's routes: <c>/mcp/createSession</c> could make a second session and <c>POST /mcp</c>
    /// could run a command twice; everything else reads, or deletes and resets timers (idempotent).
    /// </summary>
    public static CallSafety Safety(BackendOperation operation) => operation switch
    {
        BackendOperation.CreateSession => CallSafety.NotRepeatable,   // POST /mcp/createSession
        BackendOperation.CallTool => CallSafety.NotRepeatable,        // POST /mcp
        BackendOperation.GetSession => CallSafety.Repeatable,         // POST /mcp/getSession
        BackendOperation.GetSessionStatus => CallSafety.Repeatable,   // POST /mcp/getSessionInfo
        BackendOperation.ListSessions => CallSafety.Repeatable,       // GET /sdk/ListSession
        BackendOperation.DeleteSession => CallSafety.Repeatable,      // POST /mcp/releaseSessionAsync: deleting twice deletes once
        BackendOperation.RefreshIdleTime => CallSafety.Repeatable,    // POST /mcp/refreshSessionIdleTime
        BackendOperation.GetResource => CallSafety.Repeatable,        // POST /mcp/getMcpResource
        BackendOperation.GetLink => CallSafety.Repeatable,            // GET /internet/getLink, POST /internet/getCdpLink
        _ => throw new ArgumentOutOfRangeException(nameof(operation), operation, "Every operation needs a row in the table."),
    };

    /// <inheritdoc />
    public Task<SessionRecord> CreateSessionAsync(SessionCreation request, CancellationToken cancellationToken) =>
        WireFailures.MappedAsync(CreateSessionCoreAsync(request, cancellationToken));

    private async Task<SessionRecord> CreateSessionCoreAsync(SessionCreation request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        const string Operation = "createSession";
        var body = new AgbCreateSessionBody
        {
            Labels = request.Labels is { Count: > 0 } labels ? JsonSerializer.Serialize(new Dictionary<string, string>(labels), AgbJsonContext.Default.DictionaryStringString) : null,
            Timeout = request.IdleTimeoutSeconds,
        };
        var imageId = string.IsNullOrEmpty(request.ImageId) ? DefaultImageId : request.ImageId;
        var response = await _api.CreateSessionAsync(_authorization, imageId, SdkStats, body, cancellationToken).ConfigureAwait(false);
        var envelope = Read(response, Operation, sessionId: null);
        var data = RpcEnvelopeReader.RequireData(envelope.Data, envelope, response.StatusCode, Operation);
        return data.ToCreatedRecord(envelope, response.StatusCode, Operation, "sessionId", _secrets);
    }

    /// <inheritdoc />
    public Task<SessionRecord> GetSessionAsync(string sessionId, CancellationToken cancellationToken) =>
        WireFailures.MappedAsync(GetSessionCoreAsync(sessionId, cancellationToken));

    private async Task<SessionRecord> GetSessionCoreAsync(string sessionId, CancellationToken cancellationToken)
    {
        const string Operation = "getSession";
        var response = await _api.GetSessionAsync(_authorization, new AgbSessionBody(sessionId), cancellationToken).ConfigureAwait(false);
        var envelope = Read(response, Operation, sessionId);
        var data = RpcEnvelopeReader.RequireData(envelope.Data, envelope, response.StatusCode, Operation);
        return data.ToRecord(RpcEnvelopeReader.NullIfEmpty(data.SessionId) ?? sessionId, envelope, RpcEnvelopeReader.NullIfEmpty(data.Status));
    }

    /// <inheritdoc />
    public Task<string> GetSessionStatusAsync(string sessionId, CancellationToken cancellationToken) =>
        WireFailures.MappedAsync(GetSessionStatusCoreAsync(sessionId, cancellationToken));

    private async Task<string> GetSessionStatusCoreAsync(string sessionId, CancellationToken cancellationToken)
    {
        const string Operation = "getSessionInfo";
        var response = await _api.GetSessionInfoAsync(_authorization, new AgbSessionBody(sessionId), cancellationToken).ConfigureAwait(false);
        var envelope = Read(response, Operation, sessionId);
        var data = RpcEnvelopeReader.RequireData(envelope.Data, envelope, response.StatusCode, Operation);
        return RpcEnvelopeReader.NullIfEmpty(data.Status)
            ?? throw new AgentBayProtocolException(
                $"{Operation} succeeded but gave no status for session '{sessionId}' (request id {envelope.RequestId ?? "none"}).", bodyExcerpt: null, envelope.RequestId, response.StatusCode);
    }

    /// <inheritdoc />
    public Task<SessionPage> ListSessionsAsync(SessionListing request, CancellationToken cancellationToken) =>
        WireFailures.MappedAsync(ListSessionsCoreAsync(request, cancellationToken));

    private async Task<SessionPage> ListSessionsCoreAsync(SessionListing request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        const string Operation = "ListSession";
        if (RpcEnvelopeReader.NullIfEmpty(request.Status) is { } status && !string.Equals(status, "RUNNING", StringComparison.OrdinalIgnoreCase))
        {
            // AGB's ListSession has no status filter and lists live (running) sessions only.
            return new SessionPage([], null, 0);
        }

        var labels = JsonSerializer.Serialize(
            request.Labels is null ? [] : new Dictionary<string, string>(request.Labels), AgbJsonContext.Default.DictionaryStringString);
        var response = await _api.ListSessionAsync(_authorization, request.MaxResults, RpcEnvelopeReader.NullIfEmpty(request.NextToken), labels, cancellationToken).ConfigureAwait(false);
        var envelope = Read(response, Operation, sessionId: null);
        var entries = envelope.Data ?? [];
        var items = new List<SessionListItem>(entries.Count);
        foreach (var entry in entries)
        {
            var id = RpcEnvelopeReader.NullIfEmpty(entry?.SessionId)
                ?? throw new AgentBayProtocolException(
                    $"{Operation} listed a session without a sessionId (request id {envelope.RequestId ?? "none"}).", bodyExcerpt: null, envelope.RequestId, response.StatusCode);
            items.Add(new SessionListItem(id, RpcEnvelopeReader.NullIfEmpty(entry!.SessionStatus)));
        }

        return new SessionPage(items, RpcEnvelopeReader.NullIfEmpty(envelope.NextToken), envelope.Count);
    }

    /// <inheritdoc />
    public Task DeleteSessionAsync(string sessionId, CancellationToken cancellationToken) =>
        WireFailures.MappedAsync(DeleteSessionCoreAsync(sessionId, cancellationToken));

    private async Task DeleteSessionCoreAsync(string sessionId, CancellationToken cancellationToken)
    {
        var response = await _api.ReleaseSessionAsyncAsync(_authorization, new AgbSessionBody(sessionId), cancellationToken).ConfigureAwait(false);
        Read(response, "releaseSessionAsync", sessionId);
    }

    /// <summary>Releases a session at once (<c>/mcp/releaseSession</c>), the synchronous delete.</summary>
    public Task ReleaseSessionAsync(string sessionId, CancellationToken cancellationToken) =>
        WireFailures.MappedAsync(ReleaseSessionCoreAsync(sessionId, cancellationToken));

    private async Task ReleaseSessionCoreAsync(string sessionId, CancellationToken cancellationToken)
    {
        var response = await _api.ReleaseSessionAsync(_authorization, new AgbSessionBody(sessionId), cancellationToken).ConfigureAwait(false);
        Read(response, "releaseSession", sessionId);
    }

    /// <inheritdoc />
    public Task RefreshIdleTimeAsync(string sessionId, CancellationToken cancellationToken) =>
        WireFailures.MappedAsync(RefreshIdleTimeCoreAsync(sessionId, cancellationToken));

    private async Task RefreshIdleTimeCoreAsync(string sessionId, CancellationToken cancellationToken)
    {
        var response = await _api.RefreshSessionIdleTimeAsync(_authorization, sessionId, AgbEmptyBody.Instance, cancellationToken).ConfigureAwait(false);
        Read(response, "refreshSessionIdleTime", sessionId);
    }

    /// <inheritdoc />
    public Task<ResourceRecord> GetResourceAsync(string sessionId, CancellationToken cancellationToken) =>
        WireFailures.MappedAsync(GetResourceCoreAsync(sessionId, cancellationToken));

    private async Task<ResourceRecord> GetResourceCoreAsync(string sessionId, CancellationToken cancellationToken)
    {
        const string Operation = "getMcpResource";
        var response = await _api.GetMcpResourceAsync(_authorization, new AgbSessionBody(sessionId), cancellationToken).ConfigureAwait(false);
        var envelope = Read(response, Operation, sessionId);
        var data = RpcEnvelopeReader.RequireData(envelope.Data, envelope, response.StatusCode, Operation);
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
        string operation;
        ApiResponse<GetLinkResponse> response;
        switch (request)
        {
            case LinkRequest.CdpLink:
                // AGB has a route of its own for the browser's CDP endpoint (agb-rest.md §4).
                operation = "getCdpLink";
                response = await _api.GetCdpLinkAsync(_authorization, sessionId, AgbEmptyBody.Instance, cancellationToken).ConfigureAwait(false);
                break;
            case LinkRequest.HttpsLink https:
                operation = "getLink";
                response = await _api.GetLinkAsync(_authorization, sessionId, "https", https.Port, cancellationToken).ConfigureAwait(false);
                break;
            case LinkRequest.WssLink wss:
                operation = "getLink";
                response = await _api.GetLinkAsync(_authorization, sessionId, "wss", wss.Port, cancellationToken).ConfigureAwait(false);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(request), request, "Unknown link request.");
        }

        var envelope = Read(response, operation, sessionId);
        var data = RpcEnvelopeReader.RequireData(envelope.Data, envelope, response.StatusCode, operation);
        if (!Uri.TryCreate(data.Url, UriKind.Absolute, out var url))
        {
            var excerpt = data.Url is null ? "no url" : $"url '{Excerpt(data.Url)}'";
            throw new AgentBayProtocolException(
                $"{operation} succeeded but gave {excerpt}, which is not an absolute URL (request id {envelope.RequestId ?? "none"}).",
                data.Url is null ? null : Excerpt(data.Url), envelope.RequestId, response.StatusCode);
        }

        return new LinkRecord(url, RpcEnvelopeReader.NullIfEmpty(envelope.RequestId));
    }

    /// <inheritdoc />
    public Task<ToolResult> CallToolAsync(string sessionId, string toolName, string argumentsJson, CancellationToken cancellationToken) =>
        WireFailures.MappedAsync(CallToolCoreAsync(sessionId, toolName, argumentsJson, cancellationToken));

    private async Task<ToolResult> CallToolCoreAsync(string sessionId, string toolName, string argumentsJson, CancellationToken cancellationToken)
    {
        const string Operation = "callMcpTool";
        var response = await _api.CallMcpToolAsync(_authorization, new AgbCallToolBody(argumentsJson, sessionId, toolName), cancellationToken).ConfigureAwait(false);
        var envelope = Read(response, Operation, sessionId);
        var data = RpcEnvelopeReader.RequireData(envelope.Data, envelope, response.StatusCode, Operation);

        // The AGB SDKs join the text parts with newlines; without text, the first image part's data is the result.
        string text = string.Empty;
        if (data.Content is { Count: > 0 } content)
        {
            var texts = content.Where(static c => c?.Text is not null).Select(static c => c!.Text!).ToList();
            text = texts.Count > 0 ? string.Join('\n', texts) : content[0]?.Blob ?? content.FirstOrDefault(static c => c?.Data is not null)?.Data ?? string.Empty;
        }

        return new ToolResult(data.IsError == true, text, RpcEnvelopeReader.NullIfEmpty(envelope.RequestId));
    }

    /// <summary>The envelope of a successful answer (its request id from <c>x-request-id</c> when the body has none), or the exception its failure means.</summary>
    private TEnvelope Read<TEnvelope>(ApiResponse<TEnvelope> response, string operation, string? sessionId)
        where TEnvelope : RpcEnvelope
    {
        if (response.Content is { } envelope
            && string.IsNullOrEmpty(envelope.RequestId)
            && response.Headers.TryGetValues("x-request-id", out var ids)
            && ids.FirstOrDefault() is { Length: > 0 } headerId)
        {
            envelope.RequestId = headerId;
        }

        return RpcEnvelopeReader.Read(response, operation, sessionId, _secrets, AgentBayService.Agb);
    }

    private static string Excerpt(string text) => text.Length <= 200 ? text : string.Concat(text.AsSpan(0, 200), "…");
}
