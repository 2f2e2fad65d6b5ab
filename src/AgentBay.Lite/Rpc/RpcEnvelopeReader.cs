using System.Net;
using AgentBay.Lite.Http;

namespace AgentBay.Lite.Rpc;

/// <summary>
/// Turns an RPC answer into its envelope or into the exception it means. The three failure shapes of
/// agentbay-rpc.md §2.2 — an HTTP error with an envelope body, HTTP 200 with <c>Success:false</c>, and a body that is
/// not an envelope at all — all end here, so every action reports failures the same way.
/// </summary>
internal static class RpcEnvelopeReader
{
    /// <summary>Returns the envelope of a successful call, or throws the exception its failure means.</summary>
    /// <param name="response">The raw answer.</param>
    /// <param name="action">The action, for messages.</param>
    /// <param name="sessionId">The session the call named, for not-found messages.</param>
    /// <param name="secrets">Removes the API key from whatever of the answer goes into an exception.</param>
    /// <param name="service">The service that answered, for the hints in messages (AGB reads the same envelope in camelCase).</param>
    public static TEnvelope Read<TEnvelope>(ApiResponse<TEnvelope> response, string action, string? sessionId, SecretRedactor secrets, AgentBayService service = AgentBayService.AgentBay)
        where TEnvelope : RpcEnvelope
    {
        var envelope = response.Content;
        if (envelope is null)
        {
            throw Unreadable(response, action, secrets);
        }

        if (!response.IsSuccessStatusCode || envelope.Success == false)
        {
            throw Failure(response, envelope, action, sessionId, secrets, service);
        }

        return envelope;
    }

    /// <summary>Returns <paramref name="data"/>, or throws when a successful answer lacks the <c>Data</c> the action must return.</summary>
    public static TData RequireData<TData>(TData? data, RpcEnvelope envelope, HttpStatusCode statusCode, string action)
        where TData : class =>
        data ?? throw new AgentBayProtocolException(
            $"{action} succeeded but its answer has no Data, so there is nothing to return (request id {Describe(envelope.RequestId)}).",
            bodyExcerpt: null,
            envelope.RequestId,
            statusCode);

    /// <summary>An empty string from the service means "not given".</summary>
    public static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static AgentBayException Unreadable<TEnvelope>(ApiResponse<TEnvelope> response, string action, SecretRedactor secrets)
    {
        var excerpt = secrets.Redact(response.BodyExcerpt) ?? string.Empty;
        var status = (int)response.StatusCode;
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            return new AgentBayThrottledException(
                $"{action} was throttled (HTTP 429). Wait and retry.",
                RetryAfter(response), code: null, serverMessage: null, requestId: null, response.StatusCode);
        }

        var what = excerpt.Length == 0
            ? "an empty body"
            : $"a body that is not an AgentBay answer ({secrets.Redact(response.ContentError)}). It starts: {excerpt}";
        var hint = status >= 500
            ? " The service or a gateway in front of it failed; retrying later may help."
            : " A proxy or gateway between this client and the service may have answered instead; check AgentBayOptions.Endpoint.";
        return new AgentBayProtocolException($"{action}: the service answered HTTP {status} with {what}.{hint}", excerpt, requestId: null, response.StatusCode);
    }

    private static AgentBayException Failure<TEnvelope>(ApiResponse<TEnvelope> response, RpcEnvelope envelope, string action, string? sessionId, SecretRedactor secrets, AgentBayService service)
    {
        var code = secrets.Redact(NullIfEmpty(envelope.Code));
        var serverMessage = secrets.Redact(NullIfEmpty(envelope.Message?.Trim()));
        var requestId = secrets.Redact(NullIfEmpty(envelope.RequestId));
        var status = response.StatusCode;
        var said = $"[{code ?? "no code"}] {serverMessage ?? "(no message)"} (HTTP {(int)status}, request id {Describe(requestId)})";

        if (IsSessionNotFound(code))
        {
            var subject = sessionId is null ? "The session" : $"Session '{sessionId}'";
            return new SessionNotFoundException(
                $"{subject} was not found: it does not exist, or it was deleted or released. {action}: {said}",
                sessionId, code, serverMessage, requestId, status);
        }

        if (code is "NOT_LOGIN" or "InvalidApiKey" or "Unauthorized" || status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            return new AgentBayAuthenticationException(
                service == AgentBayService.Agb
                    ? $"The AGB service did not accept the API key: {said}. Check AgentBayOptions.ApiKey (AGB_API_KEY), and that AgentBayOptions.Endpoint (AGB_ENDPOINT) is the AGB gateway the key belongs to."
                    : $"The AgentBay service did not accept the API key: {said}. Check AgentBayOptions.ApiKey (AGENTBAY_API_KEY), and that the key belongs to the gateway in AgentBayOptions.Endpoint (AGENTBAY_ENDPOINT): keys are gateway-specific.",
                code, serverMessage, requestId, status);
        }

        if (code?.StartsWith("Throttling", StringComparison.Ordinal) == true || status == HttpStatusCode.TooManyRequests)
        {
            var retryAfter = RetryAfter(response);
            var wait = retryAfter is { } delay ? $" The service asks to wait {delay.TotalSeconds:0.###} s." : string.Empty;
            return new AgentBayThrottledException($"{action} was throttled: {said}.{wait}", retryAfter, code, serverMessage, requestId, status);
        }

        return new AgentBayException($"{action} failed: {said}.", code, serverMessage, requestId, status);
    }

    private static bool IsSessionNotFound(string? code) =>
        code is "InvalidMcpSession.NotFound" or "InvalidSession.NotFound" or "SessionNotFound";

    private static TimeSpan? RetryAfter<TEnvelope>(ApiResponse<TEnvelope> response)
    {
        var retryAfter = response.Headers.RetryAfter;
        if (retryAfter?.Delta is { } delta)
        {
            return delta;
        }

        if (retryAfter?.Date is { } date)
        {
            var wait = date - (response.Headers.Date ?? DateTimeOffset.UtcNow);
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        return null;
    }

    private static string Describe(string? requestId) => requestId ?? "none";
}
