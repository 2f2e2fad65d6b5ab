using System.Diagnostics;
using System.Globalization;
using System.Text;
using AgentBay.Lite.Emulator.Sessions.Sandbox;

namespace AgentBay.Lite.Emulator.Tools;

/// <summary>Which output a chunk of a code run came from.</summary>
internal enum CodeOutput
{
    Stdout,
    Stderr,
}

/// <summary>How a code run ended: finished (exit code 0) or failed, how long it ran, and why it failed.</summary>
internal sealed record CodeRunEnd(bool Finished, TimeSpan ExecutionTime, string? Error);

/// <summary>
/// Runs a program in a session (<c>run_code</c>): Python with Debian's <c>/usr/bin/python3 -u</c> (unbuffered, so
/// output leaves the program as it is printed), JavaScript with <c>/usr/bin/node</c> when installed. It runs where the
/// shell tool runs commands (inside the session's sandbox), with stdout and stderr read from pipes and handed to the
/// caller chunk by chunk as they arrive. The timeout kills the whole process tree.
/// </summary>
internal sealed class CodeRunner(ExecutionMode mode, string? sandboxUnavailableReason) : IDisposable
{
    /// <summary>The largest program accepted (it travels as one command-line argument, which Linux caps at 128 KiB).</summary>
    public const int MaxCodeChars = 100_000;

    /// <summary>The most output bytes forwarded from one run; the rest is dropped with a note.</summary>
    public const int MaxOutputBytes = 8 * 1024 * 1024;

    /// <summary>How long, after the program exits, its output pipes may stay open (a background child holding them) before the run ends anyway.</summary>
    private static readonly TimeSpan DrainGrace = TimeSpan.FromSeconds(2);

    private readonly SemaphoreSlim _slots = new(32, 32);

    /// <summary>The languages this machine can run, by the names <c>run_code</c> takes.</summary>
    public static IReadOnlyList<string> Languages { get; } = File.Exists("/usr/bin/node") ? ["python", "javascript"] : ["python"];

    public void Dispose() => _slots.Dispose();

    /// <summary>Why this language cannot run here, or null when it can.</summary>
    public string? Refusal(string language)
    {
        switch (mode)
        {
            case ExecutionMode.Disabled:
                return "code execution is disabled in this AgentBay emulator (it was started with --no-exec / DisableExec)";
            case ExecutionMode.Refused:
                return "code execution is off because this AgentBay emulator runs without session sandboxes (" + sandboxUnavailableReason + ")";
        }

        return Interpreter(language) is null
            ? $"the language \"{Emulator.Text.Clip(language)}\" is not available in this AgentBay emulator (available: {string.Join(", ", Languages)})"
            : null;
    }

