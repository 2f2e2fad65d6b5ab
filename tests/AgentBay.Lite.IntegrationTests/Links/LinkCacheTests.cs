using AgentBay.Lite.Emulator;

namespace AgentBay.Lite.IntegrationTests.Links;

/// <summary>The link cache against the emulator: what reaches the service, read from its request counters.</summary>
public abstract class LinkCacheTests(EmulatorFixture fixture, TestService service) : IClassFixture<EmulatorFixture>
{
    [Fact]
    public async Task Stampede_1000_concurrent_GetLinkAsync_for_one_key_send_exactly_one_GetLink()
    {
        await using var client = fixture.CreateClient(service);
        await using AgentBaySession session = await client.CreateSessionAsync();
        long before = fixture.Emulator.GetRequestCount("GetLink");

        // The GetLink takes 300 ms, so the callers, released together on the thread pool, all arrive while it is in
        // flight: the cache must make them share it rather than each sending its own.
        fixture.Emulator.SetLatency(new LatencyProfile(TimeSpan.FromMilliseconds(300)), "GetLink");
        SessionLink[] links;
        try
        {
            var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Task<SessionLink>[] callers = Enumerable.Range(0, 1000)
                .Select(_ => Task.Run(async () =>
                {
                    await go.Task;
                    return await client.GetLinkAsync(session.Id, LinkRequest.Https(30150));
                }))
                .ToArray();
            go.SetResult();
            links = await Task.WhenAll(callers);
        }
        finally
        {
            fixture.Emulator.ClearInjections();
        }

        Assert.Equal(1, fixture.Emulator.GetRequestCount("GetLink") - before);
        Assert.All(links, link => Assert.Same(links[0], link));
        Assert.Equal(session.Id, fixture.Emulator.ResolveLinkToken(LinkTests.TokenOf(links[0].Url)));
        LinkCacheStatistics stats = client.GetLinkCacheStatistics();
        Assert.Equal(1000, stats.Hits + stats.Misses);
        Assert.True(stats.Misses > 1, $"the callers should have overlapped the fetch; {stats}");
        Assert.Equal(1, stats.Count);
    }

    [Fact]
    public async Task Repeated_gets_are_hits_and_send_nothing()
    {
        await using var client = fixture.CreateClient(service);
        await using AgentBaySession session = await client.CreateSessionAsync();
        SessionLink first = await session.GetLinkAsync(LinkRequest.Wss(30180));
        long before = fixture.Emulator.GetRequestCount("GetLink");
        LinkCacheStatistics start = client.GetLinkCacheStatistics();

        for (int i = 0; i < 50; i++)
        {
            ValueTask<SessionLink> pending = session.GetLinkAsync(LinkRequest.Wss(30180));
            Assert.True(pending.IsCompletedSuccessfully, "a cache hit completes synchronously");
            Assert.Same(first, await pending);
        }

        LinkCacheStatistics end = client.GetLinkCacheStatistics();
        Assert.Equal(before, fixture.Emulator.GetRequestCount("GetLink"));
        Assert.Equal(50, end.Hits - start.Hits);
        Assert.Equal(0, end.Misses - start.Misses);
    }

    [Fact]
    public async Task Session_and_client_share_one_cache_entry_per_link()
    {
        await using var client = fixture.CreateClient(service);
        await using AgentBaySession session = await client.CreateSessionAsync();
        long before = fixture.Emulator.GetRequestCount("GetLink");

        SessionLink viaSession = await session.GetLinkAsync(LinkRequest.Https(30150));
        SessionLink viaClient = await client.GetLinkAsync(session.Id, LinkRequest.Https(30150));
        IReadOnlyList<LinkResult> viaBatch = await session.GetLinksAsync([LinkRequest.Https(30150)]);

        Assert.Equal(1, fixture.Emulator.GetRequestCount("GetLink") - before);
        Assert.Same(viaSession, viaClient);
        Assert.Same(viaSession, viaBatch[0].Link);
    }

