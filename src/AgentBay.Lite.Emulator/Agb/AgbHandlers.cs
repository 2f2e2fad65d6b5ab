using System.Globalization;
using System.Text.Json;
using AgentBay.Lite.Emulator.Direct;
using AgentBay.Lite.Emulator.Hosting;
using AgentBay.Lite.Emulator.Rpc;
using AgentBay.Lite.Emulator.Sessions;
using AgentBay.Lite.Emulator.Tools;
using Microsoft.AspNetCore.Http;

namespace AgentBay.Lite.Emulator.Agb;

/// <summary>
/// The AGB operations: each reads its fields (camelCase, where agb-rest.md §1 and §8 put them), asks the
/// <see cref="SessionService"/> and writes the answer in the shape the AGB SDKs parse. Domain rules live in the service
/// and in <see cref="LinkIssuer"/>, shared with the RPC face.
/// </summary>
internal sealed class AgbHandlers(EmulatorState state)
{
    /// <summary>The image an AGB session gets when the client names none (the AGB SDKs always name one).</summary>
    public const string DefaultImageId = "agb-code-space-1";

    private readonly SessionService _sessions = state.Sessions;
    private readonly LinkIssuer _links = new(state);

    public Task DispatchAsync(HttpContext context, AgbRequest request) => request.Operation switch
    {
        RpcActionNames.CreateMcpSession => CreateAsync(context, request),
        RpcActionNames.ReleaseMcpSession or RpcActionNames.DeleteSessionAsync => DeleteAsync(context, request),
        RpcActionNames.GetSession => GetSessionAsync(context, request),
        RpcActionNames.GetSessionDetail => GetSessionInfoAsync(context, request),
        RpcActionNames.ListSession => ListAsync(context, request),
        RpcActionNames.GetMcpResource => GetMcpResourceAsync(context, request),
        RpcActionNames.GetLink => GetLinkAsync(context, request),
        RpcActionNames.GetCdpLink => GetCdpLinkAsync(context, request),
        RpcActionNames.CallMcpTool => CallToolAsync(context, request),
        RpcActionNames.ListMcpTools => ListToolsAsync(context),
        RpcActionNames.RefreshSessionIdleTime => RefreshIdleTimeAsync(context, request),
        RpcActionNames.InitBrowser => InitBrowserAsync(context, request),
        _ => AgbEnvelope.ErrorAsync(context.Response, 404, "InvalidPath", $"The emulator has no AGB operation {request.Operation}."),
    };

    private async Task CreateAsync(HttpContext context, AgbRequest request)
    {
        var response = context.Response;
        var labels = EmulatedSession.EmptyLabels;
        if (request["labels"] is { } labelsText && !SessionLabels.TryParse(labelsText, out labels, out var labelsError))
        {
            await AgbEnvelope.ErrorAsync(response, 400, "InvalidParameter.Labels", labelsError);
            return;
        }

        // Accepted and validated, without effect in the emulator.
        foreach (var (name, kind) in new[] { ("persistenceDataList", JsonValueKind.Array), ("sdkStats", JsonValueKind.Object) })
        {
            if (request[name] is { } json && !Text.IsJsonOf(json, kind))
            {
                await AgbEnvelope.ErrorAsync(response, 400, "InvalidParameter." + name, $"{name} must be a JSON {(kind == JsonValueKind.Array ? "array" : "object")}.");
                return;
            }
        }

        if (SessionService.CheckIdleTimeout(request["timeout"]) is { } timeoutError)
        {
            await AgbEnvelope.ErrorAsync(response, timeoutError);
            return;
        }

        var created = await _sessions.CreateAsync(request["imageId"] ?? DefaultImageId, labels, context.RequestAborted);
        if (!created.Succeeded(out var session, out var error))
        {
            await AgbEnvelope.ErrorAsync(response, error);
            return;
        }

        var w = AgbEnvelope.BeginOk(response);
        w.WriteStartObject("data"u8);
        w.WriteString("sessionId"u8, session.Id);
        w.WriteBoolean("success"u8, true);
        w.WriteString("errMsg"u8, "");
        w.WriteString("taskId"u8, "");
        w.WriteString("networkInterfaceIp"u8, "");
        WriteSessionFields(w, context, session);
        w.WriteEndObject();
        await AgbEnvelope.SendAsync(response, w);
    }

    /// <summary>The fields createSession and getSession share, the session's own routes among them (link_url, ws_url, token).</summary>
    private void WriteSessionFields(Utf8JsonWriter w, HttpContext context, EmulatedSession session)
    {
        w.WriteString("resourceUrl"u8, _links.ResourceUrl(context, session));
        w.WriteString("resourceId"u8, session.ResourceId);
        w.WriteString("appInstanceId"u8, session.AppInstanceId);
        w.WriteString("linkUrl"u8, DirectRoutes.LinkUrl(state, context, session));
        w.WriteString("wsUrl"u8, DirectRoutes.WsUrl(state, context, session));
        w.WriteString("token"u8, session.AccessToken);
        w.WriteString("toolList"u8, state.ToolListJson);
    }

