namespace AgentBay.Lite.Tools;

/// <summary>Exceptions for tool calls that failed inside the session.</summary>
internal static class ToolErrors
{
    private const int ExcerptLength = 300;

    /// <summary>The tool reported an error (<c>isError</c>); its text is the service's message.</summary>
    public static AgentBayException Failed(string toolName, string sessionId, string? text, string? requestId) =>
        new(
            $"The '{toolName}' tool failed in session {sessionId}: {(string.IsNullOrWhiteSpace(text) ? "(no message)" : text.Trim())}",
            code: null,
            serverMessage: text,
            requestId,
            statusCode: null);

    public static string? Excerpt(string? text) =>
        text is null || text.Length <= ExcerptLength ? text : text[..ExcerptLength];
}
