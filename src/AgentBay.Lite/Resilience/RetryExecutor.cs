using System.Runtime.ExceptionServices;
using AgentBay.Lite.Backend;
using Polly;
using Polly.Retry;

namespace AgentBay.Lite.Resilience;

/// <summary>
/// Runs backend calls with a per-attempt limit (<see cref="AgentBayOptions.Timeout"/>), retries of transient failures
/// through a Polly pipeline (<see cref="AgentBayOptions.Retry"/>), and an overall limit
/// (<see cref="AgentBayRetryOptions.TotalTimeout"/>); turns what is left into the <see cref="AgentBayException"/>
/// family. Delays run on the client's <see cref="TimeProvider"/>.
/// </summary>
internal sealed class RetryExecutor
{
    private static readonly ResiliencePropertyKey<Budget> BudgetKey = new("AgentBay.Lite.RetryBudget");

    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _attemptTimeout;
    private readonly TimeSpan _totalTimeout;
    private readonly int _maxRetries;
    private readonly RetryPolicy _repeatable;
    private readonly RetryPolicy _notRepeatable;

    public RetryExecutor(AgentBayRetryOptions options, TimeSpan attemptTimeout, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _timeProvider = timeProvider;
        _attemptTimeout = attemptTimeout;
        _totalTimeout = options.TotalTimeout;
        _maxRetries = options.MaxRetries;
        _repeatable = Build(options, timeProvider, TransientFaults.IsTransient);
        _notRepeatable = Build(options, timeProvider, TransientFaults.NeverSent);
    }

