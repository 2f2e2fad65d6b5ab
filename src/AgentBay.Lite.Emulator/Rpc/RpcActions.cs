using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using AgentBay.Lite.Emulator.Hosting;
using AgentBay.Lite.Emulator.LiveView;
using AgentBay.Lite.Emulator.Sessions;
using AgentBay.Lite.Emulator.Tools;
using Microsoft.AspNetCore.Http;

namespace AgentBay.Lite.Emulator.Rpc;

/// <summary>
/// The thirteen AgentBay actions: each reads its fields, asks the <see cref="SessionService"/> and writes the
/// answer in the shape the official SDKs parse. Domain rules live in the service, not here.
/// </summary>
internal sealed class RpcActions(EmulatorState state)
{
    private readonly SessionService _sessions = state.Sessions;
    private readonly LinkIssuer _links = new(state);

    public Task DispatchAsync(HttpContext context, RpcRequest request) => request.Action switch
    {
        RpcActionNames.GetLink => GetLinkAsync(context, request),
        RpcActionNames.CreateMcpSession => CreateAsync(context, request),
        RpcActionNames.GetSession => GetSessionAsync(context, request),
        RpcActionNames.GetSessionDetail => GetSessionDetailAsync(context, request),
        RpcActionNames.ListSession => ListAsync(context, request),
        RpcActionNames.DeleteSessionAsync or RpcActionNames.ReleaseMcpSession => DeleteAsync(context, request),
        RpcActionNames.GetMcpResource => GetMcpResourceAsync(context, request),
        RpcActionNames.GetCdpLink => GetCdpLinkAsync(context, request),
        RpcActionNames.CallMcpTool => CallMcpToolAsync(context, request),
        RpcActionNames.ListMcpTools => ListMcpToolsAsync(context),
        RpcActionNames.SetLabel => SetLabelAsync(context, request),
        RpcActionNames.GetLabel => GetLabelAsync(context, request),
        RpcActionNames.InitBrowser => InitBrowserAsync(context, request),
        RpcActionNames.RefreshSessionIdleTime => RefreshIdleTimeAsync(context, request),
        _ => RpcEnvelope.ErrorAsync(context.Response, 400, "InvalidAction.NotFound", $"The action \"{request.Action}\" is not supported by the AgentBay emulator."),
    };

    private Task GetLinkAsync(HttpContext context, RpcRequest request)
    {
        var response = context.Response;
        if (request["SessionId"] is not { } sessionId)
        {
            return RpcEnvelope.MissingAsync(response, "SessionId");
        }

        int? port = null;
        if (request["Port"] is { } portText)
        {
            if (!int.TryParse(portText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var p))
            {
                return RpcEnvelope.ErrorAsync(response, 400, "InvalidParameter.Port", $"port is not valid: \"{Text.Clip(portText)}\" is not an integer. Port must be in {SessionService.FirstLinkPort}-{SessionService.LastLinkPort}");
            }

            port = p;
        }

        return SendLinkAsync(context, _links.Issue(sessionId, request["ProtocolType"], port));
    }

    private Task GetCdpLinkAsync(HttpContext context, RpcRequest request)
    {
        if (request["SessionId"] is not { } sessionId)
        {
            return RpcEnvelope.MissingAsync(context.Response, "SessionId");
        }

        return SendLinkAsync(context, _links.IssueCdp(sessionId));
    }

    /// <summary>Starts the session's browser (if not yet running) and answers with its DevTools port, as the official SDKs' <c>browser.initialize()</c> expects.</summary>
    private async Task InitBrowserAsync(HttpContext context, RpcRequest request)
    {
        if (request["SessionId"] is not { } sessionId)
        {
            await RpcEnvelope.MissingAsync(context.Response, "SessionId");
            return;
        }

        if (request["BrowserOption"] is { } option && !Text.IsJsonOf(option, JsonValueKind.Object))
        {
            await RpcEnvelope.ErrorAsync(context.Response, 400, "InvalidParameter.BrowserOption", "BrowserOption must be a JSON object string.");
            return;
        }

        if (!(await state.Browsers.GetOrStartAsync(sessionId, context.RequestAborted)).Succeeded(out var browser, out var error))
        {
            await RpcEnvelope.ErrorAsync(context.Response, error);
            return;
        }

        var w = RpcEnvelope.BeginOk();
        w.WriteStartObject("Data"u8);
        w.WriteNumber("Port"u8, browser.Port);
        w.WriteEndObject();
        await RpcEnvelope.SendAsync(context.Response, w);
    }

