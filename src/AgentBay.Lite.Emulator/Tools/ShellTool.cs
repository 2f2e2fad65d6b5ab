using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using AgentBay.Lite.Emulator.Hosting;
using AgentBay.Lite.Emulator.Sessions.Sandbox;

namespace AgentBay.Lite.Emulator.Tools;

/// <summary>How the shell tool runs commands.</summary>
internal enum ExecutionMode
{
    /// <summary>Inside the session's sandbox.</summary>
    Sandboxed,

    /// <summary>Directly on the host, in the session directory (no sandbox, accepted with AllowHostExecution).</summary>
    Host,

    /// <summary>Refused: no sandbox and host execution not accepted.</summary>
    Refused,

    /// <summary>Refused: the shell tool is turned off (DisableExec).</summary>
    Disabled,
}

/// <summary>
/// The <c>shell</c> tool: <c>/bin/sh -c command</c> with a timeout, stdout and stderr captured to files (not pipes, so
/// a backgrounded server does not hold the call open) and capped at 1 MiB each.
/// </summary>
internal sealed class ShellTool(string ioDirectory, ExecutionMode mode, string? sandboxUnavailableReason) : IDisposable
{
    /// <summary>The largest <c>timeout_ms</c> honoured, as the SDKs clamp it.</summary>
    public const int MaxTimeoutMs = 50_000;

    /// <summary>The most stdout/stderr bytes returned from one command.</summary>
    public const int MaxCapturedBytes = 1024 * 1024;

    private readonly SemaphoreSlim _slots = new(32, 32);

    public void Dispose() => _slots.Dispose();

    /// <param name="workspace">The session's workspace.</param>
    /// <param name="files">What the session sees, for <c>cwd</c>.</param>
    /// <param name="args">The tool's arguments.</param>
    /// <param name="output">
    /// When set, gets stdout and stderr text (the flag is true for stderr) as the command writes it, read from the
    /// capture files while it runs; the result still carries the whole output.
    /// </param>
    /// <param name="cancellationToken">Cancels the command (its process tree is killed).</param>
    public async Task<ToolResult> RunAsync(SessionWorkspace workspace, ConfinedFiles files, JsonElement args, ShellOutput? output, CancellationToken cancellationToken)
    {
        switch (mode)
        {
            case ExecutionMode.Disabled:
                return ToolResult.Fail("Error: the shell tool is disabled in this AgentBay emulator (it was started with --no-exec / DisableExec).");
            case ExecutionMode.Refused:
                return ToolResult.Fail(
                    "Error: the shell tool is off because this AgentBay emulator runs without session sandboxes ("
                    + sandboxUnavailableReason
                    + "). Run it on Linux with bubblewrap installed (apt-get install bubblewrap) so each session gets its own namespaces,"
                    + " or start it with --unsafe-host-exec (AllowHostExecution) to run commands directly on this machine.");
        }

        var command = ToolArgs.RequiredString(args, "command");
        var timeoutMs = ToolArgs.OptionalInt(args, "timeout_ms") ?? MaxTimeoutMs;
        if (timeoutMs <= 0)
        {
            return ToolResult.Fail("Error: timeout_ms must be a positive number of milliseconds.");
        }

        timeoutMs = Math.Min(timeoutMs, MaxTimeoutMs);
        var cwd = ToolArgs.OptionalString(args, "cwd") is { } c ? files.ResolveDirectory(c) : workspace.Directory;
        Directory.CreateDirectory(ioDirectory);
        var stem = Path.Combine(ioDirectory, Guid.NewGuid().ToString("N"));
        var outPath = stem + ".out";
        var errPath = stem + ".err";

        // The outer shell points stdout/stderr at files and then execs the command line, so background children
        // inherit files, not pipes: waiting for the shell to exit never waits for them.
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, WorkingDirectory = workspace.Directory };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("out=$1; err=$2; shift 2; exec \"$@\" >\"$out\" 2>\"$err\" </dev/null");
        psi.ArgumentList.Add("sh");
        psi.ArgumentList.Add(outPath);
        psi.ArgumentList.Add(errPath);
        if (workspace.Sandbox is { } sandbox)
        {
            foreach (var arg in SandboxEnvironment.EnterArguments(sandbox.InitPid, cwd, command))
            {
                psi.ArgumentList.Add(arg);
            }

            // A clean environment: nothing of the emulator's own (keys, the host's PATH) leaks into the session.
            psi.Environment.Clear();
            psi.Environment["PATH"] = SandboxEnvironment.Path;
            psi.Environment["HOME"] = workspace.Directory;
            psi.Environment["USER"] = "root";
            psi.Environment["LOGNAME"] = "root";
            psi.Environment["SHELL"] = "/bin/sh";
            psi.Environment["LANG"] = "C.UTF-8";
            psi.Environment["TMPDIR"] = "/tmp";
        }
        else
        {
            psi.WorkingDirectory = cwd;
            psi.ArgumentList.Add("/bin/sh");
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add(command);
        }

