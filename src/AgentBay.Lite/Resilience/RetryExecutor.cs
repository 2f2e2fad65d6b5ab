using System.Diagnostics;
using System.Runtime.ExceptionServices;
using AgentBay.Lite.Backend;
using AgentBay.Lite.Telemetry;

namespace AgentBay.Lite.Resilience;

/// <summary>
/// Runs backend calls with a per-attempt limit (<see cref="AgentBayOptions.Timeout"/>), retries of transient failures
/// with exponential backoff and jitter (<see cref="AgentBayOptions.Retry"/>), and an overall limit
/// (<see cref="AgentBayRetryOptions.TotalTimeout"/>); turns what is left into the <see cref="AgentBayException"/>
/// family. Delays run on the client's <see cref="TimeProvider"/>.
/// </summary>
/// <remarks>
/// A plain loop rather than a resilience library: the SDK needs one retry strategy, and Polly's pipeline builder
/// validates its options through DataAnnotations, which linked <c>TypeDescriptor</c> and, with Polly itself, 1.2 MB
/// into every NativeAOT app on the SDK.
/// </remarks>
internal sealed class RetryExecutor
{
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _attemptTimeout;
    private readonly TimeSpan _totalTimeout;
    private readonly int _maxRetries;
    private readonly TimeSpan _baseDelay;
    private readonly TimeSpan _maxDelay;
    private readonly TimeSpan _maxRetryAfter;

    /// <summary>Creates the executor.</summary>
    /// <param name="options">The retry settings.</param>
    /// <param name="attemptTimeout">The limit per attempt (<see cref="AgentBayOptions.Timeout"/>).</param>
    /// <param name="timeProvider">The clock for limits and delays.</param>
    public RetryExecutor(AgentBayRetryOptions options, TimeSpan attemptTimeout, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _timeProvider = timeProvider;
        _attemptTimeout = attemptTimeout;
        _totalTimeout = options.TotalTimeout;
        _maxRetries = options.MaxRetries;
        _baseDelay = options.BaseDelay;
        _maxDelay = options.MaxDelay;
        _maxRetryAfter = options.MaxRetryAfter;
    }

