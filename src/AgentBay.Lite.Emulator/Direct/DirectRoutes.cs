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
        callTool.Use(next => context => FaceGuard.RunAsync(context, next, DirectReplies.Error));
        callTool.Use(next => context =>
        {
            context.Features.Set<IOperationFeature>(new DirectOperation(CallToolOperation));
            return next(context);
        });
        callTool.Use(next => new FaultMiddleware(next, state.Injector, state.Counters, state.Delays, new EnvelopeFaultResponder(DirectReplies.Error, DirectReplies.CutOffAsync)).InvokeAsync);
        callTool.Run(context => CallToolEndpoint.HandleAsync(context, state));
        app.MapPost(LinkPrefix + "/{sessionId}/callTool", callTool.Build());

        var stream = ((IApplicationBuilder)app).New();
        stream.Use(next => context => FaceGuard.RunAsync(context, next, DirectReplies.Error));
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

    /// <summary><see cref="ErrorAsync(HttpResponse, int, string, string, bool)"/> as the guard and the fault responder call it.</summary>
    public static ErrorReply Error { get; } = (response, status, code, message) => ErrorAsync(response, status, code, message);

    /// <summary>An answer cut in half: the emulator's malformed-JSON fault.</summary>
    public static Task CutOffAsync(HttpResponse response) =>
        ErrorAsync(response, 200, "ok", "this body is cut in half by the emulator's malformed-JSON fault", truncate: true);
}
