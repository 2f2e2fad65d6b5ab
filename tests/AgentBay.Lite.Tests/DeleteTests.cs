using AgentBay.Lite.Backend;

namespace AgentBay.Lite.Tests;

public class DeleteTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan DeleteLimit = TimeSpan.FromSeconds(10);

    private readonly TestClient _test = new(o =>
    {
        o.DeletePollInterval = Interval;
        o.DeleteTimeout = DeleteLimit;
        o.Timeout = Timeout.InfiniteTimeSpan;
    });

    private int _polls;

    /// <summary>Timers pending while the deletion waits: its deadline and its poll delay.</summary>
    private const int Waiting = 2;

    /// <summary>Answers status polls with these statuses in order (the last repeats); null means "not found".</summary>
    private void Statuses(params string?[] statuses)
    {
        _test.Backend.GetSessionStatusAsync("s1", Arg.Any<CancellationToken>()).Returns(_ =>
        {
            string? status = statuses[Math.Min(_polls++, statuses.Length - 1)];
            return status is null
                ? Task.FromException<string>(new SessionNotFoundException("nf", "s1", "InvalidMcpSession.NotFound", "nf", "r", System.Net.HttpStatusCode.BadRequest))
                : Task.FromResult(status);
        });
    }

    [Theory]
    [InlineData("FINISH")]
    [InlineData("DELETED")]
    public async Task Deletion_completes_when_the_status_is_final(string status)
    {
        Statuses(status);

        Task delete = _test.Client.DeleteSessionAsync("s1");
        await _test.Clock.SettleAsync(delete, Waiting);
        Assert.True(delete.IsCompleted, "still polling");
        await delete;

        await _test.Backend.Received(1).DeleteSessionAsync("s1", Arg.Any<CancellationToken>());
        Assert.Equal(1, _polls);
        Assert.Equal(0, _test.Clock.PendingTimers);
    }

    [Fact]
    public async Task Deletion_polls_every_interval_until_the_session_is_not_found()
    {
        Statuses("RUNNING", "DELETING", null);

        Task delete = _test.Client.DeleteSessionAsync("s1");
        await _test.Clock.SettleAsync(delete, Waiting);
        Assert.Equal(1, _polls);
        Assert.False(delete.IsCompleted);

        await _test.Clock.StepAsync(Interval - TimeSpan.FromMilliseconds(1), delete, Waiting);
        Assert.Equal(1, _polls);

        await _test.Clock.StepAsync(TimeSpan.FromMilliseconds(1), delete, Waiting);
        Assert.Equal(2, _polls);
        Assert.False(delete.IsCompleted);

        await _test.Clock.StepAsync(Interval, delete, Waiting);
        await delete;
        Assert.Equal(3, _polls);
    }

    [Fact]
    public async Task Deletion_that_never_finishes_times_out_naming_the_setting_and_the_last_status()
    {
        Statuses("DELETING");

        Task delete = _test.Client.DeleteSessionAsync("s1");
        await _test.Clock.SettleAsync(delete, Waiting);
        for (int i = 0; i < 20 && !delete.IsCompleted; i++)
        {
            await _test.Clock.StepAsync(Interval, delete, Waiting);
        }

        var ex = await Assert.ThrowsAsync<AgentBayTimeoutException>(() => delete);
        Assert.Equal(DeleteLimit, ex.Timeout);
        Assert.Contains("DeleteTimeout", ex.Message, StringComparison.Ordinal);
        Assert.Contains("DELETING", ex.Message, StringComparison.Ordinal);
        Assert.InRange(_polls, 10, 11);
        Assert.Equal(0, _test.Clock.PendingTimers);
    }

    [Fact]
    public async Task Cancelling_the_wait_is_an_operation_canceled_exception()
    {
        Statuses("DELETING");
        using var cts = new CancellationTokenSource();

        Task delete = _test.Client.DeleteSessionAsync("s1", cts.Token);
        await _test.Clock.SettleAsync(delete, Waiting);
        await _test.Clock.StepAsync(Interval, delete, Waiting);
        Assert.False(delete.IsCompleted);
        await cts.CancelAsync();

        var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => delete);
        Assert.IsNotType<AgentBayTimeoutException>(ex);
        Assert.Equal(2, _polls);
    }

    [Fact]
    public async Task A_session_that_does_not_exist_is_reported_without_polling()
    {
        _test.Backend.DeleteSessionAsync("s1", Arg.Any<CancellationToken>())
            .Returns(Task.FromException(new SessionNotFoundException("nf")));

        await Assert.ThrowsAsync<SessionNotFoundException>(() => _test.Client.DeleteSessionAsync("s1"));
        await _test.Backend.DidNotReceiveWithAnyArgs().GetSessionStatusAsync(default!, default);
    }

    [Fact]
    public async Task Other_failures_while_polling_are_passed_through()
    {
        _test.Backend.GetSessionStatusAsync("s1", Arg.Any<CancellationToken>())
            .Returns(Task.FromException<string>(new AgentBayException("denied", "InvalidParameter", "bad", "req-1", System.Net.HttpStatusCode.BadRequest)));

        // A permanent failure (transient ones are retried first; see Resilience/RetryTests).
        var thrown = await Assert.ThrowsAsync<AgentBayException>(() => _test.Client.DeleteSessionAsync("s1"));
        Assert.Equal("InvalidParameter", thrown.Code);
    }

    [Fact]
    public async Task Statuses_are_compared_without_regard_to_case()
    {
        Statuses("finish");

        Task delete = _test.Client.DeleteSessionAsync("s1");
        await _test.Clock.SettleAsync(delete, Waiting);
        Assert.True(delete.IsCompleted, "still polling");
        await delete;
        Assert.Equal(1, _polls);
    }

    [Fact]
    public async Task An_infinite_delete_timeout_waits_until_the_session_is_gone()
    {
        var test = new TestClient(o =>
        {
            o.DeleteTimeout = Timeout.InfiniteTimeSpan;
            o.Timeout = Timeout.InfiniteTimeSpan;
        });
        int polls = 0;
        test.Backend.GetSessionStatusAsync("s1", Arg.Any<CancellationToken>())
            .Returns(_ => Task.FromResult(++polls < 500 ? "DELETING" : "FINISH"));

        Task delete = test.Client.DeleteSessionAsync("s1");
        await test.Clock.SettleAsync(delete, pendingTimers: 1);
        for (int i = 0; i < 600 && !delete.IsCompleted; i++)
        {
            await test.Clock.StepAsync(AgentBayOptions.DefaultDeletePollInterval, delete, pendingTimers: 1);
        }

        await delete;
        Assert.Equal(500, polls);
    }
}
