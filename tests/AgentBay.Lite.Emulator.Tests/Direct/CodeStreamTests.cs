using System.Net;
using System.Net.WebSockets;
using System.Text.Json;

namespace AgentBay.Lite.Emulator.Tests.Direct;

/// <summary>A session's ws_url: run_code streamed over one multiplexed WebSocket.</summary>
public sealed class CodeStreamTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>
{
    private readonly AgentBayEmulator _emulator = fixture.Emulator;

    /// <summary>Prints, then blocks until <paramref name="file"/> exists in its directory, then prints again.</summary>
    private static string PrintWaitPrint(string file) => $$"""
        import os, time
        print("first")
        while not os.path.exists("{{file}}"):
            time.sleep(0.02)
        print("second")
        """;

    private static JsonElement Data(JsonElement frame) => frame.GetProperty("data");

    [Fact]
    public async Task Output_arrives_as_it_is_printed_not_when_the_program_ends()
    {
        using var rpc = new Rpc(_emulator);
        var session = await DirectSession.CreateAsync(rpc);
        await using var socket = await StreamSocket.ConnectAsync(session);

        await socket.RunAsync("inv-1", PrintWaitPrint("go"));

        // The program cannot print "second" before the file exists, and the file is made only after "first" arrived.
        // (Python may write "first" and its newline apart, so the text may come in more than one chunk.)
        var early = await socket.ReceiveStdoutAsync("inv-1", "first\n");
        var first = early[0];
        Assert.Equal("SDK", first.GetProperty("target").GetString());
        Assert.Equal("wuying_codespace", first.GetProperty("source").GetString());
        Assert.Equal(1, Data(first).GetProperty("seq").GetInt32());

        var (_, isError) = await rpc.ToolAsync(session.Id, "write_file", """{"path":"go","content":""}""");
        Assert.False(isError);

        var rest = await socket.ReceiveUntilEndAsync("inv-1");
        Assert.Equal("second\n", StreamSocket.Stdout(rest));
        var end = Data(rest[^1]);
        Assert.Equal("finished", end.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, end.GetProperty("executionError").ValueKind);
        Assert.True(end.GetProperty("executionTime").GetDouble() > 0);
        Assert.Equal(1, end.GetProperty("executionCount").GetInt32());
        Assert.True(end.GetProperty("seq").GetInt32() > 1);
    }

    [Fact]
    public async Task Stderr_streams_apart_and_a_failing_program_ends_failed()
    {
        using var rpc = new Rpc(_emulator);
        var session = await DirectSession.CreateAsync(rpc);
        await using var socket = await StreamSocket.ConnectAsync(session);

        await socket.RunAsync("inv-err", "import sys\nprint('to out')\nprint('to err', file=sys.stderr)\nsys.exit(4)");

        var frames = await socket.ReceiveUntilEndAsync("inv-err");
        Assert.Equal("to out\n", StreamSocket.Stdout(frames));
        Assert.Contains(frames, f => Data(f).TryGetProperty("eventType", out var t) && t.GetString() == "stderr" && Data(f).GetProperty("chunk").GetString() == "to err\n");
        Assert.Contains(frames, f => Data(f).TryGetProperty("eventType", out var t) && t.GetString() == "error");
        var end = Data(frames[^1]);
        Assert.Equal("failed", end.GetProperty("status").GetString());
        Assert.Contains("exited with code 4", end.GetProperty("executionError").GetString());
    }

    [Fact]
    public async Task The_timeout_kills_the_program_and_ends_the_run_failed()
    {
        using var rpc = new Rpc(_emulator);
        var session = await DirectSession.CreateAsync(rpc);
        await using var socket = await StreamSocket.ConnectAsync(session);

        await socket.RunAsync("inv-slow", "import os, time\nopen('pid', 'w').write(str(os.getpid()))\nprint('started', flush=True)\ntime.sleep(300)", timeoutS: 1);

        var frames = await socket.ReceiveUntilEndAsync("inv-slow");
        var end = Data(frames[^1]);
        Assert.Equal("failed", end.GetProperty("status").GetString());
        Assert.Contains("timeout of 1 s", end.GetProperty("executionError").GetString());

        // The process is dead: its pid (inside the session's PID namespace) is gone or a zombie awaiting its reaper.
        var (text, isError) = await rpc.ToolAsync(session.Id, "shell", """{"command":"s=$(cut -d' ' -f3 /proc/$(cat pid)/stat 2>/dev/null); if [ -z \"$s\" ] || [ \"$s\" = Z ]; then echo dead; else echo alive:$s; fi","timeout_ms":5000}""");
        Assert.False(isError, text);
        Assert.Contains("dead", text);
    }

    [Fact]
    public async Task Two_invocations_run_at_once_on_one_socket()
    {
        using var rpc = new Rpc(_emulator);
        var session = await DirectSession.CreateAsync(rpc);
        await using var socket = await StreamSocket.ConnectAsync(session);

        await socket.RunAsync("slow", PrintWaitPrint("release"));
        await socket.RunAsync("fast", "print('quick')");

        // "fast" ends while "slow" still waits: the runs are not queued behind each other.
        var slowFrames = new List<JsonElement>();
        var fast = await socket.ReceiveUntilEndAsync("fast", slowFrames);
        Assert.Equal("quick\n", StreamSocket.Stdout(fast));
        Assert.DoesNotContain(slowFrames, f => Data(f).GetProperty("phase").GetString() == "end");

        await rpc.ToolAsync(session.Id, "write_file", """{"path":"release","content":""}""");
        var slow = await socket.ReceiveUntilEndAsync("slow");
        Assert.Equal("first\nsecond\n", StreamSocket.Stdout(slowFrames.Concat(slow)));
    }

