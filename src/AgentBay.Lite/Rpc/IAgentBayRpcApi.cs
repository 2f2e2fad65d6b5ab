using AgentBay.Lite.Http;

namespace AgentBay.Lite.Rpc;

/// <summary>
/// The AgentBay POP RPC actions the SDK uses (product <c>wuyingai</c>, API version <c>2025-05-06</c>): every call is
/// <c>POST /</c> with the action in the query and a form body carrying the API key. The generator writes
/// <see cref="AgentBayRpcApiClient"/>; per-request <c>Timestamp</c>, <c>SignatureNonce</c> and the user agent are
/// added in its <c>PrepareRequest</c>.
/// </summary>
/// <remarks>
/// Every method returns the raw <see cref="ApiResponse{T}"/> because the service's error bodies are envelopes too
/// (HTTP 400 with <c>Code</c>/<c>Message</c>); <see cref="RpcEnvelopeReader"/> turns them into exceptions.
/// </remarks>
[HttpApi(typeof(RpcJsonContext))]
[QueryConstant("Format", "json")]
[QueryConstant("Version", RpcProtocol.ApiVersion)]
[HeaderConstant("x-acs-version", RpcProtocol.ApiVersion)]
internal interface IAgentBayRpcApi
{
    /// <summary>CreateMcpSession: creates a session.</summary>
    [Post("/")]
    [QueryConstant("Action", "CreateMcpSession")]
    [HeaderConstant("x-acs-action", "CreateMcpSession")]
    Task<ApiResponse<CreateMcpSessionResponse>> CreateMcpSessionAsync(
        [Body(BodySerialization.UrlEncodedForm)] CreateMcpSessionForm form, CancellationToken cancellationToken);

    /// <summary>GetSession: a session's record.</summary>
    [Post("/")]
    [QueryConstant("Action", "GetSession")]
    [HeaderConstant("x-acs-action", "GetSession")]
    Task<ApiResponse<GetSessionResponse>> GetSessionAsync(
        [Body(BodySerialization.UrlEncodedForm)] SessionForm form, CancellationToken cancellationToken);

    /// <summary>GetSessionDetail: a session's status. The session id travels in the query, as the official clients send it.</summary>
    [Post("/")]
    [QueryConstant("Action", "GetSessionDetail")]
    [HeaderConstant("x-acs-action", "GetSessionDetail")]
    Task<ApiResponse<GetSessionDetailResponse>> GetSessionDetailAsync(
        [Query, AliasAs("SessionId")] string sessionId,
        [Body(BodySerialization.UrlEncodedForm)] RpcForm form,
        CancellationToken cancellationToken);

    /// <summary>ListSession: one page of sessions.</summary>
    [Post("/")]
    [QueryConstant("Action", "ListSession")]
    [HeaderConstant("x-acs-action", "ListSession")]
    Task<ApiResponse<ListSessionResponse>> ListSessionAsync(
        [Body(BodySerialization.UrlEncodedForm)] ListSessionForm form, CancellationToken cancellationToken);

    /// <summary>DeleteSessionAsync: starts deleting a session; poll GetSessionDetail for <c>FINISH</c>.</summary>
    [Post("/")]
    [QueryConstant("Action", "DeleteSessionAsync")]
    [HeaderConstant("x-acs-action", "DeleteSessionAsync")]
    Task<ApiResponse<RpcEnvelope>> DeleteSessionAsync(
        [Body(BodySerialization.UrlEncodedForm)] SessionForm form, CancellationToken cancellationToken);

    /// <summary>ReleaseMcpSession: releases a session at once (the older, synchronous delete).</summary>
    [Post("/")]
    [QueryConstant("Action", "ReleaseMcpSession")]
    [HeaderConstant("x-acs-action", "ReleaseMcpSession")]
    Task<ApiResponse<RpcEnvelope>> ReleaseMcpSessionAsync(
        [Body(BodySerialization.UrlEncodedForm)] SessionForm form, CancellationToken cancellationToken);

    /// <summary>RefreshSessionIdleTime: resets the session's idle timer (agentbay-rpc.md §11, since SDK v0.16).</summary>
    [Post("/")]
    [QueryConstant("Action", "RefreshSessionIdleTime")]
    [HeaderConstant("x-acs-action", "RefreshSessionIdleTime")]
    Task<ApiResponse<RpcEnvelope>> RefreshSessionIdleTimeAsync(
        [Body(BodySerialization.UrlEncodedForm)] SessionForm form, CancellationToken cancellationToken);

    /// <summary>GetMcpResource: the session's resource URL and desktop details.</summary>
    [Post("/")]
    [QueryConstant("Action", "GetMcpResource")]
    [HeaderConstant("x-acs-action", "GetMcpResource")]
    Task<ApiResponse<GetMcpResourceResponse>> GetMcpResourceAsync(
        [Body(BodySerialization.UrlEncodedForm)] SessionForm form, CancellationToken cancellationToken);

    /// <summary>GetLink: a CDP, HTTPS or WSS link into the session.</summary>
    [Post("/")]
    [QueryConstant("Action", "GetLink")]
    [HeaderConstant("x-acs-action", "GetLink")]
    Task<ApiResponse<GetLinkResponse>> GetLinkAsync(
        [Body(BodySerialization.UrlEncodedForm)] GetLinkForm form, CancellationToken cancellationToken);

    /// <summary>CallMcpTool: runs an MCP tool (shell, write_file, …) in the session.</summary>
    [Post("/")]
    [QueryConstant("Action", "CallMcpTool")]
    [HeaderConstant("x-acs-action", "CallMcpTool")]
    Task<ApiResponse<CallMcpToolResponse>> CallMcpToolAsync(
        [Body(BodySerialization.UrlEncodedForm)] CallMcpToolForm form, CancellationToken cancellationToken);
}
