using System.Diagnostics;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;

namespace AgentBay.Lite.Emulator.Sessions.Sandbox;

/// <summary>
/// One session's sandbox: a bubblewrap process tree in its own user, mount, PID, network, UTS and IPC namespaces.
/// Its PID 1 (<see cref="InitPid"/>) holds the namespaces; commands enter them with <c>nsenter</c>, file tools reach
/// its file system through <see cref="Root"/>. Killing PID 1 kills every process in the PID namespace.
/// </summary>
internal sealed class SessionSandbox : IAsyncDisposable
{
    /// <summary>Printed (to stderr: bwrap closes the info fd in the sandbox) by the sandbox's first command, which bwrap runs only once every mount is in place.</summary>
    private const string ReadyLine = "agentbay-sandbox-ready";

    private readonly Process _bwrap;
    private readonly SafeFileHandle _pidfd;
    private int _disposed;

    private SessionSandbox(Process bwrap, int initPid, SafeFileHandle pidfd, SafeFileHandle root)
    {
        _bwrap = bwrap;
        InitPid = initPid;
        _pidfd = pidfd;
        Root = root;
    }

    /// <summary>The host PID of the sandbox's PID 1.</summary>
    public int InitPid { get; }

    /// <summary>An <c>O_PATH</c> handle on the sandbox's root directory (<c>/proc/PID/root</c>, opened while PID 1 ran).</summary>
    public SafeFileHandle Root { get; }

    /// <summary>
    /// Starts a sandbox whose only writable places are its own <c>/tmp</c> (a tmpfs) and <paramref name="workDirectory"/>,
    /// which it sees at the same path. The host's system directories are read-only; nothing else of the host is mounted.
    /// </summary>
    public static async Task<SessionSandbox> StartAsync(ProcessLauncher launcher, string hostname, string workDirectory, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(SandboxEnvironment.Bwrap)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in SandboxEnvironment.BwrapArguments(hostname, workDirectory, reportInit: true, "/bin/sh", "-c", "echo " + ReadyLine + " >&2; exec /usr/bin/sleep infinity"))
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Clear();
        start.Environment["PATH"] = SandboxEnvironment.Path;
        var bwrap = await launcher.StartAsync(start).ConfigureAwait(false);
        try
        {
            bwrap.StandardInput.Close();

            // A pipe read does not observe cancellation; killing bwrap ends it.
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            using var killOnTimeout = timeout.Token.Register(() => Kill(bwrap));
            var initPid = await ReadInitPidAsync(bwrap.StandardOutput).ConfigureAwait(false);
            var ready = await bwrap.StandardError.ReadLineAsync(CancellationToken.None).ConfigureAwait(false);
            if (initPid is null || ready != ReadyLine)
            {
                Kill(bwrap);
                var error = ready + (await bwrap.StandardError.ReadToEndAsync(CancellationToken.None).ConfigureAwait(false));
                throw new SandboxUnavailableException(timeout.IsCancellationRequested
                    ? "bubblewrap did not start the sandbox within 30 s"
                    : "bubblewrap did not start the sandbox: " + error.Trim());
            }

            var pidfd = Native.PidfdOpen(initPid.Value);
            var root = Native.OpenAt2(null, $"/proc/{initPid.Value}/root", Native.OPath | Native.ODirectory, 0, 0, out var errno);
            if (root.IsInvalid || pidfd.IsInvalid)
            {
                pidfd.Dispose();
                throw new SandboxUnavailableException("the sandbox ended as it started: " + Native.ErrorText(errno));
            }

            return new SessionSandbox(bwrap, initPid.Value, pidfd, root);
        }
        catch
        {
            Kill(bwrap);
            bwrap.Dispose();
            throw;
        }
    }

    /// <summary>Kills every process in the sandbox (SIGKILL to PID 1) and waits until bubblewrap is gone.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        const int sigkill = 9;
        Native.PidfdSendSignal(_pidfd, sigkill);
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            try
            {
                await _bwrap.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Kill(_bwrap);
            }
        }

        Root.Dispose();
        _pidfd.Dispose();
        _bwrap.Dispose();
    }

    /// <summary>
    /// Reads bwrap's <c>{"child-pid": N, …}</c> from <c>--info-fd</c> (here stdout). The caller then waits for the
    /// first command's ready line on stderr, which comes only after every mount is in place: entering the namespaces
    /// earlier could see a half-built file system.
    /// </summary>
    private static async Task<int?> ReadInitPidAsync(StreamReader output)
    {
        var json = new System.Text.StringBuilder();
        while (await output.ReadLineAsync(CancellationToken.None).ConfigureAwait(false) is { } line)
        {
            json.Append(line);
            if (line == "}")
            {
                using var doc = JsonDocument.Parse(json.ToString());
                return doc.RootElement.TryGetProperty("child-pid", out var pid) && pid.TryGetInt32(out var n) ? n : null;
            }
        }

        return null;
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }
        catch (System.ComponentModel.Win32Exception)
        {
        }
    }
}

/// <summary>The sandbox could not be started.</summary>
internal sealed class SandboxUnavailableException(string message) : Exception(message);
