using System.Buffers;
using System.Text;
using System.Text.Json;
using AgentBay.Lite.Emulator.Browser;
using AgentBay.Lite.Emulator.Faults;
using AgentBay.Lite.Emulator.LiveView;
using AgentBay.Lite.Emulator.Sessions;
using AgentBay.Lite.Emulator.Sessions.Sandbox;
using AgentBay.Lite.Emulator.Tools;

namespace AgentBay.Lite.Emulator.Hosting;

/// <summary>Everything the faces and middleware share: the key, limits, the session service and the fault injection state.</summary>
internal sealed class EmulatorState : IDisposable
{
    public EmulatorState(AgentBayEmulatorOptions options, string apiKey, string workRoot)
    {
        ApiKey = apiKey;
        MaxRequestBodyBytes = options.MaxRequestBodyBytes;
        LogRequests = options.LogRequests;
        SandboxUnavailableReason = options.DisableSandbox
            ? "sandboxes were turned off (--no-sandbox / DisableSandbox)"
            : SandboxEnvironment.WhyUnavailable;
        var mode = options.DisableExec ? ExecutionMode.Disabled
            : SandboxUnavailableReason is null ? ExecutionMode.Sandboxed
            : options.AllowHostExecution ? ExecutionMode.Host
            : ExecutionMode.Refused;
        _launcher = SandboxUnavailableReason is null ? new ProcessLauncher() : null;
        Tools = new ToolRunner(workRoot, mode, SandboxUnavailableReason);
        Sessions = new SessionService(new SessionStore(options.MaxSessions, options.MaxLinksPerSession), Tools, options.MaxSessions, _launcher);
        var chromium = options.BrowserExecutable is null ? Chromium.Find() : Chromium.Find([options.BrowserExecutable]);
        Browsers = new BrowserService(Sessions, new SessionBrowsers(chromium));
        ResourceTokens = new ResourceTokens(Sessions, options.TimeProvider ?? TimeProvider.System);
        Injector = new Injector(options.Seed);
        Injector.SetLatency(options.Latency, null);
        foreach (var (action, profile) in options.LatencyByAction)
        {
            Injector.SetLatency(profile, action);
        }

        Injector.SetFaults(options.Faults, null);
        foreach (var (action, profile) in options.FaultsByAction)
        {
            Injector.SetFaults(profile, action);
        }

        ToolListJson = BuildToolList();
    }

    private readonly ProcessLauncher? _launcher;

    public string ApiKey { get; }

    /// <summary>Null when sessions run in sandboxes; otherwise why they do not.</summary>
    public string? SandboxUnavailableReason { get; }

    /// <summary>Call after <see cref="SessionService.EndAllAsync"/>: ending the launcher thread would kill any sandbox still running.</summary>
    public void Dispose()
    {
        Tools.Dispose();
        Delays.Dispose();
        _launcher?.Dispose();
    }

    public long MaxRequestBodyBytes { get; }

    public bool LogRequests { get; }

    public SessionService Sessions { get; }

    public ToolRunner Tools { get; }

    /// <summary>The sessions' browsers (Chromium, started on first need).</summary>
    public BrowserService Browsers { get; }

    public Injector Injector { get; }

    /// <summary>The bearer tokens of resource URLs (the live view).</summary>
    public ResourceTokens ResourceTokens { get; }

    /// <summary>Where injected latency waits.</summary>
    public PreciseDelays Delays { get; } = new();

    public RequestCounters Counters { get; } = new();

    /// <summary>The <c>ToolList</c> JSON string returned by CreateMcpSession, GetSession and ListMcpTools.</summary>
    public string ToolListJson { get; }

    /// <summary><c>http</c> or <c>https</c>, set once listening.</summary>
    public string Scheme { get; set; } = "http";

    /// <summary>Host:port used in link and resource URLs; null means "the request's Host header".</summary>
    public string? LinkHost { get; set; }

    private static string BuildToolList()
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer, JsonOut.Options))
        {
            w.WriteStartArray();
            foreach (var (name, server, description) in ToolRunner.Tools)
            {
                w.WriteStartObject();
                w.WriteString("name", name);
                w.WriteString("description", description);
                w.WriteStartObject("inputSchema");
                w.WriteString("type", "object");
                w.WriteEndObject();
                w.WriteString("server", server);
                w.WriteString("tool", name);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
