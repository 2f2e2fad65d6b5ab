using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentBay.Lite.Emulator.Tests.Agb;

/// <summary>The AGB REST face, driven with requests shaped exactly as the AGB TypeScript SDK sends them (agb-rest.md §8).</summary>
public sealed class AgbFaceTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>, IDisposable
{
    private readonly AgbClient _agb = new(fixture.Emulator);

    public void Dispose() => _agb.Dispose();

    [Fact]
    public async Task Create_takes_image_and_sdkStats_from_the_query_and_answers_the_session_fields()
    {
        var stats = """{"source":"sdk","sdk_language":"typescript","sdk_version":"0.12.0","is_release":true}""";
        var r = (await _agb.PostAsync(AgbClient.Q("/mcp/createSession", ("imageId", "agb-code-space-1"), ("sdkStats", stats)), new JsonObject { ["labels"] = """{"team":"agb"}""" })).AssertOk();

        var data = r.Data;
        var id = data.GetProperty("sessionId").GetString()!;
        Assert.StartsWith("session-", id, StringComparison.Ordinal);
        Assert.True(data.GetProperty("success").GetBoolean());
        await AssertLiveViewOfAsync(id, data.GetProperty("resourceUrl").GetString());
        Assert.False(string.IsNullOrEmpty(data.GetProperty("resourceId").GetString()));
        Assert.False(string.IsNullOrEmpty(data.GetProperty("appInstanceId").GetString()));
        foreach (var name in new[] { "linkUrl", "wsUrl", "token", "errMsg" })
        {
            Assert.Equal(JsonValueKind.String, data.GetProperty(name).ValueKind);
        }

        using var tools = JsonDocument.Parse(data.GetProperty("toolList").GetString()!);
        Assert.Contains(tools.RootElement.EnumerateArray(), t => t.GetProperty("name").GetString() == "shell" && t.GetProperty("server").GetString() == "wuying_shell");

        // The labels from the body's JSON string are the session's: a filtered list finds it.
        var list = (await _agb.GetAsync(AgbClient.Q("/sdk/ListSession", ("maxResults", "10"), ("labels", """{"team":"agb"}""")))).AssertOk();
        Assert.Contains(list.Data.EnumerateArray(), s => s.GetProperty("sessionId").GetString() == id);
    }

    [Fact]
    public async Task Create_refuses_labels_that_are_not_a_JSON_object_and_a_bad_timeout()
    {
        (await _agb.PostAsync("/mcp/createSession?imageId=agb-code-space-1", new JsonObject { ["labels"] = "[1,2]" })).AssertError("InvalidParameter.Labels");
        (await _agb.PostAsync("/mcp/createSession?imageId=agb-code-space-1", new JsonObject { ["timeout"] = 0 })).AssertError("InvalidParameter.Timeout");
        (await _agb.PostAsync("/mcp/createSession?imageId=agb-code-space-1&sdkStats=nope")).AssertError("InvalidParameter.sdkStats");
    }

    [Fact]
    public async Task GetSession_and_getMcpResource_describe_a_live_session_and_refuse_a_gone_one()
    {
        var id = await _agb.CreateAsync();
        var session = (await _agb.PostAsync("/mcp/getSession", new JsonObject { ["sessionId"] = id })).AssertOk().Data;
        Assert.Equal(id, session.GetProperty("sessionId").GetString());
        Assert.Equal("RUNNING", session.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.String, session.GetProperty("toolList").ValueKind);
        Assert.Equal(JsonValueKind.String, session.GetProperty("wsUrl").ValueKind);

        var resource = (await _agb.PostAsync("/mcp/getMcpResource", new JsonObject { ["sessionId"] = id })).AssertOk().Data;
        Assert.Equal(id, resource.GetProperty("sessionId").GetString());
        await AssertLiveViewOfAsync(id, resource.GetProperty("resourceUrl").GetString());
        Assert.Equal("AIAgent", resource.GetProperty("desktopInfo").GetProperty("resourceType").GetString());

        (await _agb.PostAsync("/mcp/releaseSession", new JsonObject { ["sessionId"] = id })).AssertOk();
        (await _agb.PostAsync("/mcp/getSession", new JsonObject { ["sessionId"] = id })).AssertError("InvalidSession.NotFound");
        (await _agb.PostAsync("/mcp/getMcpResource", new JsonObject { ["sessionId"] = id })).AssertError("InvalidSession.NotFound");
        (await _agb.PostAsync("/mcp/releaseSession", new JsonObject { ["sessionId"] = id })).AssertError("InvalidSession.NotFound");
        (await _agb.PostAsync("/mcp/getSession")).AssertError("MissingParameter");
    }

