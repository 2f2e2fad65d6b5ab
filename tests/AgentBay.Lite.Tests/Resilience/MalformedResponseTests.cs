using System.Net;
using System.Text;

namespace AgentBay.Lite.Tests.Resilience;

/// <summary>
/// Hostile answers through the whole real path (generated client → HttpApiRuntime → RpcEnvelopeReader → RpcBackend →
/// client) on an in-memory handler: each becomes a typed exception, never a raw parser or socket exception.
/// </summary>
public class MalformedResponseTests
{
    private sealed class CannedHandler(Func<HttpResponseMessage> answer) : HttpMessageHandler
    {
        public int Calls;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Calls);
            return Task.FromResult(answer());
        }
    }

    /// <summary>A body that fails after some bytes, like a connection reset mid-response.</summary>
    private sealed class BrokenContent(byte[] prefix) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(prefix);
            throw new IOException("Connection reset by peer");
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    private static HttpResponseMessage Answer(HttpStatusCode status, string body, string mediaType = "application/json") =>
        new(status) { Content = new StringContent(body, Encoding.UTF8, mediaType) };

    public static TheoryData<string> Shapes =>
    [
        "truncated", "wrong-types", "html-502", "html-200", "empty-200", "empty-500", "huge", "data-string", "null-literal",
    ];

    private static HttpResponseMessage Shape(string shape) => shape switch
    {
        "truncated" => Answer(HttpStatusCode.OK, "{\"RequestId\":\"R-1\",\"Success\":true,\"Data\":{\"Url\":\"wss://x"),
        "wrong-types" => Answer(HttpStatusCode.OK, "{\"RequestId\":\"R-2\",\"Success\":true,\"Data\":{\"Url\":[1,2,3],\"content\":7}}"),
        "html-502" => Answer(HttpStatusCode.BadGateway, "<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html"),
        "html-200" => Answer(HttpStatusCode.OK, "<html><body>Please log in</body></html>", "text/html"),
        "empty-200" => new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent([]) },
        "empty-500" => new HttpResponseMessage(HttpStatusCode.InternalServerError) { Content = new ByteArrayContent([]) },
        "huge" => Answer(HttpStatusCode.OK, "{\"RequestId\":\"R-3\",\"Success\":true,\"Data\":{\"Url\":\"wss://" + new string('a', 5 * 1024 * 1024) + "\"}}"),
        "data-string" => Answer(HttpStatusCode.OK, "{\"RequestId\":\"R-4\",\"Success\":true,\"Data\":\"not an object\"}"),
        _ => Answer(HttpStatusCode.OK, "null"),
    };

    private static AgentBayClient Client(HttpMessageHandler handler, int maxRetries = 2) => new(new AgentBayOptions
    {
        ApiKey = "akm-test",
        Endpoint = new Uri("http://agentbay.invalid/"),
        HttpMessageHandler = handler,
        LinkCache = { Enabled = false },
        Retry = { MaxRetries = maxRetries, BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(2) },
    });

    [Theory]
    [MemberData(nameof(Shapes))]
    public async Task Each_malformed_answer_to_GetLink_is_a_typed_exception(string shape)
    {
        var handler = new CannedHandler(() => Shape(shape));
        using var client = Client(handler);

        var thrown = await Assert.ThrowsAnyAsync<Exception>(() => client.GetLinkAsync("s1", LinkRequest.Cdp).AsTask());

        Assert.IsAssignableFrom<AgentBayException>(thrown);
        if (shape is "html-502" or "empty-500")
        {
            Assert.Equal(3, handler.Calls); // a gateway failure is transient: retried, then surfaced
        }
        else
        {
            Assert.IsType<AgentBayProtocolException>(thrown);
            Assert.Equal(1, handler.Calls);
        }

        if (shape is "truncated" or "html-200" or "huge")
        {
            var protocol = (AgentBayProtocolException)thrown;
            Assert.False(string.IsNullOrEmpty(protocol.BodyExcerpt));
            Assert.True(protocol.BodyExcerpt!.Length <= 1024, "the excerpt is short");
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public async Task Each_malformed_answer_to_a_tool_call_is_a_typed_exception_and_not_repeated(string shape)
    {
        var handler = new CannedHandler(() => Shape(shape));
        using var client = Client(handler);
        var session = new AgentBaySession( // not disposed: disposing deletes the session over the same broken handler
           
            client.Services, "s1", null, null, null, null, null, null, null, System.Collections.ObjectModel.ReadOnlyDictionary<string, string>.Empty);

        var thrown = await Assert.ThrowsAnyAsync<Exception>(() => session.Commands.ExecuteAsync("echo hi"));

        Assert.IsAssignableFrom<AgentBayException>(thrown);
        Assert.Equal(1, handler.Calls);
    }

    [Fact]
    public async Task A_body_cut_off_mid_response_is_retried_for_a_read_then_a_typed_failure_with_the_cause()
    {
        var handler = new CannedHandler(() => new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new BrokenContent(Encoding.UTF8.GetBytes("{\"RequestId\":\"R-5\",\"Succ")),
        });
        using var client = Client(handler);

        var thrown = await Assert.ThrowsAsync<AgentBayException>(() => client.GetSessionAsync("s1"));

        Assert.Equal(3, handler.Calls);
        Assert.True(thrown.InnerException is HttpRequestException or IOException, thrown.InnerException?.GetType().Name);
    }
}
