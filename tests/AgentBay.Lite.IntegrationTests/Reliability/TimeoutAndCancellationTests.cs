using System.Diagnostics;
using AgentBay.Lite.Emulator;
using Xunit.Abstractions;

namespace AgentBay.Lite.IntegrationTests.Reliability;

/// <summary>Per-attempt and overall limits against emulator latency, and the caller cancelling while retries wait.</summary>
public abstract class TimeoutAndCancellationTests(EmulatorFixture fixture, ITestOutputHelper output, TestService service) : IClassFixture<EmulatorFixture>, IAsyncLifetime
{
    private AgentBayEmulator Emulator => fixture.Emulator;

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

    /// <summary>Creates a session with default limits, so setup never trips the short limits under test.</summary>
    private async Task<string> CreateSessionAsync()
    {
        await using var setup = fixture.CreateClient(service);
        AgentBaySession session = await setup.CreateSessionAsync();
        return session.Id;
    }

    [Fact]
    public async Task A_slow_answer_times_out_per_attempt_and_is_retried_then_names_AgentBayOptions_Timeout()
    {
        await using var client = fixture.CreateClient(service, o =>
        {
            o.LinkCache.Enabled = false;
            o.Timeout = TimeSpan.FromMilliseconds(500);
            o.Retry.MaxRetries = 1;
            o.Retry.BaseDelay = TimeSpan.FromMilliseconds(10);
            o.Retry.MaxDelay = TimeSpan.FromMilliseconds(10);
        });
        string sessionId = await CreateSessionAsync();
        Emulator.SetLatency(new LatencyProfile(TimeSpan.FromSeconds(5)), "GetLink");
        Emulator.ResetRequestCounts();

        var thrown = await Assert.ThrowsAsync<AgentBayTimeoutException>(() => client.GetLinkAsync(sessionId, LinkRequest.Https(30100)).AsTask());

        Assert.Contains("AgentBayOptions.Timeout", thrown.Message, StringComparison.Ordinal);
        Assert.Contains("That was 2 attempts", thrown.Message, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromMilliseconds(500), thrown.Timeout);

        // The retry's request opens a new connection (the first one was abandoned); on a machine busy with the other
        // test assemblies its 500 ms can run out before the emulator has read it, so the emulator sees one or two.
        Assert.InRange(Emulator.GetRequestCount("GetLink"), 1, 2);
    }

    [Fact]
    public async Task Retries_stop_at_the_overall_limit_which_the_timeout_names()
    {
        await using var client = fixture.CreateClient(service, o =>
        {
            o.LinkCache.Enabled = false;
            o.Timeout = TimeSpan.FromMilliseconds(300);
            o.Retry.MaxRetries = 100;
            o.Retry.BaseDelay = TimeSpan.FromMilliseconds(10);
            o.Retry.MaxDelay = TimeSpan.FromMilliseconds(50);
            o.Retry.TotalTimeout = TimeSpan.FromSeconds(2);
        });
        string sessionId = await CreateSessionAsync();
        Emulator.SetLatency(new LatencyProfile(TimeSpan.FromSeconds(3)), "GetLink");
        Emulator.ResetRequestCounts();

        var thrown = await Assert.ThrowsAsync<AgentBayTimeoutException>(() => client.GetLinkAsync(sessionId, LinkRequest.Https(30100)).AsTask());

        Assert.Contains("Retry.TotalTimeout", thrown.Message, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(2), thrown.Timeout);
        output.WriteLine($"{Emulator.GetRequestCount("GetLink")} GetLink attempts reached the emulator within the 2 s overall limit; {thrown.Message}");
        Assert.InRange(Emulator.GetRequestCount("GetLink"), 2, 100);
    }

    [Fact]
    public async Task Cancelling_while_a_retry_waits_surfaces_promptly_and_sends_nothing_more()
    {
        await using var client = fixture.CreateClient(service, o =>
        {
            o.LinkCache.Enabled = false;
            o.Retry.BaseDelay = TimeSpan.FromSeconds(5);
            o.Retry.MaxDelay = TimeSpan.FromSeconds(5);
        });
        await using var session = await client.CreateSessionAsync();
        Emulator.SetFaults(new FaultProfile { ServiceUnavailableRate = 1 }, "GetLink");
        Emulator.ResetRequestCounts();
        using var cts = new CancellationTokenSource();

        Task<SessionLink> work = session.GetLinkAsync(LinkRequest.Https(30100), cts.Token).AsTask();
        await fixture.WaitForRequestsAsync("GetLink");

        Assert.Equal(1, Emulator.GetRequestCount("GetLink"));
        var clock = Stopwatch.StartNew();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => work);
        clock.Stop();

        Assert.Equal(1, Emulator.GetRequestCount("GetLink"));
        output.WriteLine($"Cancellation during a 5 s backoff surfaced after {clock.Elapsed.TotalMilliseconds:0.###} ms.");
    }

    [Fact]
    public async Task Cancelling_during_a_slow_attempt_surfaces_as_cancellation_not_a_retry()
    {
        await using var client = fixture.CreateClient(service, o => o.LinkCache.Enabled = false);
        await using var session = await client.CreateSessionAsync();
        Emulator.SetLatency(new LatencyProfile(TimeSpan.FromSeconds(10)), "GetLink");
        Emulator.ResetRequestCounts();
        using var cts = new CancellationTokenSource();

        Task<SessionLink> work = session.GetLinkAsync(LinkRequest.Https(30100), cts.Token).AsTask();
        await fixture.WaitForRequestsAsync("GetLink");

        var clock = Stopwatch.StartNew();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => work);
        clock.Stop();

        Assert.Equal(1, Emulator.GetRequestCount("GetLink"));
        output.WriteLine($"Cancellation during a 10 s attempt surfaced after {clock.Elapsed.TotalMilliseconds:0.###} ms.");
    }

    [Fact]
    public async Task Disposing_the_client_abandons_a_request_in_flight_on_its_own_HttpClient()
    {
        var client = fixture.CreateClient(service, o => o.LinkCache.Enabled = false);
        string sessionId = await CreateSessionAsync();
        Emulator.SetLatency(new LatencyProfile(TimeSpan.FromSeconds(30)), "GetLink");
        Emulator.ResetRequestCounts();

        Task<SessionLink> work = client.GetLinkAsync(sessionId, LinkRequest.Https(30100)).AsTask();
        await fixture.WaitForRequestsAsync("GetLink");

        var clock = Stopwatch.StartNew();
        await client.DisposeAsync();

        // The answer would take 30 s; the 20 s bound only keeps a regression from hanging the run.
        await Assert.ThrowsAsync<ObjectDisposedException>(() => work.WaitAsync(TimeSpan.FromSeconds(20)));
        clock.Stop();
        Assert.Equal(1, Emulator.GetRequestCount("GetLink"));
        output.WriteLine($"Disposal during a 30 s attempt surfaced after {clock.Elapsed.TotalMilliseconds:0.###} ms.");
    }
}

/// <summary>The <see cref="TimeoutAndCancellationTests"/> suite against AgentBay (the emulator's RPC face).</summary>
public sealed class AgentBayTimeoutAndCancellationTests(EmulatorFixture fixture, ITestOutputHelper output) : TimeoutAndCancellationTests(fixture, output, TestService.AgentBay);

/// <summary>The <see cref="TimeoutAndCancellationTests"/> suite against AGB (the emulator's REST face).</summary>
public sealed class AgbTimeoutAndCancellationTests(EmulatorFixture fixture, ITestOutputHelper output) : TimeoutAndCancellationTests(fixture, output, TestService.Agb);
