namespace AgentBay.Lite;

/// <summary>One link of one session: the link cache's key and a batch's item. Compared by value.</summary>
/// <remarks>
/// Equality and hashing are written out because they run on every cache lookup: the ordinal session id, then the
/// request by reference before value equality; the request's hash is its case and port, with no virtual calls.
/// </remarks>
internal readonly record struct LinkKey(string SessionId, LinkRequest Request)
{
    /// <inheritdoc />
    public bool Equals(LinkKey other) =>
        string.Equals(SessionId, other.SessionId, StringComparison.Ordinal)
        && (ReferenceEquals(Request, other.Request) || (Request is not null && Request.Equals(other.Request)));

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(SessionId, Request switch
    {
        LinkRequest.HttpsLink https => https.Port,
        LinkRequest.WssLink wss => -wss.Port,
        _ => 0,
    });
}
