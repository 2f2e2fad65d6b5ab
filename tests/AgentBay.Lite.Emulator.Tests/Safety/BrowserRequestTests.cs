using System.Net;
using System.Text;

namespace AgentBay.Lite.Emulator.Tests.Safety;

/// <summary>A web page must not reach the emulator's API: not cross-site, not through DNS rebinding.</summary>
public sealed class BrowserRequestTests : IAsyncLifetime, IDisposable
{
    private AgentBayEmulator _emulator = null!;
    private Rpc _rpc = null!;

    public async Task InitializeAsync()
    {
        _emulator = await AgentBayEmulator.StartAsync(new AgentBayEmulatorOptions { PublicHost = "emulator.test:8443" }, CancellationToken.None);
        _rpc = new Rpc(_emulator);
    }

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    public void Dispose() => _rpc.Dispose();

    [Fact]
    public async Task A_request_under_a_foreign_host_name_creates_nothing()
    {
        var response = await SendCreateAsync(r =>
        {
            r.Headers.Host = "evil.example";
            r.Headers.TryAddWithoutValidation("Origin", "http://evil.example");
        });

        response.AssertError("Forbidden.BrowserRequest", status: HttpStatusCode.Forbidden);
        Assert.Contains("DNS rebinding", response.Message, StringComparison.Ordinal);
        Assert.Equal(0, _emulator.LiveSessionCount);
    }

    [Theory]
    [InlineData("cross-site")]
    [InlineData("same-site")]
    public async Task A_form_post_a_browser_marks_as_from_another_site_is_refused(string fetchSite)
    {
        var response = await SendCreateAsync(r => r.Headers.TryAddWithoutValidation("Sec-Fetch-Site", fetchSite));

        response.AssertError("Forbidden.BrowserRequest", status: HttpStatusCode.Forbidden);
        Assert.Equal(0, _emulator.LiveSessionCount);
    }

    [Theory]
    [InlineData("http://evil.example")]
    [InlineData("null")]
    [InlineData("https://127.0.0.1")] // same host, other scheme and port: another origin
    public async Task A_request_from_another_origin_is_refused(string origin)
    {
        var response = await SendCreateAsync(r => r.Headers.TryAddWithoutValidation("Origin", origin));

        response.AssertError("Forbidden.BrowserRequest", status: HttpStatusCode.Forbidden);
        Assert.Equal(0, _emulator.LiveSessionCount);
    }

    [Fact]
    public async Task The_control_api_is_guarded_too()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/_emulator/status");
        request.Headers.TryAddWithoutValidation("Authorization", _rpc.Auth);
        request.Headers.TryAddWithoutValidation("Sec-Fetch-Site", "cross-site");
        using var response = await _rpc.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Theory]
    [InlineData(null, null)]                          // an SDK: no Origin, no Sec-Fetch-*
    [InlineData("localhost", null)]
    [InlineData("emulator.test:8443", null)]          // the configured public host
    [InlineData(null, "same-origin")]                 // the emulator's own pages
    [InlineData(null, "none")]                        // typed into the address bar
    public async Task Programs_and_the_emulators_own_pages_pass(string? host, string? fetchSite)
    {
        var response = await SendCreateAsync(r =>
        {
            if (host is not null)
            {
                r.Headers.Host = host;
            }

            if (fetchSite is not null)
            {
                r.Headers.TryAddWithoutValidation("Sec-Fetch-Site", fetchSite);
            }
        });

        response.AssertOk();
        Assert.Equal(1, _emulator.LiveSessionCount);
    }

    [Fact]
    public async Task A_same_origin_request_passes()
    {
        var response = await SendCreateAsync(r => r.Headers.TryAddWithoutValidation("Origin", _emulator.Endpoint.GetLeftPart(UriPartial.Authority)));

        response.AssertOk();
    }

    [Fact]
    public async Task Link_traffic_is_not_the_guards_business()
    {
        // A web app behind a link is meant to be opened in a browser: the token, not the origin, decides.
        using var request = new HttpRequestMessage(HttpMethod.Get, "/request_ai/0000000000000000000000000000000000000000/path/");
        request.Headers.TryAddWithoutValidation("Sec-Fetch-Site", "cross-site");
        request.Headers.Host = "evil.example";
        using var response = await _rpc.Http.SendAsync(request);
        Assert.NotEqual(HttpStatusCode.Forbidden, response.StatusCode);
    }

    private async Task<RpcResponse> SendCreateAsync(Action<HttpRequestMessage> decorate)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Rpc.Query("CreateMcpSession"));
        request.Content = new StringContent(Rpc.Form(("Authorization", _rpc.Auth)), Encoding.UTF8, "application/x-www-form-urlencoded");
        decorate(request);
        using var response = await _rpc.Http.SendAsync(request);
        return await RpcResponse.ReadAsync(response);
    }
}
