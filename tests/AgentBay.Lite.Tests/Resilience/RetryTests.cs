using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using AgentBay.Lite.Backend;

namespace AgentBay.Lite.Tests.Resilience;

/// <summary>
/// The retry layer on a substituted backend and a fake clock: which failures are retried for which operations, the
/// backoff and its bounds, and cancellation.
/// </summary>
public class RetryTests
{
    private static readonly LinkRecord Link = new(new Uri("wss://link.example/"), "req-ok");

    private static TestClient Client(Action<AgentBayOptions>? configure = null) => new(o =>
    {
        o.LinkCache.Enabled = false;
        o.Timeout = TimeSpan.FromSeconds(10);
        o.Retry.BaseDelay = TimeSpan.FromMilliseconds(100);
        o.Retry.MaxDelay = TimeSpan.FromSeconds(1);
        o.Retry.TotalTimeout = TimeSpan.FromMinutes(1);
        configure?.Invoke(o);
    });

    private static AgentBayException ServerError(int status = 503) =>
        new($"GetLink failed: HTTP {status}.", "ServiceUnavailable", "busy", "req-5xx", (HttpStatusCode)status);

    private static AgentBayThrottledException Throttled(TimeSpan? retryAfter) =>
        new("GetLink was throttled.", retryAfter, "Throttling.User", "slow down", "req-429", HttpStatusCode.TooManyRequests);

