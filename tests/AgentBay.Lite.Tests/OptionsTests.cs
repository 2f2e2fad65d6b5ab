using System.Net;
using AgentBay.Lite.Backend;

namespace AgentBay.Lite.Tests;

public class OptionsTests
{
    private static AgentBayOptions Valid() => new() { ApiKey = "akm-test" };

    [Fact]
    public void Valid_options_have_no_errors()
    {
        Assert.Empty(Valid().GetValidationErrors());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Missing_api_key_fails_construction_naming_the_setting_and_the_variable(string? key)
    {
        var options = new AgentBayOptions { ApiKey = key };

        var ex = Assert.Throws<ArgumentException>(() => new AgentBayClient(options));

        Assert.Equal("options", ex.ParamName);
        Assert.Contains("ApiKey", ex.Message, StringComparison.Ordinal);
        Assert.Contains("AGENTBAY_API_KEY", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ftp://example.com/")]
    [InlineData("file:///tmp/x")]
    public void Endpoint_that_is_not_http_fails(string endpoint)
    {
        AgentBayOptions options = Valid();
        options.Endpoint = new Uri(endpoint);

        var ex = Assert.Throws<ArgumentException>(() => new AgentBayClient(options));

        Assert.Contains("Endpoint", ex.Message, StringComparison.Ordinal);
        Assert.Contains("http", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Relative_endpoint_fails()
    {
        AgentBayOptions options = Valid();
        options.Endpoint = new Uri("wuyingai.cn-shanghai.aliyuncs.com", UriKind.Relative);

        var ex = Assert.Throws<ArgumentException>(() => new AgentBayClient(options));
        Assert.Contains("Endpoint", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Null_endpoint_fails()
    {
        AgentBayOptions options = Valid();
        options.Endpoint = null!;

        var ex = Assert.Throws<ArgumentException>(() => new AgentBayClient(options));
        Assert.Contains("Endpoint", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://example.com/api/")]
    [InlineData("https://example.com/?x=1")]
    public void Endpoint_with_a_path_or_query_fails(string endpoint)
    {
        AgentBayOptions options = Valid();
        options.Endpoint = new Uri(endpoint);

        var ex = Assert.Throws<ArgumentException>(() => new AgentBayClient(options));
        Assert.Contains("root", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void Non_positive_timeout_fails_naming_the_setting_and_the_variable(int seconds)
    {
        AgentBayOptions options = Valid();
        options.Timeout = TimeSpan.FromSeconds(seconds);

        var ex = Assert.Throws<ArgumentException>(() => new AgentBayClient(options));

        Assert.Contains("Timeout", ex.Message, StringComparison.Ordinal);
        Assert.Contains("AGENTBAY_TIMEOUT_MS", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Infinite_timeouts_are_allowed()
    {
        AgentBayOptions options = Valid();
        options.Timeout = Timeout.InfiniteTimeSpan;
        options.DeleteTimeout = Timeout.InfiniteTimeSpan;

        Assert.Empty(options.GetValidationErrors());
    }

    [Fact]
    public void Timeout_beyond_what_a_timer_can_hold_fails()
    {
        AgentBayOptions options = Valid();
        options.Timeout = TimeSpan.FromDays(30);

        Assert.Contains(options.GetValidationErrors(), e => e.Contains("Timeout", StringComparison.Ordinal));
    }

    [Fact]
    public void Non_positive_delete_timeout_and_poll_interval_fail()
    {
        AgentBayOptions options = Valid();
        options.DeleteTimeout = TimeSpan.Zero;
        options.DeletePollInterval = TimeSpan.Zero;

        IReadOnlyList<string> errors = options.GetValidationErrors();

        Assert.Contains(errors, e => e.Contains("DeleteTimeout", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("DeletePollInterval", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var options = new AgentBayOptions { Timeout = TimeSpan.Zero, Endpoint = new Uri("ftp://x/") };

        var ex = Assert.Throws<ArgumentException>(() => options.ThrowIfInvalid("options"));

        Assert.Contains("ApiKey", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Endpoint", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Timeout", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HttpClient_and_handler_together_fail()
    {
        using var handler = new HttpClientHandler();
        using var http = new HttpClient();
        AgentBayOptions options = Valid();
        options.HttpClient = http;
        options.HttpMessageHandler = handler;

        var ex = Assert.Throws<ArgumentException>(() => new AgentBayClient(options));
        Assert.Contains("HttpMessageHandler", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HttpClient_with_a_different_base_address_fails()
    {
        using var http = new HttpClient { BaseAddress = new Uri("https://other.example.com/") };
        AgentBayOptions options = Valid();
        options.HttpClient = http;

        var ex = Assert.Throws<ArgumentException>(() => new AgentBayClient(options));
        Assert.Contains("BaseAddress", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromEnvironment_reads_every_variable()
    {
        var variables = new Dictionary<string, string>
        {
            ["AGENTBAY_API_KEY"] = " akm-env ",
            ["AGENTBAY_ENDPOINT"] = "wuyingai.ap-southeast-1.aliyuncs.com",
            ["AGENTBAY_TIMEOUT_MS"] = "1500",
            ["AGENTBAY_REGION_ID"] = "cn-hangzhou",
        };

        AgentBayOptions options = AgentBayOptions.FromEnvironment(name => variables.GetValueOrDefault(name));

        Assert.Equal("akm-env", options.ApiKey);
        Assert.Equal(new Uri("https://wuyingai.ap-southeast-1.aliyuncs.com/"), options.Endpoint);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), options.Timeout);
        Assert.Equal("cn-hangzhou", options.RegionId);
        Assert.Empty(options.GetValidationErrors());
    }

    [Theory]
    [InlineData("127.0.0.1:8080", "https://127.0.0.1:8080/")]
    [InlineData("localhost:8080", "https://localhost:8080/")]
    [InlineData("http://127.0.0.1:8080", "http://127.0.0.1:8080/")]
    [InlineData("https://gw.example.com", "https://gw.example.com/")]
    public void FromEnvironment_reads_a_bare_host_as_https_and_keeps_a_full_uri(string value, string expected)
    {
        AgentBayOptions options = AgentBayOptions.FromEnvironment(
            name => name == "AGENTBAY_ENDPOINT" ? value : null);

        Assert.Equal(new Uri(expected), options.GetBaseAddress());
    }

    [Fact]
    public void FromEnvironment_without_variables_leaves_the_defaults_and_a_missing_key()
    {
        AgentBayOptions options = AgentBayOptions.FromEnvironment(_ => "  ");
        var defaults = new AgentBayOptions();

        Assert.Null(options.ApiKey);
        Assert.Equal(defaults.Endpoint, options.Endpoint);
        Assert.Equal(defaults.Timeout, options.Timeout);
        Assert.Null(options.RegionId);
        Assert.Contains(options.GetValidationErrors(), e => e.Contains("AGENTBAY_API_KEY", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("1.5")]
    [InlineData("99999999999")]
    [InlineData("1e3")]
    public void FromEnvironment_rejects_a_timeout_that_is_not_a_whole_number(string value)
    {
        var ex = Assert.Throws<InvalidOperationException>(
            () => AgentBayOptions.FromEnvironment(name => name == "AGENTBAY_TIMEOUT_MS" ? value : null));

        Assert.Contains("AGENTBAY_TIMEOUT_MS", ex.Message, StringComparison.Ordinal);
        Assert.Contains(value, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")] // -1 ms is Timeout.InfiniteTimeSpan; the variable must not turn the limit off by accident.
    [InlineData("-500")]
    public void FromEnvironment_rejects_a_timeout_that_is_not_positive(string value)
    {
        var ex = Assert.Throws<InvalidOperationException>(
            () => AgentBayOptions.FromEnvironment(name => name == "AGENTBAY_TIMEOUT_MS" ? value : null));

        Assert.Contains("AGENTBAY_TIMEOUT_MS", ex.Message, StringComparison.Ordinal);
        Assert.Contains("positive", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromEnvironment_rejects_an_endpoint_that_is_not_a_host()
    {
        var ex = Assert.Throws<InvalidOperationException>(
            () => AgentBayOptions.FromEnvironment(name => name == "AGENTBAY_ENDPOINT" ? "not a host" : null));

        Assert.Contains("AGENTBAY_ENDPOINT", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromEnvironment_reads_the_process_environment()
    {
        // Reads whatever the process has; it must agree with the injectable overload over the same source.
        AgentBayOptions fromProcess = AgentBayOptions.FromEnvironment();
        AgentBayOptions fromDelegate = AgentBayOptions.FromEnvironment(Environment.GetEnvironmentVariable);

        Assert.Equal(fromDelegate.ApiKey, fromProcess.ApiKey);
        Assert.Equal(fromDelegate.Endpoint, fromProcess.Endpoint);
    }

    [Fact]
    public void Owned_http_client_uses_the_endpoint_root_and_leaves_timeouts_to_the_sdk()
    {
        AgentBayOptions options = Valid();
        options.Endpoint = new Uri("http://127.0.0.1:8080");

        using HttpClient http = AgentBayClient.CreateHttpClient(options);

        Assert.Equal(new Uri("http://127.0.0.1:8080/"), http.BaseAddress);
        Assert.Equal(Timeout.InfiniteTimeSpan, http.Timeout);
    }

    [Fact]
    public void Owned_handler_is_tuned_for_many_concurrent_requests()
    {
        AgentBayOptions options = Valid();
        options.Timeout = TimeSpan.FromSeconds(7);

        using SocketsHttpHandler handler = AgentBayClient.CreateHandler(options);

        Assert.Equal(AgentBayClient.MaxConnectionsPerServer, handler.MaxConnectionsPerServer);
        Assert.NotEqual(int.MaxValue, handler.MaxConnectionsPerServer);
        Assert.Equal(AgentBayClient.PooledConnectionLifetime, handler.PooledConnectionLifetime);
        Assert.NotEqual(Timeout.InfiniteTimeSpan, handler.PooledConnectionLifetime);
        Assert.Equal(DecompressionMethods.None, handler.AutomaticDecompression); // the official clients send no Accept-Encoding either
        Assert.False(handler.AllowAutoRedirect);
        Assert.Equal(TimeSpan.FromSeconds(7), handler.ConnectTimeout);
    }

    [Fact]
    public void Client_sets_a_supplied_http_client_base_address_and_does_not_dispose_it()
    {
        var handler = new TrackingHandler();
        var http = new HttpClient(handler);
        AgentBayOptions options = Valid();
        options.Endpoint = new Uri("http://127.0.0.1:9000");
        options.HttpClient = http;
        HttpClient? seen = null;

        var client = new AgentBayClient(options, http, (h, _, _) => { seen = h; return Substitute.For<IAgentBayBackend>(); });
        client.Dispose();

        Assert.Same(http, seen);
        Assert.Equal(new Uri("http://127.0.0.1:9000/"), http.BaseAddress);
        Assert.False(handler.Disposed);
        http.Dispose();
        Assert.True(handler.Disposed);
    }

    [Fact]
    public void Client_disposes_the_http_client_it_created_but_not_a_supplied_handler()
    {
        var handler = new TrackingHandler();
        AgentBayOptions options = Valid();
        options.HttpMessageHandler = handler;
        HttpClient? seen = null;

        var client = new AgentBayClient(options, httpClient: null, (h, _, _) => { seen = h; return Substitute.For<IAgentBayBackend>(); });

        Assert.NotNull(seen);
        Assert.Equal(options.GetBaseAddress(), seen.BaseAddress);
        client.Dispose();
        Assert.Throws<ObjectDisposedException>(() => seen.BaseAddress = new Uri("https://x/"));
        Assert.False(handler.Disposed);
    }

    [Fact]
    public void Client_accepts_a_supplied_http_client_whose_base_address_is_the_endpoint()
    {
        using var http = new HttpClient { BaseAddress = new Uri("http://127.0.0.1:9000/") };
        AgentBayOptions options = Valid();
        options.Endpoint = new Uri("http://127.0.0.1:9000");
        options.HttpClient = http;

        using var client = new AgentBayClient(options, http, (_, _, _) => Substitute.For<IAgentBayBackend>());

        Assert.Equal(new Uri("http://127.0.0.1:9000/"), http.BaseAddress);
    }

    [Fact]
    public void Client_disposes_the_http_client_it_created_when_the_backend_cannot_be_created()
    {
        HttpClient? seen = null;

        Assert.Throws<InvalidOperationException>(() => new AgentBayClient(
            Valid(),
            httpClient: null,
            (h, _, _) =>
            {
                seen = h;
                throw new InvalidOperationException("backend failed");
            }));

        Assert.NotNull(seen);
        Assert.Throws<ObjectDisposedException>(() => seen.BaseAddress = new Uri("https://x/"));
    }

    [Fact]
    public void Client_disposes_a_backend_it_created_when_it_is_disposable()
    {
        var backend = Substitute.For<IAgentBayBackend, IDisposable>();

        var client = new AgentBayClient(Valid(), httpClient: null, (_, _, _) => backend);
        client.Dispose();
        client.Dispose();

        ((IDisposable)backend).Received(1).Dispose();
    }

    [Fact]
    public async Task Disposed_client_refuses_calls()
    {
        var test = new TestClient();
        await test.Client.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => test.Client.CreateSessionAsync());
        await Assert.ThrowsAsync<ObjectDisposedException>(() => test.Client.GetLinkAsync("s", LinkRequest.Cdp).AsTask());
        Assert.Throws<ObjectDisposedException>(() => test.Client.ListSessionsAsync());
    }

    private sealed class TrackingHandler : HttpMessageHandler
    {
        public bool Disposed { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }
}
