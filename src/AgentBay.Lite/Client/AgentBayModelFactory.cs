namespace AgentBay.Lite;

/// <summary>
/// Builds the SDK's result objects, for tests of code that depends on <see cref="IAgentBayClient"/>: a substitute can
/// return these where the real client would return what the service said.
/// </summary>
public static class AgentBayModelFactory
{
    /// <summary>Creates a <see cref="Lite.SessionLink"/>.</summary>
    /// <param name="url">The link.</param>
    /// <param name="request">What was asked for.</param>
    /// <param name="sessionId">The session.</param>
    /// <param name="requestId">The service's request id, if any.</param>
    /// <param name="retrievedAt">When the link was received.</param>
    /// <returns>The link.</returns>
    public static SessionLink SessionLink(Uri url, LinkRequest request, string sessionId, string? requestId = null, DateTimeOffset retrievedAt = default)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrWhiteSpace(sessionId);
        return new SessionLink(url, request, sessionId, requestId, retrievedAt);
    }

    /// <summary>
    /// Creates an <see cref="Lite.AgentBaySession"/> that carries values only: it is connected to no client, so its
    /// calls (links, commands, files, deletion) throw <see cref="InvalidOperationException"/>, except
    /// <see cref="Lite.AgentBaySession.DisposeAsync"/>, which does nothing. To fake calls as well, substitute
    /// <see cref="Lite.AgentBaySession"/>, <see cref="SessionCommands"/> and <see cref="SessionFiles"/>: their members
    /// are virtual.
    /// </summary>
    /// <param name="id">The session's id.</param>
    /// <param name="imageId">The image it was created with.</param>
    /// <param name="resourceUrl">The desktop stream URL.</param>
    /// <param name="resourceId">The resource id.</param>
    /// <param name="appInstanceId">The app instance id.</param>
    /// <param name="linkUrl">The base URL for direct tool calls.</param>
    /// <param name="token">The access token for direct tool calls.</param>
    /// <param name="wsUrl">The session's WebSocket URL.</param>
    /// <param name="labels">The labels; none when <see langword="null"/>.</param>
    /// <param name="toolServers">Tool name → MCP server; none when <see langword="null"/>.</param>
    /// <returns>The session.</returns>
    public static AgentBaySession AgentBaySession(
        string id,
        string? imageId = null,
        Uri? resourceUrl = null,
        string? resourceId = null,
        string? appInstanceId = null,
        Uri? linkUrl = null,
        string? token = null,
        Uri? wsUrl = null,
        IReadOnlyDictionary<string, string>? labels = null,
        IReadOnlyDictionary<string, string>? toolServers = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        return new AgentBaySession(
            services: null,
            id,
            imageId,
            resourceUrl,
            resourceId,
            appInstanceId,
            linkUrl,
            token,
            wsUrl,
            labels is null ? System.Collections.ObjectModel.ReadOnlyDictionary<string, string>.Empty : new Dictionary<string, string>(labels, StringComparer.Ordinal).AsReadOnly(),
            toolServers is null ? null : new Dictionary<string, string>(toolServers, StringComparer.Ordinal).AsReadOnly());
    }

    /// <summary>Creates a <see cref="Lite.SessionInfo"/>.</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="resourceUrl">The desktop stream URL.</param>
    /// <param name="resourceType">The kind of resource.</param>
    /// <param name="resourceId">The resource id.</param>
    /// <param name="appId">The desktop application id.</param>
    /// <param name="authCode">The desktop authorization code.</param>
    /// <param name="connectionProperties">The desktop connection settings (JSON text).</param>
    /// <param name="ticket">The desktop connection ticket.</param>
    /// <param name="retrievedAt">When the details were received.</param>
    /// <returns>The details.</returns>
    public static SessionInfo SessionInfo(
        string sessionId,
        Uri? resourceUrl = null,
        string? resourceType = null,
        string? resourceId = null,
        string? appId = null,
        string? authCode = null,
        string? connectionProperties = null,
        string? ticket = null,
        DateTimeOffset retrievedAt = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sessionId);
        return new SessionInfo(sessionId, resourceUrl, resourceType, resourceId, appId, authCode, connectionProperties, ticket, retrievedAt);
    }

    /// <summary>Creates a <see cref="Lite.SessionSummary"/>.</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="status">Its status, e.g. <c>RUNNING</c>.</param>
    /// <returns>The summary.</returns>
    public static SessionSummary SessionSummary(string sessionId, string? status = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sessionId);
        return new SessionSummary(sessionId, status);
    }

    /// <summary>Creates a <see cref="Lite.CommandResult"/>.</summary>
    /// <param name="exitCode">The exit code.</param>
    /// <param name="stdout">Standard output.</param>
    /// <param name="stderr">Standard error.</param>
    /// <param name="traceId">The service's trace id, if any.</param>
    /// <returns>The result.</returns>
    public static CommandResult CommandResult(int exitCode, string stdout = "", string stderr = "", string? traceId = null)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        return new CommandResult(exitCode, stdout, stderr, traceId);
    }

    /// <summary>Creates a <see cref="Lite.CodeEvent"/>, e.g. for a substituted <see cref="SessionCode.StreamAsync"/>.</summary>
    /// <param name="kind">What the event reports.</param>
    /// <param name="text">The output chunk or error message.</param>
    /// <param name="mime">A result's representations by MIME type.</param>
    /// <param name="isMainResult">Whether a result is the main one.</param>
    /// <param name="succeeded">On an end event: whether the run finished.</param>
    /// <param name="executionCount">On an end event: the execution counter.</param>
    /// <param name="executionTime">On an end event: how long the program ran.</param>
    /// <returns>The event.</returns>
    public static CodeEvent CodeEvent(
        CodeEventKind kind,
        string? text = null,
        IReadOnlyDictionary<string, string>? mime = null,
        bool isMainResult = false,
        bool? succeeded = null,
        int? executionCount = null,
        TimeSpan? executionTime = null) =>
        new(kind, text, mime is null ? null : new Dictionary<string, string>(mime, StringComparer.Ordinal).AsReadOnly(), isMainResult, succeeded, executionCount, executionTime);

    /// <summary>Creates a <see cref="Lite.CodeResult"/>, e.g. for a substituted <see cref="SessionCode.RunAsync"/>.</summary>
    /// <param name="succeeded">Whether the run finished.</param>
    /// <param name="stdout">Standard output.</param>
    /// <param name="stderr">Standard error.</param>
    /// <param name="error">Why the run failed.</param>
    /// <param name="results">The rich results.</param>
    /// <param name="executionCount">The execution counter.</param>
    /// <param name="executionTime">How long the program ran.</param>
    /// <returns>The result.</returns>
    public static CodeResult CodeResult(
        bool succeeded,
        string stdout = "",
        string stderr = "",
        string? error = null,
        IEnumerable<CodeEvent>? results = null,
        int? executionCount = null,
        TimeSpan? executionTime = null)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        return new CodeResult(stdout, stderr, results is null ? [] : [.. results], succeeded, error, executionCount, executionTime);
    }

    /// <summary>Creates a successful <see cref="Lite.LinkResult"/> for <paramref name="link"/>.</summary>
    /// <param name="link">The link.</param>
    /// <returns>The result.</returns>
    public static LinkResult LinkResult(SessionLink link)
    {
        ArgumentNullException.ThrowIfNull(link);
        return Lite.LinkResult.Success(link);
    }

    /// <summary>Creates a failed <see cref="Lite.LinkResult"/>.</summary>
    /// <param name="sessionId">The session the link was requested for.</param>
    /// <param name="request">The link that was requested.</param>
    /// <param name="error">Why it failed.</param>
    /// <returns>The result.</returns>
    public static LinkResult LinkResult(string sessionId, LinkRequest request, Exception error)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sessionId);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(error);
        return Lite.LinkResult.Failure(sessionId, request, error);
    }
}
