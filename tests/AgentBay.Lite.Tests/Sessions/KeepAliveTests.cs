using System.Net;
using AgentBay.Lite.Backend;
using AgentBay.Lite.Tests.Rpc;

namespace AgentBay.Lite.Tests.Sessions;

/// <summary>
/// Keep-alive (RefreshSessionIdleTime) and the idle-release timeout on create (CreateMcpSession's Timeout), as the
/// official SDKs send them since v0.16 (agentbay-rpc.md §11): on the wire through the real generated client, and
/// through the client on a substituted backend.
/// </summary>
public sealed class KeepAliveTests
{
    [Fact]
    public async Task RefreshSessionIdleTime_sends_the_session_id_in_the_form()
    {
        using var host = new RpcTestHost().Answer("""{"RequestId":"R1","Success":true,"Code":"ok"}""");

        await host.Backend.RefreshIdleTimeAsync("session-04bdwfj7u688ec96t", CancellationToken.None);

        RecordedRequest request = host.Single;
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("RefreshSessionIdleTime", request.QueryValue("Action"));
        Assert.Equal("RefreshSessionIdleTime", request.Headers["x-acs-action"]);
        Assert.Equal(
            [new("Authorization", "Bearer " + RpcTestHost.ApiKey), new("SessionId", "session-04bdwfj7u688ec96t")],
            request.Form);
    }

    [Fact]
    public async Task RefreshSessionIdleTime_for_a_gone_session_is_SessionNotFoundException()
    {
        using var host = new RpcTestHost().Answer(
            """{"RequestId":"R1","Success":false,"Code":"InvalidMcpSession.NotFound","Message":"not found"}""", HttpStatusCode.BadRequest);

        var error = await Assert.ThrowsAsync<SessionNotFoundException>(() => host.Backend.RefreshIdleTimeAsync("s1", CancellationToken.None));

        Assert.Contains("RefreshSessionIdleTime", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateMcpSession_sends_the_idle_timeout_in_seconds()
    {
        using var host = new RpcTestHost().Answer("""{"RequestId":"R1","Success":true,"Data":{"SessionId":"session-04bdwfj7u688ec96t"}}""");

        await host.Backend.CreateSessionAsync(new SessionCreation(null, null, IdleTimeoutSeconds: 900), CancellationToken.None);

        Assert.Equal("900", Assert.Single(host.Single.Form, p => p.Key == "Timeout").Value);
    }

    [Fact]
    public async Task The_client_rounds_the_idle_timeout_up_to_whole_seconds()
    {
        var test = new TestClient();
        SessionCreation? sent = null;
        test.Backend.CreateSessionAsync(Arg.Do<SessionCreation>(c => sent = c), Arg.Any<CancellationToken>())
            .Returns(new SessionRecord("s1", "r", null, null, null, null, null, null, null));

        await test.Client.CreateSessionAsync(new CreateSessionOptions { IdleTimeout = TimeSpan.FromSeconds(299.2) });

        Assert.Equal(300, sent!.IdleTimeoutSeconds);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public async Task An_idle_timeout_that_is_not_positive_is_refused_before_any_request(int seconds)
    {
        var test = new TestClient();

        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            () => test.Client.CreateSessionAsync(new CreateSessionOptions { IdleTimeout = TimeSpan.FromSeconds(seconds) }));

        Assert.Contains("CreateSessionOptions.IdleTimeout", error.Message, StringComparison.Ordinal);
        Assert.Empty(test.Backend.ReceivedCalls());
    }

    [Fact]
    public async Task KeepAlive_reaches_the_backend_for_the_session_and_a_transient_failure_is_retried()
    {
        var test = new TestClient(o => o.Retry.BaseDelay = TimeSpan.FromMilliseconds(1));
        int calls = 0;
        test.Backend.RefreshIdleTimeAsync(TestClient.SessionId, Arg.Any<CancellationToken>()).Returns(_ => ++calls == 1
            ? Task.FromException(new AgentBayException("busy", "ServiceUnavailable", "busy", "r", HttpStatusCode.ServiceUnavailable))
            : Task.CompletedTask);

        Task keepAlive = test.Session().KeepAliveAsync();
        await test.Clock.SettleAsync(keepAlive, 1);
        await test.Clock.StepAsync(TimeSpan.FromSeconds(1), keepAlive, 0);
        await keepAlive;

        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task KeepSessionAliveAsync_validates_and_reports_a_gone_session()
    {
        var test = new TestClient();
        test.Backend.RefreshIdleTimeAsync("gone", Arg.Any<CancellationToken>())
            .Returns(Task.FromException(new SessionNotFoundException("gone", "gone", "InvalidMcpSession.NotFound", null, "r", HttpStatusCode.BadRequest)));

        await Assert.ThrowsAsync<ArgumentException>(() => test.Client.KeepSessionAliveAsync(" "));
        await Assert.ThrowsAsync<SessionNotFoundException>(() => test.Client.KeepSessionAliveAsync("gone"));
    }
}
