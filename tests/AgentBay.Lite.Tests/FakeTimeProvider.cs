namespace AgentBay.Lite.Tests;

/// <summary>
/// A clock that moves only when told to. Timers (and so <c>Task.Delay</c> and <c>CancellationTokenSource</c> timeouts
/// created on it) fire synchronously inside <see cref="Advance"/>, in due-time order.
/// </summary>
internal sealed class FakeTimeProvider : TimeProvider
{
    private readonly object _gate = new();
    private readonly List<FakeTimer> _timers = [];
    private readonly List<(int Count, TaskCompletionSource Signal)> _waiters = [];
    private DateTimeOffset _now = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);
    private long _sequence;

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    /// <summary>Timers that are scheduled to fire.</summary>
    public int PendingTimers
    {
        get
        {
            lock (_gate)
            {
                return _timers.Count;
            }
        }
    }

    /// <summary>
    /// Completes when exactly <paramref name="count"/> timers are pending. Continuations of <c>Task.Delay</c> on a
    /// <see cref="TimeProvider"/> run asynchronously, so after <see cref="Advance"/> a test waits with this until the
    /// code under test is parked on its next timer.
    /// </summary>
    public Task WaitForPendingTimersAsync(int count)
    {
        lock (_gate)
        {
            if (_timers.Count == count)
            {
                return Task.CompletedTask;
            }

            var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, signal));
            return signal.Task;
        }
    }

    /// <summary>
    /// Advances the clock, then waits (guarded by a real-time limit, never a sleep) until <paramref name="work"/> has
    /// finished or is parked again with <paramref name="pendingTimers"/> timers pending.
    /// </summary>
    public async Task StepAsync(TimeSpan by, Task work, int pendingTimers)
    {
        Advance(by);
        await SettleAsync(work, pendingTimers);
    }

    /// <summary>Waits until <paramref name="work"/> has finished or is parked with <paramref name="pendingTimers"/> timers pending.</summary>
    public Task SettleAsync(Task work, int pendingTimers) =>
        Task.WhenAny(work, WaitForPendingTimersAsync(pendingTimers)).WaitAsync(TimeSpan.FromSeconds(30));

    private void OnTimersChanged()
    {
        for (int i = _waiters.Count - 1; i >= 0; i--)
        {
            if (_waiters[i].Count == _timers.Count)
            {
                _waiters[i].Signal.TrySetResult();
                _waiters.RemoveAt(i);
            }
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new FakeTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Moves the clock forward, firing every timer that falls due on the way.</summary>
    public void Advance(TimeSpan by)
    {
        DateTimeOffset target;
        lock (_gate)
        {
            target = _now + by;
        }

        while (true)
        {
            FakeTimer? due;
            lock (_gate)
            {
                due = _timers
                    .Where(t => t.Due <= target)
                    .OrderBy(t => t.Due)
                    .ThenBy(t => t.Sequence)
                    .FirstOrDefault();
                if (due is null)
                {
                    _now = target;
                    return;
                }

                _now = due.Due;
                if (due.Period > TimeSpan.Zero && due.Period != Timeout.InfiniteTimeSpan)
                {
                    due.Due += due.Period;
                }
                else
                {
                    _timers.Remove(due);
                    OnTimersChanged();
                }
            }

            due.Callback(due.State);
        }
    }

    private sealed class FakeTimer(FakeTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        public TimerCallback Callback { get; } = callback;

        public object? State { get; } = state;

        public DateTimeOffset Due { get; set; }

        public TimeSpan Period { get; private set; }

        public long Sequence { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._gate)
            {
                owner._timers.Remove(this);
                if (dueTime == Timeout.InfiniteTimeSpan)
                {
                    owner.OnTimersChanged();
                    return true;
                }

                Due = owner._now + dueTime;
                Period = period;
                Sequence = ++owner._sequence;
                owner._timers.Add(this);
                owner.OnTimersChanged();
                return true;
            }
        }

        public void Dispose()
        {
            lock (owner._gate)
            {
                if (owner._timers.Remove(this))
                {
                    owner.OnTimersChanged();
                }
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