    private Task SendLinkAsync(HttpContext context, Outcome<LinkGrant> outcome)
    {
        if (!outcome.Succeeded(out var link, out var error))
        {
            return RpcEnvelope.ErrorAsync(context.Response, error);
        }

        var url = _links.Url(context, link);
        var w = RpcEnvelope.BeginOk();
        w.WriteStartObject("Data"u8);
        w.WriteString("Url"u8, url);
        w.WriteEndObject();
        return RpcEnvelope.SendAsync(context.Response, w);
    }

    private async Task CreateAsync(HttpContext context, RpcRequest request)
    {
        var response = context.Response;
        var labels = EmulatedSession.EmptyLabels;
        if (request["Labels"] is { } labelsText && !SessionLabels.TryParse(labelsText, out labels, out var labelsError))
        {
            await RpcEnvelope.ErrorAsync(response, 400, "InvalidParameter.Labels", labelsError);
            return;
        }

        // Accepted and validated, without effect in the emulator.
        foreach (var (name, kind) in new[] { ("PersistenceDataList", JsonValueKind.Array), ("SdkStats", JsonValueKind.Object), ("ExtraConfigs", JsonValueKind.Object) })
        {
            if (request[name] is { } json && !Text.IsJsonOf(json, kind))
            {
                await RpcEnvelope.ErrorAsync(response, 400, "InvalidParameter." + name, $"{name} must be a JSON {(kind == JsonValueKind.Array ? "array" : "object")} string.");
                return;
            }
        }

        foreach (var name in new[] { "EnableRecord", "VpcResource" })
        {
            if (request[name] is { } b && !bool.TryParse(b, out _))
            {
                await RpcEnvelope.ErrorAsync(response, 400, "InvalidParameter." + name, $"{name} must be true or false (got \"{Text.Clip(b)}\").");
                return;
            }
        }

        if (SessionService.CheckIdleTimeout(request["Timeout"]) is { } timeoutError)
        {
            await RpcEnvelope.ErrorAsync(response, timeoutError);
            return;
        }

        var created = await _sessions.CreateAsync(request["ImageId"], labels, context.RequestAborted);
        if (!created.Succeeded(out var session, out var error))
        {
            await RpcEnvelope.ErrorAsync(response, error);
            return;
        }

        var w = RpcEnvelope.BeginOk();
        w.WriteStartObject("Data"u8);
        w.WriteString("SessionId"u8, session.Id);
        w.WriteBoolean("Success"u8, true);
        w.WriteString("ErrMsg"u8, "");
        WriteSessionResources(w, context, session);
        w.WriteEndObject();
        await RpcEnvelope.SendAsync(response, w);
    }

    private void WriteSessionResources(Utf8JsonWriter w, HttpContext context, EmulatedSession session)
    {
        w.WriteString("ResourceUrl"u8, _links.ResourceUrl(context, session));
        w.WriteString("ResourceId"u8, session.ResourceId);
        w.WriteString("AppInstanceId"u8, session.AppInstanceId);
        w.WriteString("Token"u8, session.AccessToken);
        w.WriteString("LinkUrl"u8, Direct.DirectRoutes.LinkUrl(state, context, session));
        w.WriteString("WsUrl"u8, Direct.DirectRoutes.WsUrl(state, context, session));
        w.WriteString("ToolList"u8, state.ToolListJson);
        w.WriteString("HttpPort"u8, "");
        w.WriteString("NetworkInterfaceIp"u8, "");
        w.WriteBoolean("VpcResource"u8, false);
    }

    private Task GetSessionAsync(HttpContext context, RpcRequest request)
    {
        if (!TryFindSession(context, request, out var session, out var refusal))
        {
            return refusal;
        }

        var w = RpcEnvelope.BeginOk();
        w.WriteStartObject("Data"u8);
        w.WriteString("SessionId"u8, session.Id);
        w.WriteString("Status"u8, "RUNNING");
        w.WriteBoolean("Success"u8, true);
        WriteSessionResources(w, context, session);
        w.WriteStartArray("contexts"u8);
        w.WriteEndArray();
        w.WriteEndObject();
        return RpcEnvelope.SendAsync(context.Response, w);
    }

