using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using static AgentBay.Lite.Tests.Telemetry.TelemetryHarness;

namespace AgentBay.Lite.Tests.Telemetry;

/// <summary>
/// What the SDK reports through its <c>AgentBay.Lite</c> activity source, meter and logger: spans per operation and
/// attempt, the instruments, the log events, and never a secret in any of them.
/// </summary>
public sealed class TelemetryTests
{
    private static readonly LinkRequest Web = LinkRequest.Https(30150);

    [Fact]
    public async Task A_retried_call_has_one_operation_span_with_a_child_span_per_attempt()
    {
        await using var test = new TelemetryHarness((n, _) => n == 1 ? (HttpStatusCode.ServiceUnavailable, """{"RequestId":"req-busy","Code":"ServiceUnavailable","Message":"busy"}""") : LinkAnswer("req-ok"));

        await test.Client.GetLinkAsync("s-1", Web);

        Activity operation = Assert.Single(test.Spans, s => s.DisplayName == "AgentBay GetLink");
        Assert.Equal(test.Root.SpanId, operation.ParentSpanId);
        Assert.Equal(ActivityKind.Internal, operation.Kind);
        Assert.Equal(ActivityStatusCode.Unset, operation.Status);
        Assert.Equal("GetLink", operation.GetTagItem("agentbay.operation"));
        Assert.Equal("s-1", operation.GetTagItem("agentbay.session.id"));
        Assert.Equal(2, operation.GetTagItem("agentbay.attempts"));
        Assert.Equal("req-ok", operation.GetTagItem("agentbay.request.id"));

        Activity[] attempts = [.. test.Spans.Where(s => s.DisplayName == "AgentBay GetLink attempt").OrderBy(s => (int)s.GetTagItem("agentbay.attempt")!)];
        Assert.Equal(2, attempts.Length);
        Assert.All(attempts, a =>
        {
            Assert.Equal(operation.SpanId, a.ParentSpanId);
            Assert.Equal(ActivityKind.Client, a.Kind);
            Assert.Equal("gateway.telemetry.test", a.GetTagItem("server.address"));
            Assert.Equal(443, a.GetTagItem("server.port"));
        });
        Assert.Equal(ActivityStatusCode.Error, attempts[0].Status);
        Assert.Equal(503, attempts[0].GetTagItem("http.response.status_code"));
        Assert.Equal(typeof(AgentBayException).FullName, attempts[0].GetTagItem("error.type"));
        Assert.Equal("req-busy", attempts[0].GetTagItem("agentbay.request.id"));
        Assert.Equal(ActivityStatusCode.Unset, attempts[1].Status);
        Assert.Null(attempts[1].GetTagItem("error.type"));
        Assert.Equal(2, test.Handler.Requests);
    }

