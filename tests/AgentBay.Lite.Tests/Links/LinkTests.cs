using AgentBay.Lite.Backend;

namespace AgentBay.Lite.Tests;

public class LinkTests
{
    private readonly TestClient _test = new();

    [Fact]
    public async Task Client_GetLinkAsync_maps_the_link()
    {
        _test.Backend.GetLinkAsync("s1", LinkRequest.Https(30150), Arg.Any<CancellationToken>())
            .Returns(new LinkRecord(new Uri("https://gw.example.com:8008/request_ai/tok/path/"), "REQ-9"));
        _test.Clock.Advance(TimeSpan.FromSeconds(42));

        SessionLink link = await _test.Client.GetLinkAsync("s1", LinkRequest.Https(30150));

        Assert.Equal(new Uri("https://gw.example.com:8008/request_ai/tok/path/"), link.Url);
        Assert.Equal(LinkRequest.Https(30150), link.Request);
        Assert.Equal("s1", link.SessionId);
        Assert.Equal("REQ-9", link.RequestId);
        Assert.Equal(_test.Clock.GetUtcNow(), link.RetrievedAt);
        Assert.Equal("https://gw.example.com:8008/request_ai/***/path/", link.ToString());
    }

    [Fact]
    public async Task Session_GetLinkAsync_asks_for_its_own_session()
    {
        LinkRequest? sent = null;
        _test.Backend.GetLinkAsync(TestClient.SessionId, Arg.Do<LinkRequest>(r => sent = r), Arg.Any<CancellationToken>())
            .Returns(new LinkRecord(new Uri("wss://gw.example.com/websocket_ai/t"), null));

        SessionLink link = await _test.Session().GetLinkAsync(LinkRequest.Wss(30180));

        Assert.Equal(LinkRequest.Wss(30180), sent);
        Assert.Equal(TestClient.SessionId, link.SessionId);
        Assert.Null(link.RequestId);
    }

    [Fact]
    public async Task Session_GetLinkAsync_rejects_a_null_request()
    {
        await Assert.ThrowsAsync<ArgumentNullException>(() => _test.Session().GetLinkAsync(null!).AsTask());
    }

    [Fact]
    public async Task A_server_refusal_carries_the_servers_code_and_message()
    {
        _test.Backend.GetLinkAsync("s1", LinkRequest.Cdp, Arg.Any<CancellationToken>()).Returns<LinkRecord>(_ => throw new AgentBayException(
            "refused", "InvalidParameter", "no port specified, cdp default, but only BrowserUse image support cdp", "r", System.Net.HttpStatusCode.BadRequest));

        var ex = await Assert.ThrowsAsync<AgentBayException>(() => _test.Client.GetLinkAsync("s1", LinkRequest.Cdp).AsTask());

        Assert.Equal("InvalidParameter", ex.Code);
        Assert.Contains("BrowserUse", ex.ServerMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_the_cache_off_every_link_request_reaches_the_service()
    {
        var test = new TestClient(o => o.LinkCache.Enabled = false);
        test.Backend.GetLinkAsync("s1", LinkRequest.Cdp, Arg.Any<CancellationToken>())
            .Returns(new LinkRecord(new Uri("wss://a/"), "r1"), new LinkRecord(new Uri("wss://b/"), "r2"));

        SessionLink first = await test.Client.GetLinkAsync("s1", LinkRequest.Cdp);
        SessionLink second = await test.Client.GetLinkAsync("s1", LinkRequest.Cdp);

        Assert.Equal(new Uri("wss://a/"), first.Url);
        Assert.Equal(new Uri("wss://b/"), second.Url);
        Assert.Equal(default, test.Client.GetLinkCacheStatistics());
        await test.Backend.Received(2).GetLinkAsync("s1", LinkRequest.Cdp, Arg.Any<CancellationToken>());
    }
}
