using System.Net;
using System.Text;
using System.Text.Json;

namespace AgentBay.Lite.Emulator.Tests.Direct;

/// <summary>A session's link_url and token: handed out on create and get, and <c>POST {link_url}/callTool</c>.</summary>
public sealed class CallToolDirectTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>
{
    private readonly AgentBayEmulator _emulator = fixture.Emulator;

    [Fact]
    public async Task Create_and_GetSession_hand_out_the_same_token_link_url_ws_url_and_a_tool_list_with_servers()
    {
        using var rpc = new Rpc(_emulator);
        var session = await DirectSession.CreateAsync(rpc);

        Assert.Matches("^[0-9a-f]{64}$", session.Token);
        Assert.Equal(new Uri(_emulator.Endpoint, "/link/" + session.Id), session.LinkUrl);
        Assert.Equal("ws://" + _emulator.HostAndPort + "/stream/" + session.Id, session.WsUrl.ToString());

        var got = (await rpc.CallAsync("GetSession", ("SessionId", session.Id))).AssertOk().Data;
        Assert.Equal(session.Token, got.GetProperty("Token").GetString());
        Assert.Equal(session.LinkUrl.ToString(), got.GetProperty("LinkUrl").GetString());
        Assert.Equal(session.WsUrl.ToString(), got.GetProperty("WsUrl").GetString());

        using var tools = JsonDocument.Parse(got.GetProperty("ToolList").GetString()!);
        var servers = tools.RootElement.EnumerateArray().ToDictionary(t => t.GetProperty("name").GetString()!, t => t.GetProperty("server").GetString());
        Assert.Equal("wuying_shell", servers["shell"]);
        Assert.Equal("wuying_filesystem", servers["write_file"]);
        Assert.Equal("wuying_codespace", servers["run_code"]);

        var other = await DirectSession.CreateAsync(rpc);
        Assert.NotEqual(session.Token, other.Token);
    }

    [Fact]
    public async Task CallTool_with_the_token_runs_the_tool_in_the_session_as_CallMcpTool_does()
    {
        using var rpc = new Rpc(_emulator);
        var session = await DirectSession.CreateAsync(rpc);
        var before = _emulator.GetRequestCount("CallToolDirect");

        var (status, body) = await session.CallToolAsync(rpc.Http, "write_file", """{"path":"direct.txt","content":"over link_url","mode":"overwrite"}""", server: "wuying_filesystem");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(body.GetProperty("success").GetBoolean());
        Assert.Equal("link-1-000000001", body.GetProperty("requestId").GetString());
        Assert.False(DirectSession.Result(body).IsError);

        // The API route sees what the direct route wrote, and the other way round.
        var (text, isError) = await rpc.ToolAsync(session.Id, "read_file", """{"path":"direct.txt"}""");
        Assert.False(isError);
        Assert.Equal("over link_url", text);

        (status, body) = await session.CallToolAsync(rpc.Http, "shell", """{"command":"cat direct.txt; exit 3","timeout_ms":5000}""", server: "wuying_shell");
        Assert.Equal(HttpStatusCode.OK, status);
        (text, isError) = DirectSession.Result(body);
        Assert.True(isError);
        using var shell = JsonDocument.Parse(text);
        Assert.Equal("over link_url", shell.RootElement.GetProperty("stdout").GetString());
        Assert.Equal(3, shell.RootElement.GetProperty("exit_code").GetInt32());

        Assert.Equal(before + 2, _emulator.GetRequestCount("CallToolDirect"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("wrong")]
    public async Task A_missing_or_wrong_token_is_refused_with_401_and_runs_nothing(string token)
    {
        using var rpc = new Rpc(_emulator);
        var session = await DirectSession.CreateAsync(rpc);

        var (status, body) = await session.CallToolAsync(rpc.Http, "write_file", """{"path":"never.txt","content":"x"}""", token);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.False(body.GetProperty("success").GetBoolean());
        Assert.Equal("Unauthorized.AccessToken", body.GetProperty("code").GetString());
        Assert.Contains("X-Access-Token", body.GetProperty("message").GetString());
        Assert.False(File.Exists(Path.Combine(_emulator.WorkDirectory, session.Id, "never.txt")));
    }

    [Fact]
    public async Task Another_sessions_token_is_refused()
    {
        using var rpc = new Rpc(_emulator);
        var session = await DirectSession.CreateAsync(rpc);
        var other = await DirectSession.CreateAsync(rpc);

        var (status, _) = await session.CallToolAsync(rpc.Http, "shell", """{"command":"true"}""", other.Token);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
    }

    [Fact]
    public async Task A_deleted_or_unknown_session_is_404()
    {
        using var rpc = new Rpc(_emulator);
        var session = await DirectSession.CreateAsync(rpc);
        (await rpc.CallAsync("DeleteSessionAsync", ("SessionId", session.Id))).AssertOk();

        var (status, body) = await session.CallToolAsync(rpc.Http, "shell", """{"command":"true"}""");
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("InvalidMcpSession.NotFound", body.GetProperty("code").GetString());

        var unknown = session with { LinkUrl = new Uri(_emulator.Endpoint, "/link/session-doesnotexist00000") };
        (status, _) = await unknown.CallToolAsync(rpc.Http, "shell", """{"command":"true"}""");
        Assert.Equal(HttpStatusCode.NotFound, status);
    }

    [Fact]
    public async Task Bad_bodies_get_clear_400s_and_a_body_over_the_limit_413()
    {
        using var rpc = new Rpc(_emulator);
        var session = await DirectSession.CreateAsync(rpc);

        async Task<(HttpStatusCode, string)> PostAsync(HttpContent content)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(session.LinkUrl + "/callTool")) { Content = content };
            request.Headers.TryAddWithoutValidation("X-Access-Token", session.Token);
            using var response = await rpc.Http.SendAsync(request);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }

        var (status, text) = await PostAsync(new StringContent("not json", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("not valid JSON", text);

        (status, text) = await PostAsync(new StringContent("""{"args":{}}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("the name of the tool", text);

        (status, text) = await PostAsync(new StringContent("""{"tool":"shell","args":[1]}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("JSON object", text);

        (status, text) = await PostAsync(new StringContent("""{"tool":"shell","server":"wuying_filesystem","args":{"command":"true"}}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("wuying_shell", text);

        (status, _) = await PostAsync(new ByteArrayContent(new byte[2 * 1024 * 1024]));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
    }

    [Fact]
    public async Task Faults_injected_for_CallToolDirect_hit_that_route_only()
    {
        await using var emulator = await AgentBayEmulator.StartAsync();
        using var rpc = new Rpc(emulator);
        var session = await DirectSession.CreateAsync(rpc);
        emulator.SetFaults(new FaultProfile { ServiceUnavailableRate = 1 }, "CallToolDirect");

        var (status, body) = await session.CallToolAsync(rpc.Http, "shell", """{"command":"true"}""");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("ServiceUnavailable", body.GetProperty("code").GetString());

        var (_, isError) = await rpc.ToolAsync(session.Id, "shell", """{"command":"true"}""");
        Assert.False(isError);
        Assert.Equal(1, emulator.GetRequestCount("CallToolDirect"));
    }
}
