using System.Text.Json;
using AgentBay.Lite.Backend;
using AgentBay.Lite.Tests.Rpc;

namespace AgentBay.Lite.Tests.Agb;

/// <summary>
/// Every AGB operation's request on the wire (method, path, query, headers, JSON body), against agb-rest.md §1 and what
/// the AGB TypeScript SDK 0.12.0 was captured sending (§8).
/// </summary>
public sealed class AgbRequestShapeTests
{
    private const string Ok = """{"success":true,"code":"OK","message":"","httpStatusCode":200,"requestId":"R1","data":{}}""";

    [Fact]
    public async Task CreateSession_puts_image_and_sdkStats_in_the_query_and_labels_as_a_JSON_string_in_the_body()
    {
        using var host = new AgbTestHost().Answer("""{"success":true,"data":{"sessionId":"session-1","success":true}}""");

        await host.Backend.CreateSessionAsync(
            new SessionCreation("agb-browser-use-1", new Dictionary<string, string> { ["project"] = "demo env" }, IdleTimeoutSeconds: 600), CancellationToken.None);

        var request = AssertCommon(host.Single, HttpMethod.Post, "/mcp/createSession");
        Assert.Equal(["imageId", "sdkStats"], request.Query.Select(p => p.Key));
        Assert.Equal("agb-browser-use-1", request.QueryValue("imageId"));
        Assert.Matches("""^\{"source":"sdk","sdk_language":"csharp","sdk_version":"[0-9][^"]*","is_release":true,"framework":"AgentBay.Lite"\}$""", request.QueryValue("sdkStats"));
        AssertJsonBody(request, """{"labels":"{\"project\":\"demo env\"}","timeout":600}""");
    }

    [Fact]
    public async Task CreateSession_defaults_the_image_to_agb_code_space_1_and_sends_an_empty_object()
    {
        using var host = new AgbTestHost().Answer("""{"success":true,"data":{"sessionId":"session-1"}}""");

        await host.Backend.CreateSessionAsync(new SessionCreation(null, null), CancellationToken.None);

        Assert.Equal("agb-code-space-1", host.Single.QueryValue("imageId"));
        AssertJsonBody(host.Single, "{}");
    }

    [Theory]
    [InlineData("getSession", "/mcp/getSession")]
    [InlineData("getSessionInfo", "/mcp/getSessionInfo")]
    [InlineData("releaseSessionAsync", "/mcp/releaseSessionAsync")]
    [InlineData("releaseSession", "/mcp/releaseSession")]
    [InlineData("getMcpResource", "/mcp/getMcpResource")]
    public async Task Session_operations_post_the_session_id_in_a_JSON_body(string operation, string path)
    {
        using var host = new AgbTestHost().Answer("""{"success":true,"data":{"sessionId":"sid-1","status":"RUNNING"}}""");

        Task call = operation switch
        {
            "getSession" => host.Backend.GetSessionAsync("sid-1", CancellationToken.None),
            "getSessionInfo" => host.Backend.GetSessionStatusAsync("sid-1", CancellationToken.None),
            "releaseSessionAsync" => host.Backend.DeleteSessionAsync("sid-1", CancellationToken.None),
            "releaseSession" => host.Backend.ReleaseSessionAsync("sid-1", CancellationToken.None),
            _ => host.Backend.GetResourceAsync("sid-1", CancellationToken.None),
        };
        await call;

        var request = AssertCommon(host.Single, HttpMethod.Post, path);
        Assert.Empty(request.Query);
        AssertJsonBody(request, """{"sessionId":"sid-1"}""");
    }

    [Fact]
    public async Task ListSession_is_a_GET_with_maxResults_nextToken_and_labels_in_the_query()
    {
        using var host = new AgbTestHost().Answer("""{"success":true,"data":[],"count":0}""");

        await host.Backend.ListSessionsAsync(new SessionListing(new Dictionary<string, string> { ["team"] = "a b" }, null, 25, "tok-2"), CancellationToken.None);

        var request = AssertCommon(host.Single, HttpMethod.Get, "/sdk/ListSession");
        Assert.Equal([new("maxResults", "25"), new("nextToken", "tok-2"), new KeyValuePair<string, string>("labels", """{"team":"a b"}""")], request.Query);
        Assert.Equal("", request.Body);
        Assert.Null(request.ContentType);
    }

    [Fact]
    public async Task ListSession_sends_empty_labels_as_an_empty_object_and_no_token_on_the_first_page()
    {
        using var host = new AgbTestHost().Answer("""{"success":true,"data":[]}""");

        await host.Backend.ListSessionsAsync(new SessionListing(null, null, 10, null), CancellationToken.None);

        Assert.Equal([new("maxResults", "10"), new KeyValuePair<string, string>("labels", "{}")], host.Single.Query);
    }

