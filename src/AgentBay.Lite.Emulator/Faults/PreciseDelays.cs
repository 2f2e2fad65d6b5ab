using System.Diagnostics;

namespace AgentBay.Lite.Emulator.Faults;

/// <summary>
/// Delays that end when they are due, for injected latency. <see cref="Task.Delay(TimeSpan)"/> runs on .NET's timer
/// queue, which keeps time with <see cref="Environment.TickCount64"/>; where the kernel's coarse monotonic clock steps
/// every 4 ms (CONFIG_HZ=250, as on the machine this was built on) a 10 ms delay lasts 12 ms and delays started
/// together all end on the same tick, so clients see bursts instead of the latency they asked for. Here one
/// background thread sleeps until the earliest deadline (read from <see cref="Stopwatch"/>) with a monitor wait,
/// which the kernel times to a fraction of a millisecond; a delay never ends early and rarely more than 1 ms late.
/// </summary>
internal sealed class PreciseDelays : IDisposable
{
    private readonly PriorityQueue<Pending, long> _due = new();
    private readonly object _gate = new();
    private Thread? _thread;
    private bool _disposed;

    /// <summary>A task that completes <paramref name="delay"/> from now, or is cancelled with <paramref name="cancellationToken"/>.</summary>
    public Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        if (delay <= TimeSpan.Zero)
        {
            return Task.CompletedTask;
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }

        long due = Stopwatch.GetTimestamp() + (long)Math.Ceiling(delay.TotalSeconds * Stopwatch.Frequency);
        var pending = new Pending();

        // A cancelled delay stays queued until it is due; completing it then does nothing.
        pending.Cancellation = cancellationToken.UnsafeRegister(
            static (state, token) => ((Pending)state!).TrySetCanceled(token), pending);
        lock (_gate)
        {
            if (_disposed)
            {
                pending.Cancellation.Unregister();
                return Task.FromException(new ObjectDisposedException(nameof(PreciseDelays)));
            }

            if (_thread is null)
            {
                _thread = new Thread(Run) { IsBackground = true, Name = "AgentBay emulator latency" };
                _thread.Start();
            }

            _due.Enqueue(pending, due);
            if (ReferenceEquals(_due.Peek(), pending))
            {
                // The new deadline is the earliest: wake the thread to sleep for less.
                Monitor.Pulse(_gate);
            }
        }

        return pending.Task;
    }

    /// <summary>Stops the thread and cancels the delays still pending.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            while (_due.TryDequeue(out var pending, out _))
            {
                pending.Cancellation.Unregister();
                pending.TrySetCanceled();
            }

            Monitor.Pulse(_gate);
        }
    }

    private void Run()
    {
        lock (_gate)
        {
            while (!_disposed)
            {
                if (!_due.TryPeek(out var pending, out long due))
                {
                    Monitor.Wait(_gate);
                    continue;
                }

                long now = Stopwatch.GetTimestamp();
                if (due > now)
                {
                    // Whole milliseconds, rounded up: never early.
                    long waitMs = (((due - now) * 1000) + Stopwatch.Frequency - 1) / Stopwatch.Frequency;
                    Monitor.Wait(_gate, (int)Math.Min(waitMs, int.MaxValue));
                    continue;
                }

                _due.Dequeue();
                pending.Cancellation.Unregister();

                // Continuations run on the thread pool (RunContinuationsAsynchronously), not on this thread.
                pending.TrySetResult();
            }
        }
    }

    private sealed class Pending() : TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public CancellationTokenRegistration Cancellation { get; set; }
    }
}
