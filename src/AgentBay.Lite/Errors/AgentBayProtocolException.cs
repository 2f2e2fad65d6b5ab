using System.Net;

namespace AgentBay.Lite;

/// <summary>
/// The service answered something the SDK cannot read: a body that is not JSON (an HTML error page from a proxy, a
/// truncated response), a value of the wrong type, or a required field missing. <see cref="BodyExcerpt"/> shows the
/// start of what arrived. Usually a gateway or network problem between the caller and the service.
/// </summary>
public sealed class AgentBayProtocolException : AgentBayException
{
    /// <summary>Creates an exception with a default message.</summary>
    public AgentBayProtocolException()
        : base("The AgentBay service sent a response the SDK cannot read.")
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What happened.</param>
    public AgentBayProtocolException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    /// <param name="message">What happened.</param>
    /// <param name="innerException">The cause.</param>
    public AgentBayProtocolException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception describing the unreadable response.</summary>
    /// <param name="message">What happened.</param>
    /// <param name="bodyExcerpt">The start of the response body.</param>
    /// <param name="requestId">The service's request id, if one could be read.</param>
    /// <param name="statusCode">The HTTP status.</param>
    public AgentBayProtocolException(string message, string? bodyExcerpt, string? requestId, HttpStatusCode? statusCode)
        : base(message, code: null, serverMessage: null, requestId, statusCode)
    {
        BodyExcerpt = bodyExcerpt;
    }

    /// <summary>The start of the response body (a few hundred characters at most), or <see langword="null"/>.</summary>
    public string? BodyExcerpt { get; }
}
