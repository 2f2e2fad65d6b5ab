using System.Net;
using System.Text.RegularExpressions;

namespace AgentBay.Lite.Emulator.Tests;

public sealed class GetLinkTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>
{
    private readonly AgentBayEmulator _emulator = fixture.Emulator;

    private string Host => _emulator.Endpoint.Authority;

    private static string TokenOf(string url) => Regex.Match(url, "(?:websocket_ai|request_ai)/([^/]+)").Groups[1].Value;

    [Fact]
    public async Task Https_with_a_port_gives_a_request_ai_url_on_the_emulators_host()
    {
        using var rpc = new Rpc(_emulator);
        var id = await rpc.CreateSessionAsync();
        var url = (await rpc.CallAsync("GetLink", ("SessionId", id), ("ProtocolType", "https"), ("Port", "30150"))).AssertOk().Data.GetProperty("Url").GetString()!;
        Assert.Matches($"^http://{Regex.Escape(Host)}/request_ai/[0-9a-f]{{32,}}/path/$", url);
    }

    [Fact]
    public async Task A_port_without_protocol_gives_wss()
    {
        using var rpc = new Rpc(_emulator);
        var id = await rpc.CreateSessionAsync();
        var url = (await rpc.CallAsync("GetLink", ("SessionId", id), ("Port", "30150"))).AssertOk().Data.GetProperty("Url").GetString()!;
        Assert.Matches($"^ws://{Regex.Escape(Host)}/websocket_ai/[0-9a-f]{{32,}}$", url);
        var wss = (await rpc.CallAsync("GetLink", ("SessionId", id), ("ProtocolType", "wss"), ("Port", "30199"))).AssertOk().Data.GetProperty("Url").GetString()!;
        Assert.StartsWith($"ws://{Host}/websocket_ai/", wss);
    }

    [Theory]
    [InlineData("browser_latest")]
    [InlineData("browser_chrome_126")]
    [InlineData("BrowserUse_custom")]
    public async Task No_port_and_no_protocol_gives_a_CDP_url_on_browser_images(string imageId)
    {
        using var rpc = new Rpc(_emulator);
        var id = await rpc.CreateSessionAsync(("ImageId", imageId));
        var url = (await rpc.CallAsync("GetLink", ("SessionId", id))).AssertOk().Data.GetProperty("Url").GetString()!;
        Assert.Matches($"^ws://{Regex.Escape(Host)}/websocket_ai/[0-9a-f]{{32,}}$", url);
    }

    [Theory]
    [InlineData("linux_latest")]
    [InlineData("code_latest")]
    [InlineData("mobile_latest")]
    public async Task No_port_on_a_non_browser_image_is_refused(string imageId)
    {
        using var rpc = new Rpc(_emulator);
        var id = await rpc.CreateSessionAsync(("ImageId", imageId));
        (await rpc.CallAsync("GetLink", ("SessionId", id)))
            .AssertError("InvalidOperation.CdpUnsupportedImage", "no port specified, cdp default, but only BrowserUse image support cdp");
    }

    [Fact]
    public async Task Https_without_a_port_is_refused()
    {
        using var rpc = new Rpc(_emulator);
        var id = await rpc.CreateSessionAsync(("ImageId", "browser_latest"));
        (await rpc.CallAsync("GetLink", ("SessionId", id), ("ProtocolType", "https"))).AssertError("InvalidParameter.Port", "port is not valid");
    }

    [Theory]
    [InlineData("http", "http not supported")]
    [InlineData("HTTP", "http not supported")]
    [InlineData("bogus", null)]
    [InlineData("ftp", null)]
    public async Task Http_and_unknown_protocols_are_refused(string protocol, string? message)
    {
        using var rpc = new Rpc(_emulator);
        var id = await rpc.CreateSessionAsync();
        var r = (await rpc.CallAsync("GetLink", ("SessionId", id), ("ProtocolType", protocol), ("Port", "30150"))).AssertError("InvalidParameter.ProtocolType", message);
        Assert.Contains(protocol == "HTTP" ? "http" : protocol, r.Message);
    }

