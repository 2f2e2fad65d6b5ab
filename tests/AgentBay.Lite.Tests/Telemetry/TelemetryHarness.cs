using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace AgentBay.Lite.Tests.Telemetry;

/// <summary>
/// A client through the whole stack (real generated RPC client, real <see cref="HttpClient"/>, an in-memory handler
/// answering from a script) whose logs go to a <see cref="FakeLogCollector"/>, whose meter comes from a container's
/// own <see cref="IMeterFactory"/> (so no other test's measurements mix in), and whose spans are collected by an
/// <see cref="ActivityListener"/> for this test's trace only.
/// </summary>
internal sealed class TelemetryHarness : IAsyncDisposable
{
    public const string ApiKey = "telemetry-SECRET-key-5b1f0e77";
    public const string LinkToken = "tok-SECRET-link-9c1e44d0";
    public static readonly Uri Endpoint = new("https://gateway.telemetry.test/");
    public static readonly string LinkUrl = $"https://gateway.telemetry.test/request_ai/{LinkToken}/path/";

    private readonly ServiceProvider _services;
    private readonly ActivityListener _listener;
    private readonly Activity _root;
    private readonly ConcurrentQueue<Activity> _spans = new();

    public TelemetryHarness(Func<int, string, (HttpStatusCode Status, string Body)> answer, Action<AgentBayOptions>? configure = null)
    {
        _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        MeterFactory = _services.GetRequiredService<IMeterFactory>();
        Logs = new FakeLogCollector();
        LoggerFactory = Microsoft.Extensions.Logging.LoggerFactory.Create(builder => builder
            .SetMinimumLevel(LogLevel.Trace)
            .AddProvider(new FakeLoggerProvider(Logs)));

        // A root span of the test's own: spans of the SDK in its trace are this test's, whatever runs in parallel.
        _root = new Activity("telemetry-test").Start();
        ActivityTraceId trace = _root.TraceId;
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "AgentBay.Lite",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = span =>
            {
                if (span.TraceId == trace)
                {
                    _spans.Enqueue(span);
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);

        Handler = new ScriptedHandler(answer);
        var options = new AgentBayOptions
        {
            ApiKey = ApiKey,
            Endpoint = Endpoint,
            HttpMessageHandler = Handler,
            Retry = { BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(2) },
        };
        configure?.Invoke(options);
        Client = new AgentBayClient(options, LoggerFactory, MeterFactory);
    }

    public AgentBayClient Client { get; }

    public ScriptedHandler Handler { get; }

    public FakeLogCollector Logs { get; }

    public ILoggerFactory LoggerFactory { get; }

    public IMeterFactory MeterFactory { get; }

    public Activity Root => _root;

    /// <summary>The SDK's spans of this test that have ended, in the order they ended.</summary>
    public IReadOnlyList<Activity> Spans => [.. _spans];

    /// <summary>An answer to GetLink with the link carrying <see cref="LinkToken"/>.</summary>
    public static (HttpStatusCode, string) LinkAnswer(string requestId) =>
        (HttpStatusCode.OK, $$$"""{"RequestId":"{{{requestId}}}","Success":true,"Data":{"Url":"{{{LinkUrl}}}"}}""");

    /// <summary>An error answer that echoes the request's form, API key included, as a careless proxy might.</summary>
    public static (HttpStatusCode, string) EchoingError(HttpStatusCode status, string form) =>
        (status, $$"""{"RequestId":"req-{{(int)status}}","Code":"Echo","Message":"you sent {{form.Replace("\"", "'", StringComparison.Ordinal)}} with key {{ApiKey}}"}""");

    public MetricCollector<T> Collect<T>(string instrument)
        where T : struct => new(MeterFactory, "AgentBay.Lite", instrument);

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        _listener.Dispose();
        _root.Stop();
        LoggerFactory.Dispose();
        await _services.DisposeAsync();
    }

    /// <summary>Answers each request from a script: (request number from 1, form body) → status and JSON body.</summary>
    internal sealed class ScriptedHandler(Func<int, string, (HttpStatusCode Status, string Body)> answer) : HttpMessageHandler
    {
        private int _requests;

        public int Requests => Volatile.Read(ref _requests);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            string form = request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken);
            var (status, body) = answer(Interlocked.Increment(ref _requests), form);
            return new HttpResponseMessage(status)
            {
                Content = new StringContent(body, Encoding.UTF8, "application/json"),
                RequestMessage = request,
            };
        }
    }
}