    [Fact]
    public async Task A_failed_call_marks_its_spans_as_errors_and_tags_the_duration_with_the_error_type()
    {
        await using var test = new TelemetryHarness((_, _) => (HttpStatusCode.BadRequest, """{"RequestId":"req-bad","Code":"InvalidParameter","Message":"no such port"}"""));
        using var duration = test.Collect<double>("agentbay.client.operation.duration");
        using var retries = test.Collect<long>("agentbay.client.operation.retries");

        var error = await Assert.ThrowsAnyAsync<AgentBayException>(() => test.Client.GetLinkAsync("s-1", Web).AsTask());

        Activity operation = Assert.Single(test.Spans, s => s.DisplayName == "AgentBay GetLink");
        Assert.Equal(ActivityStatusCode.Error, operation.Status);
        Assert.Equal(error.GetType().FullName, operation.GetTagItem("error.type"));
        Assert.Equal("req-bad", operation.GetTagItem("agentbay.request.id"));
        Assert.Single(test.Spans, s => s.DisplayName == "AgentBay GetLink attempt" && s.Status == ActivityStatusCode.Error);

        CollectedMeasurement<double> measured = Assert.Single(duration.GetMeasurementSnapshot());
        Assert.True(measured.Value >= 0);
        Assert.True(measured.MatchesTags(new KeyValuePair<string, object?>("agentbay.operation", "GetLink"), new KeyValuePair<string, object?>("error.type", error.GetType().FullName)));
        Assert.Empty(retries.GetMeasurementSnapshot()); // a 400 is not retried

        FakeLogRecord failed = Assert.Single(test.Logs.GetSnapshot(), r => r.Id.Id == 3);
        Assert.Equal(LogLevel.Warning, failed.Level);
        Assert.Equal("OperationFailed", failed.Id.Name);
        Assert.Same(error, failed.Exception);
        Assert.Contains("req-bad", failed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Success_measures_the_duration_without_an_error_type_and_counts_each_retry()
    {
        await using var test = new TelemetryHarness((n, _) => n <= 2 ? (HttpStatusCode.BadGateway, "{}") : LinkAnswer("req-3"));
        using var duration = test.Collect<double>("agentbay.client.operation.duration");
        using var retries = test.Collect<long>("agentbay.client.operation.retries");

        await test.Client.GetLinkAsync("s-1", Web);

        CollectedMeasurement<double> measured = Assert.Single(duration.GetMeasurementSnapshot());
        Assert.Equal("GetLink", measured.Tags["agentbay.operation"]);
        Assert.False(measured.Tags.ContainsKey("error.type"));
        Assert.Equal(2, retries.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.All(retries.GetMeasurementSnapshot(), m => Assert.Equal("GetLink", m.Tags["agentbay.operation"]));

        FakeLogRecord succeeded = Assert.Single(test.Logs.GetSnapshot(), r => r.Id.Name == "OperationSucceeded");
        Assert.Equal(LogLevel.Debug, succeeded.Level);
        Assert.Equal(3, succeeded.GetStructuredStateValue("Attempts") is { } a ? int.Parse(a, System.Globalization.CultureInfo.InvariantCulture) : -1);
        Assert.Equal("req-3", succeeded.GetStructuredStateValue("RequestId"));
        Assert.Equal(2, test.Logs.GetSnapshot().Count(r => r.Id.Name == "AttemptFailed" && r.Level == LogLevel.Information));
    }

    [Fact]
    public async Task The_link_cache_counts_hits_misses_and_evictions_as_its_statistics_do()
    {
        await using var test = new TelemetryHarness((n, _) => LinkAnswer($"req-{n}"), o => o.LinkCache.MaxEntries = 1);
        using var hits = test.Collect<long>("agentbay.client.link_cache.hits");
        using var misses = test.Collect<long>("agentbay.client.link_cache.misses");
        using var evictions = test.Collect<long>("agentbay.client.link_cache.evictions");

        await test.Client.GetLinkAsync("s-1", Web);
        await test.Client.GetLinkAsync("s-1", Web);
        await test.Client.GetLinkAsync("s-1", Web);
        await test.Client.GetLinkAsync("s-2", Web); // the cache holds one link: s-1's goes

        LinkCacheStatistics statistics = test.Client.GetLinkCacheStatistics();
        Assert.Equal(2, hits.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Equal(2, misses.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Equal(1, evictions.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Equal(
            (statistics.Hits, statistics.Misses, statistics.Evictions),
            (hits.GetMeasurementSnapshot().EvaluateAsCounter(), misses.GetMeasurementSnapshot().EvaluateAsCounter(), evictions.GetMeasurementSnapshot().EvaluateAsCounter()));
        Assert.Equal(2, test.Handler.Requests);
    }

    [Fact]
    public async Task A_fan_out_is_one_span_over_its_links_and_counts_them_in_flight()
    {
        await using var test = new TelemetryHarness((n, _) => n == 3 ? (HttpStatusCode.NotFound, """{"Code":"InvalidSessionId.NotFound","Message":"gone"}""") : LinkAnswer($"req-{n}"));
        using var inFlight = test.Collect<long>("agentbay.client.fan_out.in_flight");
        LinkTarget[] targets = [new("s-1", Web), new("s-2", Web), new("s-3", Web)];

        IReadOnlyList<LinkResult> results = await test.Client.GetLinksAsync(targets, new FanOutOptions { MaxConcurrency = 1 });

        Assert.Equal(2, results.Count(r => r.Succeeded));
        Activity batch = Assert.Single(test.Spans, s => s.DisplayName == "AgentBay GetLinks");
        Assert.Equal(test.Root.SpanId, batch.ParentSpanId);
        Assert.Equal(3, batch.GetTagItem("agentbay.links.count"));
        Assert.Equal(1, batch.GetTagItem("agentbay.fan_out.max_concurrency"));
        Assert.Equal(1, batch.GetTagItem("agentbay.links.failed"));
        Assert.Equal(ActivityStatusCode.Error, batch.Status);
        Activity[] links = [.. test.Spans.Where(s => s.DisplayName == "AgentBay GetLink")];
        Assert.Equal(3, links.Length);
        Assert.All(links, link => Assert.Equal(batch.SpanId, link.ParentSpanId));

        // With one link at a time the counter goes up and down by one per link, and ends where it started.
        long[] steps = [.. inFlight.GetMeasurementSnapshot().Select(m => m.Value)];
        Assert.Equal([1, -1, 1, -1, 1, -1], steps);
        Assert.Single(test.Logs.GetSnapshot(), r => r.Id.Name == "FanOutCompleted" && r.GetStructuredStateValue("Failed") == "1");
    }

    [Fact]
    public async Task A_fetched_link_is_logged_only_redacted()
    {
        await using var test = new TelemetryHarness((_, _) => LinkAnswer("req-link"));

        await test.Client.GetLinkAsync("s-1", Web);

        FakeLogRecord fetched = Assert.Single(test.Logs.GetSnapshot(), r => r.Id.Name == "LinkFetched");
        Assert.Equal("https://gateway.telemetry.test/request_ai/***/path/", fetched.GetStructuredStateValue("Link"));
        Assert.Equal("s-1", fetched.GetStructuredStateValue("SessionId"));
    }

    [Fact]
    public async Task No_log_line_span_attribute_or_exception_message_holds_the_api_key_or_a_link_token()
    {
        // A retried call whose first answer echoes the form (the key is in it), a call that succeeds with a link,
        // a call that fails for good echoing the key, and a fan-out mixing both.
        await using var test = new TelemetryHarness(
            (n, form) => n % 3 == 1 ? EchoingError(HttpStatusCode.ServiceUnavailable, form)
                : n % 3 == 2 ? LinkAnswer($"req-{n}")
                : EchoingError(HttpStatusCode.BadRequest, form),
            o => o.LinkCache.Enabled = false);
        var errors = new List<Exception>();

        await test.Client.GetLinkAsync("s-1", Web);                       // requests 1 (503, echo) and 2 (link)
        errors.Add(await Assert.ThrowsAnyAsync<AgentBayException>(() => test.Client.GetLinkAsync("s-1", Web).AsTask())); // 3 (400, echo)
        SessionLink link = await test.Client.GetLinkAsync("s-2", Web);    // 4 (503), 5 (link)
        IReadOnlyList<LinkResult> batch = await test.Client.GetLinksAsync(     // 6 (400), 7 (503) and 8 (link), 9 (400)
            [new("s-3", Web), new("s-4", Web), new("s-5", Web)], new FanOutOptions { MaxConcurrency = 1 });
        errors.AddRange(batch.Where(r => !r.Succeeded).Select(r => r.Error!));

        Assert.Contains(LinkToken, link.Url.ToString(), StringComparison.Ordinal); // the secret was there to leak
        Assert.NotEmpty(errors);
        Assert.Equal(9, test.Handler.Requests);

        var texts = new List<string>();
        foreach (FakeLogRecord record in test.Logs.GetSnapshot())
        {
            texts.Add(record.Message);
            texts.AddRange(record.StructuredState?.Select(pair => pair.Value ?? string.Empty) ?? []);
            for (Exception? e = record.Exception; e is not null; e = e.InnerException)
            {
                texts.Add(e.ToString());
            }
        }

        foreach (Activity span in test.Spans)
        {
            texts.Add(span.DisplayName);
            texts.Add(span.StatusDescription ?? string.Empty);
            texts.AddRange(span.TagObjects.Select(tag => $"{tag.Key}={tag.Value}"));
            texts.AddRange(span.Events.Select(e => e.Name));
        }

        foreach (Exception error in errors)
        {
            for (Exception? e = error; e is not null; e = e.InnerException)
            {
                texts.Add(e.ToString());
                texts.Add((e as AgentBayException)?.ServerMessage ?? string.Empty);
            }
        }

        texts.Add(link.ToString());
        Assert.Contains(test.Logs.GetSnapshot(), r => r.Id.Name == "AttemptFailed");
        Assert.Contains(test.Logs.GetSnapshot(), r => r.Id.Name == "OperationFailed");
        Assert.Contains(test.Logs.GetSnapshot(), r => r.Id.Name == "LinkFetched");
        Assert.All(texts, text =>
        {
            Assert.DoesNotContain(ApiKey, text, StringComparison.Ordinal);
            Assert.DoesNotContain(LinkToken, text, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task AddAgentBay_logs_and_measures_through_the_containers_factories()
    {
        var handler = new ScriptedHandler((n, _) => LinkAnswer($"req-{n}"));
        var services = new ServiceCollection()
            .AddLogging(builder => builder.SetMinimumLevel(LogLevel.Trace).AddFakeLogging())
            .AddMetrics();
        services.AddAgentBay(o =>
            {
                o.ApiKey = ApiKey;
                o.Endpoint = Endpoint;
            })
            .ConfigurePrimaryHttpMessageHandler(() => handler);
        await using ServiceProvider provider = services.BuildServiceProvider();
        using var duration = new MetricCollector<double>(provider.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), "AgentBay.Lite", "agentbay.client.operation.duration");

        await provider.GetRequiredService<IAgentBayClient>().GetLinkAsync("s-1", Web);

        Assert.Single(duration.GetMeasurementSnapshot());
        FakeLogCollector logs = provider.GetFakeLogCollector();
        FakeLogRecord succeeded = Assert.Single(logs.GetSnapshot(), r => r.Id.Name == "OperationSucceeded");
        Assert.Equal("AgentBay.Lite", succeeded.Category);
    }
}
