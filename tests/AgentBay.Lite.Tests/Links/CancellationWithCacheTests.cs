using System.Net;

namespace AgentBay.Lite.Tests.Links;

/// <summary>
/// Cancellation and disposal with the link cache on (the default), proven on the wire: the handler under the SDK's
/// HttpClient sees each request it was sent aborted, not only the caller getting control back.
/// </summary>
public sealed class CancellationWithCacheTests
{
    [Fact]
    public async Task Cancelling_the_only_caller_aborts_the_request_on_the_wire()
    {
        var handler = new HangingHandler();
        await using var client = NewClient(handler);
        using var cts = new CancellationTokenSource();

        var call = client.GetLinkAsync("s-1", LinkRequest.Https(30150), cts.Token).AsTask();
        await handler.Started(1);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        await handler.Aborted(1);
        Assert.Equal(new LinkCacheStatistics(0, 1, 0, 0), client.GetLinkCacheStatistics());
    }

    [Fact]
    public async Task The_shared_request_is_aborted_only_when_its_last_caller_leaves()
    {
        var handler = new HangingHandler();
        await using var client = NewClient(handler);
        using var first = new CancellationTokenSource();
        using var second = new CancellationTokenSource();

        var one = client.GetLinkAsync("s-1", LinkRequest.Cdp, first.Token).AsTask();
        await handler.Started(1);
        var two = client.GetLinkAsync("s-1", LinkRequest.Cdp, second.Token).AsTask();
        await first.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => one);
        Assert.Equal(0, handler.AbortCount);

        await second.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => two);
        await handler.Aborted(1);
        Assert.Equal(1, handler.StartCount);
    }

    [Fact]
    public async Task Cancelling_a_fan_out_aborts_every_request_in_flight()
    {
        var handler = new HangingHandler();
        await using var client = NewClient(handler);
        using var cts = new CancellationTokenSource();
        var requests = Enumerable.Range(30150, 8).Select(port => new LinkTarget("s-1", LinkRequest.Https(port))).ToList();

        var batch = client.GetLinksAsync(requests, new FanOutOptions { MaxConcurrency = 4 }, cts.Token);
        await handler.Started(4);
        await cts.CancelAsync();
        IReadOnlyList<LinkResult> results = await batch;

        Assert.All(results, r => Assert.IsAssignableFrom<OperationCanceledException>(r.Error));
        await handler.Aborted(4);
        Assert.Equal(4, handler.StartCount); // nothing new was started after the cancellation
    }

    [Fact]
    public async Task Disposing_the_client_ends_a_cached_call_in_flight_with_ObjectDisposedException()
    {
        var handler = new HangingHandler();
        var client = NewClient(handler);

        var call = client.GetLinkAsync("s-1", LinkRequest.Cdp).AsTask();
        await handler.Started(1);
        await client.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => call);
        await handler.Aborted(1);
    }

    private static AgentBayClient NewClient(HttpMessageHandler handler) => new(new AgentBayOptions
    {
        ApiKey = "akm-test",
        Endpoint = new Uri("https://gw.example.test/"),
        HttpMessageHandler = handler,
    });

    /// <summary>Holds every request until it is cancelled, counting starts and aborts.</summary>
    private sealed class HangingHandler : HttpMessageHandler
    {
        private readonly Counter _started = new();
        private readonly Counter _aborted = new();

        public int StartCount => _started.Value;

        public int AbortCount => _aborted.Value;

        public Task Started(int count) => _started.WhenAtLeast(count);

        public Task Aborted(int count) => _aborted.WhenAtLeast(count);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            _started.Increment();
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                _aborted.Increment();
                throw;
            }

            return new HttpResponseMessage(HttpStatusCode.OK);
        }
    }

    /// <summary>A count that can be awaited until it reaches a value.</summary>
    private sealed class Counter
    {
        private readonly List<(int Target, TaskCompletionSource Signal)> _waiters = [];
        private int _value;

        public int Value
        {
            get
            {
                lock (_waiters)
                {
                    return _value;
                }
            }
        }

        public void Increment()
        {
            lock (_waiters)
            {
                _value++;
                _waiters.RemoveAll(w => w.Target <= _value && w.Signal.TrySetResult());
            }
        }

        public Task WhenAtLeast(int target)
        {
            lock (_waiters)
            {
                if (_value >= target)
                {
                    return Task.CompletedTask;
                }

                var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Add((target, signal));
                return signal.Task;
            }
        }
    }
}
