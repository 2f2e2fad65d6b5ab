namespace AgentBay.Lite.Tests.Sessions;

/// <summary>
/// How an application's own tests fake the SDK: substitute <see cref="IAgentBayClient"/>, the
/// <see cref="AgentBaySession"/> it returns and the session's commands and files (their members are virtual), and build
/// results with <see cref="AgentBayModelFactory"/>. No AgentBay service, no emulator.
/// </summary>
public sealed class ConsumerFakeTests
{
    /// <summary>The application code under test: starts a page in a session and returns its public link.</summary>
    private static async Task<string> PublishPageAsync(IAgentBayClient client, string html, CancellationToken cancellationToken = default)
    {
        await using AgentBaySession session = await client.CreateSessionAsync(new CreateSessionOptions { ImageId = "linux_latest" }, cancellationToken);
        await session.Files.WriteAsync("/tmp/index.html", html, cancellationToken);
        CommandResult started = await session.Commands.ExecuteAsync("cd /tmp && python3 -m http.server 30150 &", cancellationToken);
        if (!started.Succeeded)
        {
            throw new InvalidOperationException(started.Stderr);
        }

        SessionLink link = await session.GetLinkAsync(LinkRequest.Https(30150), cancellationToken);
        return $"{session.Id}: {link}";
    }

    [Fact]
    public async Task The_whole_chain_can_be_substituted()
    {
        var client = Substitute.For<IAgentBayClient>();
        var session = Substitute.For<AgentBaySession>();
        var files = Substitute.For<SessionFiles>();
        var commands = Substitute.For<SessionCommands>();
        session.Id.Returns("session-fake");
        session.Files.Returns(files);
        session.Commands.Returns(commands);
        commands.ExecuteAsync(Arg.Any<string>(), Arg.Any<CancellationToken>()).Returns(AgentBayModelFactory.CommandResult(0));
        session.GetLinkAsync(LinkRequest.Https(30150), Arg.Any<CancellationToken>()).Returns(
            AgentBayModelFactory.SessionLink(new Uri("https://gw.example/request_ai/secret/path/"), LinkRequest.Https(30150), "session-fake"));
        client.CreateSessionAsync(Arg.Any<CreateSessionOptions?>(), Arg.Any<CancellationToken>()).Returns(session);

        string published = await PublishPageAsync(client, "<h1>hi</h1>");

        Assert.Equal("session-fake: https://gw.example/request_ai/***/path/", published);
        await files.Received(1).WriteAsync("/tmp/index.html", "<h1>hi</h1>", Arg.Any<CancellationToken>());
        await commands.Received(1).ExecuteAsync("cd /tmp && python3 -m http.server 30150 &", Arg.Any<CancellationToken>());
        await session.Received(1).DisposeAsync();
    }

    [Fact]
    public async Task A_failing_command_can_be_faked_too()
    {
        var client = Substitute.For<IAgentBayClient>();
        var session = Substitute.For<AgentBaySession>();
        var commands = Substitute.For<SessionCommands>();
        session.Files.Returns(Substitute.For<SessionFiles>());
        session.Commands.Returns(commands);
        commands.ExecuteAsync(Arg.Any<string>(), Arg.Any<CancellationToken>()).Returns(AgentBayModelFactory.CommandResult(1, stderr: "port in use"));
        client.CreateSessionAsync(Arg.Any<CreateSessionOptions?>(), Arg.Any<CancellationToken>()).Returns(session);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => PublishPageAsync(client, "x"));

        Assert.Equal("port in use", error.Message);
        await session.DidNotReceive().GetLinkAsync(Arg.Any<LinkRequest>(), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task A_model_factory_session_carries_values_and_refuses_calls_with_a_hint()
    {
        AgentBaySession session = AgentBayModelFactory.AgentBaySession(
            "session-x", imageId: "browser_latest", labels: new Dictionary<string, string> { ["team"] = "qa" });

        Assert.Equal("session-x", session.Id);
        Assert.Equal("browser_latest", session.ImageId);
        Assert.Equal("qa", session.Labels["team"]);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => session.GetLinkAsync(LinkRequest.Cdp).AsTask());
        Assert.Contains("substitute AgentBaySession", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidOperationException>(() => session.Commands.ExecuteAsync("true"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => session.Files.ReadAsync("/tmp/x"));
        await session.DisposeAsync(); // nothing to delete
    }
}
