namespace AgentBay.Lite.Backend;

/// <summary>What to create.</summary>
/// <param name="ImageId">The image, or <see langword="null"/> for the service default.</param>
/// <param name="Labels">Labels to attach, or <see langword="null"/>.</param>
/// <param name="IdleTimeoutSeconds">Idle seconds before the service releases the session, or <see langword="null"/> for its default.</param>
internal sealed record SessionCreation(string? ImageId, IReadOnlyDictionary<string, string>? Labels, int? IdleTimeoutSeconds = null);

/// <summary>
/// A session as the service describes it, when it is created (CreateMcpSession) or read back (GetSession). Empty
/// strings from the service are read as <see langword="null"/>.
/// </summary>
/// <param name="SessionId">The session's id.</param>
/// <param name="RequestId">The request id of the answer, when given.</param>
/// <param name="Status">The status, e.g. <c>RUNNING</c>; <see langword="null"/> on creation.</param>
/// <param name="ResourceUrl">The desktop stream URL.</param>
/// <param name="ResourceId">The resource id.</param>
/// <param name="AppInstanceId">The app instance id.</param>
/// <param name="LinkUrl">The base URL for direct tool calls, when given.</param>
/// <param name="Token">The token for direct tool calls, when given.</param>
/// <param name="WsUrl">The WebSocket URL code runs stream over, when given.</param>
/// <param name="ToolServers">Tool name → MCP server, from the session's tool list; the direct tool route needs a tool's server.</param>
internal sealed record SessionRecord(
    string SessionId,
    string? RequestId,
    string? Status,
    string? ResourceUrl,
    string? ResourceId,
    string? AppInstanceId,
    string? LinkUrl,
    string? Token,
    string? WsUrl,
    IReadOnlyDictionary<string, string>? ToolServers = null)
{
    /// <summary>Prints the fields except <see cref="Token"/>, a secret.</summary>
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("SessionId = ").Append(SessionId).Append(", Status = ").Append(Status)
            .Append(", LinkUrl = ").Append(LinkUrl).Append(", WsUrl = ").Append(WsUrl)
            .Append(", Token = ").Append(Token is null ? "null" : "(hidden)");
        return true;
    }
}

/// <summary>One ListSession page request.</summary>
/// <param name="Labels">Only sessions carrying all these labels; <see langword="null"/> for any.</param>
/// <param name="Status">Only sessions in this status; <see langword="null"/> for any.</param>
/// <param name="MaxResults">Page size.</param>
/// <param name="NextToken">The token of the page to read; <see langword="null"/> for the first.</param>
internal sealed record SessionListing(IReadOnlyDictionary<string, string>? Labels, string? Status, int MaxResults, string? NextToken);

/// <summary>One page of sessions.</summary>
/// <param name="Items">The sessions on this page.</param>
/// <param name="NextToken">The next page's token; <see langword="null"/> on the last page.</param>
/// <param name="TotalCount">How many sessions match in all, when the service says.</param>
internal sealed record SessionPage(IReadOnlyList<SessionListItem> Items, string? NextToken, int? TotalCount);

/// <summary>A session in a listing.</summary>
internal sealed record SessionListItem(string SessionId, string? Status);

/// <summary>GetMcpResource's answer. Empty strings from the service are read as <see langword="null"/>.</summary>
internal sealed record ResourceRecord(
    string SessionId,
    string? RequestId,
    string? ResourceUrl,
    string? ResourceType,
    string? ResourceId,
    string? AppId,
    string? AuthCode,
    string? ConnectionProperties,
    string? Ticket);

/// <summary>A link the service issued.</summary>
internal sealed record LinkRecord(Uri Url, string? RequestId);

/// <summary>A tool's answer: the text of its first content item, and whether the tool reported an error.</summary>
internal sealed record ToolResult(bool IsError, string Text, string? RequestId);
