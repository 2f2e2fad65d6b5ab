using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace AgentBay.Lite.Emulator.Tests;

/// <summary>Each test starts its own emulator, since faults and counters are server-wide.</summary>
public sealed class FaultTests
{
    private static async Task<(AgentBayEmulator Emulator, Rpc Rpc, string SessionId)> StartAsync(AgentBayEmulatorOptions? options = null)
    {
        var emulator = await AgentBayEmulator.StartAsync(options ?? new AgentBayEmulatorOptions(), CancellationToken.None);
        var rpc = new Rpc(emulator);
        var id = await rpc.CreateSessionAsync();
        return (emulator, rpc, id);
    }

    private static Task<RpcResponse> LinkAsync(Rpc rpc, string id) => rpc.CallAsync("GetLink", ("SessionId", id), ("Port", "30150"));

    [Fact]
    public async Task Server_errors_are_HTTP_500_InternalError()
    {
        var (emulator, rpc, id) = await StartAsync();
        await using var _ = emulator;
        using var __ = rpc;
        emulator.SetFaults(new FaultProfile { ServerErrorRate = 1 }, "GetLink");
        (await LinkAsync(rpc, id)).AssertError("InternalError", status: HttpStatusCode.InternalServerError);
        (await rpc.CallAsync("GetSession", ("SessionId", id))).AssertOk(); // other actions unaffected
    }

    [Fact]
    public async Task Unavailable_is_HTTP_503()
    {
        var (emulator, rpc, id) = await StartAsync();
        await using var _ = emulator;
        using var __ = rpc;
        emulator.SetFaults(new FaultProfile { ServiceUnavailableRate = 1 });
        (await LinkAsync(rpc, id)).AssertError("ServiceUnavailable", status: HttpStatusCode.ServiceUnavailable);
    }

    [Fact]
    public async Task Throttling_carries_a_Retry_After_header_and_the_Throttling_code()
    {
        var (emulator, rpc, id) = await StartAsync();
        await using var _ = emulator;
        using var __ = rpc;
        emulator.SetFaults(new FaultProfile { ThrottlingRate = 1, RetryAfter = TimeSpan.FromMilliseconds(2500) });
        var r = (await LinkAsync(rpc, id)).AssertError("Throttling", status: HttpStatusCode.TooManyRequests);
        Assert.Equal(TimeSpan.FromSeconds(3), r.Headers.RetryAfter?.Delta);
    }

