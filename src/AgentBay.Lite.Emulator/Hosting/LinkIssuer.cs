using AgentBay.Lite.Emulator.LiveView;
using AgentBay.Lite.Emulator.Sessions;
using Microsoft.AspNetCore.Http;

namespace AgentBay.Lite.Emulator.Hosting;

/// <summary>
/// Issues links and writes the URLs of links and resources, the same for every wire face: the session service's link
/// rules, the browser check of CDP links (a browser image on an emulator without Chromium gets a clear refusal, not a
/// link that leads nowhere), and URLs on the listener's scheme and host.
/// </summary>
internal sealed class LinkIssuer(EmulatorState state)
{
    /// <summary>
    /// A link for <paramref name="protocol"/> and <paramref name="port"/> (see <see cref="SessionService.IssueLink"/>);
    /// without a port and with no protocol or <c>wss</c>, the session browser's CDP link.
    /// </summary>
    public Outcome<LinkGrant> Issue(string sessionId, string? protocol, int? port)
    {
        var isCdp = port is null && (protocol is null || protocol.Equals("wss", StringComparison.OrdinalIgnoreCase));
        if (isCdp && state.Browsers.RefuseCdpLink(sessionId) is { } refusal)
        {
            return refusal;
        }

        return state.Sessions.IssueLink(sessionId, protocol, port);
    }

    /// <summary>The CDP link of a browser session.</summary>
    public Outcome<LinkGrant> IssueCdp(string sessionId) =>
        state.Browsers.RefuseCdpLink(sessionId) is { } refusal ? refusal : state.Sessions.IssueCdpLink(sessionId);

    /// <summary>
    /// The link's URL. Links use the listener's scheme, so every link this emulator hands out can be opened as printed:
    /// https/wss (the real shapes) on an HTTPS emulator, http/ws on a plain-HTTP one.
    /// </summary>
    public string Url(HttpContext context, LinkGrant link)
    {
        var host = Host(context);
        var secure = state.Scheme == "https";
        return link.Protocol == "https"
            ? string.Concat(secure ? "https://" : "http://", host, "/request_ai/", link.Token, "/path/")
            : string.Concat(secure ? "wss://" : "ws://", host, "/websocket_ai/", link.Token);
    }

    /// <summary>A fresh live view URL for the session (valid 30 minutes): every answer that carries one issues a new token.</summary>
    public string ResourceUrl(HttpContext context, EmulatedSession session) =>
        string.Concat(state.Scheme, "://", Host(context), LiveViewEndpoints.Prefix, "/", state.ResourceTokens.Issue(session.Id).Token);

    private string Host(HttpContext context) => state.LinkHost ?? (context.Request.Host.HasValue ? context.Request.Host.Value! : "127.0.0.1");
}
