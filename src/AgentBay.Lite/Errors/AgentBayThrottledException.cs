using System.Net;

namespace AgentBay.Lite;

/// <summary>
/// The service asked the caller to slow down (<c>Throttling*</c> codes or HTTP 429). Wait at least
/// <see cref="RetryAfter"/> (when the service gave it) before calling again.
/// </summary>
public sealed class AgentBayThrottledException : AgentBayException
{
    /// <summary>Creates an exception with a default message.</summary>
    public AgentBayThrottledException()
        : base("The AgentBay service throttled the call.")
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What happened.</param>
    public AgentBayThrottledException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    /// <param name="message">What happened.</param>
    /// <param name="innerException">The cause.</param>
    public AgentBayThrottledException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception carrying what the service said.</summary>
    /// <param name="message">What happened.</param>
    /// <param name="retryAfter">How long the service asked the caller to wait, if it said.</param>
    /// <param name="code">The service's error code.</param>
    /// <param name="serverMessage">The service's error message.</param>
    /// <param name="requestId">The service's request id.</param>
    /// <param name="statusCode">The HTTP status.</param>
    public AgentBayThrottledException(string message, TimeSpan? retryAfter, string? code, string? serverMessage, string? requestId, HttpStatusCode? statusCode)
        : base(message, code, serverMessage, requestId, statusCode)
    {
        RetryAfter = retryAfter;
    }

    /// <summary>How long the service asked the caller to wait, or <see langword="null"/> if it did not say.</summary>
    public TimeSpan? RetryAfter { get; }
}
