namespace AgentBay.Lite;

/// <summary>A link the service issued for a session: a URL that reaches a service running inside it.</summary>
/// <remarks>
/// The service documents no lifetime for links. <see cref="RetrievedAt"/> says when this one was obtained, so callers
/// that keep links can decide how old is too old.
/// </remarks>
public sealed class SessionLink
{
    internal SessionLink(Uri url, LinkRequest request, string sessionId, string? requestId, DateTimeOffset retrievedAt)
    {
        Url = url;
        Request = request;
        SessionId = sessionId;
        RequestId = requestId;
        RetrievedAt = retrievedAt;
    }

    /// <summary>
    /// The link: a <c>wss://</c> URL for <see cref="LinkRequest.Cdp"/> and <see cref="LinkRequest.Wss"/>, an
    /// <c>https://</c> URL for <see cref="LinkRequest.Https"/>.
    /// </summary>
    public Uri Url { get; }

    /// <summary>What was asked for.</summary>
    public LinkRequest Request { get; }

    /// <summary>The session the link reaches into.</summary>
    public string SessionId { get; }

    /// <summary>The service's id for the GetLink call, or <see langword="null"/> if it gave none.</summary>
    public string? RequestId { get; }

    /// <summary>When the SDK received the link (from the client's clock).</summary>
    public DateTimeOffset RetrievedAt { get; }

    /// <summary>Returns <see cref="Url"/> as a string.</summary>
    public override string ToString() => Url.ToString();
}