    [Fact]
    public async Task Delete_then_poll_ends_with_InvalidMcpSession_NotFound_as_the_SDKs_expect()
    {
        var id = await _agb.CreateAsync();
        var info = (await _agb.PostAsync("/mcp/getSessionInfo", new JsonObject { ["sessionId"] = id })).AssertOk();
        Assert.Equal("RUNNING", info.Data.GetProperty("status").GetString());

        (await _agb.PostAsync("/mcp/releaseSessionAsync", new JsonObject { ["sessionId"] = id })).AssertOk();
        (await _agb.PostAsync("/mcp/getSessionInfo", new JsonObject { ["sessionId"] = id })).AssertError("InvalidMcpSession.NotFound");
        (await _agb.PostAsync("/mcp/releaseSessionAsync", new JsonObject { ["sessionId"] = id })).AssertError("InvalidSession.NotFound");
    }

    [Fact]
    public async Task ListSession_pages_with_nextToken_maxResults_and_count_at_the_top_level()
    {
        var label = """{"page":"PAGE"}""".Replace("PAGE", Guid.NewGuid().ToString("N"), StringComparison.Ordinal);
        var ids = new[] { await _agb.CreateAsync(labelsJson: label), await _agb.CreateAsync(labelsJson: label), await _agb.CreateAsync(labelsJson: label) };

        var first = (await _agb.GetAsync(AgbClient.Q("/sdk/ListSession", ("maxResults", "2"), ("labels", label)))).AssertOk();
        Assert.Equal(2, first.Json.GetProperty("maxResults").GetInt32());
        Assert.Equal(3, first.Json.GetProperty("count").GetInt32());
        Assert.Equal(ids[..2], first.Data.EnumerateArray().Select(s => s.GetProperty("sessionId").GetString()));
        Assert.All(first.Data.EnumerateArray(), s => Assert.Equal("RUNNING", s.GetProperty("sessionStatus").GetString()));
        var next = first.Json.GetProperty("nextToken").GetString()!;
        Assert.NotEmpty(next);

        var second = (await _agb.GetAsync(AgbClient.Q("/sdk/ListSession", ("maxResults", "2"), ("labels", label), ("nextToken", next), ("isAll", "false")))).AssertOk();
        Assert.Equal([ids[2]], second.Data.EnumerateArray().Select(s => s.GetProperty("sessionId").GetString()));
        Assert.Equal("", second.Json.GetProperty("nextToken").GetString());

        // The TS SDK's own form: labels always sent, "{}" meaning any.
        var any = (await _agb.GetAsync("/sdk/ListSession?maxResults=10&labels=%7B%7D")).AssertOk();
        Assert.True(any.Data.GetArrayLength() >= 1);

        (await _agb.GetAsync("/sdk/ListSession?maxResults=1000")).AssertError("InvalidParameter.MaxResults");
        (await _agb.GetAsync("/sdk/ListSession?nextToken=forged")).AssertError("InvalidParameter.NextToken");
    }

