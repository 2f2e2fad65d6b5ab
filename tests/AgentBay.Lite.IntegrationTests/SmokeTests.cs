namespace AgentBay.Lite.IntegrationTests;

/// <summary>The shortest end-to-end path: create, link, delete, over real loopback HTTP.</summary>
public sealed class SmokeTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>
{
    [Fact]
    public async Task A_browser_session_gives_a_cdp_link_and_is_gone_after_dispose()
    {
        await using var client = fixture.CreateClient();
        string sessionId;

        await using (AgentBaySession session = await client.CreateSessionAsync(new CreateSessionOptions { ImageId = "browser_latest" }))
        {
            sessionId = session.Id;
            SessionLink cdp = await session.GetLinkAsync(LinkRequest.Cdp);

            Assert.Matches("^session-[a-z0-9]{17}$", session.Id);
            Assert.Equal("ws", cdp.Url.Scheme);
            Assert.Equal(fixture.Emulator.Endpoint.Authority, cdp.Url.Authority);
            Assert.StartsWith("/websocket_ai/", cdp.Url.AbsolutePath, StringComparison.Ordinal);
            Assert.Equal(session.Id, fixture.Emulator.ResolveLinkToken(cdp.Url.AbsolutePath["/websocket_ai/".Length..]));
        }

        await Assert.ThrowsAsync<SessionNotFoundException>(() => client.GetSessionAsync(sessionId));
    }
}
