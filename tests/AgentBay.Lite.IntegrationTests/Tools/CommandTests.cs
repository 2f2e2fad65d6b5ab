namespace AgentBay.Lite.IntegrationTests.Tools;

/// <summary>session.Commands against the emulator, which really runs /bin/sh in the session's directory.</summary>
public abstract class CommandTests(EmulatorFixture fixture, TestService service) : IClassFixture<EmulatorFixture>, IAsyncLifetime
{
    /// <summary>Tool calls the emulator received on either route (the direct route is the default; CallMcpTool the fallback).</summary>
    private long ToolCalls() => fixture.Emulator.GetRequestCount("CallToolDirect") + fixture.Emulator.GetRequestCount("CallMcpTool");

    private AgentBayClient _client = null!;
    private AgentBaySession _session = null!;

    public async Task InitializeAsync()
    {
        _client = fixture.CreateClient(service);
        _session = await _client.CreateSessionAsync(new CreateSessionOptions { ImageId = service.LinuxImage });
    }

    public async Task DisposeAsync()
    {
        await _session.DisposeAsync();
        await _client.DisposeAsync();
    }

    [Fact]
    public async Task A_successful_command_returns_its_output_and_exit_code_zero()
    {
        CommandResult result = await _session.Commands.ExecuteAsync("echo out; echo err >&2");

        Assert.Equal(0, result.ExitCode);
        Assert.True(result.Succeeded);
        Assert.Equal("out\n", result.Stdout);
        Assert.Equal("err\n", result.Stderr);
        Assert.Equal("out\nerr\n", result.Output);
    }

    [Fact]
    public async Task A_non_zero_exit_is_a_result_not_an_exception()
    {
        CommandResult result = await _session.Commands.ExecuteAsync("echo partial; echo broken >&2; exit 3", CancellationToken.None);

        Assert.Equal(3, result.ExitCode);
        Assert.False(result.Succeeded);
        Assert.Equal("partial\n", result.Stdout);
        Assert.Equal("broken\n", result.Stderr);
    }

    [Fact]
    public async Task A_command_runs_in_the_sessions_directory_and_sees_its_files()
    {
        await _session.Files.WriteAsync("seen-by-shell.txt", "from the SDK");

        CommandResult result = await _session.Commands.ExecuteAsync("pwd; cat seen-by-shell.txt");

        Assert.Equal(Path.Combine(fixture.Emulator.WorkDirectory, _session.Id) + "\nfrom the SDK", result.Stdout);
    }

    [Fact]
    public async Task WorkingDirectory_and_Environment_are_applied()
    {
        // The session's own /tmp: the sandbox does not see the host's directories.
        string directory = "/tmp/agentbay-int-cwd-" + Guid.NewGuid().ToString("N");
        Assert.True((await _session.Commands.ExecuteAsync("mkdir -p " + directory)).Succeeded);
        var options = new CommandOptions { WorkingDirectory = directory };
        options.Environment["GREETING"] = "hello there";
        options.Environment["EMPTY"] = "";

        CommandResult result = await _session.Commands.ExecuteAsync("pwd; echo \"$GREETING\"; echo \"[${EMPTY-unset}]\"", options);

        Assert.True(result.Succeeded, result.Output);
        Assert.Equal($"{directory}\nhello there\n[]\n", result.Stdout);
        Assert.False(Directory.Exists(directory));
    }

    [Fact]
    public async Task A_timeout_kills_the_command_and_reports_exit_code_124()
    {
        CommandResult result = await _session.Commands.ExecuteAsync(
            "echo started; sleep 30; echo never",
            new CommandOptions { Timeout = TimeSpan.FromMilliseconds(300) });

        Assert.Equal(124, result.ExitCode);
        Assert.Equal("started\n", result.Stdout);
        Assert.Contains("timed out after 300 ms", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_sub_millisecond_timeout_is_rounded_up_not_down_to_zero()
    {
        // 0.2 ms would truncate to 0, which the service refuses; the SDK rounds up to 1 ms.
        CommandResult result = await _session.Commands.ExecuteAsync(
            "sleep 30", new CommandOptions { Timeout = TimeSpan.FromTicks(2_000) });

        Assert.Equal(124, result.ExitCode);
        Assert.Contains("timed out after 1 ms", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_timeout_above_the_services_limit_is_clamped_and_the_command_runs()
    {
        CommandResult result = await _session.Commands.ExecuteAsync(
            "echo ok", new CommandOptions { Timeout = TimeSpan.FromHours(2) });

        Assert.True(result.Succeeded, result.Output);
        Assert.Equal("ok\n", result.Stdout);
    }

    [Fact]
    public async Task A_working_directory_that_does_not_exist_is_the_tools_refusal()
    {
        string missing = Path.Combine(Path.GetTempPath(), "agentbay-int-missing-" + Guid.NewGuid().ToString("N"));

        var ex = await Assert.ThrowsAsync<AgentBayException>(
            () => _session.Commands.ExecuteAsync("pwd", new CommandOptions { WorkingDirectory = missing }));

        Assert.Contains("shell", ex.Message, StringComparison.Ordinal);
        Assert.Contains(_session.Id, ex.Message, StringComparison.Ordinal);
        Assert.Contains("cwd does not exist", ex.ServerMessage, StringComparison.Ordinal);
        Assert.NotNull(ex.RequestId);
    }

    [Fact]
    public async Task Invalid_arguments_are_refused_before_anything_is_sent()
    {
        long before = ToolCalls();

        await Assert.ThrowsAnyAsync<ArgumentException>(() => _session.Commands.ExecuteAsync(" "));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _session.Commands.ExecuteAsync("true", new CommandOptions { Timeout = TimeSpan.Zero }));

        Assert.Equal(before, ToolCalls());
    }
}

/// <summary>The suite above against AgentBay (the emulator's RPC face).</summary>
public sealed class AgentBayCommandTests(EmulatorFixture fixture) : CommandTests(fixture, TestService.AgentBay);

/// <summary>The suite above against AGB (the emulator's REST face).</summary>
public sealed class AgbCommandTests(EmulatorFixture fixture) : CommandTests(fixture, TestService.Agb);
