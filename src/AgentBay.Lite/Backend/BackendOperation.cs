namespace AgentBay.Lite.Backend;

/// <summary>The operations of <see cref="IAgentBayBackend"/>, by name: the key of the retry table and of telemetry.</summary>
internal enum BackendOperation
{
    /// <summary>CreateMcpSession.</summary>
    CreateSession,

    /// <summary>GetSession.</summary>
    GetSession,

    /// <summary>GetSessionDetail.</summary>
    GetSessionStatus,

    /// <summary>ListSession.</summary>
    ListSessions,

    /// <summary>DeleteSessionAsync.</summary>
    DeleteSession,

    /// <summary>RefreshSessionIdleTime.</summary>
    RefreshIdleTime,

    /// <summary>GetMcpResource.</summary>
    GetResource,

    /// <summary>GetLink.</summary>
    GetLink,

    /// <summary>CallMcpTool.</summary>
    CallTool,
}