    /// <summary>
    /// Runs <paramref name="code"/>; <paramref name="onOutput"/> gets each chunk as it is read (from two reader tasks, so
    /// it must be thread-safe). Call <see cref="Refusal"/> first. Cancelling kills the program.
    /// </summary>
    public async Task<CodeRunEnd> RunAsync(
        SessionWorkspace workspace,
        string language,
        string code,
        TimeSpan timeout,
        Func<CodeOutput, string, ValueTask> onOutput,
        CancellationToken cancellationToken)
    {
        var interpreter = Interpreter(language) ?? throw new ArgumentException("Check Refusal first.", nameof(language));
        if (code.Length > MaxCodeChars)
        {
            return new CodeRunEnd(false, TimeSpan.Zero, $"the program is {code.Length.ToString(CultureInfo.InvariantCulture)} characters long; the emulator runs programs of at most {MaxCodeChars.ToString(CultureInfo.InvariantCulture)}");
        }

        var psi = new ProcessStartInfo { UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment.Clear();
        psi.Environment["PATH"] = SandboxEnvironment.Path;
        psi.Environment["HOME"] = workspace.Directory;
        psi.Environment["LANG"] = "C.UTF-8";
        psi.Environment["TMPDIR"] = "/tmp";
        psi.Environment["PYTHONUNBUFFERED"] = "1";
        if (workspace.Sandbox is { } sandbox)
        {
            // The program travels in an environment variable the shell expands and then removes, so no quoting of it is needed.
            psi.Environment["AGENTBAY_CODE"] = code;
            var argv = SandboxEnvironment.EnterArguments(sandbox.InitPid, workspace.Directory, $"exec /usr/bin/env -u AGENTBAY_CODE {interpreter} \"$AGENTBAY_CODE\"");
            psi.FileName = argv[0];
            foreach (var arg in argv.AsSpan(1))
            {
                psi.ArgumentList.Add(arg);
            }
        }
        else
        {
            // Host execution (AllowHostExecution): the interpreter directly, in the session directory.
            var parts = interpreter.Split(' ');
            psi.FileName = parts[0];
            foreach (var part in parts.AsSpan(1))
            {
                psi.ArgumentList.Add(part);
            }

            psi.ArgumentList.Add(code);
            psi.WorkingDirectory = workspace.Directory;
        }

        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var process = new Process { StartInfo = psi };
            var clock = Stopwatch.StartNew();
            try
            {
                process.Start();
            }
            catch (System.ComponentModel.Win32Exception ex)
            {
                return new CodeRunEnd(false, TimeSpan.Zero, "could not start the interpreter: " + ex.Message);
            }

            process.StandardInput.Close();
            var budget = new OutputBudget();
            using var stopReading = new CancellationTokenSource();
            var stdout = PumpAsync(process.StandardOutput.BaseStream, CodeOutput.Stdout, onOutput, budget, stopReading.Token);
            var stderr = PumpAsync(process.StandardError.BaseStream, CodeOutput.Stderr, onOutput, budget, stopReading.Token);

            var timedOut = false;
            using (var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                limit.CancelAfter(timeout);
                try
                {
                    await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    timedOut = !cancellationToken.IsCancellationRequested;
                    KillTree(process);
                    await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
                }
            }

            clock.Stop();
            var drained = Task.WhenAll(stdout, stderr);
            if (await Task.WhenAny(drained, Task.Delay(DrainGrace, CancellationToken.None)).ConfigureAwait(false) != drained)
            {
                await stopReading.CancelAsync().ConfigureAwait(false);
            }

            await drained.ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            if (timedOut)
            {
                return new CodeRunEnd(false, clock.Elapsed, $"TimeoutError: the program ran longer than its timeout of {timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s and was killed");
            }

            var exit = process.ExitCode;
            return exit == 0
                ? new CodeRunEnd(true, clock.Elapsed, null)
                : new CodeRunEnd(false, clock.Elapsed, $"the program exited with code {exit.ToString(CultureInfo.InvariantCulture)}");
        }
        finally
        {
            _slots.Release();
        }
    }

    private static string? Interpreter(string language) => language.ToLowerInvariant() switch
    {
        "python" or "python3" => "/usr/bin/python3 -u -c",
        "javascript" or "js" or "node" when File.Exists("/usr/bin/node") => "/usr/bin/node -e",
        _ => null,
    };

    /// <summary>Forwards one pipe chunk by chunk, decoding UTF-8 across chunk boundaries.</summary>
    private static async Task PumpAsync(Stream pipe, CodeOutput which, Func<CodeOutput, string, ValueTask> onOutput, OutputBudget budget, CancellationToken cancellationToken)
    {
        var bytes = new byte[16 * 1024];
        var chars = new char[Encoding.UTF8.GetMaxCharCount(bytes.Length)];
        var decoder = Encoding.UTF8.GetDecoder();
        try
        {
            while (true)
            {
                var n = await pipe.ReadAsync(bytes, cancellationToken).ConfigureAwait(false);
                var count = decoder.GetChars(bytes, 0, n, chars, 0, flush: n == 0);
                if (count > 0)
                {
                    var allowed = budget.Take(n);
                    if (allowed == n)
                    {
                        await onOutput(which, new string(chars, 0, count)).ConfigureAwait(false);
                    }
                    else if (budget.TakeNote())
                    {
                        await onOutput(which, $"\n[output truncated by the emulator at {MaxOutputBytes / (1024 * 1024)} MiB]\n").ConfigureAwait(false);
                    }
                }

                if (n == 0)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // A background child still holds the pipe; the run is over without it.
        }
        catch (IOException)
        {
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
        }
        catch (System.ComponentModel.Win32Exception)
        {
        }
    }

    /// <summary>The output bytes one run may still forward (shared by its two pipes).</summary>
    private sealed class OutputBudget
    {
        private long _left = MaxOutputBytes;
        private int _noted;

        public int Take(int n) => Interlocked.Add(ref _left, -n) >= 0 ? n : 0;

        public bool TakeNote() => Interlocked.Exchange(ref _noted, 1) == 0;
    }
}
