namespace AgentBay.Lite.IntegrationTests.Sessions;

/// <summary>Create, get, info, delete-and-wait and dispose, each proved against the emulator's own state.</summary>
public abstract class SessionLifecycleTests(EmulatorFixture fixture, TestService service) : IClassFixture<EmulatorFixture>
{
    [Fact]
    public async Task Create_returns_a_session_with_the_image_labels_and_the_services_identifiers()
    {
        await using var client = fixture.CreateClient(service);
        var options = new CreateSessionOptions { ImageId = service.LinuxImage };
        options.Labels["team"] = "int";
        options.Labels["purpose"] = "create";

        await using AgentBaySession session = await client.CreateSessionAsync(options);

        Assert.Matches("^session-[a-z0-9]{17}$", session.Id);
        Assert.Equal(service.LinuxImage, session.ImageId);
        Assert.Equal(2, session.Labels.Count);
        Assert.Equal("int", session.Labels["team"]);
        Assert.Equal("create", session.Labels["purpose"]);
        Assert.NotNull(session.ResourceUrl);
        Assert.StartsWith("p-", session.ResourceId, StringComparison.Ordinal);
        Assert.StartsWith("ai-", session.AppInstanceId, StringComparison.Ordinal);
        Assert.Equal("/stream/" + session.Id, session.WsUrl!.AbsolutePath);
        Assert.Equal("/link/" + session.Id, session.LinkUrl!.AbsolutePath);
        Assert.Matches("^[0-9a-f]{64}$", session.Token);
        Assert.Equal("wuying_shell", session.ToolServers["shell"]);
        Assert.Equal(session.Id, session.ToString());

        // The labels really reached the service: a label-filtered listing finds the session.
        var query = new SessionQuery();
        query.Labels["purpose"] = "create";
        var listed = await ToListAsync(client.ListSessionsAsync(query));
        Assert.Equal(session.Id, Assert.Single(listed).SessionId);
    }

    [Fact]
    public async Task Create_without_options_uses_the_default_image_which_has_no_browser()
    {
        await using var client = fixture.CreateClient(service);
        await using AgentBaySession session = await client.CreateSessionAsync();

        Assert.Null(session.ImageId);
        Assert.Empty(session.Labels);
        var refusal = await Assert.ThrowsAsync<AgentBayException>(() => session.GetLinkAsync(LinkRequest.Cdp).AsTask());
        Assert.Equal("InvalidOperation.CdpUnsupportedImage", refusal.Code);
    }

    [Fact]
    public async Task Get_returns_the_same_session_usable_for_links_and_tools()
    {
        await using var client = fixture.CreateClient(service);
        await using AgentBaySession created = await client.CreateSessionAsync(new CreateSessionOptions { ImageId = service.BrowserImage });

        AgentBaySession fetched = await client.GetSessionAsync(created.Id);

        Assert.Equal(created.Id, fetched.Id);
        Assert.Null(fetched.ImageId); // GetSession does not report it.
        Assert.Empty(fetched.Labels);
        Assert.Equal(created.ResourceId, fetched.ResourceId);
        SessionLink cdp = await fetched.GetLinkAsync(LinkRequest.Cdp);
        Assert.Equal(created.Id, fixture.Emulator.ResolveLinkToken(cdp.Url.Segments[^1]));
        CommandResult echo = await fetched.Commands.ExecuteAsync("echo fetched");
        Assert.Equal("fetched\n", echo.Stdout);
    }

