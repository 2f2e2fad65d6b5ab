using System.Text.Json;
using AgentBay.Lite.Emulator.Hosting;
using AgentBay.Lite.Emulator.Sessions;
using Microsoft.AspNetCore.Http;

namespace AgentBay.Lite.Emulator.Agb;

/// <summary>
/// Writes AGB's camelCase envelope, <c>{"requestId","success","code","message","httpStatusCode","data"}</c> (plus
/// top-level paging fields on the list), and repeats the request id in an <c>x-request-id</c> header.
/// </summary>
internal static class AgbEnvelope
{
    /// <summary>The code of a gone session on every route but <c>/mcp/getSessionInfo</c>.</summary>
    public const string SessionNotFoundCode = "InvalidSession.NotFound";

    /// <summary>The code <c>/mcp/getSessionInfo</c> answers for a gone session; it ends the SDKs' delete polling.</summary>
    public const string McpSessionNotFoundCode = "InvalidMcpSession.NotFound";

    public const string UnauthorizedCode = "Unauthorized";

    /// <summary>Starts a successful envelope; the caller writes <c>data</c> (and any top-level fields), then calls <see cref="SendAsync"/>.</summary>
    public static Utf8JsonWriter BeginOk(HttpResponse response) => Begin(response, true, "OK", "", 200);

    /// <summary>Closes the envelope object and sends it.</summary>
    public static Task SendAsync(HttpResponse response, Utf8JsonWriter w, int status = 200, bool truncate = false)
    {
        w.WriteEndObject();
        return JsonOut.SendAsync(response, status, truncate);
    }

    /// <summary>A success whose <c>data</c> is <c>{}</c>.</summary>
    public static Task OkEmptyAsync(HttpResponse response)
    {
        var w = BeginOk(response);
        w.WriteStartObject("data"u8);
        w.WriteEndObject();
        return SendAsync(response, w);
    }

    public static Task ErrorAsync(HttpResponse response, int status, string code, string message)
    {
        var w = Begin(response, false, code, message, status);
        w.WriteStartObject("data"u8);
        w.WriteEndObject();
        return SendAsync(response, w, status);
    }

    public static Task MissingAsync(HttpResponse response, string field) =>
        ErrorAsync(response, 400, "MissingParameter", $"The required parameter \"{field}\" is missing or empty.");

    /// <summary>Maps a domain refusal to AGB's codes (HTTP 400, as AgentBay answers them; the AGB SDKs read both).</summary>
    public static Task ErrorAsync(HttpResponse response, SessionError error, string notFoundCode = SessionNotFoundCode) => error.Kind switch
    {
        SessionErrorKind.NotFound => ErrorAsync(response, 400, notFoundCode, "Resource [Session] is not found"),
        SessionErrorKind.InvalidArgument => ErrorAsync(response, 400, "InvalidParameter." + error.Subject, error.Message),
        SessionErrorKind.Unsupported => ErrorAsync(response, 400, "InvalidOperation." + error.Subject, error.Message),
        SessionErrorKind.QuotaExceeded => ErrorAsync(response, 400, "QuotaExceeded." + error.Subject, error.Message),
        _ => ErrorAsync(response, 500, "InternalError", error.Message),
    };

    private static Utf8JsonWriter Begin(HttpResponse response, bool success, string code, string message, int status)
    {
        var requestId = Guid.NewGuid().ToString("D").ToUpperInvariant();
        response.Headers["x-request-id"] = requestId;
        var w = JsonOut.Begin();
        w.WriteStartObject();
        w.WriteBoolean("success"u8, success);
        w.WriteString("code"u8, code);
        w.WriteString("message"u8, message);
        w.WriteNumber("httpStatusCode"u8, status);
        w.WriteString("requestId"u8, requestId);
        return w;
    }

    /// <summary>A success answer cut in half: the emulator's malformed-JSON fault.</summary>
    public static Task CutOffAsync(HttpResponse response)
    {
        var w = BeginOk(response);
        w.WriteStartObject("data"u8);
        w.WriteString("note"u8, "this body is cut in half by the emulator's malformed-JSON fault");
        w.WriteEndObject();
        return SendAsync(response, w, 200, truncate: true);
    }
}
