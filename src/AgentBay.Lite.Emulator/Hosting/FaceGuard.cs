using Microsoft.AspNetCore.Http;

namespace AgentBay.Lite.Emulator.Hosting;

/// <summary>Writes an error answer in one wire face's format (status, code, message).</summary>
internal delegate Task ErrorReply(HttpResponse response, int status, string code, string message);

/// <summary>The outermost step of every wire face's pipeline.</summary>
internal static class FaceGuard
{
    /// <summary>
    /// Runs the rest of the pipeline. A request that could not be read becomes a 400 (or 413), an emulator bug a 500,
    /// both in the face's format through <paramref name="error"/>; a client that went away gets nothing.
    /// </summary>
    public static async Task RunAsync(HttpContext context, RequestDelegate next, ErrorReply error)
    {
        var response = context.Response;
        try
        {
            await next(context);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
        }
        catch (BadHttpRequestException ex)
        {
            if (!response.HasStarted)
            {
                var status = ex.StatusCode == 413 ? 413 : 400;
                await error(response, status, status == 413 ? "RequestEntityTooLarge" : "MalformedRequest", "The HTTP request could not be read: " + ex.Message);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            if (!response.HasStarted)
            {
                await error(response, 500, "InternalError", "The emulator failed unexpectedly: " + ex.GetType().Name + ": " + ex.Message);
            }
        }
    }
}
