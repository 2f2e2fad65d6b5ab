using System.Net;
using System.Net.WebSockets;

namespace AgentBay.Lite;

/// <summary>
/// Knocks once on the service behind a link: an HTTP GET for <c>http</c>/<c>https</c> links, a WebSocket opening
/// handshake (closed at once) for <c>ws</c>/<c>wss</c> links. Redirects are not followed.
/// </summary>
/// <remarks>
/// Link traffic goes to the gateway named in the link, not to the AgentBay API endpoint, so it has its own handler:
/// nothing configured for API calls (the caller's handler, the API key) travels with it.
/// </remarks>
internal sealed class LinkProbe : IDisposable
{
    private static readonly Lazy<LinkProbe> SharedProbe = new(static () => new LinkProbe(CreateHandler(), ownsHandler: true));

    private readonly HttpMessageInvoker _invoker;

    /// <summary>Creates a probe that sends through <paramref name="handler"/>, disposing it with the probe when it owns it.</summary>
    public LinkProbe(HttpMessageHandler handler, bool ownsHandler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _invoker = new HttpMessageInvoker(handler, disposeHandler: ownsHandler);
    }

    /// <summary>The probe every link uses unless a test gives another.</summary>
    public static LinkProbe Shared => SharedProbe.Value;

    /// <summary>
    /// Knocks once. Returns the HTTP status the link answered with (<c>101</c> for an accepted WebSocket), or
    /// a <see langword="null"/> status with a description of the failure when no answer arrived (e.g. connection refused).
    /// </summary>
    public async Task<(HttpStatusCode? Status, string? Failure)> KnockAsync(Uri url, CancellationToken cancellationToken)
    {
        try
        {
            return url.Scheme is "ws" or "wss"
                ? await KnockWebSocketAsync(url, cancellationToken).ConfigureAwait(false)
                : await KnockHttpAsync(url, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, ex.HttpRequestError == HttpRequestError.Unknown ? ex.Message : ex.HttpRequestError.ToString());
        }
    }

    private async Task<(HttpStatusCode?, string?)> KnockHttpAsync(Uri url, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        using HttpResponseMessage response = await _invoker.SendAsync(request, cancellationToken).ConfigureAwait(false);
        return (response.StatusCode, null);
    }

    private async Task<(HttpStatusCode?, string?)> KnockWebSocketAsync(Uri url, CancellationToken cancellationToken)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        try
        {
            await socket.ConnectAsync(url, _invoker, cancellationToken).ConfigureAwait(false);
        }
        catch (WebSocketException ex) when (!cancellationToken.IsCancellationRequested)
        {
            // A refused upgrade still carries the gateway's status; no status means no answer at all.
            return socket.HttpStatusCode == 0 ? (null, ex.InnerException?.Message ?? ex.Message) : (socket.HttpStatusCode, null);
        }

        // Only the handshake was wanted: say goodbye without waiting for the service's reply.
        try
        {
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cancellationToken).ConfigureAwait(false);
        }
        catch (WebSocketException)
        {
            // The service may already have gone; it did answer, which is all that was asked.
        }

        return (HttpStatusCode.SwitchingProtocols, null);
    }

    /// <inheritdoc />
    public void Dispose() => _invoker.Dispose();

    private static SocketsHttpHandler CreateHandler() => new()
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        ConnectTimeout = TimeSpan.FromSeconds(10),
    };
}
