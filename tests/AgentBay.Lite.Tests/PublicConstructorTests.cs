using System.Net;
using AgentBay.Lite.Tests.Rpc;

namespace AgentBay.Lite.Tests;

/// <summary>The public constructor end to end: options → owned HttpClient → RPC backend → in-memory handler.</summary>
public class PublicConstructorTests
{
    [Fact]
    public async Task A_client_built_from_options_posts_to_the_endpoint_root_with_the_key()
    {
        var handler = new RecordingHandler();
        handler.Responses.Enqueue((HttpStatusCode.OK, """{"RequestId":"R1","Success":true,"Code":"ok","HttpStatusCode":200,"Data":{"Url":"wss://gw.example.test/websocket_ai/t"}}""", null));
        var options = new AgentBayOptions
        {
            ApiKey = "akm-e2e",
            Endpoint = new Uri("http://127.0.0.1:18090"),
            HttpMessageHandler = handler,
        };

        SessionLink link;
        await using (var client = new AgentBayClient(options))
        {
            link = await client.GetLinkAsync("s-0001", LinkRequest.Wss(30180));
        }

        RecordedRequest request = Assert.Single(handler.Requests);
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("http://127.0.0.1:18090/", request.Uri.GetLeftPart(UriPartial.Path));
        Assert.Equal("GetLink", request.QueryValue("Action"));
        Assert.Contains(new KeyValuePair<string, string>("Authorization", "Bearer akm-e2e"), request.Form);
        Assert.Contains(new KeyValuePair<string, string>("Port", "30180"), request.Form);
        Assert.Equal(new Uri("wss://gw.example.test/websocket_ai/t"), link.Url);
        Assert.Equal("R1", link.RequestId);
    }

    [Fact]
    public async Task A_supplied_http_client_without_a_base_address_gets_the_endpoint()
    {
        var handler = new RecordingHandler();
        handler.Responses.Enqueue((HttpStatusCode.OK, """{"RequestId":"R2","Success":true,"Code":"ok","HttpStatusCode":200,"Data":{"SessionId":"s-0002"}}""", null));
        using var http = new HttpClient(handler);
        var options = new AgentBayOptions { ApiKey = "akm-e2e", Endpoint = new Uri("https://gw.example.test"), HttpClient = http };

        using (var client = new AgentBayClient(options))
        {
            AgentBaySession session = await client.CreateSessionAsync();
            Assert.Equal("s-0002", session.Id);
        }

        Assert.Equal(new Uri("https://gw.example.test/"), http.BaseAddress);
        Assert.Equal("https://gw.example.test/", Assert.Single(handler.Requests).Uri.GetLeftPart(UriPartial.Path));
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/")).StatusCode); // still usable: not disposed by the client
    }
}
