using System.Globalization;
using AgentBay.Lite.Emulator.Hosting;
using Microsoft.AspNetCore.Http;

namespace AgentBay.Lite.Emulator.Faults;

/// <summary>
/// Injected failures in one wire face's format: every face answers a fault with the same status, code and message,
/// through its own envelope (<paramref name="error"/>), and a malformed answer is the face's success body cut in half
/// (<paramref name="cutOffBody"/>).
/// </summary>
internal sealed class EnvelopeFaultResponder(ErrorReply error, Func<HttpResponse, Task> cutOffBody) : IFaultResponder
{
    public Task WriteAsync(HttpContext context, FaultKind fault, TimeSpan retryAfter)
    {
        var response = context.Response;
        switch (fault)
        {
            case FaultKind.ServerError:
                return error(response, 500, "InternalError", "The request processing has failed due to some unknown error (injected by the emulator).");
            case FaultKind.ServiceUnavailable:
                return error(response, 503, "ServiceUnavailable", "The request has failed due to a temporary failure of the server (injected by the emulator).");
            case FaultKind.Throttling:
                var seconds = ((long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                response.Headers.RetryAfter = seconds;
                return error(response, 429, "Throttling", $"Request was denied due to request throttling; retry after {seconds} s (injected by the emulator).");
            default:
                return cutOffBody(response);
        }
    }
}
