using System.Net;
using System.Text;
using AgentBay.Lite.Generators.Tests.Infrastructure;
using AgentBay.Lite.Http;
using Xunit;

namespace AgentBay.Lite.Generators.Tests;

/// <summary>Drives generated clients, compiled in memory, through a recording handler.</summary>
public sealed class BehaviourTests(CompiledClients clients) : IClassFixture<CompiledClients>, IDisposable
{
    private const string RpcClient = "Sample.Rpc.AgentBayRpcApiClient";
    private const string RestClient = "Sample.Rest.AgbRestApiClient";
    private const string Envelope = """{"RequestId":"r-1","Success":true,"Code":"ok","Message":"","HttpStatusCode":200,"Data":{"Url":"wss://link.example/ws"}}""";

    private readonly RecordingHandler _handler = new();

    [Fact]
    public async Task Rpc_form_request_is_exact_on_the_wire()
    {
        _handler.Respond = () => RecordingHandler.Json(HttpStatusCode.OK, Envelope);
        object request = GetLinkRequest();

        object? response = await CompiledClients.InvokeForResult(Rpc(), "GetLinkAsync", request, CancellationToken.None);

        RecordedRequest sent = Assert.Single(_handler.Requests);
        Assert.Equal(HttpMethod.Post, sent.Method);
        Assert.Equal("/?Format=json&Version=2025-05-06&Action=GetLink", sent.Uri.PathAndQuery);
        Assert.Equal("2025-05-06", sent.Headers["x-acs-version"]);
        Assert.Equal("GetLink", sent.Headers["x-acs-action"]);
        Assert.Equal("yes", sent.Headers["x-prepared"]); // PrepareRequest ran after the request was built
        Assert.Equal("application/x-www-form-urlencoded", sent.ContentType);
        Assert.Equal(
            "Authorization=Bearer%20akm-key&SessionId=s-1&ProtocolType=Wss&Option=a%20b%2Bc&IsVpc=true&Ratio=0.5"
            + "&Labels=%7B%22team%22%3A%22a%20b%22%7D",
            sent.BodyText);

        Assert.Equal(HttpStatusCode.OK, CompiledClients.Get(response, "StatusCode"));
        Assert.Equal("wss://link.example/ws", CompiledClients.Get(response, "Content.Data.Url"));
        Assert.Null(CompiledClients.Get(response, "ContentError"));
        Assert.Equal(string.Empty, CompiledClients.Get(response, "BodyExcerpt")); // a 2xx body that was read needs no excerpt
    }

    [Fact]
    public async Task Form_values_are_escaped_like_EscapeDataString()
    {
        const string tricky = "ü é/?&=+ ~._-😀";
        object request = clients.New("Sample.Rpc.GetLinkRequest", ("Authorization", tricky), ("Port", 30100), ("IsVpc", false));

        await CompiledClients.InvokeForResult(Rpc(), "GetLinkAsync", request, CancellationToken.None);

        Assert.Equal("Authorization=" + Uri.EscapeDataString(tricky) + "&Port=30100&IsVpc=false&Ratio=0", Assert.Single(_handler.Requests).BodyText);
    }

    [Fact]
    public async Task Query_bound_parameter_goes_after_the_constants()
    {
        _handler.Respond = () => RecordingHandler.Json(HttpStatusCode.OK, Envelope);
        object request = clients.New("Sample.Rpc.RpcRequest", ("Authorization", "Bearer k"));

        object? envelope = await CompiledClients.InvokeForResult(Rpc(), "GetSessionDetailAsync", "s 1", request, CancellationToken.None);

        RecordedRequest sent = Assert.Single(_handler.Requests);
        Assert.Equal("/?Format=json&Version=2025-05-06&Action=GetSessionDetail&SessionId=s%201", sent.Uri.PathAndQuery);
        Assert.Equal("Authorization=Bearer%20k", sent.BodyText);
        Assert.Equal("r-1", CompiledClients.Get(envelope, "RequestId"));
    }

