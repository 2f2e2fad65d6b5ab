using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading.Channels;

namespace AgentBay.Lite.FanOut;

/// <summary>
/// Runs one operation per distinct item with at most a given number in flight, and accounts for every item: each
/// position of the input gets exactly one result, a success (the operation's value passed through a success factory)
/// or a failure, whatever happens to the others.
/// </summary>
/// <remarks>
/// Equal items (by the comparer) run once and their result is reported for each of their positions. When the
/// token is cancelled, no new item starts; items in flight see the token; items never started are reported through
/// the failure factory with an <see cref="OperationCanceledException"/>.
/// </remarks>
internal static class BoundedFanOut
{
    /// <summary>Runs every item and returns the results in input order.</summary>
    public static async Task<TResult[]> RunAsync<TItem, TValue, TResult>(
        IReadOnlyList<TItem> items,
        int maxConcurrency,
        IEqualityComparer<TItem>? comparer,
        Func<TItem, CancellationToken, ValueTask<TValue>> run,
        Func<TItem, TValue, TResult> succeed,
        Func<TItem, Exception, TResult> fail,
        CancellationToken cancellationToken)
        where TItem : notnull
    {
        var batch = Batch<TItem, TValue, TResult>.Plan(items, maxConcurrency, comparer, run, succeed, fail);
        var results = new TResult[items.Count];

        // Workers write straight into the array: each position is written once, and awaiting the workers publishes
        // their writes to this thread. No queue between them and the caller, so a result costs no thread hop.
        await batch.RunAsync((position, result) => results[position] = result, cancellationToken).ConfigureAwait(false);
        return results;
    }

    /// <summary>Runs every item and yields each position's result as soon as it is known.</summary>
    /// <remarks>Stopping the enumeration early cancels the items still in flight and starts no others.</remarks>
    public static async IAsyncEnumerable<(int Index, TResult Result)> StreamAsync<TItem, TValue, TResult>(
        IReadOnlyList<TItem> items,
        int maxConcurrency,
        IEqualityComparer<TItem>? comparer,
        Func<TItem, CancellationToken, ValueTask<TValue>> run,
        Func<TItem, TValue, TResult> succeed,
        Func<TItem, Exception, TResult> fail,
        [EnumeratorCancellation] CancellationToken cancellationToken)
        where TItem : notnull
    {
        var batch = Batch<TItem, TValue, TResult>.Plan(items, maxConcurrency, comparer, run, succeed, fail);
        if (items.Count == 0)
        {
            yield break;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var channel = Channel.CreateUnbounded<(int Index, TResult Result)>(new UnboundedChannelOptions { SingleReader = true });
        Task workers = batch.RunAsync((position, result) => channel.Writer.TryWrite((position, result)), stop.Token);
        _ = workers.ContinueWith(
            static (done, writer) => ((ChannelWriter<(int, TResult)>)writer!).TryComplete(done.Exception?.InnerException),
            channel.Writer,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);

        try
        {
            // The reader ignores the caller's token: after cancellation the workers still report every item as
            // cancelled, and the channel completes once they are done.
            await foreach (var entry in channel.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
            {
                yield return entry;
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await workers.ConfigureAwait(false);
        }
    }

    /// <summary>One batch: its distinct items in first-appearance order, and the positions each one fills.</summary>
    /// <param name="distinct">The distinct items.</param>
    /// <param name="firstPosition">Each distinct item's first position in the input.</param>
    /// <param name="nextPosition">For each position, the next position of the same item, or -1.</param>
    /// <param name="maxConcurrency">The most items in flight at once.</param>
    /// <param name="run">The operation.</param>
    /// <param name="succeed">Makes a position's result from the operation's value.</param>
    /// <param name="fail">Makes a position's result from a failure or cancellation.</param>
    private sealed class Batch<TItem, TValue, TResult>(
        List<TItem> distinct,
        List<int> firstPosition,
        int[] nextPosition,
        int maxConcurrency,
        Func<TItem, CancellationToken, ValueTask<TValue>> run,
        Func<TItem, TValue, TResult> succeed,
        Func<TItem, Exception, TResult> fail)
        where TItem : notnull
    {
        /// <summary>Validates the arguments and groups equal items, keeping first-appearance order so work starts in input order.</summary>
        public static Batch<TItem, TValue, TResult> Plan(
            IReadOnlyList<TItem> items,
            int maxConcurrency,
            IEqualityComparer<TItem>? comparer,
            Func<TItem, CancellationToken, ValueTask<TValue>> run,
            Func<TItem, TValue, TResult> succeed,
            Func<TItem, Exception, TResult> fail)
        {
            ArgumentNullException.ThrowIfNull(items);
            ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrency, 1);
            ArgumentNullException.ThrowIfNull(run);
            ArgumentNullException.ThrowIfNull(succeed);
            ArgumentNullException.ThrowIfNull(fail);

            // The positions of one item form a chain through nextPosition (-1 ends it), which costs one int per
            // position instead of a list per item.
            var distinctIndex = new Dictionary<TItem, int>(items.Count, comparer);
            var distinct = new List<TItem>(items.Count);
            var firstPosition = new List<int>(items.Count);
            var lastPosition = new List<int>(items.Count);
            var nextPosition = new int[items.Count];
            for (var i = 0; i < items.Count; i++)
            {
                var item = items[i];
                if (item is null)
                {
                    throw new ArgumentException($"Item {i} is null.", nameof(items));
                }

                nextPosition[i] = -1;
                ref int index = ref CollectionsMarshal.GetValueRefOrAddDefault(distinctIndex, item, out bool seen);
                if (seen)
                {
                    nextPosition[lastPosition[index]] = i;
                    lastPosition[index] = i;
                }
                else
                {
                    index = distinct.Count;
                    distinct.Add(item);
                    firstPosition.Add(i);
                    lastPosition.Add(i);
                }
            }

            return new Batch<TItem, TValue, TResult>(distinct, firstPosition, nextPosition, maxConcurrency, run, succeed, fail);
        }

        /// <summary>Runs the distinct items on at most the maximum number of workers, reporting a result for every position.</summary>
        /// <param name="report">Receives each position's result, from the worker that produced it; each position once.</param>
        /// <param name="stop">Once cancelled, no item starts; the rest are reported as cancelled.</param>
        /// <returns>A task that completes when every position has been reported.</returns>
        public Task RunAsync(Action<int, TResult> report, CancellationToken stop)
        {
            var next = -1;
            var workers = new Task[Math.Min(maxConcurrency, distinct.Count)];
            for (var w = 0; w < workers.Length; w++)
            {
                workers[w] = Task.Run(WorkAsync, CancellationToken.None);
            }

            return Task.WhenAll(workers);

            async Task WorkAsync()
            {
                int index;
                while ((index = Interlocked.Increment(ref next)) < distinct.Count)
                {
                    var item = distinct[index];
                    TResult result;
                    if (stop.IsCancellationRequested)
                    {
                        result = fail(item, new OperationCanceledException(stop));
                    }
                    else
                    {
                        try
                        {
                            result = succeed(item, await run(item, stop).ConfigureAwait(false));
                        }
                        catch (Exception exception)
                        {
                            result = fail(item, exception);
                        }
                    }

                    for (var position = firstPosition[index]; position >= 0; position = nextPosition[position])
                    {
                        report(position, result);
                    }
                }
            }
        }
    }
}
