using Microsoft.Win32.SafeHandles;

namespace AgentBay.Lite.Emulator.Sessions.Sandbox;

/// <summary>
/// Where a session's tools work: its directory on the host (also its working directory and HOME) and, when
/// sandboxes are available, its <see cref="SessionSandbox"/>. <see cref="Root"/> is the directory file tools resolve
/// every path in (with <c>RESOLVE_IN_ROOT</c>): the sandbox's root, or without a sandbox the session directory itself.
/// </summary>
internal sealed class SessionWorkspace : IAsyncDisposable
{
    private SessionWorkspace(string directory, SessionSandbox? sandbox, SafeFileHandle root)
    {
        Directory = directory;
        Sandbox = sandbox;
        Root = root;
    }

    /// <summary>The session directory: a host path, seen inside the sandbox at the same path.</summary>
    public string Directory { get; }

    /// <summary>The sandbox, or null when the emulator runs without sandboxes.</summary>
    public SessionSandbox? Sandbox { get; }

    public SafeFileHandle Root { get; }

    public static async Task<SessionWorkspace> CreateAsync(ProcessLauncher? launcher, string sessionId, string directory, CancellationToken cancellationToken)
    {
        System.IO.Directory.CreateDirectory(directory);
        if (launcher is null && !OperatingSystem.IsLinux())
        {
            // File tools need openat2 (Linux); elsewhere they answer with a tool error (ConfinedFiles).
            return new SessionWorkspace(directory, null, new SafeFileHandle(-1, ownsHandle: false));
        }

        if (launcher is null)
        {
            var root = Native.OpenAt2(null, directory, Native.OPath | Native.ODirectory, 0, 0, out var errno);
            if (root.IsInvalid)
            {
                throw new IOException($"cannot open the session directory {directory}: {Native.ErrorText(errno)}");
            }

            return new SessionWorkspace(directory, null, root);
        }

        try
        {
            var sandbox = await SessionSandbox.StartAsync(launcher, sessionId, directory, cancellationToken).ConfigureAwait(false);
            return new SessionWorkspace(directory, sandbox, sandbox.Root);
        }
        catch
        {
            System.IO.Directory.Delete(directory, recursive: true);
            throw;
        }
    }

    /// <summary>Kills the sandbox (if any) and removes the session directory.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Sandbox is not null)
        {
            await Sandbox.DisposeAsync().ConfigureAwait(false);
        }
        else
        {
            Root.Dispose();
        }

        try
        {
            if (System.IO.Directory.Exists(Directory))
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
        }
        catch (IOException)
        {
            // Best effort: a host-executed process may still be writing there.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
