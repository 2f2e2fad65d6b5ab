using AgentBay.Lite.Backend;

namespace AgentBay.Lite.Tools;

/// <summary>
/// The tool protocols the SDK speaks inside a session — commands (<c>shell</c>) and files (<c>write_file</c>,
/// <c>get_file_info</c>, <c>read_file</c>) — and the parsing of their results. Calls go down to the (resilient)
/// backend only; <see cref="SessionCommands"/> and <see cref="SessionFiles"/> are its public faces.
/// </summary>
internal sealed partial class ToolService(IAgentBayBackend backend)
{
    private readonly IAgentBayBackend _backend = backend;
}
