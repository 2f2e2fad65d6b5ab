using System.Net;
using System.Text.Json;

namespace AgentBay.Lite.Emulator.Tests;

public sealed class ProtocolTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>
{
    private readonly AgentBayEmulator _emulator = fixture.Emulator;

    [Fact]
    public async Task Every_answer_carries_the_full_envelope_with_a_fresh_uppercase_request_id()
    {
        using var rpc = new Rpc(_emulator);
        var a = (await rpc.CallAsync("CreateMcpSession")).AssertOk();
        var b = (await rpc.CallAsync("GetSession", ("SessionId", "session-doesnotexist00"))).AssertError("InvalidMcpSession.NotFound");
        Assert.NotEqual(a.Json.GetProperty("RequestId").GetString(), b.Json.GetProperty("RequestId").GetString());
        Assert.Equal("", a.Message);
    }

    [Fact]
    public async Task Chunked_form_body_without_content_length_is_read()
    {
        using var rpc = new Rpc(_emulator);
        var sessionId = await rpc.CreateSessionAsync();
        var form = Rpc.Form(("Authorization", rpc.Auth), ("Port", "30150"), ("ProtocolType", "https"), ("SessionId", sessionId));
        var r = (await rpc.SendAsync(Rpc.Query("GetLink"), form, chunked: true)).AssertOk();
        Assert.StartsWith("https://", r.Data.GetProperty("Url").GetString());
    }

    [Fact]
    public async Task Spaces_may_be_percent_20_or_plus()
    {
        using var rpc = new Rpc(_emulator);
        var plus = (await rpc.SendAsync(Rpc.Query("CreateMcpSession"), "Authorization=Bearer+" + _emulator.ApiKey)).AssertOk();
        var pct = (await rpc.SendAsync(Rpc.Query("CreateMcpSession"), "Authorization=Bearer%20" + _emulator.ApiKey)).AssertOk();
        Assert.NotEqual(plus.Data.GetProperty("SessionId").GetString(), pct.Data.GetProperty("SessionId").GetString());
    }

    [Fact]
    public async Task Fields_are_looked_up_in_query_and_form_together()
    {
        using var rpc = new Rpc(_emulator);
        var sessionId = await rpc.CreateSessionAsync();

        // GetSessionDetail as the SDKs send it: SessionId in the query, Authorization in the body.
        var detail = await rpc.SendAsync(Rpc.Query("GetSessionDetail", ("SessionId", sessionId)), Rpc.Form(("Authorization", rpc.Auth)));
        Assert.Equal("RUNNING", detail.AssertOk().Data.GetProperty("Status").GetString());

        // The key is never taken from the query string (URLs end up in logs and Referer headers).
        var link = await rpc.SendAsync(Rpc.Query("GetLink", ("Authorization", rpc.Auth)), Rpc.Form(("SessionId", sessionId), ("Port", "30100")));
        link.AssertError("NOT_LOGIN");
    }

    [Fact]
    public async Task Booleans_accept_true_and_Python_True_and_refuse_other_text()
    {
        using var rpc = new Rpc(_emulator);
        (await rpc.CallAsync("CreateMcpSession", ("EnableRecord", "True"))).AssertOk();
        (await rpc.CallAsync("CreateMcpSession", ("EnableRecord", "false"))).AssertOk();
        var bad = (await rpc.CallAsync("CreateMcpSession", ("EnableRecord", "yes"))).AssertError("InvalidParameter.EnableRecord");
        Assert.Contains("true or false", bad.Message);
    }

    [Fact]
    public async Task Empty_strings_are_treated_as_absent()
    {
        using var rpc = new Rpc(_emulator);
        var sessionId = await rpc.CreateSessionAsync(("ImageId", ""), ("ExternalUserId", ""));
        var detail = (await rpc.CallAsync("GetSessionDetail", ("SessionId", sessionId))).AssertOk();
        Assert.Equal("linux_latest", detail.Data.GetProperty("ImageId").GetString());

        // ProtocolType= (empty) with a port behaves as no protocol: wss.
        var link = (await rpc.CallAsync("GetLink", ("SessionId", sessionId), ("ProtocolType", ""), ("Port", "30111"))).AssertOk();
        Assert.StartsWith("wss://", link.Data.GetProperty("Url").GetString());
    }

