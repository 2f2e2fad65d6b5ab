using AgentBay.Lite.Emulator.Faults;
using AgentBay.Lite.Emulator.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AgentBay.Lite.Emulator.Rpc;

/// <summary>
/// The AgentBay RPC face: <c>POST /?Action=…</c> (GET with every field in the query works too). Each request goes
/// through one pipeline: error guard → <see cref="RpcRequestReader"/> (method, query, form) →
/// <see cref="FaultMiddleware"/> (counters, injected latency and failures, keyed by action) → action check → key check →
/// <see cref="RpcActions"/>.
/// </summary>
internal static class RpcEndpoint
{
    /// <summary>Maps <c>/</c> to the RPC pipeline and answers every unmapped path with an <c>InvalidPath</c> envelope.</summary>
    public static void Map(WebApplication app, EmulatorState state)
    {
        var actions = new RpcActions(state);
        var pipeline = ((IApplicationBuilder)app).New();
        pipeline.Use(next => context => FaceGuard.RunAsync(context, next, RpcEnvelope.ErrorAsync));
        pipeline.Use(next => new RpcRequestReader(next, state).InvokeAsync);
        pipeline.Use(next => new FaultMiddleware(next, state.Injector, state.Counters, state.Delays, new EnvelopeFaultResponder(RpcEnvelope.ErrorAsync, RpcEnvelope.CutOffAsync)).InvokeAsync);
        pipeline.Run(context => HandleAsync(context, actions, state.ApiKey));
        app.Map("/", pipeline.Build());
        app.MapFallback("{**path}", NotFoundAsync);
    }

    private static Task HandleAsync(HttpContext context, RpcActions actions, string apiKey)
    {
        var request = context.Features.Get<RpcRequest>()!;
        if (request.RawAction is null)
        {
            return RpcEnvelope.ErrorAsync(context.Response, 400, "MissingParameter", "The required parameter \"Action\" is missing or empty (it goes in the query: /?Action=GetLink).");
        }

        if (request.Action is null)
        {
            return RpcEnvelope.ErrorAsync(context.Response, 400, "InvalidAction.NotFound", $"Specified api is not found, please check your url and method. The action \"{Text.Clip(request.RawAction)}\" is not supported by the AgentBay emulator.");
        }

        if (!IsAuthorized(request, context.Request, apiKey))
        {
            return RpcEnvelope.ErrorAsync(context.Response, 400, RpcEnvelope.NotLoginCode, RpcEnvelope.NotLoginMessage);
        }

        return actions.DispatchAsync(context, request);
    }

    /// <summary>
    /// The key travels as the form field <c>Authorization=Bearer &lt;key&gt;</c>; an HTTP header is the fallback. Never the
    /// query string: URLs end up in logs, histories and Referer headers (the few actions the SDKs send that way,
    /// SyncContext and the Go SDK's pause/resume, are not emulated).
    /// </summary>
    private static bool IsAuthorized(RpcRequest request, HttpRequest http, string apiKey) =>
        RpcKey.Matches(request.Fields.FromBody("Authorization") ?? RpcKey.FromHeader(http), apiKey);

    private static Task NotFoundAsync(HttpContext context) =>
        RpcEnvelope.ErrorAsync(context.Response, 404, "InvalidPath", $"No AgentBay API lives at \"{Text.Clip(context.Request.Path.Value)}\": RPC requests go to POST / (control routes under /_emulator/).");
}
