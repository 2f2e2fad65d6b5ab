using System.Diagnostics.CodeAnalysis;

namespace AgentBay.Lite.Emulator.Sessions;

/// <summary>Why the session service refused a request, independent of any wire protocol.</summary>
internal enum SessionErrorKind
{
    /// <summary>No live session has the id.</summary>
    NotFound,

    /// <summary>An argument is invalid; <see cref="SessionError.Subject"/> names it (e.g. <c>Port</c>).</summary>
    InvalidArgument,

    /// <summary>The request is valid but the session cannot do it; <see cref="SessionError.Subject"/> names the reason.</summary>
    Unsupported,

    /// <summary>A quota is full; <see cref="SessionError.Subject"/> names it (e.g. <c>Session</c>).</summary>
    QuotaExceeded,

    /// <summary>The emulator could not do it (e.g. a sandbox failed to start); not the client's fault.</summary>
    Failed,

    /// <summary>The session's access token was missing or wrong (link_url and ws_url routes).</summary>
    Unauthorized,
}

/// <summary>A refusal: its kind, what it concerns, and a message for the client.</summary>
internal sealed record SessionError(SessionErrorKind Kind, string Subject, string Message)
{
    public static readonly SessionError NotFound = new(SessionErrorKind.NotFound, "Session", "Resource [McpSession] is not found.");

    public static readonly SessionError WrongAccessToken = new(
        SessionErrorKind.Unauthorized,
        "AccessToken",
        "The X-Access-Token header is missing or is not this session's token (the Token that CreateMcpSession and GetSession return).");

    public static SessionError Invalid(string argument, string message) => new(SessionErrorKind.InvalidArgument, argument, message);
}

/// <summary>A value or a <see cref="SessionError"/>.</summary>
internal readonly struct Outcome<T>
    where T : class
{
    private Outcome(T? value, SessionError? error)
    {
        Value = value;
        Error = error;
    }

    public T? Value { get; }

    public SessionError? Error { get; }

    public static implicit operator Outcome<T>(T value) => new(value, null);

    public static implicit operator Outcome<T>(SessionError error) => new(null, error);

    public bool Succeeded([NotNullWhen(true)] out T? value, [NotNullWhen(false)] out SessionError? error)
    {
        value = Value;
        error = Error;
        return error is null;
    }
}

/// <summary>A link issued for a session: its token, protocol (<c>https</c>, <c>wss</c> or <c>cdp</c>) and port (null for CDP).</summary>
internal sealed record LinkGrant(string Token, string Protocol, int? Port);

/// <summary>What a live link token leads to.</summary>
/// <param name="Session">The live session.</param>
/// <param name="Protocol"><c>https</c>, <c>wss</c> or <c>cdp</c> (the session browser's DevTools endpoint).</param>
/// <param name="Port">The port inside the session for https/wss links; null for CDP.</param>
internal sealed record LinkTarget(EmulatedSession Session, string Protocol, int? Port);
