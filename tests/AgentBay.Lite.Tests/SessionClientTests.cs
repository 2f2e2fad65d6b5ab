using AgentBay.Lite.Backend;

namespace AgentBay.Lite.Tests;

public class SessionClientTests
{
    private readonly TestClient _test = new();

    private static SessionRecord Created(string id = TestClient.SessionId) => new(
        id,
        "REQ-1",
        null,
        "https://desktop.example.com/resource/s1",
        "p-0abc123",
        "ai-0abc123",
        "https://link.example.com/s1/",
        "tok-1",
        null);

    [Fact]
    public async Task CreateSessionAsync_without_options_asks_for_the_default_image()
    {
        _test.Backend.CreateSessionAsync(Arg.Any<SessionCreation>(), Arg.Any<CancellationToken>()).Returns(Created());

        AgentBaySession session = await _test.Client.CreateSessionAsync();

        await _test.Backend.Received(1).CreateSessionAsync(new SessionCreation(null, null), Arg.Any<CancellationToken>());
        Assert.Null(session.ImageId);
        Assert.Empty(session.Labels);
    }

    [Fact]
    public async Task CreateSessionAsync_maps_the_created_session()
    {
        _test.Backend.CreateSessionAsync(Arg.Any<SessionCreation>(), Arg.Any<CancellationToken>()).Returns(Created());

        AgentBaySession session = await _test.Client.CreateSessionAsync(new CreateSessionOptions { ImageId = "browser_latest" });

        Assert.Equal(TestClient.SessionId, session.Id);
        Assert.Equal("browser_latest", session.ImageId);
        Assert.Equal(new Uri("https://desktop.example.com/resource/s1"), session.ResourceUrl);
        Assert.Equal("p-0abc123", session.ResourceId);
        Assert.Equal("ai-0abc123", session.AppInstanceId);
        Assert.Equal(new Uri("https://link.example.com/s1/"), session.LinkUrl);
        Assert.Equal("tok-1", session.Token);
        Assert.Null(session.WsUrl);
        Assert.Equal(TestClient.SessionId, session.ToString());
    }

    [Fact]
    public async Task CreateSessionAsync_maps_a_ws_url_and_drops_unreadable_urls()
    {
        _test.Backend.CreateSessionAsync(Arg.Any<SessionCreation>(), Arg.Any<CancellationToken>())
            .Returns(new SessionRecord("s2", null, null, "not a url", null, null, null, null, "wss://agb.example.com/ws/s2"));

        AgentBaySession session = await _test.Client.CreateSessionAsync();

        Assert.Null(session.ResourceUrl);
        Assert.Null(session.ResourceId);
        Assert.Null(session.Token);
        Assert.Equal(new Uri("wss://agb.example.com/ws/s2"), session.WsUrl);
    }

    [Fact]
    public async Task CreateSessionAsync_sends_labels_and_keeps_a_snapshot()
    {
        SessionCreation? sent = null;
        _test.Backend.CreateSessionAsync(Arg.Do<SessionCreation>(r => sent = r), Arg.Any<CancellationToken>()).Returns(Created());
        var options = new CreateSessionOptions { ImageId = "linux_latest", Labels = { ["project"] = "demo", ["env"] = "test" } };

        AgentBaySession session = await _test.Client.CreateSessionAsync(options);
        options.Labels["later"] = "ignored";

        Assert.NotNull(sent);
        Assert.Equal("linux_latest", sent.ImageId);
        Assert.Equal(new Dictionary<string, string> { ["project"] = "demo", ["env"] = "test" }, sent.Labels);
        Assert.Equal(new Dictionary<string, string> { ["project"] = "demo", ["env"] = "test" }, session.Labels);
        Assert.False(session.Labels is IDictionary<string, string> { IsReadOnly: false });
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    public async Task CreateSessionAsync_rejects_an_empty_label_key(string key)
    {
        var options = new CreateSessionOptions { Labels = { [key] = "v" } };

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => _test.Client.CreateSessionAsync(options));

        Assert.Equal("options", ex.ParamName);
        Assert.Contains("Labels", ex.Message, StringComparison.Ordinal);
        await _test.Backend.DidNotReceiveWithAnyArgs().CreateSessionAsync(default!, default);
    }