    private Task DeleteAsync(HttpContext context, AgbRequest request)
    {
        if (request["sessionId"] is not { } sessionId)
        {
            return AgbEnvelope.MissingAsync(context.Response, "sessionId");
        }

        return DeleteAsync(context.Response, sessionId);
    }

    private async Task DeleteAsync(HttpResponse response, string sessionId)
    {
        if (await _sessions.DeleteAsync(sessionId))
        {
            await AgbEnvelope.OkEmptyAsync(response);
        }
        else
        {
            await AgbEnvelope.ErrorAsync(response, SessionError.NotFound);
        }
    }

    private Task GetSessionAsync(HttpContext context, AgbRequest request)
    {
        if (!TryFindSession(context, request, out var session, out var refusal))
        {
            return refusal;
        }

        var w = AgbEnvelope.BeginOk(context.Response);
        w.WriteStartObject("data"u8);
        w.WriteString("sessionId"u8, session.Id);
        w.WriteString("status"u8, "RUNNING");
        WriteSessionFields(w, context, session);
        w.WriteEndObject();
        return AgbEnvelope.SendAsync(context.Response, w);
    }

    /// <summary>The status the delete polling reads: <c>RUNNING</c> while live; a deleted or unknown session is <c>InvalidMcpSession.NotFound</c> (HTTP 400), which ends the polling.</summary>
    private Task GetSessionInfoAsync(HttpContext context, AgbRequest request)
    {
        if (request["sessionId"] is not { } sessionId)
        {
            return AgbEnvelope.MissingAsync(context.Response, "sessionId");
        }

        if (_sessions.Find(sessionId) is null)
        {
            return AgbEnvelope.ErrorAsync(context.Response, SessionError.NotFound, AgbEnvelope.McpSessionNotFoundCode);
        }

        var w = AgbEnvelope.BeginOk(context.Response);
        w.WriteStartObject("data"u8);
        w.WriteString("status"u8, "RUNNING");
        w.WriteEndObject();
        return AgbEnvelope.SendAsync(context.Response, w);
    }

    private Task ListAsync(HttpContext context, AgbRequest request)
    {
        var response = context.Response;
        var filter = EmulatedSession.EmptyLabels;
        if (request["labels"] is { } labelsText && !SessionLabels.TryParse(labelsText, out filter, out var labelsError))
        {
            return AgbEnvelope.ErrorAsync(response, 400, "InvalidParameter.Labels", labelsError);
        }

        if (request["isAll"] is { } isAll && !bool.TryParse(isAll, out _))
        {
            return AgbEnvelope.ErrorAsync(response, 400, "InvalidParameter.IsAll", $"isAll must be true or false (got \"{Text.Clip(isAll)}\").");
        }

        if (!_sessions.ListPage(filter, status: null, request["maxResults"], request["nextToken"]).Succeeded(out var page, out var error))
        {
            return AgbEnvelope.ErrorAsync(response, error);
        }

        var w = AgbEnvelope.BeginOk(response);
        w.WriteString("nextToken"u8, page.NextToken);
        w.WriteNumber("maxResults"u8, page.MaxResults);
        w.WriteNumber("count"u8, page.Total);
        w.WriteStartArray("data"u8);
        foreach (var session in page.Items)
        {
            w.WriteStartObject();
            w.WriteString("sessionId"u8, session.Id);
            w.WriteString("sessionStatus"u8, "RUNNING");
            w.WriteEndObject();
        }

        w.WriteEndArray();
        return AgbEnvelope.SendAsync(response, w);
    }

    private Task GetMcpResourceAsync(HttpContext context, AgbRequest request)
    {
        if (!TryFindSession(context, request, out var session, out var refusal))
        {
            return refusal;
        }

        var w = AgbEnvelope.BeginOk(context.Response);
        w.WriteStartObject("data"u8);
        w.WriteString("sessionId"u8, session.Id);
        w.WriteString("resourceUrl"u8, _links.ResourceUrl(context, session));
        w.WriteStartObject("desktopInfo"u8);
        w.WriteString("appId"u8, "emulator");
        w.WriteString("authCode"u8, "auth-" + session.ResourceId);
        w.WriteString("connectionProperties"u8, "{}");
        w.WriteString("resourceId"u8, session.ResourceId);
        w.WriteString("resourceType"u8, "AIAgent");
        w.WriteString("ticket"u8, "ticket-" + session.AppInstanceId);
        w.WriteEndObject();
        w.WriteEndObject();
        return AgbEnvelope.SendAsync(context.Response, w);
    }

    private Task GetLinkAsync(HttpContext context, AgbRequest request)
    {
        var response = context.Response;
        if (request["sessionId"] is not { } sessionId)
        {
            return AgbEnvelope.MissingAsync(response, "sessionId");
        }

        int? port = null;
        if (request["port"] is { } portText)
        {
            if (!int.TryParse(portText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var p))
            {
                return AgbEnvelope.ErrorAsync(response, 400, "InvalidParameter.Port", $"port is not valid: \"{Text.Clip(portText)}\" is not an integer. Port must be in {SessionService.FirstLinkPort}-{SessionService.LastLinkPort}");
            }

            port = p;
        }

        return SendLinkAsync(context, _links.Issue(sessionId, request["protocolType"], port));
    }

