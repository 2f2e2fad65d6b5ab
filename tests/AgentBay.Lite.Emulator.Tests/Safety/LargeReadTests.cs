namespace AgentBay.Lite.Emulator.Tests.Safety;

/// <summary>Reading large files costs the emulator a bounded amount of memory, and gives it back.</summary>
public sealed class LargeReadTests
{
    [Fact]
    public async Task A_read_past_the_per_call_bound_is_a_tool_error_that_says_how_to_read_in_parts()
    {
        await using var emulator = await AgentBayEmulator.StartAsync();
        using var rpc = new Rpc(emulator);
        var id = await rpc.CreateSessionAsync();
        await MakeFileAsync(rpc, id, "big.bin", megabytes: 9);

        var (text, isError) = await rpc.ToolAsync(id, "read_file", """{"path":"big.bin","format":"binary"}""");

        Assert.True(isError, "a 9 MiB read in one call was answered");
        Assert.Contains("offset and length", text, StringComparison.Ordinal);
        var (part, partError) = await rpc.ToolAsync(id, "read_file", """{"path":"big.bin","format":"binary","offset":1048576,"length":1048576}""");
        Assert.False(partError, part);
        Assert.Equal(1024 * 1024, Convert.FromBase64String(part).Length);
    }

    [Fact]
    public async Task Memory_returns_to_its_baseline_after_many_large_reads()
    {
        // A standalone emulator, so its resident memory is its own.
        using var emulator = await StandaloneEmulator.StartAsync();
        using var rpc = new Rpc(emulator.Endpoint, emulator.ApiKey);
        var id = await rpc.CreateSessionAsync();
        await MakeFileAsync(rpc, id, "big.bin", megabytes: 7);
        await ReadAsync(rpc, id); // warm up: code paths, pools, the first session
        var (baseline, rssBaseline) = await emulator.MemoryAfterCollectionAsync();

        // Three at a time on different threads, 30 in all: each answer is ~9.3 MB of base64 in JSON.
        for (var round = 0; round < 10; round++)
        {
            await Task.WhenAll(ReadAsync(rpc, id), ReadAsync(rpc, id), ReadAsync(rpc, id));
        }

        var (after, rssAfter) = await emulator.MemoryAfterCollectionAsync();
        Console.WriteLine($"managed: {baseline / 1024} KiB before, {after / 1024} KiB after; resident: {rssBaseline / 1024} KiB before, {rssAfter / 1024} KiB after");

        // Nothing of the answers stays reachable (per-thread buffers used to keep ~10 MB per thread, forever) ...
        Assert.True(after - baseline < 4 * 1024 * 1024, $"managed memory grew from {baseline} to {after} bytes");
        // ... and the process does not keep what it took for them.
        Assert.True(rssAfter - rssBaseline < 32 * 1024 * 1024, $"resident memory grew from {rssBaseline} to {rssAfter} bytes");
    }

    private static async Task ReadAsync(Rpc rpc, string id)
    {
        var (text, isError) = await rpc.ToolAsync(id, "read_file", """{"path":"big.bin","format":"binary"}""");
        Assert.False(isError, text[..Math.Min(200, text.Length)]);
        Assert.Equal(7 * 1024 * 1024, Convert.FromBase64String(text).Length);
    }

    private static async Task MakeFileAsync(Rpc rpc, string id, string path, int megabytes)
    {
        var (text, isError) = await rpc.ToolAsync(id, "shell", $$"""{"command":"head -c {{megabytes}}M /dev/urandom > {{path}}","timeout_ms":20000}""");
        Assert.False(isError, text);
    }
}
