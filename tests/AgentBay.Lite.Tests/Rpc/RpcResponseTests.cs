using System.Net;
using AgentBay.Lite.Backend;

namespace AgentBay.Lite.Tests.Rpc;

/// <summary>
/// How the RPC backend reads answers: the envelope, tolerantly (at least as tolerant as observed-client.md §5 shows the
/// official SDK to be), and every failure shape of agentbay-rpc.md §2.2 as a typed exception.
/// </summary>
public sealed class RpcResponseTests
{
    [Fact]
    public async Task CreateMcpSession_reads_the_session_and_treats_empty_strings_as_absent()
    {
        using var host = new RpcTestHost().Answer("""
            {"RequestId":"DAD825FE-2CD8-19C8-BB30-CC3BA26B9398","Success":true,"Code":"ok","Message":"","HttpStatusCode":200,
             "Data":{"SessionId":"session-04bdwfj7u688ec96t","Success":true,"ResourceUrl":"https://res.example/s","ResourceId":"p-0abc123",
                     "AppInstanceId":"ai-0abc123","Token":"","LinkUrl":"","ToolList":"[]","HttpPort":"","VpcResource":false}}
            """);

        var created = await host.Backend.CreateSessionAsync(new SessionCreation(null, null), CancellationToken.None);

        Assert.Empty(created.ToolServers!);
        Assert.Equal(
            new SessionRecord("session-04bdwfj7u688ec96t", "DAD825FE-2CD8-19C8-BB30-CC3BA26B9398", null, "https://res.example/s", "p-0abc123", "ai-0abc123", null, null, null, created.ToolServers),
            created);
    }

    [Fact]
    public async Task CreateMcpSession_reads_link_url_ws_url_token_and_the_tool_servers()
    {
        using var host = new RpcTestHost().Answer("""
            {"RequestId":"R","Success":true,"Code":"ok","HttpStatusCode":200,
             "Data":{"SessionId":"s-1","Success":true,"Token":"tok","LinkUrl":"https://example.com/link","WsUrl":"wss://example.com/ws",
                     "ToolList":"[{\"name\":\"run_code\",\"server\":\"wuying_codespace\"},{\"name\":\"shell\",\"server\":\"wuying_shell\"}]"}}
            """);

        var created = await host.Backend.CreateSessionAsync(new SessionCreation(null, null), CancellationToken.None);

        Assert.Equal("https://example.com/link", created.LinkUrl);
        Assert.Equal("wss://example.com/ws", created.WsUrl);
        Assert.Equal("tok", created.Token);
        Assert.Equal("wuying_codespace", created.ToolServers!["run_code"]);
        Assert.Equal("wuying_shell", created.ToolServers["shell"]);
    }

    [Fact]
    public async Task The_minimal_answer_the_official_sdk_accepts_is_enough()
    {
        using var host = new RpcTestHost().Answer("""{"Data":{"SessionId":"s-min"}}""");

        var created = await host.Backend.CreateSessionAsync(new SessionCreation(null, null), CancellationToken.None);

        Assert.Equal("s-min", created.SessionId);
        Assert.Null(created.RequestId);
    }

    [Fact]
    public async Task Data_sent_as_a_json_string_is_read_like_an_object()
    {
        using var host = new RpcTestHost().Answer("""{"Success":true,"Data":"{\"Url\":\"wss://gw.example/websocket_ai/abc\"}"}""");

        var link = await host.Backend.GetLinkAsync("s-1", LinkRequest.Wss(30180), CancellationToken.None);

        Assert.Equal(new Uri("wss://gw.example/websocket_ai/abc"), link.Url);
    }

    [Fact]
    public async Task Names_are_matched_case_insensitively_and_booleans_may_be_strings()
    {
        using var host = new RpcTestHost().Answer("""{"requestId":"r9","success":"True","data":{"url":"https://gw.example/request_ai/t/path/"}}""");

        var link = await host.Backend.GetLinkAsync("s-1", LinkRequest.Https(30150), CancellationToken.None);

        Assert.Equal("r9", link.RequestId);
        Assert.Equal("https", link.Url.Scheme);
    }

