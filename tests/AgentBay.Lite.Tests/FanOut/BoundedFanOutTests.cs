using AgentBay.Lite.FanOut;

namespace AgentBay.Lite.Tests.FanOut;

public sealed class BoundedFanOutTests
{
    private static string Succeed(string item, string value) => value;

    private static string Fail(string item, Exception error) => $"{item}!{error.GetType().Name}";

    [Fact]
    public async Task Results_come_back_in_input_order_made_by_the_success_and_failure_factories()
    {
        string[] items = ["a", "boom", "c", "d"];

        var results = await BoundedFanOut.RunAsync(
            items, 2, comparer: null,
            (item, _) => item == "boom" ? ValueTask.FromException<string>(new InvalidOperationException()) : new ValueTask<string>(item.ToUpperInvariant()),
            static (item, value) => $"{item}:{value}", Fail, CancellationToken.None);

        Assert.Equal(["a:A", "boom!InvalidOperationException", "c:C", "d:D"], results);
    }

    [Fact]
    public async Task Equal_items_run_once_and_the_result_fills_every_position()
    {
        var calls = new List<string>();
        string[] items = ["x", "y", "x", "x"];

        var results = await BoundedFanOut.RunAsync(
            items, 4, StringComparer.Ordinal,
            (item, _) =>
            {
                lock (calls)
                {
                    calls.Add(item);
                }

                return new ValueTask<string>(item + "!");
            },
            Succeed, Fail, CancellationToken.None);

        Assert.Equal(["x!", "y!", "x!", "x!"], results);
        Assert.Equal(["x", "y"], calls.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task No_more_than_the_maximum_run_at_once_and_the_maximum_is_reached()
    {
        const int Max = 3;
        var inFlight = 0;
        var peak = 0;
        var reachedMax = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var run = BoundedFanOut.RunAsync(
            Enumerable.Range(0, 20).Select(i => $"item{i}").ToArray(), Max, comparer: null,
            async (item, _) =>
            {
                var now = Interlocked.Increment(ref inFlight);
                InterlockedMax(ref peak, now);
                if (now == Max)
                {
                    reachedMax.TrySetResult();
                }

                await release.Task;
                Interlocked.Decrement(ref inFlight);
                return item;
            },
            Succeed, Fail, CancellationToken.None);
        await reachedMax.Task;
        release.SetResult();
        var results = await run;

        Assert.Equal(20, results.Length);
        Assert.Equal(Max, peak);
    }

    [Fact]
    public async Task Cancelling_stops_new_work_and_reports_every_remaining_item_as_cancelled()
    {
        using var cancellation = new CancellationTokenSource();
        var started = 0;
        var bothStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var run = BoundedFanOut.RunAsync(
            Enumerable.Range(0, 10).Select(i => $"item{i}").ToArray(), 2, comparer: null,
            async (item, token) =>
            {
                if (Interlocked.Increment(ref started) == 2)
                {
                    bothStarted.TrySetResult();
                }

                await Task.Delay(Timeout.Infinite, token);
                return item;
            },
            Succeed, Fail, cancellation.Token);
        await bothStarted.Task;
        await cancellation.CancelAsync();
        var results = await run;

        Assert.Equal(2, started);
        Assert.Equal(10, results.Length);
        Assert.All(results, r => Assert.EndsWith("Exception", r, StringComparison.Ordinal));
        Assert.All(results, r => Assert.Contains("Canceled", r, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Streaming_yields_a_result_before_slower_items_finish()
    {
        var slow = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        string[] items = ["slow", "fast"];

        await using var stream = BoundedFanOut.StreamAsync(
            items, 2, comparer: null,
            (item, _) => item == "fast" ? new ValueTask<string>("fast!") : new ValueTask<string>(slow.Task),
            Succeed, Fail, CancellationToken.None).GetAsyncEnumerator();

        Assert.True(await stream.MoveNextAsync());
        Assert.Equal((1, "fast!"), stream.Current);
        Assert.False(slow.Task.IsCompleted);
        slow.SetResult("slow!");
        Assert.True(await stream.MoveNextAsync());
        Assert.Equal((0, "slow!"), stream.Current);
        Assert.False(await stream.MoveNextAsync());
    }

    [Fact]
    public async Task Leaving_a_stream_early_cancels_the_items_still_running()
    {
        var tokens = new List<CancellationToken>();
        string[] items = ["fast", "stuck"];

        await foreach (var (_, result) in BoundedFanOut.StreamAsync(
            items, 2, comparer: null,
            async (item, token) =>
            {
                lock (tokens)
                {
                    tokens.Add(token);
                }

                if (item == "stuck")
                {
                    await Task.Delay(Timeout.Infinite, token);
                }

                return item;
            },
            Succeed, Fail, CancellationToken.None))
        {
            Assert.Equal("fast", result);
            break;
        }

        Assert.All(tokens, token => Assert.True(token.IsCancellationRequested));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while (value > (current = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
