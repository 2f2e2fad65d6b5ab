using System.Net.Sockets;

namespace AgentBay.Lite.Backend;

/// <summary>How a failure on the wire relates to the request, for the resilience layer to decide on a retry.</summary>
internal enum TransportFailure
{
    /// <summary>Not a transport failure: the service answered (or the SDK could not read what it answered).</summary>
    None,

    /// <summary>The request provably never left this machine: name resolution failed, or the connection was refused or unreachable.</summary>
    NotSent,

    /// <summary>The connection failed or the answer was cut off; the service may have acted on the request.</summary>
    MaybeSent,

    /// <summary>The TLS handshake failed (e.g. a certificate was rejected): repeating it changes nothing.</summary>
    Rejected,
}

/// <summary>
/// Turns what the HTTP stack and the JSON reader throw into the <see cref="AgentBayException"/> family. Every wire
/// backend ends its calls here, so nothing above the backend sees an <see cref="HttpRequestException"/>, an
/// <see cref="IOException"/> or a parse failure; an SDK bug (e.g. a <see cref="NullReferenceException"/>) is not a
/// wire failure and is left alone.
/// </summary>
internal static class WireFailures
{
    /// <summary>Maps <paramref name="error"/> when it is a wire failure.</summary>
    public static bool TryMap(Exception error, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out AgentBayException? mapped)
    {
        mapped = error switch
        {
            Http.RedirectRefusedException => new AgentBayProtocolException(
                "The AgentBay request was redirected away from AgentBayOptions.Endpoint, and the HTTP handler in use follows redirects; the SDK did not send its form (which carries the API key) to the new address. A redirect means the endpoint is wrong: check AgentBayOptions.Endpoint, and turn off AllowAutoRedirect on the handler of the HttpClient given to the SDK.",
                error),
            HttpRequestException or IOException => Transport(error),
            _ when IsParseFailure(error) => new AgentBayProtocolException(
                $"The AgentBay service's answer could not be read ({error.GetType().Name}: {error.Message}). A proxy may have answered instead of the service, or the service is newer than this SDK.",
                error),
            _ => null,
        };
        return mapped is not null;
    }

    /// <summary>Maps a wire failure, or returns <paramref name="error"/>'s own exception when it is none (tests).</summary>
    public static Exception Map(Exception error) => TryMap(error, out AgentBayException? mapped) ? mapped : error;

    /// <summary>Awaits a backend call, ending it in the <see cref="AgentBayException"/> family if the wire failed.</summary>
    public static async Task<T> MappedAsync<T>(Task<T> call)
    {
        try
        {
            return await call.ConfigureAwait(false);
        }
        catch (Exception ex) when (TryMap(ex, out AgentBayException? mapped))
        {
            throw mapped;
        }
    }

    /// <summary>As <see cref="MappedAsync{T}(Task{T})"/>, for a call without an answer.</summary>
    public static async Task MappedAsync(Task call)
    {
        try
        {
            await call.ConfigureAwait(false);
        }
        catch (Exception ex) when (TryMap(ex, out AgentBayException? mapped))
        {
            throw mapped;
        }
    }

    private static AgentBayException Transport(Exception error)
    {
        TransportFailure kind = Classify(error);
        string message = kind == TransportFailure.Rejected
            ? $"The TLS connection to the AgentBay gateway failed: {error.Message} A rejected certificate stays rejected, so this is not retried; check AgentBayOptions.Endpoint and the certificate the gateway presents (a proxy intercepting TLS presents its own)."
            : $"The AgentBay service could not be reached or its answer was cut off: {error.Message} Check AgentBayOptions.Endpoint and the network path to the gateway.";
        return new AgentBayException(message, error) { Transport = kind };
    }

    private static TransportFailure Classify(Exception error)
    {
        if (error is not HttpRequestException http)
        {
            return TransportFailure.MaybeSent; // an IOException: a body cut off mid-answer
        }

        if (http.HttpRequestError == HttpRequestError.SecureConnectionError || http.InnerException is System.Security.Authentication.AuthenticationException)
        {
            return TransportFailure.Rejected;
        }

        if (http.HttpRequestError == HttpRequestError.NameResolutionError)
        {
            return TransportFailure.NotSent;
        }

        if (http.HttpRequestError == HttpRequestError.ConnectionError)
        {
            for (Exception? inner = http.InnerException; inner is not null; inner = inner.InnerException)
            {
                if (inner is SocketException socket)
                {
                    return socket.SocketErrorCode is SocketError.ConnectionRefused
                        or SocketError.HostNotFound
                        or SocketError.HostUnreachable
                        or SocketError.NetworkUnreachable
                        ? TransportFailure.NotSent
                        : TransportFailure.MaybeSent;
                }
            }
        }

        return TransportFailure.MaybeSent;
    }

    /// <summary>Whether an exception is the kind a malformed answer produces while it is parsed.</summary>
    private static bool IsParseFailure(Exception error) =>
        error is System.Text.Json.JsonException
            or FormatException
            or InvalidCastException
            or OverflowException
            or System.Text.DecoderFallbackException
            || (error is InvalidOperationException or NotSupportedException && error.Source == "System.Text.Json");
}
