using AgentBay.Lite.Emulator;

namespace AgentBay.Lite.IntegrationTests.Reliability;

/// <summary>AGB's failure shapes over loopback: the emulator's AGB envelope read into the same exception family, and AGB's retry table at work.</summary>
public sealed class AgbFailureTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>, IAsyncLifetime
{
    private AgentBayClient NewClient(Action<AgentBayOptions>? configure = null) => fixture.CreateClient(TestService.Agb, o =>
    {
        o.LinkCache.Enabled = false;
        o.Retry.BaseDelay = TimeSpan.FromMilliseconds(20);
        o.Retry.MaxDelay = TimeSpan.FromMilliseconds(100);
        configure?.Invoke(o);
    });

    public Task InitializeAsync()
    {
        fixture.Emulator.ClearInjections();
        fixture.Emulator.ResetRequestCounts();
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        fixture.Emulator.ClearInjections();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_wrong_key_is_an_authentication_error_that_names_AGBs_variable_and_hides_the_key()
    {
        await using var client = NewClient(o => o.ApiKey = "akm-wrong-agb-key");

        var error = await Assert.ThrowsAsync<AgentBayAuthenticationException>(() => client.CreateSessionAsync());

        Assert.Equal("Unauthorized", error.Code);
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.Contains("AGB_API_KEY", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("akm-wrong-agb-key", error.ToString(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(error.RequestId));
        Assert.Equal(0, fixture.Emulator.LiveSessionCount);
    }

    [Fact]
    public async Task A_503_burst_on_getLink_is_recovered_but_a_503_on_create_is_not_repeated()
    {
        await using var client = NewClient();
        await using AgentBaySession session = await client.CreateSessionAsync();
        fixture.Emulator.SetFaults(new FaultProfile { ServiceUnavailableRate = 1, MaxFaults = 2 }, "GetLink");

        SessionLink link = await session.GetLinkAsync(LinkRequest.Https(30150));

        Assert.Equal(session.Id, fixture.Emulator.ResolveLinkToken(link.Url.Segments[2].TrimEnd('/')));
        Assert.Equal(3, fixture.Emulator.GetRequestCount("GetLink"));

        fixture.Emulator.SetFaults(new FaultProfile { ServiceUnavailableRate = 1, MaxFaults = 1 }, "CreateMcpSession");
        var refused = await Assert.ThrowsAnyAsync<AgentBayException>(() => client.CreateSessionAsync());
        Assert.Equal("ServiceUnavailable", refused.Code);
        Assert.Equal(2, fixture.Emulator.GetRequestCount("CreateMcpSession")); // the first create, and this one once
    }

    [Fact]
    public async Task A_gone_session_is_SessionNotFoundException_on_every_route()
    {
        await using var client = NewClient();
        AgentBaySession session = await client.CreateSessionAsync();
        await session.DeleteAsync();

        var get = await Assert.ThrowsAsync<SessionNotFoundException>(() => client.GetSessionAsync(session.Id));
        Assert.Equal("InvalidSession.NotFound", get.Code);
        await Assert.ThrowsAsync<SessionNotFoundException>(() => client.GetLinkAsync(session.Id, LinkRequest.Wss(30180)).AsTask());
        await Assert.ThrowsAsync<SessionNotFoundException>(() => client.KeepSessionAliveAsync(session.Id));
        await Assert.ThrowsAsync<SessionNotFoundException>(() => session.Commands.ExecuteAsync("true"));
    }
}
