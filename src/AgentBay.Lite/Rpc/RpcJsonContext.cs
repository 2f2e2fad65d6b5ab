using System.Text.Json.Serialization;

namespace AgentBay.Lite.Rpc;

/// <summary>
/// JSON metadata for the RPC transport: form fields sent as JSON strings, and every response. Names are matched
/// case-insensitively and numbers may arrive as strings, so minor server variations read fine; anything else that
/// does not fit is reported as an <see cref="AgentBayProtocolException"/>.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNameCaseInsensitive = true,
    NumberHandling = JsonNumberHandling.AllowReadingFromString,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(RpcEnvelope))]
[JsonSerializable(typeof(CreateMcpSessionResponse))]
[JsonSerializable(typeof(GetSessionResponse))]
[JsonSerializable(typeof(GetSessionDetailResponse))]
[JsonSerializable(typeof(ListSessionResponse))]
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
internal sealed partial class RpcJsonContext : JsonSerializerContext;
