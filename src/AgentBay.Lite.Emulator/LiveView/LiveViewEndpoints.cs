using AgentBay.Lite.Emulator.Browser;
using AgentBay.Lite.Emulator.Gateway;
using AgentBay.Lite.Emulator.Sessions;
using AgentBay.Lite.Emulator.Tools;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AgentBay.Lite.Emulator.LiveView;

/// <summary>
/// Serves resource URLs: <c>GET /resource/{token}</c> (the page), <c>/resource/{token}/ws</c> (its WebSocket) and the
/// page's script and style under <c>/liveview/</c>.
/// </summary>
/// <remarks>
/// The token in the path is the only key: the page is meant for a person's browser, which sends no API key. The
/// emulator's browser-request guard still runs first (its Host allow-list stops DNS rebinding), and the WebSocket
/// additionally demands an <c>Origin</c> equal to the emulator's own, so a page on another site cannot drive the
/// session even when it learns a token.
/// </remarks>
internal sealed class LiveViewEndpoints : IDisposable
{
    /// <summary>The path prefix of resource URLs.</summary>
    public const string Prefix = "/resource";

    private readonly ResourceTokens _tokens;
    private readonly BrowserService _browsers;
    private readonly ToolRunner _tools;
    private readonly NamespaceConnector _connector = new();

    public LiveViewEndpoints(ResourceTokens tokens, BrowserService browsers, ToolRunner tools)
    {
        _tokens = tokens;
        _browsers = browsers;
        _tools = tools;
    }

    /// <summary>The path prefix of the page's script and style.</summary>
    public const string AssetPrefix = "/liveview";

    /// <summary>
    /// True for the live view's paths. The browser-request guard applies only its Host check to them: a person may
    /// open a resource URL from a link on any site (the page cannot be framed, and the token is the capability), while
    /// the page's WebSocket, which is what acts on the session, demands the emulator's own Origin here.
    /// </summary>
    public static bool IsLiveViewPath(PathString path) =>
        path.StartsWithSegments(Prefix, StringComparison.Ordinal) || path.StartsWithSegments(AssetPrefix, StringComparison.Ordinal);

    /// <summary>Maps the live view's routes; WebSocket support is switched on for its paths only.</summary>
    public void Map(WebApplication app)
    {
        app.UseWhen(c => c.Request.Path.StartsWithSegments(Prefix, StringComparison.Ordinal), branch => branch.UseWebSockets());
        app.MapGet(Prefix + "/{token}", ServePageAsync);
        app.Map(Prefix + "/{token}/ws", ServeSocketAsync);
        app.MapGet(AssetPrefix + "/{name}", context => LiveViewPages.WriteAssetAsync(context, (string)context.Request.RouteValues["name"]!));
    }

    public void Dispose() => _connector.Dispose();

    private Task ServePageAsync(HttpContext context)
    {
        var (state, session, expiresAt) = _tokens.Resolve(context.Request.RouteValues["token"] as string);
        return state switch
        {
            ResourceTokenState.Valid => LiveViewPages.WriteViewAsync(context.Response, session!.Id, session.SupportsCdp && _browsers.IsAvailable, expiresAt),
            ResourceTokenState.Expired => LiveViewPages.WriteExpiredAsync(context.Response),
            _ => LiveViewPages.WriteUnknownAsync(context.Response),
        };
    }

    private async Task ServeSocketAsync(HttpContext context)
    {
        var (state, session, expiresAt) = _tokens.Resolve(context.Request.RouteValues["token"] as string);
        if (state != ResourceTokenState.Valid)
        {
            context.Response.StatusCode = state == ResourceTokenState.Expired ? StatusCodes.Status410Gone : StatusCodes.Status404NotFound;
            return;
        }

        if (!IsOwnOrigin(context.Request))
        {
            // Browsers always send Origin on WebSocket handshakes: a missing or foreign one is not this page.
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await context.Response.WriteAsync("The live view's WebSocket only answers the emulator's own page (its Origin must be this emulator).", context.RequestAborted).ConfigureAwait(false);
            return;
        }

        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        using var viewer = new LiveViewSocket(socket, session!, expiresAt, _tokens.Time, _browsers, _tools, _connector);
        await viewer.RunAsync(context.RequestAborted).ConfigureAwait(false);
    }

    private static bool IsOwnOrigin(HttpRequest request) =>
        Uri.TryCreate(request.Headers.Origin.ToString(), UriKind.Absolute, out var origin)
        && string.Equals(origin.Scheme, request.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(origin.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase);
}
