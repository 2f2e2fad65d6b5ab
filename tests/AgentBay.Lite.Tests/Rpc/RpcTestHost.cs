using System.Net;
using System.Text;
using AgentBay.Lite.Rpc;

namespace AgentBay.Lite.Tests.Rpc;

/// <summary>
/// The RPC backend over the real generated client and a real <see cref="HttpClient"/>, with an in-memory handler that
/// records each request and answers from a script.
/// </summary>
internal sealed class RpcTestHost : IDisposable
{
    public const string ApiKey = "akm-test-key";
    public static readonly DateTimeOffset Now = new(2026, 11, 21, 15, 59, 16, 123, TimeSpan.Zero);

    private readonly HttpClient _httpClient;

    public RpcTestHost(string? regionId = null, TimeProvider? clock = null)
    {
        Handler = new RecordingHandler();
        _httpClient = new HttpClient(Handler) { BaseAddress = new Uri("https://wuyingai.example.test/") };
        Backend = new RpcBackend(_httpClient, ApiKey, regionId, clock ?? new FixedTimeProvider(Now));
    }

    public RecordingHandler Handler { get; }

    public RpcBackend Backend { get; }

    public RecordedRequest Single => Assert.Single(Handler.Requests);

    /// <summary>Answers the next request with <paramref name="body"/> and <paramref name="status"/>.</summary>
    public RpcTestHost Answer(string body, HttpStatusCode status = HttpStatusCode.OK, Action<HttpResponseMessage>? configure = null)
    {
        Handler.Responses.Enqueue((status, body, configure));
        return this;
    }

    public void Dispose() => _httpClient.Dispose();
}

internal sealed record RecordedRequest(
    HttpMethod Method,
    Uri Uri,
    IReadOnlyList<KeyValuePair<string, string>> Query,
    IReadOnlyDictionary<string, string> Headers,
    string? ContentType,
    string Body)
{
    /// <summary>The form body's fields, decoded, in order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Form => RecordingHandler.ParsePairs(Body);

    public string QueryValue(string key) => Assert.Single(Query, pair => pair.Key == key).Value;
}

internal sealed class RecordingHandler : HttpMessageHandler
{
    public List<RecordedRequest> Requests { get; } = [];

    public Queue<(HttpStatusCode Status, string Body, Action<HttpResponseMessage>? Configure)> Responses { get; } = new();

    public static IReadOnlyList<KeyValuePair<string, string>> ParsePairs(string encoded) =>
        encoded.Length == 0
            ? []
            : encoded.Split('&').Select(pair =>
            {
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                return new KeyValuePair<string, string>(Uri.UnescapeDataString(pair[..equals]), Uri.UnescapeDataString(pair[(equals + 1)..]));
            }).ToList();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken);
        var headers = request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => string.Join(",", h.Value));
        Requests.Add(new RecordedRequest(
            request.Method,
            request.RequestUri!,
            ParsePairs(request.RequestUri!.Query.TrimStart('?')),
            headers,
            request.Content?.Headers.ContentType?.ToString(),
            body));

        var (status, responseBody, configure) = Responses.Count > 0
            ? Responses.Dequeue()
            : (HttpStatusCode.OK, """{"RequestId":"R-DEFAULT","Success":true,"Code":"ok","Message":"","HttpStatusCode":200}""", null);
        var response = new HttpResponseMessage(status) { Content = new StringContent(responseBody, Encoding.UTF8, "application/json"), RequestMessage = request };
        configure?.Invoke(response);
        return response;
    }
}

internal sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