    [Fact]
    public async Task GetInfo_returns_the_sessions_resource_and_desktop_details()
    {
        await using var client = fixture.CreateClient(service);
        await using AgentBaySession session = await client.CreateSessionAsync();

        SessionInfo info = await session.GetInfoAsync();

        Assert.Equal(session.Id, info.SessionId);
        Assert.NotNull(info.ResourceUrl);
        Assert.True(info.ResourceUrl.IsAbsoluteUri);
        Assert.Equal(session.ResourceId, info.ResourceId);
        // Each field as the emulator derives it, so a field mapped from the wrong JSON property shows.
        Assert.Equal("AIAgent", info.ResourceType);
        Assert.Equal("emulator", info.AppId);
        Assert.Equal("auth-" + session.ResourceId, info.AuthCode);
        Assert.Equal("ticket-" + session.AppInstanceId, info.Ticket);
        Assert.Equal("{}", info.ConnectionProperties);
        Assert.InRange(info.RetrievedAt, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.Equal(info.RetrievedAt.AddMinutes(30), info.ResourceUrlExpiresAt);

        // The resource URL is the session's live view (issue 20): a page naming this session.
        using var http = new HttpClient();
        using HttpResponseMessage page = await http.GetAsync(info.ResourceUrl);
        Assert.Equal(System.Net.HttpStatusCode.OK, page.StatusCode);
        Assert.Contains(session.Id, await page.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task DeleteSession_waits_until_the_session_is_gone()
    {
        await using var client = fixture.CreateClient(service, o => o.DeletePollInterval = TimeSpan.FromMilliseconds(10));
        AgentBaySession session = await client.CreateSessionAsync();
        int before = fixture.Emulator.LiveSessionCount;
        long detailPolls = fixture.Emulator.GetRequestCount("GetSessionDetail");

        await client.DeleteSessionAsync(session.Id);

        Assert.Equal(before - 1, fixture.Emulator.LiveSessionCount);
        Assert.True(fixture.Emulator.GetRequestCount("GetSessionDetail") > detailPolls, "the delete must wait on GetSessionDetail");
        var notFound = await Assert.ThrowsAsync<SessionNotFoundException>(() => client.GetSessionAsync(session.Id));
        Assert.Equal(session.Id, notFound.SessionId);
        Assert.Equal(service.GoneCode, notFound.Code);
        Assert.Contains(session.Id, notFound.Message, StringComparison.Ordinal);

        await session.DisposeAsync(); // already gone: not an error
    }

    [Fact]
    public async Task Session_DeleteAsync_deletes_and_a_second_call_returns_at_once()
    {
        await using var client = fixture.CreateClient(service);
        AgentBaySession session = await client.CreateSessionAsync();
        await session.DeleteAsync();
        long deletes = fixture.Emulator.GetRequestCount("DeleteSessionAsync");

        await session.DeleteAsync();
        await session.DisposeAsync();

        Assert.Equal(deletes, fixture.Emulator.GetRequestCount("DeleteSessionAsync"));
        await Assert.ThrowsAsync<SessionNotFoundException>(() => client.GetSessionAsync(session.Id));
    }

    [Fact]
    public async Task Dispose_deletes_the_session_and_is_idempotent()
    {
        await using var client = fixture.CreateClient(service);
        AgentBaySession session = await client.CreateSessionAsync();
        int live = fixture.Emulator.LiveSessionCount;
        long deletes = fixture.Emulator.GetRequestCount("DeleteSessionAsync");

        await session.DisposeAsync();
        await session.DisposeAsync();

        Assert.Equal(live - 1, fixture.Emulator.LiveSessionCount);
        Assert.Equal(deletes + 1, fixture.Emulator.GetRequestCount("DeleteSessionAsync"));
        await Assert.ThrowsAsync<SessionNotFoundException>(() => client.GetSessionAsync(session.Id));
    }

    [Fact]
    public async Task Concurrent_disposals_share_one_deletion()
    {
        await using var client = fixture.CreateClient(service);
        AgentBaySession session = await client.CreateSessionAsync();
        long deletes = fixture.Emulator.GetRequestCount("DeleteSessionAsync");

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => session.DisposeAsync().AsTask()));

        Assert.Equal(deletes + 1, fixture.Emulator.GetRequestCount("DeleteSessionAsync"));
        await Assert.ThrowsAsync<SessionNotFoundException>(() => client.GetSessionAsync(session.Id));
    }

    [Fact]
    public async Task Dispose_of_a_session_deleted_elsewhere_does_not_throw()
    {
        await using var client = fixture.CreateClient(service);
        await using var other = fixture.CreateClient(service);
        AgentBaySession session = await client.CreateSessionAsync();
        await other.DeleteSessionAsync(session.Id);

        await session.DisposeAsync();

        await Assert.ThrowsAsync<SessionNotFoundException>(() => client.GetSessionAsync(session.Id));
    }

    [Fact]
    public async Task DeleteAsync_of_a_session_deleted_elsewhere_reports_it_as_not_found()
    {
        await using var client = fixture.CreateClient(service);
        AgentBaySession session = await client.CreateSessionAsync();
        await client.DeleteSessionAsync(session.Id);
        AgentBaySession stale = session;

        // Deleted through the client, not through this object: the object does not know, the service does.
        var ex = await Assert.ThrowsAsync<SessionNotFoundException>(() => stale.DeleteAsync());
        Assert.Equal(session.Id, ex.SessionId);
    }

    internal static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> source)
    {
        var list = new List<T>();
        await foreach (T item in source)
        {
            list.Add(item);
        }

        return list;
    }
}

/// <summary>The suite above against AgentBay (the emulator's RPC face).</summary>
public sealed class AgentBaySessionLifecycleTests(EmulatorFixture fixture) : SessionLifecycleTests(fixture, TestService.AgentBay);

/// <summary>The suite above against AGB (the emulator's REST face).</summary>
public sealed class AgbSessionLifecycleTests(EmulatorFixture fixture) : SessionLifecycleTests(fixture, TestService.Agb);
