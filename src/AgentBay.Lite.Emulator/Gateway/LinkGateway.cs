using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Forwarder;

namespace AgentBay.Lite.Emulator.Gateway;

/// <summary>
/// The link gateway: forwards <c>/request_ai/{token}/path/…</c> (HTTP, any method, WebSocket upgrades too) and
/// <c>/websocket_ai/{token}</c> (WebSocket) to the linked port inside the link's session, with YARP's forwarder.
/// </summary>
/// <remarks>
/// One <see cref="HttpMessageInvoker"/> serves every session. Its <see cref="SocketsHttpHandler.ConnectCallback"/>
/// opens connections with <see cref="NamespaceConnector"/> inside the session's network namespace; the request
/// URI's host is the session id, so the handler's connection pools (keyed by host and port) never hand one
/// session's connection to another. The session's service sees <c>Host: 127.0.0.1:PORT</c>, as if it were
/// opened from inside the session.
/// </remarks>
internal sealed class LinkGateway : IDisposable
{
    /// <summary>The path prefix of HTTPS links.</summary>
    public const string RequestPrefix = "/request_ai";

    /// <summary>The path prefix of WSS and CDP links.</summary>
    public const string WebSocketPrefix = "/websocket_ai";

    private static readonly HttpRequestOptionsKey<LinkDestination> TargetKey = new("AgentBay.LinkDestination");

    private static readonly ForwarderRequestConfig RequestConfig = new()
    {
        // Long-lived WebSockets (a CDP client idling between commands) count as activity only when bytes move.
        ActivityTimeout = TimeSpan.FromMinutes(30),
        Version = HttpVersion.Version11,
        VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
    };

    private readonly IHttpForwarder _forwarder;
    private readonly NamespaceConnector _connector = new();
    private readonly HttpMessageInvoker _invoker;

