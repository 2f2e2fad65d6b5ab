using AgentBay.Lite.Http;

namespace AgentBay.Lite.Rpc;

// Form bodies, field names exactly as agentbay-rpc.md §3 spells them. The generator writes one field per property,
// base properties first, and omits nulls.

/// <summary>The field every action carries: the API key as <c>Bearer &lt;key&gt;</c>.</summary>
internal record RpcForm(string Authorization);

/// <summary>The body of the actions that name one session.</summary>
internal sealed record SessionForm(string Authorization, string SessionId) : RpcForm(Authorization);

/// <summary>CreateMcpSession's body.</summary>
internal sealed record CreateMcpSessionForm(string Authorization) : RpcForm(Authorization)
{
    /// <summary>The image; <see langword="null"/> for the service default.</summary>
    public string? ImageId { get; init; }

    /// <summary>Labels, sent as a JSON object string.</summary>
    [FormJson]
    public Dictionary<string, string>? Labels { get; init; }

    /// <summary>Where the session runs; <see langword="null"/> for the service default.</summary>
    public string? LoginRegionId { get; init; }

    /// <summary>The client identity the official SDKs send, already a JSON string.</summary>
    public string? SdkStats { get; init; }

    /// <summary>After how many idle seconds the service releases the session (agentbay-rpc.md §11); absent for its default.</summary>
    public int? Timeout { get; init; }
}

/// <summary>ListSession's body.</summary>
internal sealed record ListSessionForm(string Authorization, int MaxResults) : RpcForm(Authorization)
{
    /// <summary>The label filter; the official SDKs always send it, <c>{}</c> when unfiltered.</summary>
    [FormJson]
    public Dictionary<string, string> Labels { get; init; } = [];

    /// <summary>The page to read; <see langword="null"/> for the first.</summary>
    public string? NextToken { get; init; }

    /// <summary>The status filter, e.g. <c>RUNNING</c>.</summary>
    public string? Status { get; init; }
}

/// <summary>GetLink's body. Both optional fields absent asks for the browser's CDP endpoint.</summary>
internal sealed record GetLinkForm(string Authorization, string SessionId) : RpcForm(Authorization)
{
    /// <summary><c>https</c> or <c>wss</c>; absent with a port means <c>wss</c>.</summary>
    public string? ProtocolType { get; init; }

    /// <summary>The port in the session, 30100–30199.</summary>
    public int? Port { get; init; }
}

/// <summary>CallMcpTool's body.</summary>
internal sealed record CallMcpToolForm(string Authorization, string SessionId, string Name, string Args) : RpcForm(Authorization)
{
    /// <summary>Sent as <c>false</c>, as every official SDK does.</summary>
    public bool AutoGenSession { get; init; }
}
