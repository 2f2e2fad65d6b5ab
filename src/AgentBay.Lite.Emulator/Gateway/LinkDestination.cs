namespace AgentBay.Lite.Emulator.Gateway;

/// <summary>What a link leads to.</summary>
internal enum LinkKind
{
    /// <summary>An HTTPS link: <c>/request_ai/{token}/path/…</c> to a port in the session.</summary>
    Https,

    /// <summary>A WSS link: <c>/websocket_ai/{token}</c> to a port in the session.</summary>
    Wss,

    /// <summary>A CDP link: <c>/websocket_ai/{token}</c> to the DevTools browser endpoint of the session's browser.</summary>
    Cdp,
}

/// <summary>Where one link token leads: a TCP port on the loopback of one session.</summary>
/// <param name="SessionId">The session; named in refusals. Must be a DNS-style name (letters, digits, '-').</param>
/// <param name="Kind">The kind of link, which decides the gateway path it is served on.</param>
/// <param name="Port">The port on the session's loopback (for CDP: the browser's DevTools port).</param>
/// <param name="NamespacePid">A host PID inside the session's namespaces; null when the session runs on the host.</param>
/// <param name="SessionEnded">Cancelled when the session ends; cuts traffic still in flight.</param>
internal sealed record LinkDestination(string SessionId, LinkKind Kind, int Port, int? NamespacePid, CancellationToken SessionEnded)
{
    /// <summary>The path WebSocket traffic goes to: <c>/devtools/browser/{id}</c> for CDP links, <c>/</c> otherwise.</summary>
    public string WebSocketPath { get; init; } = "/";
}

/// <summary>Turns the token of a link URL into the target it leads to.</summary>
internal interface ILinkResolver
{
    /// <summary>Resolves a token. For a CDP link this may start the session's browser.</summary>
    /// <param name="token">The token from the URL path.</param>
    /// <param name="cancellationToken">The request's cancellation.</param>
    /// <returns>The target, or null when no live link has this token (unknown, revoked, or its session is gone).</returns>
    /// <exception cref="LinkUnavailableException">The link exists but cannot be served (e.g. no browser available).</exception>
    ValueTask<LinkDestination?> ResolveAsync(string token, CancellationToken cancellationToken);
}

/// <summary>A live link cannot be served right now; the message tells the user why and what to do (sent as the 503 body).</summary>
internal sealed class LinkUnavailableException : Exception
{
    public LinkUnavailableException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
