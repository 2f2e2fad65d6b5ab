using System.Net;
using System.Text.Json;

namespace AgentBay.Lite.Emulator.Tests;

public sealed class SessionTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>
{
    private const string NotFound = "InvalidMcpSession.NotFound";
    private const string NotFoundMessage = "Resource [McpSession] is not found.";
    private readonly AgentBayEmulator _emulator = fixture.Emulator;

    [Fact]
    public async Task Create_returns_a_real_shaped_session()
    {
        using var rpc = new Rpc(_emulator);
        var r = (await rpc.CallAsync("CreateMcpSession", ("ImageId", "code_latest"), ("SdkStats", """{"source":"sdk","sdk_language":"typescript","sdk_version":"0.15.1","is_release":false,"framework":""}"""))).AssertOk();
        var data = r.Data;
        Assert.Equal(JsonValueKind.Object, data.ValueKind);
        Assert.Matches("^session-[a-z0-9]{17}$", data.GetProperty("SessionId").GetString());
        Assert.True(data.GetProperty("Success").GetBoolean());
        Assert.Matches("^p-[a-z0-9]+$", data.GetProperty("ResourceId").GetString());
        Assert.False(string.IsNullOrEmpty(data.GetProperty("AppInstanceId").GetString()));
        Assert.StartsWith(_emulator.Endpoint.GetLeftPart(UriPartial.Authority) + "/resource/", data.GetProperty("ResourceUrl").GetString());

        // ToolList is a JSON string (not an array), with a server per tool.
        using var tools = JsonDocument.Parse(data.GetProperty("ToolList").GetString()!);
        var names = tools.RootElement.EnumerateArray().Select(t => t.GetProperty("name").GetString()!).ToArray();
        Assert.Equal(["shell", "write_file", "read_file", "get_file_info", "list_directory", "create_directory", "delete_file", "move_file", "read_multiple_files", "search_files", "edit_file", "run_code"], names);
        Assert.All(tools.RootElement.EnumerateArray(), t => Assert.False(string.IsNullOrEmpty(t.GetProperty("server").GetString())));

        // Token, LinkUrl and WsUrl lead to the session's direct routes (Direct/CallToolDirectTests, Direct/CodeStreamTests).
        Assert.Matches("^[0-9a-f]{64}$", data.GetProperty("Token").GetString());
        Assert.Equal(_emulator.Endpoint.GetLeftPart(UriPartial.Authority) + "/link/" + data.GetProperty("SessionId").GetString(), data.GetProperty("LinkUrl").GetString());
        Assert.StartsWith("ws://", data.GetProperty("WsUrl").GetString());
    }

    [Fact]
    public async Task GetSession_GetMcpResource_and_GetSessionDetail_describe_a_live_session()
    {
        using var rpc = new Rpc(_emulator);
        var id = await rpc.CreateSessionAsync(("ImageId", "browser_latest"));

        var session = (await rpc.CallAsync("GetSession", ("SessionId", id))).AssertOk().Data;
        Assert.Equal(id, session.GetProperty("SessionId").GetString());
        Assert.Equal("RUNNING", session.GetProperty("Status").GetString());
        Assert.Equal(JsonValueKind.String, session.GetProperty("ToolList").ValueKind);

        var resource = (await rpc.CallAsync("GetMcpResource", ("SessionId", id))).AssertOk().Data;
        Assert.Equal(id, resource.GetProperty("SessionId").GetString());
        Assert.Matches("/resource/[A-Za-z0-9_-]{32}$", resource.GetProperty("ResourceUrl").GetString());
        var desktop = resource.GetProperty("DesktopInfo");
        Assert.Equal(session.GetProperty("ResourceId").GetString(), desktop.GetProperty("ResourceId").GetString());
        Assert.Equal("AIAgent", desktop.GetProperty("ResourceType").GetString());
        foreach (var field in new[] { "AppId", "AuthCode", "ConnectionProperties", "Ticket" })
        {
            Assert.Equal(JsonValueKind.String, desktop.GetProperty(field).ValueKind);
        }

        var detail = (await rpc.CallAsync("GetSessionDetail", ("SessionId", id))).AssertOk().Data;
        Assert.Equal("RUNNING", detail.GetProperty("Status").GetString());
        Assert.Equal("browser_latest", detail.GetProperty("ImageId").GetString());
    }

    [Fact]
    public async Task Delete_then_detail_reports_FINISH_with_success_and_everything_else_is_NotFound()
    {
        using var rpc = new Rpc(_emulator);
        var id = await rpc.CreateSessionAsync();
        (await rpc.CallAsync("DeleteSessionAsync", ("SessionId", id))).AssertOk();

        // The answer that ends SDK delete polling: HTTP 200, Success:true, Data.Status FINISH.
        var detail = (await rpc.SendAsync(Rpc.Query("GetSessionDetail", ("SessionId", id)), Rpc.Form(("Authorization", rpc.Auth)))).AssertOk();
        Assert.Equal("FINISH", detail.Data.GetProperty("Status").GetString());

        foreach (var action in new[] { "GetSession", "GetMcpResource", "GetLink", "CallMcpTool", "DeleteSessionAsync", "ReleaseMcpSession" })
        {
            (await rpc.CallAsync(action, ("SessionId", id), ("Port", "30150"), ("Name", "shell"))).AssertError(NotFound, NotFoundMessage);
        }

        var list = (await rpc.CallAsync("ListSession", ("MaxResults", "100"))).AssertOk();
        Assert.DoesNotContain(list.Data.EnumerateArray(), s => s.GetProperty("SessionId").GetString() == id);
    }

