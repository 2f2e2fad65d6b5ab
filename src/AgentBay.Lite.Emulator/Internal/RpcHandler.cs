using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace AgentBay.Lite.Emulator.Internal;

/// <summary>Answers AgentBay RPC requests (<c>POST /?Action=…</c>) with the full POP envelope.</summary>
internal sealed class RpcHandler
{
    public const string NotFoundCode = "InvalidMcpSession.NotFound";
    public const string NotFoundMessage = "Resource [McpSession] is not found.";
    public const string NotLoginCode = "NOT_LOGIN";
    public const string NotLoginMessage = "You are not logged in or your login token has expired";

    private static readonly string[] ValidStatuses = ["RUNNING", "PAUSING", "PAUSED", "RESUMING", "DELETING", "DELETED"];

    private readonly EmulatorState _state;
    private readonly string _expectedAuthorization;

    public RpcHandler(EmulatorState state)
    {
        _state = state;
        _expectedAuthorization = "Bearer " + state.ApiKey;
    }

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;
        try
        {
            if (!string.Equals(request.Path.Value, "/", StringComparison.Ordinal))
            {
                await ErrorAsync(response, 404, "InvalidPath", $"No AgentBay API lives at \"{Clip(request.Path.Value)}\": RPC requests go to POST / (control routes under /_emulator/).");
                return;
            }

            var isPost = HttpMethods.IsPost(request.Method);
            if (!isPost && !HttpMethods.IsGet(request.Method))
            {
                response.Headers.Allow = "GET, POST";
                await ErrorAsync(response, 405, "MethodNotAllowed", $"The method {Clip(request.Method)} is not allowed: use POST / (or GET with every field in the query).");
                return;
            }

            var fields = new RequestFields();
            if (request.QueryString.Value is { Length: > 1 } query && ParseQuery(fields, query) is { } queryError)
            {
                await ErrorAsync(response, 400, "MalformedQuery", queryError);
                return;
            }

            if (isPost && await ReadFormAsync(context, fields) is { } bodyError)
            {
                await ErrorAsync(response, bodyError.Status, bodyError.Code, bodyError.Message);
                return;
            }

            var action = fields["Action"];
            var actionIndex = Actions.IndexOf(action);
            _state.Counters.Increment(actionIndex);
            if (_state.LogRequests)
            {
                Console.WriteLine($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} {request.Method} {action ?? "(no Action)"} session={fields["SessionId"] ?? "-"}");
            }

            if (action is null)
            {
                await ErrorAsync(response, 400, "MissingParameter", "The required parameter \"Action\" is missing or empty (it goes in the query: /?Action=GetLink).");
                return;
            }

            if (actionIndex == Actions.All.Length - 1)
            {
                await ErrorAsync(response, 400, "InvalidAction.NotFound", $"Specified api is not found, please check your url and method. The action \"{Clip(action)}\" is not supported by the AgentBay emulator.");
                return;
            }

            action = Actions.All[actionIndex];
            var delay = _state.Injector.NextDelay(action);
            if (delay > TimeSpan.Zero)
            {
                await _state.Delays.DelayAsync(delay, context.RequestAborted);
            }

            var (fault, retryAfter) = _state.Injector.NextFault(action);
            if (fault != FaultKind.None)
            {
                await InjectAsync(context, fault, retryAfter);
                return;
            }

            if (!IsAuthorized(fields, request))
            {
                await ErrorAsync(response, 400, NotLoginCode, NotLoginMessage);
                return;
            }

            await DispatchAsync(context, action, fields);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away.
        }
        catch (BadHttpRequestException ex)
        {
            if (!response.HasStarted)
            {
                var status = ex.StatusCode == 413 ? 413 : 400;
                await ErrorAsync(response, status, status == 413 ? "RequestEntityTooLarge" : "MalformedRequest", "The HTTP request could not be read: " + ex.Message);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            if (!response.HasStarted)
            {
                await ErrorAsync(response, 500, "InternalError", "The emulator failed unexpectedly: " + ex.GetType().Name + ": " + ex.Message);
            }
        }
    }

