using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace AgentBay.Lite.FanOut;

/// <summary>
/// Runs one operation per distinct item with at most a given number in flight, and accounts for every item: each
/// position of the input gets exactly one result, a success or a failure, whatever happens to the others.
/// </summary>
/// <remarks>
/// Equal items (by the comparer) run once and their result is reported for each of their positions. When the
/// token is cancelled, no new item starts; items in flight see the token; items never started are reported through
/// the failure factory with an <see cref="OperationCanceledException"/>.
/// </remarks>
internal static class BoundedFanOut
{
    /// <summary>Runs every item and returns the results in input order.</summary>
    public static async Task<TResult[]> RunAsync<TItem, TResult>(
        IReadOnlyList<TItem> items,
        int maxConcurrency,
        IEqualityComparer<TItem>? comparer,
        Func<TItem, CancellationToken, Task<TResult>> run,
        Func<TItem, Exception, TResult> fail,
        CancellationToken cancellationToken)
        where TItem : notnull
    {
        var results = new TResult[items.Count];
        await foreach (var (index, result) in StreamAsync(items, maxConcurrency, comparer, run, fail, cancellationToken).ConfigureAwait(false))
        {
            results[index] = result;
        }

        return results;
    }

    /// <summary>Runs every item and yields each position's result as soon as it is known.</summary>
    /// <remarks>Stopping the enumeration early cancels the items still in flight and starts no others.</remarks>
    public static async IAsyncEnumerable<(int Index, TResult Result)> StreamAsync<TItem, TResult>(
        IReadOnlyList<TItem> items,
        int maxConcurrency,
        IEqualityComparer<TItem>? comparer,
        Func<TItem, CancellationToken, Task<TResult>> run,
        Func<TItem, Exception, TResult> fail,
        [EnumeratorCancellation] CancellationToken cancellationToken)
        where TItem : notnull
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrency, 1);
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(fail);
        if (items.Count == 0)
        {
            yield break;
        }

        // Group positions by distinct item, keeping first-appearance order so work starts in input order.
        var positions = new Dictionary<TItem, List<int>>(comparer);
        var distinct = new List<TItem>();
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            if (item is null)
            {
                throw new ArgumentException($"Item {i} is null.", nameof(items));
            }

            if (!positions.TryGetValue(item, out var list))
            {
                positions[item] = list = new List<int>(1);
                distinct.Add(item);
            }

            list.Add(i);
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var channel = Channel.CreateUnbounded<(int Index, TResult Result)>(new UnboundedChannelOptions { SingleReader = true });
        var next = -1;
        var workerCount = Math.Min(maxConcurrency, distinct.Count);
        var remainingWorkers = workerCount;

        async Task WorkAsync()
        {
            try
            {
                int index;
                while ((index = Interlocked.Increment(ref next)) < distinct.Count)
                {
                    var item = distinct[index];
                    TResult result;
                    if (stop.IsCancellationRequested)
                    {
                        result = fail(item, new OperationCanceledException(stop.Token));
                    }
                    else
                    {
                        try
                        {
                            result = await run(item, stop.Token).ConfigureAwait(false);
                        }
                        catch (Exception exception)
                        {
                            result = fail(item, exception);
                        }
                    }

                    foreach (var position in positions[item])
                    {
                        channel.Writer.TryWrite((position, result));
                    }
                }
            }
            finally
            {
                if (Interlocked.Decrement(ref remainingWorkers) == 0)
                {
                    channel.Writer.TryComplete();
                }
            }
        }

        var workers = new Task[workerCount];
        for (var w = 0; w < workerCount; w++)
        {
            workers[w] = Task.Run(WorkAsync, CancellationToken.None);
        }

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
            await Task.WhenAll(workers).ConfigureAwait(false);
        }
    }
}
