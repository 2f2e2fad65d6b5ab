using AgentBay.Lite.Tests.Rpc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AgentBay.Lite.Tests.DependencyInjection;

/// <summary>The shape of <c>services.AddAgentBay(...)</c>: what it registers, null checks, idempotency, TryAdd.</summary>
public sealed class RegistrationTests
{
    [Fact]
    public void Null_arguments_are_rejected_with_their_names()
    {
        IServiceCollection services = new ServiceCollection();

        Assert.Equal("services", Assert.Throws<ArgumentNullException>(() => AgentBayServiceCollectionExtensions.AddAgentBay(null!)).ParamName);
        Assert.Equal("services", Assert.Throws<ArgumentNullException>(() => AgentBayServiceCollectionExtensions.AddAgentBay(null!, DiTestSupport.Valid)).ParamName);
        Assert.Equal("configure", Assert.Throws<ArgumentNullException>(() => services.AddAgentBay(null!)).ParamName);
        Assert.Equal("services", Assert.Throws<ArgumentNullException>(() => AgentBayServiceCollectionExtensions.AddKeyedAgentBay(null!, "k")).ParamName);
        Assert.Equal("configure", Assert.Throws<ArgumentNullException>(() => services.AddKeyedAgentBay("k", null!)).ParamName);
        Assert.Empty(services);
    }

    [Fact]
    public void It_returns_the_builder_of_the_named_http_client_on_the_same_collection()
    {
        var services = new ServiceCollection();

        IHttpClientBuilder builder = services.AddAgentBay(DiTestSupport.Valid);
        IHttpClientBuilder again = services.AddAgentBay(DiTestSupport.Valid);
        var marker = new object();
        builder.Services.AddKeyedSingleton("marker", marker);

        Assert.Equal("AgentBay", builder.Name);
        Assert.Same(builder, again);
        Assert.Contains(services, d => d.IsKeyedService && ReferenceEquals(d.KeyedImplementationInstance, marker));
    }

    [Fact]
    public void The_client_is_one_singleton_behind_both_the_interface_and_the_class()
    {
        var services = new ServiceCollection();
        services.AddAgentBay(DiTestSupport.Valid);

        Assert.Equal(ServiceLifetime.Singleton, Assert.Single(services, d => d.ServiceType == typeof(IAgentBayClient)).Lifetime);
        Assert.Equal(ServiceLifetime.Singleton, Assert.Single(services, d => d.ServiceType == typeof(AgentBayClient)).Lifetime);
        Assert.All(
            services.Where(d => d.ServiceType == typeof(IAgentBayClient) || d.ServiceType == typeof(AgentBayClient)),
            d => Assert.True(d.ImplementationFactory is not null, $"{d.ServiceType.Name} is not registered with a factory lambda"));

        using ServiceProvider provider = services.Build();
        IAgentBayClient first = provider.GetRequiredService<IAgentBayClient>();
        using IServiceScope scope = provider.CreateScope();

        Assert.IsType<AgentBayClient>(first);
        Assert.Same(first, provider.GetRequiredService<AgentBayClient>());
        Assert.Same(first, scope.ServiceProvider.GetRequiredService<IAgentBayClient>());
    }

    [Fact]
    public void Calling_it_twice_adds_nothing_but_the_second_configuration()
    {
        var once = new ServiceCollection();
        once.AddAgentBay(DiTestSupport.Valid);
        var twice = new ServiceCollection();
        twice.AddAgentBay(DiTestSupport.Valid);
        twice.AddAgentBay(o => o.RegionId = "cn-hangzhou");

        // The only extra descriptor is the second configure action.
        List<Type> extra = twice.Select(d => d.ServiceType).ToList();
        foreach (Type type in once.Select(d => d.ServiceType))
        {
            extra.Remove(type);
        }

        Assert.Equal([typeof(IConfigureOptions<AgentBayOptions>)], extra);
        Assert.Single(twice, d => d.ServiceType == typeof(IAgentBayClient));

        using ServiceProvider provider = twice.Build();
        AgentBayOptions options = provider.GetRequiredService<IOptionsMonitor<AgentBayOptions>>().Get(Options.DefaultName);
        Assert.Equal((DiTestSupport.ApiKey, "cn-hangzhou"), (options.ApiKey, options.RegionId));
    }

    [Fact]
    public void Reading_the_environment_twice_registers_it_once()
    {
        var variables = new Dictionary<string, string?> { ["AGENTBAY_API_KEY"] = "akm-env" };
        var services = new ServiceCollection();
        AgentBayServiceCollectionExtensions.AddAgentBayCore(services, null, null, variables.GetValueOrDefault);
        int count = services.Count;

        AgentBayServiceCollectionExtensions.AddAgentBayCore(services, null, null, variables.GetValueOrDefault);

        Assert.Equal(count, services.Count);
    }

    [Fact]
    public void Configurations_apply_in_call_order()
    {
        var services = new ServiceCollection();
        services.AddAgentBay(o => { o.ApiKey = "akm-first"; o.RegionId = "cn-shanghai"; });
        services.AddAgentBay(o => o.ApiKey = "akm-second");

        using ServiceProvider provider = services.Build();
        AgentBayOptions options = provider.GetRequiredService<IOptions<AgentBayOptions>>().Value;

        Assert.Equal(("akm-second", "cn-shanghai"), (options.ApiKey, options.RegionId));
    }

    [Fact]
    public void A_client_registered_before_is_kept()
    {
        var services = new ServiceCollection();
        var mine = Substitute.For<IAgentBayClient>();
        services.AddSingleton(mine);

        services.AddAgentBay(DiTestSupport.Valid);

        using ServiceProvider provider = services.Build();
        Assert.Same(mine, provider.GetRequiredService<IAgentBayClient>());
    }

    [Fact]
    public async Task Disposing_the_container_disposes_the_client()
    {
        var services = new ServiceCollection();
        services.AddAgentBay(DiTestSupport.Valid).ConfigurePrimaryHttpMessageHandler(() => DiTestSupport.LinkAnswers());
        ServiceProvider provider = services.Build();
        IAgentBayClient client = provider.GetRequiredService<IAgentBayClient>();

        await provider.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await client.GetLinkAsync("s-1", LinkRequest.Cdp));
    }

    [Fact]
    public void Options_are_named_and_visible_through_snapshot_and_monitor()
    {
        var services = new ServiceCollection();
        services.AddAgentBay(DiTestSupport.Valid);
        services.AddKeyedAgentBay("sg", o => { DiTestSupport.Valid(o); o.RegionId = "ap-southeast-1"; });

        using ServiceProvider provider = services.Build();
        using IServiceScope scope = provider.CreateScope();
        IOptionsSnapshot<AgentBayOptions> snapshot = scope.ServiceProvider.GetRequiredService<IOptionsSnapshot<AgentBayOptions>>();
        IOptionsMonitor<AgentBayOptions> monitor = provider.GetRequiredService<IOptionsMonitor<AgentBayOptions>>();

        Assert.Null(snapshot.Value.RegionId);
        Assert.Equal("ap-southeast-1", snapshot.Get("sg").RegionId);
        Assert.Equal("ap-southeast-1", monitor.Get("sg").RegionId);
    }
}
