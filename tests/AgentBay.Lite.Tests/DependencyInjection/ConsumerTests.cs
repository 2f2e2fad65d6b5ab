using Microsoft.Extensions.DependencyInjection;
using NSubstitute.ExceptionExtensions;

namespace AgentBay.Lite.Tests.DependencyInjection;

/// <summary>An application service that depends on <see cref="IAgentBayClient"/>, as a consumer would write it.</summary>
public sealed class PreviewLinks(IAgentBayClient agentBay)
{
    /// <summary>The HTTPS link to the web app a session serves on port 30150, or null if the service refuses.</summary>
    public async Task<Uri?> TryGetPreviewAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        try
        {
            SessionLink link = await agentBay.GetLinkAsync(sessionId, LinkRequest.Https(30150), cancellationToken);
            return link.Url;
        }
        catch (SessionNotFoundException)
        {
            return null;
        }
    }
}

/// <summary>Consumers test their own code against a substituted <see cref="IAgentBayClient"/>, with or without the container.</summary>
public sealed class ConsumerTests
{
    [Fact]
    public async Task A_consumer_gets_its_link_from_a_substituted_client()
    {
        var agentBay = Substitute.For<IAgentBayClient>();
        agentBay.GetLinkAsync("s-1", LinkRequest.Https(30150), Arg.Any<CancellationToken>())
            .Returns(AgentBayModelFactory.SessionLink(new Uri("https://gw.example.test/request_ai/t/path/"), LinkRequest.Https(30150), "s-1"));

        Uri? preview = await new PreviewLinks(agentBay).TryGetPreviewAsync("s-1");

        Assert.Equal(new Uri("https://gw.example.test/request_ai/t/path/"), preview);
        await agentBay.Received(1).GetLinkAsync("s-1", LinkRequest.Https(30150), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task A_substitute_registered_before_AddAgentBay_is_what_the_container_injects()
    {
        var agentBay = Substitute.For<IAgentBayClient>();
        agentBay.GetLinkAsync("gone", Arg.Any<LinkRequest>(), Arg.Any<CancellationToken>())
            .ThrowsAsync(new SessionNotFoundException("Resource [McpSession] is not found."));
        var services = new ServiceCollection();
        services.AddSingleton(agentBay);
        services.AddAgentBay(DiTestSupport.Valid); // the application's own registration, unchanged in the test
        services.AddSingleton<PreviewLinks>(sp => new PreviewLinks(sp.GetRequiredService<IAgentBayClient>()));

        await using ServiceProvider provider = services.Build();
        Uri? preview = await provider.GetRequiredService<PreviewLinks>().TryGetPreviewAsync("gone");

        Assert.Null(preview);
        await agentBay.Received(1).GetLinkAsync("gone", LinkRequest.Https(30150), Arg.Any<CancellationToken>());
    }
}
