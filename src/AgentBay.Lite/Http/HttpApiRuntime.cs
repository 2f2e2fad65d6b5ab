using System.Buffers;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.Unicode;

namespace AgentBay.Lite.Http;

/// <summary>
/// Sends requests built by generated <c>[HttpApi]</c> clients and reads their responses. Generated code hands over
/// ownership of the request: it is disposed here, as is the response.
/// </summary>
/// <remarks>
/// Requests are sent with <see cref="HttpCompletionOption.ResponseHeadersRead"/>; bodies are buffered into a pooled
/// array up to <see cref="MaxResponseBodyBytes"/> and deserialized from it. Transport failures
/// (<see cref="HttpRequestException"/>, <see cref="OperationCanceledException"/>) propagate unchanged.
/// </remarks>
internal static class HttpApiRuntime
{
    /// <summary>The largest response body that is read: 4 MiB. A longer body is a content error.</summary>
    public const int MaxResponseBodyBytes = 4 * 1024 * 1024;

    /// <summary>The most characters of a body kept as an excerpt for errors.</summary>
    public const int MaxBodyExcerptChars = 256;

    private const int ExcerptBytes = MaxBodyExcerptChars * 4;

    /// <summary>Sends a request whose response body is ignored; a non-2xx status throws <see cref="ApiException"/>.</summary>
    /// <param name="client">The client.</param>
    /// <param name="request">The request; disposed here.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the response headers arrived with a 2xx status.</returns>
    public static async Task SendAsync(HttpClient client, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using (request)
        {
            using HttpResponseMessage response = await SendOnceAsync(client, request, cancellationToken).ConfigureAwait(false);
            if (IsSuccess(response.StatusCode))
            {
                return;
            }

            BufferedBody body = await ReadBodyAsync(response, cancellationToken).ConfigureAwait(false);
            try
            {
                throw new ApiException(request.Method, request.RequestUri, response.StatusCode, response.Headers, body.Excerpt(), null, null);
            }
            finally
            {
                body.Dispose();
            }
        }
    }

    /// <summary>
    /// Sends a request and reads a 2xx body as <typeparamref name="T"/>. A non-2xx status, or a body that is empty,
    /// not valid JSON for <typeparamref name="T"/>, the JSON literal <c>null</c> or over the size limit, throws
    /// <see cref="ApiException"/>.
    /// </summary>
    /// <typeparam name="T">The body type.</typeparam>
    /// <param name="client">The client.</param>
    /// <param name="request">The request; disposed here.</param>
    /// <param name="typeInfo">The body's JSON metadata.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The body.</returns>
    public static async Task<T> SendAsync<T>(HttpClient client, HttpRequestMessage request, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        using (request)
        {
            using HttpResponseMessage response = await SendOnceAsync(client, request, cancellationToken).ConfigureAwait(false);
            BufferedBody body = await ReadBodyAsync(response, cancellationToken).ConfigureAwait(false);
            try
            {
                if (!IsSuccess(response.StatusCode))
                {
                    throw new ApiException(request.Method, request.RequestUri, response.StatusCode, response.Headers, body.Excerpt(), null, null);
                }

                T? value = Deserialize(body, typeInfo, out string? contentError, out JsonException? jsonError);
                if (contentError is not null)
                {
                    throw new ApiException(request.Method, request.RequestUri, response.StatusCode, response.Headers, body.Excerpt(), contentError, jsonError);
                }

                return value!;
            }
            finally
            {
                body.Dispose();
            }
        }
    }

    /// <summary>
    /// Sends a request and reads the body as <typeparamref name="T"/> whatever the status. Never throws for a status or
    /// an unreadable body: <see cref="ApiResponse{T}.ContentError"/> says why <see cref="ApiResponse{T}.Content"/> is missing.
    /// </summary>
    /// <typeparam name="T">The body type.</typeparam>
    /// <param name="client">The client.</param>
    /// <param name="request">The request; disposed here.</param>
    /// <param name="typeInfo">The body's JSON metadata.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The response.</returns>
    public static async Task<ApiResponse<T>> SendForResponseAsync<T>(HttpClient client, HttpRequestMessage request, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        using (request)
        {
            using HttpResponseMessage response = await SendOnceAsync(client, request, cancellationToken).ConfigureAwait(false);
            BufferedBody body = await ReadBodyAsync(response, cancellationToken).ConfigureAwait(false);
            try
            {
                T? value = Deserialize(body, typeInfo, out string? contentError, out _);

                // The excerpt only serves error messages, so a 2xx answer read as T skips the copy.
                string excerpt = contentError is null && IsSuccess(response.StatusCode) ? string.Empty : body.Excerpt();
                return new ApiResponse<T>(response.StatusCode, response.Headers, value, contentError, excerpt);
            }
            finally
            {
                body.Dispose();
            }
        }
    }