    // What the wire backend throws for these transport failures: it maps them, so the retry layer never sees raw ones.
    private static Exception Refused() =>
        WireFailures.Map(new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused (127.0.0.1:1)", new SocketException((int)SocketError.ConnectionRefused)));

    private static Exception CutOff() =>
        WireFailures.Map(new HttpRequestException(HttpRequestError.ResponseEnded, "The response ended prematurely.", new IOException("reset")));

    /// <summary>Answers GetLink with these outcomes in order (an exception is thrown), repeating the last.</summary>
    private static Func<int> AnswerLinks(TestClient test, params object[] outcomes)
    {
        int calls = 0;
        test.Backend.GetLinkAsync(Arg.Any<string>(), Arg.Any<LinkRequest>(), Arg.Any<CancellationToken>()).Returns(_ =>
        {
            object outcome = outcomes[Math.Min(calls, outcomes.Length - 1)];
            Interlocked.Increment(ref calls);
            return outcome is Exception ex ? Task.FromException<LinkRecord>(ex) : Task.FromResult((LinkRecord)outcome);
        });
        return () => Volatile.Read(ref calls);
    }

    /// <summary>
    /// Moves the fake clock in steps until <paramref name="work"/> ends. While the call waits between attempts one timer
    /// is pending: the backoff delay. An attempt's own limit is a timer too, so a step may also land while an attempt
    /// runs; a test that measures time between attempts turns the limits off.
    /// </summary>
    private static async Task DriveAsync(TestClient test, Task work, TimeSpan step, int pendingWhileWaiting = 1)
    {
        for (int i = 0; i < 1000 && !work.IsCompleted; i++)
        {
            await test.Clock.SettleAsync(work, pendingWhileWaiting);
            if (work.IsCompleted)
            {
                break;
            }

            test.Clock.Advance(step);
        }

        await work.WaitAsync(TimeSpan.FromSeconds(30)).ContinueWith(static _ => { }, TaskScheduler.Default);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(504)]
    public async Task A_5xx_burst_on_a_read_is_retried_until_it_succeeds(int status)
    {
        var test = Client();
        var calls = AnswerLinks(test, ServerError(status), ServerError(status), Link);

        var work = test.Client.GetLinkAsync("s1", LinkRequest.Cdp).AsTask();
        await DriveAsync(test, work, TimeSpan.FromSeconds(1));

        Assert.Equal(new Uri("wss://link.example/"), (await work).Url);
        Assert.Equal(3, calls());
    }

    public static TheoryData<string> TransientShapes => ["throttled", "refused", "cut-off", "protocol-502", "io"];

    [Theory]
    [MemberData(nameof(TransientShapes))]
    public async Task Each_transient_shape_is_retried_for_a_read(string shape)
    {
        Exception error = shape switch
        {
            "throttled" => Throttled(null),
            "refused" => Refused(),
            "cut-off" => CutOff(),
            "protocol-502" => new AgentBayProtocolException("HTML page", "<html>Bad Gateway</html>", null, HttpStatusCode.BadGateway),
            _ => WireFailures.Map(new IOException("Connection reset by peer")),
        };
        var test = Client();
        var calls = AnswerLinks(test, error, Link);

        var work = test.Client.GetLinkAsync("s1", LinkRequest.Cdp).AsTask();
        await DriveAsync(test, work, TimeSpan.FromSeconds(1));

        await work;
        Assert.Equal(2, calls());
    }

    public static TheoryData<string> PermanentShapes => ["not-found", "auth", "bad-request", "protocol-200"];

    [Theory]
    [MemberData(nameof(PermanentShapes))]
    public async Task Permanent_failures_are_not_retried(string shape)
    {
        AgentBayException error = shape switch
        {
            "not-found" => new SessionNotFoundException("gone", "s1", "InvalidMcpSession.NotFound", "nf", "r", HttpStatusCode.BadRequest),
            "auth" => new AgentBayAuthenticationException("bad key", "NOT_LOGIN", "no", "r", HttpStatusCode.BadRequest),
            "bad-request" => new AgentBayException("bad", "InvalidParameter", "bad", "r", HttpStatusCode.BadRequest),
            _ => new AgentBayProtocolException("truncated", "{\"Req", "r", HttpStatusCode.OK),
        };
        var test = Client();
        var calls = AnswerLinks(test, error, Link);

        var thrown = await Assert.ThrowsAnyAsync<AgentBayException>(() => test.Client.GetLinkAsync("s1", LinkRequest.Cdp).AsTask());

        Assert.Same(error, thrown);
        Assert.Equal(1, calls());
    }

    [Fact]
    public async Task Attempts_are_bounded_by_MaxRetries_and_the_last_error_surfaces()
    {
        var test = Client(o => o.Retry.MaxRetries = 2);
        var last = ServerError();
        var calls = AnswerLinks(test, ServerError(), ServerError(), last);

        var work = test.Client.GetLinkAsync("s1", LinkRequest.Cdp).AsTask();
        await DriveAsync(test, work, TimeSpan.FromSeconds(1));

        var thrown = await Assert.ThrowsAsync<AgentBayException>(() => work);
        Assert.Same(last, thrown);
        Assert.Equal(3, calls());
    }

    [Fact]
    public async Task MaxRetries_zero_makes_one_attempt()
    {
        var test = Client(o => o.Retry.MaxRetries = 0);
        var calls = AnswerLinks(test, ServerError(), Link);

        await Assert.ThrowsAsync<AgentBayException>(() => test.Client.GetLinkAsync("s1", LinkRequest.Cdp).AsTask());
        Assert.Equal(1, calls());
    }

    [Fact]
    public async Task The_delay_between_attempts_grows_and_stays_within_MaxDelay()
    {
        var test = Client(o =>
        {
            o.Retry.MaxRetries = 6;
            o.Retry.BaseDelay = TimeSpan.FromSeconds(1);
            o.Retry.MaxDelay = TimeSpan.FromSeconds(4);

            // Without attempt limits the backoff delay is the only timer, so DriveAsync moves the clock only while the
            // call is parked on it and each gap below is exactly one delay. With an attempt timer pending during the
            // attempt the clock could move on before the attempt read it, widening a gap by a step or more.
            o.Timeout = Timeout.InfiniteTimeSpan;
            o.Retry.TotalTimeout = Timeout.InfiniteTimeSpan;
        });
        var times = new List<DateTimeOffset>();
        test.Backend.GetLinkAsync(Arg.Any<string>(), Arg.Any<LinkRequest>(), Arg.Any<CancellationToken>()).Returns(_ =>
        {
            lock (times)
            {
                times.Add(test.Clock.GetUtcNow());
            }

            return Task.FromException<LinkRecord>(ServerError());
        });

        var work = test.Client.GetLinkAsync("s1", LinkRequest.Cdp).AsTask();
        await DriveAsync(test, work, TimeSpan.FromMilliseconds(50));

        await Assert.ThrowsAsync<AgentBayException>(() => work);
        Assert.Equal(7, times.Count);
        var gaps = times.Zip(times.Skip(1), (a, b) => b - a).ToList();
        Assert.All(gaps, gap => Assert.InRange(gap, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(4))); // BaseDelay / 2 to MaxDelay
        Assert.True(gaps.Skip(3).Sum(g => g.TotalMilliseconds) > gaps.Take(3).Sum(g => g.TotalMilliseconds) / 2, "later delays should not shrink below the early ones");
    }

    [Fact]
    public async Task Throttling_waits_for_the_services_retry_after()
    {
        var test = Client();
        var calls = AnswerLinks(test, Throttled(TimeSpan.FromSeconds(7)), Link);

        var work = test.Client.GetLinkAsync("s1", LinkRequest.Cdp).AsTask();
        await test.Clock.SettleAsync(work, 1);
        Assert.Equal(1, calls());

        await test.Clock.StepAsync(TimeSpan.FromSeconds(6.9), work, 1);
        Assert.Equal(1, calls()); // The computed backoff (100 ms) would have retried long ago.
        Assert.False(work.IsCompleted);

        await test.Clock.StepAsync(TimeSpan.FromMilliseconds(100), work, 0);
        await work.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(2, calls());
    }

    [Fact]
    public async Task A_retry_after_beyond_the_overall_limit_surfaces_the_throttling_at_once()
    {
        var test = Client(o => o.Retry.TotalTimeout = TimeSpan.FromSeconds(30));
        var throttled = Throttled(TimeSpan.FromMinutes(5));
        var calls = AnswerLinks(test, throttled, Link);

        var thrown = await Assert.ThrowsAsync<AgentBayThrottledException>(() => test.Client.GetLinkAsync("s1", LinkRequest.Cdp).AsTask());

        Assert.Same(throttled, thrown);
        Assert.Equal(1, calls());
    }

    [Fact]
    public async Task The_overall_limit_ends_retries_with_a_timeout_naming_TotalTimeout()
    {
        var test = Client(o =>
        {
            o.Retry.MaxRetries = 100;
            o.Retry.BaseDelay = TimeSpan.FromSeconds(1);
            o.Retry.MaxDelay = TimeSpan.FromSeconds(1);
            o.Retry.TotalTimeout = TimeSpan.FromSeconds(5);
        });
        var calls = AnswerLinks(test, ServerError());

        var work = test.Client.GetLinkAsync("s1", LinkRequest.Cdp).AsTask();
        await DriveAsync(test, work, TimeSpan.FromMilliseconds(500));

        var thrown = await Assert.ThrowsAsync<AgentBayTimeoutException>(() => work);
        Assert.Contains("Retry.TotalTimeout", thrown.Message, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(5), thrown.Timeout);
        Assert.InRange(calls(), 2, 10);
    }

    [Fact]
    public async Task Each_attempt_has_its_own_timeout_and_the_last_one_names_AgentBayOptions_Timeout()
    {
        var test = Client(o => o.Retry.MaxRetries = 1);
        var tokens = new List<CancellationToken>();
        test.Backend.GetLinkAsync(Arg.Any<string>(), Arg.Any<LinkRequest>(), Arg.Any<CancellationToken>()).Returns(call =>
        {
            var token = call.ArgAt<CancellationToken>(2);
            lock (tokens)
            {
                tokens.Add(token);
            }

            return Task.Delay(Timeout.InfiniteTimeSpan, token).ContinueWith(t => { t.GetAwaiter().GetResult(); return Link; }, TaskScheduler.Default);
        });

        var work = test.Client.GetLinkAsync("s1", LinkRequest.Cdp).AsTask();
        await DriveAsync(test, work, TimeSpan.FromSeconds(1));

        var thrown = await Assert.ThrowsAsync<AgentBayTimeoutException>(() => work);
        Assert.Contains("AgentBayOptions.Timeout", thrown.Message, StringComparison.Ordinal);
        Assert.Contains("2 attempts", thrown.Message, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(10), thrown.Timeout);
        Assert.Equal(2, tokens.Count);
        Assert.NotEqual(tokens[0], tokens[1]);
    }

    [Fact]
    public async Task Cancelling_during_the_backoff_is_prompt_and_makes_no_further_attempt()
    {
        var test = Client();
        var calls = AnswerLinks(test, ServerError(), Link);
        using var cts = new CancellationTokenSource();

        var work = test.Client.GetLinkAsync("s1", LinkRequest.Cdp, cts.Token).AsTask();
        await test.Clock.SettleAsync(work, 1); // parked in the backoff delay
        Assert.Equal(1, calls());
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => work.WaitAsync(TimeSpan.FromSeconds(30)));
        test.Clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(1, calls());
        Assert.Equal(0, test.Clock.PendingTimers);
    }

