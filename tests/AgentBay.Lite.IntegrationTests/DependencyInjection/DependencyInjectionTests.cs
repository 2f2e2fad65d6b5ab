using Microsoft.Extensions.DependencyInjection;

namespace AgentBay.Lite.IntegrationTests.DependencyInjection;

/// <summary>Clients resolved from <c>services.AddAgentBay(...)</c> against the emulator over real loopback HTTP.</summary>
public sealed class DependencyInjectionTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>
{
    [Fact]
    public async Task A_resolved_client_runs_a_session_through_the_named_http_client()
    {
        var counting = new CountingHandler();
        var services = new ServiceCollection();
        services.AddAgentBay(o => { o.ApiKey = fixture.Emulator.ApiKey; o.Endpoint = fixture.Emulator.Endpoint; })
            .AddHttpMessageHandler(() => counting);
        await using ServiceProvider provider = services.BuildServiceProvider(validateScopes: true);
        IAgentBayClient client = provider.GetRequiredService<IAgentBayClient>();
        fixture.Emulator.ResetRequestCounts(); // tests in one class run one at a time
        string sessionId;

        await using (AgentBaySession session = await client.CreateSessionAsync(new CreateSessionOptions { ImageId = "browser_latest" }))
        {
            sessionId = session.Id;
            SessionLink cdp = await session.GetLinkAsync(LinkRequest.Cdp);
            SessionLink https = await client.GetLinkAsync(session.Id, LinkRequest.Https(30150));

            Assert.Equal(session.Id, fixture.Emulator.ResolveLinkToken(cdp.Url.AbsolutePath["/websocket_ai/".Length..]));
            Assert.Equal(("ws", "http"), (cdp.Url.Scheme, https.Url.Scheme));
        }

        await Assert.ThrowsAsync<SessionNotFoundException>(() => client.GetSessionAsync(sessionId));
        // Every request the emulator received went through the handler added with the returned builder.
        long received = fixture.Emulator.GetRequestCounts().Values.Sum();
        Assert.True(received >= 6, $"the emulator saw only {received} requests"); // create, 2 links, delete, status, get
        Assert.Equal(received, counting.Count);
    }

    [Fact]
    public async Task Keyed_clients_carry_their_own_keys_to_the_service()
    {
        var services = new ServiceCollection();
        services.AddKeyedAgentBay("right", o => { o.ApiKey = fixture.Emulator.ApiKey; o.Endpoint = fixture.Emulator.Endpoint; });
        services.AddKeyedAgentBay("wrong", o => { o.ApiKey = "akm-not-the-emulators"; o.Endpoint = fixture.Emulator.Endpoint; });
        await using ServiceProvider provider = services.BuildServiceProvider(validateScopes: true);

        IAgentBayClient right = provider.GetRequiredKeyedService<IAgentBayClient>("right");
        IAgentBayClient wrong = provider.GetRequiredKeyedService<IAgentBayClient>("wrong");

        await using AgentBaySession session = await right.CreateSessionAsync();
        await Assert.ThrowsAsync<AgentBayAuthenticationException>(() => wrong.CreateSessionAsync());
        Assert.Equal("http", (await right.GetLinkAsync(session.Id, LinkRequest.Https(30150))).Url.Scheme);
    }

    private sealed class CountingHandler : DelegatingHandler
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _count);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
