using System.Diagnostics;
using System.Text.Json;

namespace AgentBay.Lite.Emulator.Tests;

/// <summary>Each session is a sandbox: real namespaces, real processes, checked from the host.</summary>
public sealed class SandboxTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>
{
    private readonly AgentBayEmulator _emulator = fixture.Emulator;

    /// <summary>A Python client run inside a session: fetches a URL, retrying while nothing listens yet (bounded).</summary>
    private const string FetchScript = """
        import sys, time, urllib.request
        for attempt in range(300):
            try:
                print(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode(), end="")
                break
            except OSError:
                time.sleep(0.05)
        else:
            sys.exit("nothing answered at " + sys.argv[1])
        """;

    private static string Stdout(string shellText) => JsonDocument.Parse(shellText).RootElement.GetProperty("stdout").GetString()!;

    /// <summary>Tool arguments as a JSON object of strings.</summary>
    internal static string Args(params (string Name, string Value)[] fields)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            foreach (var (name, value) in fields)
            {
                w.WriteString(name, value);
            }

            w.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    [Fact]
    public void The_test_machine_has_sandboxes()
    {
        // Everything below relies on real namespaces; CI installs bubblewrap (.ci/run).
        Assert.True(_emulator.IsSandboxed, _emulator.SandboxUnavailableReason);
    }

    [Fact]
    public async Task Two_sessions_serve_their_own_page_on_the_same_port()
    {
        using var rpc = new Rpc(_emulator);
        var sessions = new[] { await rpc.CreateSessionAsync(), await rpc.CreateSessionAsync() };
        var markers = sessions.Select(_ => "page-" + Guid.NewGuid().ToString("N")).ToArray();
        for (var i = 0; i < 2; i++)
        {
            Assert.False((await rpc.ToolAsync(sessions[i], "write_file", Args(("path", "/tmp/index.html"), ("content", markers[i])))).IsError);
            Assert.False((await rpc.ToolAsync(sessions[i], "write_file", Args(("path", "fetch.py"), ("content", FetchScript)))).IsError);
            var (started, startError) = await rpc.ToolAsync(sessions[i], "shell", """{"command":"cd /tmp && python3 -m http.server 30150 >/dev/null 2>&1 &"}""");
            Assert.False(startError, started);
        }

        for (var i = 0; i < 2; i++)
        {
            var (fetched, fetchError) = await rpc.ToolAsync(sessions[i], "shell", """{"command":"python3 fetch.py http://127.0.0.1:30150/index.html"}""");
            Assert.False(fetchError, fetched);
            Assert.Equal(markers[i], Stdout(fetched));
        }

        // Nothing a session serves is reachable on the host's interfaces.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        try
        {
            var body = await http.GetStringAsync("http://127.0.0.1:30150/index.html");
            Assert.DoesNotContain(markers[0], body);
            Assert.DoesNotContain(markers[1], body);
        }
        catch (HttpRequestException)
        {
            // Refused: the expected case on a quiet host.
        }
    }

    [Fact]
    public async Task A_file_written_in_one_session_is_invisible_to_another_and_to_the_host()
    {
        using var rpc = new Rpc(_emulator);
        var a = await rpc.CreateSessionAsync();
        var b = await rpc.CreateSessionAsync();
        var name = "/tmp/only-a-" + Guid.NewGuid().ToString("N") + ".txt";
        Assert.False((await rpc.ToolAsync(a, "write_file", $$"""{"path":"{{name}}","content":"a's secret"}""")).IsError);
        Assert.Equal("a's secret", (await rpc.ToolAsync(a, "read_file", $$"""{"path":"{{name}}"}""")).Text);
        Assert.Equal("a's secret", Stdout((await rpc.ToolAsync(a, "shell", $$"""{"command":"cat {{name}}"}""")).Text));

        var (read, readError) = await rpc.ToolAsync(b, "read_file", $$"""{"path":"{{name}}"}""");
        Assert.True(readError);
        Assert.DoesNotContain("a's secret", read);
        var (cat, catError) = await rpc.ToolAsync(b, "shell", $$"""{"command":"cat {{name}}"}""");
        Assert.True(catError);
        Assert.DoesNotContain("a's secret", cat);
        Assert.False(File.Exists(name));
    }

