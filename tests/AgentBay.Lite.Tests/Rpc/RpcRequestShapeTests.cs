using System.Text.RegularExpressions;
using AgentBay.Lite.Backend;

namespace AgentBay.Lite.Tests.Rpc;

/// <summary>
/// Every action's request on the wire, against golden values from agentbay-rpc.md §1 and §3 and the bytes the official
/// TypeScript SDK was observed to send (observed-client.md §3–4).
/// </summary>
public sealed partial class RpcRequestShapeTests
{
    private const string Ok = """{"RequestId":"R1","Success":true,"Code":"ok","Message":"","HttpStatusCode":200,"Data":{}}""";

    [Fact]
    public async Task CreateMcpSession_sends_image_labels_region_and_sdk_stats_as_form_fields()
    {
        using var host = new RpcTestHost(regionId: "cn-hangzhou")
            .Answer("""{"RequestId":"R1","Success":true,"Code":"ok","Data":{"SessionId":"session-04bdwfj7u688ec96t","Success":true}}""");

        await host.Backend.CreateSessionAsync(
            new SessionCreation("browser_latest", new Dictionary<string, string> { ["project"] = "demo env" }), CancellationToken.None);

        var request = host.Single;
        AssertCommon(request, "CreateMcpSession");
        var form = request.Form.ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal(["Authorization", "ImageId", "Labels", "LoginRegionId", "SdkStats"], form.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("Bearer akm-test-key", form["Authorization"]);
        Assert.Equal("browser_latest", form["ImageId"]);
        Assert.Equal("""{"project":"demo env"}""", form["Labels"]);
        Assert.Equal("cn-hangzhou", form["LoginRegionId"]);
        Assert.Matches("""^\{"source":"sdk","sdk_language":"csharp","sdk_version":"[0-9][^"]*","is_release":true,"framework":"AgentBay.Lite"\}$""", form["SdkStats"]);
        Assert.Contains("Labels=%7B%22project%22%3A%22demo%20env%22%7D", request.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateMcpSession_omits_unset_image_labels_and_region()
    {
        using var host = new RpcTestHost()
            .Answer("""{"RequestId":"R1","Success":true,"Data":{"SessionId":"session-04bdwfj7u688ec96t"}}""");

        await host.Backend.CreateSessionAsync(new SessionCreation(null, null), CancellationToken.None);

        Assert.Equal(["Authorization", "SdkStats"], host.Single.Form.Select(p => p.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task GetSession_sends_the_session_id_in_the_form()
    {
        using var host = new RpcTestHost().Answer("""{"Success":true,"Data":{"SessionId":"s-1","Status":"RUNNING"}}""");

        await host.Backend.GetSessionAsync("s-1", CancellationToken.None);

        AssertCommon(host.Single, "GetSession");
        AssertForm(host.Single, ("Authorization", "Bearer akm-test-key"), ("SessionId", "s-1"));
    }

    [Fact]
    public async Task GetSessionDetail_sends_the_session_id_in_the_query_and_only_the_key_in_the_form()
    {
        using var host = new RpcTestHost().Answer("""{"Success":true,"Data":{"Status":"RUNNING"}}""");

        await host.Backend.GetSessionStatusAsync("s-1", CancellationToken.None);

        AssertCommon(host.Single, "GetSessionDetail", extraQueryKeys: ["SessionId"]);
        Assert.Equal("s-1", host.Single.QueryValue("SessionId"));
        AssertForm(host.Single, ("Authorization", "Bearer akm-test-key"));
    }

    [Fact]
    public async Task ListSession_always_sends_labels_and_the_page_fields_that_are_set()
    {
        using var host = new RpcTestHost()
            .Answer("""{"Success":true,"Data":[],"NextToken":""}""")
            .Answer("""{"Success":true,"Data":[],"NextToken":""}""");

        await host.Backend.ListSessionsAsync(new SessionListing(null, null, 10, null), CancellationToken.None);
        await host.Backend.ListSessionsAsync(
            new SessionListing(new Dictionary<string, string> { ["project"] = "demo" }, "RUNNING", 5, "token-page2"), CancellationToken.None);

        AssertCommon(host.Handler.Requests[0], "ListSession");
        AssertForm(host.Handler.Requests[0], ("Authorization", "Bearer akm-test-key"), ("MaxResults", "10"), ("Labels", "{}"));
        AssertForm(
            host.Handler.Requests[1],
            ("Authorization", "Bearer akm-test-key"),
            ("MaxResults", "5"),
            ("Labels", """{"project":"demo"}"""),
            ("NextToken", "token-page2"),
            ("Status", "RUNNING"));
    }

    [Fact]
    public async Task DeleteSessionAsync_sends_the_session_id()
    {
        using var host = new RpcTestHost().Answer(Ok);

        await host.Backend.DeleteSessionAsync("s-1", CancellationToken.None);

        AssertCommon(host.Single, "DeleteSessionAsync");
        AssertForm(host.Single, ("Authorization", "Bearer akm-test-key"), ("SessionId", "s-1"));
    }

    [Fact]
    public async Task ReleaseMcpSession_sends_the_session_id()
    {
        using var host = new RpcTestHost().Answer(Ok);

        await host.Backend.ReleaseSessionAsync("s-1", CancellationToken.None);

        AssertCommon(host.Single, "ReleaseMcpSession");
        AssertForm(host.Single, ("Authorization", "Bearer akm-test-key"), ("SessionId", "s-1"));
    }

    [Fact]
    public async Task GetMcpResource_sends_the_session_id()
    {
        using var host = new RpcTestHost().Answer("""{"Success":true,"Data":{"SessionId":"s-1"}}""");

        await host.Backend.GetResourceAsync("s-1", CancellationToken.None);

        AssertCommon(host.Single, "GetMcpResource");
        AssertForm(host.Single, ("Authorization", "Bearer akm-test-key"), ("SessionId", "s-1"));
    }

    [Fact]
    public async Task GetLink_maps_each_link_request_to_the_documented_fields()
    {
        using var host = new RpcTestHost();
        for (var i = 0; i < 3; i++)
        {
            host.Answer("""{"Success":true,"Data":{"Url":"wss://gw.example/websocket_ai/t"}}""");
        }

        await host.Backend.GetLinkAsync("s-1", LinkRequest.Cdp, CancellationToken.None);
        await host.Backend.GetLinkAsync("s-1", LinkRequest.Https(30150), CancellationToken.None);
        await host.Backend.GetLinkAsync("s-1", LinkRequest.Wss(30180), CancellationToken.None);

        foreach (var request in host.Handler.Requests)
        {
            AssertCommon(request, "GetLink");
        }

        // Cdp: neither ProtocolType nor Port; Https: both; Wss: the port only, as the documentation calls it.
        AssertForm(host.Handler.Requests[0], ("Authorization", "Bearer akm-test-key"), ("SessionId", "s-1"));
        AssertForm(host.Handler.Requests[1], ("Authorization", "Bearer akm-test-key"), ("SessionId", "s-1"), ("ProtocolType", "https"), ("Port", "30150"));
        AssertForm(host.Handler.Requests[2], ("Authorization", "Bearer akm-test-key"), ("SessionId", "s-1"), ("Port", "30180"));
    }

    [Fact]
    public async Task CallMcpTool_sends_name_args_as_a_json_string_and_auto_gen_session_false()
    {
        using var host = new RpcTestHost().Answer("""{"Success":true,"Data":{"content":[{"type":"text","text":"ok"}],"isError":false}}""");

        await host.Backend.CallToolAsync("s-1", "shell", """{"command":"echo hi","timeout_ms":1000}""", CancellationToken.None);

        AssertCommon(host.Single, "CallMcpTool");
        AssertForm(
            host.Single,
            ("Authorization", "Bearer akm-test-key"),
            ("SessionId", "s-1"),
            ("Name", "shell"),
            ("Args", """{"command":"echo hi","timeout_ms":1000}"""),
            ("AutoGenSession", "false"));
        Assert.Contains("Args=%7B%22command%22%3A%22echo%20hi%22%2C%22timeout_ms%22%3A1000%7D", host.Single.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_call_gets_a_fresh_nonce()
    {
        using var host = new RpcTestHost().Answer(Ok).Answer(Ok);

        await host.Backend.DeleteSessionAsync("s-1", CancellationToken.None);
        await host.Backend.DeleteSessionAsync("s-1", CancellationToken.None);

        Assert.NotEqual(host.Handler.Requests[0].QueryValue("SignatureNonce"), host.Handler.Requests[1].QueryValue("SignatureNonce"));
    }

    [Fact]
    public async Task The_timestamp_follows_the_clock_from_one_second_to_the_next()
    {
        var clock = new FakeTimeProvider(TestClock.StartTime);
        using var host = new RpcTestHost(clock: clock).Answer(Ok).Answer(Ok).Answer(Ok);

        await host.Backend.DeleteSessionAsync("s-1", CancellationToken.None);
        clock.Advance(TimeSpan.FromMilliseconds(999));
        await host.Backend.DeleteSessionAsync("s-1", CancellationToken.None);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        await host.Backend.DeleteSessionAsync("s-1", CancellationToken.None);

        Assert.Equal(
            ["2026-11-21T12:00:00Z", "2026-11-21T12:00:00Z", "2026-11-21T12:00:01Z"],
            host.Handler.Requests.Select(r => r.QueryValue("Timestamp")));
    }

    [Fact]
    public async Task The_request_uri_is_resolved_against_the_endpoint()
    {
        using var host = new RpcTestHost().Answer(Ok);

        await host.Backend.DeleteSessionAsync("s-1", CancellationToken.None);

        Assert.Equal("https://wuyingai.example.test/", host.Single.Uri.GetLeftPart(UriPartial.Path));
        Assert.StartsWith("?Format=json&Version=2025-05-06&Action=DeleteSessionAsync&Timestamp=", host.Single.Uri.Query, StringComparison.Ordinal);
    }

    private static void AssertCommon(RecordedRequest request, string action, string[]? extraQueryKeys = null)
    {
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("/", request.Uri.AbsolutePath);

        string[] expectedKeys = ["Action", "Format", "SignatureNonce", "Timestamp", "Version", .. extraQueryKeys ?? []];
        Assert.Equal(expectedKeys.Order(StringComparer.Ordinal), request.Query.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal(action, request.QueryValue("Action"));
        Assert.Equal("json", request.QueryValue("Format"));
        Assert.Equal("2025-05-06", request.QueryValue("Version"));
        Assert.Equal("2026-11-21T15:59:16Z", request.QueryValue("Timestamp"));
        Assert.Matches(NonceShape(), request.QueryValue("SignatureNonce"));
        Assert.Contains("Timestamp=2026-11-21T15%3A59%3A16Z", request.Uri.Query, StringComparison.Ordinal);

        Assert.Equal("2025-05-06", request.Headers["x-acs-version"]);
        Assert.Equal(action, request.Headers["x-acs-action"]);
        Assert.StartsWith("AgentBay.Lite/", request.Headers["user-agent"], StringComparison.Ordinal);
        Assert.False(request.Headers.ContainsKey("authorization"), "the key travels in the form, never in a header");

        Assert.StartsWith("application/x-www-form-urlencoded", request.ContentType, StringComparison.Ordinal);
        Assert.DoesNotContain('+', request.Body);
        Assert.Contains("Authorization=Bearer%20akm-test-key", request.Body, StringComparison.Ordinal);
    }

    private static void AssertForm(RecordedRequest request, params (string Key, string Value)[] expected) =>
        Assert.Equal(
            expected.Select(e => new KeyValuePair<string, string>(e.Key, e.Value)).OrderBy(p => p.Key, StringComparer.Ordinal),
            request.Form.OrderBy(p => p.Key, StringComparer.Ordinal));

    [GeneratedRegex("^[0-9a-f]{32}$")]
    private static partial Regex NonceShape();
}
