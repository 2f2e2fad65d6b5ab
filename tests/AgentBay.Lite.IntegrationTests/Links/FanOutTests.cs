using AgentBay.Lite.Emulator;

namespace AgentBay.Lite.IntegrationTests.Links;

/// <summary>Batches of links against the emulator: counts on the wire, order, refusals in place, cancellation.</summary>
public abstract class FanOutTests(EmulatorFixture fixture, TestService service) : IClassFixture<EmulatorFixture>
{
    [Fact]
    public async Task A_thousand_distinct_links_over_ten_sessions_send_a_thousand_GetLinks_and_come_back_in_order()
    {
        await using var client = fixture.CreateClient(service);
        AgentBaySession[] sessions = await CreateSessionsAsync(client, 10);
        try
        {
            // 10 sessions x (50 HTTPS + 50 WSS ports) = 1,000 distinct links, interleaved across sessions.
            var requests = new List<LinkTarget>();
            for (int port = LinkPortRange.Default.Min; port < LinkPortRange.Default.Min + 50; port++)
            {
                foreach (AgentBaySession session in sessions)
                {
                    requests.Add(new LinkTarget(session.Id, LinkRequest.Https(port)));
                    requests.Add(new LinkTarget(session.Id, LinkRequest.Wss(port)));
                }
            }

            long before = fixture.Emulator.GetRequestCount("GetLink");

            IReadOnlyList<LinkResult> results = await client.GetLinksAsync(requests, new FanOutOptions { MaxConcurrency = 100 });

            Assert.Equal(1000, fixture.Emulator.GetRequestCount("GetLink") - before);
            Assert.Equal(1000, results.Count);
            for (int i = 0; i < requests.Count; i++)
            {
                LinkResult result = results[i];
                Assert.True(result.Succeeded, result.ToString());
                Assert.Equal(requests[i].SessionId, result.SessionId);
                Assert.Equal(requests[i].Request, result.Request);
                Assert.Equal(requests[i].SessionId, fixture.Emulator.ResolveLinkToken(LinkTests.TokenOf(result.Link.Url)));
                Assert.Equal(result.Request is LinkRequest.HttpsLink ? "http" : "ws", result.Link.Url.Scheme);
            }

            Assert.Equal(1000, results.Select(r => r.Link!.Url).Distinct().Count());
            Assert.Equal(1000, client.GetLinkCacheStatistics().Count);

            // The same batch again is answered from the cache.
            IReadOnlyList<LinkResult> again = await client.GetLinksAsync(requests, new FanOutOptions { MaxConcurrency = 100 });
            Assert.Equal(1000, fixture.Emulator.GetRequestCount("GetLink") - before);
            Assert.Equal(results.Select(r => r.Link), again.Select(r => r.Link));
        }
        finally
        {
            await DisposeAllAsync(sessions);
        }
    }

    [Fact]
    public async Task Refusals_are_reported_in_place_and_never_hide_the_other_links()
    {
        await using var client = fixture.CreateClient(service);
        await using AgentBaySession browser = await client.CreateSessionAsync(new CreateSessionOptions { ImageId = service.BrowserImage });
        await using AgentBaySession linux = await client.CreateSessionAsync(new CreateSessionOptions { ImageId = service.LinuxImage });
        AgentBaySession deleted = await client.CreateSessionAsync();
        await deleted.DisposeAsync();

        LinkTarget[] requests =
        [
            new LinkTarget(browser.Id, LinkRequest.Cdp),
            new LinkTarget(linux.Id, LinkRequest.Cdp),
            new LinkTarget(linux.Id, LinkRequest.Https(30150)),
            new LinkTarget(deleted.Id, LinkRequest.Https(30150)),
            new LinkTarget(browser.Id, LinkRequest.Wss(30180)),
            new LinkTarget(linux.Id, LinkRequest.Cdp),
            new LinkTarget(linux.Id, LinkRequest.Wss(30180)),
        ];
        // AGB asks for CDP links by an operation of its own (getCdpLink).
        long LinkRequests() => fixture.Emulator.GetRequestCount("GetLink")
            + (service.CdpOperation == "GetLink" ? 0 : fixture.Emulator.GetRequestCount(service.CdpOperation));
        long before = LinkRequests();

        IReadOnlyList<LinkResult> results = await client.GetLinksAsync(requests, new FanOutOptions { MaxConcurrency = 3 });

        Assert.Equal(6, LinkRequests() - before); // the duplicate CDP refusal is asked once
        Assert.Equal(requests.Select(r => (r.SessionId, r.Request)), results.Select(r => (r.SessionId, r.Request)));
        Assert.Equal([true, false, true, false, true, false, true], results.Select(r => r.Succeeded));

        var cdpRefusal = Assert.IsType<AgentBayException>(results[1].Error);
        Assert.Equal("InvalidOperation.CdpUnsupportedImage", cdpRefusal.Code);
        Assert.Contains("cdp", cdpRefusal.ServerMessage, StringComparison.OrdinalIgnoreCase);
        Assert.Same(cdpRefusal, results[5].Error);
        Assert.Equal(deleted.Id, Assert.IsType<SessionNotFoundException>(results[3].Error).SessionId);
        Assert.Throws<AgentBayException>(() => results[1].GetLinkOrThrow());
        Assert.Contains("InvalidOperation.CdpUnsupportedImage", results[1].ToString(), StringComparison.Ordinal);
        foreach (int i in new[] { 0, 2, 4, 6 })
        {
            Assert.Equal(requests[i].SessionId, fixture.Emulator.ResolveLinkToken(LinkTests.TokenOf(results[i].GetLinkOrThrow().Url)));
        }
    }

