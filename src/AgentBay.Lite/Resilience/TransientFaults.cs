using System.Net;
using System.Net.Http;
using System.Net.Sockets;

namespace AgentBay.Lite.Resilience;

/// <summary>Which failures are worth another attempt, by <see cref="CallSafety"/>.</summary>
internal static class TransientFaults
{
    /// <summary>Whether <paramref name="error"/> is transient for an operation that is safe to repeat.</summary>
    public static bool IsTransient(Exception error) => error switch
    {
        AttemptTimeoutException => true,
        AgentBayThrottledException => true,
        AgentBayTimeoutException or AgentBayAuthenticationException or SessionNotFoundException => false,

        // 5xx, including an HTML error page from a gateway (a protocol exception carrying the status).
        AgentBayException service => service.StatusCode is { } status && (int)status >= 500,

        // A certificate the client rejects (or any failed TLS handshake) stays rejected: repeating it only hides the
        // misconfiguration, or an interception, for the length of the retries.
        HttpRequestException { HttpRequestError: HttpRequestError.SecureConnectionError } => false,
        HttpRequestException { InnerException: System.Security.Authentication.AuthenticationException } => false,

        // Connection refused or reset, a body cut off mid-response.
        HttpRequestException or IOException => true,
        _ => false,
    };

    /// <summary>
    /// Whether the request provably never reached the service, so even an operation that is not safe to repeat may be
    /// sent again: the gateway's name did not resolve, or the connection was refused, or the host or network was
    /// unreachable. These are all failures while connecting, before a byte of the request was written. Anything else
    /// (a reset, a timeout, an error answer) may have followed a request the service acted on.
    /// </summary>
    public static bool NeverSent(Exception error)
    {
        if (error is not HttpRequestException http)
        {
            return false;
        }

        if (http.HttpRequestError == HttpRequestError.NameResolutionError)
        {
            return true;
        }

        if (http.HttpRequestError != HttpRequestError.ConnectionError)
        {
            return false;
        }

        for (Exception? inner = http.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is SocketException socket)
            {
                return socket.SocketErrorCode is SocketError.ConnectionRefused
                    or SocketError.HostNotFound
                    or SocketError.HostUnreachable
                    or SocketError.NetworkUnreachable;
            }
        }

        return false;
    }

    /// <summary>Whether an exception is the kind a malformed answer produces while it is parsed.</summary>
    public static bool IsParseFailure(Exception error) =>
        error is System.Text.Json.JsonException
            or FormatException
            or InvalidCastException
            or OverflowException
            or System.Text.DecoderFallbackException
            || (error is InvalidOperationException or NotSupportedException && error.Source == "System.Text.Json");
}
