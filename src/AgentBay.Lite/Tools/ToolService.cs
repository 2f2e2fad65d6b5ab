using AgentBay.Lite.Backend;

namespace AgentBay.Lite.Tools;

/// <summary>
/// The tool protocols the SDK speaks inside a session — commands (<c>shell</c>) and files (<c>write_file</c>,
/// <c>get_file_info</c>, <c>read_file</c>) — and the parsing of their results. Each call takes one of two routes, as
/// the official SDKs do: the direct route (<c>POST {link_url}/callTool</c> with the session's token) when the session
/// has a link_url, a token and the tool's server and <see cref="AgentBayOptions.UseDirectToolRoute"/> is on; otherwise
/// the API route through the (resilient) backend, whichever service it speaks. <see cref="SessionCommands"/> and
/// <see cref="SessionFiles"/> are its public faces.
/// </summary>
internal sealed partial class ToolService(IAgentBayBackend backend, DirectToolRoute? direct)
{
    private readonly IAgentBayBackend _backend = backend;

    /// <summary>Calls a tool by the route the session allows.</summary>
    private Task<ToolResult> CallAsync(ToolTarget target, string tool, string argumentsJson, CancellationToken cancellationToken) =>
        direct is not null && target.TryGetDirectRoute(tool, out Uri? linkUrl, out string? server)
            ? direct.CallAsync(target.SessionId, linkUrl, target.Token!, server, tool, argumentsJson, cancellationToken)
            : _backend.CallToolAsync(target.SessionId, tool, argumentsJson, cancellationToken);
}