    [Fact]
    public async Task Pings_are_ignored_and_a_frame_without_invocationId_gets_an_error_frame()
    {
        using var rpc = new Rpc(_emulator);
        var session = await DirectSession.CreateAsync(rpc);
        await using var socket = await StreamSocket.ConnectAsync(session);

        await socket.SendAsync("""{"type":"ping"}""");
        await socket.SendAsync("""{"source":"SDK","data":{"method":"run_code"}}""");
        var error = (await socket.ReceiveAsync())!.Value;
        Assert.False(error.TryGetProperty("invocationId", out _));
        Assert.Equal("WEBSOCKET_SERVER", error.GetProperty("source").GetString());
        Assert.Contains("invocationId", Data(error).GetProperty("error").GetString());

        await socket.SendAsync("""{"type":"ping"}""");
        await socket.RunAsync("after-ping", "print('still here')");
        var frames = await socket.ReceiveUntilEndAsync("after-ping");
        Assert.Equal("still here\n", StreamSocket.Stdout(frames));
    }

    [Fact]
    public async Task An_unknown_method_or_language_is_an_error_naming_it()
    {
        using var rpc = new Rpc(_emulator);
        var session = await DirectSession.CreateAsync(rpc);
        await using var socket = await StreamSocket.ConnectAsync(session);

        await socket.SendAsync("""{"invocationId":"m","source":"SDK","target":"wuying_codespace","data":{"method":"list_kernels"}}""");
        var refused = (await socket.ReceiveAsync())!.Value;
        Assert.Equal("m", refused.GetProperty("invocationId").GetString());
        Assert.Equal("error", Data(refused).GetProperty("phase").GetString());
        Assert.Contains("list_kernels", Data(refused).GetProperty("error").GetString());

        await socket.RunAsync("cobol", "DISPLAY 'HI'.", language: "cobol");
        var frames = await socket.ReceiveUntilEndAsync("cobol");
        Assert.Contains(frames, f => Data(f).TryGetProperty("eventType", out var t) && t.GetString() == "error"
            && Data(f).GetProperty("error").GetProperty("value").GetString()!.Contains("cobol", StringComparison.Ordinal));
        Assert.Equal("failed", Data(frames[^1]).GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("not-the-token")]
    public async Task The_upgrade_needs_the_sessions_token(string token)
    {
        using var rpc = new Rpc(_emulator);
        var session = await DirectSession.CreateAsync(rpc);

        var refused = await Assert.ThrowsAsync<UpgradeRefusedException>(() => StreamSocket.ConnectAsync(session, token));

        Assert.Equal(HttpStatusCode.Unauthorized, refused.Status);
    }

    [Fact]
    public async Task A_cross_site_page_cannot_open_the_socket_even_with_the_token()
    {
        using var rpc = new Rpc(_emulator);
        var session = await DirectSession.CreateAsync(rpc);

        var refused = await Assert.ThrowsAsync<UpgradeRefusedException>(() => StreamSocket.ConnectAsync(session, origin: "https://evil.example"));

        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
    }

    [Fact]
    public async Task Deleting_the_session_ends_its_pending_run_and_closes_the_socket()
    {
        using var rpc = new Rpc(_emulator);
        var session = await DirectSession.CreateAsync(rpc);
        await using var socket = await StreamSocket.ConnectAsync(session);
        await socket.RunAsync("pending", PrintWaitPrint("never"));
        await socket.ReceiveStdoutAsync("pending", "first\n");

        (await rpc.CallAsync("DeleteSessionAsync", ("SessionId", session.Id))).AssertOk();

        var frames = new List<JsonElement>();
        while (await socket.ReceiveAsync() is { } frame)
        {
            frames.Add(frame);
        }

        Assert.Equal("failed", Data(frames.Single(f => Data(f).GetProperty("phase").GetString() == "end")).GetProperty("status").GetString());
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, socket.CloseStatus);
    }

    [Fact]
    public async Task A_reset_fault_on_RunCodeStream_drops_the_socket_and_counts_the_run()
    {
        await using var emulator = await AgentBayEmulator.StartAsync();
        using var rpc = new Rpc(emulator);
        var session = await DirectSession.CreateAsync(rpc);
        await using var socket = await StreamSocket.ConnectAsync(session);
        emulator.SetFaults(new FaultProfile { ConnectionResetRate = 1, MaxFaults = 1 }, "RunCodeStream");

        await socket.RunAsync("dropped", "print(1)");

        await Assert.ThrowsAsync<WebSocketException>(() => socket.ReceiveAsync());
        Assert.Equal(1, emulator.GetRequestCount("RunCodeStream"));

        // A new socket works: only one fault was asked for.
        await using var again = await StreamSocket.ConnectAsync(session);
        await again.RunAsync("fine", "print(2)");
        Assert.Equal("2\n", StreamSocket.Stdout(await again.ReceiveUntilEndAsync("fine")));
    }
}
