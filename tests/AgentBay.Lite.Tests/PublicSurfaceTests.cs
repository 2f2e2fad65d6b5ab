using System.Reflection;

namespace AgentBay.Lite.Tests;

public class PublicSurfaceTests
{
    private static IEnumerable<MethodInfo> PublicAsyncMethods() =>
        typeof(AgentBayClient).Assembly.GetExportedTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Where(m => m.Name.EndsWith("Async", StringComparison.Ordinal) && m.Name != "DisposeAsync");

    [Fact]
    public void Every_public_async_method_takes_a_cancellation_token_last()
    {
        List<MethodInfo> methods = PublicAsyncMethods().ToList();
        Assert.NotEmpty(methods);

        Assert.All(methods, m =>
        {
            ParameterInfo? last = m.GetParameters().LastOrDefault();
            Assert.True(last?.ParameterType == typeof(CancellationToken), $"{m.DeclaringType}.{m} does not end with a CancellationToken");
        });
    }

    [Fact]
    public void Output_models_have_no_public_setters()
    {
        Type[] outputs = [typeof(SessionLink), typeof(SessionInfo), typeof(SessionSummary), typeof(CommandResult), typeof(AgentBaySession)];

        Assert.All(
            outputs.SelectMany(t => t.GetProperties()),
            p => Assert.True(p.SetMethod is null || !p.SetMethod.IsPublic, $"{p.DeclaringType}.{p.Name} is settable"));
    }

    [Fact]
    public async Task Consumers_can_substitute_the_client_with_models_from_the_factory()
    {
        var client = Substitute.For<IAgentBayClient>();
        SessionLink expected = AgentBayModelFactory.SessionLink(new Uri("wss://x/"), LinkRequest.Cdp, "s1", "r1");
        client.GetLinkAsync("s1", LinkRequest.Cdp, Arg.Any<CancellationToken>()).Returns(expected);

        SessionLink link = await client.GetLinkAsync("s1", LinkRequest.Cdp);

        Assert.Same(expected, link);
        Assert.Equal("r1", link.RequestId);
    }

    [Fact]
    public void The_model_factory_fills_every_field()
    {
        var at = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

        SessionInfo info = AgentBayModelFactory.SessionInfo("s", new Uri("https://r/"), "AIAgent", "p-1", "app", "auth", "{}", "t", at);
        CommandResult result = AgentBayModelFactory.CommandResult(2, "out", "err", "tr");
        SessionSummary summary = AgentBayModelFactory.SessionSummary("s", "RUNNING");

        Assert.Equal(("s", "https://r/", "AIAgent", "p-1", "app", "auth", "{}", "t", at),
            (info.SessionId, info.ResourceUrl!.ToString(), info.ResourceType, info.ResourceId, info.AppId, info.AuthCode, info.ConnectionProperties, info.Ticket, info.RetrievedAt));
        Assert.Equal((2, "out", "err", "outerr", "tr", false),
            (result.ExitCode, result.Stdout, result.Stderr, result.Output, result.TraceId, result.Succeeded));
        Assert.Equal("s (RUNNING)", summary.ToString());
        Assert.Throws<ArgumentException>(() => AgentBayModelFactory.SessionSummary(" "));
    }

    [Fact]
    public async Task Consumers_can_substitute_batches_with_link_results_from_the_factory()
    {
        var client = Substitute.For<IAgentBayClient>();
        SessionLink link = AgentBayModelFactory.SessionLink(new Uri("https://x/request_ai/t/path/"), LinkRequest.Https(30150), "s1");
        var refusal = new AgentBayException("refused");
        client.GetLinksAsync(Arg.Any<IEnumerable<LinkTarget>>(), Arg.Any<FanOutOptions?>(), Arg.Any<CancellationToken>())
            .Returns([AgentBayModelFactory.LinkResult(link), AgentBayModelFactory.LinkResult("s2", LinkRequest.Cdp, refusal)]);

        IReadOnlyList<LinkResult> results = await client.GetLinksAsync([new LinkTarget("s1", LinkRequest.Https(30150)), new LinkTarget("s2", LinkRequest.Cdp)]);

        Assert.Same(link, results[0].GetLinkOrThrow());
        Assert.Equal(("s2", LinkRequest.Cdp, false), (results[1].SessionId, results[1].Request, results[1].Succeeded));
        Assert.Same(refusal, results[1].Error);
    }
}
