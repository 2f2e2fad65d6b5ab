using AgentBay.Lite.Emulator.Rpc;

namespace AgentBay.Lite.Emulator.Agb;

/// <summary>One AGB REST route: its method, path, and the operation name counters and fault profiles use for it.</summary>
/// <param name="Method"><c>GET</c> or <c>POST</c>.</param>
/// <param name="Path">The path, e.g. <c>/mcp/createSession</c>.</param>
/// <param name="Operation">
/// The AgentBay RPC action doing the same thing (agb-rest.md §1): one name per operation across both faces, so
/// <c>--fault-action GetLink</c> or the control endpoints' <c>"action":"GetLink"</c> reach <c>GET /internet/getLink</c> as
/// well as <c>POST /?Action=GetLink</c>, and <c>/_emulator/counters</c> counts both faces together.
/// </param>
internal sealed record AgbRoute(string Method, string Path, string Operation);

/// <summary>The AGB routes the emulator answers (agb-rest.md §1 and §8).</summary>
internal static class AgbRoutes
{
    public static readonly AgbRoute[] All =
    [
        new("POST", "/mcp/createSession", RpcActionNames.CreateMcpSession),
        new("POST", "/mcp/releaseSession", RpcActionNames.ReleaseMcpSession),
        new("POST", "/mcp/releaseSessionAsync", RpcActionNames.DeleteSessionAsync),
        new("POST", "/mcp/getSession", RpcActionNames.GetSession),
        new("POST", "/mcp/getSessionInfo", RpcActionNames.GetSessionDetail),
        new("GET", "/sdk/ListSession", RpcActionNames.ListSession),
        new("POST", "/mcp/getMcpResource", RpcActionNames.GetMcpResource),
        new("GET", "/internet/getLink", RpcActionNames.GetLink),
        new("POST", "/internet/getCdpLink", RpcActionNames.GetCdpLink),
        new("POST", "/mcp", RpcActionNames.CallMcpTool),
        new("POST", "/mcp/listTools", RpcActionNames.ListMcpTools),
        new("POST", "/mcp/refreshSessionIdleTime", RpcActionNames.RefreshSessionIdleTime),
        new("POST", "/browser/init", RpcActionNames.InitBrowser),
    ];
}