    private Task GetCdpLinkAsync(HttpContext context, AgbRequest request) =>
        request["sessionId"] is not { } sessionId
            ? AgbEnvelope.MissingAsync(context.Response, "sessionId")
            : SendLinkAsync(context, _links.IssueCdp(sessionId));

    private Task SendLinkAsync(HttpContext context, Outcome<LinkGrant> outcome)
    {
        if (!outcome.Succeeded(out var link, out var error))
        {
            return AgbEnvelope.ErrorAsync(context.Response, error);
        }

        var w = AgbEnvelope.BeginOk(context.Response);
        w.WriteStartObject("data"u8);
        w.WriteString("url"u8, _links.Url(context, link));
        w.WriteEndObject();
        return AgbEnvelope.SendAsync(context.Response, w);
    }

    /// <summary>The API tool route: <c>POST /mcp?autoGenSession=false</c> with <c>args</c> as a JSON string (an object is accepted too).</summary>
    private async Task CallToolAsync(HttpContext context, AgbRequest request)
    {
        var response = context.Response;
        if (request["sessionId"] is not { } sessionId)
        {
            await AgbEnvelope.MissingAsync(response, "sessionId");
            return;
        }

        if (request["name"] is not { } name)
        {
            await AgbEnvelope.MissingAsync(response, "name");
            return;
        }

        if (request["autoGenSession"] is { } autoGen && !bool.TryParse(autoGen, out _))
        {
            await AgbEnvelope.ErrorAsync(response, 400, "InvalidParameter.AutoGenSession", $"autoGenSession must be true or false (got \"{Text.Clip(autoGen)}\").");
            return;
        }

        JsonDocument? argsDoc = null;
        try
        {
            if (request["args"] is { } argsText)
            {
                argsDoc = ToolArgs.Parse(argsText, "args", out string? problem);
                if (problem is not null)
                {
                    await AgbEnvelope.ErrorAsync(response, 400, "InvalidParameter.Args", problem);
                    return;
                }
            }

            var outcome = await _sessions.CallToolAsync(sessionId, name, argsDoc?.RootElement ?? default, context.RequestAborted);
            if (!outcome.Succeeded(out var result, out var error))
            {
                await AgbEnvelope.ErrorAsync(response, error);
                return;
            }

            var w = AgbEnvelope.BeginOk(response);
            w.WriteStartObject("data"u8);
            w.WriteBoolean("isError"u8, result.IsError);
            w.WriteStartArray("content"u8);
            w.WriteStartObject();
            w.WriteString("type"u8, "text");
            w.WriteString("text"u8, result.Text);
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
            await AgbEnvelope.SendAsync(response, w);
        }
        finally
        {
            argsDoc?.Dispose();
        }
    }

    /// <summary><c>data</c> is a JSON string of the tool list.</summary>
    private Task ListToolsAsync(HttpContext context)
    {
        var w = AgbEnvelope.BeginOk(context.Response);
        w.WriteString("data"u8, state.ToolListJson);
        return AgbEnvelope.SendAsync(context.Response, w);
    }

    private Task RefreshIdleTimeAsync(HttpContext context, AgbRequest request) =>
        TryFindSession(context, request, out _, out var refusal) ? AgbEnvelope.OkEmptyAsync(context.Response) : refusal;

    /// <summary>Starts the session's browser (if not yet running) and answers <c>data.port</c>, as <c>browser.initialize()</c> expects.</summary>
    private async Task InitBrowserAsync(HttpContext context, AgbRequest request)
    {
        if (request["sessionId"] is not { } sessionId)
        {
            await AgbEnvelope.MissingAsync(context.Response, "sessionId");
            return;
        }

        if (request["browserOption"] is { } option && !Text.IsJsonOf(option, JsonValueKind.Object))
        {
            await AgbEnvelope.ErrorAsync(context.Response, 400, "InvalidParameter.BrowserOption", "browserOption must be a JSON object string.");
            return;
        }

        if (!(await state.Browsers.GetOrStartAsync(sessionId, context.RequestAborted)).Succeeded(out var browser, out var error))
        {
            await AgbEnvelope.ErrorAsync(context.Response, error);
            return;
        }

        var w = AgbEnvelope.BeginOk(context.Response);
        w.WriteStartObject("data"u8);
        w.WriteNumber("port"u8, browser.Port);
        w.WriteEndObject();
        await AgbEnvelope.SendAsync(context.Response, w);
    }

    /// <summary>The live session the request's <c>sessionId</c> names; otherwise <paramref name="refusal"/> answers MissingParameter or NotFound.</summary>
    private bool TryFindSession(HttpContext context, AgbRequest request, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out EmulatedSession? session, out Task refusal)
    {
        session = null;
        if (request["sessionId"] is not { } sessionId)
        {
            refusal = AgbEnvelope.MissingAsync(context.Response, "sessionId");
            return false;
        }

        session = _sessions.Find(sessionId);
        refusal = session is null ? AgbEnvelope.ErrorAsync(context.Response, SessionError.NotFound) : Task.CompletedTask;
        return session is not null;
    }
}
