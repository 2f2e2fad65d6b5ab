using System.Diagnostics;
using AgentBay.Lite.Emulator.Faults;

namespace AgentBay.Lite.Emulator.Tests;

/// <summary>The clock behind injected latency: never early, in deadline order, cancellable.</summary>
public sealed class PreciseDelaysTests
{
    // Generous: only a lost wake-up (a delay left waiting behind a 10-minute one) comes anywhere near it.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_delay_never_ends_before_it_is_due()
    {
        using var delays = new PreciseDelays();
        foreach (var milliseconds in new[] { 1, 3, 7, 15 })
        {
            long start = Stopwatch.GetTimestamp();
            await delays.DelayAsync(TimeSpan.FromMilliseconds(milliseconds), CancellationToken.None).WaitAsync(Patience);
            Assert.True(Stopwatch.GetElapsedTime(start) >= TimeSpan.FromMilliseconds(milliseconds), $"A {milliseconds} ms delay ended after {Stopwatch.GetElapsedTime(start)}.");
        }
    }

    [Fact]
    public async Task Delays_end_in_deadline_order_whatever_order_they_began()
    {
        using var delays = new PreciseDelays();
        var late = delays.DelayAsync(TimeSpan.FromMilliseconds(60), CancellationToken.None);
        var early = delays.DelayAsync(TimeSpan.FromMilliseconds(20), CancellationToken.None);
        var middle = delays.DelayAsync(TimeSpan.FromMilliseconds(40), CancellationToken.None);

        await middle.WaitAsync(Patience);
        Assert.True(early.IsCompletedSuccessfully);
        await late.WaitAsync(Patience);
    }

    [Fact]
    public async Task An_earlier_deadline_wakes_the_clock_that_sleeps_for_a_later_one()
    {
        using var delays = new PreciseDelays();
        await delays.DelayAsync(TimeSpan.FromMilliseconds(1), CancellationToken.None).WaitAsync(Patience); // the clock runs, idle
        var distant = delays.DelayAsync(TimeSpan.FromMinutes(10), CancellationToken.None);

        // The clock is now asleep until the distant deadline; without the wake-up this would wait 10 minutes.
        await delays.DelayAsync(TimeSpan.FromMilliseconds(5), CancellationToken.None).WaitAsync(Patience);
        Assert.False(distant.IsCompleted);
    }

    [Fact]
    public async Task Cancelling_ends_that_delay_at_once_and_leaves_the_others()
    {
        using var delays = new PreciseDelays();
        using var cancel = new CancellationTokenSource();
        var cancelled = delays.DelayAsync(TimeSpan.FromMinutes(10), cancel.Token);
        var other = delays.DelayAsync(TimeSpan.FromMilliseconds(20), CancellationToken.None);

        await cancel.CancelAsync();
        Assert.True(cancelled.IsCanceled);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        await other.WaitAsync(Patience);
        Assert.True(other.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task A_token_already_cancelled_or_a_zero_delay_does_not_wait()
    {
        using var delays = new PreciseDelays();
        Assert.True(delays.DelayAsync(TimeSpan.FromMinutes(1), new CancellationToken(canceled: true)).IsCanceled);
        Assert.True(delays.DelayAsync(TimeSpan.Zero, CancellationToken.None).IsCompletedSuccessfully);
        await delays.DelayAsync(TimeSpan.FromTicks(-1), CancellationToken.None);
    }

    [Fact]
    public async Task Disposing_cancels_what_is_pending_and_refuses_new_delays()
    {
        var delays = new PreciseDelays();
        var pending = delays.DelayAsync(TimeSpan.FromMinutes(10), CancellationToken.None);
        delays.Dispose();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.WaitAsync(Patience));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => delays.DelayAsync(TimeSpan.FromMilliseconds(1), CancellationToken.None));
    }

    [Fact]
    public async Task Many_concurrent_delays_all_end_and_none_early()
    {
        using var delays = new PreciseDelays();
        var random = new Random(7);
        var work = Enumerable.Range(0, 500).Select(async _ =>
        {
            var delay = TimeSpan.FromMilliseconds(random.Next(1, 30));
            long start = Stopwatch.GetTimestamp();
            await delays.DelayAsync(delay, CancellationToken.None);
            return Stopwatch.GetElapsedTime(start) >= delay;
        }).ToArray();

        var onTime = await Task.WhenAll(work).WaitAsync(Patience);
        Assert.All(onTime, Assert.True);
    }
}