    /// <summary>
    /// Sends <paramref name="request"/> to its address and nowhere else. Redirects must not be followed (the SDK's own
    /// handler never does; a 3xx comes back as the answer), but a caller's handler may follow them: a form is then
    /// not written to the new address (<see cref="FormContent"/>), and an answer from another address is refused.
    /// Either way <see cref="RedirectRefusedException"/> is thrown.
    /// </summary>
    private static async Task<HttpResponseMessage> SendOnceAsync(HttpClient client, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // Where the request goes, resolved against the base address as HttpClient itself resolves a relative URI.
        Uri? target = request.RequestUri is { IsAbsoluteUri: false } relative && client.BaseAddress is { } baseAddress
            ? new Uri(baseAddress, relative)
            : request.RequestUri;
        var form = request.Content as FormContent;
        form?.BindTo(request, target);
        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex) when (ex.InnerException is RedirectRefusedException refused)
        {
            throw refused;
        }

        if (response.RequestMessage is { } sent && sent.RequestUri != target)
        {
            response.Dispose();
            throw new RedirectRefusedException(statusCode: null);
        }

        return response;
    }

    /// <summary>Formats a header value with the invariant culture (no boxing for value types).</summary>
    /// <typeparam name="T">The value type.</typeparam>
    /// <param name="value">The value.</param>
    /// <returns>The text.</returns>
    public static string FormatInvariant<T>(T value)
        where T : IFormattable => value.ToString(null, System.Globalization.CultureInfo.InvariantCulture);

    private static bool IsSuccess(HttpStatusCode statusCode) => (int)statusCode is >= 200 and <= 299;

    private static T? Deserialize<T>(BufferedBody body, JsonTypeInfo<T> typeInfo, out string? contentError, out JsonException? jsonError)
    {
        jsonError = null;
        if (body.Oversized)
        {
            contentError = "The response body is larger than the " + (MaxResponseBodyBytes / (1024 * 1024)).ToString(System.Globalization.CultureInfo.InvariantCulture) + " MiB limit (HttpApiRuntime.MaxResponseBodyBytes); it was not read.";
            return default;
        }

        if (body.Length == 0)
        {
            contentError = "The response body is empty.";
            return default;
        }

        T? value;
        try
        {
            value = JsonSerializer.Deserialize(body.Span, typeInfo);
        }
        catch (JsonException ex)
        {
            jsonError = ex;
            contentError = "The response body is not valid JSON for " + typeof(T).Name + ": " + ex.Message;
            return default;
        }

        contentError = value is null ? "The response body is the JSON literal null." : null;
        return value;
    }

    private static async ValueTask<BufferedBody> ReadBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        HttpContent content = response.Content;
        long? declared = content.Headers.ContentLength;
        if (declared == 0)
        {
            return default;
        }

        bool oversizedByHeader = declared > MaxResponseBodyBytes;
        int limit = oversizedByHeader ? ExcerptBytes : MaxResponseBodyBytes;
        int initial = declared is { } d && !oversizedByHeader ? (int)d + 1 : 4096;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(initial);
        int length = 0;
        try
        {
            Stream stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                while (true)
                {
                    if (length == buffer.Length)
                    {
                        if (length > limit)
                        {
                            break;
                        }

                        byte[] next = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, limit + 1));
                        buffer.AsSpan(0, length).CopyTo(next);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = next;
                    }

                    int read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        break;
                    }

                    length += read;
                    if (length > limit)
                    {
                        break;
                    }
                }
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }

        return new BufferedBody(buffer, Math.Min(length, limit + 1), oversizedByHeader || length > limit);
    }

    /// <summary>A response body in a pooled buffer.</summary>
    private readonly struct BufferedBody(byte[]? buffer, int length, bool oversized)
    {
        public int Length => length;

        public bool Oversized => oversized;

        public ReadOnlySpan<byte> Span => buffer.AsSpan(0, length);

        public string Excerpt()
        {
            if (length == 0 || buffer is null)
            {
                return string.Empty;
            }

            Span<char> chars = stackalloc char[MaxBodyExcerptChars];
            Utf8.ToUtf16(buffer.AsSpan(0, Math.Min(length, ExcerptBytes)), chars, out _, out int written, replaceInvalidSequences: true, isFinalBlock: false);
            return new string(chars[..written]);
        }

        public void Dispose()
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }
}
