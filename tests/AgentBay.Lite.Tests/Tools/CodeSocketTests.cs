using System.Net;
using System.Net.Sockets;
using System.Text;
using AgentBay.Lite.Backend;

namespace AgentBay.Lite.Tests.Tools;

/// <summary>The ws_url upgrade against a loopback server that refuses it, and runs without a ws_url.</summary>
public sealed class CodeSocketTests
{
    private const string Token = "tok-ws-0123456789";

    /// <summary>Answers one HTTP request with <paramref name="status"/> and returns the request head it read.</summary>
    private static async Task<(Uri Url, Task<string> Request)> RefusingServerAsync(int status)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var url = new Uri($"ws://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/stream/session-1");
        async Task<string> ServeAsync()
        {
            try
            {
                using TcpClient client = await listener.AcceptTcpClientAsync();
                NetworkStream stream = client.GetStream();
                var head = new StringBuilder();
                var buffer = new byte[4096];
                while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    int n = await stream.ReadAsync(buffer);
                    if (n == 0)
                    {
                        break;
                    }

                    head.Append(Encoding.ASCII.GetString(buffer, 0, n));
                }

                await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 {status} Refused\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
                return head.ToString();
            }
            finally
            {
                listener.Stop();
            }
        }

        await Task.Yield();
        return (url, ServeAsync());
    }

    private static AgentBaySession Session(TestClient test, Uri? wsUrl, string? token = Token) => new(
        test.Client.Services, "session-1", null, null, null, null, null, token, wsUrl,
        System.Collections.ObjectModel.ReadOnlyDictionary<string, string>.Empty,
        new Dictionary<string, string> { ["run_code"] = "wuying_codespace" });

    [Theory]
    [InlineData(401, typeof(AgentBayAuthenticationException))]
    [InlineData(403, typeof(AgentBayAuthenticationException))]
    [InlineData(404, typeof(SessionNotFoundException))]
    public async Task A_refused_upgrade_is_a_typed_error_and_the_upgrade_carried_the_token(int status, Type expected)
    {
        var (url, request) = await RefusingServerAsync(status);
        var test = new TestClient();

        var error = await Assert.ThrowsAnyAsync<AgentBayException>(() => Session(test, url).Code.RunAsync("print(1)"));

        Assert.IsType(expected, error);
        Assert.DoesNotContain(Token, error.ToString(), StringComparison.Ordinal);
        string head = await request;
        Assert.Contains("GET /stream/session-1 HTTP/1.1", head, StringComparison.Ordinal);
        Assert.Contains("X-Access-Token: " + Token, head, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Upgrade: websocket", head, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_session_without_ws_url_or_token_says_so()
    {
        var test = new TestClient();

        var noUrl = Assert.Throws<AgentBayStreamException>(() => Session(test, wsUrl: null).Code.StreamAsync("print(1)"));
        var noToken = await Assert.ThrowsAsync<AgentBayStreamException>(() => Session(test, new Uri("ws://127.0.0.1:1/x"), token: null).Code.RunAsync("print(1)"));

        Assert.Contains("ws_url", noUrl.Message, StringComparison.Ordinal);
        Assert.Contains("token", noToken.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_arguments_are_refused_before_anything_is_sent()
    {
        var test = new TestClient();
        var session = Session(test, new Uri("ws://127.0.0.1:1/x"));

        Assert.ThrowsAny<ArgumentException>(() => session.Code.StreamAsync(""));
        Assert.ThrowsAny<ArgumentException>(() => session.Code.StreamAsync("print(1)", " "));
        Assert.Throws<ArgumentOutOfRangeException>(() => session.Code.StreamAsync("print(1)", timeout: TimeSpan.Zero));
    }

    [Fact]
    public void The_model_factorys_session_has_a_Code_that_is_not_connected() =>
        Assert.Throws<InvalidOperationException>(() => AgentBayModelFactory.AgentBaySession("s").Code.StreamAsync("print(1)"));
}

/// <summary>A test double of session.Code built from the model factory, as a consumer would write it.</summary>
public sealed class SessionCodeFakeTests
{
    [Fact]
    public async Task A_substituted_SessionCode_returns_factory_made_results()
    {
        var code = Substitute.For<SessionCode>();
        code.RunAsync("print(1)", Arg.Any<string>(), Arg.Any<TimeSpan?>(), Arg.Any<CancellationToken>())
            .Returns(AgentBayModelFactory.CodeResult(succeeded: true, stdout: "1\n", executionTime: TimeSpan.FromMilliseconds(5)));

        CodeResult result = await code.RunAsync("print(1)");

        Assert.True(result.Succeeded);
        Assert.Equal("1\n", result.Stdout);
        Assert.Empty(result.Results);
        Assert.Equal(CodeEventKind.End, AgentBayModelFactory.CodeEvent(CodeEventKind.End, succeeded: true).Kind);
    }
}
