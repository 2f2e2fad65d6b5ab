using System.Diagnostics;
using System.Text.Json;

namespace AgentBay.Lite.Emulator.Tests;

public sealed class ToolTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>
{
    private readonly AgentBayEmulator _emulator = fixture.Emulator;

    private static JsonElement Shell(string text)
    {
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    [Fact]
    public async Task Shell_runs_in_the_session_directory_and_returns_stdout_stderr_exit_code()
    {
        using var rpc = new Rpc(_emulator);
        var id = await rpc.CreateSessionAsync();
        var (text, isError) = await rpc.ToolAsync(id, "shell", """{"command":"echo hi; pwd; echo oops >&2","timeout_ms":5000}""");
        Assert.False(isError);
        var result = Shell(text);
        Assert.Equal("hi\n" + Path.Combine(_emulator.WorkDirectory, id) + "\n", result.GetProperty("stdout").GetString());
        Assert.Equal("oops\n", result.GetProperty("stderr").GetString());
        Assert.Equal(0, result.GetProperty("exit_code").GetInt32());
    }

    [Fact]
    public async Task Non_zero_exit_is_an_error_with_the_exit_code()
    {
        using var rpc = new Rpc(_emulator);
        var id = await rpc.CreateSessionAsync();
        var (text, isError) = await rpc.ToolAsync(id, "shell", """{"command":"cat /definitely/not/here","timeout_ms":5000}""");
        Assert.True(isError);
        var result = Shell(text);
        Assert.Equal(1, result.GetProperty("exit_code").GetInt32());
        Assert.Contains("No such file", result.GetProperty("stderr").GetString());
    }

    [Fact]
    public async Task A_backgrounded_process_does_not_hang_the_call()
    {
        using var rpc = new Rpc(_emulator);
        var id = await rpc.CreateSessionAsync();
        var marker = "bg-" + Guid.NewGuid().ToString("N");
        var watch = Stopwatch.StartNew();

        // The background child keeps stdout/stderr open for 30 s; the call must still return when sh exits.
        var (text, isError) = await rpc.ToolAsync(id, "shell", $$"""{"command":"sleep 30 & echo $! > bg.pid; echo started {{marker}}","timeout_ms":20000}""");
        watch.Stop();
        Assert.False(isError, text);
        Assert.Equal($"started {marker}\n", Shell(text).GetProperty("stdout").GetString());
        var (kill, killError) = await rpc.ToolAsync(id, "shell", """{"command":"kill $(cat bg.pid)","timeout_ms":5000}""");
        Assert.False(killError, kill); // the background child was still running after the call returned
    }

    [Fact]
    public async Task A_command_past_its_timeout_is_killed_and_reported()
    {
        using var rpc = new Rpc(_emulator);
        var id = await rpc.CreateSessionAsync();
        var watch = Stopwatch.StartNew();
        var (text, isError) = await rpc.ToolAsync(id, "shell", """{"command":"echo before; sleep 40; echo after","timeout_ms":700}""");
        watch.Stop();
        Assert.True(isError);
        var result = Shell(text);
        Assert.Equal("before\n", result.GetProperty("stdout").GetString());
        Assert.Contains("timed out after 700 ms", result.GetProperty("stderr").GetString());
        Assert.Equal(124, result.GetProperty("exit_code").GetInt32());
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(650), $"took {watch.Elapsed}");
        Assert.DoesNotContain("after", result.GetProperty("stdout").GetString(), StringComparison.Ordinal); // killed, not waited for
    }

