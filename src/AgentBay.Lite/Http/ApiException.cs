using System.Net;
using System.Net.Http.Headers;

namespace AgentBay.Lite.Http;

/// <summary>
/// Thrown by a generated method returning <c>Task</c> or <c>Task&lt;T&gt;</c> when the server answered with a non-2xx
/// status, or (for <c>Task&lt;T&gt;</c>) with a 2xx body that could not be read as <c>T</c>. Transport failures
/// (<see cref="HttpRequestException"/>, <see cref="OperationCanceledException"/>) are not wrapped.
/// </summary>
internal sealed class ApiException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="requestMethod">The request's HTTP method.</param>
    /// <param name="requestUri">The request URI as sent.</param>
    /// <param name="statusCode">The response status.</param>
    /// <param name="headers">The response headers.</param>
    /// <param name="bodyExcerpt">The start of the body as text (at most <see cref="HttpApiRuntime.MaxBodyExcerptChars"/> characters).</param>
    /// <param name="contentError">Why a 2xx body could not be read; <see langword="null"/> for a status failure.</param>
    /// <param name="innerException">The JSON error, if any.</param>
    public ApiException(
        HttpMethod requestMethod,
        Uri? requestUri,
        HttpStatusCode statusCode,
        HttpResponseHeaders headers,
        string bodyExcerpt,
        string? contentError,
        Exception? innerException)
        : base(CreateMessage(requestMethod, requestUri, statusCode, bodyExcerpt, contentError), innerException)
    {
        RequestMethod = requestMethod;
        RequestUri = requestUri;
        StatusCode = statusCode;
        Headers = headers;
        BodyExcerpt = bodyExcerpt;
        ContentError = contentError;
    }

    /// <summary>The request's HTTP method.</summary>
    public HttpMethod RequestMethod { get; }

    /// <summary>The request URI as sent.</summary>
    public Uri? RequestUri { get; }

    /// <summary>The response status.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>The response headers (e.g. <c>Retry-After</c>).</summary>
    public HttpResponseHeaders Headers { get; }

    /// <summary>The start of the body as text, at most <see cref="HttpApiRuntime.MaxBodyExcerptChars"/> characters; empty for an empty body.</summary>
    public string BodyExcerpt { get; }

    /// <summary>Why a 2xx body could not be read (empty, not JSON, JSON <c>null</c>, over the size limit); <see langword="null"/> when the status itself was the failure.</summary>
    public string? ContentError { get; }

    private static string CreateMessage(HttpMethod method, Uri? uri, HttpStatusCode statusCode, string bodyExcerpt, string? contentError)
    {
        string what = contentError is null
            ? "failed with HTTP " + ((int)statusCode).ToString(System.Globalization.CultureInfo.InvariantCulture) + " (" + statusCode.ToString() + ")."
            : "returned HTTP " + ((int)statusCode).ToString(System.Globalization.CultureInfo.InvariantCulture) + " but the body could not be read: " + contentError;
        string body = bodyExcerpt.Length == 0 ? " The body was empty." : " Body starts with: " + bodyExcerpt;
        return method.Method + " " + (uri?.ToString() ?? "(no URI)") + " " + what + body;
    }
}
