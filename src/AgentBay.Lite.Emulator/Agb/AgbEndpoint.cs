using AgentBay.Lite.Emulator.Faults;
using AgentBay.Lite.Emulator.Hosting;
using AgentBay.Lite.Emulator.Rpc;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AgentBay.Lite.Emulator.Agb;

/// <summary>
/// The AGB REST face (agb-rest.md): the routes of <see cref="AgbRoutes"/> beside the AgentBay RPC root, over the same
/// sessions. Each request goes through one pipeline: error guard → route and method check → <see cref="FaultMiddleware"/>
/// (counters, injected latency and failures, keyed by the operation) → key check (the <c>authorization</c> header) →
/// body (JSON, bounded) → <see cref="AgbHandlers"/>.
/// </summary>
internal static class AgbEndpoint
{
    public static void Map(WebApplication app, EmulatorState state)
    {
        var handlers = new AgbHandlers(state);
        foreach (var route in AgbRoutes.All)
        {
            var pipeline = ((IApplicationBuilder)app).New();
            pipeline.Use(next => context => FaceGuard.RunAsync(context, next, AgbEnvelope.ErrorAsync));
            pipeline.Use(next => context => ReadRouteAsync(context, next, route, state));
            pipeline.Use(next => new FaultMiddleware(next, state.Injector, state.Counters, state.Delays, new EnvelopeFaultResponder(AgbEnvelope.ErrorAsync, AgbEnvelope.CutOffAsync)).InvokeAsync);
            pipeline.Run(context => HandleAsync(context, handlers, state));
            app.Map(route.Path, pipeline.Build());
        }
    }

    private static Task ReadRouteAsync(HttpContext context, RequestDelegate next, AgbRoute route, EmulatorState state)
    {
        var request = context.Request;
        if (!string.Equals(request.Method, route.Method, StringComparison.OrdinalIgnoreCase))
        {
            context.Response.Headers.Allow = route.Method;
            return AgbEnvelope.ErrorAsync(context.Response, 405, "MethodNotAllowed", $"The method {Text.Clip(request.Method)} is not allowed on {route.Path}: use {route.Method}.");
        }

        if (state.LogRequests)
        {
            Console.WriteLine($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} {request.Method} {route.Path} (AGB)");
        }

        var agb = new AgbRequest(route, request.Query);
        context.Features.Set(agb);
        context.Features.Set<IOperationFeature>(agb);
        return next(context);
    }

    private static async Task HandleAsync(HttpContext context, AgbHandlers handlers, EmulatorState state)
    {
        // The key travels only in the authorization header (any casing of its name; HTTP header names are
        // case-insensitive). The body is not read for whoever lacks it.
        if (!RpcKey.Matches(RpcKey.FromHeader(context.Request), state.ApiKey))
        {
            await AgbEnvelope.ErrorAsync(context.Response, 401, AgbEnvelope.UnauthorizedCode, "authorization is required: send the header \"authorization: Bearer <API key>\" with the emulator's key.");
            return;
        }

        var request = context.Features.Get<AgbRequest>()!;
        if (await request.ReadBodyAsync(context, state.MaxRequestBodyBytes) is { } bodyError)
        {
            await AgbEnvelope.ErrorAsync(context.Response, bodyError.Status, bodyError.Code, bodyError.Message);
            return;
        }

        await handlers.DispatchAsync(context, request);
    }
}