    private Task GetSessionDetailAsync(HttpContext context, RpcRequest request)
    {
        if (request["SessionId"] is not { } sessionId)
        {
            return RpcEnvelope.MissingAsync(context.Response, "SessionId");
        }

        var session = _sessions.Find(sessionId);
        if (session is null && !_sessions.WasDeleted(sessionId))
        {
            return RpcEnvelope.ErrorAsync(context.Response, SessionError.NotFound);
        }

        var w = RpcEnvelope.BeginOk();
        w.WriteStartObject("Data"u8);
        if (session is not null)
        {
            w.WriteString("Status"u8, "RUNNING");
            w.WriteNumber("Id"u8, session.Sequence);
            w.WriteString("ImageId"u8, session.ImageId);
            w.WriteString("ImageType"u8, session.SupportsCdp ? "BrowserUse" : "Linux");
            w.WriteString("AppInstanceId"u8, session.AppInstanceId);
            w.WriteNumber("IsDeleted"u8, 0);
            w.WriteString("EndReason"u8, "");
            w.WriteString("RegionId"u8, "local");
        }
        else
        {
            // A deleted session: FINISH with Success:true is one of the answers that ends every SDK's delete polling.
            w.WriteString("Status"u8, "FINISH");
            w.WriteNumber("IsDeleted"u8, 1);
            w.WriteString("EndReason"u8, "USER_DELETE");
        }

        w.WriteEndObject();
        return RpcEnvelope.SendAsync(context.Response, w);
    }

    private Task ListAsync(HttpContext context, RpcRequest request)
    {
        var response = context.Response;
        var filter = EmulatedSession.EmptyLabels;
        if (request["Labels"] is { } labelsText && !SessionLabels.TryParse(labelsText, out filter, out var labelsError))
        {
            return RpcEnvelope.ErrorAsync(response, 400, "InvalidParameter.Labels", labelsError);
        }

        if (!_sessions.ListPage(filter, request["Status"], request["MaxResults"], request["NextToken"]).Succeeded(out var page, out var error))
        {
            return RpcEnvelope.ErrorAsync(response, error);
        }

        var w = RpcEnvelope.BeginOk();
        w.WriteString("NextToken"u8, page.NextToken);
        w.WriteNumber("MaxResults"u8, page.MaxResults);
        w.WriteNumber("TotalCount"u8, page.Total);
        w.WriteStartArray("Data"u8);
        foreach (var session in page.Items)
        {
            w.WriteStartObject();
            w.WriteString("SessionId"u8, session.Id);
            w.WriteString("SessionStatus"u8, "RUNNING");
            w.WriteEndObject();
        }

        w.WriteEndArray();
        return RpcEnvelope.SendAsync(response, w);
    }

    private Task DeleteAsync(HttpContext context, RpcRequest request)
    {
        if (request["SessionId"] is not { } sessionId)
        {
            return RpcEnvelope.MissingAsync(context.Response, "SessionId");
        }

        return DeleteAsync(context, sessionId);
    }

    private async Task DeleteAsync(HttpContext context, string sessionId)
    {
        if (await _sessions.DeleteAsync(sessionId))
        {
            await RpcEnvelope.OkEmptyAsync(context.Response);
        }
        else
        {
            await RpcEnvelope.ErrorAsync(context.Response, SessionError.NotFound);
        }
    }

    /// <summary>Keep-alive (SDKs since v0.16): an envelope for a live session, NotFound for a gone one.</summary>
    private Task RefreshIdleTimeAsync(HttpContext context, RpcRequest request) =>
        TryFindSession(context, request, out _, out var refusal) ? RpcEnvelope.OkEmptyAsync(context.Response) : refusal;

    private Task GetMcpResourceAsync(HttpContext context, RpcRequest request)
    {
        if (!TryFindSession(context, request, out var session, out var refusal))
        {
            return refusal;
        }

        var w = RpcEnvelope.BeginOk();
        w.WriteStartObject("Data"u8);
        w.WriteString("SessionId"u8, session.Id);
        w.WriteString("ResourceUrl"u8, _links.ResourceUrl(context, session));
        w.WriteStartObject("DesktopInfo"u8);
        w.WriteString("AppId"u8, "emulator");
        w.WriteString("AuthCode"u8, "auth-" + session.ResourceId);
        w.WriteString("ConnectionProperties"u8, "{}");
        w.WriteString("ResourceId"u8, session.ResourceId);
        w.WriteString("ResourceType"u8, "AIAgent");
        w.WriteString("Ticket"u8, "ticket-" + session.AppInstanceId);
        w.WriteEndObject();
        w.WriteEndObject();
        return RpcEnvelope.SendAsync(context.Response, w);
    }

