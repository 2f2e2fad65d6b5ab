using AgentBay.Lite.Tests.Rpc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AgentBay.Lite.Tests.DependencyInjection;

/// <summary>Invalid options fail when the client is resolved and when a host starts, naming the setting, before any request.</summary>
public sealed class ValidationTests
{
    [Fact]
    public void Resolving_a_client_without_a_key_fails_naming_the_setting_and_its_variable_and_sends_nothing()
    {
        var handler = new RecordingHandler();
        var services = new ServiceCollection();
        services.AddAgentBay(o => o.Endpoint = DiTestSupport.Endpoint).ConfigurePrimaryHttpMessageHandler(() => handler);
        using ServiceProvider provider = services.Build();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IAgentBayClient>());

        Assert.Equal(Options.DefaultName, ex.OptionsName);
        Assert.Contains("AgentBayOptions.ApiKey is missing", ex.Message, StringComparison.Ordinal);
        Assert.Contains("AGENTBAY_API_KEY", ex.Message, StringComparison.Ordinal);
        Assert.StartsWith("AgentBay client (AddAgentBay): ", ex.Message, StringComparison.Ordinal);
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public void A_keyed_failure_names_its_key_and_leaves_the_other_clients_alone()
    {
        var services = new ServiceCollection();
        services.AddKeyedAgentBay("good", DiTestSupport.Valid);
        services.AddKeyedAgentBay("bad", o => { DiTestSupport.Valid(o); o.Endpoint = new Uri("http://127.0.0.1:18091/api/"); o.Timeout = TimeSpan.Zero; });
        using ServiceProvider provider = services.Build();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredKeyedService<IAgentBayClient>("bad"));

        Assert.Equal("bad", ex.OptionsName);
        Assert.Equal(2, ex.Failures.Count());
        Assert.All(ex.Failures, f => Assert.StartsWith("AgentBay client keyed 'bad' (AddKeyedAgentBay): ", f, StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.Contains("AgentBayOptions.Endpoint 'http://127.0.0.1:18091/api/' has a path", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.Contains("AgentBayOptions.Timeout is 00:00:00", StringComparison.Ordinal));
        Assert.NotNull(provider.GetRequiredKeyedService<IAgentBayClient>("good"));
    }

    [Fact]
    public void An_http_client_or_handler_in_the_options_is_refused_with_the_builder_call_to_use_instead()
    {
        using var handler = new RecordingHandler();
        using var http = new HttpClient();
        var services = new ServiceCollection();
        services.AddAgentBay(o => { DiTestSupport.Valid(o); o.HttpMessageHandler = handler; });
        services.AddKeyedAgentBay("k", o => { DiTestSupport.Valid(o); o.HttpClient = http; });
        using ServiceProvider provider = services.Build();

        var handlerError = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IAgentBayClient>());
        var clientError = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredKeyedService<IAgentBayClient>("k"));

        Assert.Contains("AgentBayOptions.HttpMessageHandler is set", handlerError.Message, StringComparison.Ordinal);
        Assert.Contains("ConfigurePrimaryHttpMessageHandler", handlerError.Message, StringComparison.Ordinal);
        Assert.Contains("AgentBayOptions.HttpClient is set", clientError.Message, StringComparison.Ordinal);
        Assert.Contains("'AgentBay:k'", clientError.Message, StringComparison.Ordinal);
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public void The_startup_validator_checks_every_registration()
    {
        var services = new ServiceCollection();
        services.AddAgentBay(DiTestSupport.Valid);
        services.AddKeyedAgentBay("nokey", o => o.Endpoint = DiTestSupport.Endpoint);
        using ServiceProvider provider = services.Build();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Equal("nokey", ex.OptionsName);
        Assert.Contains("AgentBayOptions.ApiKey is missing", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_host_with_invalid_options_does_not_start()
    {
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddAgentBay(o => { o.ApiKey = "akm-x"; o.Endpoint = new Uri("ftp://127.0.0.1/"); });
        using IHost host = builder.Build();

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("AgentBayOptions.Endpoint 'ftp://127.0.0.1/' is not an absolute http or https URI", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_host_with_valid_options_starts_and_serves_the_client()
    {
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddAgentBay(DiTestSupport.Valid);
        using IHost host = builder.Build();

        await host.StartAsync();
        try
        {
            Assert.IsType<AgentBayClient>(host.Services.GetRequiredService<IAgentBayClient>());
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public void A_validator_ignores_options_no_registration_owns()
    {
        var services = new ServiceCollection();
        services.AddKeyedAgentBay("k", DiTestSupport.Valid);
        using ServiceProvider provider = services.Build();

        // The default-named options were never registered with AddAgentBay: empty, but not this validator's business.
        AgentBayOptions unowned = provider.GetRequiredService<IOptionsMonitor<AgentBayOptions>>().Get(Options.DefaultName);

        Assert.Null(unowned.ApiKey);
    }
}
