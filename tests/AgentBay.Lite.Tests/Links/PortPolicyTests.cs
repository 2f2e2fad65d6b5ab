using AgentBay.Lite.Backend;

namespace AgentBay.Lite.Tests.Links;

/// <summary>
/// Which ports links may be asked for is a client setting (AgentBayOptions.LinkPorts, 30100–30199 by default), checked
/// on every path before anything is sent.
/// </summary>
public sealed class PortPolicyTests
{
    [Fact]
    public async Task A_port_outside_the_default_range_is_refused_before_any_request_naming_the_setting()
    {
        var test = new TestClient();

        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => test.Client.GetLinkAsync("s1", LinkRequest.Https(30200)).AsTask());

        Assert.Contains("AgentBayOptions.LinkPorts", error.Message, StringComparison.Ordinal);
        Assert.Contains("30100-30199", error.Message, StringComparison.Ordinal);
        Assert.Equal(30200, error.ActualValue);
        Assert.Empty(test.Backend.ReceivedCalls());
    }

    [Fact]
    public async Task Every_path_checks_the_policy()
    {
        var test = new TestClient();
        AgentBaySession session = test.Session();
        LinkRequest outside = LinkRequest.Wss(8080);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => test.Client.RefreshLinkAsync("s1", outside).AsTask());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => session.GetLinkAsync(outside).AsTask());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => session.RefreshLinkAsync(outside).AsTask());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => session.GetLinksAsync([LinkRequest.Cdp, outside]));
        Assert.Throws<ArgumentOutOfRangeException>(() => session.StreamLinksAsync([outside]));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => test.Client.GetLinksAsync([new("s1", LinkRequest.Https(30150)), new("s1", outside)]));
        Assert.Throws<ArgumentOutOfRangeException>(() => test.Client.StreamLinksAsync([new("s1", outside)]));
        Assert.Empty(test.Backend.ReceivedCalls()); // a batch with one bad entry sends nothing at all
    }

    [Fact]
    public async Task An_account_with_more_open_ports_widens_the_range()
    {
        var test = new TestClient(o => o.LinkPorts = new LinkPortRange(30100, 30299));
        test.Backend.GetLinkAsync("s1", LinkRequest.Https(30250), Arg.Any<CancellationToken>())
            .Returns(new LinkRecord(new Uri("https://gw/request_ai/t/path/"), "r"));

        SessionLink link = await test.Client.GetLinkAsync("s1", LinkRequest.Https(30250));

        Assert.Equal(LinkRequest.Https(30250), link.Request);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => test.Client.GetLinkAsync("s1", LinkRequest.Https(30300)).AsTask());
    }

    [Fact]
    public async Task Any_leaves_the_decision_to_the_service()
    {
        var test = new TestClient(o => o.LinkPorts = LinkPortRange.Any);
        test.Backend.GetLinkAsync("s1", LinkRequest.Wss(1), Arg.Any<CancellationToken>()).Returns(new LinkRecord(new Uri("wss://gw/websocket_ai/t"), "r"));

        await test.Client.GetLinkAsync("s1", LinkRequest.Wss(1));

        await test.Backend.Received(1).GetLinkAsync("s1", LinkRequest.Wss(1), Arg.Any<CancellationToken>());
    }

    [Fact]
    public void Cdp_has_no_port_and_passes_any_policy()
    {
        var test = new TestClient(o => o.LinkPorts = new LinkPortRange(40000, 40000));

        test.Client.Services.Links.CheckPort(LinkRequest.Cdp, "request");
    }

    [Theory]
    [InlineData(0, 10)]
    [InlineData(10, 9)]
    [InlineData(1, 65536)]
    public void A_range_of_non_ports_cannot_be_built(int min, int max) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new LinkPortRange(min, max));

    [Fact]
    public void A_null_range_is_an_invalid_option_naming_it()
    {
        var error = Assert.Throws<ArgumentException>(() => new AgentBayClient(new AgentBayOptions { ApiKey = "akm-x", LinkPorts = null! }));

        Assert.Contains("AgentBayOptions.LinkPorts", error.Message, StringComparison.Ordinal);
    }
}
