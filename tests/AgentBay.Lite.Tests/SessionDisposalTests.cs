using AgentBay.Lite.Backend;

namespace AgentBay.Lite.Tests;

public class SessionDisposalTests
{
    private readonly TestClient _test = new(o => o.Timeout = Timeout.InfiniteTimeSpan);

    [Fact]
    public async Task DisposeAsync_deletes_the_session_once()
    {
        _test.Backend.GetSessionStatusAsync(TestClient.SessionId, Arg.Any<CancellationToken>()).Returns("FINISH");
        AgentBaySession session = _test.Session();

        await session.DisposeAsync();
        await session.DisposeAsync();
        await session.DeleteAsync();

        await _test.Backend.Received(1).DeleteSessionAsync(TestClient.SessionId, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task DisposeAsync_after_DeleteAsync_does_nothing()
    {
        _test.Backend.GetSessionStatusAsync(TestClient.SessionId, Arg.Any<CancellationToken>()).Returns("FINISH");
        AgentBaySession session = _test.Session();

        await session.DeleteAsync();
        await session.DisposeAsync();

        await _test.Backend.Received(1).DeleteSessionAsync(TestClient.SessionId, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task DisposeAsync_does_not_throw_for_a_session_that_is_already_gone()
    {
        _test.Backend.DeleteSessionAsync(TestClient.SessionId, Arg.Any<CancellationToken>())
            .Returns(Task.FromException(new SessionNotFoundException("nf")));
        AgentBaySession session = _test.Session();

        await session.DisposeAsync();
        await session.DisposeAsync();

        await _test.Backend.Received(1).DeleteSessionAsync(TestClient.SessionId, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task DeleteAsync_reports_a_session_that_is_already_gone()
    {
        _test.Backend.DeleteSessionAsync(TestClient.SessionId, Arg.Any<CancellationToken>())
            .Returns(Task.FromException(new SessionNotFoundException("nf")));

        await Assert.ThrowsAsync<SessionNotFoundException>(() => _test.Session().DeleteAsync());
    }

    [Fact]
    public async Task Concurrent_disposals_share_one_deletion()
    {
        int polls = 0;
        _test.Backend.GetSessionStatusAsync(TestClient.SessionId, Arg.Any<CancellationToken>())
            .Returns(_ => Task.FromResult(++polls < 3 ? "DELETING" : "FINISH"));
        AgentBaySession session = _test.Session();

        Task first = session.DisposeAsync().AsTask();
        Task second = session.DisposeAsync().AsTask();
        Task both = Task.WhenAll(first, second);
        await _test.Clock.SettleAsync(both, pendingTimers: 2); // the deletion's deadline and its poll delay
        Assert.False(first.IsCompleted);
        Assert.False(second.IsCompleted);

        await _test.Clock.StepAsync(AgentBayOptions.DefaultDeletePollInterval, both, pendingTimers: 2);
        await _test.Clock.StepAsync(AgentBayOptions.DefaultDeletePollInterval, both, pendingTimers: 2);
        await both;

        await _test.Backend.Received(1).DeleteSessionAsync(TestClient.SessionId, Arg.Any<CancellationToken>());
        Assert.Equal(3, polls);
    }

    [Fact]
    public async Task A_failed_disposal_does_not_throw_and_the_next_one_tries_again()
    {
        _test.Backend.DeleteSessionAsync(TestClient.SessionId, Arg.Any<CancellationToken>())
            .Returns(Task.FromException(new AgentBayException("unreachable")), Task.CompletedTask);
        _test.Backend.GetSessionStatusAsync(TestClient.SessionId, Arg.Any<CancellationToken>()).Returns("FINISH");
        AgentBaySession session = _test.Session();

        await session.DisposeAsync();
        await session.DisposeAsync();
        await session.DisposeAsync(); // deleted by the second: nothing more is sent

        await _test.Backend.Received(2).DeleteSessionAsync(TestClient.SessionId, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task A_failed_disposal_never_masks_the_exception_leaving_the_await_using_block()
    {
        _test.Backend.DeleteSessionAsync(TestClient.SessionId, Arg.Any<CancellationToken>())
            .Returns(Task.FromException(new AgentBayException("unreachable")));

        var thrown = await Assert.ThrowsAsync<InvalidTimeZoneException>(async () =>
        {
            await using AgentBaySession session = _test.Session();
            throw new InvalidTimeZoneException("the body's own failure");
        });

        Assert.Equal("the body's own failure", thrown.Message);
        await _test.Backend.Received(1).DeleteSessionAsync(TestClient.SessionId, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task DeleteAsync_reports_what_disposal_keeps_quiet()
    {
        _test.Backend.DeleteSessionAsync(TestClient.SessionId, Arg.Any<CancellationToken>())
            .Returns(Task.FromException(new AgentBayException("unreachable")));

        var error = await Assert.ThrowsAsync<AgentBayException>(() => _test.Session().DeleteAsync());

        Assert.Equal("unreachable", error.Message);
    }
}
