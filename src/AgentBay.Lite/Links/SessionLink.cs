using System.Net;

namespace AgentBay.Lite;

/// <summary>A link the service issued for a session: a URL that reaches a service running inside it.</summary>
/// <remarks>
/// <para>
/// The service documents no lifetime for links. <see cref="RetrievedAt"/> says when this one was obtained, so callers
/// that keep links can decide how old is too old.
/// </para>
/// <para>
/// The URL carries the link's access token, so it is a secret: <see cref="ToString"/> shows it with the token
/// replaced by <c>***</c>; pass <see cref="Url"/> itself only to the tool that opens the link.
/// </para>
/// </remarks>
public sealed class SessionLink
{
    /// <summary>The first pause between two knocks of <see cref="WaitUntilReachableAsync"/>; it doubles up to <see cref="MaxReachabilityPollInterval"/>.</summary>
    internal static readonly TimeSpan FirstReachabilityPollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest pause between two knocks of <see cref="WaitUntilReachableAsync"/>.</summary>
    internal static readonly TimeSpan MaxReachabilityPollInterval = TimeSpan.FromSeconds(1);

    private readonly TimeProvider _timeProvider;
    private readonly LinkProbe? _probe;

    internal SessionLink(
        Uri url, LinkRequest request, string sessionId, string? requestId, DateTimeOffset retrievedAt, TimeProvider? timeProvider = null, LinkProbe? probe = null)
    {
        Url = url;
        Request = request;
        SessionId = sessionId;
        RequestId = requestId;
        RetrievedAt = retrievedAt;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _probe = probe;
    }

    /// <summary>
    /// The link. For <see cref="LinkRequest.Cdp"/> and <see cref="LinkRequest.Wss"/> a WebSocket URL, for
    /// <see cref="LinkRequest.Https"/> an HTTP URL. The real service issues <c>wss://</c> and <c>https://</c>; an
    /// emulator listening on plain HTTP issues <c>ws://</c> and <c>http://</c> with the same paths, which the SDK
    /// takes as they are.
    /// </summary>
    public Uri Url { get; }

    /// <summary>What was asked for.</summary>
    public LinkRequest Request { get; }

    /// <summary>The session the link reaches into.</summary>
    public string SessionId { get; }

    /// <summary>The service's id for the GetLink call, or <see langword="null"/> if it gave none.</summary>
    public string? RequestId { get; }

    /// <summary>When the SDK received the link (from the client's clock).</summary>
    public DateTimeOffset RetrievedAt { get; }

    /// <summary>
    /// Waits until the service behind the link answers, instead of sleeping for a guessed time after starting it (the
    /// official guides sleep 3–10 s). Knocks on the link — an HTTP GET for an <c>http(s)</c> link, a WebSocket
    /// handshake, closed at once, for a <c>ws(s)</c> link — first at once, then with pauses growing from 0.1 s to 1 s.
    /// A gateway answer of 502, 503 or 504 (nothing listening in the session yet) or no answer at all means "not yet";
    /// any other answer, the service's own errors included, means reachable.
    /// </summary>
    /// <param name="timeout">How long to wait at most; positive and finite.</param>
    /// <param name="cancellationToken">Cancels the wait and the knock in flight.</param>
    /// <returns>A task that completes when the service answered.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is not positive, or is infinite.</exception>
    /// <exception cref="AgentBayTimeoutException">
    /// The service did not answer within <paramref name="timeout"/>; the message says what the last knock got.
    /// </exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task WaitUntilReachableAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        if (timeout <= TimeSpan.Zero || timeout == Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(
                nameof(timeout), timeout, "The timeout must be positive and finite; to wait without a bound, pass a long timeout and cancel through the token.");
        }

        LinkProbe probe = _probe ?? LinkProbe.Shared;
        using var deadline = new CancellationTokenSource(timeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        TimeSpan pause = FirstReachabilityPollInterval;
        string lastSeen = "no answer yet";
        try
        {
            while (true)
            {
                (HttpStatusCode? status, string? failure) = await probe.KnockAsync(Url, linked.Token).ConfigureAwait(false);
                if (status is { } answered && !IsGatewayNotYet(answered))
                {
                    return;
                }

                lastSeen = status is { } notYet ? $"HTTP {(int)notYet} from the gateway" : $"no answer ({failure})";
                await Task.Delay(pause, _timeProvider, linked.Token).ConfigureAwait(false);
                pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, MaxReachabilityPollInterval.Ticks));
            }
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested && deadline.IsCancellationRequested)
        {
            throw new AgentBayTimeoutException(
                $"The service behind link {this} did not answer within {timeout.TotalSeconds:0.###} s (the timeout given to WaitUntilReachableAsync); the last knock got {lastSeen}. Check that the service in session {SessionId} is started and listens on the linked port, or wait longer.",
                timeout,
                ex);
        }
    }

    /// <summary>Returns the URL with its access token replaced by <c>***</c>, e.g. <c>https://gw:8008/request_ai/***/path/</c>.</summary>
    public override string ToString() => LinkRedaction.Redact(Url);

    /// <summary>The gateway answers these while nothing listens on the linked port (yet).</summary>
    private static bool IsGatewayNotYet(HttpStatusCode status) =>
        status is HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout;
}