    /// <summary>Runs <paramref name="call"/> until it succeeds, fails for good, or a limit is hit.</summary>
    /// <param name="backend">The backend.</param>
    /// <param name="state">The call's arguments.</param>
    /// <param name="call">One attempt.</param>
    /// <param name="safety">Whether the operation may be repeated after it may have reached the service.</param>
    /// <param name="cancellationToken">The caller's token; its cancellation surfaces as <see cref="OperationCanceledException"/>.</param>
    /// <param name="lifetime">The client's lifetime; disposing the client stops retries.</param>
    public async Task<T> ExecuteAsync<TState, T>(
        IAgentBayBackend backend,
        TState state,
        Func<IAgentBayBackend, TState, CancellationToken, Task<T>> call,
        CallSafety safety,
        CancellationToken cancellationToken,
        CancellationToken lifetime)
    {
        // One timer at a time: each attempt's limit is the smaller of AgentBayOptions.Timeout and what is left of
        // Retry.TotalTimeout, and backoff delays are clamped to what is left.
        // A caller's token that cannot be cancelled needs no link: the client's lifetime token alone stops the call.
        using CancellationTokenSource? linked = cancellationToken.CanBeCanceled
            ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime)
            : null;
        CancellationToken token = linked?.Token ?? lifetime;
        var budget = new Budget(_timeProvider, _timeProvider.GetTimestamp(), _totalTimeout);
        var attempt = new Attempt<TState, T>(backend, state, call, _attemptTimeout, budget, _timeProvider);
        RetryPolicy policy = safety == CallSafety.Repeatable ? _repeatable : _notRepeatable;
        try
        {
            // The first attempt runs outside the Polly pipeline, because most calls succeed at once and the pipeline
            // costs about a microsecond a call. A failure worth retrying enters the pipeline as its first outcome,
            // so the retries, delays and limits are exactly those of a pipeline that had made the attempt itself.
            try
            {
                return await attempt.RunAsync(token).ConfigureAwait(false);
            }
            catch (Exception ex) when (_maxRetries > 0 && ShouldRetry(ex, budget, policy.IsTransient, token))
            {
                attempt.ReplayNext(ex);
            }

            ResilienceContext context = ResilienceContextPool.Shared.Get(token);
            context.Properties.Set(BudgetKey, budget);
            try
            {
                return await policy.Pipeline.ExecuteAsync(
                    static (context, attempt) => attempt.RunAsync(context.CancellationToken),
                    context,
                    attempt).ConfigureAwait(false);
            }
            finally
            {
                ResilienceContextPool.Shared.Return(context);
            }
        }
        catch (TotalTimeoutException ex)
        {
            throw new AgentBayTimeoutException(
                $"The AgentBay call did not succeed within {Seconds(_totalTimeout)} s overall (AgentBayOptions.Retry.TotalTimeout) after {Attempts(attempt.Count)}. The service may be overloaded or unreachable; raise Retry.TotalTimeout to keep trying longer.",
                _totalTimeout,
                ex.InnerException);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            if (lifetime.IsCancellationRequested)
            {
                throw new ObjectDisposedException(
                    $"The {nameof(AgentBayClient)} was disposed while the request was in progress; it was abandoned.", ex);
            }

            throw new AgentBayTimeoutException(
                "The AgentBay request was cancelled although the caller did not cancel it, usually because the HttpClient's own Timeout elapsed. Raise HttpClient.Timeout on the HttpClient given in AgentBayOptions.HttpClient.",
                ex);
        }
        catch (AttemptTimeoutException ex)
        {
            string retried = safety == CallSafety.NotRepeatable
                ? " It was not repeated, because the service may have acted on it (creating a session or calling a tool is never repeated then)."
                : $" That was {Attempts(attempt.Count)} (AgentBayOptions.Retry.MaxRetries is {_maxRetries}).";
            throw new AgentBayTimeoutException(
                $"The AgentBay service did not answer within {Seconds(_attemptTimeout)} s (AgentBayOptions.Timeout, the limit per attempt, or AGENTBAY_TIMEOUT_MS).{retried} Raise the limit if the service is slow, or check the network path to the gateway.",
                _attemptTimeout,
                ex.InnerException);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            string retried = safety == CallSafety.NotRepeatable && !TransientFaults.NeverSent(ex)
                ? "It was not repeated, because the request may have reached the service (creating a session or calling a tool is repeated only when it provably was not sent)."
                : $"Gave up after {Attempts(attempt.Count)} (AgentBayOptions.Retry.MaxRetries is {_maxRetries}).";
            throw new AgentBayException(
                $"The AgentBay service could not be reached or its answer was cut off: {ex.Message} {retried} Check AgentBayOptions.Endpoint and the network path to the gateway.",
                ex);
        }
        catch (Exception ex) when (TransientFaults.IsParseFailure(ex))
        {
            throw new AgentBayProtocolException(
                $"The AgentBay service's answer could not be read ({ex.GetType().Name}: {ex.Message}). A proxy may have answered instead of the service, or the service is newer than this SDK.",
                ex);
        }
    }

    private static RetryPolicy Build(AgentBayRetryOptions options, TimeProvider timeProvider, Func<Exception, bool> transient)
    {
        if (options.MaxRetries == 0)
        {
            return new(transient, ResiliencePipeline.Empty);
        }

        return new(transient, new ResiliencePipelineBuilder { TimeProvider = timeProvider }
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.BaseDelay,
                MaxDelay = options.MaxDelay,
                ShouldHandle = args => new ValueTask<bool>(
                    args.Outcome.Exception is { } error
                    && ShouldRetry(error, BudgetOf(args.Context), transient, args.Context.CancellationToken)),
                DelayGenerator = args => new ValueTask<TimeSpan?>(Delay(args.Outcome.Exception, args.AttemptNumber, args.Context, options)),
            })
            .Build());
    }

    private static Budget? BudgetOf(ResilienceContext context) =>
        context.Properties.TryGetValue(BudgetKey, out Budget? budget) ? budget : null;

    private static bool ShouldRetry(Exception error, Budget? budget, Func<Exception, bool> transient, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested || !transient(error))
        {
            return false;
        }

        // A Retry-After beyond the overall limit cannot be honoured: surface the throttling now rather than time out.
        return error is not AgentBayThrottledException { RetryAfter: { } retryAfter } || budget is null || retryAfter < budget.Remaining;
    }

    /// <summary>
    /// The service's Retry-After when it gave one, else exponential backoff with full jitter (BaseDelay × 2^attempt,
    /// capped at MaxDelay); never longer than what is left of the overall limit, so the next attempt reports it.
    /// </summary>
    private static TimeSpan Delay(Exception? error, int attemptNumber, ResilienceContext context, AgentBayRetryOptions options)
    {
        TimeSpan delay;
        if (error is AgentBayThrottledException { RetryAfter: { } retryAfter } && retryAfter > TimeSpan.Zero)
        {
            delay = retryAfter;
        }
        else
        {
            double ceiling = Math.Min(options.MaxDelay.TotalMilliseconds, options.BaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attemptNumber, 30)));
            double floor = Math.Min(options.BaseDelay.TotalMilliseconds, ceiling) / 2;
            delay = TimeSpan.FromMilliseconds(floor + (Random.Shared.NextDouble() * (ceiling - floor)));
        }

        if (BudgetOf(context)?.Remaining is { } remaining && remaining < delay)
        {
            delay = remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero;
        }

        return delay;
    }

    private static string Seconds(TimeSpan value) => value.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);

    private static string Attempts(int count) => count == 1 ? "1 attempt" : $"{count} attempts";

    /// <summary>Which failures an operation retries, and the pipeline that retries them.</summary>
    private sealed record RetryPolicy(Func<Exception, bool> IsTransient, ResiliencePipeline Pipeline);

    /// <summary>What is left of the overall limit.</summary>
    private sealed class Budget(TimeProvider timeProvider, long start, TimeSpan total)
    {
        public bool Unlimited => total == Timeout.InfiniteTimeSpan;

        public TimeSpan Remaining => Unlimited ? TimeSpan.MaxValue : total - timeProvider.GetElapsedTime(start);
    }

    /// <summary>The overall limit ran out; internal, it ends the retries and becomes <see cref="AgentBayTimeoutException"/>.</summary>
    private sealed class TotalTimeoutException(Exception? innerException)
        : TimeoutException("AgentBayOptions.Retry.TotalTimeout ran out.", innerException);

    /// <summary>One call's attempts, each under the per-attempt limit.</summary>
    private sealed class Attempt<TState, T>(
        IAgentBayBackend backend,
        TState state,
        Func<IAgentBayBackend, TState, CancellationToken, Task<T>> call,
        TimeSpan timeout,
        Budget budget,
        TimeProvider timeProvider)
    {
        private int _count;
        private ExceptionDispatchInfo? _replay;

        public int Count => Volatile.Read(ref _count);

        /// <summary>Makes the next <see cref="RunAsync"/> fail as the attempt just made did, instead of calling again.</summary>
        public void ReplayNext(Exception error) => _replay = ExceptionDispatchInfo.Capture(error);

        public async ValueTask<T> RunAsync(CancellationToken cancellationToken)
        {
            if (Interlocked.Exchange(ref _replay, null) is { } replay)
            {
                replay.Throw();
            }

            TimeSpan remaining = budget.Remaining;
            if (remaining <= TimeSpan.Zero && _count > 0)
            {
                throw new TotalTimeoutException(null);
            }

            Interlocked.Increment(ref _count);
            bool totalIsTighter = !budget.Unlimited && (timeout == Timeout.InfiniteTimeSpan || remaining < timeout);
            TimeSpan limit = totalIsTighter ? (remaining > TimeSpan.Zero ? remaining : TimeSpan.FromTicks(1)) : timeout;
            if (limit == Timeout.InfiniteTimeSpan)
            {
                return await call(backend, state, cancellationToken).ConfigureAwait(false);
            }

            // The attempt's token is the timer's; cancellation of the call is forwarded into it by one registration,
            // which costs less than a second linked source on every call.
            using var timer = new CancellationTokenSource(limit, timeProvider);
            using CancellationTokenRegistration forward = cancellationToken.UnsafeRegister(
                static source => ((CancellationTokenSource)source!).Cancel(), timer);
            try
            {
                return await call(backend, state, timer.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException ex) when (timer.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                if (totalIsTighter)
                {
                    throw new TotalTimeoutException(ex);
                }

                throw new AttemptTimeoutException($"The attempt exceeded AgentBayOptions.Timeout ({timeout}).", ex);
            }
        }
    }
}