    public LinkGateway(IHttpForwarder forwarder)
    {
        _forwarder = forwarder;
        _invoker = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            ActivityHeadersPropagator = DistributedContextPropagator.CreateNoOutputPropagator(),
            ConnectTimeout = TimeSpan.FromSeconds(15),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            ConnectCallback = ConnectAsync,
        }, disposeHandler: true);
    }

    public void Dispose()
    {
        _invoker.Dispose();
        _connector.Dispose();
    }

    /// <summary>Forwards one request arriving on a gateway route.</summary>
    /// <param name="context">The request.</param>
    /// <param name="resolver">Turns the route's token into a target.</param>
    /// <returns>A task that completes when the exchange is over.</returns>
    public async Task ForwardAsync(HttpContext context, ILinkResolver resolver)
    {
        var token = context.GetRouteValue("token") as string ?? "";
        var isRequestRoute = context.Request.Path.StartsWithSegments(RequestPrefix, StringComparison.Ordinal);

        LinkDestination? target;
        try
        {
            target = await resolver.ResolveAsync(token, context.RequestAborted).ConfigureAwait(false);
        }
        catch (LinkUnavailableException ex)
        {
            await RefuseAsync(context, StatusCodes.Status503ServiceUnavailable, ex.Message).ConfigureAwait(false);
            return;
        }

        if (target is null || target.SessionEnded.IsCancellationRequested)
        {
            await RefuseAsync(context, StatusCodes.Status404NotFound, "Unknown link: this token was never issued, was revoked, or its session has ended.").ConfigureAwait(false);
            return;
        }

        if (isRequestRoute != (target.Kind == LinkKind.Https))
        {
            var message = target.Kind == LinkKind.Https
                ? "This is an HTTPS link: open it under /request_ai/{token}/path/."
                : "This is a WebSocket link (WSS or CDP): open it under /websocket_ai/{token}.";
            await RefuseAsync(context, StatusCodes.Status404NotFound, message).ConfigureAwait(false);
            return;
        }

        var path = isRequestRoute
            ? RemainingPath(context.Request.Path, RequestPrefix, token, "/path")
            : target.Kind == LinkKind.Cdp ? new PathString(target.WebSocketPath) : RemainingPath(context.Request.Path, WebSocketPrefix, token, null);
        var destination = string.Create(CultureInfo.InvariantCulture, $"http://{target.SessionId}:{target.Port}/");

        // A session that ends cuts its links at once, including exchanges in flight.
        using var ended = target.SessionEnded.Register(static state => ((HttpContext)state!).Abort(), context);
        var error = await _forwarder.SendAsync(context, destination, _invoker, RequestConfig, new LinkTransformer(target, path)).ConfigureAwait(false);
        if (error == ForwarderError.None || context.Response.HasStarted || context.RequestAborted.IsCancellationRequested)
        {
            // Done, or too late for a refusal: the client left, or the session ended and cut the exchange.
            return;
        }

        var failure = FindConnectFailure(context.GetForwarderErrorFeature()?.Exception);
        var (status, body) = failure?.Failure switch
        {
            LinkConnectFailure.NothingListening => (StatusCodes.Status502BadGateway, $"Nothing is listening on port {target.Port} in session {target.SessionId}."),
            LinkConnectFailure.SessionEnded => (StatusCodes.Status404NotFound, $"Session {target.SessionId} has ended; its links no longer work."),
            LinkConnectFailure.NotPermitted => (StatusCodes.Status502BadGateway, $"The emulator cannot reach port {target.Port} in session {target.SessionId}: {failure.Message}"),
            _ => (StatusCodes.Status502BadGateway, $"Port {target.Port} in session {target.SessionId} did not answer ({error})."),
        };
        await RefuseAsync(context, status, body).ConfigureAwait(false);
    }

    private static PathString RemainingPath(PathString path, string prefix, string token, string? suffix)
    {
        var head = new PathString(prefix).Add(new PathString("/" + token));
        if (suffix is not null)
        {
            head = head.Add(suffix);
        }

        return path.StartsWithSegments(head, StringComparison.Ordinal, out var rest) && rest.HasValue ? rest : new PathString("/");
    }

    private static LinkConnectException? FindConnectFailure(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is LinkConnectException link)
            {
                return link;
            }
        }

        return null;
    }

    private static Task RefuseAsync(HttpContext context, int status, string message)
    {
        context.Response.Clear();
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsync(message + "\n", context.RequestAborted);
    }

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        if (!context.InitialRequestMessage.Options.TryGetValue(TargetKey, out var target))
        {
            throw new InvalidOperationException("A gateway request carries no link target.");
        }

        var socket = await _connector.ConnectAsync(target.NamespacePid, target.Port, cancellationToken).ConfigureAwait(false);
        return new NetworkStream(socket, ownsSocket: true);
    }

    /// <summary>Points the outgoing request at the session's port, as seen from inside the session.</summary>
    private sealed class LinkTransformer(LinkDestination target, PathString path) : HttpTransformer
    {
        public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
        {
            await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken).ConfigureAwait(false);
            var query = target.Kind == LinkKind.Cdp ? QueryString.Empty : httpContext.Request.QueryString;
            proxyRequest.RequestUri = RequestUtilities.MakeDestinationAddress(destinationPrefix, path, query);
            proxyRequest.Headers.Host = string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{target.Port}");
            proxyRequest.Options.Set(TargetKey, target);
            if (target.Kind == LinkKind.Cdp)
            {
                // Chromium refuses DevTools WebSockets that carry an Origin it was not told to allow; the gateway is
                // the client here, so the browser needs no --remote-allow-origins=* opening it to every web page.
                proxyRequest.Headers.Remove(HeaderNames.Origin);
            }
        }
    }
}

/// <summary>Registers and maps the link gateway.</summary>
internal static class LinkGatewayEndpoints
{
    /// <summary>Adds YARP's forwarder and the gateway.</summary>
    /// <param name="services">The services.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddLinkGateway(this IServiceCollection services)
    {
        services.AddHttpForwarder();
        services.AddSingleton<LinkGateway>();
        return services;
    }

    /// <summary>Maps <c>/request_ai/{token}/path/{**rest}</c> (every method) and <c>/websocket_ai/{token}</c> onto the gateway.</summary>
    /// <param name="endpoints">The route builder.</param>
    /// <param name="resolver">Turns tokens into targets.</param>
    /// <returns>A convention builder for all gateway routes.</returns>
    public static IEndpointConventionBuilder MapLinkGateway(this IEndpointRouteBuilder endpoints, ILinkResolver resolver)
    {
        ArgumentNullException.ThrowIfNull(resolver);
        var gateway = endpoints.ServiceProvider.GetRequiredService<LinkGateway>();
        RequestDelegate handler = context => gateway.ForwardAsync(context, resolver);
        var group = endpoints.MapGroup("");
        group.Map(LinkGateway.RequestPrefix + "/{token}/path", handler);
        group.Map(LinkGateway.RequestPrefix + "/{token}/path/{**rest}", handler);
        group.Map(LinkGateway.WebSocketPrefix + "/{token}", handler);
        group.Map(LinkGateway.WebSocketPrefix + "/{token}/{**rest}", handler);
        return group;
    }
}
