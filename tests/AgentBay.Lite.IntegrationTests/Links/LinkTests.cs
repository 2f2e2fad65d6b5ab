using AgentBay.Lite.Emulator;

namespace AgentBay.Lite.IntegrationTests.Links;

/// <summary>GetLinkAsync, RefreshLinkAsync, GetLinksAsync and StreamLinksAsync on the session and on the client.</summary>
public abstract class LinkTests(EmulatorFixture fixture, TestService service) : IClassFixture<EmulatorFixture>
{
    [Fact]
    public async Task Cdp_link_of_a_browser_session_is_a_websocket_url_resolving_to_the_session()
    {
        await using var client = fixture.CreateClient(service);
        await using AgentBaySession session = await client.CreateSessionAsync(new CreateSessionOptions { ImageId = service.BrowserImage });

        SessionLink link = await session.GetLinkAsync(LinkRequest.Cdp);

        string token = AssertShape(link.Url, "ws", "/websocket_ai/", "");
        Assert.Equal(session.Id, fixture.Emulator.ResolveLinkToken(token));
        Assert.Equal(LinkRequest.Cdp, link.Request);
        Assert.Equal(session.Id, link.SessionId);
        Assert.False(string.IsNullOrEmpty(link.RequestId));
        Assert.Equal(link.Url.GetLeftPart(UriPartial.Authority) + "/websocket_ai/***", link.ToString()); // the token is a secret
    }

    [Fact]
    public async Task Https_link_is_a_request_ai_url_resolving_to_the_session()
    {
        await using var client = fixture.CreateClient(service);
        await using AgentBaySession session = await client.CreateSessionAsync();

        SessionLink link = await session.GetLinkAsync(LinkRequest.Https(30150));

        string token = AssertShape(link.Url, "http", "/request_ai/", "/path/");
        Assert.Equal(session.Id, fixture.Emulator.ResolveLinkToken(token));
        Assert.Equal(LinkRequest.Https(30150), link.Request);
    }

    [Fact]
    public async Task Wss_link_is_a_websocket_url_resolving_to_the_session()
    {
        await using var client = fixture.CreateClient(service);
        await using AgentBaySession session = await client.CreateSessionAsync();

        SessionLink link = await client.GetLinkAsync(session.Id, LinkRequest.Wss(30180));

        string token = AssertShape(link.Url, "ws", "/websocket_ai/", "");
        Assert.Equal(session.Id, fixture.Emulator.ResolveLinkToken(token));
        Assert.Equal(LinkRequest.Wss(30180), link.Request);
        Assert.Equal(session.Id, link.SessionId);
    }

    [Fact]
    public async Task Every_distinct_link_gets_its_own_token()
    {
        await using var client = fixture.CreateClient(service);
        await using AgentBaySession session = await client.CreateSessionAsync();

        SessionLink a = await session.GetLinkAsync(LinkRequest.Https(30100));
        SessionLink b = await session.GetLinkAsync(LinkRequest.Https(30199));
        SessionLink c = await session.GetLinkAsync(LinkRequest.Wss(30100));

        Assert.Equal(3, new[] { a.Url, b.Url, c.Url }.Distinct().Count());
    }

    [Fact]
    public async Task RefreshLink_asks_the_service_again_and_the_new_link_replaces_the_cached_one()
    {
        await using var client = fixture.CreateClient(service);
        await using AgentBaySession session = await client.CreateSessionAsync();
        SessionLink first = await session.GetLinkAsync(LinkRequest.Https(30150));
        long calls = fixture.Emulator.GetRequestCount("GetLink");

        SessionLink refreshed = await session.RefreshLinkAsync(LinkRequest.Https(30150));
        SessionLink viaClient = await client.RefreshLinkAsync(session.Id, LinkRequest.Https(30150));
        SessionLink cached = await session.GetLinkAsync(LinkRequest.Https(30150));

        Assert.Equal(calls + 2, fixture.Emulator.GetRequestCount("GetLink"));
        Assert.NotEqual(first.Url, refreshed.Url);
        Assert.NotEqual(refreshed.Url, viaClient.Url);
        Assert.Equal(session.Id, fixture.Emulator.ResolveLinkToken(refreshed.Url.Segments[2].TrimEnd('/')));
        Assert.Same(viaClient, cached);
    }

    [Fact]
    public async Task Session_GetLinksAsync_returns_one_result_per_request_in_input_order()
    {
        await using var client = fixture.CreateClient(service);
        await using AgentBaySession session = await client.CreateSessionAsync(new CreateSessionOptions { ImageId = service.BrowserImage });
        LinkRequest[] requests = [LinkRequest.Wss(30180), LinkRequest.Cdp, LinkRequest.Https(30150), LinkRequest.Https(30151)];

        IReadOnlyList<LinkResult> results = await session.GetLinksAsync(requests);

        Assert.Equal(requests, results.Select(r => r.Request));
        Assert.All(results, r =>
        {
            Assert.True(r.Succeeded, r.ToString());
            Assert.Null(r.Error);
            Assert.Equal(session.Id, r.SessionId);
            Assert.Equal(session.Id, fixture.Emulator.ResolveLinkToken(TokenOf(r.Link.Url)));
            Assert.Same(r.Link, r.GetLinkOrThrow());
        });
    }

