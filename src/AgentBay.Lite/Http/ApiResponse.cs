using System.Net;
using System.Net.Http.Headers;

namespace AgentBay.Lite.Http;

/// <summary>
/// What a generated method returning <c>Task&lt;ApiResponse&lt;T&gt;&gt;</c> hands back: the status, the headers and the
/// body read as <typeparamref name="T"/> when it could be, whatever the status. It never throws for a status or an
/// unreadable body, so protocols whose error bodies are meaningful (the AgentBay RPC envelope) can read them.
/// </summary>
/// <typeparam name="T">The JSON body type.</typeparam>
internal sealed class ApiResponse<T>
{
    /// <summary>Creates a response.</summary>
    public ApiResponse(HttpStatusCode statusCode, HttpResponseHeaders headers, T? content, string? contentError, string bodyExcerpt)
    {
        StatusCode = statusCode;
        Headers = headers;
        Content = content;
        ContentError = contentError;
        BodyExcerpt = bodyExcerpt;
    }

    /// <summary>The HTTP status code.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>Whether the status is 2xx.</summary>
    public bool IsSuccessStatusCode => (int)StatusCode is >= 200 and <= 299;

    /// <summary>The response headers (e.g. <c>Retry-After</c>).</summary>
    public HttpResponseHeaders Headers { get; }

    /// <summary>The body as <typeparamref name="T"/>; <see langword="null"/> when it was empty or could not be read (see <see cref="ContentError"/>).</summary>
    public T? Content { get; }

    /// <summary>Why <see cref="Content"/> is <see langword="null"/>: an empty body, a body that is not valid JSON for <typeparamref name="T"/>, the JSON literal <c>null</c>, or one over <see cref="HttpApiRuntime.MaxResponseBodyBytes"/>. <see langword="null"/> when the body was read.</summary>
    public string? ContentError { get; }

    /// <summary>
    /// The start of the body as text (at most <see cref="HttpApiRuntime.MaxBodyExcerptChars"/> = 256 characters), for
    /// error messages: kept when the status is not 2xx or <see cref="ContentError"/> is set; empty for an empty body and
    /// for a 2xx body that was read, which needs none.
    /// </summary>
    public string BodyExcerpt { get; }
}