    [Fact]
    public async Task ApiResponse_on_400_reads_the_envelope()
    {
        const string error = """{"RequestId":"r-2","Success":false,"Code":"InvalidMcpSession.NotFound","Message":"gone","HttpStatusCode":400}""";
        _handler.Respond = () => RecordingHandler.Json(HttpStatusCode.BadRequest, error);

        object? response = await CompiledClients.InvokeForResult(Rpc(), "GetLinkAsync", GetLinkRequest(), CancellationToken.None);

        Assert.Equal(HttpStatusCode.BadRequest, CompiledClients.Get(response, "StatusCode"));
        Assert.Equal(false, CompiledClients.Get(response, "IsSuccessStatusCode"));
        Assert.Equal("InvalidMcpSession.NotFound", CompiledClients.Get(response, "Content.Code"));
        Assert.Null(CompiledClients.Get(response, "ContentError"));
        Assert.Equal(error, CompiledClients.Get(response, "BodyExcerpt"));
    }

    [Fact]
    public async Task ApiResponse_on_html_has_a_content_error_and_a_short_excerpt()
    {
        string html = "<html><body>" + new string('x', 400) + "</body></html>";
        _handler.Respond = () =>
        {
            var response = new HttpResponseMessage(HttpStatusCode.BadGateway) { Content = new StringContent(html, Encoding.UTF8, "text/html") };
            response.Headers.TryAddWithoutValidation("x-request-id", "gw-1");
            return response;
        };

        object? response = await CompiledClients.InvokeForResult(Rpc(), "GetLinkAsync", GetLinkRequest(), CancellationToken.None);

        Assert.Equal(HttpStatusCode.BadGateway, CompiledClients.Get(response, "StatusCode"));
        Assert.Null(CompiledClients.Get(response, "Content"));
        Assert.Contains("not valid JSON", (string)CompiledClients.Get(response, "ContentError")!, StringComparison.Ordinal);
        Assert.Equal(html[..256], CompiledClients.Get(response, "BodyExcerpt")); // the documented cap is 256 characters
        var headers = (System.Net.Http.Headers.HttpResponseHeaders)CompiledClients.Get(response, "Headers")!;
        Assert.Equal("gw-1", headers.GetValues("x-request-id").Single());
    }

    [Fact]
    public async Task ApiResponse_on_empty_body_says_so()
    {
        _handler.Respond = () => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { Content = new ByteArrayContent([]) };

        object? response = await CompiledClients.InvokeForResult(Rpc(), "GetLinkAsync", GetLinkRequest(), CancellationToken.None);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, CompiledClients.Get(response, "StatusCode"));
        Assert.Null(CompiledClients.Get(response, "Content"));
        Assert.Contains("empty", (string)CompiledClients.Get(response, "ContentError")!, StringComparison.Ordinal);
        Assert.Equal(string.Empty, CompiledClients.Get(response, "BodyExcerpt"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ApiResponse_on_oversized_body_is_not_read(bool lengthKnown)
    {
        byte[] big = Encoding.UTF8.GetBytes("{\"Code\":\"" + new string('a', HttpApiRuntime.MaxResponseBodyBytes) + "\"}");
        _handler.Respond = () => new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = lengthKnown ? new ByteArrayContent(big) : new StreamContent(new UnknownLengthStream(big)),
        };

        object? response = await CompiledClients.InvokeForResult(Rpc(), "GetLinkAsync", GetLinkRequest(), CancellationToken.None);

        Assert.Null(CompiledClients.Get(response, "Content"));
        Assert.Contains("4 MiB", (string)CompiledClients.Get(response, "ContentError")!, StringComparison.Ordinal);
        Assert.Equal(HttpApiRuntime.MaxBodyExcerptChars, ((string)CompiledClients.Get(response, "BodyExcerpt")!).Length);
    }

    [Fact]
    public async Task Body_exactly_at_the_limit_is_read()
    {
        string padding = new('a', HttpApiRuntime.MaxResponseBodyBytes - "{\"Code\":\"\"}".Length);
        byte[] body = Encoding.UTF8.GetBytes("{\"Code\":\"" + padding + "\"}");
        Assert.Equal(HttpApiRuntime.MaxResponseBodyBytes, body.Length);
        _handler.Respond = () => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(new UnknownLengthStream(body)) };

        object? response = await CompiledClients.InvokeForResult(Rpc(), "GetLinkAsync", GetLinkRequest(), CancellationToken.None);

        Assert.Null(CompiledClients.Get(response, "ContentError"));
        Assert.Equal(padding, CompiledClients.Get(response, "Content.Code"));
    }

