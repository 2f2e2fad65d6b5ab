using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using AgentBay.Lite.Backend;
using AgentBay.Lite.Resilience;
using AgentBay.Lite.Telemetry;

namespace AgentBay.Lite.Tools;

/// <summary>
/// The direct tool route of the official SDKs (agb-rest.md §2, agentbay-rpc.md §3.15): <c>POST {link_url}/callTool</c>
/// with <c>X-Access-Token</c> and the body <c>{args:{…}, server, requestId:"link-…", tool, token}</c>, no API key. The
/// answer's <c>data</c> (an object or a JSON string) holds <c>result:{content:[…], isError}</c>. Calls run through the
/// same retry executor as the API route (a tool call is repeated only when it provably never left this machine) and
/// every failure becomes the <see cref="AgentBayException"/> family.
/// </summary>
internal sealed class DirectToolRoute(HttpClient http, RetryExecutor retry, ClientTelemetry telemetry, IAgentBayBackend wire, CancellationToken lifetime)
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    public async Task<ToolResult> CallAsync(string sessionId, Uri linkUrl, string token, string server, string tool, string argumentsJson, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(lifetime.IsCancellationRequested, typeof(AgentBayClient));
        var call = new Call(this, sessionId, linkUrl, token, server, tool, argumentsJson);

        // Traced and measured like a CallTool on the API route (a span per call and per attempt).
        using OperationScope scope = telemetry.StartOperation(BackendOperation.CallTool, sessionId);
        try
        {
            ToolResult result = await retry.ExecuteAsync(
                wire, call, static (_, c, t) => c.Route.SendMappedAsync(c, t), CallSafety.NotRepeatable, scope, cancellationToken, lifetime).ConfigureAwait(false);
            scope.Succeeded(result);
            return result;
        }
        catch (Exception error)
        {
            scope.Failed(error);
            throw;
        }
    }

    /// <summary>The <c>/callTool</c> address under a link_url, which may or may not end in a slash.</summary>
    internal static Uri CallToolUri(Uri linkUrl)
    {
        string text = linkUrl.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped).TrimEnd('/');
        return new Uri(text + "/callTool" + linkUrl.Query, UriKind.Absolute);
    }

    /// <summary>The official SDKs' request id: <c>link-&lt;epoch ms&gt;-&lt;9 digits&gt;</c>.</summary>
    internal static string NewRequestId() => string.Create(
        CultureInfo.InvariantCulture,
        $"link-{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}-{RandomNumberGenerator.GetInt32(0, 1_000_000_000):D9}");

    internal static byte[] Body(string argumentsJson, string server, string requestId, string tool, string token)
    {
        var buffer = new ArrayBufferWriter<byte>(argumentsJson.Length + 256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WritePropertyName("args"u8);
            w.WriteRawValue(argumentsJson, skipInputValidation: false);
            w.WriteString("server"u8, server);
            w.WriteString("requestId"u8, requestId);
            w.WriteString("tool"u8, tool);
            w.WriteString("token"u8, token);
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads a 2xx answer: <c>data</c> (object or JSON string), its <c>result</c> (or <c>data</c> itself), the first content item.</summary>
    internal static ToolResult ParseAnswer(string tool, string sessionId, ReadOnlySpan<byte> body, string requestId, HttpStatusCode status)
    {
        using var document = JsonDocument.Parse(body.ToArray());
        JsonElement root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Unreadable(tool, "the answer is not a JSON object", body, requestId, status);
        }

        string answerId = Text(root, "requestId", "RequestId") ?? requestId;
        if (Get(root, "success", "Success") is { ValueKind: JsonValueKind.False })
        {
            string? code = Text(root, "code", "Code");
            string? message = Text(root, "message", "Message");
            throw new AgentBayException(
                $"The '{tool}' tool call in session {sessionId} failed over the session's link_url: [{code ?? "no code"}] {message ?? "(no message)"}",
                code, message, answerId, status);
        }

        JsonDocument? embedded = null;
        try
        {
            JsonElement data = Get(root, "data", "Data") ?? default;
            if (data.ValueKind == JsonValueKind.String)
            {
                embedded = JsonDocument.Parse(data.GetString()!);
                data = embedded.RootElement;
            }

            JsonElement result = data.ValueKind == JsonValueKind.Object
                ? Get(data, "result", "Result") ?? (Get(data, "content", "Content") is not null ? data : default)
                : default;
            if (result.ValueKind != JsonValueKind.Object)
            {
                throw Unreadable(tool, "its data holds no result {content, isError}", body, answerId, status);
            }

            bool isError = Get(result, "isError", "IsError") is { } flag
                && (flag.ValueKind == JsonValueKind.True || (flag.ValueKind == JsonValueKind.String && bool.TryParse(flag.GetString(), out bool parsed) && parsed));
            string text = string.Empty;
            if (Get(result, "content", "Content") is { ValueKind: JsonValueKind.Array } content && content.GetArrayLength() > 0)
            {
                JsonElement first = content[0];
                text = first.ValueKind == JsonValueKind.String
                    ? first.GetString()!
                    : first.ValueKind == JsonValueKind.Object ? Text(first, "text", "blob", "data") ?? string.Empty : string.Empty;
            }

            return new ToolResult(isError, text, answerId);
        }
        finally
        {
            embedded?.Dispose();
        }
    }

    private async Task<ToolResult> SendMappedAsync(Call call, CancellationToken cancellationToken)
    {
        try
        {
            return await SendAsync(call, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (WireFailures.TryMap(ex, out AgentBayException? mapped))
        {
            throw mapped;
        }
    }

    private async Task<ToolResult> SendAsync(Call call, CancellationToken cancellationToken)
    {
        string requestId = NewRequestId();
        using var request = new HttpRequestMessage(HttpMethod.Post, CallToolUri(call.LinkUrl));
        request.Headers.TryAddWithoutValidation("X-Access-Token", call.Token);
        request.Content = new ByteArrayContent(Body(call.ArgumentsJson, call.Server, requestId, call.Tool, call.Token));
        request.Content.Headers.ContentType = Json;

        using HttpResponseMessage response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        byte[] body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        HttpStatusCode status = response.StatusCode;
        if ((int)status is >= 200 and <= 299)
        {
            return ParseAnswer(call.Tool, call.SessionId, body, requestId, status);
        }

        throw Refusal(call, response, body, requestId);
    }

    private static AgentBayException Refusal(Call call, HttpResponseMessage response, byte[] body, string requestId)
    {
        HttpStatusCode status = response.StatusCode;
        int code = (int)status;
        (string? serverCode, string? serverMessage) = ErrorFields(body);
        string said = serverMessage is null ? $"HTTP {code}" : $"HTTP {code}, {serverCode ?? "no code"}: {serverMessage}";
        string where = $"The '{call.Tool}' tool call in session {call.SessionId} over the session's link_url";
        return code switch
        {
            >= 300 and <= 399 => new AgentBayProtocolException(
                $"{where} was answered with a redirect ({said}); the SDK does not follow redirects of link_url calls, which carry the session's token. The link_url the service gave may be stale: get the session again, or set AgentBayOptions.UseDirectToolRoute = false.",
                bodyExcerpt: null, requestId, status),
            401 or 403 => new AgentBayAuthenticationException(
                $"{where} was refused ({said}): the session's access token was not accepted. Get the session again (GetSessionAsync) for a fresh token, or set AgentBayOptions.UseDirectToolRoute = false to call tools through the API.",
                serverCode, serverMessage, requestId, status),
            404 => new SessionNotFoundException($"{where} found no session ({said}); it was deleted or released.", call.SessionId, serverCode, serverMessage, requestId, status),
            429 => new AgentBayThrottledException($"{where} was throttled ({said}).", RetryAfter(response), serverCode, serverMessage, requestId, status),
            _ => new AgentBayException($"{where} failed ({said}).", serverCode, serverMessage, requestId, status),
        };
    }

    private static (string? Code, string? Message) ErrorFields(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? (Text(document.RootElement, "code", "Code"), Text(document.RootElement, "message", "Message"))
                : (null, null);
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response) =>
        response.Headers.RetryAfter?.Delta is { } delta ? delta
        : response.Headers.RetryAfter?.Date is { } date ? date - DateTimeOffset.UtcNow
        : null;

    private static AgentBayProtocolException Unreadable(string tool, string why, ReadOnlySpan<byte> body, string requestId, HttpStatusCode status) => new(
        $"The '{tool}' tool call over the session's link_url was answered with something the SDK cannot read: {why}.",
        ToolErrors.Excerpt(System.Text.Encoding.UTF8.GetString(body[..Math.Min(body.Length, 1024)])),
        requestId,
        status);

    private static JsonElement? Get(JsonElement element, string name, string alternative) =>
        element.TryGetProperty(name, out JsonElement value) || element.TryGetProperty(alternative, out value) ? value : null;

    private static string? Text(JsonElement element, params ReadOnlySpan<string> names)
    {
        foreach (string name in names)
        {
            if (element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text)
            {
                return text;
            }
        }

        return null;
    }

    /// <summary>One call's arguments; <see cref="ToString"/> leaves the token out.</summary>
    private sealed class Call(DirectToolRoute route, string sessionId, Uri linkUrl, string token, string server, string tool, string argumentsJson)
    {
        public DirectToolRoute Route { get; } = route;

        public string SessionId { get; } = sessionId;

        public Uri LinkUrl { get; } = linkUrl;

        public string Token { get; } = token;

        public string Server { get; } = server;

        public string Tool { get; } = tool;

        public string ArgumentsJson { get; } = argumentsJson;

        public override string ToString() => $"{Tool} in {SessionId}";
    }
}
