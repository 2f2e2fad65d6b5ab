using System.Net;
using AgentBay.Lite.Emulator;

namespace AgentBay.Lite.IntegrationTests.Errors;

/// <summary>
/// The service's failure shapes, injected in the emulator, as the exception each one means. (How the SDK behaves under
/// repeated failures is the Reliability tests' subject; this is the mapping of one failure.)
/// </summary>
public abstract class FailureMappingTests(EmulatorFixture fixture, TestService service) : IClassFixture<EmulatorFixture>
{
    [Fact]
    public async Task Throttling_is_AgentBayThrottledException_with_the_retry_after_and_is_not_cached()
    {
        // One failure's mapping, so no retries (Reliability/ covers those).
        await using var client = fixture.CreateClient(service, o => o.Retry.MaxRetries = 0);
        await using AgentBaySession session = await client.CreateSessionAsync();

        fixture.Emulator.SetFaults(new FaultProfile { ThrottlingRate = 1, RetryAfter = TimeSpan.FromSeconds(7) }, "GetLink");
        AgentBayThrottledException ex;
        try
        {
            ex = await Assert.ThrowsAsync<AgentBayThrottledException>(() => session.GetLinkAsync(LinkRequest.Https(30150)).AsTask());
        }
        finally
        {
            fixture.Emulator.ClearInjections();
        }

        Assert.Equal(TimeSpan.FromSeconds(7), ex.RetryAfter);
        Assert.Equal(HttpStatusCode.TooManyRequests, ex.StatusCode);
        Assert.Equal("Throttling", ex.Code);
        Assert.Equal(session.Id, fixture.Emulator.ResolveLinkToken(Links.LinkTests.TokenOf((await session.GetLinkAsync(LinkRequest.Https(30150))).Url)));
    }

    [Fact]
    public async Task A_server_error_keeps_its_code_and_status()
    {
        await using var client = fixture.CreateClient(service, o => o.Retry.MaxRetries = 0);

        fixture.Emulator.SetFaults(new FaultProfile { ServiceUnavailableRate = 1 }, "GetSession");
        AgentBayException ex;
        try
        {
            ex = await Assert.ThrowsAsync<AgentBayException>(() => client.GetSessionAsync("session-0000000000000000x"));
        }
        finally
        {
            fixture.Emulator.ClearInjections();
        }

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ex.StatusCode);
        Assert.Equal("ServiceUnavailable", ex.Code);
    }

    [Fact]
    public async Task An_unreadable_answer_is_AgentBayProtocolException_with_an_excerpt()
    {
        await using var client = fixture.CreateClient(service);

        fixture.Emulator.SetFaults(new FaultProfile { MalformedJsonRate = 1 }, "CreateMcpSession");
        AgentBayProtocolException ex;
        try
        {
            ex = await Assert.ThrowsAsync<AgentBayProtocolException>(() => client.CreateSessionAsync());
        }
        finally
        {
            fixture.Emulator.ClearInjections();
        }

        Assert.Equal(HttpStatusCode.OK, ex.StatusCode);
        Assert.False(string.IsNullOrEmpty(ex.BodyExcerpt));
        Assert.Contains("CreateMcpSession", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_service_slower_than_the_timeout_is_AgentBayTimeoutException()
    {
        // The session is made with the default limit, so only the call under test races the short one.
        await using var setup = fixture.CreateClient(service);
        await using AgentBaySession session = await setup.CreateSessionAsync();
        await using var client = fixture.CreateClient(service, o =>
        {
            o.Timeout = TimeSpan.FromMilliseconds(200);
            o.Retry.MaxRetries = 0;
        });

        fixture.Emulator.SetLatency(new LatencyProfile(TimeSpan.FromSeconds(5)), "GetLink");
        AgentBayTimeoutException ex;
        try
        {
            ex = await Assert.ThrowsAsync<AgentBayTimeoutException>(() => client.GetLinkAsync(session.Id, LinkRequest.Wss(30180)).AsTask());
        }
        finally
        {
            fixture.Emulator.ClearInjections();
        }

        Assert.Equal(TimeSpan.FromMilliseconds(200), ex.Timeout);
        Assert.Contains("AgentBayOptions.Timeout", ex.Message, StringComparison.Ordinal);
        Assert.Equal(session.Id, (await setup.GetLinkAsync(session.Id, LinkRequest.Wss(30180))).SessionId);
    }

    [Fact]
    public async Task Cancelling_a_call_is_OperationCanceledException_not_a_timeout()
    {
        await using var client = fixture.CreateClient(service);
        await using AgentBaySession session = await client.CreateSessionAsync();
        using var cts = new CancellationTokenSource();

        fixture.Emulator.SetLatency(new LatencyProfile(TimeSpan.FromSeconds(5)), "GetMcpResource");
        try
        {
            Task<SessionInfo> call = session.GetInfoAsync(cts.Token);
            await fixture.WaitForRequestsAsync("GetMcpResource");
            await cts.CancelAsync();

            // AgentBayTimeoutException is an AgentBayException, not an OperationCanceledException: the caller's own
            // cancellation must not be reported as the service being slow.
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        }
        finally
        {
            fixture.Emulator.ClearInjections();
        }
    }
}

/// <summary>The <see cref="FailureMappingTests"/> suite against AgentBay (the emulator's RPC face).</summary>
public sealed class AgentBayFailureMappingTests(EmulatorFixture fixture) : FailureMappingTests(fixture, TestService.AgentBay);

/// <summary>The <see cref="FailureMappingTests"/> suite against AGB (the emulator's REST face).</summary>
public sealed class AgbFailureMappingTests(EmulatorFixture fixture) : FailureMappingTests(fixture, TestService.Agb);
