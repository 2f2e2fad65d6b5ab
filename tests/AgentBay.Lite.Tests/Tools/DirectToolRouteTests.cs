using System.Net;
using System.Text;
using System.Text.Json;
using AgentBay.Lite.Backend;

namespace AgentBay.Lite.Tests.Tools;

/// <summary>The direct tool route (POST {link_url}/callTool) on the wire, with a recording handler; the API route is a substitute.</summary>
public sealed class DirectToolRouteTests
{
    private const string Token = "tok-5ecret-0123456789abcdef";
    private static readonly Uri LinkUrl = new("https://link.example/link/session-1/");

    private static readonly IReadOnlyDictionary<string, string> Servers = new Dictionary<string, string>
    {
        ["shell"] = "wuying_shell",
        ["write_file"] = "wuying_filesystem",
    };

    private sealed class RecordingHandler(Func<HttpRequestMessage, string, HttpResponseMessage> answer) : HttpMessageHandler
    {
        public List<(HttpRequestMessage Request, string Body)> Requests { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
            lock (Requests)
            {
                Requests.Add((request, body));
            }

            return answer(request, body);
        }
    }

    private static HttpResponseMessage Json(HttpStatusCode status, string json) =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    private static HttpResponseMessage ShellAnswer(string stdout, int exitCode = 0)
    {
        string text = "{\"stdout\":\"" + stdout + "\",\"stderr\":\"\",\"exit_code\":" + exitCode + "}";
        return Json(HttpStatusCode.OK, "{\"success\":true,\"code\":\"ok\",\"requestId\":\"req-7\",\"data\":{\"result\":{\"content\":[{\"type\":\"text\",\"text\":\""
            + JsonEncodedText.Encode(text).Value + "\"}],\"isError\":" + (exitCode != 0 ? "true" : "false") + "}}}");
    }

    private static (AgentBayClient Client, IAgentBayBackend Api) Client(RecordingHandler handler, bool direct = true)
    {
        var api = Substitute.For<IAgentBayBackend>();
        var options = new AgentBayOptions
        {
            ApiKey = "akm-test-key",
            HttpMessageHandler = handler,
            UseDirectToolRoute = direct,
            Retry = new AgentBayRetryOptions { MaxRetries = 0 },
        };
        return (new AgentBayClient(options, httpClient: null, createBackend: (_, _, _) => api), api);
    }

    private static AgentBaySession Session(AgentBayClient client, IReadOnlyDictionary<string, string>? servers = null, string? token = Token) => new(
        client.Services, "session-1", null, null, null, null, LinkUrl, token, null,
        System.Collections.ObjectModel.ReadOnlyDictionary<string, string>.Empty, servers ?? Servers);

    [Fact]
    public async Task A_command_goes_to_link_url_callTool_with_the_token_and_the_official_body_and_no_API_key()
    {
        var handler = new RecordingHandler((_, _) => ShellAnswer("hi\\n"));
        var (client, api) = Client(handler);
        using var _ = client;

        CommandResult result = await Session(client).Commands.ExecuteAsync("echo hi");

        Assert.Equal("hi\n", result.Stdout);
        var (request, body) = Assert.Single(handler.Requests);
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("https://link.example/link/session-1/callTool", request.RequestUri!.ToString());
        Assert.Equal(Token, Assert.Single(request.Headers.GetValues("X-Access-Token")));
        Assert.Null(request.Headers.Authorization);
        Assert.DoesNotContain("akm-test-key", body, StringComparison.Ordinal);
        Assert.Equal("application/json", request.Content!.Headers.ContentType!.MediaType);

        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        Assert.Equal(JsonValueKind.Object, root.GetProperty("args").ValueKind); // an object, not a JSON string
        Assert.Equal("echo hi", root.GetProperty("args").GetProperty("command").GetString());
        Assert.Equal("wuying_shell", root.GetProperty("server").GetString());
        Assert.Equal("shell", root.GetProperty("tool").GetString());
        Assert.Equal(Token, root.GetProperty("token").GetString());
        Assert.Matches("^link-[0-9]{13}-[0-9]{9}$", root.GetProperty("requestId").GetString());
        await api.DidNotReceiveWithAnyArgs().CallToolAsync(default!, default!, default!, default);
    }