    private bool IsAuthorized(RequestFields fields, HttpRequest request)
    {
        var value = fields["Authorization"];
        if (value is null && request.Headers.Authorization.Count == 1)
        {
            value = request.Headers.Authorization[0];
        }

        if (value is null)
        {
            return false;
        }

        return string.Equals(value, _expectedAuthorization, StringComparison.Ordinal)
            || (value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                && string.Equals(value.AsSpan(7).Trim().ToString(), _state.ApiKey, StringComparison.Ordinal));
    }

    private Task DispatchAsync(HttpContext context, string action, RequestFields fields) => action switch
    {
        Actions.GetLink => GetLinkAsync(context, fields),
        Actions.CreateMcpSession => CreateAsync(context, fields),
        Actions.GetSession => GetSessionAsync(context, fields),
        Actions.GetSessionDetail => GetSessionDetailAsync(context, fields),
        Actions.ListSession => ListAsync(context, fields),
        Actions.DeleteSessionAsync or Actions.ReleaseMcpSession => DeleteAsync(context, fields),
        Actions.GetMcpResource => GetMcpResourceAsync(context, fields),
        Actions.GetCdpLink => GetCdpLinkAsync(context, fields),
        Actions.CallMcpTool => CallMcpToolAsync(context, fields),
        Actions.ListMcpTools => ListMcpToolsAsync(context),
        Actions.SetLabel => SetLabelAsync(context, fields),
        Actions.GetLabel => GetLabelAsync(context, fields),
        _ => ErrorAsync(context.Response, 400, "InvalidAction.NotFound", $"The action \"{action}\" is not supported by the AgentBay emulator."),
    };

    // ---------------------------------------------------------------- actions

    private Task GetLinkAsync(HttpContext context, RequestFields fields)
    {
        var response = context.Response;
        if (fields["SessionId"] is not { } sessionId)
        {
            return MissingAsync(response, "SessionId");
        }

        var protocol = fields["ProtocolType"];
        int? port = null;
        if (fields["Port"] is { } portText)
        {
            if (!int.TryParse(portText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var p))
            {
                return ErrorAsync(response, 400, "InvalidParameter.Port", $"port is not valid: \"{Clip(portText)}\" is not an integer. Port must be in 30100-30199");
            }

            if (p is < 30100 or > 30199)
            {
                return ErrorAsync(response, 400, "InvalidParameter.Port", $"Port must be in 30100-30199 (got {p.ToString(CultureInfo.InvariantCulture)}).");
            }

            port = p;
        }

        string scheme;
        if (protocol is null || protocol.Equals("wss", StringComparison.OrdinalIgnoreCase))
        {
            scheme = "wss";
        }
        else if (protocol.Equals("https", StringComparison.OrdinalIgnoreCase))
        {
            if (port is null)
            {
                return ErrorAsync(response, 400, "InvalidParameter.Port", "port is not valid");
            }

            scheme = "https";
        }
        else if (protocol.Equals("http", StringComparison.OrdinalIgnoreCase))
        {
            return ErrorAsync(response, 400, "InvalidParameter.ProtocolType", "http not supported");
        }
        else
        {
            return ErrorAsync(response, 400, "InvalidParameter.ProtocolType", $"protocol type \"{Clip(protocol)}\" not supported: use https or wss.");
        }

        var session = _state.Sessions.Get(sessionId);
        if (session is null)
        {
            return NotFoundAsync(response);
        }

        if (port is null && !session.SupportsCdp)
        {
            return ErrorAsync(response, 400, "InvalidOperation.CdpUnsupportedImage", "no port specified, cdp default, but only BrowserUse image support cdp");
        }

        return SendLinkAsync(context, session, scheme, port);
    }

    private Task GetCdpLinkAsync(HttpContext context, RequestFields fields)
    {
        if (!TryFindSession(context, fields, out var session, out var refusal))
        {
            return refusal;
        }

        if (!session.SupportsCdp)
        {
            return ErrorAsync(context.Response, 400, "InvalidOperation.CdpUnsupportedImage", "only BrowserUse image support cdp");
        }

        return SendLinkAsync(context, session, "wss", null);
    }