    [Theory]
    [InlineData("30099")]
    [InlineData("30200")]
    [InlineData("0")]
    [InlineData("8080")]
    [InlineData("-1")]
    public async Task Ports_outside_30100_to_30199_are_refused(string port)
    {
        using var rpc = new Rpc(_emulator);
        var id = await rpc.CreateSessionAsync();
        var r = (await rpc.CallAsync("GetLink", ("SessionId", id), ("ProtocolType", "https"), ("Port", port))).AssertError("InvalidParameter.Port");
        Assert.StartsWith("Port must be in 30100-30199", r.Message);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("30150.5")]
    [InlineData("NaN")]
    public async Task Non_integer_ports_are_refused(string port)
    {
        using var rpc = new Rpc(_emulator);
        var id = await rpc.CreateSessionAsync();
        var r = (await rpc.CallAsync("GetLink", ("SessionId", id), ("Port", port))).AssertError("InvalidParameter.Port");
        Assert.StartsWith("port is not valid", r.Message);
    }

    [Theory]
    [InlineData("30100")]
    [InlineData("30199")]
    public async Task Edge_ports_are_accepted(string port)
    {
        using var rpc = new Rpc(_emulator);
        var id = await rpc.CreateSessionAsync();
        (await rpc.CallAsync("GetLink", ("SessionId", id), ("ProtocolType", "https"), ("Port", port))).AssertOk();
    }

    [Fact]
    public async Task Every_link_has_a_fresh_token_bound_to_its_session()
    {
        using var rpc = new Rpc(_emulator);
        var a = await rpc.CreateSessionAsync();
        var b = await rpc.CreateSessionAsync();
        var tokens = new List<(string Token, string Session)>();
        foreach (var id in new[] { a, b, a, b })
        {
            var url = (await rpc.CallAsync("GetLink", ("SessionId", id), ("ProtocolType", "https"), ("Port", "30150"))).AssertOk().Data.GetProperty("Url").GetString()!;
            tokens.Add((TokenOf(url), id));
        }

        Assert.Equal(tokens.Count, tokens.Select(t => t.Token).Distinct().Count());
        foreach (var (token, session) in tokens)
        {
            Assert.True(token.Length >= 32, "token shorter than 128 bits of hex: " + token);
            Assert.Equal(session, _emulator.ResolveLinkToken(token));
        }

        // The control path resolves it too, with the protocol and port.
        using var request = new HttpRequestMessage(HttpMethod.Get, "/_emulator/links/" + tokens[1].Token);
        request.Headers.Authorization = new("Bearer", _emulator.ApiKey);
        using var response = await rpc.Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains($"\"sessionId\":\"{b}\"", body);
        Assert.Contains("\"port\":30150", body);
    }

    [Fact]
    public async Task Tokens_stop_resolving_when_their_session_is_deleted()
    {
        using var rpc = new Rpc(_emulator);
        var id = await rpc.CreateSessionAsync();
        var url = (await rpc.CallAsync("GetLink", ("SessionId", id), ("Port", "30150"))).AssertOk().Data.GetProperty("Url").GetString()!;
        var token = TokenOf(url);
        Assert.Equal(id, _emulator.ResolveLinkToken(token));
        (await rpc.CallAsync("DeleteSessionAsync", ("SessionId", id))).AssertOk();
        Assert.Null(_emulator.ResolveLinkToken(token));
    }

    [Fact]
    public async Task Option_is_passed_through_without_effect()
    {
        using var rpc = new Rpc(_emulator);
        var id = await rpc.CreateSessionAsync();
        (await rpc.CallAsync("GetLink", ("SessionId", id), ("Port", "30150"), ("Option", "{\"anything\":true}"))).AssertOk();
    }
}
