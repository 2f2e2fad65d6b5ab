using System.Net;
using AgentBay.Lite.Emulator;

namespace AgentBay.Lite.IntegrationTests.Errors;

/// <summary>Every documented refusal reachable through the SDK, as the typed exception carrying the service's words.</summary>
public sealed class RefusalTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>
{
    private const string UnknownSession = "session-0000000000000unkn";

    [Fact]
    public async Task Cdp_on_a_non_browser_image_carries_the_services_code_and_message()
    {
        await using var client = fixture.CreateClient();
        await using AgentBaySession session = await client.CreateSessionAsync(new CreateSessionOptions { ImageId = "linux_latest" });

        var ex = await Assert.ThrowsAsync<AgentBayException>(() => session.GetLinkAsync(LinkRequest.Cdp).AsTask());

        Assert.Equal(typeof(AgentBayException), ex.GetType());
        Assert.Equal("InvalidOperation.CdpUnsupportedImage", ex.Code);
        Assert.Equal("no port specified, cdp default, but only BrowserUse image support cdp", ex.ServerMessage);
        Assert.Equal(HttpStatusCode.BadRequest, ex.StatusCode);
        Assert.False(string.IsNullOrEmpty(ex.RequestId));
        Assert.Contains("GetLink", ex.Message, StringComparison.Ordinal);
        Assert.Contains("InvalidOperation.CdpUnsupportedImage", ex.Message, StringComparison.Ordinal);
        Assert.Contains(ex.RequestId!, ex.Message, StringComparison.Ordinal);
    }

    /// <summary>The calls that take a session id on the client.</summary>
    public static TheoryData<string> ClientCalls => ["GetSession", "GetLink", "RefreshLink", "Delete"];

    /// <summary>Every call naming a session: the client's, and those on a session object.</summary>
    public static TheoryData<string> SessionCalls =>
        ["GetSession", "GetLink", "RefreshLink", "Delete", "Session.GetInfo", "Session.GetLink", "Session.Delete", "Session.Command", "Session.WriteFile", "Session.ReadFile"];

    [Theory]
    [MemberData(nameof(ClientCalls))]
    public async Task An_unknown_session_is_SessionNotFoundException(string call)
    {
        await using var client = fixture.CreateClient();

        var ex = await Assert.ThrowsAsync<SessionNotFoundException>(() => CallAsync(client, session: null, call, UnknownSession));

        AssertNotFound(ex, UnknownSession);
    }

    [Theory]
    [MemberData(nameof(SessionCalls))]
    public async Task A_deleted_session_is_SessionNotFoundException(string call)
    {
        await using var client = fixture.CreateClient();
        AgentBaySession session = await client.CreateSessionAsync(new CreateSessionOptions { ImageId = "browser_latest" });
        await client.DeleteSessionAsync(session.Id); // not through the object, which would remember it

        var ex = await Assert.ThrowsAsync<SessionNotFoundException>(() => CallAsync(client, session, call, session.Id));

        AssertNotFound(ex, session.Id);
    }

