using System.Text;

namespace AgentBay.Lite.IntegrationTests.Tools;

/// <summary>session.Files against the emulator, which writes to and reads from the session's directory on disk.</summary>
public abstract class FileTests(EmulatorFixture fixture, TestService service) : IClassFixture<EmulatorFixture>, IAsyncLifetime
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

    private string OnDisk(string relativePath) => Path.Combine(fixture.Emulator.WorkDirectory, _session.Id, relativePath);

    [Fact]
    public async Task A_small_file_is_written_and_read_back_in_one_call_each()
    {
        long before = ToolCalls();

        await _session.Files.WriteAsync("small.txt", "héllo\nwörld\n");
        string read = await _session.Files.ReadAsync("small.txt");

        Assert.Equal("héllo\nwörld\n", read);
        Assert.Equal("héllo\nwörld\n", await File.ReadAllTextAsync(OnDisk("small.txt"), Encoding.UTF8));
        Assert.Equal(3, ToolCalls() - before); // write, get_file_info, read
    }

    [Fact]
    public async Task Content_above_50_KiB_is_written_in_chunks_and_read_back_equal()
    {
        string content = Pattern(120 * 1024 + 17); // three write chunks, three read chunks
        long before = ToolCalls();

        await _session.Files.WriteAsync("big/ascii.txt", content);
        long writes = ToolCalls() - before;
        string read = await _session.Files.ReadAsync("big/ascii.txt");
        long reads = ToolCalls() - before - writes;

        Assert.Equal(3, writes);
        Assert.Equal(4, reads); // get_file_info, then three chunks
        Assert.Equal(content, await File.ReadAllTextAsync(OnDisk("big/ascii.txt"), Encoding.UTF8));
        Assert.Equal(content, read);
    }

    [Fact]
    public async Task Multibyte_content_above_50_KiB_survives_chunked_write_and_read()
    {
        // Two-, three- and four-byte UTF-8 characters, 9 bytes a round: both 50 KiB boundaries (51,200 and 102,400
        // bytes) fall inside a four-byte character.
        string content = string.Concat(Enumerable.Repeat("é€😀", 130 * 1024 / 9));
        byte[] bytes = Encoding.UTF8.GetBytes(content);
        Assert.True(IsContinuation(bytes[SessionFiles.ChunkSize]) && IsContinuation(bytes[2 * SessionFiles.ChunkSize]));

        await _session.Files.WriteAsync("big/utf8.txt", content);
        string read = await _session.Files.ReadAsync("big/utf8.txt");

        Assert.Equal(content, await File.ReadAllTextAsync(OnDisk("big/utf8.txt"), Encoding.UTF8));
        Assert.Equal(content, read);
    }

    [Fact]
    public async Task Append_mode_adds_to_the_file_also_when_chunked()
    {
        string tail = Pattern(60 * 1024);
        await _session.Files.WriteAsync("append.txt", "first\n");

        await _session.Files.WriteAsync("append.txt", "second\n", FileWriteMode.Append);
        await _session.Files.WriteAsync("append.txt", tail, FileWriteMode.Append);

        Assert.Equal("first\nsecond\n" + tail, await _session.Files.ReadAsync("append.txt"));
    }

    [Fact]
    public async Task Overwrite_replaces_the_whole_file_even_when_it_was_longer()
    {
        await _session.Files.WriteAsync("overwrite.txt", Pattern(80 * 1024));

        await _session.Files.WriteAsync("overwrite.txt", "short", CancellationToken.None);

        Assert.Equal("short", await _session.Files.ReadAsync("overwrite.txt"));
    }

    [Fact]
    public async Task An_empty_file_reads_as_empty_without_a_read_call()
    {
        await _session.Files.WriteAsync("empty.txt", "");
        long before = ToolCalls();

        Assert.Equal("", await _session.Files.ReadAsync("empty.txt"));
        Assert.Equal(1, ToolCalls() - before); // get_file_info only
        Assert.True(File.Exists(OnDisk("empty.txt")));
    }

    [Fact]
    public async Task Reading_a_missing_file_is_a_typed_error_naming_the_tool_and_the_path()
    {
        var ex = await Assert.ThrowsAsync<AgentBayException>(() => _session.Files.ReadAsync("does/not/exist.txt"));

        Assert.Contains("get_file_info", ex.Message, StringComparison.Ordinal);
        Assert.Contains(_session.Id, ex.Message, StringComparison.Ordinal);
        Assert.Contains("exist.txt", ex.ServerMessage, StringComparison.Ordinal);
        Assert.NotNull(ex.RequestId);
    }

    [Fact]
    public async Task Reading_a_directory_is_a_typed_error()
    {
        await _session.Files.WriteAsync("dir/inside.txt", "x");

        var ex = await Assert.ThrowsAsync<AgentBayException>(() => _session.Files.ReadAsync("dir"));

        Assert.Contains("directory", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Writing_to_another_sessions_directory_path_stays_in_this_sessions_sandbox()
    {
        await using AgentBaySession other = await _client.CreateSessionAsync();
        await other.Files.WriteAsync("mine.txt", "other's");
        string otherPath = Path.Combine(fixture.Emulator.WorkDirectory, other.Id, "mine.txt");

        // The other session's directory is not mounted in this sandbox: the path names a file of this session only.
        await _session.Files.WriteAsync(otherPath, "overwritten");

        Assert.Equal("overwritten", await _session.Files.ReadAsync(otherPath));
        Assert.Equal("other's", await other.Files.ReadAsync("mine.txt"));
        Assert.Equal("other's", await File.ReadAllTextAsync(otherPath));
    }

    private static bool IsContinuation(byte b) => (b & 0xC0) == 0x80;

    private static string Pattern(int length)
    {
        var builder = new StringBuilder(length);
        for (int i = 0; builder.Length < length; i++)
        {
            builder.Append(i % 10 == 9 ? '\n' : (char)('a' + (i % 26)));
        }

        return builder.ToString();
    }
}

/// <summary>The suite above against AgentBay (the emulator's RPC face).</summary>
public sealed class AgentBayFileTests(EmulatorFixture fixture) : FileTests(fixture, TestService.AgentBay);

/// <summary>The suite above against AGB (the emulator's REST face).</summary>
public sealed class AgbFileTests(EmulatorFixture fixture) : FileTests(fixture, TestService.Agb);
