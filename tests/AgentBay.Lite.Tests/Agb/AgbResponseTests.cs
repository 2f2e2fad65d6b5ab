using System.Net;
using AgentBay.Lite.Backend;

namespace AgentBay.Lite.Tests.Agb;

/// <summary>AGB's answers, success and failure, including the fixtures of the AGB SDKs' own tests (agb-rest.md §6).</summary>
public sealed class AgbResponseTests
{
    [Fact]
    public async Task Create_reads_the_python_SDK_fixture()
    {
        using var host = new AgbTestHost().Answer("""{"data":{"sessionId":"new-session-id","resourceUrl":"http://resource.url","success":true},"requestId":"create-request-id"}""");

        var session = await host.Backend.CreateSessionAsync(new SessionCreation("agb-code-space-1", null), CancellationToken.None);

        Assert.Equal("new-session-id", session.SessionId);
        Assert.Equal("http://resource.url", session.ResourceUrl);
        Assert.Equal("create-request-id", session.RequestId);
    }

    [Fact]
    public async Task Create_with_data_success_false_surfaces_errMsg()
    {
        using var host = new AgbTestHost().Answer("""{"success":true,"code":"OK","requestId":"r-2","data":{"success":false,"errMsg":"no capacity for agb-code-space-1"}}""");

        var error = await Assert.ThrowsAsync<AgentBayException>(() => host.Backend.CreateSessionAsync(new SessionCreation(null, null), CancellationToken.None));

        Assert.Contains("no capacity for agb-code-space-1", error.Message, StringComparison.Ordinal);
        Assert.Equal("r-2", error.RequestId);
    }

    [Fact]
    public async Task GetSession_restores_link_url_ws_url_and_token_from_PascalCase_fields_inside_a_data_string()
    {
        // GetSession's model accepts LinkUrl/WsUrl/Token in PascalCase, and data may arrive as a JSON string.
        using var host = new AgbTestHost().Answer("""
            {"success":true,"code":"OK","requestId":"r-3","data":"{\"sessionId\":\"sid-1\",\"status\":\"RUNNING\",\"LinkUrl\":\"https://example.com/link\",\"WsUrl\":\"wss://example.com/ws\",\"Token\":\"token\",\"ToolList\":\"[{\\\"name\\\":\\\"run_code\\\",\\\"server\\\":\\\"wuying_codespace\\\"}]\"}"}
            """);

        var session = await host.Backend.GetSessionAsync("sid-1", CancellationToken.None);

        Assert.Equal("sid-1", session.SessionId);
        Assert.Equal("RUNNING", session.Status);
        Assert.Equal("https://example.com/link", session.LinkUrl);
        Assert.Equal("wss://example.com/ws", session.WsUrl);
        Assert.Equal("token", session.Token);
    }

    [Fact]
    public async Task The_request_id_falls_back_to_the_x_request_id_header()
    {
        using var host = new AgbTestHost().Answer(
            """{"success":true,"data":{"sessionId":"sid-1","status":"RUNNING"}}""",
            configure: r => r.Headers.TryAddWithoutValidation("x-request-id", "hdr-req-1"));

        var session = await host.Backend.GetSessionAsync("sid-1", CancellationToken.None);

        Assert.Equal("hdr-req-1", session.RequestId);
    }

    [Fact]
    public async Task HTTP_200_with_success_false_and_InvalidSession_NotFound_is_session_not_found()
    {
        using var host = new AgbTestHost().Answer("""{"success":false,"code":"InvalidSession.NotFound","message":"Resource [Session] is not found","data":{},"requestId":"req-1"}""");

        var error = await Assert.ThrowsAsync<SessionNotFoundException>(() => host.Backend.GetSessionAsync("sid-9", CancellationToken.None));

        Assert.Equal("InvalidSession.NotFound", error.Code);
        Assert.Equal("req-1", error.RequestId);
        Assert.Equal("sid-9", error.SessionId);
    }

    [Fact]
    public async Task GetSessionInfo_after_delete_is_InvalidMcpSession_NotFound_with_HTTP_400()
    {
        using var host = new AgbTestHost().Answer(
            """{"success":false,"code":"InvalidMcpSession.NotFound","message":"gone","httpStatusCode":400,"requestId":"req-2","data":{}}""", HttpStatusCode.BadRequest);

        var error = await Assert.ThrowsAsync<SessionNotFoundException>(() => host.Backend.GetSessionStatusAsync("sid-1", CancellationToken.None));

        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
    }

    [Theory]
    [InlineData("""{"success":true,"data":{"status":"Running"}}""", "Running")]
    [InlineData("""{"Success":true,"Data":{"Status":"FINISH"}}""", "FINISH")]
    public async Task GetSessionInfo_reads_the_status_in_either_casing(string body, string status)
    {
        using var host = new AgbTestHost().Answer(body);

        Assert.Equal(status, await host.Backend.GetSessionStatusAsync("sid-1", CancellationToken.None));
    }

