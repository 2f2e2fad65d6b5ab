using System.Globalization;
using System.Text.Json;
using AgentBay.Lite.Emulator.Hosting;
using AgentBay.Lite.Emulator.Tools;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AgentBay.Lite.Emulator.Direct;

/// <summary>
/// <c>POST {link_url}/callTool</c>: the official SDKs' "LinkUrl route". Body
/// <c>{args:{…}, server, requestId, tool, token}</c> with the token in <c>X-Access-Token</c>; the tool runs exactly as
/// through CallMcpTool. Answer: <c>{success, code, requestId, data:{result:{content:[{type:"text",text}], isError}}}</c>,
/// which is where the SDKs read it (<c>data</c> parsed, then its <c>result</c>).
/// </summary>
internal static class CallToolEndpoint
{
    public static async Task HandleAsync(HttpContext context, EmulatorState state)
    {
        var response = context.Response;
        var sessionId = context.GetRouteValue("sessionId") as string ?? "";
        if (!state.Sessions.Authorize(sessionId, context.Request.Headers[DirectRoutes.TokenHeader].ToString()).Succeeded(out _, out var refusal))
        {
            await DirectReplies.ErrorAsync(response, refusal);
            return;
        }

        var limit = state.MaxRequestBodyBytes;
        if (context.Request.ContentLength > limit)
        {
            await TooLargeAsync(response, limit);
            return;
        }

        byte[] body;
        using (var buffer = new MemoryStream())
        {
            var chunk = new byte[16 * 1024];
            int n;
            while ((n = await context.Request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
            {
                if (buffer.Length + n > limit)
                {
                    await TooLargeAsync(response, limit);
                    return;
                }

                buffer.Write(chunk, 0, n);
            }

            body = buffer.ToArray();
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            await BadAsync(response, "Body", "The body must be a JSON object {args, server, requestId, tool, token}; it is not valid JSON.");
            return;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                await BadAsync(response, "Body", "The body must be a JSON object {args, server, requestId, tool, token}.");
                return;
            }

            if (!root.TryGetProperty("tool", out var toolElement) || toolElement.ValueKind != JsonValueKind.String || toolElement.GetString() is not { Length: > 0 } tool)
            {
                await BadAsync(response, "Tool", "The body needs \"tool\": the name of the tool to call, e.g. \"shell\".");
                return;
            }

            var requestId = root.TryGetProperty("requestId", out var rid) && rid.ValueKind == JsonValueKind.String ? rid.GetString() : null;

            // args is an object; a JSON string holding one is read too, as the API route sends it.
            JsonDocument? argsDocument = null;
            try
            {
                var args = default(JsonElement);
                if (root.TryGetProperty("args", out var argsElement) && argsElement.ValueKind != JsonValueKind.Null)
                {
                    if (argsElement.ValueKind == JsonValueKind.String)
                    {
                        try
                        {
                            argsDocument = JsonDocument.Parse(argsElement.GetString()!);
                            argsElement = argsDocument.RootElement;
                        }
                        catch (JsonException)
                        {
                            await BadAsync(response, "Args", "\"args\" must be a JSON object of tool arguments; it is a string that is not JSON.");
                            return;
                        }
                    }

                    if (argsElement.ValueKind != JsonValueKind.Object)
                    {
                        await BadAsync(response, "Args", $"\"args\" must be a JSON object of tool arguments, not a JSON {argsElement.ValueKind.ToString().ToLowerInvariant()}.");
                        return;
                    }

                    if (Text.FindInvalidString(argsElement) is { } invalid)
                    {
                        await BadAsync(response, "Args", $"\"args\" holds text that is not valid Unicode at {Text.Clip(invalid)} (a lone surrogate such as \\ud800).");
                        return;
                    }

                    args = argsElement;
                }

                // The server the SDK names must be the tool's, when it names one (it takes it from the session's ToolList).
                if (root.TryGetProperty("server", out var serverElement) && serverElement.ValueKind == JsonValueKind.String
                    && serverElement.GetString() is { Length: > 0 } server
                    && ToolRunner.ServerOf(tool) is { } expected && server != expected)
                {
                    await BadAsync(response, "Server", $"The tool \"{Text.Clip(tool)}\" belongs to the server \"{expected}\", not \"{Text.Clip(server)}\" (see the session's ToolList).");
                    return;
                }

                if (!(await state.Sessions.CallToolAsync(sessionId, tool, args, context.RequestAborted)).Succeeded(out var result, out var error))
                {
                    await DirectReplies.ErrorAsync(response, error);
                    return;
                }

                var w = JsonOut.Begin();
                w.WriteStartObject();
                w.WriteBoolean("success"u8, true);
                w.WriteString("code"u8, "ok");
                w.WriteString("message"u8, "");
                w.WriteNumber("httpStatusCode"u8, 200);
                w.WriteString("requestId"u8, requestId ?? Guid.NewGuid().ToString("D"));
                w.WriteStartObject("data"u8);
                w.WriteStartObject("result"u8);
                w.WriteStartArray("content"u8);
                w.WriteStartObject();
                w.WriteString("type"u8, "text");
                w.WriteString("text"u8, result.Text);
                w.WriteEndObject();
                w.WriteEndArray();
                w.WriteBoolean("isError"u8, result.IsError);
                w.WriteEndObject();
                w.WriteEndObject();
                w.WriteEndObject();
                await JsonOut.SendAsync(response, 200);
            }
            finally
            {
                argsDocument?.Dispose();
            }
        }
    }

    private static Task BadAsync(HttpResponse response, string subject, string message) =>
        DirectReplies.ErrorAsync(response, 400, "InvalidParameter." + subject, message);

    private static Task TooLargeAsync(HttpResponse response, long limit) =>
        DirectReplies.ErrorAsync(response, 413, "RequestEntityTooLarge", $"The request body exceeds the emulator's limit of {limit.ToString(CultureInfo.InvariantCulture)} bytes.");
}
