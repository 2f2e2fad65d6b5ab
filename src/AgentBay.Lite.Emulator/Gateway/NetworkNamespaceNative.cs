using System.Runtime.InteropServices;

namespace AgentBay.Lite.Emulator.Gateway;

/// <summary>The three libc calls the connector needs to move one thread between network namespaces.</summary>
internal static partial class NetworkNamespaceNative
{
    /// <summary><c>CLONE_NEWNET</c>: setns may only join a network namespace.</summary>
    public const int CloneNewNet = 0x40000000;

    public const int ENOENT = 2;
    public const int ESRCH = 3;
    public const int EPERM = 1;

    private const int ORdOnly = 0;
    private const int OCloExec = 0x80000;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    public static partial int SetNs(int fd, int nsType);

    /// <summary>Opens a namespace file such as <c>/proc/123/ns/net</c> read-only and close-on-exec.</summary>
    /// <returns>The descriptor, or -1 with <see cref="Marshal.GetLastPInvokeError"/> set.</returns>
    public static int OpenNamespace(string path) => Open(path, ORdOnly | OCloExec);
}