    [Fact]
    public async Task GetMcpResource_reads_desktop_info_and_keeps_object_connection_properties_as_json_text()
    {
        using var host = new RpcTestHost().Answer("""
            {"RequestId":"r1","Success":true,"Data":{"SessionId":"s-1","ResourceUrl":"https://res.example/s-1",
             "DesktopInfo":{"AppId":"app-1","AuthCode":"auth-1","ConnectionProperties":{"a":1},"ResourceId":"p-1","ResourceType":"AIAgent","Ticket":"t-1"}}}
            """);

        var resource = await host.Backend.GetResourceAsync("s-1", CancellationToken.None);

        Assert.Equal(new ResourceRecord("s-1", "r1", "https://res.example/s-1", "AIAgent", "p-1", "app-1", "auth-1", """{"a":1}""", "t-1"), resource);
    }

    [Fact]
    public async Task ListSession_reads_the_page_and_its_paging_fields()
    {
        using var host = new RpcTestHost().Answer("""
            {"Success":true,"NextToken":"token-page2","MaxResults":2,"TotalCount":"4",
             "Data":[{"SessionId":"session-a","SessionStatus":"RUNNING"},{"SessionId":"session-b","SessionStatus":"PAUSED"}]}
            """);

        var page = await host.Backend.ListSessionsAsync(new SessionListing(null, null, 2, null), CancellationToken.None);

        Assert.Equal([new SessionListItem("session-a", "RUNNING"), new SessionListItem("session-b", "PAUSED")], page.Items);
        Assert.Equal("token-page2", page.NextToken);
        Assert.Equal(4, page.TotalCount);
    }

    [Fact]
    public async Task ListSession_last_page_has_no_next_token()
    {
        using var host = new RpcTestHost().Answer("""{"Success":true,"NextToken":"","Data":[]}""");

        var page = await host.Backend.ListSessionsAsync(new SessionListing(null, null, 10, "t"), CancellationToken.None);

        Assert.Empty(page.Items);
        Assert.Null(page.NextToken);
    }

    [Fact]
    public async Task CallMcpTool_reads_the_first_content_text_and_the_error_flag()
    {
        using var host = new RpcTestHost().Answer("""
            {"RequestId":"r1","Success":true,"Data":{"content":[{"type":"text","text":"{\"errorCode\":1,\"stderr\":\"nope\"}"}],"isError":true}}
            """);

        var result = await host.Backend.CallToolAsync("s-1", "shell", "{}", CancellationToken.None);

        Assert.Equal(new ToolResult(true, """{"errorCode":1,"stderr":"nope"}""", "r1"), result);
    }

