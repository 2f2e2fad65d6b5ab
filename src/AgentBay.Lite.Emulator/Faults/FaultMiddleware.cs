using Microsoft.AspNetCore.Http;

namespace AgentBay.Lite.Emulator.Faults;

/// <summary>
/// The operation a wire face recognised in a request (an RPC action, later an AGB route), set as a request
/// feature before <see cref="FaultMiddleware"/> runs.
/// </summary>
internal interface IOperationFeature
{
    /// <summary>The operation name counters and fault profiles are keyed by, e.g. <c>GetLink</c> or <c>(unknown)</c>.</summary>
    string Operation { get; }

    /// <summary>False for a missing or unknown operation: it is counted, but never delayed or failed on purpose.</summary>
    bool IsKnownOperation { get; }
}

/// <summary>Writes an injected failure in the wire format of one face (connection resets need no body and are not asked for).</summary>
internal interface IFaultResponder
{
    Task WriteAsync(HttpContext context, FaultKind fault, TimeSpan retryAfter);
}

/// <summary>
/// Counts every request by operation, then applies the injected latency and failures configured for that
/// operation before the face's handler runs.
/// </summary>
internal sealed class FaultMiddleware(RequestDelegate next, Injector injector, RequestCounters counters, PreciseDelays delays, IFaultResponder responder)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var operation = context.Features.Get<IOperationFeature>()
            ?? throw new InvalidOperationException("The wire face must set IOperationFeature before fault injection.");
        counters.Increment(operation.Operation);
        if (operation.IsKnownOperation)
        {
            var delay = injector.NextDelay(operation.Operation);
            if (delay > TimeSpan.Zero)
            {
                await delays.DelayAsync(delay, context.RequestAborted);
            }

            var (fault, retryAfter) = injector.NextFault(operation.Operation);
            if (fault == FaultKind.ConnectionReset)
            {
                context.Abort();
                return;
            }

            if (fault != FaultKind.None)
            {
                await responder.WriteAsync(context, fault, retryAfter);
                return;
            }
        }

        await next(context);
    }
}