    private Task SendLinkAsync(HttpContext context, EmulatedSession session, string scheme, int? port)
    {
        var token = _state.Sessions.IssueToken(session, scheme, port);
        var host = LinkHost(context);
        var url = scheme == "https"
            ? string.Concat("https://", host, "/request_ai/", token, "/path/")
            : string.Concat("wss://", host, "/websocket_ai/", token);
        var w = JsonOut.BeginEnvelope(true, "ok", "", 200);
        w.WriteStartObject("Data"u8);
        w.WriteString("Url"u8, url);
        w.WriteEndObject();
        w.WriteEndObject();
        return JsonOut.SendAsync(context.Response, 200);
    }

    private Task CreateAsync(HttpContext context, RequestFields fields)
    {
        var response = context.Response;
        var labels = EmulatedSession.EmptyLabels;
        if (fields["Labels"] is { } labelsText && !TryParseLabels(labelsText, out labels, out var labelsError))
        {
            return ErrorAsync(response, 400, "InvalidParameter.Labels", labelsError);
        }

        foreach (var (name, kind) in new[] { ("PersistenceDataList", JsonValueKind.Array), ("SdkStats", JsonValueKind.Object), ("ExtraConfigs", JsonValueKind.Object) })
        {
            if (fields[name] is { } json && !IsJsonOf(json, kind))
            {
                return ErrorAsync(response, 400, "InvalidParameter." + name, $"{name} must be a JSON {(kind == JsonValueKind.Array ? "array" : "object")} string.");
            }
        }

        foreach (var name in new[] { "EnableRecord", "VpcResource" })
        {
            if (fields[name] is { } b && !bool.TryParse(b, out _))
            {
                return ErrorAsync(response, 400, "InvalidParameter." + name, $"{name} must be true or false (got \"{Clip(b)}\").");
            }
        }

        var imageId = fields["ImageId"] ?? "linux_latest";
        var session = _state.Sessions.Create(imageId, labels);
        if (session is null)
        {
            return ErrorAsync(response, 400, "QuotaExceeded.Session", $"The emulator already holds its maximum of {_state.MaxSessions.ToString(CultureInfo.InvariantCulture)} live sessions; delete some first.");
        }

        var w = JsonOut.BeginEnvelope(true, "ok", "", 200);
        w.WriteStartObject("Data"u8);
        w.WriteString("SessionId"u8, session.Id);
        w.WriteBoolean("Success"u8, true);
        w.WriteString("ErrMsg"u8, "");
        WriteSessionResources(w, context, session);
        w.WriteString("LinkUrl"u8, "");
        w.WriteEndObject();
        w.WriteEndObject();
        return JsonOut.SendAsync(response, 200);
    }

    private void WriteSessionResources(Utf8JsonWriter w, HttpContext context, EmulatedSession session)
    {
        w.WriteString("ResourceUrl"u8, ResourceUrl(context, session));
        w.WriteString("ResourceId"u8, session.ResourceId);
        w.WriteString("AppInstanceId"u8, session.AppInstanceId);
        w.WriteString("Token"u8, "");
        w.WriteString("ToolList"u8, _state.ToolListJson);
        w.WriteString("HttpPort"u8, "");
        w.WriteString("NetworkInterfaceIp"u8, "");
        w.WriteBoolean("VpcResource"u8, false);
    }

    private Task GetSessionAsync(HttpContext context, RequestFields fields)
    {
        if (!TryFindSession(context, fields, out var session, out var refusal))
        {
            return refusal;
        }

        var w = JsonOut.BeginEnvelope(true, "ok", "", 200);
        w.WriteStartObject("Data"u8);
        w.WriteString("SessionId"u8, session.Id);
        w.WriteString("Status"u8, "RUNNING");
        w.WriteBoolean("Success"u8, true);
        WriteSessionResources(w, context, session);
        w.WriteStartArray("contexts"u8);
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
        return JsonOut.SendAsync(context.Response, 200);
    }