    [Fact]
    public async Task A_wrong_api_key_is_AgentBayAuthenticationException()
    {
        await using var client = fixture.CreateClient(o => o.ApiKey = "akm-wrong-key");

        var ex = await Assert.ThrowsAsync<AgentBayAuthenticationException>(() => client.CreateSessionAsync());

        Assert.Equal("NOT_LOGIN", ex.Code);
        Assert.False(string.IsNullOrEmpty(ex.ServerMessage));
        Assert.Contains("AgentBayOptions.ApiKey", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("akm-wrong-key", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_api_key_is_refused_for_every_kind_of_call()
    {
        await using var good = fixture.CreateClient();
        await using AgentBaySession session = await good.CreateSessionAsync(new CreateSessionOptions { ImageId = "browser_latest" });
        await using var client = fixture.CreateClient(o => o.ApiKey = "akm-wrong-key");

        // Session objects belong to the client that made them, so a client with a wrong key reaches sessions by id.
        foreach (string call in new[] { "GetSession", "GetLink", "RefreshLink", "Delete" })
        {
            await Assert.ThrowsAsync<AgentBayAuthenticationException>(() => CallAsync(client, session: null, call, session.Id));
        }

        await Assert.ThrowsAsync<AgentBayAuthenticationException>(() => SessionsOf(client));
        LinkResult result = Assert.Single(await client.GetLinksAsync([new LinkTarget(session.Id, LinkRequest.Cdp)]));
        Assert.IsType<AgentBayAuthenticationException>(result.Error);

        // Nothing was deleted with the wrong key.
        Assert.Equal(session.Id, (await good.GetSessionAsync(session.Id)).Id);
    }

    [Fact]
    public async Task The_shell_disabled_on_the_service_is_the_tools_refusal()
    {
        await using AgentBayEmulator noExec = await AgentBayEmulator.StartAsync(new AgentBayEmulatorOptions { DisableExec = true });
        await using var client = new AgentBayClient(new AgentBayOptions { ApiKey = noExec.ApiKey, Endpoint = noExec.Endpoint });
        await using AgentBaySession session = await client.CreateSessionAsync();

        var ex = await Assert.ThrowsAsync<AgentBayException>(() => session.Commands.ExecuteAsync("echo hi"));

        Assert.Contains("disabled", ex.ServerMessage, StringComparison.Ordinal);
        Assert.Contains(session.Id, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_disposed_client_refuses_calls()
    {
        var client = fixture.CreateClient();
        await client.DisposeAsync();
        client.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => client.CreateSessionAsync());
        await Assert.ThrowsAsync<ObjectDisposedException>(() => client.GetLinkAsync(UnknownSession, LinkRequest.Cdp).AsTask());
    }

    private static void AssertNotFound(SessionNotFoundException ex, string sessionId)
    {
        Assert.Equal(sessionId, ex.SessionId);
        Assert.Equal("InvalidMcpSession.NotFound", ex.Code);
        Assert.False(string.IsNullOrEmpty(ex.ServerMessage));
        // 400 with the envelope from the API; 404 from the session's link_url (tool calls take the direct route).
        Assert.Contains(ex.StatusCode, new HttpStatusCode?[] { HttpStatusCode.BadRequest, HttpStatusCode.NotFound });
        Assert.Contains(sessionId, ex.Message, StringComparison.Ordinal);
    }

    private static async Task SessionsOf(AgentBayClient client)
    {
        await foreach (SessionSummary _ in client.ListSessionsAsync())
        {
        }
    }

    /// <summary>One SDK call naming a session, through the client or through <paramref name="session"/>.</summary>
    private static async Task CallAsync(AgentBayClient client, AgentBaySession? session, string call, string sessionId)
    {
        switch (call)
        {
            case "GetSession":
                await client.GetSessionAsync(sessionId);
                break;
            case "GetLink":
                await client.GetLinkAsync(sessionId, LinkRequest.Https(30150));
                break;
            case "RefreshLink":
                await client.RefreshLinkAsync(sessionId, LinkRequest.Wss(30180));
                break;
            case "Delete":
                await client.DeleteSessionAsync(sessionId);
                break;
            case "Session.GetInfo":
                await session!.GetInfoAsync();
                break;
            case "Session.GetLink":
                await session!.GetLinkAsync(LinkRequest.Cdp);
                break;
            case "Session.Delete":
                await session!.DeleteAsync();
                break;
            case "Session.Command":
                await session!.Commands.ExecuteAsync("echo hi");
                break;
            case "Session.WriteFile":
                await session!.Files.WriteAsync("a.txt", "x");
                break;
            case "Session.ReadFile":
                await session!.Files.ReadAsync("a.txt");
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(call), call, null);
        }
    }
}
