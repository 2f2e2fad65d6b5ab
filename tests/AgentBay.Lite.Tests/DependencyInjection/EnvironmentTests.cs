using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AgentBay.Lite.Tests.DependencyInjection;

/// <summary><c>AddAgentBay()</c> without arguments: options from the <c>AGENTBAY_*</c> variables.</summary>
public sealed class EnvironmentTests
{
    private static AgentBayOptions Resolve(IServiceCollection services, string name = "")
    {
        using ServiceProvider provider = services.Build();
        return provider.GetRequiredService<IOptionsMonitor<AgentBayOptions>>().Get(name);
    }

    [Fact]
    public void The_variables_that_are_set_fill_the_options()
    {
        var variables = new Dictionary<string, string?>
        {
            ["AGENTBAY_API_KEY"] = "akm-env",
            ["AGENTBAY_ENDPOINT"] = "127.0.0.1:8910",
            ["AGENTBAY_TIMEOUT_MS"] = "2500",
            ["AGENTBAY_REGION_ID"] = "cn-hangzhou",
        };
        var services = new ServiceCollection();
        AgentBayServiceCollectionExtensions.AddAgentBayCore(services, null, null, variables.GetValueOrDefault);

        AgentBayOptions options = Resolve(services);

        Assert.Equal(("akm-env", new Uri("https://127.0.0.1:8910"), TimeSpan.FromMilliseconds(2500), "cn-hangzhou"),
            (options.ApiKey, options.Endpoint, options.Timeout, options.RegionId));
    }

    [Fact]
    public void Only_AGBs_key_set_registers_an_AGB_client_from_the_AGB_variables()
    {
        var variables = new Dictionary<string, string?>
        {
            ["AGB_API_KEY"] = "akm-agb",
            ["AGB_ENDPOINT"] = "http://127.0.0.1:8911",
            ["AGB_TIMEOUT_MS"] = "3500",
            ["AGENTBAY_REGION_ID"] = "cn-hangzhou",
        };
        var services = new ServiceCollection();
        AgentBayServiceCollectionExtensions.AddAgentBayCore(services, null, null, variables.GetValueOrDefault);

        AgentBayOptions options = Resolve(services);

        Assert.Equal((AgentBayService.Agb, "akm-agb", new Uri("http://127.0.0.1:8911"), TimeSpan.FromMilliseconds(3500), (string?)null),
            (options.Service, options.ApiKey, options.Endpoint, options.Timeout, options.RegionId));
    }

    [Fact]
    public void Unset_variables_keep_earlier_settings_and_later_configuration_wins()
    {
        var variables = new Dictionary<string, string?> { ["AGENTBAY_API_KEY"] = "akm-env", ["AGENTBAY_REGION_ID"] = " " };
        var services = new ServiceCollection();
        services.AddAgentBay(o => { o.Endpoint = new Uri("http://127.0.0.1:9000"); o.RegionId = "cn-shanghai"; });
        AgentBayServiceCollectionExtensions.AddAgentBayCore(services, null, null, variables.GetValueOrDefault);
        services.AddAgentBay(o => o.Timeout = TimeSpan.FromSeconds(3));

        AgentBayOptions options = Resolve(services);

        Assert.Equal(("akm-env", new Uri("http://127.0.0.1:9000"), TimeSpan.FromSeconds(3), "cn-shanghai"),
            (options.ApiKey, options.Endpoint, options.Timeout, options.RegionId));
    }

    [Fact]
    public void A_malformed_variable_fails_at_resolution_naming_it()
    {
        var variables = new Dictionary<string, string?> { ["AGENTBAY_API_KEY"] = "akm-env", ["AGENTBAY_TIMEOUT_MS"] = "soon" };
        var services = new ServiceCollection();
        AgentBayServiceCollectionExtensions.AddAgentBayCore(services, "k", null, variables.GetValueOrDefault);
        using ServiceProvider provider = services.Build();

        var ex = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredKeyedService<IAgentBayClient>("k"));

        Assert.Contains("AGENTBAY_TIMEOUT_MS is 'soon'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void No_variables_means_no_key_and_a_validation_error_that_points_at_AGENTBAY_API_KEY()
    {
        var services = new ServiceCollection();
        AgentBayServiceCollectionExtensions.AddAgentBayCore(services, null, null, static _ => null);
        using ServiceProvider provider = services.Build();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IAgentBayClient>());

        Assert.Contains("AGENTBAY_API_KEY", ex.Message, StringComparison.Ordinal);
    }
}

/// <summary>The public overloads read the real process environment, so these run alone (never beside other tests).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessEnvironmentGroup
{
    public const string Name = "process environment";
}

[Collection(ProcessEnvironmentGroup.Name)]
public sealed class ProcessEnvironmentTests
{
    [Fact]
    public void AddAgentBay_and_AddKeyedAgentBay_without_configuration_read_the_process_environment()
    {
        string? savedKey = Environment.GetEnvironmentVariable("AGENTBAY_API_KEY");
        string? savedEndpoint = Environment.GetEnvironmentVariable("AGENTBAY_ENDPOINT");
        string key = "akm-process-" + Guid.NewGuid().ToString("N");
        try
        {
            Environment.SetEnvironmentVariable("AGENTBAY_API_KEY", key);
            Environment.SetEnvironmentVariable("AGENTBAY_ENDPOINT", "http://127.0.0.1:18123");
            var services = new ServiceCollection();
            services.AddAgentBay();
            services.AddKeyedAgentBay("k");

            using ServiceProvider provider = services.Build();
            IOptionsMonitor<AgentBayOptions> monitor = provider.GetRequiredService<IOptionsMonitor<AgentBayOptions>>();

            Assert.Equal((key, new Uri("http://127.0.0.1:18123")), (monitor.Get("").ApiKey, monitor.Get("").Endpoint));
            Assert.Equal((key, new Uri("http://127.0.0.1:18123")), (monitor.Get("k").ApiKey, monitor.Get("k").Endpoint));
            Assert.NotNull(provider.GetRequiredService<IAgentBayClient>());
        }
        finally
        {
            Environment.SetEnvironmentVariable("AGENTBAY_API_KEY", savedKey);
            Environment.SetEnvironmentVariable("AGENTBAY_ENDPOINT", savedEndpoint);
        }
    }
}