    [Fact]
    public async Task Cwd_and_envs_are_honoured_and_relative_cwd_stays_in_the_session()
    {
        using var rpc = new Rpc(_emulator);
        var id = await rpc.CreateSessionAsync();
        var (made, madeError) = await rpc.ToolAsync(id, "shell", """{"command":"mkdir -p sub/dir","timeout_ms":5000}""");
        Assert.False(madeError, made);
        var (text, isError) = await rpc.ToolAsync(id, "shell", """{"command":"pwd; echo \"$GREETING $OTHER\"","timeout_ms":5000,"cwd":"sub/dir","envs":{"GREETING":"hello","OTHER":"world"}}""");
        Assert.False(isError, text);
        Assert.Equal(Path.Combine(_emulator.WorkDirectory, id, "sub", "dir") + "\nhello world\n", Shell(text).GetProperty("stdout").GetString());

        var (abs, absError) = await rpc.ToolAsync(id, "shell", """{"command":"pwd","timeout_ms":5000,"cwd":"/tmp"}""");
        Assert.False(absError);
        Assert.Equal("/tmp\n", Shell(abs).GetProperty("stdout").GetString());

        var (missing, missingError) = await rpc.ToolAsync(id, "shell", """{"command":"pwd","cwd":"no/such/dir"}""");
        Assert.True(missingError);
        Assert.Contains("cwd does not exist", missing);
    }

    [Fact]
    public async Task Files_are_written_appended_read_by_range_and_described()
    {
        using var rpc = new Rpc(_emulator);
        var id = await rpc.CreateSessionAsync();
        Assert.False((await rpc.ToolAsync(id, "write_file", """{"path":"notes/a.txt","content":"hello ","mode":"overwrite"}""")).IsError);
        Assert.False((await rpc.ToolAsync(id, "write_file", """{"path":"notes/a.txt","content":"world","mode":"append"}""")).IsError);
        Assert.Equal("hello world", (await rpc.ToolAsync(id, "read_file", """{"path":"notes/a.txt"}""")).Text);
        Assert.Equal("lo wo", (await rpc.ToolAsync(id, "read_file", """{"path":"notes/a.txt","offset":3,"length":5}""")).Text);
        Assert.Equal(Convert.ToBase64String("hello world"u8.ToArray()), (await rpc.ToolAsync(id, "read_file", """{"path":"notes/a.txt","format":"binary"}""")).Text);

        // The shell sees the same file.
        Assert.Equal("hello world", Shell((await rpc.ToolAsync(id, "shell", """{"command":"cat notes/a.txt"}""")).Text).GetProperty("stdout").GetString());

        var (info, infoError) = await rpc.ToolAsync(id, "get_file_info", """{"path":"notes/a.txt"}""");
        Assert.False(infoError);
        var lines = info.Split('\n').Select(l => l.Split(": ", 2)).ToDictionary(p => p[0], p => p[1]);
        Assert.Equal("a.txt", lines["name"]);
        Assert.Equal(Path.Combine(_emulator.WorkDirectory, id, "notes", "a.txt"), lines["path"]);
        Assert.Equal("11", lines["size"]);
        Assert.Equal("false", lines["isDirectory"]);
        Assert.Matches("^-r", lines["mode"]);
        Assert.True(DateTime.TryParse(lines["modTime"], System.Globalization.CultureInfo.InvariantCulture, out _));

        var dir = (await rpc.ToolAsync(id, "get_file_info", """{"path":"notes"}""")).Text;
        Assert.Contains("isDirectory: true", dir);

        Assert.True((await rpc.ToolAsync(id, "write_file", """{"path":"notes/a.txt","content":"x","mode":"create_new"}""")).IsError);
        Assert.True((await rpc.ToolAsync(id, "read_file", """{"path":"notes/missing.txt"}""")).IsError);
        Assert.True((await rpc.ToolAsync(id, "get_file_info", """{"path":"notes/missing.txt"}""")).IsError);
        Assert.True((await rpc.ToolAsync(id, "write_file", """{"path":"b.txt","content":"x","mode":"sideways"}""")).IsError);
        Assert.True((await rpc.ToolAsync(id, "read_file", """{"path":"notes/a.txt","offset":-1}""")).IsError);
    }

