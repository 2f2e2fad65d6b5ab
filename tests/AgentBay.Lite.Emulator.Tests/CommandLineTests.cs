using System.Diagnostics;
using System.Net;

namespace AgentBay.Lite.Emulator.Tests;

public sealed class CommandLineTests
{
    [Fact]
    public void Defaults_are_port_8910_loopback_and_a_generated_key()
    {
        var parsed = CommandLine.Parse([]);
        Assert.Equal(8910, parsed.Options.Port);
        Assert.Equal(IPAddress.Loopback, parsed.Options.Address);
        Assert.Null(parsed.Options.ApiKey);
        Assert.False(parsed.Options.UseHttps);
    }

    [Fact]
    public void Every_option_is_parsed()
    {
        var parsed = CommandLine.Parse(
        [
            "--port", "0", "--api-key", "akm-x", "--cert-out", "/tmp/x.pem", "--no-exec", "--max-body-bytes=2048",
            "--latency", "20:5", "--action-latency", "GetLink=50:10", "--fail-500", "0.1", "--throttle", "0.2",
            "--retry-after", "3", "--fault-action", "GetLink", "--seed", "7", "--host", "127.0.0.1", "--log-requests",
        ]);
        var o = parsed.Options;
        Assert.Equal(0, o.Port);
        Assert.Equal("akm-x", o.ApiKey);
        Assert.True(o.UseHttps);
        Assert.Equal("/tmp/x.pem", o.CertificateOutputPath);
        Assert.True(o.DisableExec);
        Assert.Equal(2048, o.MaxRequestBodyBytes);
        Assert.Equal(new LatencyProfile(TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(5)), o.Latency);
        Assert.Equal(new LatencyProfile(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(10)), o.LatencyByAction["GetLink"]);
        Assert.Null(o.Faults);
        Assert.Equal(0.1, o.FaultsByAction["GetLink"].ServerErrorRate);
        Assert.Equal(0.2, o.FaultsByAction["GetLink"].ThrottlingRate);
        Assert.Equal(TimeSpan.FromSeconds(3), o.FaultsByAction["GetLink"].RetryAfter);
        Assert.Equal(7, o.Seed);
        Assert.True(o.LogRequests);
    }

    [Theory]
    [InlineData("--bogus")]
    [InlineData("--port", "http")]
    [InlineData("--port", "70000")]
    [InlineData("--port")]
    [InlineData("--fail-500", "1.5")]
    [InlineData("--fail-500", "0.6", "--fail-503", "0.6")]
    [InlineData("--host", "0.0.0.0")]
    [InlineData("--action-latency", "Nope=5")]
    [InlineData("--fault-action", "GetLink")]
    [InlineData("--https=yes")]
    public void Bad_flags_are_refused_with_a_message(params string[] args)
    {
        var ex = Assert.Throws<CommandLineException>(() => CommandLine.Parse(args));
        Assert.False(string.IsNullOrWhiteSpace(ex.Message));
    }

    [Fact]
    public void Remote_binding_parses_with_allow_remote()
    {
        var parsed = CommandLine.Parse(["--host", "0.0.0.0", "--allow-remote"]);
        Assert.Equal(IPAddress.Any, parsed.Options.Address);
    }

    [Fact]
    public void Help_lists_every_option_the_parser_knows()
    {
        foreach (var flag in new[] { "--port", "--host", "--allow-remote", "--public-host", "--api-key", "--https", "--cert-out", "--no-exec", "--work-dir", "--max-body-bytes", "--max-connections", "--max-sessions", "--log-requests", "--latency", "--action-latency", "--fail-500", "--fail-503", "--throttle", "--retry-after", "--malformed-json", "--reset", "--max-faults", "--fault-action", "--seed", "--help", "--version" })
        {
            Assert.Contains(flag, Program.Usage);
        }

        Assert.True(CommandLine.Parse(["--help"]).ShowHelp);
    }

    [Fact]
    public async Task The_executable_exits_2_on_a_bad_flag()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "AgentBay.Lite.Emulator.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        psi.ArgumentList.Add(dll);
        psi.ArgumentList.Add("--definitely-not-a-flag");
        using var process = Process.Start(psi)!;
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.Equal(2, process.ExitCode);
        Assert.Contains("--definitely-not-a-flag", stderr);
    }

    [Fact]
    public async Task The_executable_serves_prints_how_to_connect_and_stops_cleanly_on_SIGTERM()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "AgentBay.Lite.Emulator.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { dll, "--port", "0", "--api-key", "akm-cli-test" })
        {
            psi.ArgumentList.Add(arg);
        }

        using var process = Process.Start(psi)!;
        try
        {
            var banner = new List<string>();
            string? line;
            while ((line = await process.StandardOutput.ReadLineAsync()) is not null && !line.StartsWith("Press Ctrl+C", StringComparison.Ordinal))
            {
                banner.Add(line);
            }

            var listening = Assert.Single(banner, l => l.StartsWith("AgentBay emulator listening on ", StringComparison.Ordinal));
            var endpoint = new Uri(listening["AgentBay emulator listening on ".Length..]);
            Assert.Equal("127.0.0.1", endpoint.Host);
            Assert.Contains(banner, l => l.Contains("API key: akm-cli-test", StringComparison.Ordinal));
            Assert.Contains(banner, l => l.Contains($"AGENTBAY_ENDPOINT=127.0.0.1:{endpoint.Port}", StringComparison.Ordinal));

            using var http = new HttpClient { BaseAddress = endpoint };
            using var content = new StringContent("Authorization=Bearer%20akm-cli-test", System.Text.Encoding.UTF8, "application/x-www-form-urlencoded");
            using var response = await http.PostAsync("/?Action=ListSession", content);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("\"TotalCount\":0", await response.Content.ReadAsStringAsync());

            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(timeout.Token);
            Assert.Equal(0, process.ExitCode);
            Assert.Contains("Stopping.", await process.StandardOutput.ReadToEndAsync());
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }
    }
}
