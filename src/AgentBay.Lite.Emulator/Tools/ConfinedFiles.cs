using AgentBay.Lite.Emulator.Sessions.Sandbox;
using Microsoft.Win32.SafeHandles;

namespace AgentBay.Lite.Emulator.Tools;

/// <summary>
/// File access for one session, confined to what the session can see. Every path is resolved by the kernel with
/// <c>openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)</c> below the workspace root (the sandbox's root, or the
/// session directory without a sandbox): absolute symlinks, <c>..</c> and dangling links all stay inside, exactly
/// as they would for the session's own shell. Only regular files and directories are read or written, never
/// on kernel file systems (<c>/proc</c>, <c>/sys</c>, …), whose files the emulator — not the session — would act on.
/// </summary>
internal sealed class ConfinedFiles(SessionWorkspace workspace)
{
    private const ulong Resolve = Native.ResolveInRoot | Native.ResolveNoMagicLinks;

    // f_type magics of kernel file systems whose writes act on the host kernel.
    private static readonly long[] KernelFileSystems =
    [
        0x9fa0, // proc
        0x62656572, // sysfs
        0x64626720, // debugfs
        0x74726163, // tracefs
        0x73636673, // securityfs
        0x27e0eb, // cgroup
        0x63677270, // cgroup2
        0xcafe4a11, // bpf
        0x6165676C, // pstore
        0xde5e81e4, // efivarfs
        0x62656570, // configfs
        0x65735543, // fusectl
        0x42494e4d, // binfmt_misc
        0x1cd1, // devpts
    ];

    private bool Sandboxed => workspace.Sandbox is not null;

    /// <summary>The path as the session sees it (absolute), for messages.</summary>
    public string Display(string path)
    {
        var full = path.StartsWith('/') ? path : workspace.Directory + "/" + path;
        return Path.GetFullPath(full);
    }

    /// <summary>The path to hand to openat2 below the root: sandbox paths as they are; without a sandbox, relative to the session directory.</summary>
    private string Locate(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new ToolArgumentException("the emulator's file tools need Linux (they resolve every path with openat2 so that no symlink or .. leaves the session); this machine runs " + System.Runtime.InteropServices.RuntimeInformation.OSDescription + ".");
        }

        if (path.Length == 0 || path.Contains('\0', StringComparison.Ordinal))
        {
            throw new ToolArgumentException($"invalid path: \"{path}\"");
        }

        if (Sandboxed)
        {
            return path.StartsWith('/') ? path : workspace.Directory + "/" + path;
        }

        if (!path.StartsWith('/'))
        {
            return path;
        }

        var full = Path.GetFullPath(path);
        if (full == workspace.Directory)
        {
            return ".";
        }

        if (full.StartsWith(workspace.Directory + "/", StringComparison.Ordinal))
        {
            return full[(workspace.Directory.Length + 1)..];
        }

