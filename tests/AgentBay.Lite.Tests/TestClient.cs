using AgentBay.Lite.Backend;

namespace AgentBay.Lite.Tests;

/// <summary>A client on a substituted backend and a fake clock.</summary>
internal sealed class TestClient
{
    public TestClient(Action<AgentBayOptions>? configure = null)
    {
        Options = new AgentBayOptions { ApiKey = "akm-test" };
        configure?.Invoke(Options);
        Client = new AgentBayClient(Backend, Options, Clock);
    }

    public IAgentBayBackend Backend { get; } = Substitute.For<IAgentBayBackend>();

    public TestClock Clock { get; } = new();

    public AgentBayOptions Options { get; }

    public AgentBayClient Client { get; }

    public const string SessionId = "session-04bdwfj7u688ec96t";

    /// <summary>A session object for <see cref="SessionId"/> without a backend call.</summary>
    public AgentBaySession Session() => new(
        Client.Services, SessionId, "linux_latest", null, null, null, null, null, null,
        System.Collections.ObjectModel.ReadOnlyDictionary<string, string>.Empty);

    /// <summary>Makes the next tool calls answer with these results, in order, and records the arguments.</summary>
    public List<(string Tool, string Json)> AnswerTools(params ToolResult[] results)
    {
        var calls = new List<(string, string)>();
        int index = 0;
        Backend.CallToolAsync(SessionId, Arg.Any<string>(), Arg.Any<string>(), Arg.Any<CancellationToken>())
            .Returns(call =>
            {
                calls.Add((call.ArgAt<string>(1), call.ArgAt<string>(2)));
                return Task.FromResult(results[Math.Min(index++, results.Length - 1)]);
            });
        return calls;
    }
}
