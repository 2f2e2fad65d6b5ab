using System.Diagnostics;

namespace AgentBay.Lite.Telemetry;

/// <summary>
/// The names under which the SDK reports: one <see cref="ActivitySource"/>, one <see cref="System.Diagnostics.Metrics.Meter"/>
/// and one logger category, all <c>AgentBay.Lite</c>, versioned as the assembly.
/// </summary>
internal static class AgentBayDiagnostics
{
    /// <summary>The name of the activity source, the meter and the logger category.</summary>
    public const string Name = "AgentBay.Lite";

    /// <summary>The assembly's version, e.g. <c>0.1.0.0</c>.</summary>
    public static readonly string Version = typeof(AgentBayDiagnostics).Assembly.GetName().Version?.ToString() ?? "0.0.0.0";

    /// <summary>
    /// The source of every span. Activity sources are process-wide by design (a listener subscribes by name), so there
    /// is one, unlike the meter, which comes from the host's <see cref="System.Diagnostics.Metrics.IMeterFactory"/> when
    /// there is one.
    /// </summary>
    public static readonly ActivitySource Source = new(Name, Version);

    /// <summary>Attribute names: OpenTelemetry's semantic conventions where they have one, <c>agentbay.*</c> otherwise.</summary>
    public static class Tags
    {
        public const string Operation = "agentbay.operation";
        public const string SessionId = "agentbay.session.id";
        public const string Attempt = "agentbay.attempt";
        public const string Attempts = "agentbay.attempts";
        public const string RequestId = "agentbay.request.id";
        public const string LinkCount = "agentbay.links.count";
        public const string LinksFailed = "agentbay.links.failed";
        public const string MaxConcurrency = "agentbay.fan_out.max_concurrency";
        public const string ErrorType = "error.type";
        public const string ServerAddress = "server.address";
        public const string ServerPort = "server.port";
        public const string HttpStatusCode = "http.response.status_code";
    }
}