    [Fact]
    public async Task Malformed_json_is_a_truncated_body()
    {
        var (emulator, rpc, id) = await StartAsync();
        await using var _ = emulator;
        using var __ = rpc;
        emulator.SetFaults(new FaultProfile { MalformedJsonRate = 1 });
        var r = await LinkAsync(rpc, id);
        Assert.Equal(HttpStatusCode.OK, r.Status);
        Assert.StartsWith("{\"RequestId\":", r.Body);
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(r.Body));
    }

    [Fact]
    public async Task Connection_reset_aborts_without_an_answer()
    {
        var (emulator, rpc, id) = await StartAsync();
        await using var _ = emulator;
        using var __ = rpc;
        emulator.SetFaults(new FaultProfile { ConnectionResetRate = 1 });
        await Assert.ThrowsAsync<HttpRequestException>(() => LinkAsync(rpc, id));
        emulator.SetFaults(null);
        (await LinkAsync(rpc, id)).AssertOk();
    }

    [Fact]
    public async Task MaxFaults_fails_the_first_n_requests_then_recovers()
    {
        var (emulator, rpc, id) = await StartAsync();
        await using var _ = emulator;
        using var __ = rpc;
        emulator.SetFaults(new FaultProfile { ServiceUnavailableRate = 1, MaxFaults = 2 }, "GetLink");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await LinkAsync(rpc, id)).Status);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await LinkAsync(rpc, id)).Status);
        (await LinkAsync(rpc, id)).AssertOk();
        (await LinkAsync(rpc, id)).AssertOk();
        Assert.Equal(4, emulator.GetRequestCount("GetLink"));
    }

    [Fact]
    public async Task The_same_seed_gives_the_same_fault_sequence()
    {
        async Task<string> RunAsync()
        {
            var options = new AgentBayEmulatorOptions { Seed = 1234 };
            var (emulator, rpc, id) = await StartAsync(options);
            await using var _ = emulator;
            using var __ = rpc;
            emulator.SetFaults(new FaultProfile { ServerErrorRate = 0.3, ThrottlingRate = 0.3 });
            var sb = new StringBuilder();
            for (var i = 0; i < 40; i++)
            {
                sb.Append((int)(await LinkAsync(rpc, id)).Status).Append(' ');
            }

            return sb.ToString();
        }

        var first = await RunAsync();
        var second = await RunAsync();
        Assert.Equal(first, second);
        Assert.Contains("500", first);
        Assert.Contains("429", first);
        Assert.Contains("200", first);
    }

    [Fact]
    public async Task Faults_set_in_options_apply_from_the_first_request()
    {
        var options = new AgentBayEmulatorOptions();
        options.FaultsByAction["ListSession"] = new FaultProfile { ServerErrorRate = 1 };
        var (emulator, rpc, _) = await StartAsync(options);
        await using var __ = emulator;
        using var ___ = rpc;
        Assert.Equal(HttpStatusCode.InternalServerError, (await rpc.CallAsync("ListSession")).Status);
    }

    [Fact]
    public async Task Latency_delays_answers_per_action()
    {
        var (emulator, rpc, id) = await StartAsync();
        await using var _ = emulator;
        using var __ = rpc;
        emulator.SetLatency(new LatencyProfile(TimeSpan.FromMilliseconds(600), TimeSpan.FromMilliseconds(50)), "GetLink");
        var watch = Stopwatch.StartNew();
        (await LinkAsync(rpc, id)).AssertOk();
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(590), $"GetLink took {watch.Elapsed}");
        emulator.ClearInjections();

        // Cleared is judged by what the emulator reports, not by the clock (a loaded machine can be slow either way).
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/_emulator/latency"))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", emulator.ApiKey);
            using var response = await rpc.Http.SendAsync(request);
            using var latency = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.False(latency.RootElement.GetProperty("actions").TryGetProperty("GetLink", out var _), latency.RootElement.ToString());
        }

        (await LinkAsync(rpc, id)).AssertOk();
    }

    [Fact]
    public void Invalid_profiles_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new FaultProfile { ServerErrorRate = 0.7, ThrottlingRate = 0.7 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new FaultProfile { MalformedJsonRate = -0.1 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new LatencyProfile(TimeSpan.FromSeconds(-1)).Validate());
    }

    [Fact]
    public async Task Unknown_action_names_are_refused_by_the_in_process_api()
    {
        await using var emulator = await AgentBayEmulator.StartAsync();
        Assert.Throws<ArgumentException>(() => emulator.SetFaults(new FaultProfile { ServerErrorRate = 1 }, "GetLinks"));
    }

    [Fact]
    public async Task Counters_count_per_action_and_reset()
    {
        var (emulator, rpc, id) = await StartAsync();
        await using var _ = emulator;
        using var __ = rpc;
        for (var i = 0; i < 5; i++)
        {
            await LinkAsync(rpc, id);
        }

        await rpc.CallAsync("NoSuchAction");
        Assert.Equal(5, emulator.GetRequestCount("GetLink"));
        Assert.Equal(1, emulator.GetRequestCount("CreateMcpSession"));
        Assert.Equal(1, emulator.GetRequestCount("(unknown)"));
        Assert.Equal(0, emulator.GetRequestCount("ListSession"));
        Assert.Equal(3, emulator.GetRequestCounts().Count);
        emulator.ResetRequestCounts();
        Assert.Empty(emulator.GetRequestCounts());
        Assert.Equal(0, emulator.GetRequestCount("GetLink"));
    }
}

/// <summary>The control path under /_emulator/.</summary>
public sealed class ControlPathTests
{
    private static HttpRequestMessage Control(HttpMethod method, string path, string? key, string? json = null)
    {
        var request = new HttpRequestMessage(method, "/_emulator/" + path);
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        return request;
    }