    [Fact]
    public async Task ListSession_reads_the_page_and_the_top_level_paging_fields()
    {
        using var host = new AgbTestHost().Answer("""
            {"success":true,"code":"OK","requestId":"r","data":[{"sessionId":"s1","sessionStatus":"RUNNING"},{"sessionId":"s2","sessionStatus":"RUNNING"}],"nextToken":"tok","maxResults":10,"count":2}
            """);

        var page = await host.Backend.ListSessionsAsync(new SessionListing(null, null, 10, null), CancellationToken.None);

        Assert.Equal(["s1", "s2"], page.Items.Select(i => i.SessionId));
        Assert.Equal("RUNNING", page.Items[0].Status);
        Assert.Equal("tok", page.NextToken);
        Assert.Equal(2, page.TotalCount);
    }

    [Fact]
    public async Task GetMcpResource_reads_the_resource_url_and_desktop_info()
    {
        using var host = new AgbTestHost().Answer("""
            {"success":true,"requestId":"r-4","data":{"sessionId":"sid-1","resourceUrl":"https://agb.example/stream?x=1","desktopInfo":{"appId":"app-1","ticket":"t-1","resourceType":"AIAgent"}}}
            """);

        var resource = await host.Backend.GetResourceAsync("sid-1", CancellationToken.None);

        Assert.Equal("https://agb.example/stream?x=1", resource.ResourceUrl);
        Assert.Equal("app-1", resource.AppId);
        Assert.Equal("t-1", resource.Ticket);
        Assert.Equal("r-4", resource.RequestId);
    }

    [Theory]
    [InlineData("""{"success":true,"data":{}}""")]
    [InlineData("""{"success":true,"data":{"url":"not a url"}}""")]
    public async Task A_link_answer_without_an_absolute_url_is_a_protocol_error(string body)
    {
        using var host = new AgbTestHost().Answer(body);

        await Assert.ThrowsAsync<AgentBayProtocolException>(() => host.Backend.GetLinkAsync("sid-1", LinkRequest.Https(30150), CancellationToken.None));
    }

    [Fact]
    public async Task CallTool_reads_the_python_SDK_success_fixture()
    {
        using var host = new AgbTestHost().Answer("""{"success":true,"code":"OK","message":"","data":{"isError":false,"content":[{"type":"text","text":"ok"}]},"requestId":"req-ok"}""");

        var result = await host.Backend.CallToolAsync("sid-1", "shell", "{}", CancellationToken.None);

        Assert.False(result.IsError);
        Assert.Equal("ok", result.Text);
        Assert.Equal("req-ok", result.RequestId);
    }

    [Fact]
    public async Task CallTool_joins_text_parts_and_falls_back_to_image_data_as_the_AGB_SDKs_do()
    {
        using var host = new AgbTestHost()
            .Answer("""{"success":true,"data":{"isError":false,"content":[{"type":"text","text":"a"},{"type":"image","data":"AAA"},{"type":"text","text":"b"}]}}""")
            .Answer("""{"success":true,"data":{"isError":true,"content":[{"type":"image","data":"iVBOR"}]}}""");

        Assert.Equal("a\nb", (await host.Backend.CallToolAsync("sid-1", "x", "{}", CancellationToken.None)).Text);
        var image = await host.Backend.CallToolAsync("sid-1", "x", "{}", CancellationToken.None);
        Assert.Equal("iVBOR", image.Text);
        Assert.True(image.IsError);
    }

    [Fact]
    public async Task A_refused_key_is_an_authentication_error_naming_AGBs_variables_without_the_key()
    {
        using var host = new AgbTestHost().Answer(
            """{"success":false,"code":"Unauthorized","message":"bad key Bearer KEY","httpStatusCode":401,"data":{}}""".Replace("KEY", AgbTestHost.ApiKey, StringComparison.Ordinal), HttpStatusCode.Unauthorized);

        var error = await Assert.ThrowsAsync<AgentBayAuthenticationException>(() => host.Backend.GetSessionAsync("sid-1", CancellationToken.None));

        Assert.Contains("AGB_API_KEY", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(AgbTestHost.ApiKey, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(AgbTestHost.ApiKey, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Throttling_carries_the_retry_after()
    {
        using var host = new AgbTestHost().Answer(
            """{"success":false,"code":"Throttling","message":"slow down","data":{}}""", HttpStatusCode.TooManyRequests,
            r => r.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(3)));

        var error = await Assert.ThrowsAsync<AgentBayThrottledException>(() => host.Backend.GetSessionAsync("sid-1", CancellationToken.None));

        Assert.Equal(TimeSpan.FromSeconds(3), error.RetryAfter);
    }

    [Fact]
    public async Task A_body_that_is_not_an_envelope_is_a_protocol_error_with_an_excerpt()
    {
        using var host = new AgbTestHost().Answer("<html>bad gateway</html>", HttpStatusCode.BadGateway);

        var error = await Assert.ThrowsAsync<AgentBayProtocolException>(() => host.Backend.GetSessionAsync("sid-1", CancellationToken.None));

        Assert.Contains("bad gateway", error.BodyExcerpt, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadGateway, error.StatusCode);
    }
}
