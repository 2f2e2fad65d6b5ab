using AgentBay.Lite.Code;
using AgentBay.Lite.Links;
using AgentBay.Lite.Sessions;
using AgentBay.Lite.Tools;

namespace AgentBay.Lite;

/// <summary>
/// The domain services one client owns, handed to the session objects it creates so that they call down into the
/// services, never back up into the client.
/// </summary>
internal sealed class AgentBayServices(SessionService sessions, LinkService links, ToolService tools)
{
    /// <summary>The sessions' code streams (ws_url sockets).</summary>
    public CodeStreamService Code { get; } = new();

    public SessionService Sessions { get; } = sessions;

    public LinkService Links { get; } = links;

    public ToolService Tools { get; } = tools;

    /// <summary>Deletes a session and waits until it is gone; its cached links are dropped whatever happens.</summary>
    public async Task DeleteSessionAsync(string sessionId, CancellationToken cancellationToken)
    {
        try
        {
            await Sessions.DeleteAndWaitAsync(sessionId, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await Links.ForgetAsync(sessionId).ConfigureAwait(false);
            Code.Forget(sessionId);
        }
    }
}