    private static async Task<(HttpStatusCode Status, JsonElement Json)> SendAsync(Rpc rpc, HttpRequestMessage request)
    {
        using (request)
        {
            using var response = await rpc.Http.SendAsync(request);
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            return (response.StatusCode, doc.RootElement.Clone());
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-key")]
    public async Task The_control_path_requires_the_key(string? key)
    {
        await using var emulator = await AgentBayEmulator.StartAsync();
        using var rpc = new Rpc(emulator);
        var (status, json) = await SendAsync(rpc, Control(HttpMethod.Get, "counters", key));
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Contains("Authorization", json.GetProperty("error").GetString());
        (status, _) = await SendAsync(rpc, Control(HttpMethod.Put, "faults", key, """{"serverErrorRate":1}"""));
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        var id = await rpc.CreateSessionAsync(); // nothing was injected
        (await rpc.CallAsync("GetLink", ("SessionId", id), ("Port", "30150"))).AssertOk();
    }

    [Fact]
    public async Task Faults_and_latency_are_set_read_and_cleared_over_http()
    {
        await using var emulator = await AgentBayEmulator.StartAsync();
        using var rpc = new Rpc(emulator);
        var key = emulator.ApiKey;
        var id = await rpc.CreateSessionAsync();

        var (status, json) = await SendAsync(rpc, Control(HttpMethod.Put, "faults", key, """{"action":"GetLink","throttlingRate":1,"retryAfterMs":2000,"maxFaults":1}"""));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(1, json.GetProperty("actions").GetProperty("GetLink").GetProperty("throttlingRate").GetDouble());
        var throttled = (await rpc.CallAsync("GetLink", ("SessionId", id), ("Port", "30150"))).AssertError("Throttling", status: HttpStatusCode.TooManyRequests);
        Assert.Equal(TimeSpan.FromSeconds(2), throttled.Headers.RetryAfter?.Delta);
        (await rpc.CallAsync("GetLink", ("SessionId", id), ("Port", "30150"))).AssertOk(); // maxFaults reached

        (status, _) = await SendAsync(rpc, Control(HttpMethod.Put, "faults", key, """{"serverErrorRate":1}"""));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(HttpStatusCode.InternalServerError, (await rpc.CallAsync("ListSession")).Status);
        (status, json) = await SendAsync(rpc, Control(HttpMethod.Delete, "faults", key));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(JsonValueKind.Null, json.GetProperty("global").ValueKind);
        (await rpc.CallAsync("ListSession")).AssertOk();

        (status, json) = await SendAsync(rpc, Control(HttpMethod.Put, "latency", key, """{"action":"ListSession","fixedMs":600}"""));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(600, json.GetProperty("actions").GetProperty("ListSession").GetProperty("fixedMs").GetDouble());
        var watch = Stopwatch.StartNew();
        (await rpc.CallAsync("ListSession")).AssertOk();
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(590), $"took {watch.Elapsed}");
        (status, _) = await SendAsync(rpc, Control(HttpMethod.Delete, "latency?action=ListSession", key));
        Assert.Equal(HttpStatusCode.OK, status);
        (status, json) = await SendAsync(rpc, Control(HttpMethod.Get, "latency", key));
        Assert.False(json.GetProperty("actions").TryGetProperty("ListSession", out _), json.ToString());
        (await rpc.CallAsync("ListSession")).AssertOk();
    }

    [Fact]
    public async Task Counters_are_read_and_reset_over_http()
    {
        await using var emulator = await AgentBayEmulator.StartAsync();
        using var rpc = new Rpc(emulator);
        var id = await rpc.CreateSessionAsync();
        for (var i = 0; i < 3; i++)
        {
            await rpc.CallAsync("GetLink", ("SessionId", id), ("Port", "30150"));
        }

        var (status, json) = await SendAsync(rpc, Control(HttpMethod.Get, "counters", emulator.ApiKey));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(3, json.GetProperty("counters").GetProperty("GetLink").GetInt64());
        Assert.Equal(1, json.GetProperty("counters").GetProperty("CreateMcpSession").GetInt64());
        Assert.Equal(4, json.GetProperty("total").GetInt64());

        (status, json) = await SendAsync(rpc, Control(HttpMethod.Delete, "counters", emulator.ApiKey));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(0, json.GetProperty("total").GetInt64());
        Assert.Equal(0, emulator.GetRequestCount("GetLink"));
    }

    [Theory]
    [InlineData("PUT", "faults", "{\"serverErrorRate\":\"high\"}", HttpStatusCode.BadRequest)]
    [InlineData("PUT", "faults", "{\"serverErrorRate\":0.8,\"throttlingRate\":0.8}", HttpStatusCode.BadRequest)]
    [InlineData("PUT", "faults", "{\"action\":\"Nope\",\"serverErrorRate\":1}", HttpStatusCode.BadRequest)]
    [InlineData("PUT", "faults", "not json", HttpStatusCode.BadRequest)]
    [InlineData("PUT", "latency", "[1]", HttpStatusCode.BadRequest)]
    [InlineData("GET", "nowhere", null, HttpStatusCode.NotFound)]
    [InlineData("PATCH", "counters", null, HttpStatusCode.MethodNotAllowed)]
    [InlineData("GET", "links/0123456789abcdef0123456789abcdef", null, HttpStatusCode.NotFound)]
    public async Task Bad_control_requests_get_4xx_with_an_error_text(string method, string path, string? body, HttpStatusCode expected)
    {
        await using var emulator = await AgentBayEmulator.StartAsync();
        using var rpc = new Rpc(emulator);
        var (status, json) = await SendAsync(rpc, Control(new HttpMethod(method), path, emulator.ApiKey, body));
        Assert.Equal(expected, status);
        Assert.False(string.IsNullOrEmpty(json.GetProperty("error").GetString()));
    }
}
