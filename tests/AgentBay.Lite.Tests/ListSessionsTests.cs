using AgentBay.Lite.Backend;

namespace AgentBay.Lite.Tests;

public class ListSessionsTests
{
    private readonly TestClient _test = new();
    private readonly List<SessionListing> _requests = [];

    private void Pages(params SessionPage[] pages)
    {
        _test.Backend.ListSessionsAsync(Arg.Any<SessionListing>(), Arg.Any<CancellationToken>()).Returns(call =>
        {
            _requests.Add(call.Arg<SessionListing>());
            return Task.FromResult(pages[_requests.Count - 1]);
        });
    }

    private static SessionPage Page(string? next, params string[] ids) =>
        new(ids.Select(id => new SessionListItem(id, "RUNNING")).ToList(), next, 4);

    [Fact]
    public async Task Pages_are_fetched_only_as_they_are_enumerated()
    {
        Pages(Page("token-page2", "s1", "s2"), Page("", "s3"));

        IAsyncEnumerable<SessionSummary> sessions = _test.Client.ListSessionsAsync();
        Assert.Empty(_requests);

        await using IAsyncEnumerator<SessionSummary> e = sessions.GetAsyncEnumerator();
        Assert.True(await e.MoveNextAsync());
        Assert.True(await e.MoveNextAsync());
        Assert.Single(_requests);

        Assert.True(await e.MoveNextAsync());
        Assert.Equal("s3", e.Current.SessionId);
        Assert.Equal(2, _requests.Count);
        Assert.Equal("token-page2", _requests[1].NextToken);

        Assert.False(await e.MoveNextAsync());
        Assert.Equal(2, _requests.Count);
    }

    [Fact]
    public async Task Filters_and_page_size_are_sent_on_every_page()
    {
        Pages(Page("t2", "s1"), Page(null, "s2"));
        var query = new SessionQuery { Status = "RUNNING", PageSize = 1, Labels = { ["project"] = "demo" } };

        List<SessionSummary> all = await ToListAsync(_test.Client.ListSessionsAsync(query));

        Assert.Equal(["s1", "s2"], all.Select(s => s.SessionId));
        Assert.All(all, s => Assert.Equal("RUNNING", s.Status));
        Assert.Collection(
            _requests,
            r =>
            {
                Assert.Equal("RUNNING", r.Status);
                Assert.Equal(1, r.MaxResults);
                Assert.Null(r.NextToken);
                Assert.Equal(new Dictionary<string, string> { ["project"] = "demo" }, r.Labels);
            },
            r => Assert.Equal("t2", r.NextToken));
    }

    [Fact]
    public async Task No_query_sends_no_filters_and_the_default_page_size()
    {
        Pages(Page(null));

        Assert.Empty(await ToListAsync(_test.Client.ListSessionsAsync()));

        SessionListing request = Assert.Single(_requests);
        Assert.Null(request.Labels);
        Assert.Null(request.Status);
        Assert.Equal(SessionQuery.DefaultPageSize, request.MaxResults);
    }

    [Fact]
    public void The_query_is_validated_when_called_not_when_enumerated()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _test.Client.ListSessionsAsync(new SessionQuery { PageSize = 0 }));
        Assert.Throws<ArgumentException>(() => _test.Client.ListSessionsAsync(new SessionQuery { Status = " " }));
        Assert.Throws<ArgumentException>(() => _test.Client.ListSessionsAsync(new SessionQuery { Labels = { [""] = "x" } }));
    }

    [Fact]
    public async Task The_query_is_copied_when_called()
    {
        Pages(Page(null));
        var query = new SessionQuery { Status = "RUNNING" };

        IAsyncEnumerable<SessionSummary> sessions = _test.Client.ListSessionsAsync(query);
        query.Status = "PAUSED";
        await ToListAsync(sessions);

        Assert.Equal("RUNNING", Assert.Single(_requests).Status);
    }

    [Fact]
    public async Task A_repeated_token_stops_the_listing_instead_of_looping()
    {
        Pages(Page("same", "s1"), Page("same", "s2"), Page("same", "s3"));

        await Assert.ThrowsAsync<AgentBayProtocolException>(() => ToListAsync(_test.Client.ListSessionsAsync()));
        Assert.Equal(2, _requests.Count);
    }

    [Fact]
    public async Task Cancelling_the_enumeration_stops_it()
    {
        Pages(Page("t2", "s1"), Page(null, "s2"));
        using var cts = new CancellationTokenSource();

        await using IAsyncEnumerator<SessionSummary> e = _test.Client.ListSessionsAsync().GetAsyncEnumerator(cts.Token);
        Assert.True(await e.MoveNextAsync());
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await e.MoveNextAsync());
        Assert.Single(_requests);
    }

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> source)
    {
        var list = new List<T>();
        await foreach (T item in source)
        {
            list.Add(item);
        }

        return list;
    }
}
