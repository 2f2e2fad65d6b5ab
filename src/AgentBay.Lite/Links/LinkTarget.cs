namespace AgentBay.Lite;

/// <summary>
/// One entry of a batch for <see cref="IAgentBayClient.GetLinksAsync"/> and <see cref="IAgentBayClient.StreamLinksAsync"/>:
/// which link of which session. Compared by value, so duplicates in a batch are recognised (and fetched once).
/// </summary>
/// <remarks>
/// <code>
/// var targets = sessions.SelectMany(s => ports.Select(p => new LinkTarget(s.Id, LinkRequest.Https(p))));
/// </code>
/// </remarks>
public sealed record LinkTarget
{
    /// <summary>Names a link of a session.</summary>
    /// <param name="sessionId">The session's id; not blank.</param>
    /// <param name="request">Which link.</param>
    /// <exception cref="ArgumentException"><paramref name="sessionId"/> is blank.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="sessionId"/> or <paramref name="request"/> is <see langword="null"/>.</exception>
    public LinkTarget(string sessionId, LinkRequest request)
    {
        SessionId = sessionId;
        Request = request;
    }

    /// <summary>The session's id.</summary>
    public string SessionId
    {
        get;
        init
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(value, nameof(SessionId));
            field = value;
        }
    }

    /// <summary>Which link.</summary>
    public LinkRequest Request
    {
        get;
        init
        {
            ArgumentNullException.ThrowIfNull(value, nameof(Request));
            field = value;
        }
    }

    /// <summary>Deconstructs into the session id and the request.</summary>
    /// <param name="sessionId">The session's id.</param>
    /// <param name="request">Which link.</param>
    public void Deconstruct(out string sessionId, out LinkRequest request)
    {
        sessionId = SessionId;
        request = Request;
    }

    /// <summary>Returns <c>SESSION/LINK</c>, e.g. <c>session-…/https:30150</c>.</summary>
    public override string ToString() => $"{SessionId}/{Request}";
}