    private async Task CallMcpToolAsync(HttpContext context, RpcRequest request)
    {
        var response = context.Response;
        if (request["SessionId"] is not { } sessionId)
        {
            await RpcEnvelope.MissingAsync(response, "SessionId");
            return;
        }

        if (request["Name"] is not { } name)
        {
            await RpcEnvelope.MissingAsync(response, "Name");
            return;
        }

        if (request["AutoGenSession"] is { } autoGen && !bool.TryParse(autoGen, out _))
        {
            await RpcEnvelope.ErrorAsync(response, 400, "InvalidParameter.AutoGenSession", $"AutoGenSession must be true or false (got \"{Text.Clip(autoGen)}\").");
            return;
        }

        JsonDocument? argsDoc = null;
        try
        {
            if (request["Args"] is { } argsText)
            {
                argsDoc = ToolArgs.Parse(argsText, "Args", out string? problem);
                if (problem is not null)
                {
                    await RpcEnvelope.ErrorAsync(response, 400, "InvalidParameter.Args", problem);
                    return;
                }
            }

            var outcome = await _sessions.CallToolAsync(sessionId, name, argsDoc?.RootElement ?? default, context.RequestAborted);
            if (!outcome.Succeeded(out var result, out var error))
            {
                await RpcEnvelope.ErrorAsync(response, error);
                return;
            }

            // Data is the MCP CallToolResult object.
            var w = RpcEnvelope.BeginOk();
            w.WriteStartObject("Data"u8);
            w.WriteStartArray("content"u8);
            w.WriteStartObject();
            w.WriteString("type"u8, "text");
            w.WriteString("text"u8, result.Text);
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteBoolean("isError"u8, result.IsError);
            w.WriteEndObject();
            await RpcEnvelope.SendAsync(response, w);
        }
        finally
        {
            argsDoc?.Dispose();
        }
    }

    private Task ListMcpToolsAsync(HttpContext context)
    {
        var w = RpcEnvelope.BeginOk();
        w.WriteString("Data"u8, state.ToolListJson);
        return RpcEnvelope.SendAsync(context.Response, w);
    }

    private Task SetLabelAsync(HttpContext context, RpcRequest request)
    {
        if (request["SessionId"] is not { } sessionId)
        {
            return RpcEnvelope.MissingAsync(context.Response, "SessionId");
        }

        if (request["Labels"] is not { } labelsText)
        {
            return RpcEnvelope.MissingAsync(context.Response, "Labels");
        }

        if (!SessionLabels.TryParse(labelsText, out var labels, out var labelsError))
        {
            return RpcEnvelope.ErrorAsync(context.Response, 400, "InvalidParameter.Labels", labelsError);
        }

        return _sessions.SetLabels(sessionId, labels).Succeeded(out _, out var error)
            ? RpcEnvelope.OkEmptyAsync(context.Response)
            : RpcEnvelope.ErrorAsync(context.Response, error);
    }

    private Task GetLabelAsync(HttpContext context, RpcRequest request)
    {
        if (!TryFindSession(context, request, out var session, out var refusal))
        {
            return refusal;
        }

        // Data.Labels is a JSON string holding the labels object.
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var lw = new Utf8JsonWriter(buffer, JsonOut.Options))
        {
            lw.WriteStartObject();
            foreach (var (k, v) in session.Labels)
            {
                lw.WriteString(k, v);
            }

            lw.WriteEndObject();
        }

        var w = RpcEnvelope.BeginOk();
        w.WriteStartObject("Data"u8);
        w.WriteString("Labels"u8, Encoding.UTF8.GetString(buffer.WrittenSpan));
        w.WriteEndObject();
        return RpcEnvelope.SendAsync(context.Response, w);
    }

    /// <summary>The live session the request's <c>SessionId</c> names; otherwise <paramref name="refusal"/> answers MissingParameter or NotFound.</summary>
    private bool TryFindSession(HttpContext context, RpcRequest request, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out EmulatedSession? session, out Task refusal)
    {
        session = null;
        if (request["SessionId"] is not { } sessionId)
        {
            refusal = RpcEnvelope.MissingAsync(context.Response, "SessionId");
            return false;
        }

        session = _sessions.Find(sessionId);
        refusal = session is null ? RpcEnvelope.ErrorAsync(context.Response, SessionError.NotFound) : Task.CompletedTask;
        return session is not null;
    }
}
