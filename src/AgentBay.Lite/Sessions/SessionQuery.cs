namespace AgentBay.Lite;

/// <summary>Which sessions <see cref="IAgentBayClient.ListSessionsAsync"/> returns, and how many per request.</summary>
public sealed class SessionQuery
{
    /// <summary>The default <see cref="PageSize"/>: 10, as in the official SDKs.</summary>
    public const int DefaultPageSize = 10;

    /// <summary>Only sessions carrying all of these labels (exact key and value). Empty for any.</summary>
    public IDictionary<string, string> Labels { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// Only sessions in this status (e.g. <c>RUNNING</c>, <c>PAUSING</c>, <c>PAUSED</c>, <c>RESUMING</c>,
    /// <c>DELETING</c>, <c>DELETED</c>), or <see langword="null"/> for any. Sent as given; the service decides which
    /// values it accepts.
    /// </summary>
    public string? Status { get; set; }

    /// <summary>How many sessions to ask for per request (the service's <c>MaxResults</c>). Positive; default 10.</summary>
    public int PageSize { get; set; } = DefaultPageSize;
}
