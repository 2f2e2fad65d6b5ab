using System.Text.Json.Serialization;
using AgentBay.Lite.Rpc;

namespace AgentBay.Lite.Agb;

// Request bodies: camelCase through AgbJsonContext, nulls left out.

/// <summary>The body of the routes that name one session: <c>{"sessionId":…}</c>.</summary>
internal sealed record AgbSessionBody(string SessionId);

/// <summary>The <c>{}</c> the AGB SDKs send on a POST with nothing to say.</summary>
internal sealed record AgbEmptyBody
{
    public static readonly AgbEmptyBody Instance = new();
}

/// <summary>createSession's body; the image id and sdkStats go in the query.</summary>
internal sealed record AgbCreateSessionBody
{
    /// <summary>Labels as a JSON object string (not an object), as the AGB SDKs send them.</summary>
    public string? Labels { get; init; }

    /// <summary>After how many idle seconds the service releases the session; absent for its default.</summary>
    public int? Timeout { get; init; }
}

/// <summary>The API tool route's body.</summary>
/// <param name="Args">The tool's arguments: a JSON object, sent as a string.</param>
/// <param name="SessionId">The session.</param>
/// <param name="Name">The tool.</param>
internal sealed record AgbCallToolBody(string Args, string SessionId, string Name);

/// <summary>ListSession's answer: AGB counts the matches in <c>count</c> where AgentBay says <c>TotalCount</c>.</summary>
internal sealed class AgbListSessionResponse : RpcEnvelope
{
    /// <summary>The sessions on this page; failure envelopes may carry <c>{}</c> instead, read as none.</summary>
    [JsonConverter(typeof(EmbeddedJsonListConverter<List<ListSessionEntry>>))]
    public List<ListSessionEntry>? Data { get; set; }

    /// <summary>The next page's token; empty or absent on the last page.</summary>
    public string? NextToken { get; set; }

    /// <summary>The page size the service used.</summary>
    public int? MaxResults { get; set; }

    /// <summary>How many sessions match.</summary>
    public int? Count { get; set; }
}

/// <summary>
/// JSON metadata for the AGB transport: camelCase bodies out; answers in, read as tolerantly as the RPC ones (names in
/// any casing, numbers from strings, <c>data</c> as an object or a JSON string holding one).
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    PropertyNameCaseInsensitive = true,
    NumberHandling = JsonNumberHandling.AllowReadingFromString,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(AgbSessionBody))]
[JsonSerializable(typeof(AgbEmptyBody))]
[JsonSerializable(typeof(AgbCreateSessionBody))]
[JsonSerializable(typeof(AgbCallToolBody))]
[JsonSerializable(typeof(RpcEnvelope))]
[JsonSerializable(typeof(CreateMcpSessionResponse))]
[JsonSerializable(typeof(GetSessionResponse))]
[JsonSerializable(typeof(GetSessionDetailResponse))]
[JsonSerializable(typeof(AgbListSessionResponse))]
[JsonSerializable(typeof(GetMcpResourceResponse))]
[JsonSerializable(typeof(GetLinkResponse))]
[JsonSerializable(typeof(CallMcpToolResponse))]
// Data types are read through EmbeddedJsonConverter, which asks the context for them by type.
[JsonSerializable(typeof(CreateMcpSessionData))]
[JsonSerializable(typeof(GetSessionData))]
[JsonSerializable(typeof(GetSessionDetailData))]
[JsonSerializable(typeof(List<ListSessionEntry>))]
[JsonSerializable(typeof(GetMcpResourceData))]
[JsonSerializable(typeof(DesktopInfo))]
[JsonSerializable(typeof(GetLinkData))]
[JsonSerializable(typeof(McpToolResult))]
internal sealed partial class AgbJsonContext : JsonSerializerContext;
