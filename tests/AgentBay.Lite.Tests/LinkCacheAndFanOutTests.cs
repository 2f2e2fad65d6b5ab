using AgentBay.Lite.Backend;
using NSubstitute;
using NSubstitute.ExceptionExtensions;

namespace AgentBay.Lite.Tests;

/// <summary>The link cache and the batch (fan-out) methods, as the client uses them, on a substituted backend.</summary>
public sealed class LinkCacheAndFanOutTests
{
    private const string S1 = "session-aaaaaaaaaaaaaaaaa";
    private const string S2 = "session-bbbbbbbbbbbbbbbbb";

    [Fact]
    public async Task A_repeated_link_is_served_from_the_cache_without_a_call()
    {
        var test = new TestClient();
        AnswerLinks(test);

        SessionLink first = await test.Client.GetLinkAsync(S1, LinkRequest.Https(30150));
        SessionLink second = await test.Client.GetLinkAsync(S1, LinkRequest.Https(30150));

        Assert.Same(first, second);
        await test.Backend.Received(1).GetLinkAsync(S1, LinkRequest.Https(30150), Arg.Any<CancellationToken>());
        Assert.Equal(new LinkCacheStatistics(Hits: 1, Misses: 1, Evictions: 0, Count: 1), test.Client.GetLinkCacheStatistics());
    }

