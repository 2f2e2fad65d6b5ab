using System.Net.Sockets;
using System.Security.Authentication;
using AgentBay.Lite.Backend;
using AgentBay.Lite.Rpc;

namespace AgentBay.Lite.Tests.Rpc;

/// <summary>
/// The wire backend owns the mapping of wire failures: what the HTTP stack throws under it leaves it as the
/// <see cref="AgentBayException"/> family, classified for the retry layer; an SDK bug is not a wire failure.
/// </summary>
public sealed class WireFailureTests
{
    [Theory]
    [InlineData("refused", "NotSent")]
    [InlineData("dns", "NotSent")]
    [InlineData("reset", "MaybeSent")]
    [InlineData("cut-off", "MaybeSent")]
    [InlineData("tls", "Rejected")]
    public async Task Transport_failures_leave_the_backend_classified(string shape, string expected)
    {
        Exception raw = shape switch
        {
            "refused" => new HttpRequestException(HttpRequestError.ConnectionError, "refused", new SocketException((int)SocketError.ConnectionRefused)),
            "dns" => new HttpRequestException(HttpRequestError.NameResolutionError, "no such host"),
            "reset" => new HttpRequestException(HttpRequestError.ConnectionError, "reset", new SocketException((int)SocketError.ConnectionReset)),
            "cut-off" => new IOException("The response ended prematurely."),
            _ => new HttpRequestException(HttpRequestError.SecureConnectionError, "bad certificate", new AuthenticationException("RemoteCertificateChainErrors")),
        };

        var error = await Assert.ThrowsAsync<AgentBayException>(() => Backend(raw).GetLinkAsync("s1", LinkRequest.Cdp, CancellationToken.None));

        Assert.Same(raw, error.InnerException);
        Assert.Equal(expected, error.Transport.ToString());
    }

    [Fact]
    public async Task An_SDK_bug_is_not_disguised_as_a_wire_failure()
    {
        var bug = new InvalidOperationException("a bug in the SDK");

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => Backend(bug).GetLinkAsync("s1", LinkRequest.Cdp, CancellationToken.None));

        Assert.Same(bug, thrown);
    }

    private static RpcBackend Backend(Exception thrown) =>
        new(new HttpClient(new ThrowingHandler(thrown)) { BaseAddress = new Uri("https://gw.example.test/") }, "akm-test", null, TimeProvider.System);

    private sealed class ThrowingHandler(Exception error) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromException<HttpResponseMessage>(error);
    }
}
