namespace AgentBay.Lite;

/// <summary>A session's resource and desktop details (the service's GetMcpResource), as of <see cref="RetrievedAt"/>.</summary>
/// <remarks>
/// Every value is <see langword="null"/> where the service sent none. AgentBay's documentation says a resource URL is
/// valid for 30 minutes; the service sends no expiry with it, so <see cref="ResourceUrlExpiresAt"/> counts them from
/// <see cref="RetrievedAt"/>. Call <see cref="AgentBaySession.GetInfoAsync"/> again for a fresh one rather than keeping
/// it longer. The resource URL opens the session for whoever holds it, so <see cref="ToString"/> leaves it out.
/// </remarks>
public sealed class SessionInfo
{
    /// <summary>How long a resource URL is valid after it was issued, as AgentBay documents it.</summary>
    private static readonly TimeSpan ResourceUrlLifetime = TimeSpan.FromMinutes(30);

    internal SessionInfo(
        string sessionId,
        Uri? resourceUrl,
        string? resourceType,
        string? resourceId,
        string? appId,
        string? authCode,
        string? connectionProperties,
        string? ticket,
        DateTimeOffset retrievedAt)
    {
        SessionId = sessionId;
        ResourceUrl = resourceUrl;
        ResourceType = resourceType;
        ResourceId = resourceId;
        AppId = appId;
        AuthCode = authCode;
        ConnectionProperties = connectionProperties;
        Ticket = ticket;
        RetrievedAt = retrievedAt;
    }

    /// <summary>The session's id.</summary>
    public string SessionId { get; }

    /// <summary>
    /// A URL that opens the session's live desktop stream in a browser. Documented as valid for 30 minutes after it
    /// was issued (see <see cref="RetrievedAt"/>).
    /// </summary>
    public Uri? ResourceUrl { get; }

    /// <summary>The kind of resource, e.g. <c>AIAgent</c>.</summary>
    public string? ResourceType { get; }

    /// <summary>The resource's id (<c>p-…</c>), used with <see cref="Ticket"/> by the AgentBay Android and Web SDKs.</summary>
    public string? ResourceId { get; }

    /// <summary>The desktop application's id.</summary>
    public string? AppId { get; }

    /// <summary>The desktop's authorization code.</summary>
    public string? AuthCode { get; }

    /// <summary>The desktop's connection settings, as the JSON text the service sent.</summary>
    public string? ConnectionProperties { get; }

    /// <summary>The desktop connection ticket.</summary>
    public string? Ticket { get; }

    /// <summary>When the SDK received these details (from the client's clock).</summary>
    public DateTimeOffset RetrievedAt { get; }

    /// <summary>
    /// When <see cref="ResourceUrl"/> stops working: the documented 30 minutes after <see cref="RetrievedAt"/> (the
    /// service issues the URL while answering, so this is a few network milliseconds late at most); null without a URL.
    /// </summary>
    public DateTimeOffset? ResourceUrlExpiresAt => ResourceUrl is null ? null : RetrievedAt + ResourceUrlLifetime;

    /// <summary>The session's id; never the resource URL, which is a bearer link to the session.</summary>
    /// <returns>The session id.</returns>
    public override string ToString() => SessionId;
}
