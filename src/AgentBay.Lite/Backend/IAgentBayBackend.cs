namespace AgentBay.Lite.Backend;

/// <summary>
/// The session operations the public surface needs, independent of the service's wire protocol. One implementation
/// per protocol: AgentBay POP RPC (<see cref="Rpc.RpcBackend"/>) and AGB REST (<see cref="Agb.AgbBackend"/>). Implementations turn every
/// failure into the <see cref="AgentBayException"/> family and never return partially read data.
/// </summary>
internal interface IAgentBayBackend
{
    /// <summary>Creates a session (CreateMcpSession).</summary>
    Task<SessionRecord> CreateSessionAsync(SessionCreation request, CancellationToken cancellationToken);

    /// <summary>Reads a session's record (GetSession). Throws <see cref="SessionNotFoundException"/> when it is gone.</summary>
    Task<SessionRecord> GetSessionAsync(string sessionId, CancellationToken cancellationToken);

    /// <summary>Reads a session's status (GetSessionDetail), e.g. <c>RUNNING</c> or <c>FINISH</c>. Throws <see cref="SessionNotFoundException"/> when it is gone.</summary>
    Task<string> GetSessionStatusAsync(string sessionId, CancellationToken cancellationToken);

    /// <summary>Reads one page of sessions (ListSession).</summary>
    Task<SessionPage> ListSessionsAsync(SessionListing request, CancellationToken cancellationToken);

    /// <summary>Asks the service to delete a session (DeleteSessionAsync); deletion completes later.</summary>
    Task DeleteSessionAsync(string sessionId, CancellationToken cancellationToken);

    /// <summary>Resets a session's idle timer (RefreshSessionIdleTime). Throws <see cref="SessionNotFoundException"/> when it is gone.</summary>
    Task RefreshIdleTimeAsync(string sessionId, CancellationToken cancellationToken);

    /// <summary>Reads a session's resource and desktop details (GetMcpResource).</summary>
    Task<ResourceRecord> GetResourceAsync(string sessionId, CancellationToken cancellationToken);

    /// <summary>Asks for a link to a service in the session (GetLink).</summary>
    Task<LinkRecord> GetLinkAsync(string sessionId, LinkRequest request, CancellationToken cancellationToken);

    /// <summary>Calls an MCP tool in the session (CallMcpTool) with its arguments as a JSON object.</summary>
    Task<ToolResult> CallToolAsync(string sessionId, string toolName, string argumentsJson, CancellationToken cancellationToken);
}
