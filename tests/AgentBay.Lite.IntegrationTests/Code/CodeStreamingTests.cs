using AgentBay.Lite.Emulator;

namespace AgentBay.Lite.IntegrationTests.Code;

/// <summary>session.Code over the session's ws_url against the emulator, which runs Python in the session's sandbox.</summary>
public abstract class CodeStreamingTests(EmulatorFixture fixture, TestService service) : IClassFixture<EmulatorFixture>
{
    /// <summary>Prints, then blocks until <paramref name="file"/> exists in its directory, then prints again.</summary>
    private static string PrintWaitPrint(string file) => $$"""
        import os, time
        print("first")
        while not os.path.exists("{{file}}"):
            time.sleep(0.02)
        print("second")
        """;

    /// <summary>Reads stdout events until their text is <paramref name="expected"/>.</summary>
    private static async Task ReadStdoutAsync(IAsyncEnumerator<CodeEvent> events, string expected)
    {
        string text = "";
        while (text.Length < expected.Length)
        {
            Assert.True(await events.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(60)), "the stream ended early");
            Assert.Equal(CodeEventKind.Stdout, events.Current.Kind);
            text += events.Current.Text;
        }

        Assert.Equal(expected, text);
    }

    [Fact]
    public async Task Output_arrives_before_the_program_ends()
    {
        await using var client = fixture.CreateClient(service);
        await using var session = await client.CreateSessionAsync();

        await using var events = session.Code.StreamAsync(PrintWaitPrint("go")).GetAsyncEnumerator();

        // The program cannot print "second" before the file exists, and the file is written only after "first" arrived.
        await ReadStdoutAsync(events, "first\n");
        await session.Files.WriteAsync("go", "");
        await ReadStdoutAsync(events, "second\n");
        Assert.True(await events.MoveNextAsync());
        Assert.Equal(CodeEventKind.End, events.Current.Kind);
        Assert.True(events.Current.Succeeded);
        Assert.NotNull(events.Current.ExecutionTime);
        Assert.False(await events.MoveNextAsync());
    }

    [Fact]
    public async Task RunAsync_collects_stdout_stderr_and_a_failure()
    {
        await using var client = fixture.CreateClient(service);
        await using var session = await client.CreateSessionAsync();

        CodeResult ok = await session.Code.RunAsync("print(6 * 7)");
        CodeResult failed = await session.Code.RunAsync("import sys\nprint('out')\nprint('err', file=sys.stderr)\nsys.exit(3)", "python", TimeSpan.FromSeconds(30));

        Assert.True(ok.Succeeded);
        Assert.Equal("42\n", ok.Stdout);
        Assert.Null(ok.Error);
        Assert.False(failed.Succeeded);
        Assert.Equal("out\n", failed.Stdout);
        Assert.Equal("err\n", failed.Stderr);
        Assert.Contains("code 3", failed.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_runs_share_the_socket_and_proceed_side_by_side()
    {
        await using var client = fixture.CreateClient(service);
        await using var session = await client.CreateSessionAsync();
        await using var slow = session.Code.StreamAsync(PrintWaitPrint("release")).GetAsyncEnumerator();
        await ReadStdoutAsync(slow, "first\n");

        CodeResult fast = await session.Code.RunAsync("print('quick')");

        Assert.Equal("quick\n", fast.Stdout);
        await session.Files.WriteAsync("release", "");
        await ReadStdoutAsync(slow, "second\n");
        Assert.True(await slow.MoveNextAsync());
        Assert.True(slow.Current.Succeeded);
    }

    [Fact]
    public async Task The_timeout_ends_the_run_failed()
    {
        await using var client = fixture.CreateClient(service);
        await using var session = await client.CreateSessionAsync();

        CodeResult result = await session.Code.RunAsync("import time\ntime.sleep(300)", timeout: TimeSpan.FromSeconds(1));

        Assert.False(result.Succeeded);
        Assert.Contains("timeout", result.Error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Cancellation_stops_the_stream_and_the_socket_serves_the_next_run()
    {
        await using var client = fixture.CreateClient(service);
        await using var session = await client.CreateSessionAsync();
        using var cancel = new CancellationTokenSource();
        await using var events = session.Code.StreamAsync(PrintWaitPrint("never"), cancellationToken: cancel.Token).GetAsyncEnumerator();
        await ReadStdoutAsync(events, "first\n");

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => events.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal("after\n", (await session.Code.RunAsync("print('after')")).Stdout);
    }

    [Fact]
    public async Task Deleting_the_session_ends_its_pending_run()
    {
        await using var client = fixture.CreateClient(service);
        AgentBaySession session = await client.CreateSessionAsync();
        await using var events = session.Code.StreamAsync(PrintWaitPrint("never")).GetAsyncEnumerator();
        await ReadStdoutAsync(events, "first\n");

        await session.DeleteAsync();

        // Either the service's failed end frame arrives first, or the closed socket fails the stream: never a hang.
        try
        {
            while (await events.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(60)))
            {
                if (events.Current.Kind == CodeEventKind.End)
                {
                    Assert.False(events.Current.Succeeded);
                    break;
                }
            }
        }
        catch (AgentBayStreamException)
        {
        }
    }
}

/// <summary>A dropped ws_url socket, by the emulator's reset fault on RunCodeStream (own emulator: faults are global).</summary>
public abstract class CodeStreamDropTests(EmulatorFixture fixture, TestService service) : IClassFixture<EmulatorFixture>
{
    private AgentBayEmulator Emulator => fixture.Emulator;

    [Fact]
    public async Task A_dropped_socket_fails_the_pending_stream_with_a_typed_error_and_the_next_run_reconnects()
    {
        await using var client = fixture.CreateClient(service);
        await using var session = await client.CreateSessionAsync();
        await using var pending = session.Code.StreamAsync("import time\nprint('waiting', flush=True)\ntime.sleep(300)").GetAsyncEnumerator();
        Assert.True(await pending.MoveNextAsync());
        Assert.Equal(CodeEventKind.Stdout, pending.Current.Kind);

        // The next run's frame makes the emulator abort the socket, under both runs.
        Emulator.SetFaults(new FaultProfile { ConnectionResetRate = 1, MaxFaults = 1 }, "RunCodeStream");
        await Assert.ThrowsAsync<AgentBayStreamException>(() => session.Code.RunAsync("print('dropped')"));
        var dropped = await Assert.ThrowsAsync<AgentBayStreamException>(async () =>
        {
            while (await pending.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(60)))
            {
            }
        });
        Assert.Contains("dropped", dropped.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(session.Token!, dropped.ToString(), StringComparison.Ordinal);

        long before = Emulator.GetRequestCount("RunCodeStream");
        CodeResult again = await session.Code.RunAsync("print('reconnected')");

        Assert.Equal("reconnected\n", again.Stdout);
        Assert.Equal(before + 1, Emulator.GetRequestCount("RunCodeStream"));
    }

    [Fact]
    public async Task A_run_the_service_refuses_is_a_typed_error_and_the_socket_stays_usable()
    {
        await using var client = fixture.CreateClient(service);
        await using var session = await client.CreateSessionAsync();
        Assert.Equal("warm\n", (await session.Code.RunAsync("print('warm')")).Stdout);

        Emulator.SetFaults(new FaultProfile { ServiceUnavailableRate = 1, MaxFaults = 1 }, "RunCodeStream");
        try
        {
            var refused = await Assert.ThrowsAsync<AgentBayStreamException>(() => session.Code.RunAsync("print('refused')"));
            Assert.Contains("refused", refused.Message, StringComparison.Ordinal);
        }
        finally
        {
            Emulator.ClearInjections();
        }

        Assert.Equal("again\n", (await session.Code.RunAsync("print('again')")).Stdout);
    }
}

/// <summary>The <see cref="CodeStreamingTests"/> suite against AgentBay (the emulator's RPC face).</summary>
public sealed class AgentBayCodeStreamingTests(EmulatorFixture fixture) : CodeStreamingTests(fixture, TestService.AgentBay);

/// <summary>The <see cref="CodeStreamingTests"/> suite against AGB (the emulator's REST face).</summary>
public sealed class AgbCodeStreamingTests(EmulatorFixture fixture) : CodeStreamingTests(fixture, TestService.Agb);

/// <summary>The <see cref="CodeStreamDropTests"/> suite against AgentBay (the emulator's RPC face).</summary>
public sealed class AgentBayCodeStreamDropTests(EmulatorFixture fixture) : CodeStreamDropTests(fixture, TestService.AgentBay);

/// <summary>The <see cref="CodeStreamDropTests"/> suite against AGB (the emulator's REST face).</summary>
public sealed class AgbCodeStreamDropTests(EmulatorFixture fixture) : CodeStreamDropTests(fixture, TestService.Agb);