    /// <summary>Runs <paramref name="call"/> until it succeeds, fails for good, or a limit is hit.</summary>
    /// <param name="backend">The backend.</param>
    /// <param name="state">The call's arguments.</param>
    /// <param name="call">One attempt.</param>
    /// <param name="safety">Whether the operation may be repeated after it may have reached the service.</param>
    /// <param name="telemetry">The operation's telemetry, told of each attempt.</param>
    /// <param name="cancellationToken">The caller's token; its cancellation surfaces as <see cref="OperationCanceledException"/>.</param>
    /// <param name="lifetime">The client's lifetime; disposing the client ends the attempt in flight and stops retries.</param>
    public async Task<T> ExecuteAsync<TState, T>(
        IAgentBayBackend backend,
        TState state,
        Func<IAgentBayBackend, TState, CancellationToken, Task<T>> call,
        CallSafety safety,
        OperationScope telemetry,
        CancellationToken cancellationToken,
        CancellationToken lifetime)
    {
        // One timer at a time: each attempt's limit is the smaller of AgentBayOptions.Timeout and what is left of
        // Retry.TotalTimeout, and backoff delays are clamped to what is left.
        long started = _timeProvider.GetTimestamp();
        Func<Exception, bool> isTransient = safety == CallSafety.Repeatable ? TransientFaults.IsTransient : TransientFaults.NeverSent;
        int attempts = 0;

        // One token for the caller and the client's lifetime: the attempts run under it and the backoff waits on it.
        using var callSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime);
        CancellationToken callToken = callSource.Token;
        try
        {
            while (true)
            {
                TimeSpan remaining = Remaining(started);
                if (attempts > 0 && remaining != Timeout.InfiniteTimeSpan && remaining <= TimeSpan.Zero)
                {
                    // The wait before this retry used up the overall limit.
                    throw new TotalTimeoutException(null);
                }

                attempts++;
                Exception failure;
                using (AttemptLimit limit = StartAttempt(remaining, callToken))
                {
                    long attemptStarted = _timeProvider.GetTimestamp();
                    Activity? span = telemetry.StartAttempt(attempts);
                    try
                    {
                        T answer = await call(backend, state, limit.Token).ConfigureAwait(false);
                        telemetry.AttemptEnded(span, attemptStarted, answer, error: null);
                        return answer;
                    }
                    catch (OperationCanceledException ex) when (limit.Expired)
                    {
                        failure = limit.Timeout(ex);
                    }
                    catch (Exception ex)
                    {
                        failure = ex;
                    }

                    telemetry.AttemptEnded(span, attemptStarted, default(T), failure);
                }

                // A disposed client reports the failure as its disposal's cause (below); a failure worth retrying that
                // came back as the caller cancelled ends in the cancellation, as it would have a moment later in the wait.
                if (attempts > _maxRetries || lifetime.IsCancellationRequested || !ShouldRetry(failure, Remaining(started), isTransient))
                {
                    ExceptionDispatchInfo.Throw(failure);
                }

                cancellationToken.ThrowIfCancellationRequested();
                await WaitBeforeRetryAsync(failure, retry: attempts - 1, started, callToken).ConfigureAwait(false);
            }
        }
        catch (TotalTimeoutException ex)
        {
            throw new AgentBayTimeoutException(
                $"The AgentBay call did not succeed within {Seconds(_totalTimeout)} s overall (AgentBayOptions.Retry.TotalTimeout) after {Attempts(attempts)}. The service may be overloaded or unreachable; raise Retry.TotalTimeout to keep trying longer.",
                _totalTimeout,
                ex.InnerException);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            if (lifetime.IsCancellationRequested)
            {
                throw Abandoned(ex);
            }

            throw new AgentBayTimeoutException(
                "The AgentBay request was cancelled although the caller did not cancel it, usually because the HttpClient's own Timeout elapsed. Raise HttpClient.Timeout on the HttpClient given in AgentBayOptions.HttpClient.",
                ex);
        }
        catch (AttemptTimeoutException ex)
        {
            string retried = safety == CallSafety.NotRepeatable
                ? " It was not repeated, because the service may have acted on it (creating a session or calling a tool is never repeated then)."
                : $" That was {Attempts(attempts)} (AgentBayOptions.Retry.MaxRetries is {_maxRetries}).";
            throw new AgentBayTimeoutException(
                $"The AgentBay service did not answer within {Seconds(_attemptTimeout)} s (AgentBayOptions.Timeout, the limit per attempt, or AGENTBAY_TIMEOUT_MS).{retried} Raise the limit if the service is slow, or check the network path to the gateway.",
                _attemptTimeout,
                ex.InnerException);
        }
        catch (AgentBayException ex) when (ex.Transport != TransportFailure.None && lifetime.IsCancellationRequested)
        {
            // The client's own HttpClient was disposed under the request, e.g. while its answer was being read.
            throw Abandoned(ex.InnerException ?? ex);
        }
        catch (AgentBayException ex) when (ex.Transport is TransportFailure.NotSent or TransportFailure.MaybeSent)
        {
            string retried = safety == CallSafety.NotRepeatable && ex.Transport != TransportFailure.NotSent
                ? "It was not repeated, because the request may have reached the service (creating a session or calling a tool is repeated only when it provably was not sent)."
                : $"Gave up after {Attempts(attempts)} (AgentBayOptions.Retry.MaxRetries is {_maxRetries}).";
            throw new AgentBayException($"{ex.Message} {retried}", ex.InnerException) { Transport = ex.Transport };
        }
    }

    /// <summary>
    /// Starts an attempt's limit: the smaller of <see cref="AgentBayOptions.Timeout"/> and <paramref name="remaining"/>
    /// of the overall limit, cut short by <paramref name="call"/> (the caller or the client's disposal).
    /// </summary>
    private AttemptLimit StartAttempt(TimeSpan remaining, CancellationToken call)
    {
        bool totalIsTighter = remaining != Timeout.InfiniteTimeSpan && (_attemptTimeout == Timeout.InfiniteTimeSpan || remaining < _attemptTimeout);
        TimeSpan limit = totalIsTighter ? (remaining > TimeSpan.Zero ? remaining : TimeSpan.FromTicks(1)) : _attemptTimeout;
        var source = limit == Timeout.InfiniteTimeSpan ? new CancellationTokenSource() : new CancellationTokenSource(limit, _timeProvider);
        return new AttemptLimit(source, _attemptTimeout, totalIsTighter, call);
    }

    /// <summary>What is left of <see cref="AgentBayRetryOptions.TotalTimeout"/> for a call that started at <paramref name="started"/>.</summary>
    private TimeSpan Remaining(long started) =>
        _totalTimeout == Timeout.InfiniteTimeSpan ? Timeout.InfiniteTimeSpan : _totalTimeout - _timeProvider.GetElapsedTime(started);

    private bool ShouldRetry(Exception error, TimeSpan remaining, Func<Exception, bool> isTransient)
    {
        if (!isTransient(error))
        {
            return false;
        }

        // A Retry-After beyond Retry.MaxRetryAfter or the overall limit is not waited for: surface the throttling now
        // rather than park the call or time out.
        return error is not AgentBayThrottledException { RetryAfter: { } retryAfter }
            || (retryAfter <= _maxRetryAfter && (remaining == Timeout.InfiniteTimeSpan || retryAfter < remaining));
    }

    /// <summary>
    /// Waits before retry number <paramref name="retry"/> (0 for the first): the service's Retry-After when it gave one,
    /// else exponential backoff with jitter (between half and all of BaseDelay × 2^retry, capped at MaxDelay); never
    /// longer than what is left of the overall limit, so the next attempt reports it. <paramref name="call"/> (the
    /// caller's cancellation or the client's disposal) ends the wait.
    /// </summary>
    private async Task WaitBeforeRetryAsync(Exception error, int retry, long started, CancellationToken call)
    {
        TimeSpan delay;
        if (error is AgentBayThrottledException { RetryAfter: { } retryAfter } && retryAfter > TimeSpan.Zero)
        {
            delay = retryAfter;
        }
        else
        {
            double ceiling = Math.Min(_maxDelay.TotalMilliseconds, _baseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(retry, 30)));
            double floor = Math.Min(_baseDelay.TotalMilliseconds, ceiling) / 2;
            delay = TimeSpan.FromMilliseconds(floor + (Random.Shared.NextDouble() * (ceiling - floor)));
        }

        TimeSpan remaining = Remaining(started);
        if (remaining != Timeout.InfiniteTimeSpan && remaining < delay)
        {
            delay = remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero;
        }

        await Task.Delay(delay, _timeProvider, call).ConfigureAwait(false);
    }

    private static ObjectDisposedException Abandoned(Exception cause) =>
        new($"The {nameof(AgentBayClient)} was disposed while the request was in progress; it was abandoned.", cause);

    private static string Seconds(TimeSpan value) => value.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);

    private static string Attempts(int attempts) => attempts > 1 ? $"{attempts} attempts" : "1 attempt";

    /// <summary>The overall limit ran out; internal, it ends the retries and becomes <see cref="AgentBayTimeoutException"/>.</summary>
    private sealed class TotalTimeoutException(Exception? innerException)
        : TimeoutException("AgentBayOptions.Retry.TotalTimeout ran out.", innerException);

    /// <summary>
    /// One attempt's limit: a token source of its own carrying the attempt's timer, into which the call's token (the
    /// caller's and the client's lifetime, linked) is forwarded.
    /// </summary>
    private readonly struct AttemptLimit : IDisposable
    {
        private readonly CancellationTokenSource _source;
        private readonly CancellationTokenRegistration _fromCall;
        private readonly CancellationToken _call;
        private readonly TimeSpan _attemptTimeout;
        private readonly bool _totalIsTighter;

        public AttemptLimit(CancellationTokenSource source, TimeSpan attemptTimeout, bool totalIsTighter, CancellationToken call)
        {
            _source = source;
            _call = call;
            _attemptTimeout = attemptTimeout;
            _totalIsTighter = totalIsTighter;
            _fromCall = call.UnsafeRegister(static source => ((CancellationTokenSource)source!).Cancel(), source);
        }

        /// <summary>The token the attempt runs on.</summary>
        public CancellationToken Token => _source.Token;

        /// <summary>Whether the attempt's own timer, not the caller or the client's disposal, cancelled it.</summary>
        public bool Expired => _source.IsCancellationRequested && !_call.IsCancellationRequested;

        /// <summary>The internal exception an expired attempt becomes: the overall limit's or the attempt's own.</summary>
        public TimeoutException Timeout(OperationCanceledException cancellation) => _totalIsTighter
            ? new TotalTimeoutException(cancellation)
            : new AttemptTimeoutException($"The attempt exceeded AgentBayOptions.Timeout ({_attemptTimeout}).", cancellation);

        public void Dispose()
        {
            _fromCall.Dispose();
            _source.Dispose();
        }
    }
}
