using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using AgentBay.Lite.Emulator;
using Xunit.Abstractions;

namespace AgentBay.Lite.IntegrationTests.Reliability;

/// <summary>Transient faults injected by the emulator: what is retried, what is not, proven by its request counters.</summary>
public abstract class RetryRecoveryTests(EmulatorFixture fixture, ITestOutputHelper output, TestService service) : IClassFixture<EmulatorFixture>, IAsyncLifetime
{
    private AgentBayEmulator Emulator => fixture.Emulator;

    private AgentBayClient NewClient(Action<AgentBayOptions>? configure = null) => fixture.CreateClient(service, o =>
    {
        o.LinkCache.Enabled = false;
        o.Retry.BaseDelay = TimeSpan.FromMilliseconds(20);
        o.Retry.MaxDelay = TimeSpan.FromMilliseconds(100);
        configure?.Invoke(o);
    });

    public Task InitializeAsync()
    {
        Emulator.ClearInjections();
        Emulator.ResetRequestCounts();
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        Emulator.ClearInjections();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_503_burst_on_GetLink_is_recovered_by_retry()
    {
        await using var client = NewClient();
        await using var session = await client.CreateSessionAsync();
        Emulator.SetFaults(new FaultProfile { ServiceUnavailableRate = 1, MaxFaults = 3 }, "GetLink");
        Emulator.ResetRequestCounts();

        SessionLink link = await session.GetLinkAsync(LinkRequest.Https(30100));

        Assert.Equal("http", link.Url.Scheme);
        Assert.Equal(4, Emulator.GetRequestCount("GetLink"));
    }

    [Fact]
    public async Task A_503_burst_longer_than_the_retries_surfaces_the_503()
    {
        await using var client = NewClient(o => o.Retry.MaxRetries = 2);
        await using var session = await client.CreateSessionAsync();
        Emulator.SetFaults(new FaultProfile { ServiceUnavailableRate = 1, MaxFaults = 10 }, "GetMcpResource");
        Emulator.ResetRequestCounts();

        var thrown = await Assert.ThrowsAsync<AgentBayException>(() => session.GetInfoAsync());

        Assert.Equal(HttpStatusCode.ServiceUnavailable, thrown.StatusCode);
        Assert.Equal(3, Emulator.GetRequestCount("GetMcpResource"));
    }

    [Fact]
    public async Task Throttling_is_retried_after_the_services_retry_after()
    {
        await using var client = NewClient();
        await using var session = await client.CreateSessionAsync();
        Emulator.SetFaults(new FaultProfile { ThrottlingRate = 1, RetryAfter = TimeSpan.FromSeconds(1), MaxFaults = 1 }, "GetLink");
        Emulator.ResetRequestCounts();

        var clock = Stopwatch.StartNew();
        SessionLink link = await session.GetLinkAsync(LinkRequest.Wss(30101));
        clock.Stop();

        Assert.Equal("ws", link.Url.Scheme);
        Assert.Equal(2, Emulator.GetRequestCount("GetLink"));

        // A lower bound only: the retry cannot have happened before the 1 s the service asked for (the computed backoff
        // is at most 100 ms here), however slow the machine.
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(950), $"retried after {clock.Elapsed.TotalMilliseconds:0} ms");
        output.WriteLine($"Throttled GetLink with Retry-After: 1 s answered after {clock.Elapsed.TotalMilliseconds:0} ms.");
    }

    [Theory]
    [InlineData("503")]
    [InlineData("500")]
    [InlineData("reset")]
    [InlineData("throttled")]
    public async Task CreateMcpSession_is_never_repeated_once_sent(string fault)
    {
        await using var client = NewClient();
        Emulator.SetFaults(Profile(fault), "CreateMcpSession");
        Emulator.ResetRequestCounts();

        await Assert.ThrowsAnyAsync<AgentBayException>(() => client.CreateSessionAsync());

        Assert.Equal(1, Emulator.GetRequestCount("CreateMcpSession"));
    }

    [Theory]
    [InlineData("503", "CallMcpTool")]
    [InlineData("500", "CallMcpTool")]
    [InlineData("reset", "CallMcpTool")]
    [InlineData("throttled", "CallMcpTool")]
    [InlineData("503", "CallToolDirect")]
    [InlineData("500", "CallToolDirect")]
    [InlineData("reset", "CallToolDirect")]
    [InlineData("throttled", "CallToolDirect")]
    public async Task A_tool_call_is_never_repeated_once_sent_on_either_route(string fault, string route)
    {
        await using var client = NewClient(o => o.UseDirectToolRoute = route == "CallToolDirect");
        await using var session = await client.CreateSessionAsync();
        Emulator.SetFaults(Profile(fault), route);
        Emulator.ResetRequestCounts();

        var thrown = await Assert.ThrowsAnyAsync<AgentBayException>(() => session.Commands.ExecuteAsync("echo once >> count.txt"));

        Assert.Equal(1, Emulator.GetRequestCount(route));
        if (fault == "reset")
        {
            Assert.IsType<HttpRequestException>(thrown.InnerException);
        }
    }

    [Fact]
    public async Task A_refused_connection_is_retried_even_for_CreateMcpSession()
    {
        int closedPort;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            closedPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        await using var client = new AgentBayClient(new AgentBayOptions
        {
            ApiKey = Emulator.ApiKey,
            Endpoint = new Uri($"http://127.0.0.1:{closedPort}/"),
            Retry = { MaxRetries = 2, BaseDelay = TimeSpan.FromMilliseconds(10), MaxDelay = TimeSpan.FromMilliseconds(20) },
        });

        var thrown = await Assert.ThrowsAsync<AgentBayException>(() => client.CreateSessionAsync());

        Assert.Contains("3 attempts", thrown.Message, StringComparison.Ordinal);
        Assert.IsType<HttpRequestException>(thrown.InnerException);
    }

    [Fact]
    public async Task Deletion_requests_are_retried_through_a_503()
    {
        await using var client = NewClient();
        var session = await client.CreateSessionAsync();
        Emulator.SetFaults(new FaultProfile { ServiceUnavailableRate = 1, MaxFaults = 2 }, "DeleteSessionAsync");
        Emulator.ResetRequestCounts();

        await client.DeleteSessionAsync(session.Id);

        Assert.Equal(3, Emulator.GetRequestCount("DeleteSessionAsync"));
        await Assert.ThrowsAsync<SessionNotFoundException>(() => client.GetSessionAsync(session.Id));
    }

    private static FaultProfile Profile(string fault) => fault switch
    {
        "503" => new FaultProfile { ServiceUnavailableRate = 1 },
        "500" => new FaultProfile { ServerErrorRate = 1 },
        "reset" => new FaultProfile { ConnectionResetRate = 1 },
        _ => new FaultProfile { ThrottlingRate = 1, RetryAfter = TimeSpan.FromSeconds(1) },
    };
}

/// <summary>The <see cref="RetryRecoveryTests"/> suite against AgentBay (the emulator's RPC face).</summary>
public sealed class AgentBayRetryRecoveryTests(EmulatorFixture fixture, ITestOutputHelper output) : RetryRecoveryTests(fixture, output, TestService.AgentBay);

/// <summary>The <see cref="RetryRecoveryTests"/> suite against AGB (the emulator's REST face).</summary>
public sealed class AgbRetryRecoveryTests(EmulatorFixture fixture, ITestOutputHelper output) : RetryRecoveryTests(fixture, output, TestService.Agb);
