using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace AgentBay.Lite.Benchmarks;

/// <summary>
/// An <see cref="HttpMessageHandler"/> that answers every request at once with a canned, successful GetLink envelope
/// (a fresh response object per call, as a real handler returns), so a benchmark measures only the client side.
/// When <see cref="CaptureNext"/> is set it records the next request as text (method, URI, headers, body) first.
/// </summary>
internal sealed class InMemoryGetLinkHandler : HttpMessageHandler
{
    /// <summary>The URL the canned envelope carries.</summary>
    public const string LinkUrl = "https://127.0.0.1:8910/request_ai/0f3b8c2d9e4a4b6c8d0e1f2a3b4c5d6e/path/";

    private static readonly byte[] Envelope = Encoding.UTF8.GetBytes(
        "{\"RequestId\":\"6C8E2F0A-3B1D-4E5F-9A7B-1C2D3E4F5A6B\",\"Success\":true,\"Code\":\"ok\",\"Message\":\"\",\"HttpStatusCode\":200,"
        + "\"Data\":{\"Url\":\"" + LinkUrl + "\"}}");

    /// <summary>When true, the next request is recorded into <see cref="Captured"/>.</summary>
    public bool CaptureNext { get; set; }

    /// <summary>The last recorded request.</summary>
    public string? Captured { get; private set; }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (CaptureNext)
        {
            CaptureNext = false;
            Captured = await DescribeAsync(request).ConfigureAwait(false);
        }

        return Answer(request);
    }

    private static HttpResponseMessage Answer(HttpRequestMessage request)
    {
        var content = new ByteArrayContent(Envelope);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        content.Headers.ContentLength = Envelope.Length;
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = content, RequestMessage = request };
    }

    /// <summary>The request as it would go on the wire: request line, headers in order, then the body.</summary>
    private static async Task<string> DescribeAsync(HttpRequestMessage request)
    {
        var text = new StringBuilder();
        text.Append(request.Method).Append(' ').Append(request.RequestUri!.AbsoluteUri).Append(" HTTP/").Append(request.Version).Append('\n');
        foreach (var header in request.Headers.NonValidated)
        {
            text.Append(header.Key).Append(": ").Append(header.Value.ToString()).Append('\n');
        }

        if (request.Content is { } content)
        {
            var body = await content.ReadAsByteArrayAsync().ConfigureAwait(false);
            foreach (var header in content.Headers.NonValidated)
            {
                text.Append(header.Key).Append(": ").Append(header.Value.ToString()).Append('\n');
            }

            text.Append('\n').Append(Encoding.UTF8.GetString(body));
        }

        return text.ToString();
    }
}