    [Fact]
    public async Task Cancelling_a_large_batch_reports_every_remaining_link_as_cancelled()
    {
        await using var client = fixture.CreateClient(service);
        AgentBaySession[] sessions = await CreateSessionsAsync(client, 10);
        fixture.Emulator.SetLatency(new LatencyProfile(TimeSpan.FromMilliseconds(50)), "GetLink");
        try
        {
            var requests = sessions
                .SelectMany(s => Enumerable.Range(LinkPortRange.Default.Min, 100).Select(p => new LinkTarget(s.Id, LinkRequest.Https(p))))
                .ToArray();
            using var cts = new CancellationTokenSource();
            long before = fixture.Emulator.GetRequestCount("GetLink");

            // Cancel as soon as the first link is in: the batch is well under way, and 50 ms per link at 10 at a time
            // leaves almost all of the 1,000 still to do.
            var results = new List<LinkResult>();
            await foreach (LinkResult result in client.StreamLinksAsync(requests, new FanOutOptions { MaxConcurrency = 10 }, cts.Token))
            {
                results.Add(result);
                if (results.Count == 1)
                {
                    await cts.CancelAsync();
                }
            }

            long sent = fixture.Emulator.GetRequestCount("GetLink") - before;
            Assert.Equal(1000, results.Count);
            Assert.Equal(1000, results.Select(r => (r.SessionId, r.Request)).Distinct().Count());
            List<LinkResult> cancelled = results.Where(r => !r.Succeeded).ToList();
            Assert.All(cancelled, r => Assert.IsAssignableFrom<OperationCanceledException>(r.Error));
            Assert.All(results.Where(r => r.Succeeded), r => Assert.Equal(r.SessionId, fixture.Emulator.ResolveLinkToken(LinkTests.TokenOf(r.Link!.Url))));
            Assert.True(sent < 1000, $"cancellation must stop new requests; {sent} were sent");
            Assert.Equal(1000 - results.Count(r => r.Succeeded), cancelled.Count);
            Assert.True(cancelled.Count >= 1000 - sent, $"every link never requested is reported cancelled ({cancelled.Count} cancelled, {sent} sent)");
        }
        finally
        {
            fixture.Emulator.ClearInjections();
            await DisposeAllAsync(sessions);
        }
    }

    [Fact]
    public async Task Cancelling_GetLinksAsync_mid_batch_returns_every_result_and_nothing_hangs()
    {
        await using var client = fixture.CreateClient(service);
        AgentBaySession[] sessions = await CreateSessionsAsync(client, 4);
        fixture.Emulator.SetLatency(new LatencyProfile(TimeSpan.FromMilliseconds(50)), "GetLink");
        try
        {
            var requests = sessions
                .SelectMany(s => Enumerable.Range(LinkPortRange.Default.Min, 100).Select(p => new LinkTarget(s.Id, LinkRequest.Wss(p))))
                .ToArray();
            using var cts = new CancellationTokenSource();
            long before = fixture.Emulator.GetRequestCount("GetLink");

            Task<IReadOnlyList<LinkResult>> batch = client.GetLinksAsync(requests, new FanOutOptions { MaxConcurrency = 8 }, cts.Token);
            await fixture.WaitForRequestsAsync("GetLink", before + 8);
            await cts.CancelAsync();
            IReadOnlyList<LinkResult> results = await batch.WaitAsync(TimeSpan.FromSeconds(30));

            long sent = fixture.Emulator.GetRequestCount("GetLink") - before;
            Assert.Equal(requests.Select(r => (r.SessionId, r.Request)), results.Select(r => (r.SessionId, r.Request)));
            Assert.True(sent < requests.Length, $"cancellation must stop new requests; {sent} were sent");
            Assert.All(results.Where(r => !r.Succeeded), r => Assert.IsAssignableFrom<OperationCanceledException>(r.Error));
            Assert.True(results.Count(r => !r.Succeeded) >= requests.Length - sent);
        }
        finally
        {
            fixture.Emulator.ClearInjections();
            await DisposeAllAsync(sessions);
        }
    }

    [Fact]
    public async Task An_invalid_batch_is_refused_before_anything_is_sent()
    {
        await using var client = fixture.CreateClient(service);
        long before = fixture.Emulator.GetRequestCount("GetLink");

        Assert.Throws<ArgumentException>(() => client.GetLinksAsync([null!]).GetAwaiter().GetResult());
        Assert.Throws<ArgumentOutOfRangeException>(() => client.GetLinksAsync([new LinkTarget("session-x", LinkRequest.Cdp)], new FanOutOptions { MaxConcurrency = 0 }).GetAwaiter().GetResult());

        Assert.Equal(before, fixture.Emulator.GetRequestCount("GetLink"));
        Assert.Empty(await client.GetLinksAsync([]));
    }

    private static async Task<AgentBaySession[]> CreateSessionsAsync(AgentBayClient client, int count) =>
        await Task.WhenAll(Enumerable.Range(0, count).Select(_ => client.CreateSessionAsync()));

    private static async Task DisposeAllAsync(IEnumerable<AgentBaySession> sessions) =>
        await Task.WhenAll(sessions.Select(s => s.DisposeAsync().AsTask()));
}

/// <summary>The <see cref="FanOutTests"/> suite against AgentBay (the emulator's RPC face).</summary>
public sealed class AgentBayFanOutTests(EmulatorFixture fixture) : FanOutTests(fixture, TestService.AgentBay);

/// <summary>The <see cref="FanOutTests"/> suite against AGB (the emulator's REST face).</summary>
public sealed class AgbFanOutTests(EmulatorFixture fixture) : FanOutTests(fixture, TestService.Agb);
