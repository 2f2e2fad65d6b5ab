using AgentBay.Lite.Tests.Rpc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AgentBay.Lite.Tests.DependencyInjection;

/// <summary><c>AddKeyedAgentBay</c>: several accounts or gateways side by side.</summary>
public sealed class KeyedRegistrationTests
{
    [Fact]
    public async Task Keyed_clients_are_distinct_and_each_sends_with_its_own_options_through_its_own_http_client()
    {
        RecordingHandler shanghai = DiTestSupport.LinkAnswers();
        RecordingHandler singapore = DiTestSupport.LinkAnswers();
        var services = new ServiceCollection();
        IHttpClientBuilder sh = services.AddKeyedAgentBay("shanghai", o => { o.ApiKey = "akm-sh"; o.Endpoint = new Uri("http://127.0.0.1:18101"); })
            .ConfigurePrimaryHttpMessageHandler(() => shanghai);
        IHttpClientBuilder sg = services.AddKeyedAgentBay("singapore", o => { o.ApiKey = "akm-sg"; o.Endpoint = new Uri("http://127.0.0.1:18102"); })
            .ConfigurePrimaryHttpMessageHandler(() => singapore);

        await using ServiceProvider provider = services.Build();
        IAgentBayClient a = provider.GetRequiredKeyedService<IAgentBayClient>("shanghai");
        IAgentBayClient b = provider.GetRequiredKeyedService<IAgentBayClient>("singapore");
        await a.GetLinkAsync("s-a", LinkRequest.Cdp);
        await b.GetLinkAsync("s-b", LinkRequest.Wss(30180));

        Assert.Equal(("AgentBay:shanghai", "AgentBay:singapore"), (sh.Name, sg.Name));
        Assert.NotSame(a, b);
        Assert.Same(a, provider.GetRequiredKeyedService<AgentBayClient>("shanghai"));
        Assert.Null(provider.GetService<IAgentBayClient>()); // no unkeyed client was registered

        RecordedRequest toA = Assert.Single(shanghai.Requests);
        RecordedRequest toB = Assert.Single(singapore.Requests);
        Assert.Equal(("http://127.0.0.1:18101/", "Bearer akm-sh", "s-a"), (toA.Uri.GetLeftPart(UriPartial.Path), toA.FormValue("Authorization"), toA.FormValue("SessionId")));
        Assert.Equal(("http://127.0.0.1:18102/", "Bearer akm-sg", "s-b"), (toB.Uri.GetLeftPart(UriPartial.Path), toB.FormValue("Authorization"), toB.FormValue("SessionId")));
    }

    [Fact]
    public void Keyed_and_default_registrations_coexist_with_separate_options()
    {
        var services = new ServiceCollection();
        services.AddAgentBay(o => { DiTestSupport.Valid(o); o.RegionId = "cn-shanghai"; });
        services.AddKeyedAgentBay(42, o => { DiTestSupport.Valid(o); o.RegionId = "cn-hangzhou"; });

        using ServiceProvider provider = services.Build();
        IOptionsMonitor<AgentBayOptions> monitor = provider.GetRequiredService<IOptionsMonitor<AgentBayOptions>>();

        Assert.NotSame(provider.GetRequiredService<IAgentBayClient>(), provider.GetRequiredKeyedService<IAgentBayClient>(42));
        Assert.Equal(("cn-shanghai", "cn-hangzhou"), (monitor.Get(Options.DefaultName).RegionId, monitor.Get("42").RegionId));
    }

    [Fact]
    public void A_null_key_is_the_default_registration()
    {
        var services = new ServiceCollection();

        IHttpClientBuilder builder = services.AddKeyedAgentBay(null, DiTestSupport.Valid);
        int count = services.Count;
        services.AddAgentBay();

        using ServiceProvider provider = services.Build();
        Assert.Equal("AgentBay", builder.Name);
        Assert.Equal(count + 1, services.Count); // only the environment configuration was added
        Assert.NotNull(provider.GetRequiredService<IAgentBayClient>());
    }

    [Fact]
    public void The_same_key_twice_is_one_client()
    {
        var services = new ServiceCollection();
        services.AddKeyedAgentBay("k", DiTestSupport.Valid);
        services.AddKeyedAgentBay("k", o => o.RegionId = "cn-hangzhou");

        using ServiceProvider provider = services.Build();

        Assert.Single(services, d => d.ServiceType == typeof(IAgentBayClient) && Equals(d.ServiceKey, "k"));
        Assert.Equal("cn-hangzhou", provider.GetRequiredService<IOptionsMonitor<AgentBayOptions>>().Get("k").RegionId);
    }

    [Fact]
    public void Keys_that_read_the_same_are_refused()
    {
        var services = new ServiceCollection();
        services.AddKeyedAgentBay(1, DiTestSupport.Valid);

        var ex = Assert.Throws<InvalidOperationException>(() => services.AddKeyedAgentBay("1", DiTestSupport.Valid));

        Assert.Contains("keyed '1' (Int32)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("ToString() differ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Any_key_and_keys_without_text_are_refused()
    {
        var services = new ServiceCollection();

        var any = Assert.Throws<ArgumentException>(() => services.AddKeyedAgentBay(KeyedService.AnyKey, DiTestSupport.Valid));
        var blank = Assert.Throws<ArgumentException>(() => services.AddKeyedAgentBay(" ", DiTestSupport.Valid));

        Assert.Equal(("serviceKey", "serviceKey"), (any.ParamName, blank.ParamName));
        Assert.Contains("AnyKey", any.Message, StringComparison.Ordinal);
        Assert.Empty(services);
    }
}
