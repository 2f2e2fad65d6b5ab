using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace AgentBay.Lite.Emulator.Sessions.Sandbox;

/// <summary>
/// The Linux calls the confined file tools and the sandbox need and .NET does not expose: <c>openat2</c> with
/// <c>RESOLVE_IN_ROOT</c>, <c>statx</c>, <c>fstatfs</c>, <c>getdents64</c>, the <c>*at</c> calls, and pidfds. The structures
/// used (<c>open_how</c>, <c>statx</c>, <c>linux_dirent64</c>, the first field of <c>statfs</c>) have the same layout on
/// every 64-bit Linux; the <c>O_*</c> values that differ between x64 and arm64 are picked at run time.
/// </summary>
internal static unsafe partial class Native
{
    public const int AtFdCwd = -100;
    public const int AtRemoveDir = 0x200;
    public const int AtEmptyPath = 0x1000;
    public const int AtSymlinkNoFollow = 0x100;

    public const ulong ResolveNoXdev = 0x01;
    public const ulong ResolveNoMagicLinks = 0x02;
    public const ulong ResolveNoSymlinks = 0x04;
    public const ulong ResolveBeneath = 0x08;
    public const ulong ResolveInRoot = 0x10;

    public const int ENOENT = 2;
    public const int EINTR = 4;
    public const int ENXIO = 6;
    public const int EEXIST = 17;
    public const int ENOTDIR = 20;
    public const int EISDIR = 21;
    public const int EAGAIN = 11;
    public const int ESRCH = 3;

    public const ulong ORdOnly = 0;
    public const ulong OWrOnly = 1;
    public const ulong OCreat = 0x40;
    public const ulong OExcl = 0x80;
    public const ulong ONoCtty = 0x100;
    public const ulong OTrunc = 0x200;
    public const ulong OAppend = 0x400;
    public const ulong ONonBlock = 0x800;
    public const ulong OCloExec = 0x80000;
    public const ulong OPath = 0x200000;

    private const long SysPidfdSendSignal = 424;
    private const long SysPidfdOpen = 434;
    private const long SysOpenat2 = 437;

    public static ulong ODirectory => RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 0x4000UL : 0x10000UL;

    public static ulong ONoFollow => RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 0x8000UL : 0x20000UL;

    private static long Getdents64Number => RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 61 : 217;

    [StructLayout(LayoutKind.Sequential)]
    private struct OpenHow
    {
        public ulong Flags;
        public ulong Mode;
        public ulong Resolve;
    }

    /// <summary>File type bits of <c>st_mode</c>.</summary>
    public const int SIfMt = 0xF000;
    public const int SIfReg = 0x8000;
    public const int SIfDir = 0x4000;
    public const int SIfLnk = 0xA000;