    [Theory]
    [InlineData("""{"data":"{\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"written\"}],\"isError\":false}}"}""")]
    [InlineData("""{"data":{"content":[{"type":"text","text":"written"}],"isError":false}}""")]
    [InlineData("""{"Data":{"Result":{"Content":["written"],"IsError":false}}}""")]
    public async Task Data_as_a_JSON_string_or_object_and_either_casing_is_read(string answer)
    {
        var handler = new RecordingHandler((_, _) => Json(HttpStatusCode.OK, answer));
        var (client, _) = Client(handler);
        using var _ = client;

        await Session(client).Files.WriteAsync("/tmp/a.txt", "x");

        Assert.Contains("\"server\":\"wuying_filesystem\"", Assert.Single(handler.Requests).Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tool_error_is_an_AgentBayException_with_the_tools_text()
    {
        var handler = new RecordingHandler((_, _) => Json(HttpStatusCode.OK, """{"data":{"result":{"content":[{"type":"text","text":"Error: permission denied"}],"isError":true}}}"""));
        var (client, _) = Client(handler);
        using var _ = client;

        var error = await Assert.ThrowsAsync<AgentBayException>(() => Session(client).Files.WriteAsync("/etc/x", "x"));

        Assert.Contains("permission denied", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(HttpStatusCode.Unauthorized, typeof(AgentBayAuthenticationException))]
    [InlineData(HttpStatusCode.Forbidden, typeof(AgentBayAuthenticationException))]
    [InlineData(HttpStatusCode.NotFound, typeof(SessionNotFoundException))]
    [InlineData(HttpStatusCode.TooManyRequests, typeof(AgentBayThrottledException))]
    [InlineData(HttpStatusCode.InternalServerError, typeof(AgentBayException))]
    [InlineData(HttpStatusCode.Found, typeof(AgentBayProtocolException))]
    public async Task Refusals_become_the_typed_exceptions_without_the_token_in_the_message(HttpStatusCode status, Type expected)
    {
        var handler = new RecordingHandler((_, _) =>
        {
            var response = Json(status, """{"success":false,"code":"Unauthorized.AccessToken","message":"no"}""");
            response.Headers.Location = new Uri("https://elsewhere.example/");
            return response;
        });
        var (client, _) = Client(handler);
        using var _ = client;

        var error = await Assert.ThrowsAnyAsync<AgentBayException>(() => Session(client).Commands.ExecuteAsync("true"));

        Assert.IsType(expected, error);
        Assert.Equal(status, error.StatusCode);
        Assert.DoesNotContain(Token, error.ToString(), StringComparison.Ordinal);
        Assert.Single(handler.Requests); // not retried, no redirect followed
    }

    [Fact]
    public async Task Without_the_tools_server_or_a_token_or_with_the_option_off_the_API_route_is_used()
    {
        var handler = new RecordingHandler((_, _) => throw new InvalidOperationException("the direct route must not be used"));
        var (client, api) = Client(handler);
        using var _ = client;
        api.CallToolAsync("session-1", "shell", Arg.Any<string>(), Arg.Any<CancellationToken>())
            .Returns(new ToolResult(false, """{"stdout":"via api","stderr":"","exit_code":0}""", "r"));

        Assert.Equal("via api", (await Session(client, servers: new Dictionary<string, string> { ["write_file"] = "wuying_filesystem" }).Commands.ExecuteAsync("x")).Stdout);
        Assert.Equal("via api", (await Session(client, token: null).Commands.ExecuteAsync("x")).Stdout);

        var (off, offApi) = Client(handler, direct: false);
        using var __ = off;
        offApi.CallToolAsync("session-1", "shell", Arg.Any<string>(), Arg.Any<CancellationToken>())
            .Returns(new ToolResult(false, """{"stdout":"via api","stderr":"","exit_code":0}""", "r"));
        Assert.Equal("via api", (await Session(off).Commands.ExecuteAsync("x")).Stdout);

        Assert.Empty(handler.Requests);
    }

    [Fact]
    public void The_token_is_not_in_the_sessions_ToString()
    {
        var session = AgentBayModelFactory.AgentBaySession("session-1", linkUrl: LinkUrl, token: Token, toolServers: Servers);

        Assert.Equal("session-1", session.ToString());
        Assert.Equal("wuying_shell", session.ToolServers["shell"]);
        Assert.Equal(Token, session.Token);
    }

    [Theory]
    [InlineData("""[{"name":"shell","server":"wuying_shell"},{"Name":"read_file","Server":"wuying_filesystem"},{"name":"run_code","serverName":"wuying_codespace"}]""")]
    [InlineData("""  "[{\"name\":\"shell\",\"server\":\"wuying_shell\"},{\"Name\":\"read_file\",\"Server\":\"wuying_filesystem\"},{\"name\":\"run_code\",\"serverName\":\"wuying_codespace\"}]" """)]
    public void The_tool_list_is_read_as_an_array_or_a_JSON_string_in_either_casing(string toolList)
    {
        var servers = ToolServers.Parse(toolList);

        Assert.Equal("wuying_shell", servers["shell"]);
        Assert.Equal("wuying_filesystem", servers["read_file"]);
        Assert.Equal("wuying_codespace", servers["run_code"]);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("{}")]
    [InlineData("[1,2]")]
    public void An_unreadable_tool_list_is_empty_and_keeps_calls_on_the_API_route(string? toolList) =>
        Assert.Empty(ToolServers.Parse(toolList));
}
