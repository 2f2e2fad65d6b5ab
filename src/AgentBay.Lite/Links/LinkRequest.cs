namespace AgentBay.Lite;

/// <summary>
/// Which link to ask a session for: <see cref="Cdp"/> (the browser's Chrome DevTools WebSocket), <see cref="Https"/>
/// (an HTTPS URL for a web app on a port) or <see cref="Wss"/> (a WebSocket URL for any other service on a port).
/// </summary>
/// <remarks>
/// <para>
/// A closed set of three cases, matchable with <c>switch</c>:
/// <code>
/// string scheme = request switch
/// {
///     LinkRequest.CdpLink => "cdp",
///     LinkRequest.HttpsLink https => $"https on {https.Port}",
///     LinkRequest.WssLink wss => $"wss on {wss.Port}",
///     _ => throw new UnreachableException(),
/// };
/// </code>
/// </para>
/// <para>
/// A port is a TCP port, 1–65535: no value of this type can hold anything else (the factories, <c>with</c>
/// expressions and the constructors all check it), and no other assembly can add a case. Which ports an account may
/// link is a policy, not a property of the value: the client checks it against <see cref="AgentBayOptions.LinkPorts"/>
/// (30100–30199 by default) before sending anything. Values compare by value, so they make natural dictionary and
/// cache keys.
/// </para>
/// </remarks>
public abstract record LinkRequest
{
    private LinkRequest()
    {
    }

    /// <summary>The Chrome DevTools Protocol WebSocket of the session's browser (browser images only).</summary>
    public static CdpLink Cdp { get; } = new();

    /// <summary>An HTTPS URL for a web app listening on <paramref name="port"/> in the session.</summary>
    /// <param name="port">A TCP port, 1–65535; the client lets only <see cref="AgentBayOptions.LinkPorts"/> through (30100–30199 by default).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="port"/> is not a TCP port.</exception>
    public static HttpsLink Https(int port) => new(port);

    /// <summary>A WebSocket (WSS) URL for a service listening on <paramref name="port"/> in the session.</summary>
    /// <param name="port">A TCP port, 1–65535; the client lets only <see cref="AgentBayOptions.LinkPorts"/> through (30100–30199 by default).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="port"/> is not a TCP port.</exception>
    public static WssLink Wss(int port) => new(port);

    // Records get a protected copy constructor, so a private constructor alone would not stop another assembly from
    // deriving; an abstract member it cannot see (and so cannot override) does.
    private protected abstract void Seal();

    private static int CheckPort(int port, string paramName)
    {
        if (port is < LinkPortRange.LowestPort or > LinkPortRange.HighestPort)
        {
            throw new ArgumentOutOfRangeException(
                paramName,
                port,
                $"{port} is not a TCP port; a link reaches a port 1-65535 in the session (AgentBay opens 30100-30199 by default).");
        }

        return port;
    }

    /// <summary>The browser's Chrome DevTools Protocol WebSocket. Use <see cref="Cdp"/>.</summary>
    public sealed record CdpLink : LinkRequest
    {
        internal CdpLink()
        {
        }

        /// <summary>Returns <c>cdp</c>.</summary>
        public override string ToString() => "cdp";

        private protected override void Seal()
        {
        }
    }

    /// <summary>An HTTPS URL for a web app on <see cref="Port"/>. Use <see cref="Https(int)"/>.</summary>
    public sealed record HttpsLink : LinkRequest
    {
        internal HttpsLink(int port) => Port = port;

        /// <summary>The port in the session, 1–65535.</summary>
        public int Port { get; init => field = CheckPort(value, nameof(Port)); }

        /// <summary>Returns <c>https:PORT</c>, e.g. <c>https:30150</c>.</summary>
        public override string ToString() => $"https:{Port}";

        private protected override void Seal()
        {
        }
    }

    /// <summary>A WebSocket URL for a service on <see cref="Port"/>. Use <see cref="Wss(int)"/>.</summary>
    public sealed record WssLink : LinkRequest
    {
        internal WssLink(int port) => Port = port;

        /// <summary>The port in the session, 1–65535.</summary>
        public int Port { get; init => field = CheckPort(value, nameof(Port)); }

        /// <summary>Returns <c>wss:PORT</c>, e.g. <c>wss:30180</c>.</summary>
        public override string ToString() => $"wss:{Port}";

        private protected override void Seal()
        {
        }
    }
}