    [Fact]
    public async Task Deleting_a_session_drops_its_links_and_only_its_links()
    {
        await using var client = fixture.CreateClient(service);
        await using AgentBaySession kept = await client.CreateSessionAsync();
        AgentBaySession deleted = await client.CreateSessionAsync();
        await kept.GetLinkAsync(LinkRequest.Https(30150));
        await deleted.GetLinkAsync(LinkRequest.Https(30150));
        await deleted.GetLinkAsync(LinkRequest.Wss(30180));
        Assert.Equal(3, client.GetLinkCacheStatistics().Count);

        await client.DeleteSessionAsync(deleted.Id);

        Assert.Equal(1, client.GetLinkCacheStatistics().Count);
        long before = fixture.Emulator.GetRequestCount("GetLink");
        await kept.GetLinkAsync(LinkRequest.Https(30150));
        Assert.Equal(before, fixture.Emulator.GetRequestCount("GetLink")); // still cached

        // The next get for the deleted session goes to the service again, which says it is gone.
        await Assert.ThrowsAsync<SessionNotFoundException>(() => deleted.GetLinkAsync(LinkRequest.Https(30150)).AsTask());
        Assert.Equal(before + 1, fixture.Emulator.GetRequestCount("GetLink"));
    }

    [Fact]
    public async Task Disposing_a_session_drops_its_links()
    {
        await using var client = fixture.CreateClient(service);
        AgentBaySession session = await client.CreateSessionAsync();
        await session.GetLinkAsync(LinkRequest.Https(30150));
        long before = fixture.Emulator.GetRequestCount("GetLink");

        await session.DisposeAsync();

        Assert.Equal(0, client.GetLinkCacheStatistics().Count);
        await Assert.ThrowsAsync<SessionNotFoundException>(() => client.GetLinkAsync(session.Id, LinkRequest.Https(30150)).AsTask());
        Assert.Equal(before + 1, fixture.Emulator.GetRequestCount("GetLink"));
    }

    [Fact]
    public async Task A_refusal_is_not_cached_and_the_next_get_asks_again()
    {
        await using var client = fixture.CreateClient(service);
        await using AgentBaySession session = await client.CreateSessionAsync(new CreateSessionOptions { ImageId = service.LinuxImage });
        long before = fixture.Emulator.GetRequestCount(service.CdpOperation);

        await Assert.ThrowsAsync<AgentBayException>(() => session.GetLinkAsync(LinkRequest.Cdp).AsTask());
        await Assert.ThrowsAsync<AgentBayException>(() => session.GetLinkAsync(LinkRequest.Cdp).AsTask());

        Assert.Equal(2, fixture.Emulator.GetRequestCount(service.CdpOperation) - before);
        Assert.Equal(0, client.GetLinkCacheStatistics().Count);
    }

    [Fact]
    public async Task With_the_cache_disabled_every_get_is_sent()
    {
        await using var client = fixture.CreateClient(service, o => o.LinkCache.Enabled = false);
        await using AgentBaySession session = await client.CreateSessionAsync();
        long before = fixture.Emulator.GetRequestCount("GetLink");

        SessionLink a = await session.GetLinkAsync(LinkRequest.Https(30150));
        SessionLink b = await session.GetLinkAsync(LinkRequest.Https(30150));

        Assert.Equal(2, fixture.Emulator.GetRequestCount("GetLink") - before);
        Assert.NotEqual(a.Url, b.Url);
        Assert.Equal(default, client.GetLinkCacheStatistics());
    }
}

/// <summary>The suite above against AgentBay (the emulator's RPC face).</summary>
public sealed class AgentBayLinkCacheTests(EmulatorFixture fixture) : LinkCacheTests(fixture, TestService.AgentBay);

/// <summary>The suite above against AGB (the emulator's REST face).</summary>
public sealed class AgbLinkCacheTests(EmulatorFixture fixture) : LinkCacheTests(fixture, TestService.Agb);
