namespace AgentBay.Lite.Emulator.Rpc;

/// <summary>The AgentBay RPC actions the emulator answers; they are also the operation names of counters and fault profiles.</summary>
internal static class RpcActionNames
{
    public const string CreateMcpSession = nameof(CreateMcpSession);
    public const string GetSession = nameof(GetSession);
    public const string GetSessionDetail = nameof(GetSessionDetail);
    public const string ListSession = nameof(ListSession);
    public const string DeleteSessionAsync = nameof(DeleteSessionAsync);
    public const string ReleaseMcpSession = nameof(ReleaseMcpSession);
    public const string GetMcpResource = nameof(GetMcpResource);
    public const string GetLink = nameof(GetLink);
    public const string GetCdpLink = nameof(GetCdpLink);
    public const string CallMcpTool = nameof(CallMcpTool);
    public const string ListMcpTools = nameof(ListMcpTools);
    public const string SetLabel = nameof(SetLabel);
    public const string GetLabel = nameof(GetLabel);
    public const string InitBrowser = nameof(InitBrowser);
    public const string RefreshSessionIdleTime = nameof(RefreshSessionIdleTime);

    /// <summary>The operation name of requests whose action is missing or unknown.</summary>
    public const string Unknown = "(unknown)";

    public static readonly string[] All =
    [
        CreateMcpSession, GetSession, GetSessionDetail, ListSession, DeleteSessionAsync, ReleaseMcpSession,
        GetMcpResource, GetLink, GetCdpLink, CallMcpTool, ListMcpTools, SetLabel, GetLabel,
        InitBrowser, RefreshSessionIdleTime,
    ];

    /// <summary>
    /// Every operation counters, latency and faults can name: the RPC actions, plus the sessions' direct routes
    /// (<c>CallToolDirect</c> for <c>{link_url}/callTool</c>, <c>RunCodeStream</c> for a run on ws_url).
    /// </summary>
    public static readonly string[] Operations = [.. All, Direct.DirectRoutes.CallToolOperation, Direct.DirectRoutes.RunCodeOperation];

    /// <summary>The canonical operation name (an action or a direct route's), or null when <paramref name="operation"/> is not one.</summary>
    public static string? FindOperation(string? operation) =>
        Find(operation) ?? (operation is Direct.DirectRoutes.CallToolOperation or Direct.DirectRoutes.RunCodeOperation ? operation : null);

    /// <summary>The canonical (interned) action name, or null when <paramref name="action"/> is not one.</summary>
    public static string? Find(string? action)
    {
        if (action is null)
        {
            return null;
        }

        foreach (var known in All)
        {
            if (string.Equals(known, action, StringComparison.Ordinal))
            {
                return known;
            }
        }

        return null;
    }
}
