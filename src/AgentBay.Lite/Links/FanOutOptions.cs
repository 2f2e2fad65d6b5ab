namespace AgentBay.Lite;

/// <summary>How many links a batch (<c>GetLinksAsync</c>, <c>StreamLinksAsync</c>) fetches at once.</summary>
public sealed class FanOutOptions
{
    /// <summary>The default concurrency, 64: enough to hide the service's latency, well under the client's 256 connections per gateway.</summary>
    public const int DefaultMaxConcurrency = 64;

    /// <summary>At most this many link requests are in flight at once. Default <see cref="DefaultMaxConcurrency"/>; must be positive.</summary>
    public int MaxConcurrency { get; set; } = DefaultMaxConcurrency;
}
