using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using AgentBay.Lite.Emulator.Hosting;

namespace AgentBay.Lite.Emulator.Tools;

/// <summary>The text and error flag of an MCP <c>CallToolResult</c>.</summary>
internal sealed record ToolResult(string Text, bool IsError)
{
    public static ToolResult Fail(string text) => new(text, true);
}

/// <summary>
/// Runs the emulated MCP tools on the host, each session in its own working directory under the work root.
/// Relative paths resolve inside the session directory; paths inside another session's directory are refused.
/// </summary>
internal sealed class ToolRunner : IDisposable
{
    /// <summary>The largest <c>timeout_ms</c> honoured, as the SDKs clamp it.</summary>
    public const int MaxTimeoutMs = 50_000;

    /// <summary>The most stdout/stderr bytes returned from one command.</summary>
    public const int MaxCapturedBytes = 1024 * 1024;

    public static readonly (string Name, string Server, string Description)[] Tools =
    [
        ("shell", "wuying_shell", "Run a shell command with /bin/sh in the session's working directory."),
        ("write_file", "wuying_filesystem", "Write text to a file (mode overwrite, append or create_new)."),
        ("read_file", "wuying_filesystem", "Read a file, optionally a byte range (offset, length)."),
        ("get_file_info", "wuying_filesystem", "Describe a file or directory as key: value lines."),
    ];

    private readonly string _root;
    private readonly string _ioDir;
    private readonly bool _disableExec;
    private readonly SemaphoreSlim _shellSlots = new(32, 32);

    public ToolRunner(string root, bool disableExec)
    {
        _root = Path.GetFullPath(root);
        _ioDir = Path.Combine(_root, ".io");
        _disableExec = disableExec;
    }

    public string Root => _root;

    public void Dispose() => _shellSlots.Dispose();

    public string SessionDirectory(string sessionId) => Path.Combine(_root, sessionId);

