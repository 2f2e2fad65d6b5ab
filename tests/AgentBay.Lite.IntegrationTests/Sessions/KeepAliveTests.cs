namespace AgentBay.Lite.IntegrationTests.Sessions;

/// <summary>Keep-alive and the idle timeout on the wire, against the emulator.</summary>
public abstract class KeepAliveTests(EmulatorFixture fixture, TestService service) : IClassFixture<EmulatorFixture>
{
    [Fact]
    public async Task A_live_session_is_kept_alive_and_a_deleted_one_is_not_found()
    {
        await using var client = fixture.CreateClient(service);
        AgentBaySession session = await client.CreateSessionAsync(new CreateSessionOptions { IdleTimeout = TimeSpan.FromMinutes(10) });
        long before = fixture.Emulator.GetRequestCount("RefreshSessionIdleTime");

        await session.KeepAliveAsync();
        Assert.Equal(before + 1, fixture.Emulator.GetRequestCount("RefreshSessionIdleTime"));

        await session.DeleteAsync();
        await Assert.ThrowsAsync<SessionNotFoundException>(() => client.KeepSessionAliveAsync(session.Id));
    }

    [Fact]
    public async Task A_non_positive_idle_timeout_is_refused_before_it_is_sent()
    {
        await using var client = fixture.CreateClient(service);
        long before = fixture.Emulator.GetRequestCount("CreateMcpSession");

        await Assert.ThrowsAnyAsync<ArgumentException>(() => client.CreateSessionAsync(new CreateSessionOptions { IdleTimeout = TimeSpan.Zero }));
        Assert.Equal(before, fixture.Emulator.GetRequestCount("CreateMcpSession"));
    }
}

/// <summary>The suite above against AgentBay (the emulator's RPC face).</summary>
public sealed class AgentBayKeepAliveTests(EmulatorFixture fixture) : KeepAliveTests(fixture, TestService.AgentBay);

/// <summary>The suite above against AGB (the emulator's REST face).</summary>
public sealed class AgbKeepAliveTests(EmulatorFixture fixture) : KeepAliveTests(fixture, TestService.Agb);