    private Task GetSessionDetailAsync(HttpContext context, RequestFields fields)
    {
        if (fields["SessionId"] is not { } sessionId)
        {
            return MissingAsync(context.Response, "SessionId");
        }

        var session = _state.Sessions.Get(sessionId);
        if (session is null)
        {
            if (!_state.Sessions.IsFinished(sessionId))
            {
                return NotFoundAsync(context.Response);
            }

            // A deleted session: FINISH with Success:true, one of the answers that ends SDK delete polling.
            var fw = JsonOut.BeginEnvelope(true, "ok", "", 200);
            fw.WriteStartObject("Data"u8);
            fw.WriteString("Status"u8, "FINISH");
            fw.WriteNumber("IsDeleted"u8, 1);
            fw.WriteString("EndReason"u8, "USER_DELETE");
            fw.WriteEndObject();
            fw.WriteEndObject();
            return JsonOut.SendAsync(context.Response, 200);
        }

        var w = JsonOut.BeginEnvelope(true, "ok", "", 200);
        w.WriteStartObject("Data"u8);
        w.WriteString("Status"u8, "RUNNING");
        w.WriteNumber("Id"u8, session.Sequence);
        w.WriteString("ImageId"u8, session.ImageId);
        w.WriteString("ImageType"u8, session.SupportsCdp ? "BrowserUse" : "Linux");
        w.WriteString("AppInstanceId"u8, session.AppInstanceId);
        w.WriteNumber("IsDeleted"u8, 0);
        w.WriteString("EndReason"u8, "");
        w.WriteString("RegionId"u8, "local");
        w.WriteEndObject();
        w.WriteEndObject();
        return JsonOut.SendAsync(context.Response, 200);
    }