    [Fact]
    public async Task GetLink_follows_the_shared_link_rules()
    {
        var id = await _agb.CreateAsync();
        var https = (await _agb.GetAsync(AgbClient.Q("/internet/getLink", ("sessionId", id), ("protocolType", "https"), ("port", "30150")))).AssertOk();
        Assert.Matches("^http://[^/]+/request_ai/[^/]+/path/$", https.Data.GetProperty("url").GetString());

        // protocolType left out with a port: wss, as on AgentBay.
        var wss = (await _agb.GetAsync(AgbClient.Q("/internet/getLink", ("sessionId", id), ("port", "30180")))).AssertOk();
        Assert.Matches("^ws://[^/]+/websocket_ai/[^/]+$", wss.Data.GetProperty("url").GetString());

        // The TS SDK sends port 0 (agb-rest.md §8); it lies outside the link range.
        (await _agb.GetAsync(AgbClient.Q("/internet/getLink", ("sessionId", id), ("protocolType", "https"), ("port", "0")))).AssertError("InvalidParameter.Port");
        (await _agb.GetAsync(AgbClient.Q("/internet/getLink", ("sessionId", id)))).AssertError("InvalidOperation.CdpUnsupportedImage");
        (await _agb.GetAsync(AgbClient.Q("/internet/getLink", ("sessionId", "session-gone"), ("port", "30150")))).AssertError("InvalidSession.NotFound");
        (await _agb.GetAsync("/internet/getLink?port=30150")).AssertError("MissingParameter");
    }

    [Fact]
    public async Task GetCdpLink_serves_browser_images_only()
    {
        var code = await _agb.CreateAsync();
        (await _agb.PostAsync(AgbClient.Q("/internet/getCdpLink", ("sessionId", code)))).AssertError("InvalidOperation.CdpUnsupportedImage");

        var browser = await _agb.CreateAsync("agb-browser-use-1");
        var cdp = (await _agb.PostAsync(AgbClient.Q("/internet/getCdpLink", ("sessionId", browser)))).AssertOk();
        Assert.Matches("^ws://[^/]+/websocket_ai/[^/]+$", cdp.Data.GetProperty("url").GetString());
        Assert.Equal(browser, fixture.Emulator.ResolveLinkToken(cdp.Data.GetProperty("url").GetString()!.Split('/')[^1]));
    }

    [Fact]
    public async Task BrowserInit_refuses_a_code_space_image()
    {
        var id = await _agb.CreateAsync();
        var query = AgbClient.Q("/browser/init", ("sessionId", id), ("persistentPath", "/tmp/agb_browser_data"), ("browserOption", """{"useStealth":false}"""));
        (await _agb.PostAsync(query)).AssertError("InvalidOperation.CdpUnsupportedImage");
        (await _agb.PostAsync(AgbClient.Q("/browser/init", ("sessionId", id), ("browserOption", "[]")))).AssertError("InvalidParameter.BrowserOption");
    }