    [Fact]
    public async Task Unknown_action_is_InvalidAction_NotFound_and_missing_action_is_MissingParameter()
    {
        using var rpc = new Rpc(_emulator);
        (await rpc.CallAsync("DescribeEverything")).AssertError("InvalidAction.NotFound");
        var missing = (await rpc.SendAsync("/", Rpc.Form(("Authorization", rpc.Auth)))).AssertError("MissingParameter");
        Assert.Contains("Action", missing.Message);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer akm-wrong")]
    [InlineData("akm-wrong")]
    public async Task Missing_or_bad_key_is_NOT_LOGIN(string? authorization)
    {
        using var rpc = new Rpc(_emulator);
        var form = authorization is null ? Rpc.Form(("ImageId", "linux_latest")) : Rpc.Form(("Authorization", authorization));
        (await rpc.SendAsync(Rpc.Query("CreateMcpSession"), form))
            .AssertError("NOT_LOGIN", "You are not logged in or your login token has expired");
    }

    [Fact]
    public async Task Every_action_requires_the_key()
    {
        using var rpc = new Rpc(_emulator);
        foreach (var action in new[] { "CreateMcpSession", "GetSession", "GetSessionDetail", "ListSession", "DeleteSessionAsync", "ReleaseMcpSession", "GetMcpResource", "GetLink", "GetCdpLink", "CallMcpTool", "ListMcpTools", "SetLabel", "GetLabel" })
        {
            (await rpc.SendAsync(Rpc.Query(action), Rpc.Form(("SessionId", "session-x")))).AssertError("NOT_LOGIN");
        }
    }

    [Fact]
    public async Task Labels_are_parsed_not_string_compared()
    {
        using var rpc = new Rpc(_emulator);
        var tag = Guid.NewGuid().ToString("N");

        // Python's json.dumps style (spaces) on create, compact TS style on the filter, keys in another order.
        var sessionId = await rpc.CreateSessionAsync(("Labels", $$"""{"tag": "{{tag}}", "env": "test"}"""));
        var list = (await rpc.CallAsync("ListSession", ("Labels", $$"""{"env":"test","tag":"{{tag}}"}"""))).AssertOk();
        Assert.Equal(sessionId, Assert.Single(list.Data.EnumerateArray()).GetProperty("SessionId").GetString());
    }

    [Fact]
    public async Task Other_paths_and_methods_get_an_envelope()
    {
        using var rpc = new Rpc(_emulator);
        using var put = await rpc.Http.SendAsync(new HttpRequestMessage(HttpMethod.Put, Rpc.Query("GetLink")));
        (await RpcResponse.ReadAsync(put)).AssertError("MethodNotAllowed", status: HttpStatusCode.MethodNotAllowed);
        (await rpc.SendAsync("/api/v1", "x=1")).AssertError("InvalidPath", status: HttpStatusCode.NotFound);

        // Paths that look like files, and the control prefix without a route, are not special.
        (await rpc.SendAsync("/favicon.ico", null)).AssertError("InvalidPath", status: HttpStatusCode.NotFound);
        (await rpc.SendAsync("/index.html?Action=GetLink", "x=1")).AssertError("InvalidPath", status: HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Actions_are_post_only_even_with_the_key()
    {
        // A GET can be made by any web page (an <img>, a link); no SDK sends one for the emulated actions.
        using var rpc = new Rpc(_emulator);
        var before = _emulator.LiveSessionCount;
        using var response = await rpc.Http.GetAsync(Rpc.Query("CreateMcpSession", ("Authorization", rpc.Auth)));
        (await RpcResponse.ReadAsync(response)).AssertError("MethodNotAllowed", status: System.Net.HttpStatusCode.MethodNotAllowed);
        Assert.Equal(["POST"], response.Content.Headers.Allow);
        Assert.Equal(before, _emulator.LiveSessionCount);
    }

    [Fact]
    public async Task A_body_without_a_content_type_is_not_read_as_a_form()
    {
        using var rpc = new Rpc(_emulator);
        var before = _emulator.LiveSessionCount;
        using var content = new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(Rpc.Form(("Authorization", rpc.Auth))));
        using var response = await rpc.Http.PostAsync(Rpc.Query("CreateMcpSession"), content);
        (await RpcResponse.ReadAsync(response)).AssertError("UnsupportedMediaType", status: System.Net.HttpStatusCode.UnsupportedMediaType);
        Assert.Equal(before, _emulator.LiveSessionCount);
    }
}
