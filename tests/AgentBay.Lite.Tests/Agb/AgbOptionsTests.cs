using AgentBay.Lite.Tests.Rpc;

namespace AgentBay.Lite.Tests.Agb;

/// <summary>Choosing AGB: its defaults, its environment variables, and a client that speaks AGB end to end over one handler.</summary>
public sealed class AgbOptionsTests
{
    [Fact]
    public void The_endpoint_follows_the_service_until_it_is_set()
    {
        var options = new AgentBayOptions { Service = AgentBayService.Agb };
        Assert.Equal(new Uri("https://sdk-api.agb.cloud/"), options.Endpoint);

        options.Service = AgentBayService.AgentBay;
        Assert.Equal(AgentBayOptions.DefaultEndpoint, options.Endpoint);

        options.Endpoint = new Uri("http://127.0.0.1:9000/");
        options.Service = AgentBayService.Agb;
        Assert.Equal(new Uri("http://127.0.0.1:9000/"), options.Endpoint);
    }

    [Fact]
    public void FromEnvironment_picks_AGB_when_only_its_key_is_set_and_reads_its_variables()
    {
        var variables = new Dictionary<string, string>
        {
            ["AGB_API_KEY"] = "akm-agb",
            ["AGB_ENDPOINT"] = "agb.example.test:8443",
            ["AGB_TIMEOUT_MS"] = "1500",
            ["AGENTBAY_ENDPOINT"] = "http://ignored.example",
            ["AGENTBAY_TIMEOUT_MS"] = "99",
            ["AGENTBAY_REGION_ID"] = "cn-hangzhou",
        };

        var options = AgentBayOptions.FromEnvironment(name => variables.GetValueOrDefault(name));

        Assert.Equal(AgentBayService.Agb, options.Service);
        Assert.Equal("akm-agb", options.ApiKey);
        Assert.Equal(new Uri("https://agb.example.test:8443"), options.Endpoint);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), options.Timeout);
        Assert.Null(options.RegionId);
    }

    [Fact]
    public void FromEnvironment_keeps_AgentBay_when_both_keys_are_set()
    {
        var variables = new Dictionary<string, string> { ["AGB_API_KEY"] = "akm-agb", ["AGENTBAY_API_KEY"] = "akm-ab" };

        var options = AgentBayOptions.FromEnvironment(name => variables.GetValueOrDefault(name));

        Assert.Equal(AgentBayService.AgentBay, options.Service);
        Assert.Equal("akm-ab", options.ApiKey);
        Assert.Equal(AgentBayOptions.DefaultEndpoint, options.Endpoint);
    }

    [Fact]
    public void FromEnvironment_names_AGBs_variable_when_its_timeout_is_bad()
    {
        var variables = new Dictionary<string, string> { ["AGB_API_KEY"] = "akm-agb", ["AGB_TIMEOUT_MS"] = "soon" };

        var error = Assert.Throws<InvalidOperationException>(() => AgentBayOptions.FromEnvironment(name => variables.GetValueOrDefault(name)));

        Assert.Contains("AGB_TIMEOUT_MS", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_AGB_key_names_AGB_API_KEY_and_an_unknown_service_is_refused()
    {
        var missing = Assert.Throws<ArgumentException>(() => new AgentBayClient(new AgentBayOptions { Service = AgentBayService.Agb }));
        Assert.Contains("AGB_API_KEY", missing.Message, StringComparison.Ordinal);

        var unknown = Assert.Throws<ArgumentException>(() => new AgentBayClient(new AgentBayOptions { ApiKey = "k", Service = (AgentBayService)7 }));
        Assert.Contains("AgentBayOptions.Service", unknown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_for_AGB_sends_REST_requests_and_creates_the_default_AGB_image()
    {
        var handler = new RecordingHandler();
        handler.Responses.Enqueue((System.Net.HttpStatusCode.OK, """{"success":true,"requestId":"r1","data":{"sessionId":"session-1","resourceUrl":"https://r","success":true}}""", null));
        using var client = new AgentBayClient(new AgentBayOptions { Service = AgentBayService.Agb, ApiKey = "akm-agb", HttpMessageHandler = handler });

        var session = await client.CreateSessionAsync();

        Assert.Equal("session-1", session.Id);
        var request = Assert.Single(handler.Requests);
        Assert.Equal("https://sdk-api.agb.cloud/mcp/createSession", request.Uri.GetLeftPart(UriPartial.Path));
        Assert.Equal(AgentBayOptions.DefaultAgbImageId, request.QueryValue("imageId"));
        Assert.Equal("Bearer akm-agb", request.Headers["authorization"]);
    }

    [Fact]
    public async Task AGBs_retry_table_repeats_reads_but_not_a_create_that_may_have_reached_the_service()
    {
        var handler = new RecordingHandler();
        var options = new AgentBayOptions
        {
            Service = AgentBayService.Agb,
            ApiKey = "akm-agb",
            HttpMessageHandler = handler,
            Retry = new AgentBayRetryOptions { BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(1) },
        };
        using var client = new AgentBayClient(options);
        handler.Responses.Enqueue((System.Net.HttpStatusCode.ServiceUnavailable, """{"success":false,"code":"ServiceUnavailable","data":{}}""", null));
        handler.Responses.Enqueue((System.Net.HttpStatusCode.OK, """{"success":true,"data":{"sessionId":"s-1","status":"RUNNING"}}""", null));

        var session = await client.GetSessionAsync("s-1");

        Assert.Equal("s-1", session.Id);
        Assert.Equal(2, handler.Requests.Count);
        Assert.All(handler.Requests, r => Assert.Equal("/mcp/getSession", r.Uri.AbsolutePath));

        handler.Requests.Clear();
        handler.Responses.Enqueue((System.Net.HttpStatusCode.ServiceUnavailable, """{"success":false,"code":"ServiceUnavailable","data":{}}""", null));
        await Assert.ThrowsAnyAsync<AgentBayException>(() => client.CreateSessionAsync());
        Assert.Single(handler.Requests);
    }
}
