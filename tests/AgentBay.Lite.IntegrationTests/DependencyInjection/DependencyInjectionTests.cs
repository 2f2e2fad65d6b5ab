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

    [Fact]
    public async Task An_AGB_client_and_an_AgentBay_client_live_side_by_side_in_one_container()
    {
        var agbPaths = new PathRecorder();
        var services = new ServiceCollection();
        services.AddAgentBay(o => { o.ApiKey = fixture.Emulator.ApiKey; o.Endpoint = fixture.Emulator.Endpoint; });
        services.AddKeyedAgentBay("agb", o => { o.Service = AgentBayService.Agb; o.ApiKey = fixture.Emulator.ApiKey; o.Endpoint = fixture.Emulator.Endpoint; })
            .AddHttpMessageHandler(() => agbPaths);
        await using ServiceProvider provider = services.BuildServiceProvider(validateScopes: true);
        IAgentBayClient agentBay = provider.GetRequiredService<IAgentBayClient>();
        IAgentBayClient agb = provider.GetRequiredKeyedService<IAgentBayClient>("agb");

        await using AgentBaySession session = await agb.CreateSessionAsync();
        SessionLink link = await agb.GetLinkAsync(session.Id, LinkRequest.Https(30150));
        AgentBaySession sameSession = await agentBay.GetSessionAsync(session.Id);

        Assert.Equal(session.Id, fixture.Emulator.ResolveLinkToken(link.Url.Segments[2].TrimEnd('/')));
        Assert.Equal(session.ResourceId, sameSession.ResourceId);
        Assert.Equal(["/mcp/createSession", "/internet/getLink"], agbPaths.Paths);
    }

    private sealed class PathRecorder : DelegatingHandler
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _paths = new();

        public string[] Paths => [.. _paths];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            _paths.Enqueue(request.RequestUri!.AbsolutePath);
            return base.SendAsync(request, cancellationToken);
        }
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
