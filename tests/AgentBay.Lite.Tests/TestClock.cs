namespace AgentBay.Lite.Tests;

/// <summary>
/// The package's <see cref="FakeTimeProvider"/> (a clock that moves only when told to; timers due on the way fire
/// inside <see cref="FakeTimeProvider.Advance"/>) plus what it does not offer: a count of the timers still pending,
/// and a way to wait until the code under test is parked on a given number of them.
/// </summary>
internal sealed class TestClock : FakeTimeProvider
{
    /// <summary>The hour the tests' clock starts at.</summary>
    public static readonly DateTimeOffset StartTime = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    private readonly object _gate = new();
    private readonly HashSet<CountedTimer> _pending = [];
    private readonly List<(int Count, TaskCompletionSource Signal)> _waiters = [];

    public TestClock()
        : base(StartTime)
    {
    }

    /// <summary>Timers that are scheduled to fire.</summary>
    public int PendingTimers
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>
    /// Completes when exactly <paramref name="count"/> timers are pending. Continuations of <c>Task.Delay</c> on a
    /// <see cref="TimeProvider"/> run asynchronously, so after <see cref="FakeTimeProvider.Advance"/> a test waits with
    /// this until the code under test is parked on its next timer.
    /// </summary>
    public Task WaitForPendingTimersAsync(int count)
    {
        lock (_gate)
        {
            if (_pending.Count == count)
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

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var counted = new CountedTimer(this, callback, state);
        counted.Attach(base.CreateTimer(CountedTimer.Fire, counted, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan));
        counted.Change(dueTime, period);
        return counted;
    }

    private void SetPending(CountedTimer timer, bool pending)
    {
        lock (_gate)
        {
            bool changed = pending ? _pending.Add(timer) : _pending.Remove(timer);
            if (!changed)
            {
                return;
            }

            for (int i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Count == _pending.Count)
                {
                    _waiters[i].Signal.TrySetResult();
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    /// <summary>A timer of the package's clock that reports whether it is scheduled.</summary>
    private sealed class CountedTimer(TestClock owner, TimerCallback callback, object? state) : ITimer
    {
        private readonly TestClock _owner = owner;
        private readonly TimerCallback _callback = callback;
        private readonly object? _state = state;
        private ITimer? _inner;
        private bool _periodic;

        public void Attach(ITimer inner) => _inner = inner;

        public static void Fire(object? self)
        {
            var timer = (CountedTimer)self!;
            if (!timer._periodic)
            {
                timer._owner.SetPending(timer, pending: false); // a one-shot timer is no longer pending once it fires
            }

            timer._callback(timer._state);
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            _periodic = period > TimeSpan.Zero && period != Timeout.InfiniteTimeSpan;
            _owner.SetPending(this, pending: dueTime != Timeout.InfiniteTimeSpan);
            return _inner!.Change(dueTime, period);
        }

        public void Dispose()
        {
            _owner.SetPending(this, pending: false);
            _inner!.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