        psi.Environment["PWD"] = cwd;
        if (ToolArgs.TryGet(args, "envs", out var envs))
        {
            if (envs.ValueKind != JsonValueKind.Object)
            {
                return ToolResult.Fail("Error: envs must be an object of string values.");
            }

            foreach (var env in envs.EnumerateObject())
            {
                if (env.Value.ValueKind != JsonValueKind.String || env.Name.Length == 0 || env.Name.Contains('=', StringComparison.Ordinal))
                {
                    return ToolResult.Fail($"Error: envs[\"{env.Name}\"] must be a string and its name non-empty without '='.");
                }

                psi.Environment[env.Name] = env.Value.GetString();
            }
        }

        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var process = new Process { StartInfo = psi };
            try
            {
                process.Start();
            }
            catch (System.ComponentModel.Win32Exception ex)
            {
                return ToolResult.Fail("Error: could not start /bin/sh: " + ex.Message);
            }

            var timedOut = false;
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                timeout.CancelAfter(timeoutMs);
                try
                {
                    if (output is null)
                    {
                        await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
                    }
                    else
                    {
                        await StreamUntilExitAsync(process, outPath, errPath, output, timeout.Token).ConfigureAwait(false);
                    }
                }
                catch (OperationCanceledException)
                {
                    timedOut = !cancellationToken.IsCancellationRequested;
                    KillTree(process);
                    await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
                }
            }

            var stdout = ReadCapped(outPath);
            var stderr = ReadCapped(errPath);
            var exitCode = timedOut ? 124 : process.ExitCode;
            if (timedOut)
            {
                stderr += (stderr.Length == 0 || stderr.EndsWith('\n') ? "" : "\n")
                    + $"Command timed out after {timeoutMs.ToString(CultureInfo.InvariantCulture)} ms; the process tree was killed.";
            }

            return new ToolResult(ShellJson(stdout, stderr, exitCode), exitCode != 0);
        }
        finally
        {
            _slots.Release();
            TryDelete(outPath);
            TryDelete(errPath);
        }
    }

    /// <summary>Forwards what the command writes to its capture files until it exits, polling them every 50 ms.</summary>
    private static async Task StreamUntilExitAsync(Process process, string outPath, string errPath, ShellOutput output, CancellationToken cancellationToken)
    {
        using var stdout = new CaptureTail(outPath);
        using var stderr = new CaptureTail(errPath);
        var exited = process.WaitForExitAsync(cancellationToken);
        while (true)
        {
            var done = await Task.WhenAny(exited, Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken)).ConfigureAwait(false) == exited;
            foreach (var (tail, isError) in new[] { (stdout, false), (stderr, true) })
            {
                if (tail.ReadNew(final: done) is { Length: > 0 } text)
                {
                    await output(text, isError).ConfigureAwait(false);
                }
            }

            if (done)
            {
                await exited.ConfigureAwait(false);
                return;
            }

            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    private static void KillTree(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
        catch (System.ComponentModel.Win32Exception)
        {
        }
    }

    private static string ShellJson(string stdout, string stderr, int exitCode)
    {
        var buffer = new ArrayBufferWriter<byte>(256 + stdout.Length + stderr.Length);
        using (var w = new Utf8JsonWriter(buffer, JsonOut.Options))
        {
            w.WriteStartObject();
            w.WriteString("stdout", stdout);
            w.WriteString("stderr", stderr);
            w.WriteNumber("exit_code", exitCode);
            w.WriteString("traceId", "");
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static string ReadCapped(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var length = (int)Math.Min(stream.Length, MaxCapturedBytes);
            var bytes = new byte[length];
            stream.ReadExactly(bytes);
            var text = Encoding.UTF8.GetString(bytes);
            return stream.Length > MaxCapturedBytes ? text + "\n[output truncated by the emulator at 1 MiB]" : text;
        }
        catch (IOException)
        {
            return "";
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Reads what was appended to a capture file since the last read, as UTF-8 text (split characters wait for their rest).</summary>
    private sealed class CaptureTail(string path) : IDisposable
    {
        private readonly Decoder _decoder = Encoding.UTF8.GetDecoder();
        private FileStream? _stream;
        private long _read;

        public string ReadNew(bool final)
        {
            try
            {
                _stream ??= new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            }
            catch (IOException)
            {
                return "";
            }

            var available = (int)Math.Min(_stream.Length - _read, MaxCapturedBytes - _read);
            if (available <= 0)
            {
                return "";
            }

            var bytes = new byte[available];
            _stream.Position = _read;
            var count = _stream.Read(bytes);
            _read += count;
            var chars = new char[_decoder.GetCharCount(bytes, 0, count, final)];
            _decoder.GetChars(bytes, 0, count, chars, 0, final);
            return new string(chars);
        }

        public void Dispose() => _stream?.Dispose();
    }
}

/// <summary>Receives a running command's output as it comes: the text, and true when it was written to stderr.</summary>
internal delegate ValueTask ShellOutput(string text, bool isStderr);