    [Fact]
    public async Task The_API_tool_route_runs_tools_in_the_session()
    {
        var id = await _agb.CreateAsync();
        var write = (await _agb.ToolAsync(id, "write_file", """{"path":"note.txt","content":"from agb","mode":"overwrite"}""")).AssertOk();
        Assert.False(write.Data.GetProperty("isError").GetBoolean());

        var read = (await _agb.ToolAsync(id, "read_file", """{"path":"note.txt"}""")).AssertOk();
        Assert.Equal("from agb", read.Data.GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal("text", read.Data.GetProperty("content")[0].GetProperty("type").GetString());

        var missing = (await _agb.ToolAsync(id, "read_file", """{"path":"absent.txt"}""")).AssertOk();
        Assert.True(missing.Data.GetProperty("isError").GetBoolean());

        (await _agb.ToolAsync(id, "read_file", "[1]")).AssertError("InvalidParameter.Args");
        (await _agb.ToolAsync(id, "read_file", "{nope")).AssertError("InvalidParameter.Args");
        (await _agb.ToolAsync("session-gone", "read_file", "{}")).AssertError("InvalidSession.NotFound");
        (await _agb.PostAsync("/mcp?autoGenSession=maybe", new JsonObject { ["sessionId"] = id, ["name"] = "shell", ["args"] = "{}" })).AssertError("InvalidParameter.AutoGenSession");
    }

    [Fact]
    public async Task ListTools_answers_the_tool_list_as_a_JSON_string()
    {
        var r = (await _agb.PostAsync("/mcp/listTools?imageId=agb-code-space-1")).AssertOk();
        using var tools = JsonDocument.Parse(r.Data.GetString()!);
        Assert.Contains(tools.RootElement.EnumerateArray(), t => t.GetProperty("name").GetString() == "write_file" && t.GetProperty("server").GetString() == "wuying_filesystem");
    }

    [Fact]
    public async Task KeepAlive_takes_the_session_from_the_query_with_an_empty_body()
    {
        var id = await _agb.CreateAsync();
        (await _agb.PostAsync(AgbClient.Q("/mcp/refreshSessionIdleTime", ("sessionId", id)))).AssertOk();
        (await _agb.PostAsync("/mcp/refreshSessionIdleTime", new JsonObject { ["sessionId"] = id })).AssertOk();
        (await _agb.PostAsync(AgbClient.Q("/mcp/refreshSessionIdleTime", ("sessionId", "session-gone")))).AssertError("InvalidSession.NotFound");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("akm-wrong")]
    public async Task A_missing_or_wrong_key_is_HTTP_401_and_creates_nothing(string? key)
    {
        using var agb = new AgbClient(fixture.Emulator, key) { Key = key };
        var before = fixture.Emulator.GetRequestCount("CreateMcpSession");
        var r = (await agb.PostAsync("/mcp/createSession?imageId=agb-code-space-1")).AssertError("Unauthorized", HttpStatusCode.Unauthorized);
        Assert.Contains("authorization", r.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(fixture.Emulator.ApiKey, r.Body, StringComparison.Ordinal);
        Assert.True(fixture.Emulator.GetRequestCount("CreateMcpSession") > before);
    }

    [Fact]
    public async Task The_key_header_name_may_have_any_casing_and_the_key_never_goes_in_the_query()
    {
        using var agb = new AgbClient(fixture.Emulator) { Key = null };
        var r = await agb.PostAsync("/mcp/listTools", configure: m => m.Headers.TryAddWithoutValidation("AUTHORIZATION", "bearer " + fixture.Emulator.ApiKey));
        r.AssertOk();
        (await agb.PostAsync("/mcp/listTools?authorization=" + Uri.EscapeDataString("Bearer " + fixture.Emulator.ApiKey))).AssertError("Unauthorized", HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Wrong_methods_bodies_and_media_types_get_AGB_envelopes()
    {
        var r = (await _agb.PostAsync("/sdk/ListSession")).AssertError("MethodNotAllowed", HttpStatusCode.MethodNotAllowed);
        Assert.Equal("GET", r.Allow);
        (await _agb.GetAsync("/mcp/createSession")).AssertError("MethodNotAllowed", HttpStatusCode.MethodNotAllowed);
        (await _agb.SendAsync(HttpMethod.Post, "/mcp/getSession", "{\"sessionId\":")).AssertError("MalformedBody");
        (await _agb.SendAsync(HttpMethod.Post, "/mcp/getSession", "[\"x\"]")).AssertError("MalformedBody");
        (await _agb.SendAsync(HttpMethod.Post, "/mcp/getSession", "{}", m => m.Content!.Headers.ContentType = new("text/plain"))).AssertError("UnsupportedMediaType", HttpStatusCode.UnsupportedMediaType);
    }

    /// <summary>A resource URL is the session's live view (issue 20): a page that names the session.</summary>
    private static async Task AssertLiveViewOfAsync(string sessionId, string? resourceUrl)
    {
        Assert.NotNull(resourceUrl);
        using var http = new HttpClient();
        using HttpResponseMessage page = await http.GetAsync(new Uri(resourceUrl));
        Assert.Equal(System.Net.HttpStatusCode.OK, page.StatusCode);
        Assert.Contains(sessionId, await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}

/// <summary>AGB routes under the emulator's server-wide machinery: body limits, the browser guard, counters and faults.</summary>
public sealed class AgbFaceSafetyTests
{
    [Fact]
    public async Task Bodies_are_bounded_like_the_RPC_face()
    {
        await using var emulator = await AgentBayEmulator.StartAsync(new AgentBayEmulatorOptions { MaxRequestBodyBytes = 4096 }, CancellationToken.None);
        using var agb = new AgbClient(emulator);
        var big = new string('x', 8192);
        (await agb.PostAsync("/mcp/createSession?imageId=agb-code-space-1", new JsonObject { ["labels"] = big })).AssertError("RequestEntityTooLarge", HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal(0, emulator.LiveSessionCount);
    }

    [Fact]
    public async Task A_request_a_browser_marks_as_cross_site_is_refused_before_it_creates_anything()
    {
        await using var emulator = await AgentBayEmulator.StartAsync();
        using var agb = new AgbClient(emulator);
        var r = await agb.PostAsync("/mcp/createSession?imageId=agb-code-space-1", configure: m => m.Headers.TryAddWithoutValidation("Sec-Fetch-Site", "cross-site"));
        Assert.Equal(HttpStatusCode.Forbidden, r.Status);
        Assert.Equal(0, emulator.LiveSessionCount);

        var rebound = await agb.GetAsync("/sdk/ListSession", m => m.Headers.Host = "evil.example");
        Assert.Equal(HttpStatusCode.Forbidden, rebound.Status);
        Assert.Equal(0, emulator.GetRequestCount("ListSession"));
    }

    [Fact]
    public async Task Faults_and_counters_use_the_operation_names_shared_with_the_RPC_face()
    {
        await using var emulator = await AgentBayEmulator.StartAsync();
        using var agb = new AgbClient(emulator);
        var id = await agb.CreateAsync();
        emulator.SetFaults(new FaultProfile { ServerErrorRate = 1 }, "GetLink");

        var failed = await agb.GetAsync(AgbClient.Q("/internet/getLink", ("sessionId", id), ("port", "30150")));
        failed.AssertError("InternalError", HttpStatusCode.InternalServerError);
        (await agb.PostAsync("/mcp/getSession", new JsonObject { ["sessionId"] = id })).AssertOk(); // other operations unaffected

        emulator.SetFaults(new FaultProfile { ThrottlingRate = 1, RetryAfter = TimeSpan.FromSeconds(2) }, "GetSession");
        var throttled = (await agb.PostAsync("/mcp/getSession", new JsonObject { ["sessionId"] = id })).AssertError("Throttling", HttpStatusCode.TooManyRequests);
        Assert.Equal(TimeSpan.FromSeconds(2), throttled.Headers.RetryAfter?.Delta);

        emulator.SetFaults(new FaultProfile { MalformedJsonRate = 1 }, "ListSession");
        var cut = await agb.GetAsync("/sdk/ListSession");
        Assert.Equal(HttpStatusCode.OK, cut.Status);
        Assert.Equal(JsonValueKind.Undefined, cut.Json.ValueKind);

        Assert.Equal(1, emulator.GetRequestCount("CreateMcpSession"));
        Assert.Equal(1, emulator.GetRequestCount("GetLink"));
        Assert.Equal(2, emulator.GetRequestCount("GetSession"));
        Assert.Equal(1, emulator.GetRequestCount("ListSession"));
    }

    [Fact]
    public async Task Latency_set_for_an_operation_delays_its_AGB_route()
    {
        await using var emulator = await AgentBayEmulator.StartAsync();
        using var agb = new AgbClient(emulator);
        emulator.SetLatency(new LatencyProfile(TimeSpan.FromMilliseconds(300)), "ListMcpTools");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        (await agb.PostAsync("/mcp/listTools")).AssertOk();
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(290), $"answered after {clock.Elapsed.TotalMilliseconds} ms");
    }
}
