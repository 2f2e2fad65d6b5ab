namespace AgentBay.Lite.IntegrationTests.Sessions;

/// <summary>ListSessionsAsync: label and status filters, and lazy paging proved with the emulator's request counters.</summary>
public sealed class SessionListingTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>
{
    [Fact]
    public async Task Labels_filter_lists_only_sessions_carrying_every_label()
    {
        await using var client = fixture.CreateClient();
        string run = Guid.NewGuid().ToString("N");
        await using AgentBaySession red = await CreateAsync(client, ("run", run), ("color", "red"));
        await using AgentBaySession blue = await CreateAsync(client, ("run", run), ("color", "blue"));
        await using AgentBaySession unrelated = await CreateAsync(client, ("run", "other"), ("color", "red"));

        var byRun = new SessionQuery();
        byRun.Labels["run"] = run;
        var both = await SessionLifecycleTests.ToListAsync(client.ListSessionsAsync(byRun));

        var byRunAndColor = new SessionQuery();
        byRunAndColor.Labels["run"] = run;
        byRunAndColor.Labels["color"] = "red";
        var onlyRed = await SessionLifecycleTests.ToListAsync(client.ListSessionsAsync(byRunAndColor));

        Assert.Equal([red.Id, blue.Id], both.Select(s => s.SessionId)); // creation order
        Assert.All(both, s => Assert.Equal("RUNNING", s.Status));
        Assert.Equal(red.Id, Assert.Single(onlyRed).SessionId);
        Assert.Equal($"{red.Id} (RUNNING)", onlyRed[0].ToString());
    }

    [Fact]
    public async Task Status_filter_is_sent_and_applied()
    {
        await using var client = fixture.CreateClient();
        string run = Guid.NewGuid().ToString("N");
        await using AgentBaySession session = await CreateAsync(client, ("run", run));

        var running = new SessionQuery { Status = "RUNNING" };
        running.Labels["run"] = run;
        var paused = new SessionQuery { Status = "PAUSED" };
        paused.Labels["run"] = run;

        Assert.Equal(session.Id, Assert.Single(await SessionLifecycleTests.ToListAsync(client.ListSessionsAsync(running))).SessionId);
        Assert.Empty(await SessionLifecycleTests.ToListAsync(client.ListSessionsAsync(paused)));
    }

    [Fact]
    public async Task An_unknown_status_is_the_services_refusal()
    {
        await using var client = fixture.CreateClient();

        var ex = await Assert.ThrowsAsync<AgentBayException>(
            () => SessionLifecycleTests.ToListAsync(client.ListSessionsAsync(new SessionQuery { Status = "SLEEPING" })));

        Assert.Equal("InvalidParameter.Status", ex.Code);
        Assert.NotNull(ex.ServerMessage);
        Assert.NotNull(ex.RequestId);
    }

    [Fact]
    public async Task Paging_follows_the_continuation_token_across_several_pages()
    {
        await using var client = fixture.CreateClient();
        string run = Guid.NewGuid().ToString("N");
        var sessions = new List<AgentBaySession>();
        for (int i = 0; i < 7; i++)
        {
            sessions.Add(await CreateAsync(client, ("run", run)));
        }

        try
        {
            var query = new SessionQuery { PageSize = 2 };
            query.Labels["run"] = run;
            long pagesBefore = fixture.Emulator.GetRequestCount("ListSession");

            var listed = await SessionLifecycleTests.ToListAsync(client.ListSessionsAsync(query));

            Assert.Equal(sessions.Select(s => s.Id), listed.Select(s => s.SessionId));
            Assert.Equal(4, fixture.Emulator.GetRequestCount("ListSession") - pagesBefore); // 2 + 2 + 2 + 1
        }
        finally
        {
            foreach (AgentBaySession session in sessions)
            {
                await session.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Paging_is_lazy_and_nothing_is_sent_before_enumeration()
    {
        await using var client = fixture.CreateClient();
        string run = Guid.NewGuid().ToString("N");
        var sessions = new List<AgentBaySession>();
        for (int i = 0; i < 6; i++)
        {
            sessions.Add(await CreateAsync(client, ("run", run)));
        }

        try
        {
            var query = new SessionQuery { PageSize = 2 };
            query.Labels["run"] = run;
            long before = fixture.Emulator.GetRequestCount("ListSession");

            IAsyncEnumerable<SessionSummary> listing = client.ListSessionsAsync(query);
            Assert.Equal(before, fixture.Emulator.GetRequestCount("ListSession"));

            var taken = new List<string>();
            await foreach (SessionSummary summary in listing)
            {
                taken.Add(summary.SessionId);
                if (taken.Count == 3)
                {
                    break;
                }
            }

            Assert.Equal(sessions.Take(3).Select(s => s.Id), taken);
            Assert.Equal(2, fixture.Emulator.GetRequestCount("ListSession") - before); // pages 1 and 2, not 3
        }
        finally
        {
            foreach (AgentBaySession session in sessions)
            {
                await session.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Deleted_sessions_are_not_listed()
    {
        await using var client = fixture.CreateClient();
        string run = Guid.NewGuid().ToString("N");
        AgentBaySession gone = await CreateAsync(client, ("run", run));
        await using AgentBaySession kept = await CreateAsync(client, ("run", run));
        await gone.DisposeAsync();

        var query = new SessionQuery();
        query.Labels["run"] = run;

        Assert.Equal(kept.Id, Assert.Single(await SessionLifecycleTests.ToListAsync(client.ListSessionsAsync(query))).SessionId);
    }

    [Fact]
    public async Task Cancelling_the_enumeration_stops_it()
    {
        await using var client = fixture.CreateClient();
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => SessionLifecycleTests.ToListAsync(client.ListSessionsAsync(cancellationToken: cts.Token)));
    }

    private static Task<AgentBaySession> CreateAsync(AgentBayClient client, params (string Key, string Value)[] labels)
    {
        var options = new CreateSessionOptions();
        foreach (var (key, value) in labels)
        {
            options.Labels[key] = value;
        }

        return client.CreateSessionAsync(options);
    }
}
