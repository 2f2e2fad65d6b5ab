using AgentBay.Lite.Emulator;

namespace AgentBay.Lite.IntegrationTests.Reliability;

/// <summary>Answers cut in half or never finished, from the emulator: typed failures, never raw parser or socket errors.</summary>
public abstract class MalformedResponseTests(EmulatorFixture fixture, TestService service) : IClassFixture<EmulatorFixture>, IAsyncLifetime
{
    private AgentBayEmulator Emulator => fixture.Emulator;

    private AgentBayClient NewClient(int maxRetries = 3) => fixture.CreateClient(service, o =>
    {
        o.LinkCache.Enabled = false;
        o.Retry.MaxRetries = maxRetries;
        o.Retry.BaseDelay = TimeSpan.FromMilliseconds(10);
        o.Retry.MaxDelay = TimeSpan.FromMilliseconds(20);
    });

    public Task InitializeAsync()
    {
        Emulator.ClearInjections();
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        Emulator.ClearInjections();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Truncated_JSON_is_a_protocol_exception_with_an_excerpt()
    {
        await using var client = NewClient();
        await using var session = await client.CreateSessionAsync();
        Emulator.SetFaults(new FaultProfile { MalformedJsonRate = 1 }, "GetLink");

        var thrown = await Assert.ThrowsAsync<AgentBayProtocolException>(() => session.GetLinkAsync(LinkRequest.Https(30100)).AsTask());

        Assert.False(string.IsNullOrEmpty(thrown.BodyExcerpt));
        Assert.StartsWith("{", thrown.BodyExcerpt, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("CallMcpTool")]
    [InlineData("CallToolDirect")]
    public async Task Truncated_JSON_from_a_tool_call_is_a_protocol_exception_on_either_route(string route)
    {
        await using var client = fixture.CreateClient(service, o => o.UseDirectToolRoute = route == "CallToolDirect");
        await using var session = await client.CreateSessionAsync();
        Emulator.SetFaults(new FaultProfile { MalformedJsonRate = 1 }, route);

        await Assert.ThrowsAsync<AgentBayProtocolException>(() => session.Commands.ExecuteAsync("echo hi"));
    }

    [Fact]
    public async Task Connection_resets_on_a_read_are_recovered_by_retry()
    {
        await using var client = NewClient();
        await using var session = await client.CreateSessionAsync();
        Emulator.SetFaults(new FaultProfile { ConnectionResetRate = 1, MaxFaults = 2 }, "GetSession");
        Emulator.ResetRequestCounts();

        var again = await client.GetSessionAsync(session.Id);

        Assert.Equal(session.Id, again.Id);
        Assert.Equal(3, Emulator.GetRequestCount("GetSession"));
    }

    [Fact]
    public async Task Connection_resets_beyond_the_retries_are_a_typed_failure_with_the_cause()
    {
        await using var client = NewClient(maxRetries: 1);
        await using var session = await client.CreateSessionAsync();
        Emulator.SetFaults(new FaultProfile { ConnectionResetRate = 1 }, "GetLink");

        var thrown = await Assert.ThrowsAsync<AgentBayException>(() => session.GetLinkAsync(LinkRequest.Https(30100)).AsTask());

        Assert.IsType<HttpRequestException>(thrown.InnerException);
        Assert.Contains("2 attempts", thrown.Message, StringComparison.Ordinal);
    }
}

/// <summary>The <see cref="MalformedResponseTests"/> suite against AgentBay (the emulator's RPC face).</summary>
public sealed class AgentBayMalformedResponseTests(EmulatorFixture fixture) : MalformedResponseTests(fixture, TestService.AgentBay);

/// <summary>The <see cref="MalformedResponseTests"/> suite against AGB (the emulator's REST face).</summary>
public sealed class AgbMalformedResponseTests(EmulatorFixture fixture) : MalformedResponseTests(fixture, TestService.Agb);
