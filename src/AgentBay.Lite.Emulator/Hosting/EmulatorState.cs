using System.Buffers;
using System.Text;
using System.Text.Json;
using AgentBay.Lite.Emulator.Faults;
using AgentBay.Lite.Emulator.Sessions;
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
        Tools = new ToolRunner(workRoot, options.DisableExec);
        Sessions = new SessionService(new SessionStore(options.MaxSessions, options.MaxLinksPerSession), Tools, options.MaxSessions);
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

    public string ApiKey { get; }

    public void Dispose()
    {
        Tools.Dispose();
        Delays.Dispose();
    }

    public long MaxRequestBodyBytes { get; }

    public bool LogRequests { get; }

    public SessionService Sessions { get; }

    public ToolRunner Tools { get; }

    public Injector Injector { get; }

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