    [Fact]
    public async Task TaskOfT_throws_ApiException_on_500()
    {
        _handler.Respond = () => RecordingHandler.Json(HttpStatusCode.InternalServerError, """{"Code":"InternalError"}""");
        object request = clients.New("Sample.Rpc.RpcRequest", ("Authorization", "Bearer k"));

        var ex = await Assert.ThrowsAsync<ApiException>(() => CompiledClients.Invoke(Rpc(), "GetSessionDetailAsync", "s-1", request, CancellationToken.None));

        Assert.Equal(HttpStatusCode.InternalServerError, ex.StatusCode);
        Assert.Equal("""{"Code":"InternalError"}""", ex.BodyExcerpt);
        Assert.Null(ex.ContentError);
        Assert.Equal(HttpMethod.Post, ex.RequestMethod);
        Assert.Contains("POST https://api.example/?Format=json", ex.Message, StringComparison.Ordinal);
        Assert.Contains("HTTP 500", ex.Message, StringComparison.Ordinal);
        Assert.Contains("InternalError", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TaskOfT_throws_ApiException_on_unreadable_2xx_body()
    {
        _handler.Respond = () => RecordingHandler.Json(HttpStatusCode.OK, "not json");
        object request = clients.New("Sample.Rpc.RpcRequest");

        var ex = await Assert.ThrowsAsync<ApiException>(() => CompiledClients.Invoke(Rpc(), "GetSessionDetailAsync", "s-1", request, CancellationToken.None));

        Assert.Equal(HttpStatusCode.OK, ex.StatusCode);
        Assert.Contains("not valid JSON", ex.ContentError, StringComparison.Ordinal);
        Assert.IsAssignableFrom<System.Text.Json.JsonException>(ex.InnerException);
        Assert.Equal("not json", ex.BodyExcerpt);
    }

    [Fact]
    public async Task Transport_failures_propagate_unchanged()
    {
        var failure = new HttpRequestException("connection refused");
        _handler.Throw = failure;

        var thrown = await Assert.ThrowsAsync<HttpRequestException>(() => CompiledClients.Invoke(Rpc(), "GetLinkAsync", GetLinkRequest(), CancellationToken.None));
        Assert.Same(failure, thrown);

        _handler.Throw = null;
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => CompiledClients.Invoke(Rpc(), "GetLinkAsync", GetLinkRequest(), cancelled.Token));
    }

    [Fact]
    public async Task Rest_get_with_query_and_authorization_header()
    {
        _handler.Respond = () => RecordingHandler.Json(HttpStatusCode.OK, """{"success":true,"data":{"url":"https://x"}}""");

        object? envelope = await CompiledClients.InvokeForResult(Rest(), "GetLinkAsync", "Bearer akm-1", "s ü+1", null, 30101, CancellationToken.None);

        RecordedRequest sent = Assert.Single(_handler.Requests);
        Assert.Equal(HttpMethod.Get, sent.Method);
        Assert.Equal("/internet/getLink?sessionId=s%20%C3%BC%2B1&port=30101", sent.Uri.PathAndQuery);
        Assert.Equal("Bearer akm-1", sent.Headers["authorization"]);
        Assert.Null(sent.Body);
        Assert.Equal(true, CompiledClients.Get(envelope, "Success"));
    }

    [Fact]
    public async Task Rest_post_sends_a_json_body()
    {
        _handler.Respond = () => RecordingHandler.Json(HttpStatusCode.OK, """{"success":true,"requestId":"q-1"}""");
        object request = Activator.CreateInstance(clients.Type("Sample.Rest.GetSessionRequest"), "s-1")!;

        object? response = await CompiledClients.InvokeForResult(Rest(), "GetSessionAsync", "Bearer akm-1", request, CancellationToken.None);

        RecordedRequest sent = Assert.Single(_handler.Requests);
        Assert.Equal(HttpMethod.Post, sent.Method);
        Assert.Equal("/mcp/getSession", sent.Uri.PathAndQuery);
        Assert.Equal("application/json; charset=utf-8", sent.ContentType);
        Assert.Equal("""{"sessionId":"s-1"}""", sent.BodyText);
        Assert.Equal("q-1", CompiledClients.Get(response, "Content.RequestId"));
    }

    [Fact]
    public async Task Rest_route_holes_enums_booleans_and_numeric_headers()
    {
        Type kind = clients.Type("Sample.Rest.ItemKind");

        await CompiledClients.InvokeForResult(Rest(), "GetItemAsync", "a b/c", 7L, Enum.ToObject(kind, 5), true, 42, CancellationToken.None);
        await CompiledClients.InvokeForResult(Rest(), "GetItemAsync", "x", -1L, Enum.ToObject(kind, 99), null, null, CancellationToken.None);

        Assert.Equal("/items/a%20b%2Fc/versions/7?kind=Fancy&verbose=true", _handler.Requests[0].Uri.PathAndQuery);
        Assert.Equal("42", _handler.Requests[0].Headers["x-trace"]);
        Assert.Equal("/items/x/versions/-1?kind=99", _handler.Requests[1].Uri.PathAndQuery);
        Assert.False(_handler.Requests[1].Headers.ContainsKey("x-trace"));
    }

    [Fact]
    public async Task Rest_literal_query_in_route_and_keyword_parameters()
    {
        await CompiledClients.InvokeForResult(Rest(), "PutClassAsync", "c", "e v", 1.5, CancellationToken.None);

        RecordedRequest sent = Assert.Single(_handler.Requests);
        Assert.Equal(HttpMethod.Put, sent.Method);
        Assert.Equal("/classes/c?mode=replace&event=e%20v&ratio=1.5", sent.Uri.PathAndQuery);
    }

    [Fact]
    public async Task Rest_task_without_result_succeeds_on_204_and_throws_on_404()
    {
        _handler.Respond = () => new HttpResponseMessage(HttpStatusCode.NoContent);
        await CompiledClients.Invoke(Rest(), "DeleteItemAsync", "i-1", CancellationToken.None);
        Assert.Equal(HttpMethod.Delete, _handler.Requests[0].Method);
        Assert.Equal("/items/i-1", _handler.Requests[0].Uri.PathAndQuery);

        _handler.Respond = () => RecordingHandler.Json(HttpStatusCode.NotFound, """{"code":"NotFound"}""");
        var ex = await Assert.ThrowsAsync<ApiException>(() => CompiledClients.Invoke(Rest(), "DeleteItemAsync", "i-1", CancellationToken.None));
        Assert.Equal(HttpStatusCode.NotFound, ex.StatusCode);
        Assert.Equal("""{"code":"NotFound"}""", ex.BodyExcerpt);
    }

    [Fact]
    public async Task Null_route_value_is_rejected_before_sending()
    {
        await Assert.ThrowsAsync<ArgumentNullException>(() => CompiledClients.Invoke(Rest(), "DeleteItemAsync", null, CancellationToken.None));
        Assert.Empty(_handler.Requests);
    }

    public void Dispose() => _handler.Dispose();

    private object Rpc() => clients.CreateClient(RpcClient, new HttpClient(_handler, disposeHandler: false) { BaseAddress = new Uri("https://api.example/") });

    private object Rest() => clients.CreateClient(RestClient, new HttpClient(_handler, disposeHandler: false) { BaseAddress = new Uri("https://api.example/") });

    private object GetLinkRequest()
    {
        Type labels = typeof(Dictionary<string, string>);
        var map = (Dictionary<string, string>)Activator.CreateInstance(labels)!;
        map["team"] = "a b";
        return clients.New(
            "Sample.Rpc.GetLinkRequest",
            ("Authorization", "Bearer akm-key"),
            ("SessionId", "s-1"),
            ("Port", null),
            ("ProtocolType", Enum.ToObject(clients.Type("Sample.Rpc.LinkProtocol"), 1)),
            ("Options", "a b+c"),
            ("IsVpc", true),
            ("Ratio", 0.5),
            ("Labels", map));
    }
}
