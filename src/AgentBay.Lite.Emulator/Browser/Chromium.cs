using System.Diagnostics;
using System.Globalization;

namespace AgentBay.Lite.Emulator.Browser;

/// <summary>Finds the Chromium the sessions' browsers run.</summary>
internal static class Chromium
{
    /// <summary>The Debian package that provides it.</summary>
    public const string DebianPackage = "chromium";

    /// <summary>Where Debian (and most distributions) put it; the first that exists is used.</summary>
    public static readonly IReadOnlyList<string> DefaultCandidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/lib/chromium/chromium"];

    /// <summary>The one-line explanation used at start and in refusals when no Chromium is installed.</summary>
    public static string MissingMessage =>
        $"No Chromium found (at the --chromium / BrowserExecutable path when one is given, else at {string.Join(", ", DefaultCandidates)}): browser sessions have no browser and CDP links are refused. Install the Debian package '{DebianPackage}' (apt-get install -y {DebianPackage}).";

    /// <summary>Returns the first existing executable among the candidates, or null.</summary>
    /// <param name="candidates">Paths to try; null for <see cref="DefaultCandidates"/>.</param>
    /// <returns>The path, or null when none exists.</returns>
    public static string? Find(IEnumerable<string>? candidates = null)
    {
        foreach (var path in candidates ?? DefaultCandidates)
        {
            if (File.Exists(path))
            {
                return path;
            }
        }

        return null;
    }

    /// <summary>
    /// The command line of a headless browser whose DevTools listen on a free port of the session's own loopback.
    /// Port 0 lets the browser pick one, which the caller reads back from its "DevTools listening on" line, so two
    /// sessions on the host (no sandbox) cannot collide either.
    /// </summary>
    public static IReadOnlyList<string> Arguments(string profileDirectory) =>
    [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-breakpad",
        "--disable-crash-reporter",
        "--remote-debugging-address=127.0.0.1",
        "--remote-debugging-port=0",
        "--user-data-dir=" + profileDirectory,
        "about:blank",
    ];

    /// <summary>Reads the DevTools endpoint from a line of Chromium's stderr, e.g. <c>DevTools listening on ws://127.0.0.1:40123/devtools/browser/…</c>.</summary>
    /// <returns>The port and path, or null when the line is something else.</returns>
    public static (int Port, string Path)? ParseDevToolsLine(string? line)
    {
        const string Marker = "DevTools listening on ";
        var at = line?.IndexOf(Marker, StringComparison.Ordinal) ?? -1;
        if (at < 0 || !Uri.TryCreate(line![(at + Marker.Length)..].Trim(), UriKind.Absolute, out var uri) || uri.Scheme != "ws")
        {
            return null;
        }

        return (uri.Port, uri.AbsolutePath);
    }

    /// <summary>The process start for the browser: directly on the host, or inside a session's namespaces.</summary>
    /// <param name="executable">The Chromium executable.</param>
    /// <param name="namespacePid">A host PID in the session's namespaces; null to start on the host.</param>
    /// <param name="profileDirectory">The private profile directory.</param>
    /// <param name="temporaryDirectory">On the host: a private TMPDIR for the browser; ignored in a sandbox, whose /tmp is its own.</param>
    public static ProcessStartInfo StartInfo(string executable, int? namespacePid, string profileDirectory, string? temporaryDirectory)
    {
        var start = new ProcessStartInfo
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (namespacePid is { } pid)
        {
            // nsenter joins every namespace of the session (mount, PID, network, UTS, …) with its root and working
            // directory, then forks, so the browser is a process of the session like any command the session runs.
            start.FileName = "nsenter";
            start.ArgumentList.Add("--target");
            start.ArgumentList.Add(pid.ToString(CultureInfo.InvariantCulture));
            start.ArgumentList.Add("--all");
            start.ArgumentList.Add("--root");
            start.ArgumentList.Add("--wd");
            start.ArgumentList.Add("--");
        }
        else
        {
            start.FileName = executable;

            // On the host, Chromium's own temporary files (e.g. its SingletonSocket directory) would land in the
            // shared /tmp and outlive it. (Not the profile directory: the socket path must stay under 108 bytes.)
            if (temporaryDirectory is not null)
            {
                start.Environment["TMPDIR"] = temporaryDirectory;
            }
        }

        if (namespacePid is not null)
        {
            start.ArgumentList.Add(executable);
        }

        foreach (var argument in Arguments(profileDirectory))
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }
}
