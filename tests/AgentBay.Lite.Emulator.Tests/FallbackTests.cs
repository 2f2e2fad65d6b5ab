using System.Text.Json;

namespace AgentBay.Lite.Emulator.Tests;

/// <summary>Without sandboxes (forced with DisableSandbox): shell is refused unless host execution is accepted, and file tools stay in the session directory.</summary>
public sealed class FallbackTests
{
    [Fact]
    public async Task Shell_is_refused_with_the_reason_and_how_to_enable_it()
    {
        await using var emulator = await AgentBayEmulator.StartAsync(new AgentBayEmulatorOptions { DisableSandbox = true });
        Assert.False(emulator.IsSandboxed);
        Assert.Contains("DisableSandbox", emulator.SandboxUnavailableReason);
        using var rpc = new Rpc(emulator);
        var id = await rpc.CreateSessionAsync();
        var (text, isError) = await rpc.ToolAsync(id, "shell", """{"command":"touch ran.txt"}""");
        Assert.True(isError);
        Assert.Contains("without session sandboxes", text);
        Assert.Contains("bubblewrap", text);
        Assert.Contains("--unsafe-host-exec", text);
        Assert.False(File.Exists(Path.Combine(emulator.WorkDirectory, id, "ran.txt")));
        Assert.Null(emulator.Sessions.Find(id)!.NamespacePid);
    }

    [Fact]
    public async Task File_tools_stay_in_the_session_directory()
    {
        await using var emulator = await AgentBayEmulator.StartAsync(new AgentBayEmulatorOptions { DisableSandbox = true });
        using var rpc = new Rpc(emulator);
        var a = await rpc.CreateSessionAsync();
        var b = await rpc.CreateSessionAsync();
        var aDir = Path.Combine(emulator.WorkDirectory, a);
        var bDir = Path.Combine(emulator.WorkDirectory, b);
        var hostDir = Directory.CreateTempSubdirectory("agentbay-host-").FullName;
        try
        {
            var hostSecret = Path.Combine(hostDir, "secret.txt");
            await File.WriteAllTextAsync(hostSecret, "host secret");
            var hostTarget = Path.Combine(hostDir, "created.txt");
            await File.WriteAllTextAsync(Path.Combine(aDir, "mine.txt"), "a's own");

            // What a host-executed shell could leave in the session directory.
            File.CreateSymbolicLink(Path.Combine(bDir, "to-host"), hostSecret);
            File.CreateSymbolicLink(Path.Combine(bDir, "dangling"), hostTarget);
            File.CreateSymbolicLink(Path.Combine(bDir, "to-a"), Path.Combine(aDir, "mine.txt"));
            Directory.CreateSymbolicLink(Path.Combine(bDir, "dir-to-host"), hostDir);

            Assert.False((await rpc.ToolAsync(b, "write_file", """{"path":"notes/ok.txt","content":"fine"}""")).IsError);
            Assert.Equal("fine", await File.ReadAllTextAsync(Path.Combine(bDir, "notes", "ok.txt")));
            Assert.Equal("fine", (await rpc.ToolAsync(b, "read_file", $$"""{"path":"{{Path.Combine(bDir, "notes", "ok.txt")}}"}""")).Text);

            foreach (var path in new[] { hostSecret, "to-host", "to-a", "dir-to-host/secret.txt", "../" + a + "/mine.txt", "../../../../../.." + hostSecret, Path.Combine(aDir, "mine.txt") })
            {
                var (read, isError) = await rpc.ToolAsync(b, "read_file", SandboxTests.Args(("path", path)));
                Assert.True(isError, path);
                Assert.DoesNotContain("host secret", read);
                Assert.DoesNotContain("a's own", read);
            }

            var (absolute, _) = await rpc.ToolAsync(b, "read_file", SandboxTests.Args(("path", hostSecret)));
            Assert.Contains("access denied", absolute);

            foreach (var path in new[] { "dangling", "to-a", "dir-to-host/new.txt", "../escape.txt", hostTarget })
            {
                await rpc.ToolAsync(b, "write_file", SandboxTests.Args(("path", path), ("content", "written by b")));
            }

            Assert.False(File.Exists(hostTarget));
            Assert.False(File.Exists(Path.Combine(hostDir, "new.txt")));
            Assert.False(File.Exists(Path.Combine(emulator.WorkDirectory, "escape.txt")));
            Assert.Equal("a's own", await File.ReadAllTextAsync(Path.Combine(aDir, "mine.txt")));
            Assert.Equal("host secret", await File.ReadAllTextAsync(hostSecret));
        }
        finally
        {
            Directory.Delete(hostDir, recursive: true);
        }
    }

    [Fact]
    public async Task The_host_exec_flag_runs_commands_on_this_machine_in_the_session_directory()
    {
        await using var emulator = await AgentBayEmulator.StartAsync(new AgentBayEmulatorOptions { DisableSandbox = true, AllowHostExecution = true });
        using var rpc = new Rpc(emulator);
        var id = await rpc.CreateSessionAsync();
        var (text, isError) = await rpc.ToolAsync(id, "shell", """{"command":"pwd; hostname; echo from-shell > made.txt"}""");
        Assert.False(isError, text);
        var stdout = JsonDocument.Parse(text).RootElement.GetProperty("stdout").GetString();
        Assert.Equal(Path.Combine(emulator.WorkDirectory, id) + "\n" + (await File.ReadAllTextAsync("/proc/sys/kernel/hostname")).Trim() + "\n", stdout);
        Assert.Equal("from-shell\n", (await rpc.ToolAsync(id, "read_file", """{"path":"made.txt"}""")).Text);
    }

    [Fact]
    public async Task Host_exec_is_ignored_where_sandboxes_exist()
    {
        await using var emulator = await AgentBayEmulator.StartAsync(new AgentBayEmulatorOptions { AllowHostExecution = true });
        using var rpc = new Rpc(emulator);
        var id = await rpc.CreateSessionAsync();
        var (text, _) = await rpc.ToolAsync(id, "shell", """{"command":"hostname"}""");
        Assert.Equal(id + "\n", JsonDocument.Parse(text).RootElement.GetProperty("stdout").GetString());
    }
}
