namespace AgentBay.Lite;

/// <summary>A session as a listing reports it.</summary>
public sealed class SessionSummary
{
    internal SessionSummary(string sessionId, string? status)
    {
        SessionId = sessionId;
        Status = status;
    }

    /// <summary>The session's id.</summary>
    public string SessionId { get; }

    /// <summary>
    /// The session's status as the service reports it (<c>RUNNING</c>, <c>PAUSING</c>, <c>PAUSED</c>, <c>RESUMING</c>,
    /// <c>DELETING</c>, <c>DELETED</c>, or another value a newer service sends), or <see langword="null"/> if none.
    /// </summary>
    public string? Status { get; }

    /// <summary>Returns <c>id (STATUS)</c>.</summary>
    public override string ToString() => $"{SessionId} ({Status})";
}