    [Fact]
    public async Task CreateSessionAsync_rejects_a_blank_image_id()
    {
        var ex = await Assert.ThrowsAsync<ArgumentException>(
            () => _test.Client.CreateSessionAsync(new CreateSessionOptions { ImageId = " " }));

        Assert.Contains("ImageId", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateSessionAsync_passes_service_failures_through()
    {
        var failure = new AgentBayException("[QuotaExceeded] too many", "QuotaExceeded", "too many", "r2", null);
        _test.Backend.CreateSessionAsync(Arg.Any<SessionCreation>(), Arg.Any<CancellationToken>()).Returns<SessionRecord>(_ => throw failure);

        var ex = await Assert.ThrowsAsync<AgentBayException>(() => _test.Client.CreateSessionAsync());

        Assert.Same(failure, ex);
    }

    [Fact]
    public async Task GetSessionAsync_maps_the_record()
    {
        _test.Backend.GetSessionAsync("s-7", Arg.Any<CancellationToken>()).Returns(
            new SessionRecord("s-7", null, "RUNNING", "https://desktop.example.com/r", "p-1", "ai-1", null, "tok", null));

        AgentBaySession session = await _test.Client.GetSessionAsync("s-7");

        Assert.Equal("s-7", session.Id);
        Assert.Equal(new Uri("https://desktop.example.com/r"), session.ResourceUrl);
        Assert.Equal("p-1", session.ResourceId);
        Assert.Equal("ai-1", session.AppInstanceId);
        Assert.Null(session.LinkUrl);
        Assert.Equal("tok", session.Token);
        Assert.Null(session.ImageId);
        Assert.Empty(session.Labels);
    }

    [Fact]
    public async Task GetSessionAsync_passes_not_found_through()
    {
        _test.Backend.GetSessionAsync("gone", Arg.Any<CancellationToken>())
            .Returns<SessionRecord>(_ => throw new SessionNotFoundException("nf", "gone", "InvalidMcpSession.NotFound", "nf", "r", null));

        var ex = await Assert.ThrowsAsync<SessionNotFoundException>(() => _test.Client.GetSessionAsync("gone"));
        Assert.Equal("gone", ex.SessionId);
    }

    [Fact]
    public async Task Session_ids_are_validated()
    {
        await Assert.ThrowsAsync<ArgumentNullException>(() => _test.Client.GetSessionAsync(null!));
        await Assert.ThrowsAsync<ArgumentException>(() => _test.Client.GetSessionAsync(" "));
        await Assert.ThrowsAsync<ArgumentNullException>(() => _test.Client.DeleteSessionAsync(null!));
        await Assert.ThrowsAsync<ArgumentException>(() => _test.Client.DeleteSessionAsync(""));
        await Assert.ThrowsAsync<ArgumentNullException>(() => _test.Client.GetLinkAsync(null!, LinkRequest.Cdp).AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => _test.Client.GetLinkAsync("\t", LinkRequest.Cdp).AsTask());
        await Assert.ThrowsAsync<ArgumentNullException>(() => _test.Client.GetLinkAsync("s", null!).AsTask());
        Assert.Empty(_test.Backend.ReceivedCalls());
    }

    [Fact]
    public async Task GetInfoAsync_maps_every_field_and_stamps_the_time()
    {
        AgentBaySession session = _test.Session();
        _test.Backend.GetResourceAsync(TestClient.SessionId, Arg.Any<CancellationToken>()).Returns(new ResourceRecord(
            TestClient.SessionId, "r1", "http://127.0.0.1/resource/s", "AIAgent", "res-1", "app-1", "auth-1", "{}", "ticket-1"));
        _test.Clock.Advance(TimeSpan.FromMinutes(3));

        SessionInfo info = await session.GetInfoAsync();

        Assert.Equal(TestClient.SessionId, info.SessionId);
        Assert.Equal(new Uri("http://127.0.0.1/resource/s"), info.ResourceUrl);
        Assert.Equal("AIAgent", info.ResourceType);
        Assert.Equal("res-1", info.ResourceId);
        Assert.Equal("app-1", info.AppId);
        Assert.Equal("auth-1", info.AuthCode);
        Assert.Equal("{}", info.ConnectionProperties);
        Assert.Equal("ticket-1", info.Ticket);
        Assert.Equal(_test.Clock.GetUtcNow(), info.RetrievedAt);
        Assert.Equal(_test.Clock.GetUtcNow() + TimeSpan.FromMinutes(30), info.ResourceUrlExpiresAt);
        // The resource URL opens the session for whoever holds it: ToString leaves it out.
        Assert.Equal(TestClient.SessionId, info.ToString());
    }

    [Fact]
    public async Task GetInfoAsync_keeps_absent_fields_null()
    {
        _test.Backend.GetResourceAsync(TestClient.SessionId, Arg.Any<CancellationToken>())
            .Returns(new ResourceRecord(string.Empty, null, null, null, null, null, null, null, null));

        SessionInfo info = await _test.Session().GetInfoAsync();

        Assert.Equal(TestClient.SessionId, info.SessionId);
        Assert.Null(info.ResourceUrl);
        Assert.Null(info.ResourceUrlExpiresAt);
        Assert.Null(info.Ticket);
    }
}