    [Fact]
    public async Task ListSession_for_a_status_AGB_never_reports_sends_nothing()
    {
        using var host = new AgbTestHost();

        var page = await host.Backend.ListSessionsAsync(new SessionListing(null, "PAUSED", 10, null), CancellationToken.None);

        Assert.Empty(page.Items);
        Assert.Empty(host.Handler.Requests);
    }

    [Theory]
    [InlineData("https", 30150)]
    [InlineData("wss", 30180)]
    public async Task GetLink_is_a_GET_with_session_protocol_and_port_in_the_query(string protocol, int port)
    {
        using var host = new AgbTestHost().Answer("""{"success":true,"data":{"url":"https://gw.example/request_ai/t/path/"}}""");

        await host.Backend.GetLinkAsync("sid-1", protocol == "https" ? LinkRequest.Https(port) : LinkRequest.Wss(port), CancellationToken.None);

        var request = AssertCommon(host.Single, HttpMethod.Get, "/internet/getLink");
        Assert.Equal([new("sessionId", "sid-1"), new("protocolType", protocol), new KeyValuePair<string, string>("port", port.ToString(System.Globalization.CultureInfo.InvariantCulture))], request.Query);
        Assert.Equal("", request.Body);
    }

    [Fact]
    public async Task The_CDP_link_posts_the_session_id_in_the_query_and_an_empty_object()
    {
        using var host = new AgbTestHost().Answer("""{"success":true,"data":{"url":"ws://localhost:9222/devtools/browser/abc"}}""");

        var link = await host.Backend.GetLinkAsync("sid-1", LinkRequest.Cdp, CancellationToken.None);

        var request = AssertCommon(host.Single, HttpMethod.Post, "/internet/getCdpLink");
        Assert.Equal([new KeyValuePair<string, string>("sessionId", "sid-1")], request.Query);
        AssertJsonBody(request, "{}");
        Assert.Equal(new Uri("ws://localhost:9222/devtools/browser/abc"), link.Url);
    }

    [Fact]
    public async Task KeepAlive_posts_the_session_id_in_the_query_and_an_empty_object()
    {
        using var host = new AgbTestHost().Answer(Ok);

        await host.Backend.RefreshIdleTimeAsync("sid-1", CancellationToken.None);

        var request = AssertCommon(host.Single, HttpMethod.Post, "/mcp/refreshSessionIdleTime");
        Assert.Equal([new KeyValuePair<string, string>("sessionId", "sid-1")], request.Query);
        AssertJsonBody(request, "{}");
    }

    [Fact]
    public async Task CallTool_posts_args_as_a_JSON_string_with_autoGenSession_false_in_the_query()
    {
        using var host = new AgbTestHost().Answer("""{"success":true,"data":{"isError":false,"content":[{"type":"text","text":"ok"}]}}""");

        await host.Backend.CallToolAsync("sid-1", "shell", """{"command":"echo hi","timeout_ms":1000}""", CancellationToken.None);

        var request = AssertCommon(host.Single, HttpMethod.Post, "/mcp");
        Assert.Equal([new KeyValuePair<string, string>("autoGenSession", "false")], request.Query);
        AssertJsonBody(request, """{"args":"{\"command\":\"echo hi\",\"timeout_ms\":1000}","sessionId":"sid-1","name":"shell"}""");
    }

    /// <summary>The key in a lowercase <c>authorization</c> header, never in the query or body; JSON content on every POST.</summary>
    private static RecordedRequest AssertCommon(RecordedRequest request, HttpMethod method, string path)
    {
        Assert.Equal(method, request.Method);
        Assert.Equal("sdk-api.agb.example.test", request.Uri.Host);
        Assert.Equal(path, request.Uri.AbsolutePath);
        Assert.Equal("Bearer " + AgbTestHost.ApiKey, request.Headers["authorization"]);
        Assert.DoesNotContain(AgbTestHost.ApiKey, request.Uri.OriginalString, StringComparison.Ordinal);
        Assert.DoesNotContain(AgbTestHost.ApiKey, request.Body, StringComparison.Ordinal);
        if (method == HttpMethod.Post)
        {
            Assert.StartsWith("application/json", request.ContentType, StringComparison.Ordinal);
        }

        return request;
    }

    private static void AssertJsonBody(RecordedRequest request, string expected)
    {
        using var actual = JsonDocument.Parse(request.Body);
        using var golden = JsonDocument.Parse(expected);
        Assert.True(JsonElement.DeepEquals(golden.RootElement, actual.RootElement), $"body {request.Body}, expected {expected}");
    }
}
