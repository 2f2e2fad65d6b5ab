namespace AgentBay.Lite.Emulator.Tests.Safety;

/// <summary>File tools act on regular files only: a FIFO, a device or a socket is a clear tool error, never a blocked thread.</summary>
public sealed class SpecialFileTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>
{
    [Fact]
    public async Task Many_reads_of_a_fifo_are_refused_and_never_stall_other_requests()
    {
        using var rpc = new Rpc(fixture.Emulator);
        var id = await rpc.CreateSessionAsync();
        var (made, makeError) = await rpc.ToolAsync(id, "shell", """{"command":"mkfifo /tmp/pipe && echo ok"}""");
        Assert.False(makeError, made);

        // Opening a FIFO for reading blocks until a writer comes; none ever does. Sixty at once used to hold sixty threads.
        var reads = Enumerable.Range(0, 60).Select(_ => rpc.ToolAsync(id, "read_file", """{"path":"/tmp/pipe"}""")).ToArray();
        var results = await Task.WhenAll(reads);

        Assert.All(results, r =>
        {
            Assert.True(r.IsError, r.Text);
            Assert.Contains("not a regular file", r.Text, StringComparison.Ordinal);
        });
        (await rpc.CallAsync("GetSession", ("SessionId", id))).AssertOk();
    }

    [Theory]
    [InlineData("read_file", """{"path":"/tmp/pipe"}""")]
    [InlineData("write_file", """{"path":"/tmp/pipe","content":"x"}""")]
    [InlineData("read_file", """{"path":"/dev/zero"}""")]
    [InlineData("read_file", """{"path":"/dev/urandom","length":16}""")]
    [InlineData("write_file", """{"path":"/dev/null","content":"x"}""")]
    [InlineData("read_file", """{"path":"/tmp/sock"}""")]
    public async Task Fifos_devices_and_sockets_are_tool_errors(string tool, string args)
    {
        using var rpc = new Rpc(fixture.Emulator);
        var id = await rpc.CreateSessionAsync();
        var (made, makeError) = await rpc.ToolAsync(id, "shell",
            """{"command":"mkfifo /tmp/pipe && /usr/bin/python3 -c \"import socket; socket.socket(socket.AF_UNIX).bind('/tmp/sock')\" && echo ok"}""");
        Assert.False(makeError, made);

        var (text, isError) = await rpc.ToolAsync(id, tool, args);

        Assert.True(isError, text);
        Assert.Contains("not a regular file", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/proc/1/status")]
    [InlineData("/proc/sys/kernel/hostname")]
    public async Task Kernel_files_that_report_size_zero_are_refused_not_returned_empty(string path)
    {
        // /proc files report a size of 0 yet have content; a reader that trusts the size returns "" as if it were the file.
        using var rpc = new Rpc(fixture.Emulator);
        var id = await rpc.CreateSessionAsync();

        var (text, isError) = await rpc.ToolAsync(id, "read_file", "{\"path\":\"" + path + "\"}");

        Assert.True(isError, $"read_file {path} answered \"{text}\"");
        Assert.Contains("kernel file system", text, StringComparison.Ordinal);
    }
}
