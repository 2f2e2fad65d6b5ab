using AgentBay.Lite.Backend;

namespace AgentBay.Lite.Tests;

public class TimeoutTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(5);

    // One attempt: the retries that follow a timed-out attempt are covered in Resilience/RetryTests.
    private readonly TestClient _test = new(o =>
    {
        o.Timeout = Limit;
        o.Retry.MaxRetries = 0;
    });

    /// <summary>Makes GetLink hang until its token is cancelled, recording the token.</summary>
    private List<CancellationToken> HangGetLink()
    {
        var tokens = new List<CancellationToken>();
        _test.Backend.GetLinkAsync(Arg.Any<string>(), Arg.Any<LinkRequest>(), Arg.Any<CancellationToken>()).Returns(call =>
        {
            CancellationToken token = call.ArgAt<CancellationToken>(2);
            tokens.Add(token);
            var tcs = new TaskCompletionSource<LinkRecord>();
            token.Register(() => tcs.TrySetCanceled(token));
            return tcs.Task;
        });
        return tokens;
    }

    [Fact]
    public async Task A_request_over_the_limit_throws_a_timeout_naming_the_setting()
    {
        HangGetLink();

        Task<SessionLink> call = _test.Client.GetLinkAsync("s1", LinkRequest.Cdp).AsTask();
        _test.Clock.Advance(Limit - TimeSpan.FromMilliseconds(1));
        Assert.False(call.IsCompleted);
        _test.Clock.Advance(TimeSpan.FromMilliseconds(1));

        var ex = await Assert.ThrowsAsync<AgentBayTimeoutException>(() => call);
        Assert.Equal(Limit, ex.Timeout);
        Assert.Contains("AgentBayOptions.Timeout", ex.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<OperationCanceledException>(ex.InnerException);
    }

    [Fact]
    public async Task Caller_cancellation_is_an_operation_canceled_exception_not_a_timeout()
    {
        HangGetLink();
        using var cts = new CancellationTokenSource();

        Task<SessionLink> call = _test.Client.GetLinkAsync("s1", LinkRequest.Cdp, cts.Token).AsTask();
        await cts.CancelAsync();

        var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.IsNotType<AgentBayTimeoutException>(ex);
    }

    [Fact]
    public async Task An_already_cancelled_token_makes_no_call()
    {
        HangGetLink();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => _test.Client.GetLinkAsync("s1", LinkRequest.Cdp, new CancellationToken(canceled: true)).AsTask());
        Assert.Empty(_test.Backend.ReceivedCalls());
    }

    [Fact]
    public async Task A_cancellation_nobody_asked_for_is_reported_as_a_timeout_of_the_http_client()
    {
        _test.Backend.GetLinkAsync(Arg.Any<string>(), Arg.Any<LinkRequest>(), Arg.Any<CancellationToken>())
            .Returns<LinkRecord>(_ => throw new TaskCanceledException("HttpClient.Timeout elapsed", new TimeoutException()));

        var ex = await Assert.ThrowsAsync<AgentBayTimeoutException>(() => _test.Client.GetLinkAsync("s1", LinkRequest.Cdp).AsTask());

        Assert.Contains("HttpClient", ex.Message, StringComparison.Ordinal);
        Assert.Null(ex.Timeout);
    }

    [Fact]
    public async Task Without_limits_the_callers_token_reaches_the_backend_and_no_timer_is_started()
    {
        // Uncached: a cached fetch runs under the client's own lifetime token, shared by all its waiters.
        // The backend sees a token linked to the caller's (and to the client's lifetime, so disposal stops retries).
        var test = new TestClient(o =>
        {
            o.Timeout = Timeout.InfiniteTimeSpan;
            o.Retry.TotalTimeout = Timeout.InfiniteTimeSpan;
            o.LinkCache.Enabled = false;
        });
        var called = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        test.Backend.GetLinkAsync(Arg.Any<string>(), Arg.Any<LinkRequest>(), Arg.Any<CancellationToken>())
            .Returns(async call =>
            {
                called.SetResult();
                await Task.Delay(Timeout.InfiniteTimeSpan, call.ArgAt<CancellationToken>(2));
                return new LinkRecord(new Uri("wss://x/"), null);
            });
        using var cts = new CancellationTokenSource();

        var pending = test.Client.GetLinkAsync("s1", LinkRequest.Cdp, cts.Token).AsTask();
        await called.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, test.Clock.PendingTimers);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task The_limit_applies_to_each_request_and_its_timer_is_released()
    {
        _test.Backend.GetLinkAsync(Arg.Any<string>(), Arg.Any<LinkRequest>(), Arg.Any<CancellationToken>())
            .Returns(new LinkRecord(new Uri("wss://x/"), null));

        for (int i = 0; i < 3; i++)
        {
            await _test.Client.GetLinkAsync("s1", LinkRequest.Cdp);
            _test.Clock.Advance(Limit);
        }

        Assert.Equal(0, _test.Clock.PendingTimers);
    }
}
