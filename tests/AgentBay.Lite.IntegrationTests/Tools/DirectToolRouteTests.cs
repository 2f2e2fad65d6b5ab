using AgentBay.Lite.Emulator;

namespace AgentBay.Lite.IntegrationTests.Tools;

/// <summary>Tool calls over the session's link_url (POST {link_url}/callTool with its token) against the emulator.</summary>
public abstract class DirectToolRouteTests(EmulatorFixture fixture, TestService service) : IClassFixture<EmulatorFixture>
{
    private AgentBayEmulator Emulator => fixture.Emulator;

    [Fact]
    public async Task Commands_and_files_go_over_link_url_and_not_through_the_API()
    {
        await using var client = fixture.CreateClient(service);
        await using var session = await client.CreateSessionAsync();
        Assert.NotNull(session.LinkUrl);
        long direct = Emulator.GetRequestCount("CallToolDirect");
        long api = Emulator.GetRequestCount("CallMcpTool");

        await session.Files.WriteAsync("via-link.txt", "direct");
        CommandResult result = await session.Commands.ExecuteAsync("cat via-link.txt");

        Assert.Equal("direct", result.Stdout);
        Assert.Equal(direct + 2, Emulator.GetRequestCount("CallToolDirect"));
        Assert.Equal(api, Emulator.GetRequestCount("CallMcpTool"));
    }

    [Fact]
    public async Task A_session_restored_with_GetSessionAsync_keeps_link_url_token_ws_url_and_tools()
    {
        await using var client = fixture.CreateClient(service);
        await using var created = await client.CreateSessionAsync();

        AgentBaySession restored = await client.GetSessionAsync(created.Id);

        Assert.Equal(created.LinkUrl, restored.LinkUrl);
        Assert.Equal(created.WsUrl, restored.WsUrl);
        Assert.Equal(created.Token, restored.Token);
        Assert.Equal(created.ToolServers["write_file"], restored.ToolServers["write_file"]);
        long direct = Emulator.GetRequestCount("CallToolDirect");
        Assert.Equal(0, (await restored.Commands.ExecuteAsync("true")).ExitCode);
        Assert.Equal(direct + 1, Emulator.GetRequestCount("CallToolDirect"));
    }

    [Fact]
    public async Task With_UseDirectToolRoute_off_tools_go_through_CallMcpTool()
    {
        await using var client = fixture.CreateClient(service, o => o.UseDirectToolRoute = false);
        await using var session = await client.CreateSessionAsync();
        long direct = Emulator.GetRequestCount("CallToolDirect");
        long api = Emulator.GetRequestCount("CallMcpTool");

        Assert.Equal("api\n", (await session.Commands.ExecuteAsync("echo api")).Stdout);

        Assert.Equal(api + 1, Emulator.GetRequestCount("CallMcpTool"));
        Assert.Equal(direct, Emulator.GetRequestCount("CallToolDirect"));
    }

    [Fact]
    public async Task A_deleted_session_is_SessionNotFound_on_the_direct_route()
    {
        await using var client = fixture.CreateClient(service);
        AgentBaySession session = await client.CreateSessionAsync();
        await session.DeleteAsync();

        var error = await Assert.ThrowsAsync<SessionNotFoundException>(() => session.Commands.ExecuteAsync("true"));

        Assert.Equal(System.Net.HttpStatusCode.NotFound, error.StatusCode);
        Assert.DoesNotContain(session.Token!, error.ToString(), StringComparison.Ordinal);
    }
}

/// <summary>The <see cref="DirectToolRouteTests"/> suite against AgentBay (the emulator's RPC face).</summary>
public sealed class AgentBayDirectToolRouteTests(EmulatorFixture fixture) : DirectToolRouteTests(fixture, TestService.AgentBay);

/// <summary>The <see cref="DirectToolRouteTests"/> suite against AGB (the emulator's REST face).</summary>
public sealed class AgbDirectToolRouteTests(EmulatorFixture fixture) : DirectToolRouteTests(fixture, TestService.Agb);
