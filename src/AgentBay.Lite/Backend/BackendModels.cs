namespace AgentBay.Lite.Backend;

/// <summary>What to create.</summary>
/// <param name="ImageId">The image, or <see langword="null"/> for the service default.</param>
/// <param name="Labels">Labels to attach, or <see langword="null"/>.</param>
internal sealed record SessionCreation(string? ImageId, IReadOnlyDictionary<string, string>? Labels);

/// <summary>A session the service has just created. Empty strings from the service are read as <see langword="null"/>.</summary>
internal sealed record CreatedSession(
    string SessionId,
    string? RequestId,
    string? ResourceUrl,
    string? ResourceId,
    string? AppInstanceId,
    string? LinkUrl,
    string? Token,
    string? WsUrl);

/// <summary>A session as GetSession reports it.</summary>
internal sealed record SessionRecord(
    string SessionId,
    string? Status,
    string? ResourceUrl,
    string? ResourceId,
    string? AppInstanceId,
    string? LinkUrl,
    string? Token,
    string? WsUrl);

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
