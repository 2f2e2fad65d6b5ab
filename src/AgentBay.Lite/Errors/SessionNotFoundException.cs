using System.Net;

namespace AgentBay.Lite;

/// <summary>
/// The session does not exist: it never did, or it was deleted or released (the service's
/// <c>InvalidMcpSession.NotFound</c>). Released sessions cannot be recovered; create a new one.
/// </summary>
public sealed class SessionNotFoundException : AgentBayException
{
    /// <summary>Creates an exception with a default message.</summary>
    public SessionNotFoundException()
        : base("The AgentBay session was not found.")
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What happened.</param>
    public SessionNotFoundException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    /// <param name="message">What happened.</param>
    /// <param name="innerException">The cause.</param>
    public SessionNotFoundException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception carrying what the service said.</summary>
    /// <param name="message">What happened.</param>
    /// <param name="sessionId">The session that was not found, if known.</param>
    /// <param name="code">The service's error code.</param>
    /// <param name="serverMessage">The service's error message.</param>
    /// <param name="requestId">The service's request id.</param>
    /// <param name="statusCode">The HTTP status.</param>
    public SessionNotFoundException(string message, string? sessionId, string? code, string? serverMessage, string? requestId, HttpStatusCode? statusCode)
        : base(message, code, serverMessage, requestId, statusCode)
    {
        SessionId = sessionId;
    }

    /// <summary>The id of the session that was not found, if known.</summary>
    public string? SessionId { get; }
}
