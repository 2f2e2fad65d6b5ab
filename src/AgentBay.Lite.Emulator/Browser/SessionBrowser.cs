using System.Collections.Concurrent;
using System.Diagnostics;

namespace AgentBay.Lite.Emulator.Browser;

/// <summary>A session's browser cannot be had; the message says why and what to do.</summary>
internal sealed class BrowserUnavailableException : Exception
{
    public BrowserUnavailableException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}

/// <summary>One running headless Chromium with remote debugging on its session's loopback.</summary>
internal sealed class SessionBrowser : IAsyncDisposable
{
    private const int TailLines = 12;

    private readonly Process _process;
    private readonly TaskCompletionSource _exited;
    private readonly DirectoryInfo? _temporaryDirectory;

    private SessionBrowser(Process process, TaskCompletionSource exited, DirectoryInfo? temporaryDirectory, int port, string devToolsPath)
    {
        _process = process;
        _exited = exited;
        _temporaryDirectory = temporaryDirectory;
        Port = port;
        DevToolsPath = devToolsPath;
    }

    /// <summary>The DevTools port on the session's loopback.</summary>
    public int Port { get; }

    /// <summary>The browser endpoint's path, <c>/devtools/browser/{id}</c>.</summary>
    public string DevToolsPath { get; }

    /// <summary>True once the browser process has gone.</summary>
    public bool HasExited => _exited.Task.IsCompleted;

    /// <summary>Waits until the browser process has gone.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes when it has exited.</returns>
    public Task WaitForExitAsync(CancellationToken cancellationToken) => _exited.Task.WaitAsync(cancellationToken);

    /// <summary>Starts Chromium and waits until its DevTools endpoint listens.</summary>
    /// <param name="executable">The Chromium executable (a path valid inside the session too).</param>
    /// <param name="namespacePid">A host PID in the session's namespaces to start the browser in; null for the host.</param>
    /// <param name="profileDirectory">The browser's private profile directory, as the session sees paths.</param>
    /// <param name="startTimeout">How long the browser may take to listen.</param>
    /// <param name="cancellationToken">Cancels the start (the browser is then killed).</param>
    /// <returns>The running browser.</returns>
    /// <exception cref="BrowserUnavailableException">It could not start or did not listen in time.</exception>
    public static async Task<SessionBrowser> StartAsync(string executable, int? namespacePid, string profileDirectory, TimeSpan startTimeout, CancellationToken cancellationToken)
    {
        DirectoryInfo? temporary = null;
        if (namespacePid is null)
        {
            Directory.CreateDirectory(profileDirectory);
            temporary = Directory.CreateTempSubdirectory("agentbay-browser-");
        }

        var process = new Process { StartInfo = Chromium.StartInfo(executable, namespacePid, profileDirectory, temporary?.FullName), EnableRaisingEvents = true };
        var exited = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.Exited += (_, _) => exited.TrySetResult();
        var listening = new TaskCompletionSource<(int Port, string Path)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var tail = new Queue<string>();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                listening.TrySetException(new BrowserUnavailableException("Chromium exited before its DevTools endpoint listened. Its last output: " + Tail(tail)));
                return;
            }

            if (Chromium.ParseDevToolsLine(e.Data) is { } endpoint)
            {
                listening.TrySetResult(endpoint);
                return;
            }

            lock (tail)
            {
                tail.Enqueue(e.Data);
                if (tail.Count > TailLines)
                {
                    tail.Dequeue();
                }
            }
        };
        process.OutputDataReceived += static (_, _) => { };

        try
        {
            process.Start();
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            process.Dispose();
            RemoveTemporary(temporary);
            throw new BrowserUnavailableException($"Cannot start Chromium ({executable}): {ex.Message}. Install the Debian package '{Chromium.DebianPackage}'.", ex);
        }

        process.StandardInput.Close();
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(startTimeout);
        try
        {
            var (port, path) = await listening.Task.WaitAsync(timeout.Token).ConfigureAwait(false);
            return new SessionBrowser(process, exited, temporary, port, path);
        }
        catch (Exception ex)
        {
            await StopAsync(process, exited).ConfigureAwait(false);
            RemoveTemporary(temporary);
            if (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                throw new BrowserUnavailableException($"Chromium did not open its DevTools endpoint within {startTimeout.TotalSeconds:0} s. Its last output: {Tail(tail)}", ex);
            }

            throw;
        }
    }

    /// <summary>Kills the browser and every process it started.</summary>
    /// <returns>A task that completes when they are gone (or after a bounded wait).</returns>
    public async ValueTask DisposeAsync()
    {
        await StopAsync(_process, _exited).ConfigureAwait(false);
        RemoveTemporary(_temporaryDirectory);
    }

    private static void RemoveTemporary(DirectoryInfo? directory)
    {
        try
        {
            directory?.Delete(recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort: a file still being closed by a dying child; the OS temp cleaner takes the rest.
        }
    }

    private static async Task StopAsync(Process process, TaskCompletionSource exited)
    {
        try
        {
            process.Kill(entireProcessTree: true);
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await process.WaitForExitAsync(wait.Token).ConfigureAwait(false);
            exited.TrySetResult();
        }
        catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException or System.ComponentModel.Win32Exception)
        {
            // Already gone, or it would not die in time; the session's sandbox (if any) takes the rest with it.
        }
        finally
        {
            process.Dispose();
        }
    }

    private static string Tail(Queue<string> tail)
    {
        lock (tail)
        {
            return tail.Count == 0 ? "(none)" : string.Join(" | ", tail);
        }
    }
}

