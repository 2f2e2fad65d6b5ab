using AgentBay.Lite.Backend;

namespace AgentBay.Lite.Tools;

/// <summary>
/// The session a tool call goes to, with what the direct route needs: its link_url, its access token and which
/// MCP server each tool belongs to. Never printed: <see cref="ToString"/> shows the session id only.
/// </summary>
internal sealed class ToolTarget(string sessionId, Uri? linkUrl, string? token, IReadOnlyDictionary<string, string> toolServers)
{
    /// <summary>The target of a session that is connected to no client (the model factory's).</summary>
    public static ToolTarget None { get; } = new(string.Empty, linkUrl: null, token: null, Backend.ToolServers.Empty);

    public string SessionId { get; } = sessionId;

    public Uri? LinkUrl { get; } = linkUrl;

    /// <summary>The session's access token (a secret).</summary>
    public string? Token { get; } = token;

    public IReadOnlyDictionary<string, string> ToolServers { get; } = toolServers;

    /// <summary>The direct route's address and server for <paramref name="tool"/>, when the session has all three (link_url, token, the tool's server).</summary>
    public bool TryGetDirectRoute(string tool, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Uri? linkUrl, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? server)
    {
        linkUrl = LinkUrl;
        server = null;
        return linkUrl is not null
            && !string.IsNullOrEmpty(Token)
            && ToolServers.TryGetValue(tool, out server)
            && !string.IsNullOrEmpty(server);
    }

    /// <summary>The session id; never the token.</summary>
    public override string ToString() => SessionId;
}
