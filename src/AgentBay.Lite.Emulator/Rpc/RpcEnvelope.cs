using System.Text.Json;
using AgentBay.Lite.Emulator.Hosting;
using AgentBay.Lite.Emulator.Sessions;
using Microsoft.AspNetCore.Http;

namespace AgentBay.Lite.Emulator.Rpc;

/// <summary>
/// Writes the POP envelope every RPC answer has:
/// <c>{"RequestId","Success","Code","Message","HttpStatusCode","Data"}</c> (plus top-level fields some actions add).
/// </summary>
internal static class RpcEnvelope
{
    public const string NotFoundCode = "InvalidMcpSession.NotFound";
    public const string NotLoginCode = "NOT_LOGIN";
    public const string NotLoginMessage = "You are not logged in or your login token has expired";

    /// <summary>Starts a successful envelope; the caller writes <c>Data</c> (and any top-level fields), then calls <see cref="SendAsync"/>.</summary>
    public static Utf8JsonWriter BeginOk() => Begin(true, "ok", "", 200);

    /// <summary>Closes the envelope object and sends it.</summary>
    public static Task SendAsync(HttpResponse response, Utf8JsonWriter w, int status = 200, bool truncate = false)
    {
        w.WriteEndObject();
        return JsonOut.SendAsync(response, status, truncate);
    }

    /// <summary>A success whose <c>Data</c> is <c>{}</c>.</summary>
    public static Task OkEmptyAsync(HttpResponse response)
    {
        var w = BeginOk();
        w.WriteStartObject("Data"u8);
        w.WriteEndObject();
        return SendAsync(response, w);
    }

    public static Task ErrorAsync(HttpResponse response, int status, string code, string message)
    {
        var w = Begin(false, code, message, status);
        w.WriteStartObject("Data"u8);
        w.WriteEndObject();
        return SendAsync(response, w, status);
    }

    public static Task MissingAsync(HttpResponse response, string field) =>
        ErrorAsync(response, 400, "MissingParameter", $"The required parameter \"{field}\" is missing or empty.");

    /// <summary>Maps a domain refusal to AgentBay's codes (all HTTP 400, as the cloud answers them).</summary>
    public static Task ErrorAsync(HttpResponse response, SessionError error) => error.Kind switch
    {
        SessionErrorKind.NotFound => ErrorAsync(response, 400, NotFoundCode, error.Message),
        SessionErrorKind.InvalidArgument => ErrorAsync(response, 400, "InvalidParameter." + error.Subject, error.Message),
        SessionErrorKind.Unsupported => ErrorAsync(response, 400, "InvalidOperation." + error.Subject, error.Message),
        SessionErrorKind.QuotaExceeded => ErrorAsync(response, 400, "QuotaExceeded." + error.Subject, error.Message),
        _ => ErrorAsync(response, 500, "InternalError", error.Message),
    };

    private static Utf8JsonWriter Begin(bool success, string code, string message, int status)
    {
        var w = JsonOut.Begin();
        w.WriteStartObject();
        Span<char> id = stackalloc char[36];
        Guid.NewGuid().TryFormat(id, out _, "D");
        for (var i = 0; i < id.Length; i++)
        {
            if (id[i] is >= 'a' and <= 'f')
            {
                id[i] = char.ToUpperInvariant(id[i]);
            }
        }

        w.WriteString("RequestId"u8, id);
        w.WriteBoolean("Success"u8, success);
        w.WriteString("Code"u8, code);
        w.WriteString("Message"u8, message);
        w.WriteNumber("HttpStatusCode"u8, status);
        return w;
    }

    /// <summary>A success answer cut in half: the emulator's malformed-JSON fault.</summary>
    public static Task CutOffAsync(HttpResponse response)
    {
        var w = BeginOk();
        w.WriteStartObject("Data"u8);
        w.WriteString("Note"u8, "this body is cut in half by the emulator's malformed-JSON fault");
        w.WriteEndObject();
        return SendAsync(response, w, 200, truncate: true);
    }
}
