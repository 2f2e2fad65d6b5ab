using System.Text;
using System.Text.Json;
using AgentBay.Lite.Backend;

namespace AgentBay.Lite.Tests;

public class FileTests
{
    private const int Chunk = SessionFiles.ChunkSize;

    private readonly TestClient _test = new();

    private static ToolResult Ok(string text = "True") => new(false, text, "REQ-F");

    private static (string Path, string Content, string Mode) ReadWrite(string json)
    {
        using JsonDocument doc = JsonDocument.Parse(json);
        JsonElement root = doc.RootElement;
        return (root.GetProperty("path").GetString()!, root.GetProperty("content").GetString()!, root.GetProperty("mode").GetString()!);
    }

    [Fact]
    public async Task A_small_write_is_one_overwrite_call()
    {
        var calls = _test.AnswerTools(Ok());

        await _test.Session().Files.WriteAsync("/tmp/a.txt", "x");

        (string tool, string json) = Assert.Single(calls);
        Assert.Equal("write_file", tool);
        Assert.Equal("""{"path":"/tmp/a.txt","content":"x","mode":"overwrite"}""", json);
    }

    [Fact]
    public async Task Html_is_sent_unescaped()
    {
        var calls = _test.AnswerTools(Ok());

        await _test.Session().Files.WriteAsync("/tmp/index.html", "<h1>hi</h1>\n", CancellationToken.None);

        Assert.Equal("""{"path":"/tmp/index.html","content":"<h1>hi</h1>\n","mode":"overwrite"}""", Assert.Single(calls).Json);
    }

    [Fact]
    public async Task Append_mode_is_sent()
    {
        var calls = _test.AnswerTools(Ok());

        await _test.Session().Files.WriteAsync("/tmp/a.txt", "more", FileWriteMode.Append);

        Assert.Equal("""{"path":"/tmp/a.txt","content":"more","mode":"append"}""", Assert.Single(calls).Json);
    }

    [Fact]
    public async Task Empty_content_is_one_call_that_truncates()
    {
        var calls = _test.AnswerTools(Ok());

        await _test.Session().Files.WriteAsync("/tmp/a.txt", string.Empty);

        Assert.Equal(("/tmp/a.txt", "", "overwrite"), ReadWrite(Assert.Single(calls).Json));
    }

    [Fact]
    public async Task Large_content_is_written_as_overwrite_then_appends()
    {
        var calls = _test.AnswerTools(Ok());
        string content = string.Concat(Enumerable.Range(0, (Chunk * 5 / 2) / 10).Select(i => $"{i % 100000,9}\n"));

        await _test.Session().Files.WriteAsync("/tmp/big.txt", content);

        var writes = calls.Select(c => ReadWrite(c.Json)).ToList();
        Assert.Equal(["overwrite", "append", "append"], writes.Select(w => w.Mode));
        Assert.Equal([Chunk, Chunk, content.Length - 2 * Chunk], writes.Select(w => w.Content.Length));
        Assert.Equal(content, string.Concat(writes.Select(w => w.Content)));
        Assert.All(writes, w => Assert.Equal("/tmp/big.txt", w.Path));
    }

    [Fact]
    public async Task Large_appends_append_every_chunk()
    {
        var calls = _test.AnswerTools(Ok());

        await _test.Session().Files.WriteAsync("/tmp/big.txt", new string('a', Chunk + 1), FileWriteMode.Append);

        Assert.Equal(["append", "append"], calls.Select(c => ReadWrite(c.Json).Mode));
    }

    [Fact]
    public async Task Chunks_are_measured_in_utf8_bytes_and_never_split_a_character()
    {
        var calls = _test.AnswerTools(Ok());
        // 'é' is 2 bytes, '😀' is a surrogate pair of 4 bytes; 'a' shifts the pairs off any even boundary.
        string content = "a" + string.Concat(Enumerable.Repeat("é😀", Chunk / 3));

        await _test.Session().Files.WriteAsync("/tmp/u.txt", content);

        var chunks = calls.Select(c => ReadWrite(c.Json).Content).ToList();
        Assert.True(chunks.Count > 1);
        Assert.All(chunks, c => Assert.InRange(Encoding.UTF8.GetByteCount(c), 1, Chunk));
        Assert.All(chunks, c => Assert.False(char.IsHighSurrogate(c[^1])));
        Assert.All(chunks, c => Assert.False(char.IsLowSurrogate(c[0])));
        Assert.Equal(content, string.Concat(chunks));
        Assert.All(chunks.SkipLast(1), c => Assert.True(Encoding.UTF8.GetByteCount(c) > Chunk - 4));
    }

    [Fact]
    public async Task A_failed_chunk_stops_the_write_with_the_tools_message()
    {
        var calls = _test.AnswerTools(new ToolResult(true, "permission denied", "REQ-E"));

        var ex = await Assert.ThrowsAsync<AgentBayException>(
            () => _test.Session().Files.WriteAsync("/root/x", new string('a', Chunk * 2)));

        Assert.Single(calls);
        Assert.Equal("permission denied", ex.ServerMessage);
        Assert.Equal("REQ-E", ex.RequestId);
    }

