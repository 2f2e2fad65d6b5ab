namespace AgentBay.Lite;

/// <summary>What kind of session <see cref="IAgentBayClient.CreateSessionAsync"/> creates.</summary>
public sealed class CreateSessionOptions
{
    /// <summary>
    /// The image, e.g. <c>linux_latest</c>, <c>browser_latest</c> (needed for <see cref="LinkRequest.Cdp"/>),
    /// <c>code_latest</c> or a custom <c>imgc-…</c> id; <see langword="null"/> for the service's default.
    /// </summary>
    public string? ImageId { get; set; }

    /// <summary>
    /// After how long without activity the service releases the session (CreateMcpSession's <c>Timeout</c>, sent in
    /// whole seconds, rounded up); <see langword="null"/> for the service's default. Positive. Keep a session alive
    /// past it with <see cref="AgentBaySession.KeepAliveAsync"/>.
    /// </summary>
    public TimeSpan? IdleTimeout { get; set; }

    /// <summary>Labels to attach to the session (keys must not be empty), for finding it again with <see cref="SessionQuery.Labels"/>.</summary>
    public IDictionary<string, string> Labels { get; } = new Dictionary<string, string>(StringComparer.Ordinal);
}
