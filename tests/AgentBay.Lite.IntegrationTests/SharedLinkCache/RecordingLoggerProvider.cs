using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace AgentBay.Lite.IntegrationTests.SharedLinkCache;

/// <summary>Keeps every log record of every category, so a test can count warnings and read their text.</summary>
internal sealed class RecordingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<(string Category, LogLevel Level, EventId Id, string Message)> _records = new();

    public IReadOnlyList<(string Category, LogLevel Level, EventId Id, string Message)> Records => [.. _records];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(RecordingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner._records.Enqueue((category, logLevel, eventId, formatter(state, exception)));
    }
}