    [Fact]
    public async Task Write_arguments_are_validated()
    {
        SessionFiles files = _test.Session().Files;

        await Assert.ThrowsAsync<ArgumentException>(() => files.WriteAsync(" ", "x"));
        await Assert.ThrowsAsync<ArgumentNullException>(() => files.WriteAsync("/tmp/a", null!));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => files.WriteAsync("/tmp/a", "x", (FileWriteMode)7));
        await Assert.ThrowsAsync<ArgumentNullException>(() => files.ReadAsync(null!));
        Assert.Empty(_test.Backend.ReceivedCalls());
    }

    [Fact]
    public async Task A_small_file_is_read_with_one_call_after_its_info()
    {
        var calls = _test.AnswerTools(
            Ok("name: a.txt\npath: /tmp/a.txt\nsize: 5\nisDirectory: false"),
            Ok("hello"));

        string content = await _test.Session().Files.ReadAsync("/tmp/a.txt");

        Assert.Equal("hello", content);
        Assert.Equal(
            [("get_file_info", """{"path":"/tmp/a.txt"}"""), ("read_file", """{"path":"/tmp/a.txt"}""")],
            calls);
    }

    [Fact]
    public async Task A_large_file_is_read_in_binary_chunks_by_offset_and_length()
    {
        long size = 2 * Chunk + 1234;
        var calls = _test.AnswerTools(
            Ok($"name: big\nsize: {size}\nisDirectory: false\n"), Ok(B64(new string('A', Chunk))), Ok(B64(new string('B', Chunk))), Ok(B64(new string('C', 1234))));

        string content = await _test.Session().Files.ReadAsync("/tmp/big");

        Assert.Equal(new string('A', Chunk) + new string('B', Chunk) + new string('C', 1234), content);
        Assert.Equal(
            [
                ("get_file_info", """{"path":"/tmp/big"}"""),
                ("read_file", $$"""{"path":"/tmp/big","offset":0,"length":{{Chunk}},"format":"binary"}"""),
                ("read_file", $$"""{"path":"/tmp/big","offset":{{Chunk}},"length":{{Chunk}},"format":"binary"}"""),
                ("read_file", $$"""{"path":"/tmp/big","offset":{{2 * Chunk}},"length":1234,"format":"binary"}"""),
            ],
            calls);
    }

    [Fact]
    public async Task A_character_split_between_chunks_is_decoded_whole()
    {
        // "€" is E2 82 AC: the first chunk ends after E2, the second starts with 82 AC. Decoding each chunk as text on
        // its own would give two replacement characters.
        byte[] euro = Encoding.UTF8.GetBytes("€");
        byte[] first = [.. Enumerable.Repeat((byte)'a', Chunk - 1), euro[0]];
        byte[] second = [euro[1], euro[2], (byte)'z'];
        _test.AnswerTools(
            Ok($"size: {first.Length + second.Length}\nisDirectory: false"),
            Ok(Convert.ToBase64String(first)),
            Ok(Convert.ToBase64String(second)));

        string content = await _test.Session().Files.ReadAsync("/tmp/euro");

        Assert.Equal(new string('a', Chunk - 1) + "€z", content);
    }

    [Fact]
    public async Task A_chunk_that_is_not_base64_is_a_protocol_exception()
    {
        _test.AnswerTools(Ok($"size: {Chunk + 1}\nisDirectory: false"), Ok("not base64!"));

        await Assert.ThrowsAsync<AgentBayProtocolException>(() => _test.Session().Files.ReadAsync("/tmp/big"));
    }

    private static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    [Fact]
    public async Task An_empty_file_is_not_read()
    {
        var calls = _test.AnswerTools(Ok("name: e\nsize: 0\nisDirectory: false"));

        Assert.Equal(string.Empty, await _test.Session().Files.ReadAsync("/tmp/e"));
        Assert.Single(calls);
    }

    [Fact]
    public async Task A_directory_cannot_be_read()
    {
        var calls = _test.AnswerTools(Ok("name: tmp\nsize: 4096\nisDirectory: true"));

        var ex = await Assert.ThrowsAsync<AgentBayException>(() => _test.Session().Files.ReadAsync("/tmp"));

        Assert.Contains("directory", ex.Message, StringComparison.Ordinal);
        Assert.Single(calls);
    }

    [Fact]
    public async Task A_missing_file_is_reported_with_the_tools_message()
    {
        _test.AnswerTools(new ToolResult(true, "Path does not exist: /nope", "REQ-N"));

        var ex = await Assert.ThrowsAsync<AgentBayException>(() => _test.Session().Files.ReadAsync("/nope"));

        Assert.Equal("Path does not exist: /nope", ex.ServerMessage);
    }

    [Fact]
    public async Task Info_without_a_size_is_a_protocol_exception()
    {
        _test.AnswerTools(Ok("name: a\nisDirectory: false"));

        await Assert.ThrowsAsync<AgentBayProtocolException>(() => _test.Session().Files.ReadAsync("/tmp/a"));
    }

    [Fact]
    public async Task A_failed_read_chunk_is_reported()
    {
        _test.AnswerTools(Ok("size: 10"), new ToolResult(true, "io error", null));

        var ex = await Assert.ThrowsAsync<AgentBayException>(() => _test.Session().Files.ReadAsync("/tmp/a"));

        Assert.Equal("io error", ex.ServerMessage);
    }
}
