using System.Diagnostics;
using AgentBay.Lite.Backend;
using Microsoft.Extensions.Logging;
using static AgentBay.Lite.Telemetry.AgentBayDiagnostics;

namespace AgentBay.Lite.Telemetry;

/// <summary>
/// The telemetry of one backend operation, retries included: a span (<c>AgentBay {operation}</c>) with a child span
/// per attempt (<c>AgentBay {operation} attempt</c>), the duration histogram, the retries counter and the log events.
/// Made by the resilience layer for every call; disposing it ends the operation's span.
/// </summary>
internal sealed class OperationScope : IDisposable
{
    private static readonly OperationNames[] Names = Enum.GetValues<BackendOperation>().Select(static o => new OperationNames(o)).ToArray();

    private readonly ClientTelemetry _telemetry;
    private readonly string _operation;
    private readonly string _attemptSpanName;
    private readonly string? _sessionId;
    private readonly Activity? _span;
    private readonly long _started;
    private int _attempts;

    public OperationScope(ClientTelemetry telemetry, BackendOperation operation, string? sessionId)
    {
        _telemetry = telemetry;
        OperationNames names = Names[(int)operation];
        _operation = names.Operation;
        _attemptSpanName = names.AttemptSpan;
        _sessionId = sessionId;
        _started = telemetry.TimeProvider.GetTimestamp();
        _span = Source.StartActivity(names.OperationSpan, ActivityKind.Internal);
        if (_span is { IsAllDataRequested: true })
        {
            _span.SetTag(Tags.Operation, _operation);
            _span.SetTag(Tags.SessionId, sessionId);
        }
    }

    /// <summary>Starts attempt number <paramref name="attempt"/> (from 1): counts a retry, opens the attempt's span.</summary>
    /// <returns>The attempt's span, <see langword="null"/> when nobody listens; give it to <see cref="AttemptEnded"/>.</returns>
    public Activity? StartAttempt(int attempt)
    {
        _attempts = attempt;
        if (attempt > 1)
        {
            _telemetry.Metrics.Retries.Add(1, new KeyValuePair<string, object?>(Tags.Operation, _operation));
        }

        Activity? span = Source.StartActivity(_attemptSpanName, ActivityKind.Client, _span?.Context ?? default(ActivityContext));
        if (span is { IsAllDataRequested: true })
        {
            span.SetTag(Tags.Operation, _operation);
            span.SetTag(Tags.Attempt, attempt);
            span.SetTag(Tags.SessionId, _sessionId);
            span.SetTag(Tags.ServerAddress, _telemetry.ServerAddress);
            span.SetTag(Tags.ServerPort, _telemetry.ServerPort);
        }

        return span;
    }

    /// <summary>Ends an attempt that <paramref name="started"/> (a timestamp of the client's clock) with its answer or failure.</summary>
    public void AttemptEnded<T>(Activity? span, long started, T answer, Exception? error)
    {
        if (error is null)
        {
            span?.SetTag(Tags.RequestId, RequestIdOf(answer));
            span?.Dispose();
            return;
        }

        string errorType = ClientTelemetry.ErrorType(error);
        var failure = error as AgentBayException;
        int? status = failure?.StatusCode is { } code ? (int)code : null;
        if (span is not null)
        {
            span.SetTag(Tags.ErrorType, errorType);
            span.SetTag(Tags.HttpStatusCode, status);
            span.SetTag(Tags.RequestId, failure?.RequestId);
            span.SetStatus(ActivityStatusCode.Error, errorType);
            span.Dispose();
        }

        if (error is not OperationCanceledException && _telemetry.Logger.IsEnabled(LogLevel.Information))
        {
            double elapsed = _telemetry.ElapsedMilliseconds(started);
            Log.AttemptFailed(_telemetry.Logger, _operation, _attempts, elapsed, errorType, status, failure?.RequestId);
        }
    }

    /// <summary>Records the operation's success.</summary>
    public void Succeeded<T>(T answer)
    {
        double elapsed = _telemetry.ElapsedMilliseconds(_started);
        _telemetry.Metrics.OperationDuration.Record(elapsed / 1000, new KeyValuePair<string, object?>(Tags.Operation, _operation));
        _span?.SetTag(Tags.Attempts, _attempts);
        if (_span is not null || _telemetry.Logger.IsEnabled(LogLevel.Debug))
        {
            string? requestId = RequestIdOf(answer);
            _span?.SetTag(Tags.RequestId, requestId);
            Log.OperationSucceeded(_telemetry.Logger, _operation, elapsed, _attempts, requestId);
        }
    }

    /// <summary>Records the operation's failure or cancellation.</summary>
    public void Failed(Exception error)
    {
        double elapsed = _telemetry.ElapsedMilliseconds(_started);
        string errorType = ClientTelemetry.ErrorType(error);
        _telemetry.Metrics.OperationDuration.Record(
            elapsed / 1000,
            new KeyValuePair<string, object?>(Tags.Operation, _operation),
            new KeyValuePair<string, object?>(Tags.ErrorType, errorType));
        if (_span is not null)
        {
            _span.SetTag(Tags.Attempts, _attempts);
            _span.SetTag(Tags.ErrorType, errorType);
            _span.SetTag(Tags.RequestId, (error as AgentBayException)?.RequestId);
            _span.SetStatus(ActivityStatusCode.Error, errorType);
        }

        if (error is OperationCanceledException)
        {
            Log.OperationCanceled(_telemetry.Logger, _operation, elapsed, _attempts);
        }
        else
        {
            Log.OperationFailed(_telemetry.Logger, error, _operation, elapsed, _attempts, errorType, (error as AgentBayException)?.RequestId);
        }
    }

    /// <summary>Ends the operation's span.</summary>
    public void Dispose() => _span?.Dispose();

    /// <summary>What spans, tags and logs call an operation: its name (wire-neutral), e.g. <c>GetLink</c>, and its spans'.</summary>
    private sealed class OperationNames(BackendOperation operation)
    {
        public string Operation { get; } = operation.ToString();

        public string OperationSpan { get; } = "AgentBay " + operation;

        public string AttemptSpan { get; } = "AgentBay " + operation + " attempt";
    }

    /// <summary>The service's request id in an answer, for the answers that carry one.</summary>
    private static string? RequestIdOf<T>(T answer) => answer switch
    {
        SessionRecord record => record.RequestId,
        LinkRecord link => link.RequestId,
        ToolResult tool => tool.RequestId,
        ResourceRecord resource => resource.RequestId,
        _ => null,
    };
}
