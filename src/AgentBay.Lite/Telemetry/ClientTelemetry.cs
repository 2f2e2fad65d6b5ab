using System.Diagnostics;
using System.Diagnostics.Metrics;
using AgentBay.Lite.Backend;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentBay.Lite.Telemetry;

/// <summary>
/// One client's telemetry: its logger, its instruments and the gateway it talks to (the <c>server.*</c> attributes).
/// The layers that report hold this and nothing else of the diagnostics APIs.
/// </summary>
internal sealed class ClientTelemetry
{
    /// <summary>Creates the telemetry of a client.</summary>
    /// <param name="loggerFactory">Where logs go; <see langword="null"/> for none.</param>
    /// <param name="meterFactory">Where the meter comes from; <see langword="null"/> for the process-wide meter.</param>
    /// <param name="serviceAddress">The service endpoint, for <c>server.address</c> and <c>server.port</c>.</param>
    /// <param name="timeProvider">The clock durations are measured on.</param>
    public ClientTelemetry(ILoggerFactory? loggerFactory, IMeterFactory? meterFactory, Uri serviceAddress, TimeProvider timeProvider)
    {
        Logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger(AgentBayDiagnostics.Name);
        Metrics = AgentBayMetrics.For(meterFactory);
        ServerAddress = serviceAddress.Host;
        ServerPort = serviceAddress.Port;
        TimeProvider = timeProvider;
    }

    public ILogger Logger { get; }

    public AgentBayMetrics Metrics { get; }

    public string ServerAddress { get; }

    public int ServerPort { get; }

    public TimeProvider TimeProvider { get; }

    /// <summary>Starts the span and the clock of one operation; the scope then observes each attempt.</summary>
    public OperationScope StartOperation(BackendOperation operation, string? sessionId) => new(this, operation, sessionId);

    /// <summary>Starts a span of the SDK's own, e.g. a fan-out; <see langword="null"/> when nobody listens.</summary>
    public static Activity? StartSpan(string name) => AgentBayDiagnostics.Source.StartActivity(name, ActivityKind.Internal);

    /// <summary>The <c>error.type</c> of a failure: the exception's full type name, as OpenTelemetry recommends.</summary>
    public static string ErrorType(Exception error) => error.GetType().FullName ?? error.GetType().Name;

    /// <summary>Milliseconds since <paramref name="started"/> on the client's clock.</summary>
    public double ElapsedMilliseconds(long started) => TimeProvider.GetElapsedTime(started).TotalMilliseconds;
}
