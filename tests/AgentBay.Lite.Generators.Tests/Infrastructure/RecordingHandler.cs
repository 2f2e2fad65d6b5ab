using System.Net;

namespace AgentBay.Lite.Generators.Tests.Infrastructure;

/// <summary>Records every request (method, URI, headers, body bytes) and answers with a configured response.</summary>
internal sealed class RecordingHandler : HttpMessageHandler
{
    public List<RecordedRequest> Requests { get; } = [];

    public Func<HttpResponseMessage> Respond { get; set; } = () => Json(HttpStatusCode.OK, "{}");

    public Exception? Throw { get; set; }

    public static HttpResponseMessage Json(HttpStatusCode status, string body) =>
        new(status) { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (Throw is not null)
        {
            throw Throw;
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var header in request.Headers)
        {
            headers[header.Key] = string.Join(",", header.Value);
        }

        byte[]? body = null;
        string? contentType = null;
        if (request.Content is not null)
        {
            body = await request.Content.ReadAsByteArrayAsync(cancellationToken);
            contentType = request.Content.Headers.ContentType?.ToString();
        }

        Requests.Add(new RecordedRequest(request.Method, request.RequestUri!, headers, contentType, body));
        return Respond();
    }
}

internal sealed record RecordedRequest(HttpMethod Method, Uri Uri, Dictionary<string, string> Headers, string? ContentType, byte[]? Body)
{
    public string BodyText => Body is null ? "<none>" : System.Text.Encoding.UTF8.GetString(Body);
}

/// <summary>A body stream that cannot seek, so the content has no known length.</summary>
internal sealed class UnknownLengthStream(byte[] data) : MemoryStream(data)
{
    public override bool CanSeek => false;
}