    /// <summary>What <c>statx</c> reports about a file.</summary>
    public readonly record struct FileStatus(int Mode, long Size, long MTimeSeconds, uint Uid, uint Gid)
    {
        public int Type => Mode & SIfMt;
        public bool IsDirectory => Type == SIfDir;
        public bool IsRegular => Type == SIfReg;
        public bool IsSymlink => Type == SIfLnk;
    }

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall4(long number, long a1, long a2, long a3, long a4);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int StatxNative(int dirfd, string path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc", EntryPoint = "fstatfs", SetLastError = true)]
    private static partial int FstatfsNative(int fd, byte* buffer);

    [LibraryImport("libc", EntryPoint = "mkdirat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MkdiratNative(int dirfd, string name, uint mode);

    [LibraryImport("libc", EntryPoint = "unlinkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int UnlinkatNative(int dirfd, string name, int flags);

    [LibraryImport("libc", EntryPoint = "renameat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int RenameatNative(int olddirfd, string oldname, int newdirfd, string newname);

    /// <summary><c>openat2(dirfd, path, how)</c>; the handle is invalid and <paramref name="errno"/> set on failure.</summary>
    public static SafeFileHandle OpenAt2(SafeFileHandle? dir, string path, ulong flags, uint mode, ulong resolve, out int errno)
    {
        var how = new OpenHow { Flags = flags | OCloExec, Mode = (flags & OCreat) != 0 ? mode : 0, Resolve = resolve };
        var bytes = System.Text.Encoding.UTF8.GetBytes(path + "\0");
        var added = false;
        try
        {
            dir?.DangerousAddRef(ref added);
            var dirfd = dir is null ? AtFdCwd : (int)dir.DangerousGetHandle();
            // RESOLVE_IN_ROOT answers EAGAIN when any mount or rename happened during the walk (sandboxes starting
            // elsewhere do both), so retry a bounded number of times.
            for (var attempt = 0; ; attempt++)
            {
                long fd;
                fixed (byte* p = bytes)
                {
                    fd = Syscall4(SysOpenat2, dirfd, (long)p, (long)&how, sizeof(OpenHow));
                }

                if (fd >= 0)
                {
                    errno = 0;
                    return new SafeFileHandle(checked((IntPtr)fd), ownsHandle: true);
                }

                errno = Marshal.GetLastPInvokeError();
                if ((errno != EINTR && errno != EAGAIN) || attempt >= 10_000)
                {
                    return new SafeFileHandle(new IntPtr(-1), ownsHandle: false);
                }
            }
        }
        finally
        {
            if (added)
            {
                dir!.DangerousRelease();
            }
        }
    }

    /// <summary><c>statx</c> of an open handle (<c>AT_EMPTY_PATH</c>), or of <paramref name="name"/> under it without following a final symlink.</summary>
    public static bool TryStat(SafeFileHandle handle, string name, out FileStatus status, out int errno)
    {
        const uint mask = 0x1 | 0x2 | 0x8 | 0x10 | 0x40 | 0x200; // TYPE | MODE | UID | GID | MTIME | SIZE
        var buffer = stackalloc byte[256];
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            var flags = name.Length == 0 ? AtEmptyPath : AtSymlinkNoFollow;
            if (StatxNative((int)handle.DangerousGetHandle(), name, flags, mask, buffer) != 0)
            {
                errno = Marshal.GetLastPInvokeError();
                status = default;
                return false;
            }

            errno = 0;
            status = new FileStatus(
                Mode: *(ushort*)(buffer + 28),
                Size: *(long*)(buffer + 40),
                MTimeSeconds: *(long*)(buffer + 112),
                Uid: *(uint*)(buffer + 20),
                Gid: *(uint*)(buffer + 24));
            return true;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>The <c>f_type</c> magic of the file system an open handle lives on.</summary>
    public static long FileSystemType(SafeFileHandle handle)
    {
        var buffer = stackalloc byte[256];
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            return FstatfsNative((int)handle.DangerousGetHandle(), buffer) == 0 ? *(long*)buffer : -1;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    public static int MkdirAt(SafeFileHandle dir, string name, uint mode) => WithFd(dir, fd => MkdiratNative(fd, name, mode));

    public static int UnlinkAt(SafeFileHandle dir, string name, int flags) => WithFd(dir, fd => UnlinkatNative(fd, name, flags));

    public static int RenameAt(SafeFileHandle from, string fromName, SafeFileHandle to, string toName) =>
        WithFd(from, f => WithFd(to, t => RenameatNative(f, fromName, t, toName)));

    /// <summary>The names and <c>d_type</c>s in an open directory (without <c>.</c> and <c>..</c>).</summary>
    public static List<(string Name, byte Type)> ReadDirectory(SafeFileHandle directory, int limit)
    {
        var result = new List<(string, byte)>();
        var buffer = new byte[32 * 1024];
        var added = false;
        try
        {
            directory.DangerousAddRef(ref added);
            var fd = (int)directory.DangerousGetHandle();
            while (result.Count < limit)
            {
                long n;
                fixed (byte* p = buffer)
                {
                    n = Syscall4(Getdents64Number, fd, (long)p, buffer.Length, 0);
                }

                if (n < 0)
                {
                    throw new IOException("cannot read the directory: " + Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError()));
                }

                if (n == 0)
                {
                    break;
                }

                var offset = 0;
                while (offset < n)
                {
                    var reclen = BitConverter.ToUInt16(buffer, offset + 16);
                    var type = buffer[offset + 18];
                    var nameStart = offset + 19;
                    var nameEnd = Array.IndexOf(buffer, (byte)0, nameStart, reclen - 19);
                    var name = System.Text.Encoding.UTF8.GetString(buffer, nameStart, (nameEnd < 0 ? offset + reclen : nameEnd) - nameStart);
                    if (name is not "." and not "..")
                    {
                        result.Add((name, type));
                    }

                    offset += reclen;
                }
            }
        }
        finally
        {
            if (added)
            {
                directory.DangerousRelease();
            }
        }

        return result;
    }

    /// <summary>A pidfd for a process, so a later signal cannot reach a process that reused the PID.</summary>
    public static SafeFileHandle PidfdOpen(int pid)
    {
        var fd = Syscall4(SysPidfdOpen, pid, 0, 0, 0);
        return new SafeFileHandle(checked((IntPtr)(fd >= 0 ? fd : -1)), ownsHandle: fd >= 0);
    }

    /// <summary>Sends a signal through a pidfd; false when the process is already gone.</summary>
    public static bool PidfdSendSignal(SafeFileHandle pidfd, int signal)
    {
        var added = false;
        try
        {
            pidfd.DangerousAddRef(ref added);
            return Syscall4(SysPidfdSendSignal, (long)pidfd.DangerousGetHandle(), signal, 0, 0) == 0;
        }
        finally
        {
            if (added)
            {
                pidfd.DangerousRelease();
            }
        }
    }

    public static string ErrorText(int errno) => Marshal.GetPInvokeErrorMessage(errno);

    private static int WithFd(SafeFileHandle handle, Func<int, int> call)
    {
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            var rc = call((int)handle.DangerousGetHandle());
            return rc == 0 ? 0 : Marshal.GetLastPInvokeError();
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }
}
