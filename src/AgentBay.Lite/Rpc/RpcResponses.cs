using System.Net;
using AgentBay.Lite.Backend;
using System.Text.Json.Serialization;

namespace AgentBay.Lite.Rpc;

// Response bodies. Read tolerantly (see RpcJsonContext): names case-insensitively, numbers from strings, booleans from
// "true"/"True"/1, and Data either as an object or as a JSON string holding one (Python and TS accept both).

/// <summary>The envelope every action answers with; failures carry <see cref="Code"/> and <see cref="Message"/>.</summary>
internal class RpcEnvelope
{
    /// <summary>The request id (an uppercase UUID from the real service).</summary>
    public string? RequestId { get; set; }

    /// <summary>Whether the call succeeded; absent means success when the HTTP status is 2xx.</summary>
    [JsonConverter(typeof(LenientBooleanConverter))]
    public bool? Success { get; set; }

    /// <summary>The result code, e.g. <c>ok</c> or <c>InvalidMcpSession.NotFound</c>.</summary>
    public string? Code { get; set; }

    /// <summary>The service's message.</summary>
    public string? Message { get; set; }

    /// <summary>The HTTP status the service meant, repeated in the body.</summary>
    public int? HttpStatusCode { get; set; }
}

/// <summary>CreateMcpSession's answer.</summary>
internal sealed class CreateMcpSessionResponse : RpcEnvelope
{
    /// <summary>The new session.</summary>
    [JsonConverter(typeof(EmbeddedJsonConverter<CreateMcpSessionData>))]
    public CreateMcpSessionData? Data { get; set; }
}

/// <summary>The session fields CreateMcpSession and GetSession both return in <c>Data</c>.</summary>
internal abstract class SessionData
{
    /// <summary>The session id, <c>session-</c> and 17 lowercase alphanumerics.</summary>
    public string? SessionId { get; set; }

    /// <summary>A browser-openable stream of the session's desktop.</summary>
    public string? ResourceUrl { get; set; }

    /// <summary>The resource id, e.g. <c>p-…</c>.</summary>
    public string? ResourceId { get; set; }

    /// <summary>The app instance id.</summary>
    public string? AppInstanceId { get; set; }

    /// <summary>The token for direct tool calls through <see cref="LinkUrl"/>.</summary>
    public string? Token { get; set; }

    /// <summary>The base URL for direct tool calls.</summary>
    public string? LinkUrl { get; set; }

    /// <summary>The WebSocket URL code runs stream over (AgentBay since SDK v0.16, and AGB).</summary>
    public string? WsUrl { get; set; }

    /// <summary>The tools and their MCP servers: a JSON string of <c>[{name, server, …}]</c> (or the array itself).</summary>
    [JsonConverter(typeof(RawJsonTextConverter))]
    public string? ToolList { get; set; }

    /// <summary>The session as the layers above the wire see it; empty strings read as absent.</summary>
    public SessionRecord ToRecord(string sessionId, RpcEnvelope envelope, string? status) => new(
        sessionId,
        RpcEnvelopeReader.NullIfEmpty(envelope.RequestId),
        status,
        RpcEnvelopeReader.NullIfEmpty(ResourceUrl),
        RpcEnvelopeReader.NullIfEmpty(ResourceId),
        RpcEnvelopeReader.NullIfEmpty(AppInstanceId),
        RpcEnvelopeReader.NullIfEmpty(LinkUrl),
        RpcEnvelopeReader.NullIfEmpty(Token),
        RpcEnvelopeReader.NullIfEmpty(WsUrl),
        ToolServers.Parse(ToolList));
}

/// <summary>CreateMcpSession's <c>Data</c>.</summary>
internal sealed class CreateMcpSessionData : SessionData
{
    /// <summary><see langword="false"/> when creation failed; see <see cref="ErrMsg"/>.</summary>
    [JsonConverter(typeof(LenientBooleanConverter))]
    public bool? Success { get; set; }

    /// <summary>Why creation failed.</summary>
    public string? ErrMsg { get; set; }

    /// <summary>
    /// The created session, or the refusal the answer carries in <c>Data</c> (<see cref="Success"/> false, with
    /// <see cref="ErrMsg"/> cleared of anything resembling the API key) as an exception.
    /// </summary>
    /// <param name="envelope">The answer's envelope.</param>
    /// <param name="status">The answer's HTTP status.</param>
    /// <param name="operation">The operation, for messages.</param>
    /// <param name="sessionIdField">The session id's wire name, for messages (<c>SessionId</c> or <c>sessionId</c>).</param>
    /// <param name="secrets">The redactor for the service's text.</param>
    public SessionRecord ToCreatedRecord(RpcEnvelope envelope, HttpStatusCode status, string operation, string sessionIdField, SecretRedactor secrets)
    {
        if (Success == false)
        {
            var reason = secrets.Redact(RpcEnvelopeReader.NullIfEmpty(ErrMsg)) ?? "Session creation failed";
            throw new AgentBayException(
                $"{operation} failed: {reason} (request id {envelope.RequestId ?? "none"}).",
                RpcEnvelopeReader.NullIfEmpty(envelope.Code), reason, envelope.RequestId, status);
        }

        var sessionId = RpcEnvelopeReader.NullIfEmpty(SessionId)
            ?? throw new AgentBayProtocolException(
                $"{operation} succeeded but named no {sessionIdField} (request id {envelope.RequestId ?? "none"}).", bodyExcerpt: null, envelope.RequestId, status);
        return ToRecord(sessionId, envelope, status: null);
    }
}