    [Fact]
    public async Task Sessions_cannot_reach_into_each_others_directories()
    {
        using var rpc = new Rpc(_emulator);
        var a = await rpc.CreateSessionAsync();
        var b = await rpc.CreateSessionAsync();
        Assert.False((await rpc.ToolAsync(a, "write_file", """{"path":"secret.txt","content":"a's"}""")).IsError);

        // The same relative path in b is b's own file; a's directory does not exist in b's sandbox at all.
        Assert.True((await rpc.ToolAsync(b, "read_file", """{"path":"secret.txt"}""")).IsError);
        var (viaDots, dotsError) = await rpc.ToolAsync(b, "read_file", $$"""{"path":"../{{a}}/secret.txt"}""");
        Assert.True(dotsError);
        Assert.DoesNotContain("a's", viaDots);
        var (viaAbs, absError) = await rpc.ToolAsync(b, "read_file", $$"""{"path":"{{Path.Combine(_emulator.WorkDirectory, a, "secret.txt")}}"}""");
        Assert.True(absError);
        Assert.DoesNotContain("a's", viaAbs);
        Assert.True((await rpc.ToolAsync(b, "shell", $$"""{"command":"pwd","cwd":"../{{a}}"}""")).IsError);
        var (viaShell, _) = await rpc.ToolAsync(b, "shell", $$"""{"command":"cat ../{{a}}/secret.txt; ls .."}""");
        Assert.DoesNotContain("a's", viaShell);
        Assert.DoesNotContain(a, Shell(viaShell).GetProperty("stdout").GetString());
    }

    [Fact]
    public async Task The_session_directory_is_removed_when_the_session_is_deleted()
    {
        using var rpc = new Rpc(_emulator);
        var id = await rpc.CreateSessionAsync();
        await rpc.ToolAsync(id, "write_file", """{"path":"f.txt","content":"x"}""");
        var dir = Path.Combine(_emulator.WorkDirectory, id);
        Assert.True(File.Exists(Path.Combine(dir, "f.txt")));
        (await rpc.CallAsync("DeleteSessionAsync", ("SessionId", id))).AssertOk();
        Assert.False(Directory.Exists(dir));
    }

    [Fact]
    public async Task Unknown_tools_and_missing_arguments_are_tool_errors()
    {
        using var rpc = new Rpc(_emulator);
        var id = await rpc.CreateSessionAsync();
        var (text, isError) = await rpc.ToolAsync(id, "launch_rocket", "{}");
        Assert.True(isError);
        Assert.Contains("launch_rocket", text);
        var (noCommand, noCommandError) = await rpc.ToolAsync(id, "shell", """{"timeout_ms":1000}""");
        Assert.True(noCommandError);
        Assert.Contains("command", noCommand);
        Assert.True((await rpc.ToolAsync(id, "shell", """{"command":"true","timeout_ms":"soon"}""")).IsError);
        Assert.True((await rpc.ToolAsync(id, "shell", """{"command":"true","envs":{"A":1}}""")).IsError);
    }

    [Theory]
    [InlineData("[1,2]")]
    [InlineData("\"echo hi\"")]
    [InlineData("{not json")]
    public async Task Args_that_are_not_a_JSON_object_are_refused(string args)
    {
        using var rpc = new Rpc(_emulator);
        var id = await rpc.CreateSessionAsync();
        var r = (await rpc.CallAsync("CallMcpTool", ("SessionId", id), ("Name", "shell"), ("Args", args))).AssertError("InvalidParameter.Args");
        Assert.Contains("Args", r.Message);
    }

    [Fact]
    public async Task A_missing_tool_name_is_MissingParameter()
    {
        using var rpc = new Rpc(_emulator);
        var id = await rpc.CreateSessionAsync();
        var r = (await rpc.CallAsync("CallMcpTool", ("SessionId", id), ("Args", "{}"))).AssertError("MissingParameter");
        Assert.Contains("Name", r.Message);
    }

    [Fact]
    public async Task No_exec_disables_shell_with_a_clear_error_but_keeps_file_tools()
    {
        await using var emulator = await AgentBayEmulator.StartAsync(new AgentBayEmulatorOptions { DisableExec = true }, CancellationToken.None);
        using var rpc = new Rpc(emulator);
        var id = await rpc.CreateSessionAsync();
        var (text, isError) = await rpc.ToolAsync(id, "shell", """{"command":"touch ran.txt"}""");
        Assert.True(isError);
        Assert.Contains("disabled", text);
        Assert.False(File.Exists(Path.Combine(emulator.WorkDirectory, id, "ran.txt")));
        Assert.False((await rpc.ToolAsync(id, "write_file", """{"path":"ok.txt","content":"x"}""")).IsError);
    }
}