    [Fact]
    public async Task ReleaseMcpSession_releases()
    {
        using var rpc = new Rpc(_emulator);
        var id = await rpc.CreateSessionAsync();
        (await rpc.CallAsync("ReleaseMcpSession", ("SessionId", id))).AssertOk();
        (await rpc.CallAsync("GetSession", ("SessionId", id))).AssertError(NotFound, NotFoundMessage);
    }

    [Fact]
    public async Task Unknown_session_is_NotFound_for_every_session_action()
    {
        using var rpc = new Rpc(_emulator);
        foreach (var action in new[] { "GetSession", "GetSessionDetail", "GetMcpResource", "GetLink", "GetCdpLink", "CallMcpTool", "DeleteSessionAsync", "ReleaseMcpSession", "SetLabel", "GetLabel" })
        {
            (await rpc.CallAsync(action, ("SessionId", "session-04bdwfj7u688ec96t"), ("Port", "30150"), ("Name", "shell"), ("Labels", """{"a":"b"}""")))
                .AssertError(NotFound, NotFoundMessage);
        }
    }

    [Fact]
    public async Task Session_actions_without_SessionId_are_MissingParameter()
    {
        using var rpc = new Rpc(_emulator);
        foreach (var action in new[] { "GetSession", "GetSessionDetail", "GetMcpResource", "GetLink", "GetCdpLink", "CallMcpTool", "DeleteSessionAsync", "ReleaseMcpSession", "GetLabel" })
        {
            var r = (await rpc.CallAsync(action, ("SessionId", ""))).AssertError("MissingParameter");
            Assert.Contains("SessionId", r.Message);
        }
    }

    [Fact]
    public async Task SetLabel_replaces_labels_and_GetLabel_returns_them_as_a_JSON_string()
    {
        using var rpc = new Rpc(_emulator);
        var id = await rpc.CreateSessionAsync(("Labels", """{"a":"1"}"""));
        (await rpc.CallAsync("SetLabel", ("SessionId", id), ("Labels", """{"b": "2"}"""))).AssertOk();
        var labels = (await rpc.CallAsync("GetLabel", ("SessionId", id))).AssertOk().Data.GetProperty("Labels").GetString()!;
        using var doc = JsonDocument.Parse(labels);
        Assert.Equal("2", doc.RootElement.GetProperty("b").GetString());
        Assert.False(doc.RootElement.TryGetProperty("a", out _));
    }

    [Fact]
    public async Task GetCdpLink_serves_browser_images_only()
    {
        using var rpc = new Rpc(_emulator);
        var browser = await rpc.CreateSessionAsync(("ImageId", "browser_latest"));
        var linux = await rpc.CreateSessionAsync(("ImageId", "linux_latest"));
        var url = (await rpc.CallAsync("GetCdpLink", ("SessionId", browser))).AssertOk().Data.GetProperty("Url").GetString();
        Assert.StartsWith("ws://", url);
        (await rpc.CallAsync("GetCdpLink", ("SessionId", linux))).AssertError("InvalidOperation.CdpUnsupportedImage");
    }

    [Fact]
    public async Task LiveSessionCount_follows_creates_and_deletes()
    {
        await using var emulator = await AgentBayEmulator.StartAsync();
        using var rpc = new Rpc(emulator);
        var a = await rpc.CreateSessionAsync();
        await rpc.CreateSessionAsync();
        Assert.Equal(2, emulator.LiveSessionCount);
        (await rpc.CallAsync("DeleteSessionAsync", ("SessionId", a))).AssertOk();
        Assert.Equal(1, emulator.LiveSessionCount);
        Assert.Equal(HttpStatusCode.OK, (await rpc.CallAsync("ListSession")).Status);
    }
}

public sealed class QuotaTests
{
    [Fact]
    public async Task Creates_beyond_MaxSessions_fail_with_QuotaExceeded_even_in_parallel()
    {
        await using var emulator = await AgentBayEmulator.StartAsync(new AgentBayEmulatorOptions { MaxSessions = 5 });
        using var rpc = new Rpc(emulator);
        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => rpc.CallAsync("CreateMcpSession"))));
        Assert.Equal(5, results.Count(r => r.Success));
        Assert.All(results.Where(r => !r.Success), r => r.AssertError("QuotaExceeded.Session"));
        Assert.Equal(5, emulator.LiveSessionCount);

        var id = results.First(r => r.Success).Data.GetProperty("SessionId").GetString()!;
        (await rpc.CallAsync("DeleteSessionAsync", ("SessionId", id))).AssertOk();
        (await rpc.CallAsync("CreateMcpSession")).AssertOk();
    }
}

/// <summary>Keep-alive (RefreshSessionIdleTime) and the idle timeout (CreateMcpSession Timeout), as the SDKs send them since v0.16.</summary>
public sealed class KeepAliveTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>
{
    [Fact]
    public async Task Refreshing_a_live_session_is_ok_and_a_gone_one_is_not_found()
    {
        using var rpc = new Rpc(fixture.Emulator);
        var id = await rpc.CreateSessionAsync(("Timeout", "600"));

        (await rpc.CallAsync("RefreshSessionIdleTime", ("SessionId", id))).AssertOk();
        (await rpc.CallAsync("DeleteSessionAsync", ("SessionId", id))).AssertOk();
        (await rpc.CallAsync("RefreshSessionIdleTime", ("SessionId", id))).AssertError("InvalidMcpSession.NotFound");
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("soon")]
    public async Task A_timeout_that_is_not_a_positive_number_of_seconds_is_refused(string timeout)
    {
        using var rpc = new Rpc(fixture.Emulator);
        var r = (await rpc.CallAsync("CreateMcpSession", ("Timeout", timeout))).AssertError("InvalidParameter.Timeout");
        Assert.Contains("seconds", r.Message, StringComparison.Ordinal);
    }
}
