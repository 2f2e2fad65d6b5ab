using System.Net;

namespace AgentBay.Lite;

/// <summary>
/// The service did not accept the API key (<c>NOT_LOGIN</c>): it is wrong, expired, or belongs to another gateway
/// (keys are gateway-specific: a key for the Shanghai gateway fails against Singapore). Check
/// <c>AgentBayOptions.ApiKey</c> and <c>AgentBayOptions.Endpoint</c>.
/// </summary>
public sealed class AgentBayAuthenticationException : AgentBayException
{
    /// <summary>Creates an exception with a default message.</summary>
    public AgentBayAuthenticationException()
        : base("The AgentBay service did not accept the API key.")
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What happened.</param>
    public AgentBayAuthenticationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    /// <param name="message">What happened.</param>
    /// <param name="innerException">The cause.</param>
    public AgentBayAuthenticationException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception carrying what the service said.</summary>
    /// <param name="message">What happened.</param>
    /// <param name="code">The service's error code.</param>
    /// <param name="serverMessage">The service's error message.</param>
    /// <param name="requestId">The service's request id.</param>
    /// <param name="statusCode">The HTTP status.</param>
    public AgentBayAuthenticationException(string message, string? code, string? serverMessage, string? requestId, HttpStatusCode? statusCode)
        : base(message, code, serverMessage, requestId, statusCode)
    {
    }
}
