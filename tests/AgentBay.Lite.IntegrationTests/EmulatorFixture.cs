using AgentBay.Lite.Emulator;

namespace AgentBay.Lite.IntegrationTests;

/// <summary>
/// One in-process emulator per test class (<c>IClassFixture&lt;EmulatorFixture&gt;</c>), so a class that injects faults
/// or latency, or reads the request counters, never disturbs another class running in parallel.
/// </summary>
public sealed class EmulatorFixture : IAsyncLifetime
{
    private AgentBayEmulator? _emulator;

    /// <summary>The running emulator.</summary>
    public AgentBayEmulator Emulator => _emulator ?? throw new InvalidOperationException("The emulator has not started.");

    /// <summary>Options pointing at the emulator, with its key.</summary>
    public AgentBayOptions Options(Action<AgentBayOptions>? configure = null)
    {
        var options = new AgentBayOptions { ApiKey = Emulator.ApiKey, Endpoint = Emulator.Endpoint };
        configure?.Invoke(options);
        return options;
    }

    /// <summary>A new client for the emulator; the caller disposes it.</summary>
    public AgentBayClient CreateClient(Action<AgentBayOptions>? configure = null) => new(Options(configure));

    /// <summary>A new client for the emulator's face of <paramref name="service"/>; the caller disposes it.</summary>
    public AgentBayClient CreateClient(TestService service, Action<AgentBayOptions>? configure = null) => new(Options(o =>
    {
        o.Service = service.Service;
        configure?.Invoke(o);
    }));

    /// <summary>
    /// Waits until the emulator has received at least <paramref name="count"/> requests of <paramref name="action"/>,
    /// polling its counters; a 30 s deadline keeps a regression from hanging the run.
    /// </summary>
    public async Task WaitForRequestsAsync(string action, long count = 1)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (Emulator.GetRequestCount(action) < count)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(5), deadline.Token);
        }
    }

    public async Task InitializeAsync() => _emulator = await AgentBayEmulator.StartAsync();

    public async Task DisposeAsync()
    {
        if (_emulator is not null)
        {
            await _emulator.DisposeAsync();
        }
    }
}