    private Task ListAsync(HttpContext context, RequestFields fields)
    {
        var response = context.Response;
        var filter = EmulatedSession.EmptyLabels;
        if (fields["Labels"] is { } labelsText && !TryParseLabels(labelsText, out filter, out var labelsError))
        {
            return ErrorAsync(response, 400, "InvalidParameter.Labels", labelsError);
        }

        var maxResults = 10;
        if (fields["MaxResults"] is { } maxText
            && (!int.TryParse(maxText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out maxResults) || maxResults is < 1 or > 100))
        {
            return ErrorAsync(response, 400, "InvalidParameter.MaxResults", $"MaxResults must be an integer between 1 and 100 (got \"{Clip(maxText)}\").");
        }

        long after = 0;
        if (fields["NextToken"] is { } next
            && (!next.StartsWith("nt-", StringComparison.Ordinal)
                || !long.TryParse(next.AsSpan(3), NumberStyles.None, CultureInfo.InvariantCulture, out after)))
        {
            return ErrorAsync(response, 400, "InvalidParameter.NextToken", "NextToken is not a token this server issued; pass back the NextToken of the previous page.");
        }

        var status = fields["Status"];
        if (status is not null && Array.IndexOf(ValidStatuses, status) < 0)
        {
            return ErrorAsync(response, 400, "InvalidParameter.Status", $"Status must be one of {string.Join(", ", ValidStatuses)} (got \"{Clip(status)}\").");
        }

        var matches = new List<EmulatedSession>();
        if (status is null or "RUNNING")
        {
            foreach (var s in _state.Sessions.Live)
            {
                if (HasAllLabels(s.Labels, filter))
                {
                    matches.Add(s);
                }
            }
        }

        matches.Sort(static (a, b) => a.Sequence.CompareTo(b.Sequence));
        var start = 0;
        while (start < matches.Count && matches[start].Sequence <= after)
        {
            start++;
        }

        var end = Math.Min(matches.Count, start + maxResults);
        var w = JsonOut.BeginEnvelope(true, "ok", "", 200);
        w.WriteString("NextToken"u8, end < matches.Count ? "nt-" + matches[end - 1].Sequence.ToString(CultureInfo.InvariantCulture) : "");
        w.WriteNumber("MaxResults"u8, maxResults);
        w.WriteNumber("TotalCount"u8, matches.Count);
        w.WriteStartArray("Data"u8);
        for (var i = start; i < end; i++)
        {
            w.WriteStartObject();
            w.WriteString("SessionId"u8, matches[i].Id);
            w.WriteString("SessionStatus"u8, "RUNNING");
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
        return JsonOut.SendAsync(response, 200);
    }

    private static bool HasAllLabels(IReadOnlyDictionary<string, string> labels, IReadOnlyDictionary<string, string> filter)
    {
        foreach (var (k, v) in filter)
        {
            if (!labels.TryGetValue(k, out var actual) || !string.Equals(actual, v, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private Task DeleteAsync(HttpContext context, RequestFields fields)
    {
        if (fields["SessionId"] is not { } sessionId)
        {
            return MissingAsync(context.Response, "SessionId");
        }

        var session = _state.Sessions.Delete(sessionId);
        if (session is null)
        {
            return NotFoundAsync(context.Response);
        }

        _state.Tools.RemoveSessionDirectory(session.Id);
        return OkEmptyAsync(context.Response);
    }

    private Task GetMcpResourceAsync(HttpContext context, RequestFields fields)
    {
        if (!TryFindSession(context, fields, out var session, out var refusal))
        {
            return refusal;
        }

        var w = JsonOut.BeginEnvelope(true, "ok", "", 200);
        w.WriteStartObject("Data"u8);
        w.WriteString("SessionId"u8, session.Id);
        w.WriteString("ResourceUrl"u8, ResourceUrl(context, session));
        w.WriteStartObject("DesktopInfo"u8);
        w.WriteString("AppId"u8, "emulator");
        w.WriteString("AuthCode"u8, "auth-" + session.ResourceId);
        w.WriteString("ConnectionProperties"u8, "{}");
        w.WriteString("ResourceId"u8, session.ResourceId);
        w.WriteString("ResourceType"u8, "AIAgent");
        w.WriteString("Ticket"u8, "ticket-" + session.AppInstanceId);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
        return JsonOut.SendAsync(context.Response, 200);
    }

    private async Task CallMcpToolAsync(HttpContext context, RequestFields fields)
    {
        var response = context.Response;
        if (fields["SessionId"] is not { } sessionId)
        {
            await MissingAsync(response, "SessionId");
            return;
        }

        if (fields["Name"] is not { } name)
        {
            await MissingAsync(response, "Name");
            return;
        }

        if (fields["AutoGenSession"] is { } autoGen && !bool.TryParse(autoGen, out _))
        {
            await ErrorAsync(response, 400, "InvalidParameter.AutoGenSession", $"AutoGenSession must be true or false (got \"{Clip(autoGen)}\").");
            return;
        }

        JsonDocument? argsDoc = null;
        try
        {
            if (fields["Args"] is { } argsText)
            {
                try
                {
                    argsDoc = JsonDocument.Parse(argsText);
                }
                catch (JsonException)
                {
                    await ErrorAsync(response, 400, "InvalidParameter.Args", "Args must be a JSON object string of tool arguments; it is not valid JSON.");
                    return;
                }

                if (argsDoc.RootElement.ValueKind != JsonValueKind.Object)
                {
                    await ErrorAsync(response, 400, "InvalidParameter.Args", $"Args must be a JSON object string of tool arguments, not a JSON {argsDoc.RootElement.ValueKind.ToString().ToLowerInvariant()}.");
                    return;
                }
            }

            if (_state.Sessions.Get(sessionId) is null)
            {
                await NotFoundAsync(response);
                return;
            }

            var args = argsDoc?.RootElement ?? default;
            var result = await _state.Tools.CallAsync(sessionId, name, args, context.RequestAborted);
            var w = JsonOut.BeginEnvelope(true, "ok", "", 200);
            w.WriteStartObject("Data"u8);
            w.WriteStartArray("content"u8);
            w.WriteStartObject();
            w.WriteString("type"u8, "text");
            w.WriteString("text"u8, result.Text);
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteBoolean("isError"u8, result.IsError);
            w.WriteEndObject();
            w.WriteEndObject();
            await JsonOut.SendAsync(response, 200);
        }
        finally
        {
            argsDoc?.Dispose();
        }
    }

    private Task ListMcpToolsAsync(HttpContext context)
    {
        var w = JsonOut.BeginEnvelope(true, "ok", "", 200);
        w.WriteString("Data"u8, _state.ToolListJson);
        w.WriteEndObject();
        return JsonOut.SendAsync(context.Response, 200);
    }

    private Task SetLabelAsync(HttpContext context, RequestFields fields)
    {
        if (fields["SessionId"] is not { } sessionId)
        {
            return MissingAsync(context.Response, "SessionId");
        }

        if (fields["Labels"] is not { } labelsText)
        {
            return MissingAsync(context.Response, "Labels");
        }

        if (!TryParseLabels(labelsText, out var labels, out var error))
        {
            return ErrorAsync(context.Response, 400, "InvalidParameter.Labels", error);
        }

        var session = _state.Sessions.Get(sessionId);
        if (session is null)
        {
            return NotFoundAsync(context.Response);
        }

        session.Labels = labels;
        return OkEmptyAsync(context.Response);
    }

    private Task GetLabelAsync(HttpContext context, RequestFields fields)
    {
        if (!TryFindSession(context, fields, out var session, out var refusal))
        {
            return refusal;
        }

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

        var labelsJson = Encoding.UTF8.GetString(buffer.WrittenSpan);
        var w = JsonOut.BeginEnvelope(true, "ok", "", 200);
        w.WriteStartObject("Data"u8);
        w.WriteString("Labels"u8, labelsJson);
        w.WriteEndObject();
        w.WriteEndObject();
        return JsonOut.SendAsync(context.Response, 200);
    }

    // ---------------------------------------------------------------- faults and helpers

    private static Task InjectAsync(HttpContext context, FaultKind fault, TimeSpan retryAfter)
    {
        var response = context.Response;
        switch (fault)
        {
            case FaultKind.ConnectionReset:
                context.Abort();
                return Task.CompletedTask;
            case FaultKind.ServerError:
                return ErrorAsync(response, 500, "InternalError", "The request processing has failed due to some unknown error (injected by the emulator).");
            case FaultKind.ServiceUnavailable:
                return ErrorAsync(response, 503, "ServiceUnavailable", "The request has failed due to a temporary failure of the server (injected by the emulator).");
            case FaultKind.Throttling:
                var seconds = (long)Math.Ceiling(retryAfter.TotalSeconds);
                response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                return ErrorAsync(response, 429, "Throttling", $"Request was denied due to request throttling; retry after {seconds.ToString(CultureInfo.InvariantCulture)} s (injected by the emulator).");
            default:
                var w = JsonOut.BeginEnvelope(true, "ok", "", 200);
                w.WriteStartObject("Data"u8);
                w.WriteString("Note"u8, "this body is cut in half by the emulator's malformed-JSON fault");
                w.WriteEndObject();
                w.WriteEndObject();
                return JsonOut.SendAsync(response, 200, truncate: true);
        }
    }

    public static Task ErrorAsync(HttpResponse response, int status, string code, string message)
    {
        var w = JsonOut.BeginEnvelope(false, code, message, status);
        w.WriteStartObject("Data"u8);
        w.WriteEndObject();
        w.WriteEndObject();
        return JsonOut.SendAsync(response, status);
    }

    private static Task NotFoundAsync(HttpResponse response) => ErrorAsync(response, 400, NotFoundCode, NotFoundMessage);

    /// <summary>
    /// The live session the request's <c>SessionId</c> names; otherwise <paramref name="refusal"/> answers
    /// <c>MissingParameter</c> or <c>InvalidMcpSession.NotFound</c>.
    /// </summary>
    private bool TryFindSession(HttpContext context, RequestFields fields, [NotNullWhen(true)] out EmulatedSession? session, out Task refusal)
    {
        session = null;
        if (fields["SessionId"] is not { } sessionId)
        {
            refusal = MissingAsync(context.Response, "SessionId");
            return false;
        }

        session = _state.Sessions.Get(sessionId);
        refusal = session is null ? NotFoundAsync(context.Response) : Task.CompletedTask;
        return session is not null;
    }

    private static Task MissingAsync(HttpResponse response, string field) =>
        ErrorAsync(response, 400, "MissingParameter", $"The required parameter \"{field}\" is missing or empty.");

    private static Task OkEmptyAsync(HttpResponse response)
    {
        var w = JsonOut.BeginEnvelope(true, "ok", "", 200);
        w.WriteStartObject("Data"u8);
        w.WriteEndObject();
        w.WriteEndObject();
        return JsonOut.SendAsync(response, 200);
    }

    private string LinkHost(HttpContext context) => _state.LinkHost ?? (context.Request.Host.HasValue ? context.Request.Host.Value! : "127.0.0.1");

    private string ResourceUrl(HttpContext context, EmulatedSession session) =>
        string.Concat(_state.Scheme, "://", LinkHost(context), "/resource/", session.Id);

    private static string Clip(string? s) => s is null ? "" : s.Length <= 80 ? s : s[..80] + "…";

    private static bool IsJsonOf(string json, JsonValueKind kind)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.ValueKind == kind;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Parses a Labels JSON object of string values (parsed, never string-compared).</summary>
    public static bool TryParseLabels(string json, out IReadOnlyDictionary<string, string> labels, out string error)
    {
        labels = EmulatedSession.EmptyLabels;
        error = "";
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                error = "Labels must be a JSON object string such as {\"project\":\"demo\"}.";
                return false;
            }

            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (p.Value.ValueKind != JsonValueKind.String)
                {
                    error = $"Labels values must be strings; \"{Clip(p.Name)}\" is a JSON {p.Value.ValueKind.ToString().ToLowerInvariant()}.";
                    return false;
                }

                result[p.Name] = p.Value.GetString()!;
            }

            labels = result;
            return true;
        }
        catch (JsonException)
        {
            error = "Labels must be a JSON object string such as {\"project\":\"demo\"}; it is not valid JSON.";
            return false;
        }
    }

    private static string? ParseQuery(RequestFields fields, string query)
    {
        var chars = query.AsSpan(1);
        var max = Encoding.UTF8.GetMaxByteCount(chars.Length);
        byte[]? rented = null;
        var bytes = max <= 1024 ? stackalloc byte[max] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            var n = Encoding.UTF8.GetBytes(chars, bytes);
            return fields.Add(bytes[..n], "query string");
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private readonly record struct BodyError(int Status, string Code, string Message);

    private async ValueTask<BodyError?> ReadFormAsync(HttpContext context, RequestFields fields)
    {
        var request = context.Request;
        var limit = _state.MaxRequestBodyBytes;
        if (request.ContentLength is { } declared && declared > limit)
        {
            return TooLarge(limit);
        }

        if (request.ContentLength == 0)
        {
            return null;
        }

        if (request.ContentType is { } contentType
            && !contentType.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            // Only refuse when there is a body to misread.
            var peek = await request.BodyReader.ReadAsync(context.RequestAborted);
            var empty = peek.Buffer.IsEmpty && peek.IsCompleted;
            request.BodyReader.AdvanceTo(peek.Buffer.Start);
            if (!empty)
            {
                return new BodyError(415, "UnsupportedMediaType", $"The body must be application/x-www-form-urlencoded, not \"{Clip(contentType)}\".");
            }

            return null;
        }

        var reader = request.BodyReader;
        while (true)
        {
            var result = await reader.ReadAsync(context.RequestAborted);
            var buffer = result.Buffer;
            if (buffer.Length > limit)
            {
                reader.AdvanceTo(buffer.Start, buffer.End);
                return TooLarge(limit);
            }

            if (result.IsCompleted)
            {
                var error = ParseBody(fields, buffer);
                reader.AdvanceTo(buffer.End);
                return error is null ? null : new BodyError(400, "MalformedForm", error);
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static string? ParseBody(RequestFields fields, ReadOnlySequence<byte> buffer)
    {
        if (buffer.IsSingleSegment)
        {
            return fields.Add(buffer.FirstSpan, "form body");
        }

        var length = (int)buffer.Length;
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            buffer.CopyTo(rented);
            return fields.Add(rented.AsSpan(0, length), "form body");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static BodyError TooLarge(long limit) =>
        new(413, "RequestEntityTooLarge", $"The request body exceeds the emulator's limit of {limit.ToString(CultureInfo.InvariantCulture)} bytes.");
}
