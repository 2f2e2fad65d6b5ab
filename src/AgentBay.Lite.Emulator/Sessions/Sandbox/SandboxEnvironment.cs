using System.Diagnostics;
using System.Runtime.InteropServices;

namespace AgentBay.Lite.Emulator.Sessions.Sandbox;

/// <summary>What a sandbox is made of (the bubblewrap command line, the commands that enter it) and whether this machine can make one.</summary>
internal static class SandboxEnvironment
{
    public const string Bwrap = "/usr/bin/bwrap";
    public const string Nsenter = "/usr/bin/nsenter";
    public const string Setpriv = "/usr/bin/setpriv";

    /// <summary>The PATH inside sessions: system directories only, so <c>python3</c> is Debian's <c>/usr/bin/python3</c>.</summary>
    public const string Path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private static readonly Lazy<string?> UnavailableReason = new(Probe);

    /// <summary>Null when sandboxes work here; otherwise why not, in one sentence.</summary>
    public static string? WhyUnavailable => UnavailableReason.Value;

    /// <summary>
    /// The bubblewrap arguments: new user (root mapped to the caller), PID, network (loopback only), UTS, IPC and
    /// cgroup namespaces; the host's system directories read-only; a private /tmp, /proc and /dev; the session
    /// directory read-write at its own path; every capability dropped; killed when the emulator dies.
    /// </summary>
    /// <param name="hostname">The sandbox's hostname.</param>
    /// <param name="workDirectory">The session directory, the sandbox's working directory at the same path.</param>
    /// <param name="reportInit">Write <c>{"child-pid": N}</c> to stdout once the namespaces exist.</param>
    /// <param name="command">What runs as the sandbox's first process.</param>
    public static List<string> BwrapArguments(string hostname, string workDirectory, bool reportInit, params string[] command)
    {
        var args = new List<string>
        {
            "--die-with-parent", "--unshare-user", "--uid", "0", "--gid", "0",
            "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-ipc", "--unshare-cgroup-try",
            "--hostname", hostname,
            "--ro-bind", "/usr", "/usr",
        };

        // Merged-/usr systems link /bin, /lib… into /usr; older ones have real directories.
        foreach (var top in new[] { "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32" })
        {
            var info = new DirectoryInfo(top);
            if (info.LinkTarget is { } target)
            {
                args.AddRange(["--symlink", target, top]);
            }
            else if (info.Exists)
            {
                args.AddRange(["--ro-bind", top, top]);
            }
        }

        args.AddRange(["--ro-bind", "/etc", "/etc"]);
        foreach (var secret in new[] { "/etc/shadow", "/etc/gshadow", "/etc/shadow-", "/etc/gshadow-" })
        {
            if (File.Exists(secret))
            {
                args.AddRange(["--ro-bind", "/dev/null", secret]);
            }
        }

        if (Directory.Exists("/etc/ssh"))
        {
            args.AddRange(["--tmpfs", "/etc/ssh"]);
        }

        args.AddRange(
        [
            "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/dev/shm",
            "--tmpfs", "/tmp", "--dir", "/var/tmp", "--dir", "/run",
            "--bind", workDirectory, workDirectory, "--chdir", workDirectory,
            "--cap-drop", "ALL",
        ]);
        if (reportInit)
        {
            args.AddRange(["--info-fd", "1"]);
        }

        args.Add("--");
        args.AddRange(command);
        return args;
    }

    /// <summary>
    /// The command line that runs <paramref name="command"/> inside a sandbox: enter all its namespaces, drop every
    /// capability (so root inside cannot remount the read-only system directories), change to <paramref name="cwd"/>
    /// and run <c>/bin/sh -c</c>.
    /// </summary>
    public static string[] EnterArguments(int initPid, string cwd, string command) =>
    [
        Nsenter, "-t", initPid.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "-U", "-m", "-u", "-i", "-n", "-p", "-r", "--preserve-credentials", "--",
        Setpriv, "--bounding-set", "-all", "--inh-caps", "-all", "--ambient-caps", "-all", "--no-new-privs", "--",
        "/bin/sh", "-c", "cd -- \"$1\" || exit 1; exec /bin/sh -c \"$2\"", "sh", cwd, command,
    ];

    private static string? Probe()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "session sandboxes need Linux namespaces, and this is " + RuntimeInformation.OSDescription;
        }

        foreach (var tool in new[] { Bwrap, Nsenter, Setpriv })
        {
            if (!File.Exists(tool))
            {
                return $"{tool} is missing (apt-get install bubblewrap util-linux)";
            }
        }

        var probeDir = Directory.CreateTempSubdirectory("agentbay-sandbox-probe-").FullName;
        try
        {
            var start = new ProcessStartInfo(Bwrap)
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            var args = BwrapArguments("probe", probeDir, reportInit: false, "/usr/bin/true");
            foreach (var arg in args)
            {
                start.ArgumentList.Add(arg);
            }

            using var process = Process.Start(start)!;
            var error = process.StandardError.ReadToEnd();
            process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(30_000))
            {
                process.Kill(entireProcessTree: true);
                return "bubblewrap did not finish a test sandbox within 30 s";
            }

            return process.ExitCode == 0
                ? null
                : $"bubblewrap cannot create namespaces here ({error.Trim()}); user namespaces may be disabled or need root";
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return "bubblewrap could not be started: " + ex.Message;
        }
        finally
        {
            try
            {
                Directory.Delete(probeDir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
