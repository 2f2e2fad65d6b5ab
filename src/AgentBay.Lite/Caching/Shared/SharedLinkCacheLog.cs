using Microsoft.Extensions.Logging;

namespace AgentBay.Lite.Caching.Shared;

/// <summary>The shared link tier's log messages. They name no key, URL or server address: links are secrets.</summary>
internal static partial class SharedLinkCacheLog
{
    /// <summary>The logger category.</summary>
    public const string Category = "AgentBay.Lite.SharedLinkCache";

    [LoggerMessage(
        EventId = 1901,
        EventName = "SharedLinkCacheUnavailable",
        Level = LogLevel.Warning,
        Message = "The shared link cache failed ({ExceptionType}); links are fetched from AgentBay without it, and it is tried again after {RetryAfterSeconds} s. This is logged once until it works again.")]
    public static partial void Unavailable(ILogger logger, string exceptionType, double retryAfterSeconds);

    [LoggerMessage(
        EventId = 1902,
        EventName = "SharedLinkCacheRecovered",
        Level = LogLevel.Information,
        Message = "The shared link cache answers again.")]
    public static partial void Recovered(ILogger logger);

    [LoggerMessage(
        EventId = 1903,
        EventName = "SharedLinkCacheEnabled",
        Level = LogLevel.Debug,
        Message = "The shared link cache is on (entries encrypted: {Encrypted}).")]
    public static partial void Enabled(ILogger logger, bool encrypted);
}