    [Fact]
    public async Task Different_sessions_and_requests_are_different_entries()
    {
        var test = new TestClient();
        AnswerLinks(test);

        await test.Client.GetLinkAsync(S1, LinkRequest.Https(30150));
        await test.Client.GetLinkAsync(S1, LinkRequest.Wss(30150));
        await test.Client.GetLinkAsync(S2, LinkRequest.Https(30150));

        Assert.Equal(3, test.Client.GetLinkCacheStatistics().Misses);
        await test.Backend.Received(3).GetLinkAsync(Arg.Any<string>(), Arg.Any<LinkRequest>(), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task A_link_expires_after_the_configured_time_to_live()
    {
        var test = new TestClient(o => o.LinkCache.TimeToLive = TimeSpan.FromSeconds(30));
        AnswerLinks(test);

        await test.Client.GetLinkAsync(S1, LinkRequest.Cdp);
        test.Clock.Advance(TimeSpan.FromSeconds(29));
        await test.Client.GetLinkAsync(S1, LinkRequest.Cdp);
        test.Clock.Advance(TimeSpan.FromSeconds(1));
        await test.Client.GetLinkAsync(S1, LinkRequest.Cdp);

        await test.Backend.Received(2).GetLinkAsync(S1, LinkRequest.Cdp, Arg.Any<CancellationToken>());
        Assert.Equal(1, test.Client.GetLinkCacheStatistics().Evictions);
    }

    [Fact]
    public async Task Deleting_a_session_drops_its_links_and_only_its_links()
    {
        var test = new TestClient();
        AnswerLinks(test);
        test.Backend.GetSessionStatusAsync(S1, Arg.Any<CancellationToken>()).Returns("FINISH");
        await test.Client.GetLinkAsync(S1, LinkRequest.Cdp);
        await test.Client.GetLinkAsync(S2, LinkRequest.Cdp);

        await test.Client.DeleteSessionAsync(S1);
        await test.Client.GetLinkAsync(S1, LinkRequest.Cdp);
        await test.Client.GetLinkAsync(S2, LinkRequest.Cdp);

        await test.Backend.Received(2).GetLinkAsync(S1, LinkRequest.Cdp, Arg.Any<CancellationToken>());
        await test.Backend.Received(1).GetLinkAsync(S2, LinkRequest.Cdp, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Disposing_a_session_drops_its_links()
    {
        var test = new TestClient();
        AnswerLinks(test);
        test.Backend.GetSessionStatusAsync(TestClient.SessionId, Arg.Any<CancellationToken>()).Returns("FINISH");
        AgentBaySession session = test.Session();
        await session.GetLinkAsync(LinkRequest.Wss(30180));

        await session.DisposeAsync();

        Assert.Equal(0, test.Client.GetLinkCacheStatistics().Count);
    }

    [Fact]
    public async Task Refresh_bypasses_the_cache_and_replaces_the_entry()
    {
        var test = new TestClient();
        test.Backend.GetLinkAsync(S1, LinkRequest.Cdp, Arg.Any<CancellationToken>())
            .Returns(new LinkRecord(new Uri("wss://gw/old"), "r1"), new LinkRecord(new Uri("wss://gw/new"), "r2"));

        await test.Client.GetLinkAsync(S1, LinkRequest.Cdp);
        SessionLink fresh = await test.Client.RefreshLinkAsync(S1, LinkRequest.Cdp);
        SessionLink afterwards = await test.Client.GetLinkAsync(S1, LinkRequest.Cdp);

        Assert.Equal(new Uri("wss://gw/new"), fresh.Url);
        Assert.Same(fresh, afterwards);
    }

    [Fact]
    public async Task A_refusal_is_not_cached_and_the_next_request_asks_again()
    {
        var test = new TestClient();
        test.Backend.GetLinkAsync(S1, LinkRequest.Cdp, Arg.Any<CancellationToken>())
            .Returns(
                _ => Task.FromException<LinkRecord>(new AgentBayException("refused")),
                _ => Task.FromResult(new LinkRecord(new Uri("wss://gw/ok"), "r2")));

        await Assert.ThrowsAsync<AgentBayException>(() => test.Client.GetLinkAsync(S1, LinkRequest.Cdp).AsTask());
        SessionLink link = await test.Client.GetLinkAsync(S1, LinkRequest.Cdp);

        Assert.Equal(new Uri("wss://gw/ok"), link.Url);
    }

    [Fact]
    public async Task A_thousand_concurrent_requests_for_one_link_make_one_call()
    {
        var test = new TestClient();
        var gate = new TaskCompletionSource<LinkRecord>(TaskCreationOptions.RunContinuationsAsynchronously);
        test.Backend.GetLinkAsync(S1, LinkRequest.Cdp, Arg.Any<CancellationToken>()).Returns(gate.Task);

        Task<SessionLink>[] waiters = Enumerable.Range(0, 1000)
            .Select(_ => Task.Run(() => test.Client.GetLinkAsync(S1, LinkRequest.Cdp).AsTask()))
            .ToArray();
        Assert.True(
            SpinWait.SpinUntil(() => test.Client.GetLinkCacheStatistics().Misses == 1000, TimeSpan.FromSeconds(30)),
            "all 1000 requests should have joined the fetch in flight");

        gate.SetResult(new LinkRecord(new Uri("wss://gw/one"), "r1"));
        SessionLink[] links = await Task.WhenAll(waiters);

        Assert.All(links, link => Assert.Equal(new Uri("wss://gw/one"), link.Url));
        await test.Backend.Received(1).GetLinkAsync(S1, LinkRequest.Cdp, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task A_batch_returns_one_result_per_request_in_order_with_refusals_in_place()
    {
        var test = new TestClient();
        AnswerLinks(test);
        test.Backend.GetLinkAsync(S2, LinkRequest.Cdp, Arg.Any<CancellationToken>())
            .ThrowsAsync(new AgentBayException("no cdp", "InvalidOperation.CdpUnsupportedImage", "only BrowserUse image support cdp", "r9", System.Net.HttpStatusCode.BadRequest));

        IReadOnlyList<LinkResult> results = await test.Client.GetLinksAsync(
            [new(S1, LinkRequest.Cdp), new(S2, LinkRequest.Cdp), new(S1, LinkRequest.Https(30150))]);

        Assert.Equal([S1, S2, S1], results.Select(r => r.SessionId));
        Assert.Equal([true, false, true], results.Select(r => r.Succeeded));
        Assert.Equal(new Uri($"https://gw/{S1}/https:30150"), results[2].Link!.Url);
        var refusal = Assert.IsType<AgentBayException>(results[1].Error);
        Assert.Equal("InvalidOperation.CdpUnsupportedImage", refusal.Code);
        Assert.Same(refusal, Assert.Throws<AgentBayException>(() => results[1].GetLinkOrThrow()));
    }

    [Fact]
    public async Task Duplicates_in_a_batch_are_fetched_once_even_without_the_cache()
    {
        var test = new TestClient(o => o.LinkCache.Enabled = false);
        AnswerLinks(test);

        IReadOnlyList<LinkResult> results = await test.Client.GetLinksAsync(
            [new(S1, LinkRequest.Wss(30180)), new(S1, LinkRequest.Wss(30180)), new(S1, LinkRequest.Wss(30180))]);

        Assert.All(results, r => Assert.True(r.Succeeded));
        await test.Backend.Received(1).GetLinkAsync(S1, LinkRequest.Wss(30180), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Cancelling_a_batch_reports_every_link_not_yet_obtained_as_cancelled()
    {
        var test = new TestClient(o => o.LinkCache.Enabled = false);
        var started = 0;
        var twoStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        test.Backend.GetLinkAsync(Arg.Any<string>(), Arg.Any<LinkRequest>(), Arg.Any<CancellationToken>())
            .Returns(async call =>
            {
                if (Interlocked.Increment(ref started) == 2)
                {
                    twoStarted.TrySetResult();
                }

                await Task.Delay(Timeout.Infinite, call.ArgAt<CancellationToken>(2));
                return new LinkRecord(new Uri("wss://never/"), null);
            });
        using var cancellation = new CancellationTokenSource();
        var requests = Enumerable.Range(30100, 50).Select(port => new LinkTarget(S1, LinkRequest.Https(port))).ToList();

        Task<IReadOnlyList<LinkResult>> batch = test.Client.GetLinksAsync(requests, new FanOutOptions { MaxConcurrency = 2 }, cancellation.Token);
        await twoStarted.Task;
        await cancellation.CancelAsync();
        IReadOnlyList<LinkResult> results = await batch;

        Assert.Equal(50, results.Count);
        Assert.All(results, r => Assert.IsAssignableFrom<OperationCanceledException>(r.Error));
        Assert.Equal(2, Volatile.Read(ref started));
    }

    [Fact]
    public async Task A_session_batch_streams_each_result_once()
    {
        var test = new TestClient();
        AnswerLinks(test);
        AgentBaySession session = test.Session();

        var seen = new List<LinkResult>();
        await foreach (LinkResult result in session.StreamLinksAsync([LinkRequest.Cdp, LinkRequest.Https(30150), LinkRequest.Wss(30180)]))
        {
            seen.Add(result);
        }

        Assert.Equal(3, seen.Count);
        Assert.Equal(
            ["cdp", "https:30150", "wss:30180"],
            seen.Select(r => r.Request.ToString()).Order(StringComparer.Ordinal));
        Assert.All(seen, r => Assert.Equal(TestClient.SessionId, r.SessionId));
    }

    [Fact]
    public async Task Batch_arguments_are_checked_before_any_request()
    {
        var test = new TestClient();

        await Assert.ThrowsAsync<ArgumentException>(() => test.Client.GetLinksAsync([new(S1, LinkRequest.Cdp), null!]));
        Assert.Throws<ArgumentException>(() => new LinkTarget(" ", LinkRequest.Cdp));
        Assert.Throws<ArgumentNullException>(() => new LinkTarget(S1, null!));
        Assert.Throws<ArgumentException>(() => new LinkTarget(S1, LinkRequest.Cdp) with { SessionId = "" });
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => test.Client.GetLinksAsync([new(S1, LinkRequest.Cdp)], new FanOutOptions { MaxConcurrency = 0 }));
        Assert.Throws<ArgumentNullException>(() => test.Client.StreamLinksAsync(null!));
        await test.Backend.DidNotReceiveWithAnyArgs().GetLinkAsync(default!, default!, default);
    }

    [Theory]
    [InlineData(0, 10)]
    [InlineData(-1, 10)]
    [InlineData(60, 0)]
    public void Invalid_cache_settings_are_refused_at_construction(int ttlSeconds, int maxEntries)
    {
        var error = Assert.Throws<ArgumentException>(() => new TestClient(o =>
        {
            o.LinkCache.TimeToLive = TimeSpan.FromSeconds(ttlSeconds);
            o.LinkCache.MaxEntries = maxEntries;
        }));

        Assert.Contains("AgentBayOptions.LinkCache.", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Answers every GetLink with a URL naming the session and request, so results can be told apart.</summary>
    private static void AnswerLinks(TestClient test) =>
        test.Backend.GetLinkAsync(Arg.Any<string>(), Arg.Any<LinkRequest>(), Arg.Any<CancellationToken>())
            .Returns(call => new LinkRecord(
                new Uri(call.ArgAt<LinkRequest>(1) is LinkRequest.HttpsLink
                    ? $"https://gw/{call.ArgAt<string>(0)}/{call.ArgAt<LinkRequest>(1)}"
                    : $"wss://gw/{call.ArgAt<string>(0)}/{call.ArgAt<LinkRequest>(1)}"),
                "r"));
}