/// <summary>
/// The browsers of all sessions: each started lazily on first need (InitBrowser or the first CDP link), at most
/// once per session, and stopped when the session ends.
/// </summary>
internal sealed class SessionBrowsers : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<Task<SessionBrowser>>> _browsers = new(StringComparer.Ordinal);
    private readonly TimeSpan _startTimeout;

    /// <param name="executable">The Chromium executable, or null when none is installed.</param>
    /// <param name="startTimeout">
    /// How long a browser may take to start; null for 90 s. Chromium starts in about half a second on an idle machine,
    /// but under a parallel test run on a loaded two-core machine a start once ran past 30 s.
    /// </param>
    public SessionBrowsers(string? executable, TimeSpan? startTimeout = null)
    {
        Executable = executable;
        _startTimeout = startTimeout ?? TimeSpan.FromSeconds(90);
    }

    /// <summary>The Chromium executable, or null when none is installed.</summary>
    public string? Executable { get; }

    /// <summary>Returns the session's browser, starting it if it is not running.</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="namespacePid">A host PID in the session's namespaces; null when the session runs on the host.</param>
    /// <param name="profileDirectory">The browser's private profile directory, as the session sees paths.</param>
    /// <param name="sessionEnded">Cancelled when the session ends: the browser is then stopped.</param>
    /// <param name="cancellationToken">Stops waiting (a start in progress goes on for other callers).</param>
    /// <returns>The running browser.</returns>
    /// <exception cref="BrowserUnavailableException">No Chromium, or it failed to start.</exception>
    public async Task<SessionBrowser> GetOrStartAsync(string sessionId, int? namespacePid, string profileDirectory, CancellationToken sessionEnded, CancellationToken cancellationToken)
    {
        if (Executable is null)
        {
            throw new BrowserUnavailableException(Chromium.MissingMessage);
        }

        while (true)
        {
            sessionEnded.ThrowIfCancellationRequested();
            var entry = _browsers.GetOrAdd(sessionId, _ => new Lazy<Task<SessionBrowser>>(() => StartAsync(sessionId, namespacePid, profileDirectory, sessionEnded)));
            SessionBrowser browser;
            try
            {
                browser = await entry.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch when (!cancellationToken.IsCancellationRequested)
            {
                _browsers.TryRemove(KeyValuePair.Create(sessionId, entry));
                throw;
            }

            if (!browser.HasExited)
            {
                return browser;
            }

            // It crashed or was stopped by hand: start a fresh one.
            if (_browsers.TryRemove(KeyValuePair.Create(sessionId, entry)))
            {
                await browser.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Stops the session's browser, if it has one.</summary>
    /// <param name="sessionId">The session.</param>
    /// <returns>A task that completes when it is gone.</returns>
    public async Task StopAsync(string sessionId)
    {
        if (!_browsers.TryRemove(sessionId, out var entry) || !entry.IsValueCreated)
        {
            return;
        }

        try
        {
            var browser = await entry.Value.ConfigureAwait(false);
            await browser.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is BrowserUnavailableException or OperationCanceledException)
        {
            // It never started; nothing to stop.
        }
    }

    /// <summary>Stops every browser.</summary>
    /// <returns>A task that completes when they are gone.</returns>
    public async ValueTask DisposeAsync()
    {
        foreach (var sessionId in _browsers.Keys)
        {
            await StopAsync(sessionId).ConfigureAwait(false);
        }
    }

    private async Task<SessionBrowser> StartAsync(string sessionId, int? namespacePid, string profileDirectory, CancellationToken sessionEnded)
    {
        var browser = await SessionBrowser.StartAsync(Executable!, namespacePid, profileDirectory, _startTimeout, sessionEnded).ConfigureAwait(false);
        // Off the thread that ends the session: stopping walks and kills the browser's process tree, which must not hold
        // up the session's own teardown (in a sandbox, killing its PID 1 takes the browser with it anyway).
        sessionEnded.Register(static state =>
        {
            var (browsers, id) = ((SessionBrowsers, string))state!;
            _ = Task.Run(() => browsers.StopAsync(id));
        }, (this, sessionId));
        return browser;
    }
}