    [Fact]
    public async Task Http_400_not_found_becomes_SessionNotFoundException_with_the_service_details()
    {
        using var host = new RpcTestHost().Answer(
            """{"RequestId":"1C3C0000-0000-0000-0000-000000000001","Success":false,"Code":"InvalidMcpSession.NotFound","Message":"  Resource [McpSession] is not found.","HttpStatusCode":400}""",
            HttpStatusCode.BadRequest);

        var error = await Assert.ThrowsAsync<SessionNotFoundException>(() => host.Backend.GetLinkAsync("session-gone", LinkRequest.Cdp, CancellationToken.None));

        Assert.Equal("session-gone", error.SessionId);
        Assert.Equal("InvalidMcpSession.NotFound", error.Code);
        Assert.Equal("Resource [McpSession] is not found.", error.ServerMessage);
        Assert.Equal("1C3C0000-0000-0000-0000-000000000001", error.RequestId);
        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Contains("session-gone", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lowercase_not_found_body_from_the_delete_poll_mock_is_recognised()
    {
        using var host = new RpcTestHost().Answer(
            """{"code":"InvalidMcpSession.NotFound","message":"Session not found","success":false,"httpStatusCode":400}""", HttpStatusCode.BadRequest);

        await Assert.ThrowsAsync<SessionNotFoundException>(() => host.Backend.GetSessionStatusAsync("s-1", CancellationToken.None));
    }

    [Fact]
    public async Task Http_200_with_success_false_is_an_error_carrying_code_and_message()
    {
        using var host = new RpcTestHost().Answer("""{"RequestId":"r2","Success":false,"Code":"QuotaExceeded","Message":"too many"}""");

        var error = await Assert.ThrowsAsync<AgentBayException>(() => host.Backend.CreateSessionAsync(new SessionCreation(null, null), CancellationToken.None));

        Assert.Equal(typeof(AgentBayException), error.GetType());
        Assert.Equal("QuotaExceeded", error.Code);
        Assert.Equal("too many", error.ServerMessage);
        Assert.Equal("r2", error.RequestId);
        Assert.Contains("[QuotaExceeded] too many", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refusal_of_get_link_is_an_error_even_though_the_official_sdk_calls_it_success()
    {
        using var host = new RpcTestHost().Answer(
            """{"RequestId":"r3","Success":false,"Code":"InvalidParameter","Message":"no port specified, cdp default, but only BrowserUse image support cdp","HttpStatusCode":400}""",
            HttpStatusCode.BadRequest);

        var error = await Assert.ThrowsAsync<AgentBayException>(() => host.Backend.GetLinkAsync("s-1", LinkRequest.Cdp, CancellationToken.None));

        Assert.Equal("no port specified, cdp default, but only BrowserUse image support cdp", error.ServerMessage);
        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
    }

    [Fact]
    public async Task Creation_failure_inside_data_is_an_error()
    {
        using var host = new RpcTestHost().Answer("""{"RequestId":"r4","Success":true,"Data":{"SessionId":"s","Success":false,"ErrMsg":"boom"}}""");

        var error = await Assert.ThrowsAsync<AgentBayException>(() => host.Backend.CreateSessionAsync(new SessionCreation(null, null), CancellationToken.None));

        Assert.Equal("boom", error.ServerMessage);
        Assert.Equal("r4", error.RequestId);
    }

    [Theory]
    [InlineData("NOT_LOGIN", HttpStatusCode.BadRequest)]
    [InlineData("InvalidApiKey", HttpStatusCode.BadRequest)]
    [InlineData(null, HttpStatusCode.Forbidden)]
    public async Task A_rejected_key_becomes_an_authentication_exception_that_says_what_to_check(string? code, HttpStatusCode status)
    {
        var codeJson = code is null ? "null" : $"\"{code}\"";
        using var host = new RpcTestHost().Answer($$"""{"RequestId":"r5","Code":{{codeJson}},"Message":"You are not logged in or your login token has expired"}""", status);

        var error = await Assert.ThrowsAsync<AgentBayAuthenticationException>(() => host.Backend.DeleteSessionAsync("s-1", CancellationToken.None));

        Assert.Equal(code, error.Code);
        Assert.Equal(status, error.StatusCode);
        Assert.Contains("ApiKey", error.Message, StringComparison.Ordinal);
        Assert.Contains("AGENTBAY_API_KEY", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Throttling_carries_the_retry_after_the_server_gave()
    {
        using var host = new RpcTestHost().Answer(
            """{"RequestId":"r6","Success":false,"Code":"Throttling.User","Message":"Request was denied due to user flow control."}""",
            HttpStatusCode.BadRequest,
            response => response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(3)));

        var error = await Assert.ThrowsAsync<AgentBayThrottledException>(() => host.Backend.GetLinkAsync("s-1", LinkRequest.Cdp, CancellationToken.None));

        Assert.Equal(TimeSpan.FromSeconds(3), error.RetryAfter);
        Assert.Equal("Throttling.User", error.Code);
    }

    [Fact]
    public async Task Http_429_without_a_readable_body_is_throttling_too()
    {
        using var host = new RpcTestHost().Answer("slow down", HttpStatusCode.TooManyRequests);

        var error = await Assert.ThrowsAsync<AgentBayThrottledException>(() => host.Backend.GetLinkAsync("s-1", LinkRequest.Cdp, CancellationToken.None));

        Assert.Null(error.RetryAfter);
        Assert.Equal(HttpStatusCode.TooManyRequests, error.StatusCode);
    }

    [Theory]
    [InlineData("<html><body>502 Bad Gateway</body></html>", HttpStatusCode.BadGateway, "502 Bad Gateway")]
    [InlineData("""{"RequestId":"r7","Success":tr""", HttpStatusCode.OK, "\"Success\":tr")]
    [InlineData("""{"Data":{"Url":42}}""", HttpStatusCode.OK, "\"Url\":42")]
    [InlineData("[1,2,3]", HttpStatusCode.OK, "[1,2,3]")]
    public async Task A_body_that_is_not_an_envelope_becomes_a_protocol_exception_with_an_excerpt(string body, HttpStatusCode status, string excerpt)
    {
        using var host = new RpcTestHost().Answer(body, status);

        var error = await Assert.ThrowsAsync<AgentBayProtocolException>(() => host.Backend.GetLinkAsync("s-1", LinkRequest.Cdp, CancellationToken.None));

        Assert.Equal(status, error.StatusCode);
        Assert.Contains(excerpt, error.BodyExcerpt, StringComparison.Ordinal);
        Assert.Contains(excerpt, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_empty_body_is_a_protocol_exception_that_says_so()
    {
        using var host = new RpcTestHost().Answer(string.Empty, HttpStatusCode.ServiceUnavailable);

        var error = await Assert.ThrowsAsync<AgentBayProtocolException>(() => host.Backend.GetLinkAsync("s-1", LinkRequest.Cdp, CancellationToken.None));

        Assert.Contains("empty body", error.Message, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, error.StatusCode);
    }

    [Fact]
    public async Task A_missing_data_where_one_is_required_is_a_protocol_exception()
    {
        using var host = new RpcTestHost().Answer("""{"RequestId":"r8","Success":true}""");

        var error = await Assert.ThrowsAsync<AgentBayProtocolException>(() => host.Backend.GetLinkAsync("s-1", LinkRequest.Cdp, CancellationToken.None));

        Assert.Equal("r8", error.RequestId);
        Assert.Contains("no Data", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"Success":true,"Data":{}}""")]
    [InlineData("""{"Success":true,"Data":{"Url":"not a url"}}""")]
    public async Task A_link_answer_without_an_absolute_url_is_a_protocol_exception(string body)
    {
        using var host = new RpcTestHost().Answer(body);

        await Assert.ThrowsAsync<AgentBayProtocolException>(() => host.Backend.GetLinkAsync("s-1", LinkRequest.Cdp, CancellationToken.None));
    }

    [Fact]
    public async Task A_created_session_without_an_id_is_a_protocol_exception()
    {
        using var host = new RpcTestHost().Answer("""{"Success":true,"Data":{}}""");

        await Assert.ThrowsAsync<AgentBayProtocolException>(() => host.Backend.CreateSessionAsync(new SessionCreation(null, null), CancellationToken.None));
    }

    [Fact]
    public async Task A_server_error_with_an_envelope_keeps_its_code_and_status()
    {
        using var host = new RpcTestHost().Answer("""{"RequestId":"r10","Code":"InternalError","Message":"oops"}""", HttpStatusCode.InternalServerError);

        var error = await Assert.ThrowsAsync<AgentBayException>(() => host.Backend.GetSessionAsync("s-1", CancellationToken.None));

        Assert.Equal("InternalError", error.Code);
        Assert.Equal(HttpStatusCode.InternalServerError, error.StatusCode);
    }
}
