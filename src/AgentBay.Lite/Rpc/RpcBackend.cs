using AgentBay.Lite.Backend;

namespace AgentBay.Lite.Rpc;

/// <summary>The AgentBay POP RPC backend (wuyingai, API version 2025-05-06).</summary>
internal sealed class RpcBackend : IAgentBayBackend
{
    /// <summary>Creates the backend.</summary>
    /// <param name="httpClient">An HTTP client whose <see cref="HttpClient.BaseAddress"/> is the service endpoint root.</param>
    /// <param name="apiKey">The API key, sent as the <c>Authorization</c> form field.</param>
    /// <param name="regionId">Where sessions run (<c>LoginRegionId</c>), or <see langword="null"/> for the service default.</param>
    /// <param name="timeProvider">The clock for request timestamps.</param>
    public RpcBackend(HttpClient httpClient, string apiKey, string? regionId, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentException.ThrowIfNullOrWhiteSpace(apiKey);
        ArgumentNullException.ThrowIfNull(timeProvider);
        throw new NotImplementedException("The RPC backend is being written on main.");
    }

    /// <inheritdoc />
    public Task<CreatedSession> CreateSessionAsync(SessionCreation request, CancellationToken cancellationToken) => throw new NotImplementedException();

    /// <inheritdoc />
    public Task<SessionRecord> GetSessionAsync(string sessionId, CancellationToken cancellationToken) => throw new NotImplementedException();

    /// <inheritdoc />
    public Task<string> GetSessionStatusAsync(string sessionId, CancellationToken cancellationToken) => throw new NotImplementedException();

    /// <inheritdoc />
    public Task<SessionPage> ListSessionsAsync(SessionListing request, CancellationToken cancellationToken) => throw new NotImplementedException();

    /// <inheritdoc />
    public Task DeleteSessionAsync(string sessionId, CancellationToken cancellationToken) => throw new NotImplementedException();

    /// <inheritdoc />
    public Task<ResourceRecord> GetResourceAsync(string sessionId, CancellationToken cancellationToken) => throw new NotImplementedException();

    /// <inheritdoc />
    public Task<LinkRecord> GetLinkAsync(string sessionId, LinkRequest request, CancellationToken cancellationToken) => throw new NotImplementedException();

    /// <inheritdoc />
    public Task<ToolResult> CallToolAsync(string sessionId, string toolName, string argumentsJson, CancellationToken cancellationToken) => throw new NotImplementedException();
}
