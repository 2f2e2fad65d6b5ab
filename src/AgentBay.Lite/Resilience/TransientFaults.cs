using AgentBay.Lite.Backend;

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

        // Connection refused or reset, a body cut off mid-response. A failed TLS handshake (a rejected certificate)
        // stays failed: repeating it only hides the misconfiguration, or an interception, for the length of the retries.
        AgentBayException { Transport: TransportFailure.NotSent or TransportFailure.MaybeSent } => true,
        AgentBayException { Transport: TransportFailure.Rejected } => false,

        // 5xx, including an HTML error page from a gateway (a protocol exception carrying the status).
        AgentBayException service => service.StatusCode is { } status && (int)status >= 500,
        _ => false,
    };

    /// <summary>
    /// Whether the request provably never reached the service (the backend classified it so: the gateway's name did not
    /// resolve, or the connection was refused or unreachable, before a byte was written), so even an operation that
    /// is not safe to repeat may be sent again. Anything else may have followed a request the service acted on.
    /// </summary>
    public static bool NeverSent(Exception error) => error is AgentBayException { Transport: TransportFailure.NotSent };
}
