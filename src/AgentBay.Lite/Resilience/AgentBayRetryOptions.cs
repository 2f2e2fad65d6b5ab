namespace AgentBay.Lite;

/// <summary>
/// How <see cref="AgentBayClient"/> retries transient failures: exponential backoff with jitter, bounded by
/// <see cref="MaxRetries"/> and by <see cref="TotalTimeout"/>.
/// </summary>
/// <remarks>
/// <para>
/// Retried: HTTP 5xx answers, throttling (HTTP 429 or a <c>Throttling*</c> code; a <c>Retry-After</c> from the service
/// replaces the computed delay), connection failures, bodies cut off mid-response, and attempts that exceeded
/// <see cref="AgentBayOptions.Timeout"/>. Only operations that are safe to repeat are retried this way: reading links,
/// sessions, session details, resources and listings, and requesting a deletion.
/// </para>
/// <para>
/// Creating a session and calling a tool (running a command, reading or writing a file) are retried only when the
/// request provably never left this machine: the gateway's name did not resolve, or the connection was refused or the
/// host/network was unreachable before anything was sent. Any other failure surfaces at once, because a repeat could
/// create a second session or run a command twice.
/// </para>
/// <para>
/// Never retried: authentication failures, not-found and other 4xx answers, malformed answers, and cancellation by
/// the caller. A <c>Retry-After</c> longer than <see cref="MaxRetryAfter"/>, or than what is left of
/// <see cref="TotalTimeout"/>, is not waited for: the throttling error surfaces instead, carrying the service's
/// <see cref="AgentBayThrottledException.RetryAfter"/>.
/// </para>
/// </remarks>
public sealed class AgentBayRetryOptions
{
    /// <summary>The default <see cref="MaxRetries"/>: 3 retries, so at most 4 attempts.</summary>
    public const int DefaultMaxRetries = 3;

    /// <summary>The default <see cref="BaseDelay"/>: 200 milliseconds.</summary>
    public static TimeSpan DefaultBaseDelay { get; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The default <see cref="MaxDelay"/>: 5 seconds.</summary>
    public static TimeSpan DefaultMaxDelay { get; } = TimeSpan.FromSeconds(5);

    /// <summary>The default <see cref="MaxRetryAfter"/>: 1 minute.</summary>
    public static TimeSpan DefaultMaxRetryAfter { get; } = TimeSpan.FromMinutes(1);

    /// <summary>The default <see cref="TotalTimeout"/>: 2 minutes.</summary>
    public static TimeSpan DefaultTotalTimeout { get; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// How many times a failed request is repeated; 0 turns retries off. Default <see cref="DefaultMaxRetries"/>;
    /// at most 100.
    /// </summary>
    public int MaxRetries { get; set; } = DefaultMaxRetries;

    /// <summary>
    /// The delay before the first retry; each further retry waits about twice as long, with random jitter, up to
    /// <see cref="MaxDelay"/>. Positive; default <see cref="DefaultBaseDelay"/>.
    /// </summary>
    public TimeSpan BaseDelay { get; set; } = DefaultBaseDelay;

    /// <summary>The longest computed delay between attempts. At least <see cref="BaseDelay"/>; default <see cref="DefaultMaxDelay"/>.</summary>
    public TimeSpan MaxDelay { get; set; } = DefaultMaxDelay;

    /// <summary>
    /// The limit on one call including all its attempts and the delays between them; hitting it throws
    /// <see cref="AgentBayTimeoutException"/>. Each attempt is separately limited by <see cref="AgentBayOptions.Timeout"/>.
    /// Positive, or <see cref="System.Threading.Timeout.InfiniteTimeSpan"/> for no overall limit; default
    /// <see cref="DefaultTotalTimeout"/>.
    /// </summary>
    public TimeSpan TotalTimeout { get; set; } = DefaultTotalTimeout;

    /// <summary>
    /// The longest <c>Retry-After</c> the SDK waits for on its own; a throttled answer asking for more surfaces as
    /// <see cref="AgentBayThrottledException"/> at once, so a wrong or hostile header cannot park a call for days
    /// (even with an infinite <see cref="TotalTimeout"/>). Not negative; default <see cref="DefaultMaxRetryAfter"/>.
    /// </summary>
    public TimeSpan MaxRetryAfter { get; set; } = DefaultMaxRetryAfter;

    /// <summary>Adds a message per invalid setting to <paramref name="errors"/>.</summary>
    internal void Validate(List<string> errors)
    {
        if (MaxRetries is < 0 or > 100)
        {
            errors.Add($"AgentBayOptions.Retry.MaxRetries is {MaxRetries}; it must be between 0 (no retries) and 100. The default is {DefaultMaxRetries}.");
        }

        if (BaseDelay <= TimeSpan.Zero || BaseDelay.TotalMilliseconds > int.MaxValue)
        {
            errors.Add($"AgentBayOptions.Retry.BaseDelay is {BaseDelay}; it must be positive (and under 24 days). The default is 200 ms.");
        }

        if (MaxDelay < BaseDelay || MaxDelay.TotalMilliseconds > int.MaxValue)
        {
            errors.Add($"AgentBayOptions.Retry.MaxDelay is {MaxDelay}; it must be at least BaseDelay ({BaseDelay}) and under 24 days. The default is 5 seconds.");
        }

        if (MaxRetryAfter < TimeSpan.Zero || MaxRetryAfter.TotalMilliseconds > int.MaxValue)
        {
            errors.Add($"AgentBayOptions.Retry.MaxRetryAfter is {MaxRetryAfter}; it must not be negative (and under 24 days). The default is 1 minute.");
        }

        if (TotalTimeout != System.Threading.Timeout.InfiniteTimeSpan
            && (TotalTimeout <= TimeSpan.Zero || TotalTimeout.TotalMilliseconds > int.MaxValue))
        {
            errors.Add($"AgentBayOptions.Retry.TotalTimeout is {TotalTimeout}; it must be positive (or Timeout.InfiniteTimeSpan for no overall limit). The default is 2 minutes.");
        }
    }
}
