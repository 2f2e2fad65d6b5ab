using System.Globalization;
using AgentBay.Lite.Emulator.Faults;
using AgentBay.Lite.Emulator.Hosting;
using AgentBay.Lite.Emulator.Sessions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AgentBay.Lite.Emulator.Direct;

/// <summary>
/// A session's own routes, which the SDKs reach without the API key: its link_url (<c>POST {link_url}/callTool</c>,
/// tools called directly) and its ws_url (a WebSocket streaming code runs). Both need the session's access token in
/// <c>X-Access-Token</c>; both faces (AgentBay RPC, AGB REST) hand out the same URLs and token.
/// </summary>
internal static class DirectRoutes
{
    /// <summary>The path of a session's link_url: <c>/link/{sessionId}</c>.</summary>
    public const string LinkPrefix = "/link";

    /// <summary>The path of a session's ws_url: <c>/stream/{sessionId}</c>.</summary>
    public const string StreamPrefix = "/stream";

    /// <summary>The header carrying the session's access token.</summary>
    public const string TokenHeader = "X-Access-Token";

    /// <summary>The operation name (counters, latency, faults) of <c>POST {link_url}/callTool</c>.</summary>
    public const string CallToolOperation = "CallToolDirect";

    /// <summary>The operation name (counters, latency, faults) of one <c>run_code</c> invocation on a ws_url socket.</summary>
    public const string RunCodeOperation = "RunCodeStream";

    /// <summary>The session's link_url; its scheme follows the listener's, as every link of this emulator does.</summary>
    public static string LinkUrl(EmulatorState state, HttpContext context, EmulatedSession session) =>
        string.Concat(state.Scheme, "://", Host(state, context), LinkPrefix, "/", session.Id);

    /// <summary>The session's ws_url: <c>wss://</c> on an HTTPS emulator, <c>ws://</c> on a plain one.</summary>
    public static string WsUrl(EmulatorState state, HttpContext context, EmulatedSession session) =>
        string.Concat(state.Scheme == "https" ? "wss://" : "ws://", Host(state, context), StreamPrefix, "/", session.Id);

    /// <summary>Maps both routes; call before the RPC face's catch-all.</summary>
    public static void Map(WebApplication app, EmulatorState state)
    {
        var callTool = ((IApplicationBuilder)app).New();
        callTool.Use(next => context => DirectReplies.GuardAsync(context, next));
        callTool.Use(next => context =>
        {
            context.Features.Set<IOperationFeature>(new DirectOperation(CallToolOperation));
            return next(context);
        });
        callTool.Use(next => new FaultMiddleware(next, state.Injector, state.Counters, state.Delays, new DirectFaultResponder()).InvokeAsync);
        callTool.Run(context => CallToolEndpoint.HandleAsync(context, state));
        app.MapPost(LinkPrefix + "/{sessionId}/callTool", callTool.Build());

        var stream = ((IApplicationBuilder)app).New();
        stream.Use(next => context => DirectReplies.GuardAsync(context, next));
        stream.UseWebSockets();
        stream.Run(context => CodeStreamEndpoint.HandleAsync(context, state));
        app.Map(StreamPrefix + "/{sessionId}", stream.Build());
    }

    private static string Host(EmulatorState state, HttpContext context) =>
        state.LinkHost ?? (context.Request.Host.HasValue ? context.Request.Host.Value! : "127.0.0.1");

    private sealed record DirectOperation(string Operation) : IOperationFeature
    {
        public bool IsKnownOperation => true;
    }
}

/// <summary>The JSON answers of the direct routes: AGB's camelCase envelope (<c>success, code, message, requestId, data</c>).</summary>
internal static class DirectReplies
{
    public static Task ErrorAsync(HttpResponse response, int status, string code, string message, bool truncate = false)
    {
        var w = JsonOut.Begin();
        w.WriteStartObject();
        w.WriteBoolean("success"u8, false);
        w.WriteString("code"u8, code);
        w.WriteString("message"u8, message);
        w.WriteNumber("httpStatusCode"u8, status);
        w.WriteString("requestId"u8, Guid.NewGuid().ToString("D"));
        w.WriteNull("data"u8);
        w.WriteEndObject();
        return JsonOut.SendAsync(response, status, truncate);
    }

    /// <summary>Maps a domain refusal: unknown session 404, wrong token 401.</summary>
    public static Task ErrorAsync(HttpResponse response, SessionError error) => error.Kind switch
    {
        SessionErrorKind.NotFound => ErrorAsync(response, 404, "InvalidMcpSession.NotFound", "Resource [McpSession] is not found: no live session has this id (it was never created, or it was deleted)."),
        SessionErrorKind.Unauthorized => ErrorAsync(response, 401, "Unauthorized.AccessToken", error.Message),
        SessionErrorKind.InvalidArgument => ErrorAsync(response, 400, "InvalidParameter." + error.Subject, error.Message),
        _ => ErrorAsync(response, 500, "InternalError", error.Message),
    };

    /// <summary>Turns emulator bugs into a JSON 500; a client that went away gets nothing.</summary>
    public static async Task GuardAsync(HttpContext context, RequestDelegate next)
    {
        try
        {
            await next(context);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
        }
        catch (BadHttpRequestException ex)
        {
            if (!context.Response.HasStarted)
            {
                await ErrorAsync(context.Response, ex.StatusCode == 413 ? 413 : 400, "MalformedRequest", "The HTTP request could not be read: " + ex.Message);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            if (!context.Response.HasStarted)
            {
                await ErrorAsync(context.Response, 500, "InternalError", "The emulator failed unexpectedly: " + ex.GetType().Name + ": " + ex.Message);
            }
        }
    }
}

/// <summary>Injected failures on <c>{link_url}/callTool</c>, in the route's JSON shape.</summary>
internal sealed class DirectFaultResponder : IFaultResponder
{
    public Task WriteAsync(HttpContext context, FaultKind fault, TimeSpan retryAfter)
    {
        var response = context.Response;
        switch (fault)
        {
            case FaultKind.ServerError:
                return DirectReplies.ErrorAsync(response, 500, "InternalError", "The request processing has failed due to some unknown error (injected by the emulator).");
            case FaultKind.ServiceUnavailable:
                return DirectReplies.ErrorAsync(response, 503, "ServiceUnavailable", "The request has failed due to a temporary failure of the server (injected by the emulator).");
            case FaultKind.Throttling:
                var seconds = (long)Math.Ceiling(retryAfter.TotalSeconds);
                response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                return DirectReplies.ErrorAsync(response, 429, "Throttling", $"Request was denied due to request throttling; retry after {seconds.ToString(CultureInfo.InvariantCulture)} s (injected by the emulator).");
            default:
                return DirectReplies.ErrorAsync(response, 200, "ok", "this body is cut in half by the emulator's malformed-JSON fault", truncate: true);
        }
    }
}