        throw new ToolArgumentException($"access denied: {path} is outside this session's directory {workspace.Directory} (the emulator runs without session sandboxes, so file tools reach only that directory).");
    }

    /// <summary>The working directory for a command, checked to exist inside the session; returns the session-visible path.</summary>
    public string ResolveDirectory(string path)
    {
        using var handle = Open(path, Native.OPath | Native.ODirectory, 0, out var errno);
        if (handle.IsInvalid)
        {
            throw new ToolArgumentException($"cwd does not exist or is not a directory: {Display(path)} ({Native.ErrorText(errno)})");
        }

        return Sandboxed ? Display(path) : Path.GetFullPath(workspace.Directory + "/" + Locate(path));
    }

    public Native.FileStatus? Stat(string path)
    {
        using var handle = Open(path, Native.OPath, 0, out var errno);
        if (handle.IsInvalid)
        {
            return errno is Native.ENOENT or Native.ENOTDIR ? null : throw Failure("cannot inspect", path, errno);
        }

        return Native.TryStat(handle, "", out var status, out errno) ? status : throw Failure("cannot inspect", path, errno);
    }

    /// <summary>Opens an existing regular file for reading.</summary>
    public FileStream OpenRead(string path)
    {
        var handle = Open(path, Native.OPath, 0, out var errno);
        if (handle.IsInvalid)
        {
            throw errno is Native.ENOENT or Native.ENOTDIR
                ? new ToolArgumentException($"Path does not exist or is a directory: {Display(path)}")
                : Failure("cannot read", path, errno);
        }

        using (handle)
        {
            var status = CheckOrdinary(handle, path);
            if (status.IsDirectory)
            {
                throw new ToolArgumentException($"Path does not exist or is a directory: {Display(path)}");
            }

            // Reopen the very same file (the fd link names the open file, not a path) for reading.
            return new FileStream(ReopenPath(handle), FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        }
    }

    /// <summary>Opens a regular file for writing: <c>overwrite</c> truncates, <c>append</c> appends, <c>create_new</c> fails if it exists.</summary>
    public FileStream OpenWrite(string path, string mode, bool createParents)
    {
        var flags = Native.OWrOnly | Native.OCreat | Native.ONonBlock | Native.ONoCtty | mode switch
        {
            "append" => Native.OAppend,
            "create_new" => Native.OExcl,
            _ => 0UL,
        };
        if (createParents)
        {
            CreateParents(path);
        }

        var handle = Open(path, flags, 0b110_100_100, out var errno);
        if (handle.IsInvalid)
        {
            // ENXIO: a FIFO without a reader, or a socket (opened non-blocking, so the call never waits for one).
            throw errno switch
            {
                Native.EEXIST => new ToolArgumentException($"the file already exists: {Display(path)}"),
                Native.ENXIO => new ToolArgumentException($"not a regular file: {Display(path)} (FIFOs, sockets and devices are refused)"),
                _ => Failure("cannot write", path, errno),
            };
        }

        try
        {
            var status = CheckOrdinary(handle, path);
            if (!status.IsRegular)
            {
                throw new ToolArgumentException($"not a regular file: {Display(path)}");
            }

            var stream = new FileStream(handle, FileAccess.Write);
            if (mode == "overwrite")
            {
                stream.SetLength(0);
            }

            return stream;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary><c>mkdir -p</c>: every missing directory of <paramref name="path"/>, each resolved from the root again.</summary>
    public void CreateDirectory(string path) => CreateDirectories(Components(path), Locate(path).StartsWith('/'));

    /// <summary>Lists a directory: names with whether each is a directory (symlinks are followed inside the session).</summary>
    public List<(string Name, bool IsDirectory)> List(string path, int limit)
    {
        using var dir = Open(path, Native.ODirectory | Native.ONonBlock, 0, out var errno);
        if (dir.IsInvalid)
        {
            throw Failure("cannot list", path, errno);
        }

        CheckFileSystem(dir, path);
        var result = new List<(string, bool)>();
        foreach (var (name, type) in Native.ReadDirectory(dir, limit))
        {
            const byte dtDir = 4, dtLink = 10, dtUnknown = 0;
            var isDir = type == dtDir;
            if (type is dtLink or dtUnknown)
            {
                isDir = Stat(Join(path, name)) is { IsDirectory: true };
            }

            result.Add((name, isDir));
        }

        result.Sort(static (a, b) => string.CompareOrdinal(a.Item1, b.Item1));
        return result;
    }

    /// <summary>Removes a file, a symlink (not its target) or an empty directory.</summary>
    public void Delete(string path)
    {
        var (parent, name) = Split(path);
        using var dir = OpenDirectory(parent, path);
        var rc = Native.UnlinkAt(dir, name, 0);
        if (rc == Native.EISDIR)
        {
            rc = Native.UnlinkAt(dir, name, Native.AtRemoveDir);
        }

        if (rc != 0)
        {
            throw Failure("cannot delete", path, rc);
        }
    }

    /// <summary>Renames <paramref name="source"/> to <paramref name="destination"/> (both inside the session).</summary>
    public void Move(string source, string destination)
    {
        var (fromParent, fromName) = Split(source);
        var (toParent, toName) = Split(destination);
        using var from = OpenDirectory(fromParent, source);
        using var to = OpenDirectory(toParent, destination);
        var rc = Native.RenameAt(from, fromName, to, toName);
        if (rc != 0)
        {
            throw Failure("cannot move", source, rc);
        }
    }

    /// <summary>Walks <paramref name="path"/> recursively (never following symlinked directories) and returns the session paths whose names match.</summary>
    public List<string> Search(string path, Func<string, bool> matches, Func<string, bool> excluded, int limit)
    {
        var results = new List<string>();
        var pending = new Stack<string>();
        pending.Push(path);
        var visited = 0;
        while (pending.Count > 0 && results.Count < limit && visited++ < 100_000)
        {
            var current = pending.Pop();
            using var dir = Open(current, Native.ODirectory | Native.ONoFollow | Native.ONonBlock, 0, out var errno);
            if (dir.IsInvalid)
            {
                if (current == path)
                {
                    throw Failure("cannot search", path, errno);
                }

                continue;
            }

            if (IsKernelFileSystem(dir))
            {
                continue;
            }

            foreach (var (name, type) in Native.ReadDirectory(dir, 100_000))
            {
                if (excluded(name))
                {
                    continue;
                }

                var child = Join(current, name);
                if (matches(name))
                {
                    results.Add(Display(child));
                    if (results.Count >= limit)
                    {
                        break;
                    }
                }

                if (type == 4)
                {
                    pending.Push(child);
                }
            }
        }

        results.Sort(StringComparer.Ordinal);
        return results;
    }

    private static string Join(string dir, string name) => dir.EndsWith('/') ? dir + name : dir + "/" + name;

    private SafeFileHandle Open(string path, ulong flags, uint mode, out int errno) =>
        Native.OpenAt2(workspace.Root, Locate(path), flags, mode, Resolve, out errno);

    private SafeFileHandle OpenDirectory(string parent, string original)
    {
        var dir = Open(parent, Native.OPath | Native.ODirectory, 0, out var errno);
        if (dir.IsInvalid)
        {
            throw Failure("cannot reach the directory of", original, errno);
        }

        return dir;
    }

    private Native.FileStatus CheckOrdinary(SafeFileHandle handle, string path)
    {
        if (!Native.TryStat(handle, "", out var status, out var errno))
        {
            throw Failure("cannot inspect", path, errno);
        }

        if (!status.IsRegular && !status.IsDirectory)
        {
            throw new ToolArgumentException($"not a regular file: {Display(path)} (FIFOs, sockets and devices are refused)");
        }

        CheckFileSystem(handle, path);
        return status;
    }

    private void CheckFileSystem(SafeFileHandle handle, string path)
    {
        if (IsKernelFileSystem(handle))
        {
            throw new ToolArgumentException($"access denied: {Display(path)} is on a kernel file system (/proc, /sys, …); use the shell tool to read it.");
        }
    }

    private static bool IsKernelFileSystem(SafeFileHandle handle) => Array.IndexOf(KernelFileSystems, Native.FileSystemType(handle)) >= 0;

    private static string ReopenPath(SafeFileHandle handle) => "/proc/self/fd/" + ((int)handle.DangerousGetHandle()).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private void CreateParents(string path)
    {
        var components = Components(path);
        if (components.Count > 1)
        {
            CreateDirectories(components[..^1], Locate(path).StartsWith('/'));
        }
    }

    private void CreateDirectories(List<string> components, bool absolute)
    {
        var prefix = absolute ? "/" : "";
        SafeFileHandle? parent = Open(absolute ? "/" : ".", Native.OPath | Native.ODirectory, 0, out _);
        try
        {
            foreach (var component in components)
            {
                prefix = prefix.Length == 0 || prefix.EndsWith('/') ? prefix + component : prefix + "/" + component;
                var next = Native.OpenAt2(workspace.Root, prefix, Native.OPath | Native.ODirectory, 0, Resolve, out var errno);
                if (next.IsInvalid && errno == Native.ENOENT && component is not "." and not ".." && !parent.IsInvalid)
                {
                    var rc = Native.MkdirAt(parent, component, 0b111_101_101);
                    if (rc != 0 && rc != Native.EEXIST)
                    {
                        throw Failure("cannot create the directory", prefix, rc);
                    }

                    next = Native.OpenAt2(workspace.Root, prefix, Native.OPath | Native.ODirectory, 0, Resolve, out errno);
                }

                if (next.IsInvalid)
                {
                    throw Failure("cannot create the directory", prefix, errno);
                }

                parent.Dispose();
                parent = next;
            }
        }
        finally
        {
            parent.Dispose();
        }
    }

    /// <summary>The path's components after <see cref="Locate"/> (relative to the root when absolute, else to the session directory).</summary>
    private List<string> Components(string path) =>
        [.. Locate(path).Split('/', StringSplitOptions.RemoveEmptyEntries)];

    private static (string Parent, string Name) Split(string path)
    {
        var trimmed = path.TrimEnd('/');
        var slash = trimmed.LastIndexOf('/');
        var name = slash < 0 ? trimmed : trimmed[(slash + 1)..];
        if (name is "" or "." or "..")
        {
            throw new ToolArgumentException($"invalid path: \"{path}\" does not name a file or directory.");
        }

        var parent = slash < 0 ? "." : slash == 0 ? "/" : trimmed[..slash];
        return (parent, name);
    }

    private ToolArgumentException Failure(string what, string path, int errno) =>
        new($"{what} {Display(path)}: {Native.ErrorText(errno)}");
}

/// <summary>A tool argument or path the tool refuses; the text goes back to the client as a tool error.</summary>
internal sealed class ToolArgumentException(string message) : Exception(message);
