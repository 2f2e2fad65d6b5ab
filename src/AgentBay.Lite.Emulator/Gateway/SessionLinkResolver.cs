using AgentBay.Lite.Emulator.Browser;
using AgentBay.Lite.Emulator.Sessions;

namespace AgentBay.Lite.Emulator.Gateway;

/// <summary>Resolves link tokens through the session service; CDP links lead to the session's browser (started on first use).</summary>
internal sealed class SessionLinkResolver(SessionService sessions, BrowserService browsers) : ILinkResolver
{
    public async ValueTask<LinkDestination?> ResolveAsync(string token, CancellationToken cancellationToken)
    {
        if (sessions.ResolveLink(token) is not { } link)
        {
            return null;
        }

        var session = link.Session;
        if (link.Protocol != "cdp")
        {
            var kind = link.Protocol == "https" ? LinkKind.Https : LinkKind.Wss;
            return new LinkDestination(session.Id, kind, link.Port!.Value, session.NamespacePid, session.Ended);
        }

        if (!(await browsers.GetOrStartAsync(session.Id, cancellationToken).ConfigureAwait(false)).Succeeded(out var browser, out var error))
        {
            return error.Kind == SessionErrorKind.NotFound ? null : throw new LinkUnavailableException(error.Message);
        }

        return new LinkDestination(session.Id, LinkKind.Cdp, browser.Port, session.NamespacePid, session.Ended) { WebSocketPath = browser.DevToolsPath };
    }
}
