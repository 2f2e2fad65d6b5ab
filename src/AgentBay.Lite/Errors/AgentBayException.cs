using System.Net;

namespace AgentBay.Lite;

/// <summary>
/// An AgentBay call failed: the service refused it, answered something the SDK cannot read, or could not be reached
/// as configured. The base of every exception this SDK throws for a failed service call.
/// </summary>
/// <remarks>
/// <see cref="Code"/> and <see cref="ServerMessage"/> are the service's own words when it gave them
/// (e.g. <c>InvalidMcpSession.NotFound</c>); <see cref="RequestId"/> identifies the call in the service's logs and is
/// worth quoting in a support request. Subtypes exist only where a caller acts differently:
/// <see cref="SessionNotFoundException"/>, <see cref="AgentBayAuthenticationException"/>,
/// <see cref="AgentBayThrottledException"/> and <see cref="AgentBayProtocolException"/>.
/// </remarks>
public class AgentBayException : Exception
{
    /// <summary>Creates an exception with a default message.</summary>
    public AgentBayException()
        : this("An AgentBay call failed.")
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What happened and what to do.</param>
    public AgentBayException(string message)
        : this(message, innerException: null)
    {
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    /// <param name="message">What happened and what to do.</param>
    /// <param name="innerException">The cause.</param>
    public AgentBayException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception carrying what the service said.</summary>
    /// <param name="message">What happened and what to do.</param>
    /// <param name="code">The service's error code, if it gave one.</param>
    /// <param name="serverMessage">The service's error message, if it gave one.</param>
    /// <param name="requestId">The service's request id, if it gave one.</param>
    /// <param name="statusCode">The HTTP status of the response, if there was one.</param>
    /// <param name="innerException">The cause, if any.</param>
    public AgentBayException(
        string message,
        string? code,
        string? serverMessage,
        string? requestId,
        HttpStatusCode? statusCode,
        Exception? innerException = null)
        : base(message, innerException)
    {
        Code = code;
        ServerMessage = serverMessage;
        RequestId = requestId;
        StatusCode = statusCode;
    }

    /// <summary>The service's error code (e.g. <c>InvalidMcpSession.NotFound</c>), or <see langword="null"/> if it gave none.</summary>
    public string? Code { get; }

    /// <summary>The service's own error message, or <see langword="null"/> if it gave none.</summary>
    public string? ServerMessage { get; }

    /// <summary>The service's request id, or <see langword="null"/> if the response had none.</summary>
    public string? RequestId { get; }

    /// <summary>The HTTP status of the response, or <see langword="null"/> if no response was received.</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>How a failure on the wire relates to the request; set by the backend, read by the retry layer.</summary>
    internal Backend.TransportFailure Transport { get; init; }
}