    [Fact]
    public async Task Deleting_a_session_kills_every_process_it_started_including_setsid_and_double_forked_ones()
    {
        using var rpc = new Rpc(_emulator);
        var id = await rpc.CreateSessionAsync();
        var session = _emulator.Sessions.Find(id)!;
        Assert.NotNull(session.NamespacePid);
        var init = session.NamespacePid.Value;
        var marker = Random.Shared.Next(100_000, 999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var command = $"sleep 1{marker} & setsid sh -c 'sleep 2{marker} &' ; (sh -c 'sleep 3{marker} &' &) ; cd /tmp && python3 -m http.server 30150 >/dev/null 2>&1 & {WaitForSleepers(marker, 3)}";
        var (text, isError) = await rpc.ToolAsync(id, "shell", Args(("command", command)));
        Assert.False(isError, text);
        var pids = HostProcesses(marker);
        Assert.Equal(3, pids.Count);
        Assert.True(Directory.Exists("/proc/" + init));

        (await rpc.CallAsync("DeleteSessionAsync", ("SessionId", id))).AssertOk();

        Assert.True(session.Ended.IsCancellationRequested);
        Assert.Empty(HostProcesses(marker));
        Assert.All(pids, pid => Assert.False(Directory.Exists("/proc/" + pid), $"process {pid} survived the delete"));
        Assert.False(Directory.Exists("/proc/" + init) && IsSandboxInit(init), "the sandbox's PID 1 survived");
    }

    [Fact]
    public async Task Each_session_has_its_own_hostname_and_pid_namespace()
    {
        using var rpc = new Rpc(_emulator);
        var a = await rpc.CreateSessionAsync();
        var b = await rpc.CreateSessionAsync();
        var hostA = Stdout((await rpc.ToolAsync(a, "shell", """{"command":"hostname"}""")).Text).Trim();
        var hostB = Stdout((await rpc.ToolAsync(b, "shell", """{"command":"hostname"}""")).Text).Trim();
        Assert.NotEqual(hostA, hostB);
        Assert.NotEqual(Environment.MachineName, hostA);

        // Only the sandbox's own processes are visible: its init, and this shell.
        var (ps, psError) = await rpc.ToolAsync(a, "shell", """{"command":"ls /proc | grep -c '^[0-9]'"}""");
        Assert.False(psError, ps);
        Assert.True(int.Parse(Stdout(ps).Trim(), System.Globalization.CultureInfo.InvariantCulture) < 10, Stdout(ps));
    }

    [Fact]
    public async Task The_host_is_not_visible_and_system_directories_are_read_only()
    {
        using var rpc = new Rpc(_emulator);
        var id = await rpc.CreateSessionAsync();
        var (text, _) = await rpc.ToolAsync(id, "shell", $$"""{"command":"ls /root /work {{_emulator.WorkDirectory}} 2>&1; touch /usr/escape 2>&1; mount -o remount,rw,bind /usr /usr 2>&1; echo done"}""");
        var stdout = Stdout(text);
        Assert.Contains("'/root': No such file", stdout);
        Assert.Contains("'/work': No such file", stdout);
        Assert.Contains("Read-only file system", stdout);
        Assert.DoesNotContain("session-", stdout.Replace(id, "", StringComparison.Ordinal)); // only its own directory is in the work root
        Assert.False(File.Exists("/usr/escape"));
        Assert.Equal("/usr/bin/python3\n", Stdout((await rpc.ToolAsync(id, "shell", """{"command":"command -v python3"}""")).Text));
    }

    [Fact]
    public async Task Traversal_and_symlink_tricks_stay_inside_the_session()
    {
        using var rpc = new Rpc(_emulator);
        var a = await rpc.CreateSessionAsync();
        var b = await rpc.CreateSessionAsync();
        var hostDir = Directory.CreateTempSubdirectory("agentbay-host-").FullName;
        try
        {
            var hostSecret = Path.Combine(hostDir, "secret.txt");
            await File.WriteAllTextAsync(hostSecret, "host secret");
            var hostTarget = Path.Combine(hostDir, "created-through-a-link.txt");
            var aFile = Path.Combine(_emulator.WorkDirectory, a, "mine.txt");
            Assert.False((await rpc.ToolAsync(a, "write_file", """{"path":"mine.txt","content":"a's own"}""")).IsError);
            var links = $"ln -s {hostSecret} /tmp/to-host; ln -s {hostTarget} /tmp/dangling; ln -s {aFile} to-a; ln -s ../../../../../../../../{hostSecret} rel";
            Assert.False((await rpc.ToolAsync(b, "shell", Args(("command", links)))).IsError);

            foreach (var path in new[] { hostSecret, "/tmp/to-host", "rel", "to-a", "../../../../../.." + hostSecret, "/proc/self/root" + hostSecret, "/proc/1/root" + hostSecret, aFile })
            {
                var (read, _) = await rpc.ToolAsync(b, "read_file", Args(("path", path)));
                Assert.DoesNotContain("host secret", read);
                Assert.DoesNotContain("a's own", read);
            }

            foreach (var path in new[] { "/tmp/dangling", "to-a", "../../../../../../../.." + hostTarget, hostTarget })
            {
                await rpc.ToolAsync(b, "write_file", Args(("path", path), ("content", "written by b")));
            }

            Assert.False(File.Exists(hostTarget), "a write through a link created a host file");
            Assert.Equal("a's own", await File.ReadAllTextAsync(aFile));
            Assert.Equal("host secret", await File.ReadAllTextAsync(hostSecret));

            var (proc, procError) = await rpc.ToolAsync(b, "write_file", """{"path":"/proc/sys/kernel/hostname","content":"pwned"}""");
            Assert.True(procError);
            Assert.Contains("kernel file system", proc);
            Assert.NotEqual("pwned", (await File.ReadAllTextAsync("/proc/sys/kernel/hostname")).Trim());
        }
        finally
        {
            Directory.Delete(hostDir, recursive: true);
        }
    }

    [Fact]
    public async Task The_extra_file_tools_work_inside_the_sandbox()
    {
        using var rpc = new Rpc(_emulator);
        var id = await rpc.CreateSessionAsync();
        Assert.False((await rpc.ToolAsync(id, "create_directory", """{"path":"/tmp/x/y"}""")).IsError);
        Assert.False((await rpc.ToolAsync(id, "write_file", """{"path":"/tmp/x/y/a.txt","content":"alpha beta"}""")).IsError);
        Assert.False((await rpc.ToolAsync(id, "write_file", """{"path":"/tmp/x/b.log","content":"log"}""")).IsError);
        Assert.Equal("[FILE] b.log\n[DIR] y", (await rpc.ToolAsync(id, "list_directory", """{"path":"/tmp/x"}""")).Text);
        Assert.Equal("/tmp/x/y/a.txt", (await rpc.ToolAsync(id, "search_files", """{"path":"/tmp/x","pattern":"*.txt"}""")).Text);
        Assert.Equal("No matches found", (await rpc.ToolAsync(id, "search_files", """{"path":"/tmp/x","pattern":"a","excludePatterns":["y"]}""")).Text);
        Assert.False((await rpc.ToolAsync(id, "edit_file", """{"path":"/tmp/x/y/a.txt","edits":[{"oldText":"beta","newText":"gamma"}]}""")).IsError);
        Assert.False((await rpc.ToolAsync(id, "move_file", """{"source":"/tmp/x/y/a.txt","destination":"/tmp/x/c.txt"}""")).IsError);
        var multiple = (await rpc.ToolAsync(id, "read_multiple_files", """{"paths":["/tmp/x/c.txt","/tmp/x/b.log"]}""")).Text;
        Assert.Contains("/tmp/x/c.txt:\nalpha gamma", multiple);
        Assert.Contains("/tmp/x/b.log:\nlog", multiple);
        Assert.False((await rpc.ToolAsync(id, "delete_file", """{"path":"/tmp/x/b.log"}""")).IsError);

        // The shell sees exactly what the file tools did.
        Assert.Equal("c.txt\ny\nalpha gamma", Stdout((await rpc.ToolAsync(id, "shell", """{"command":"ls /tmp/x; cat /tmp/x/c.txt"}""")).Text));
    }

    [Fact]
    public async Task Stopping_the_emulator_kills_every_sandbox()
    {
        var marker = Random.Shared.Next(100_000, 999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using (var emulator = await AgentBayEmulator.StartAsync())
        {
            using var rpc = new Rpc(emulator);
            var id = await rpc.CreateSessionAsync();
            Assert.False((await rpc.ToolAsync(id, "shell", Args(("command", $"setsid sh -c 'sleep 4{marker} &'; {WaitForSleepers(marker, 1)}")))).IsError);
            Assert.Single(HostProcesses(marker));
        }

        Assert.Empty(HostProcesses(marker));
    }

    [Fact]
    public async Task A_SIGKILLed_emulator_takes_its_sandboxes_with_it()
    {
        var marker = Random.Shared.Next(100_000, 999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        // A SIGKILLed emulator cannot remove its work directory, so the test owns it.
        var workDir = Directory.CreateTempSubdirectory("agentbay-kill-test-").FullName;
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "AgentBay.Lite.Emulator.dll"), "--port", "0", "--api-key", "akm-kill-test", "--work-dir", workDir })
        {
            psi.ArgumentList.Add(arg);
        }

        using var process = Process.Start(psi)!;
        try
        {
            Uri? endpoint = null;
            while (await process.StandardOutput.ReadLineAsync() is { } line && !line.StartsWith("Press Ctrl+C", StringComparison.Ordinal))
            {
                if (line.StartsWith("AgentBay emulator listening on ", StringComparison.Ordinal))
                {
                    endpoint = new Uri(line["AgentBay emulator listening on ".Length..]);
                }
            }

            Assert.NotNull(endpoint);
            using var http = new HttpClient { BaseAddress = endpoint };
            async Task<JsonElement> CallAsync(string action, string form)
            {
                using var content = new StringContent("Authorization=Bearer%20akm-kill-test&" + form, System.Text.Encoding.UTF8, "application/x-www-form-urlencoded");
                using var response = await http.PostAsync("/?Action=" + action, content);
                return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
            }

            var id = (await CallAsync("CreateMcpSession", "")).GetProperty("Data").GetProperty("SessionId").GetString()!;
            var args = Uri.EscapeDataString(Args(("command", $"setsid sh -c 'sleep 5{marker} &'; sleep 6{marker} & {WaitForSleepers(marker, 2)}")));
            await CallAsync("CallMcpTool", $"SessionId={id}&Name=shell&Args={args}");
            Assert.Equal(2, HostProcesses(marker).Count);
        }
        finally
        {
            process.Kill(); // SIGKILL: no clean shutdown runs
            await process.WaitForExitAsync();
        }

        // The kernel delivers the parent-death signal as the emulator dies; the sandbox's PID namespace then goes.
        for (var attempt = 0; attempt < 200 && HostProcesses(marker).Count > 0; attempt++)
        {
            await Task.Delay(25);
        }

        Assert.Empty(HostProcesses(marker));
        Directory.Delete(workDir, recursive: true);
    }

    /// <summary>
    /// A shell snippet that returns once <paramref name="count"/> <c>sleep …marker</c> processes run in the session
    /// (a backgrounded child may not have exec'd <c>sleep</c> yet when its parent shell exits); bounded at 10 s.
    /// </summary>
    internal static string WaitForSleepers(string marker, int count) =>
        $"i=0; while [ \"$(cat /proc/[0-9]*/cmdline 2>/dev/null | tr '\\0' ' ' | grep -o 'sleep [0-9]*{marker}' | wc -l)\" -lt {count} ] && [ $i -lt 1000 ]; do sleep 0.01; i=$((i+1)); done";

    /// <summary>Host PIDs whose command line contains <c>sleep N</c> with N ending in the marker.</summary>
    internal static List<int> HostProcesses(string marker)
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (cmdline.StartsWith("sleep ", StringComparison.Ordinal) && cmdline.TrimEnd().EndsWith(marker, StringComparison.Ordinal))
                {
                    found.Add(pid);
                }
            }
            catch (IOException)
            {
                // Gone while we looked.
            }
        }

        return found;
    }

    private static bool IsSandboxInit(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Contains("bwrap", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    }
}