    public void RemoveSessionDirectory(string sessionId)
    {
        try
        {
            var dir = SessionDirectory(sessionId);
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
        catch (IOException)
        {
            // Best effort: a process may still be writing there.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    public async Task<ToolResult> CallAsync(string sessionId, string tool, JsonElement args, CancellationToken cancellationToken)
    {
        try
        {
            return tool switch
            {
                "shell" => await ShellAsync(sessionId, args, cancellationToken),
                "write_file" => WriteFile(sessionId, args),
                "read_file" => ReadFile(sessionId, args),
                "get_file_info" => GetFileInfo(sessionId, args),
                _ => ToolResult.Fail($"Error: tool \"{tool}\" is not available in the AgentBay emulator (available: shell, write_file, read_file, get_file_info)."),
            };
        }
        catch (ToolArgumentException ex)
        {
            return ToolResult.Fail("Error: " + ex.Message);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return ToolResult.Fail("Error: " + ex.Message);
        }
    }

    private async Task<ToolResult> ShellAsync(string sessionId, JsonElement args, CancellationToken cancellationToken)
    {
        if (_disableExec)
        {
            return ToolResult.Fail("Error: the shell tool is disabled in this AgentBay emulator (it was started with --no-exec / DisableExec).");
        }

        var command = RequiredString(args, "command");
        var timeoutMs = OptionalInt(args, "timeout_ms") ?? MaxTimeoutMs;
        if (timeoutMs <= 0)
        {
            return ToolResult.Fail("Error: timeout_ms must be a positive number of milliseconds.");
        }

        timeoutMs = Math.Min(timeoutMs, MaxTimeoutMs);
        var sessionDir = EnsureSessionDirectory(sessionId);
        var cwd = OptionalString(args, "cwd") is { } c ? ResolvePath(sessionId, c) : sessionDir;
        if (!Directory.Exists(cwd))
        {
            return ToolResult.Fail($"Error: cwd does not exist or is not a directory: {cwd}");
        }

        Directory.CreateDirectory(_ioDir);
        var stem = Path.Combine(_ioDir, Guid.NewGuid().ToString("N"));
        var outPath = stem + ".out";
        var errPath = stem + ".err";

        // The outer shell points stdout/stderr at files and then execs the user's command, so background
        // children inherit files, not pipes: waiting for the shell to exit never waits for them.
        var psi = new ProcessStartInfo("/bin/sh")
        {
            UseShellExecute = false,
            WorkingDirectory = cwd,
        };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("exec /bin/sh -c \"$3\" >\"$1\" 2>\"$2\" </dev/null");
        psi.ArgumentList.Add("sh");
        psi.ArgumentList.Add(outPath);
        psi.ArgumentList.Add(errPath);
        psi.ArgumentList.Add(command);
        psi.Environment["PWD"] = cwd;
        if (args.ValueKind == JsonValueKind.Object && args.TryGetProperty("envs", out var envs) && envs.ValueKind != JsonValueKind.Null)
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

        await _shellSlots.WaitAsync(cancellationToken);
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
                    await process.WaitForExitAsync(timeout.Token);
                }
                catch (OperationCanceledException)
                {
                    timedOut = !cancellationToken.IsCancellationRequested;
                    KillTree(process);
                    await process.WaitForExitAsync(CancellationToken.None);
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
            _shellSlots.Release();
            TryDelete(outPath);
            TryDelete(errPath);
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
        catch (FileNotFoundException)
        {
            return "";
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

    private ToolResult WriteFile(string sessionId, JsonElement args)
    {
        var path = ResolvePath(sessionId, RequiredString(args, "path"));
        var content = OptionalString(args, "content", allowEmpty: true) ?? "";
        var mode = OptionalString(args, "mode") ?? "overwrite";
        var fileMode = mode switch
        {
            "overwrite" => FileMode.Create,
            "append" => FileMode.Append,
            "create_new" => FileMode.CreateNew,
            _ => (FileMode)0,
        };
        if (fileMode == 0)
        {
            return ToolResult.Fail($"Error: mode must be overwrite, append or create_new, not \"{mode}\".");
        }

        try
        {
            if (Path.GetDirectoryName(path) is { Length: > 0 } parent)
            {
                Directory.CreateDirectory(parent);
            }

            using var stream = new FileStream(path, fileMode, FileAccess.Write, FileShare.Read);
            var bytes = Encoding.UTF8.GetBytes(content);
            stream.Write(bytes);
            return new ToolResult($"Successfully wrote {bytes.Length.ToString(CultureInfo.InvariantCulture)} bytes to {path}", false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return ToolResult.Fail($"Error: cannot write {path}: {ex.Message}");
        }
    }

    private ToolResult ReadFile(string sessionId, JsonElement args)
    {
        var path = ResolvePath(sessionId, RequiredString(args, "path"));
        var offset = OptionalLong(args, "offset") ?? 0;
        var length = OptionalLong(args, "length");
        if (offset < 0 || length is < 0)
        {
            return ToolResult.Fail("Error: offset and length must not be negative.");
        }

        var binary = string.Equals(OptionalString(args, "format"), "binary", StringComparison.OrdinalIgnoreCase);
        if (!File.Exists(path))
        {
            return ToolResult.Fail($"Error: Path does not exist or is a directory: {path}");
        }

        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var available = Math.Max(0, stream.Length - offset);
            var count = length is { } l && l > 0 ? Math.Min(l, available) : available;
            if (count > 64L * 1024 * 1024)
            {
                return ToolResult.Fail("Error: the emulator reads at most 64 MiB per call; pass offset and length.");
            }

            var bytes = new byte[count];
            stream.Seek(Math.Min(offset, stream.Length), SeekOrigin.Begin);
            stream.ReadExactly(bytes);
            return new ToolResult(binary ? Convert.ToBase64String(bytes) : Encoding.UTF8.GetString(bytes), false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return ToolResult.Fail($"Error: cannot read {path}: {ex.Message}");
        }
    }

    private ToolResult GetFileInfo(string sessionId, JsonElement args)
    {
        var path = ResolvePath(sessionId, RequiredString(args, "path"));
        FileSystemInfo info = Directory.Exists(path) ? new DirectoryInfo(path) : new FileInfo(path);
        if (!info.Exists)
        {
            return ToolResult.Fail($"Error: path does not exist: {path}");
        }

        var isDir = info is DirectoryInfo;
        var size = info is FileInfo f ? f.Length : 0;
        var sb = new StringBuilder(160);
        sb.Append("name: ").Append(info.Name).Append('\n');
        sb.Append("path: ").Append(info.FullName).Append('\n');
        sb.Append("size: ").Append(size.ToString(CultureInfo.InvariantCulture)).Append('\n');
        sb.Append("isDirectory: ").Append(isDir ? "true" : "false").Append('\n');
        sb.Append("modTime: ").Append(info.LastWriteTimeUtc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)).Append('\n');
        sb.Append("mode: ").Append(ModeString(isDir, info.UnixFileMode));
        return new ToolResult(sb.ToString(), false);
    }

    private static string ModeString(bool isDir, UnixFileMode mode)
    {
        Span<char> s = stackalloc char[10];
        s[0] = isDir ? 'd' : '-';
        s[1] = (mode & UnixFileMode.UserRead) != 0 ? 'r' : '-';
        s[2] = (mode & UnixFileMode.UserWrite) != 0 ? 'w' : '-';
        s[3] = (mode & UnixFileMode.UserExecute) != 0 ? 'x' : '-';
        s[4] = (mode & UnixFileMode.GroupRead) != 0 ? 'r' : '-';
        s[5] = (mode & UnixFileMode.GroupWrite) != 0 ? 'w' : '-';
        s[6] = (mode & UnixFileMode.GroupExecute) != 0 ? 'x' : '-';
        s[7] = (mode & UnixFileMode.OtherRead) != 0 ? 'r' : '-';
        s[8] = (mode & UnixFileMode.OtherWrite) != 0 ? 'w' : '-';
        s[9] = (mode & UnixFileMode.OtherExecute) != 0 ? 'x' : '-';
        return new string(s);
    }

    private string EnsureSessionDirectory(string sessionId)
    {
        var dir = SessionDirectory(sessionId);
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Resolves a tool path: relative paths inside the session directory; another session's directory is refused.</summary>
    private string ResolvePath(string sessionId, string path)
    {
        var sessionDir = EnsureSessionDirectory(sessionId);
        string full;
        try
        {
            full = Path.GetFullPath(path, sessionDir);
        }
        catch (ArgumentException)
        {
            throw new ToolArgumentException($"invalid path: {path}");
        }

        if (IsUnder(full, _root) && !IsUnder(full, sessionDir) && !string.Equals(full, _root, StringComparison.Ordinal))
        {
            throw new ToolArgumentException($"access denied: {path} is outside this session's working directory.");
        }

        if (string.Equals(full, _root, StringComparison.Ordinal))
        {
            throw new ToolArgumentException($"access denied: {path} is the emulator's work root.");
        }

        return full;
    }

    private static bool IsUnder(string path, string dir) =>
        string.Equals(path, dir, StringComparison.Ordinal)
        || (path.StartsWith(dir, StringComparison.Ordinal) && path.Length > dir.Length && path[dir.Length] == Path.DirectorySeparatorChar);

    private static string RequiredString(JsonElement args, string name) =>
        OptionalString(args, name) ?? throw new ToolArgumentException($"the argument \"{name}\" is required and must be a non-empty string.");

    private static string? OptionalString(JsonElement args, string name, bool allowEmpty = false)
    {
        if (args.ValueKind != JsonValueKind.Object || !args.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (v.ValueKind != JsonValueKind.String)
        {
            throw new ToolArgumentException($"the argument \"{name}\" must be a string.");
        }

        var s = v.GetString()!;
        return s.Length == 0 && !allowEmpty ? null : s;
    }

    private static int? OptionalInt(JsonElement args, string name)
    {
        var l = OptionalLong(args, name);
        return l is null ? null : (int)Math.Clamp(l.Value, int.MinValue, int.MaxValue);
    }

    private static long? OptionalLong(JsonElement args, string name)
    {
        if (args.ValueKind != JsonValueKind.Object || !args.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n))
        {
            return n;
        }

        if (v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var d) && d == Math.Floor(d) && Math.Abs(d) < 9e15)
        {
            return (long)d;
        }

        if (v.ValueKind == JsonValueKind.String && long.TryParse(v.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out n))
        {
            return n;
        }

        throw new ToolArgumentException($"the argument \"{name}\" must be an integer.");
    }

    private sealed class ToolArgumentException(string message) : Exception(message);
}
