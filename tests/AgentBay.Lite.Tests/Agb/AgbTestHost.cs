using System.Net;
using AgentBay.Lite.Agb;
using AgentBay.Lite.Tests.Rpc;

namespace AgentBay.Lite.Tests.Agb;

/// <summary>The AGB backend over the real generated client and a real <see cref="HttpClient"/>, recording each request.</summary>
internal sealed class AgbTestHost : IDisposable
{
    public const string ApiKey = "akm-agb-test-key";

    private readonly HttpClient _httpClient;

    public AgbTestHost()
    {
        Handler = new RecordingHandler();
        _httpClient = new HttpClient(Handler) { BaseAddress = new Uri("https://sdk-api.agb.example.test/") };
        Backend = new AgbBackend(_httpClient, ApiKey);
    }

    public RecordingHandler Handler { get; }

    public AgbBackend Backend { get; }

    public RecordedRequest Single => Assert.Single(Handler.Requests);

    public AgbTestHost Answer(string body, HttpStatusCode status = HttpStatusCode.OK, Action<HttpResponseMessage>? configure = null)
    {
        Handler.Responses.Enqueue((status, body, configure));
        return this;
    }

    public void Dispose() => _httpClient.Dispose();
}
