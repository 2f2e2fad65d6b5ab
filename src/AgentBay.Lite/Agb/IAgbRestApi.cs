using AgentBay.Lite.Http;
using AgentBay.Lite.Rpc;

namespace AgentBay.Lite.Agb;

/// <summary>
/// The AGB REST routes the SDK uses (agb-rest.md §1 and §8): per-operation paths, GET with query parameters, POST with
/// camelCase JSON bodies (<c>{}</c> when there is nothing to send), and the key in an <c>authorization</c> header. The
/// generator writes <see cref="AgbRestApiClient"/>.
/// </summary>
/// <remarks>
/// The answers are the POP envelope and data of the AgentBay services behind AGB's gateway, in camelCase; they are read
/// into the RPC response models, whose JSON context matches names case-insensitively (AGB's SDKs accept PascalCase
/// variants too). Every method returns the raw <see cref="ApiResponse{T}"/> because failure bodies are envelopes as well.
/// </remarks>
[HttpApi(typeof(AgbJsonContext))]
internal interface IAgbRestApi
{
    /// <summary>Creates a session; the image and the client identity travel in the query.</summary>
    [Post("/mcp/createSession")]
    Task<ApiResponse<CreateMcpSessionResponse>> CreateSessionAsync(
        [Header("authorization")] string authorization,
        [Query] string imageId,
        [Query] string sdkStats,
        [Body(BodySerialization.Json)] AgbCreateSessionBody body,
        CancellationToken cancellationToken);

    /// <summary>Reads a session's record, with link_url, ws_url and token.</summary>
    [Post("/mcp/getSession")]
    Task<ApiResponse<GetSessionResponse>> GetSessionAsync(
        [Header("authorization")] string authorization, [Body(BodySerialization.Json)] AgbSessionBody body, CancellationToken cancellationToken);

    /// <summary>Reads a session's status, as the delete polling does.</summary>
    [Post("/mcp/getSessionInfo")]
    Task<ApiResponse<GetSessionDetailResponse>> GetSessionInfoAsync(
        [Header("authorization")] string authorization, [Body(BodySerialization.Json)] AgbSessionBody body, CancellationToken cancellationToken);

    /// <summary>Reads one page of sessions; <paramref name="labels"/> is a JSON object string, <c>{}</c> for any.</summary>
    [Get("/sdk/ListSession")]
    Task<ApiResponse<AgbListSessionResponse>> ListSessionAsync(
        [Header("authorization")] string authorization,
        [Query] int maxResults,
        [Query] string? nextToken,
        [Query] string labels,
        CancellationToken cancellationToken);

    /// <summary>Starts deleting a session; poll <see cref="GetSessionInfoAsync"/> until it is gone.</summary>
    [Post("/mcp/releaseSessionAsync")]
    Task<ApiResponse<RpcEnvelope>> ReleaseSessionAsyncAsync(
        [Header("authorization")] string authorization, [Body(BodySerialization.Json)] AgbSessionBody body, CancellationToken cancellationToken);

    /// <summary>Releases a session at once (the synchronous delete).</summary>
    [Post("/mcp/releaseSession")]
    Task<ApiResponse<RpcEnvelope>> ReleaseSessionAsync(
        [Header("authorization")] string authorization, [Body(BodySerialization.Json)] AgbSessionBody body, CancellationToken cancellationToken);

    /// <summary>Resets the session's idle timer; the session id travels in the query, the body is <c>{}</c>.</summary>
    [Post("/mcp/refreshSessionIdleTime")]
    Task<ApiResponse<RpcEnvelope>> RefreshSessionIdleTimeAsync(
        [Header("authorization")] string authorization, [Query] string sessionId, [Body(BodySerialization.Json)] AgbEmptyBody body, CancellationToken cancellationToken);

    /// <summary>The session's resource URL and desktop details.</summary>
    [Post("/mcp/getMcpResource")]
    Task<ApiResponse<GetMcpResourceResponse>> GetMcpResourceAsync(
        [Header("authorization")] string authorization, [Body(BodySerialization.Json)] AgbSessionBody body, CancellationToken cancellationToken);

    /// <summary>An HTTPS or WSS link to a port in the session.</summary>
    [Get("/internet/getLink")]
    Task<ApiResponse<GetLinkResponse>> GetLinkAsync(
        [Header("authorization")] string authorization,
        [Query] string sessionId,
        [Query] string? protocolType,
        [Query] int? port,
        CancellationToken cancellationToken);

    /// <summary>The CDP link of a browser session; the session id travels in the query, the body is <c>{}</c>.</summary>
    [Post("/internet/getCdpLink")]
    Task<ApiResponse<GetLinkResponse>> GetCdpLinkAsync(
        [Header("authorization")] string authorization, [Query] string sessionId, [Body(BodySerialization.Json)] AgbEmptyBody body, CancellationToken cancellationToken);

    /// <summary>Calls an MCP tool through the API route; <c>args</c> is a JSON string inside the JSON body.</summary>
    [Post("/mcp")]
    [QueryConstant("autoGenSession", "false")]
    Task<ApiResponse<CallMcpToolResponse>> CallMcpToolAsync(
        [Header("authorization")] string authorization, [Body(BodySerialization.Json)] AgbCallToolBody body, CancellationToken cancellationToken);
}
