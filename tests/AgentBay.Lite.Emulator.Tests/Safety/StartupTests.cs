using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace AgentBay.Lite.Emulator.Tests.Safety;

/// <summary>A start that cannot work ends with one line and an exit code, never a stack trace; the default key is never a well-known one.</summary>
public sealed class StartupTests
{
    [Theory]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("not-an-address")]
    [InlineData("10.0.0.1")] // not loopback, no --allow-remote
    public async Task An_invalid_host_is_one_line_and_exit_code_2(string host)
    {
        var (exit, stdout, stderr) = await ProgramRun.RunAsync("dotnet", ProgramRun.EmulatorDll, "--host", host, "--port", "0");

        Assert.Equal(2, exit);
        Assert.Equal(string.Empty, stdout);
        Assert.StartsWith("error: ", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_busy_port_is_one_line_and_exit_code_1()
    {
        using var occupant = new TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        var port = ((IPEndPoint)occupant.LocalEndpoint).Port;

        var (exit, _, stderr) = await ProgramRun.RunAsync("dotnet", ProgramRun.EmulatorDll, "--port", port.ToString(CultureInfo.InvariantCulture));

        Assert.Equal(1, exit);
        Assert.StartsWith("error: ", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Trim().Split('\n'));
    }

    [Fact]
    public async Task An_ipv4_mapped_address_is_refused_in_process_too()
    {
        var ex = await Assert.ThrowsAsync<ArgumentException>(() =>
            AgentBayEmulator.StartAsync(new AgentBayEmulatorOptions { Address = IPAddress.Parse("::ffff:127.0.0.1") }, CancellationToken.None));
        Assert.Contains("127.0.0.1", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_standalone_default_key_is_not_a_fixed_one()
    {
        // Null means "generate a random key at start and print it"; a fixed key only when the user passes one.
        Assert.Null(CommandLine.Parse([]).Options.ApiKey);
        Assert.Equal("akm-mine", CommandLine.Parse(["--api-key", "akm-mine"]).Options.ApiKey);
    }

    [Fact]
    public async Task Two_default_starts_get_different_keys()
    {
        await using var first = await AgentBayEmulator.StartAsync(new AgentBayEmulatorOptions { ApiKey = CommandLine.Parse([]).Options.ApiKey }, CancellationToken.None);
        await using var second = await AgentBayEmulator.StartAsync(new AgentBayEmulatorOptions { ApiKey = CommandLine.Parse([]).Options.ApiKey }, CancellationToken.None);
        Assert.NotEqual(first.ApiKey, second.ApiKey);
        Assert.True(first.ApiKey.Length >= 20, first.ApiKey);
    }
}