/// <summary>GetSession's answer.</summary>
internal sealed class GetSessionResponse : RpcEnvelope
{
    /// <summary>The session.</summary>
    [JsonConverter(typeof(EmbeddedJsonConverter<GetSessionData>))]
    public GetSessionData? Data { get; set; }
}

/// <summary>GetSession's <c>Data</c>.</summary>
internal sealed class GetSessionData : SessionData
{
    /// <summary>The status, e.g. <c>RUNNING</c>.</summary>
    public string? Status { get; set; }
}

/// <summary>GetSessionDetail's answer.</summary>
internal sealed class GetSessionDetailResponse : RpcEnvelope
{
    /// <summary>The detail; only <c>Status</c> is read.</summary>
    [JsonConverter(typeof(EmbeddedJsonConverter<GetSessionDetailData>))]
    public GetSessionDetailData? Data { get; set; }
}

/// <summary>GetSessionDetail's <c>Data</c>.</summary>
internal sealed class GetSessionDetailData
{
    /// <summary>The status: <c>RUNNING</c>, …, <c>FINISH</c> once deleted.</summary>
    public string? Status { get; set; }
}

/// <summary>ListSession's answer: the page in <see cref="Data"/>, the paging fields beside it.</summary>
internal sealed class ListSessionResponse : RpcEnvelope
{
    /// <summary>The sessions on this page; failure envelopes may carry <c>{}</c> instead, read as none.</summary>
    [JsonConverter(typeof(EmbeddedJsonListConverter<List<ListSessionEntry>>))]
    public List<ListSessionEntry>? Data { get; set; }

    /// <summary>The next page's token; empty or absent on the last page.</summary>
    public string? NextToken { get; set; }

    /// <summary>The page size the service used.</summary>
    public int? MaxResults { get; set; }

    /// <summary>How many sessions match in all.</summary>
    public int? TotalCount { get; set; }
}

/// <summary>A session in ListSession's page.</summary>
internal sealed class ListSessionEntry
{
    /// <summary>The session id.</summary>
    public string? SessionId { get; set; }

    /// <summary>The status.</summary>
    public string? SessionStatus { get; set; }
}

/// <summary>GetMcpResource's answer.</summary>
internal sealed class GetMcpResourceResponse : RpcEnvelope
{
    /// <summary>The resource.</summary>
    [JsonConverter(typeof(EmbeddedJsonConverter<GetMcpResourceData>))]
    public GetMcpResourceData? Data { get; set; }
}

/// <summary>GetMcpResource's <c>Data</c>.</summary>
internal sealed class GetMcpResourceData
{
    /// <summary>The session id.</summary>
    public string? SessionId { get; set; }

    /// <summary>The desktop stream URL.</summary>
    public string? ResourceUrl { get; set; }

    /// <summary>Details for the desktop, Android and Web SDKs.</summary>
    [JsonConverter(typeof(EmbeddedJsonConverter<DesktopInfo>))]
    public DesktopInfo? DesktopInfo { get; set; }
}

/// <summary>GetMcpResource's <c>Data.DesktopInfo</c>.</summary>
internal sealed class DesktopInfo
{
    /// <summary>The app id.</summary>
    public string? AppId { get; set; }

    /// <summary>The auth code.</summary>
    public string? AuthCode { get; set; }

    /// <summary>Connection settings, a JSON document; kept as text whether it arrives as a string or an object.</summary>
    [JsonConverter(typeof(RawJsonTextConverter))]
    public string? ConnectionProperties { get; set; }

    /// <summary>The resource id.</summary>
    public string? ResourceId { get; set; }

    /// <summary>The resource type, e.g. <c>AIAgent</c>.</summary>
    public string? ResourceType { get; set; }

    /// <summary>The ticket.</summary>
    public string? Ticket { get; set; }
}

/// <summary>GetLink's answer.</summary>
internal sealed class GetLinkResponse : RpcEnvelope
{
    /// <summary>The link.</summary>
    [JsonConverter(typeof(EmbeddedJsonConverter<GetLinkData>))]
    public GetLinkData? Data { get; set; }
}

/// <summary>GetLink's <c>Data</c>.</summary>
internal sealed class GetLinkData
{
    /// <summary>The URL, <c>wss://…/websocket_ai/…</c> or <c>https://…/request_ai/…/path/</c>.</summary>
    public string? Url { get; set; }
}

/// <summary>CallMcpTool's answer; <c>Data</c> is an MCP <c>CallToolResult</c>.</summary>
internal sealed class CallMcpToolResponse : RpcEnvelope
{
    /// <summary>The tool's result.</summary>
    [JsonConverter(typeof(EmbeddedJsonConverter<McpToolResult>))]
    public McpToolResult? Data { get; set; }
}

/// <summary>An MCP <c>CallToolResult</c>.</summary>
internal sealed class McpToolResult
{
    /// <summary>The content items; the first one's text is the result.</summary>
    public List<McpContent>? Content { get; set; }

    /// <summary>Whether the tool reported an error.</summary>
    [JsonConverter(typeof(LenientBooleanConverter))]
    public bool? IsError { get; set; }
}

/// <summary>An MCP content item.</summary>
internal sealed class McpContent
{
    /// <summary>The type, e.g. <c>text</c>.</summary>
    public string? Type { get; set; }

    /// <summary>The text.</summary>
    public string? Text { get; set; }

    /// <summary>Binary content, base64.</summary>
    public string? Blob { get; set; }

    /// <summary>Image data, base64.</summary>
    public string? Data { get; set; }
}