    [Fact]
    public async Task Duplicates_in_one_batch_are_fetched_once()
    {
        await using var client = fixture.CreateClient(service);
        await using AgentBaySession session = await client.CreateSessionAsync();
        long calls = fixture.Emulator.GetRequestCount("GetLink");

        IReadOnlyList<LinkResult> results = await session.GetLinksAsync(
            [LinkRequest.Https(30150), LinkRequest.Wss(30150), LinkRequest.Https(30150), LinkRequest.Https(30150)]);

        Assert.Equal(calls + 2, fixture.Emulator.GetRequestCount("GetLink"));
        Assert.Equal(4, results.Count);
        Assert.Same(results[0].Link, results[2].Link);
        Assert.Same(results[0].Link, results[3].Link);
        Assert.NotEqual(results[0].Link!.Url, results[1].Link!.Url);
    }

    [Fact]
    public async Task StreamLinks_yields_every_result_once_on_the_session_and_on_the_client()
    {
        await using var client = fixture.CreateClient(service);
        await using AgentBaySession a = await client.CreateSessionAsync();
        await using AgentBaySession b = await client.CreateSessionAsync();

        var fromSession = new List<LinkResult>();
        await foreach (LinkResult result in a.StreamLinksAsync([LinkRequest.Https(30150), LinkRequest.Wss(30180)], new FanOutOptions { MaxConcurrency = 1 }))
        {
            fromSession.Add(result);
        }

        LinkTarget[] requests = [new(a.Id, LinkRequest.Https(30160)), new(b.Id, LinkRequest.Https(30160)), new(b.Id, LinkRequest.Cdp)];
        var fromClient = new List<LinkResult>();
        await foreach (LinkResult result in client.StreamLinksAsync(requests))
        {
            fromClient.Add(result);
        }

        Assert.Equal(
            new HashSet<LinkRequest> { LinkRequest.Https(30150), LinkRequest.Wss(30180) },
            fromSession.Select(r => r.Request).ToHashSet());
        Assert.All(fromSession, r => Assert.Equal(a.Id, fixture.Emulator.ResolveLinkToken(TokenOf(r.GetLinkOrThrow().Url))));

        Assert.Equal(3, fromClient.Count);
        LinkResult cdp = Assert.Single(fromClient, r => r.Request == LinkRequest.Cdp);
        Assert.False(cdp.Succeeded);
        Assert.Equal("InvalidOperation.CdpUnsupportedImage", Assert.IsAssignableFrom<AgentBayException>(cdp.Error).Code);
        Assert.Equal(b.Id, cdp.SessionId);
        Assert.Equal(a.Id, fixture.Emulator.ResolveLinkToken(TokenOf(Assert.Single(fromClient, r => r.SessionId == a.Id).GetLinkOrThrow().Url)));
        Assert.Equal(b.Id, fixture.Emulator.ResolveLinkToken(TokenOf(Assert.Single(fromClient, r => r.SessionId == b.Id && r.Succeeded).Link!.Url)));
    }

    [Fact]
    public async Task Leaving_a_stream_early_stops_the_batch()
    {
        await using var client = fixture.CreateClient(service);
        await using AgentBaySession session = await client.CreateSessionAsync();
        var requests = Enumerable.Range(LinkPortRange.Default.Min, 100).Select(p => (LinkRequest)LinkRequest.Https(p)).ToArray();
        long before = fixture.Emulator.GetRequestCount("GetLink");

        // With 100 ms per GetLink and 4 at a time, fetching all 100 would take 25 rounds; leaving after the first
        // result must stop after about two.
        fixture.Emulator.SetLatency(new LatencyProfile(TimeSpan.FromMilliseconds(100)), "GetLink");
        LinkResult? first = null;
        try
        {
            await foreach (LinkResult result in session.StreamLinksAsync(requests, new FanOutOptions { MaxConcurrency = 4 }))
            {
                first = result;
                break;
            }
        }
        finally
        {
            fixture.Emulator.ClearInjections();
        }

        Assert.NotNull(first);
        Assert.True(first.Succeeded, first.ToString());
        long sent = fixture.Emulator.GetRequestCount("GetLink") - before;
        Assert.InRange(sent, 1, 99);
    }

    /// <summary>Checks scheme, host (the emulator's), path prefix and suffix; returns the token between them.</summary>
    private string AssertShape(Uri url, string scheme, string prefix, string suffix)
    {
        Assert.Equal(scheme, url.Scheme);
        Assert.Equal(fixture.Emulator.HostAndPort, url.Authority);
        string path = url.AbsolutePath;
        Assert.StartsWith(prefix, path, StringComparison.Ordinal);
        Assert.EndsWith(suffix, path, StringComparison.Ordinal);
        string token = path[prefix.Length..^suffix.Length];
        Assert.Matches("^[A-Za-z0-9_-]{16,}$", token);
        return token;
    }

    internal static string TokenOf(Uri url) => url.Segments[2].TrimEnd('/');
}

/// <summary>The suite above against AgentBay (the emulator's RPC face).</summary>
public sealed class AgentBayLinkTests(EmulatorFixture fixture) : LinkTests(fixture, TestService.AgentBay);

/// <summary>The suite above against AGB (the emulator's REST face).</summary>
public sealed class AgbLinkTests(EmulatorFixture fixture) : LinkTests(fixture, TestService.Agb);
