using System.Net;
using AgentBay.Lite.Tests.Rpc;

namespace AgentBay.Lite.Tests.Hostile;

/// <summary>A command that prints the API key and fails must not hand the key back in the exception.</summary>
public sealed class ToolOutputSecretTests
{
    [Fact]
    public async Task A_failed_tools_text_is_returned_without_the_api_key()
    {
        using var host = new RpcTestHost().Answer($$$"""
            {"RequestId":"r1","Success":true,"Data":{"content":[{"type":"text","text":"bash: {{{RpcTestHost.ApiKey}}}: command not found"}],"isError":true}}
            """);

        var result = await host.Backend.CallToolAsync("s-1", "shell", "{}", CancellationToken.None);

        Assert.True(result.IsError);
        Assert.Equal("bash: ***: command not found", result.Text);
    }

    [Fact]
    public async Task A_command_that_echoes_the_key_and_fails_throws_without_it()
    {
        const string Key = "tool-output-SECRET-key-3d9a";
        await using var client = new AgentBayClient(new AgentBayOptions
        {
            ApiKey = Key,
            Endpoint = new Uri("https://gateway.tools.test/"),
            HttpMessageHandler = new Telemetry.TelemetryHarness.ScriptedHandler((_, _) => (HttpStatusCode.OK, $$$"""
                {"RequestId":"r1","Success":true,"Data":{"content":[{"type":"text","text":"the key is {{{Key}}}"}],"isError":true}}
                """)),
        });
        var session = new AgentBaySession(
            client.Services, "s-1", null, null, null, null, null, null, null, System.Collections.ObjectModel.ReadOnlyDictionary<string, string>.Empty);

        var error = await Assert.ThrowsAsync<AgentBayException>(() => session.Commands.ExecuteAsync($"echo the key is {Key}; exit 1"));

        Assert.Contains("the key is ***", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, error.ServerMessage, StringComparison.Ordinal);
    }
}
