using AgentBay.Lite.Tests.Rpc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;

namespace AgentBay.Lite.Tests.DependencyInjection;

/// <summary>The client sends through the named <see cref="HttpClient"/>, configurable with the usual builder calls.</summary>
public sealed class HttpClientTests
{
    [Fact]
    public async Task Handlers_and_client_settings_added_through_the_returned_builder_see_every_request()
    {
        RecordingHandler primary = DiTestSupport.LinkAnswers();
        var counting = new CountingHandler();
        var services = new ServiceCollection();
        services.AddAgentBay(DiTestSupport.Valid)
            .ConfigureHttpClient(http => http.DefaultRequestHeaders.Add("x-tenant", "t-7"))
            .AddHttpMessageHandler(() => counting)
            .ConfigurePrimaryHttpMessageHandler(() => primary);

        await using ServiceProvider provider = services.Build();
        IAgentBayClient client = provider.GetRequiredService<IAgentBayClient>();
        SessionLink first = await client.GetLinkAsync("s-1", LinkRequest.Cdp);
        SessionLink second = await client.GetLinkAsync("s-2", LinkRequest.Https(30150));

        Assert.Equal(2, counting.Count);
        Assert.Equal(2, primary.Requests.Count);
        Assert.All(primary.Requests, r => Assert.Equal("t-7", r.Headers["x-tenant"]));
        Assert.All(primary.Requests, r => Assert.Equal(DiTestSupport.Endpoint, new Uri(r.Uri.GetLeftPart(UriPartial.Path))));
        Assert.Equal("GetLink", primary.Requests[0].QueryValue("Action"));
        Assert.Equal(("R0", "R1"), (first.RequestId, second.RequestId));
    }

    [Fact]
    public void The_named_client_leaves_timeouts_to_the_sdk()
    {
        var services = new ServiceCollection();
        services.AddAgentBay(DiTestSupport.Valid);
        using ServiceProvider provider = services.Build();

        using HttpClient http = provider.GetRequiredService<IHttpClientFactory>().CreateClient("AgentBay");

        Assert.Equal(Timeout.InfiniteTimeSpan, http.Timeout);
    }

    [Fact]
    public void The_default_primary_handler_is_the_sdks_socket_handler_that_recycles_connections()
    {
        var services = new ServiceCollection();
        services.AddAgentBay(o => { DiTestSupport.Valid(o); o.Timeout = TimeSpan.FromSeconds(7); });
        using ServiceProvider provider = services.Build();

        HttpMessageHandler handler = provider.GetRequiredService<IHttpMessageHandlerFactory>().CreateHandler("AgentBay");
        while (handler is DelegatingHandler delegating)
        {
            handler = delegating.InnerHandler!;
        }

        var sockets = Assert.IsType<SocketsHttpHandler>(handler);
        Assert.Equal(AgentBayClient.PooledConnectionLifetime, sockets.PooledConnectionLifetime);
        Assert.Equal(AgentBayClient.MaxConnectionsPerServer, sockets.MaxConnectionsPerServer);
        Assert.Equal(TimeSpan.FromSeconds(7), sockets.ConnectTimeout);
    }

    [Fact]
    public void The_factory_does_not_rotate_the_handler_the_singleton_holds()
    {
        var services = new ServiceCollection();
        services.AddAgentBay(DiTestSupport.Valid);
        using ServiceProvider provider = services.Build();

        var factoryOptions = provider.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<HttpClientFactoryOptions>>().Get("AgentBay");

        Assert.Equal(Timeout.InfiniteTimeSpan, factoryOptions.HandlerLifetime);
    }
}
