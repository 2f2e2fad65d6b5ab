using System.Collections.Concurrent;
using System.Diagnostics;

namespace AgentBay.Lite.Emulator.Sessions.Sandbox;

/// <summary>
/// Starts sandbox processes from one long-lived thread. <c>bwrap --die-with-parent</c> relies on
/// <c>PR_SET_PDEATHSIG</c>, which fires when the <em>thread</em> that forked it exits, not the process: a sandbox
/// started from a thread-pool thread would be killed whenever the pool retires that thread. This thread lives until
/// the emulator stops, so sandboxes die exactly when the emulator does (including on SIGKILL).
/// </summary>
internal sealed class ProcessLauncher : IDisposable
{
    private readonly BlockingCollection<(ProcessStartInfo Start, TaskCompletionSource<Process> Started)> _queue = new();
    private readonly Thread _thread;

    public ProcessLauncher()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "AgentBay emulator sandbox launcher" };
        _thread.Start();
    }

    public Task<Process> StartAsync(ProcessStartInfo start)
    {
        var started = new TaskCompletionSource<Process>(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            _queue.Add((start, started));
        }
        catch (InvalidOperationException)
        {
            started.SetException(new ObjectDisposedException(nameof(ProcessLauncher)));
        }

        return started.Task;
    }

    /// <summary>Ends the launcher thread; call only after every sandbox it started is gone (their parent-death signal fires).</summary>
    public void Dispose()
    {
        _queue.CompleteAdding();
        _thread.Join();
        _queue.Dispose();
    }

    private void Run()
    {
        foreach (var (start, started) in _queue.GetConsumingEnumerable())
        {
            try
            {
                started.SetResult(Process.Start(start) ?? throw new InvalidOperationException("The process did not start."));
            }
            catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception or IOException)
            {
                started.SetException(ex);
            }
        }
    }
}
