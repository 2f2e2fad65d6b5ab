using System.Collections.Concurrent;

namespace AgentBay.Lite.IntegrationTests.Sessions;

/// <summary>
/// The examples of AGB's Session Info page, in C#, against the emulator's AGB face over loopback: create a session on
/// <c>agb-code-space-1</c>, ask for its info (session id and resource URL), use it, delete it.
/// </summary>
public sealed class AgbSessionInfoTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>
{
    [Fact]
    public async Task Info_gives_the_session_id_and_a_resource_url_over_AGBs_REST_routes()
    {
        var paths = new ConcurrentQueue<string>();
        var recorder = new PathRecorder(paths) { InnerHandler = new SocketsHttpHandler() };
        await using var agb = new AgentBayClient(fixture.Options(o =>
        {
            o.Service = AgentBayService.Agb;
            o.HttpMessageHandler = recorder;
        }));

        await using AgentBaySession session = await agb.CreateSessionAsync(new CreateSessionOptions { ImageId = "agb-code-space-1" });
        SessionInfo info = await session.GetInfoAsync();

        Assert.Equal(session.Id, info.SessionId);
        Assert.NotNull(info.ResourceUrl);
        Assert.True(info.ResourceUrl.IsAbsoluteUri);
        using (var http = new HttpClient())
        {
            // The resource URL is the session's live view: a page that names the session.
            Assert.Contains(session.Id, await http.GetStringAsync(info.ResourceUrl), StringComparison.Ordinal);
        }

        Assert.Equal(session.ResourceId, info.ResourceId);

        CommandResult hello = await session.Commands.ExecuteAsync("echo hello from agb");
        Assert.Equal("hello from agb\n", hello.Stdout);
        await session.DeleteAsync();
        Assert.Equal(0, fixture.Emulator.LiveSessionCount);

        Assert.Equal(
            ["/mcp/createSession", "/mcp/getMcpResource", $"/link/{session.Id}/callTool", "/mcp/releaseSessionAsync", "/mcp/getSessionInfo"],
            paths.Distinct());
        recorder.Dispose();
    }

    [Fact]
    public async Task A_session_created_through_one_face_is_served_by_the_other()
    {
        await using var agb = fixture.CreateClient(TestService.Agb);
        await using var agentBay = fixture.CreateClient(TestService.AgentBay);
        await using AgentBaySession created = await agb.CreateSessionAsync();

        AgentBaySession fetched = await agentBay.GetSessionAsync(created.Id);
        CommandResult result = await fetched.Commands.ExecuteAsync("echo same sandbox");

        Assert.Equal("same sandbox\n", result.Stdout);
        Assert.Equal(created.ResourceId, fetched.ResourceId);
    }

    private sealed class PathRecorder(ConcurrentQueue<string> paths) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            paths.Enqueue(request.RequestUri!.AbsolutePath);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