    [Fact]
    public async Task Disposing_the_client_stops_retries()
    {
        var test = Client();
        var calls = AnswerLinks(test, ServerError(), Link);

        var work = test.Client.GetLinkAsync("s1", LinkRequest.Cdp).AsTask();
        await test.Clock.SettleAsync(work, 1);
        test.Client.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => work.WaitAsync(TimeSpan.FromSeconds(30)));
        test.Clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(1, calls());
    }

    [Fact]
    public async Task Disposing_the_client_abandons_an_attempt_in_flight_without_retrying_it()
    {
        var test = Client();
        int calls = 0;
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        test.Backend.GetLinkAsync(Arg.Any<string>(), Arg.Any<LinkRequest>(), Arg.Any<CancellationToken>()).Returns(call =>
        {
            Interlocked.Increment(ref calls);
            started.TrySetResult();
            return Task.Delay(Timeout.InfiniteTimeSpan, call.ArgAt<CancellationToken>(2)).ContinueWith(t => { t.GetAwaiter().GetResult(); return Link; }, TaskScheduler.Default);
        });

        var work = test.Client.GetLinkAsync("s1", LinkRequest.Cdp).AsTask();
        await started.Task;
        test.Client.Dispose();

        // Not a timeout of the attempt (the client's own cancellation of it), and not repeated.
        await Assert.ThrowsAsync<ObjectDisposedException>(() => work.WaitAsync(TimeSpan.FromSeconds(30)));
        test.Clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(1, Volatile.Read(ref calls));
    }

    [Fact]
    public async Task A_retryable_failure_that_comes_back_after_the_caller_cancelled_ends_in_the_cancellation()
    {
        var test = Client();
        var answer = new TaskCompletionSource<LinkRecord>(TaskCreationOptions.RunContinuationsAsynchronously);
        test.Backend.GetLinkAsync(Arg.Any<string>(), Arg.Any<LinkRequest>(), Arg.Any<CancellationToken>()).Returns(answer.Task);
        using var cts = new CancellationTokenSource();

        var work = test.Client.GetLinkAsync("s1", LinkRequest.Cdp, cts.Token).AsTask();
        await cts.CancelAsync();
        answer.SetException(ServerError());

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => work.WaitAsync(TimeSpan.FromSeconds(30)));
        await test.Backend.Received(1).GetLinkAsync(Arg.Any<string>(), Arg.Any<LinkRequest>(), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task A_transport_failure_caused_by_disposing_the_client_is_reported_as_disposal()
    {
        var test = Client();
        var answer = new TaskCompletionSource<LinkRecord>(TaskCreationOptions.RunContinuationsAsynchronously);
        test.Backend.GetLinkAsync(Arg.Any<string>(), Arg.Any<LinkRequest>(), Arg.Any<CancellationToken>()).Returns(answer.Task);

        var work = test.Client.GetLinkAsync("s1", LinkRequest.Cdp).AsTask();
        test.Client.Dispose();
        answer.SetException(WireFailures.Map(new IOException("The connection was disposed while the answer was read.")));

        var thrown = await Assert.ThrowsAsync<ObjectDisposedException>(() => work.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.IsType<IOException>(thrown.InnerException);
    }

    [Fact]
    public async Task Disposing_the_client_stops_retries_of_a_cached_fetch()
    {
        var test = Client(o => o.LinkCache.Enabled = true);
        var calls = AnswerLinks(test, ServerError(), Link);

        var work = test.Client.GetLinkAsync("s1", LinkRequest.Cdp).AsTask();
        await test.Clock.SettleAsync(work, 1);
        test.Client.Dispose();

        await Assert.ThrowsAnyAsync<Exception>(() => work.WaitAsync(TimeSpan.FromSeconds(30)));
        test.Clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(1, calls());
    }

    [Theory]
    [InlineData("5xx")]
    [InlineData("cut-off")]
    [InlineData("throttled")]
    [InlineData("attempt-timeout")]
    public async Task Creating_a_session_is_not_repeated_when_the_request_may_have_arrived(string shape)
    {
        var test = Client();
        int calls = 0;
        test.Backend.CreateSessionAsync(Arg.Any<SessionCreation>(), Arg.Any<CancellationToken>()).Returns(call =>
        {
            Interlocked.Increment(ref calls);
            return shape switch
            {
                "5xx" => Task.FromException<SessionRecord>(ServerError()),
                "cut-off" => Task.FromException<SessionRecord>(CutOff()),
                "throttled" => Task.FromException<SessionRecord>(Throttled(TimeSpan.FromSeconds(1))),
                _ => Task.Delay(Timeout.InfiniteTimeSpan, call.ArgAt<CancellationToken>(1)).ContinueWith(t => { t.GetAwaiter().GetResult(); return new SessionRecord("s", null, null, null, null, null, null, null, null); }, TaskScheduler.Default),
            };
        });

        var work = test.Client.CreateSessionAsync();
        await DriveAsync(test, work, TimeSpan.FromSeconds(1));

        var thrown = await Assert.ThrowsAnyAsync<AgentBayException>(() => work);
        Assert.Equal(1, calls);
        if (shape == "cut-off")
        {
            Assert.IsType<HttpRequestException>(thrown.InnerException);
            Assert.Contains("not repeated", thrown.Message, StringComparison.Ordinal);
        }
        else if (shape == "attempt-timeout")
        {
            Assert.IsType<AgentBayTimeoutException>(thrown);
            Assert.Contains("not repeated", thrown.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Creating_a_session_is_retried_when_the_connection_was_refused()
    {
        var test = Client();
        int calls = 0;
        test.Backend.CreateSessionAsync(Arg.Any<SessionCreation>(), Arg.Any<CancellationToken>()).Returns(_ =>
            Interlocked.Increment(ref calls) == 1
                ? Task.FromException<SessionRecord>(Refused())
                : Task.FromResult(new SessionRecord("s-new", "r", null, null, null, null, null, null, null)));

        var work = test.Client.CreateSessionAsync();
        await DriveAsync(test, work, TimeSpan.FromSeconds(1));

        Assert.Equal("s-new", (await work).Id);
        Assert.Equal(2, calls);
    }

    [Theory]
    [InlineData(HttpRequestError.NameResolutionError, null, true)]
    [InlineData(HttpRequestError.ConnectionError, SocketError.ConnectionRefused, true)]
    [InlineData(HttpRequestError.ConnectionError, SocketError.HostUnreachable, true)]
    [InlineData(HttpRequestError.ConnectionError, SocketError.ConnectionReset, false)]
    [InlineData(HttpRequestError.ConnectionError, null, false)]
    [InlineData(HttpRequestError.ResponseEnded, null, false)]
    [InlineData(HttpRequestError.SecureConnectionError, null, false)]
    public async Task A_tool_call_is_retried_only_when_it_provably_was_not_sent(HttpRequestError kind, SocketError? socket, bool retried)
    {
        var test = Client();
        var raw = new HttpRequestException(kind, "failed", socket is { } code ? new SocketException((int)code) : null);
        Exception error = WireFailures.Map(raw); // what the wire backend throws for it
        int calls = 0;
        test.Backend.CallToolAsync(Arg.Any<string>(), Arg.Any<string>(), Arg.Any<string>(), Arg.Any<CancellationToken>()).Returns(_ =>
            Interlocked.Increment(ref calls) == 1
                ? Task.FromException<ToolResult>(error)
                : Task.FromResult(new ToolResult(false, "{\"stdout\":\"hi\",\"stderr\":\"\",\"exit_code\":0}", "r")));

        var work = test.Session().Commands.ExecuteAsync("echo hi");
        await DriveAsync(test, work, TimeSpan.FromSeconds(1));

        if (retried)
        {
            await work;
            Assert.Equal(2, calls);
        }
        else
        {
            var thrown = await Assert.ThrowsAsync<AgentBayException>(() => work);
            Assert.Same(raw, thrown.InnerException);
            Assert.Equal(1, calls);
        }
    }

    [Fact]
    public async Task A_transport_failure_that_outlasts_the_retries_becomes_an_AgentBayException_with_the_cause()
    {
        var test = Client(o => o.Retry.MaxRetries = 2);
        var calls = AnswerLinks(test, CutOff());

        var work = test.Client.GetLinkAsync("s1", LinkRequest.Cdp).AsTask();
        await DriveAsync(test, work, TimeSpan.FromSeconds(1));

        var thrown = await Assert.ThrowsAsync<AgentBayException>(() => work);
        Assert.IsType<HttpRequestException>(thrown.InnerException);
        Assert.Contains("3 attempts", thrown.Message, StringComparison.Ordinal);
        Assert.Equal(3, calls());
    }

    [Theory]
    [InlineData("json")]
    [InlineData("format")]
    [InlineData("cast")]
    public async Task A_parse_failure_below_the_client_becomes_a_protocol_exception(string shape)
    {
        Exception error = shape switch
        {
            "json" => new JsonException("'<' is an invalid start of a value."),
            "format" => new FormatException("bad number"),
            _ => new InvalidCastException("Unable to cast"),
        };
        var test = Client();
        var calls = AnswerLinks(test, WireFailures.Map(error)); // the wire backend maps what its parser throws

        var thrown = await Assert.ThrowsAsync<AgentBayProtocolException>(() => test.Client.GetLinkAsync("s1", LinkRequest.Cdp).AsTask());

        Assert.Same(error, thrown.InnerException);
        Assert.Equal(1, calls());
    }

    [Fact]
    public async Task Deletion_requests_are_retried()
    {
        var test = Client();
        int calls = 0;
        test.Backend.DeleteSessionAsync(Arg.Any<string>(), Arg.Any<CancellationToken>()).Returns(_ =>
            Interlocked.Increment(ref calls) == 1 ? Task.FromException(ServerError()) : Task.CompletedTask);
        test.Backend.GetSessionStatusAsync(Arg.Any<string>(), Arg.Any<CancellationToken>()).Returns("FINISH");

        var work = test.Client.DeleteSessionAsync("s1");

        // Step the clock only until the request is repeated: the status poll after it answers at once, and stepping on
        // while a slow machine runs it would run out AgentBayOptions.DeleteTimeout's deadline.
        for (int i = 0; i < 100 && Volatile.Read(ref calls) < 2 && !work.IsCompleted; i++)
        {
            await test.Clock.SettleAsync(work, 1);
            if (Volatile.Read(ref calls) < 2)
            {
                test.Clock.Advance(TimeSpan.FromSeconds(1));
            }
        }

        await work.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(2, calls);
    }

    [Fact]
    public void Invalid_retry_settings_are_reported_by_name()
    {
        var options = new AgentBayOptions { ApiKey = "akm-x" };
        options.Retry.MaxRetries = -1;
        options.Retry.BaseDelay = TimeSpan.Zero;
        options.Retry.MaxDelay = TimeSpan.FromMilliseconds(-5);
        options.Retry.TotalTimeout = TimeSpan.FromSeconds(-1);

        var errors = options.GetValidationErrors();

        Assert.Contains(errors, e => e.Contains("Retry.MaxRetries", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Retry.BaseDelay", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Retry.MaxDelay", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Retry.TotalTimeout", StringComparison.Ordinal));

        options.Retry = null!;
        Assert.Contains(options.GetValidationErrors(), e => e.Contains("AgentBayOptions.Retry is null", StringComparison.Ordinal));
    }
}
