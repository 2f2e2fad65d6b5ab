namespace AgentBay.Lite.Http;

/// <summary>
/// A form body that is written only to the address its request was sent to. A form may carry credentials (the RPC
/// form carries the API key), and a handler of the caller's own that follows a 307/308 redirect would re-post it to
/// whatever host the <c>Location</c> names; redirect handling re-sends the same request object with its
/// <see cref="HttpRequestMessage.RequestUri"/> changed, so writing the body checks that it has not changed.
/// A handler's own retry on a fresh connection keeps the address and is unaffected.
/// </summary>
internal sealed class FormContent(byte[] body) : ByteArrayContent(body)
{
    private HttpRequestMessage? _request;
    private Uri? _target;

    /// <summary>Pins the body to <paramref name="target"/>, where <paramref name="request"/> is about to be sent.</summary>
    public void BindTo(HttpRequestMessage request, Uri? target)
    {
        _request = request;
        _target = target;
    }


    // ByteArrayContent routes the cancellable overload of a derived type to this one.

    /// <inheritdoc />
    protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
    {
        ThrowIfRedirected();
        return base.SerializeToStreamAsync(stream, context);
    }

    /// <inheritdoc />
    protected override void SerializeToStream(Stream stream, System.Net.TransportContext? context, CancellationToken cancellationToken)
    {
        ThrowIfRedirected();
        base.SerializeToStream(stream, context, cancellationToken);
    }

    private void ThrowIfRedirected()
    {
        if (_request is not null && _request.RequestUri != _target)
        {
            throw new RedirectRefusedException(statusCode: null);
        }
    }
}

/// <summary>
/// The HTTP handler followed a redirect that the SDK refuses: the form was not sent to the new address, or an answer
/// came from an address the request was not sent to. <see cref="StatusCode"/> is the redirect's status when known.
/// </summary>
internal sealed class RedirectRefusedException(System.Net.HttpStatusCode? statusCode)
    : Exception("The HTTP handler followed a redirect; the SDK does not send its requests anywhere but the configured endpoint.")
{
    /// <summary>The 3xx status, when the handler reported it.</summary>
    public System.Net.HttpStatusCode? StatusCode { get; } = statusCode;
}
