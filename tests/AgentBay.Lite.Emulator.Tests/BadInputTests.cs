using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AgentBay.Lite.Emulator.Tests;

public sealed class BadInputTests : IAsyncLifetime
{
    private const int Limit = 4096;
    private AgentBayEmulator _emulator = null!;

    public async Task InitializeAsync() =>
        _emulator = await AgentBayEmulator.StartAsync(new AgentBayEmulatorOptions { MaxRequestBodyBytes = Limit }, CancellationToken.None);

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    [Fact]
    public async Task A_body_over_the_limit_is_413_with_an_envelope()
    {
        using var rpc = new Rpc(_emulator);
        var form = Rpc.Form(("Authorization", rpc.Auth), ("Labels", "{\"k\":\"" + new string('x', Limit) + "\"}"));
        var r = (await rpc.SendAsync(Rpc.Query("CreateMcpSession"), form)).AssertError("RequestEntityTooLarge", status: HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains(Limit.ToString(System.Globalization.CultureInfo.InvariantCulture), r.Message);
    }

    [Fact]
    public async Task A_chunked_body_over_the_limit_is_413_too()
    {
        using var rpc = new Rpc(_emulator);
        var form = Rpc.Form(("Authorization", rpc.Auth), ("Labels", "{\"k\":\"" + new string('y', Limit) + "\"}"));
        (await rpc.SendAsync(Rpc.Query("CreateMcpSession"), form, chunked: true)).AssertError("RequestEntityTooLarge", status: HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal(0, _emulator.LiveSessionCount);
    }

    [Fact]
    public async Task A_body_just_under_the_limit_is_accepted()
    {
        using var rpc = new Rpc(_emulator);
        var prefix = Rpc.Form(("Authorization", rpc.Auth)) + "&Padding=";
        var form = prefix + new string('z', Limit - prefix.Length);
        Assert.Equal(Limit, Encoding.UTF8.GetByteCount(form));
        (await rpc.SendAsync(Rpc.Query("ListSession"), form)).AssertOk();
    }

    [Theory]
    [InlineData("Authorization=Bearer%20KEY&SessionId=%ZZ")]
    [InlineData("Authorization=Bearer%20KEY&SessionId=%E")]
    [InlineData("Authorization=Bearer%20KEY&SessionId=%FF%FE")]
    [InlineData("Authorization=Bearer%20KEY&%C3%28=x")]
    public async Task Malformed_forms_are_MalformedForm(string form)
    {
        using var rpc = new Rpc(_emulator);
        var r = (await rpc.SendAsync(Rpc.Query("GetSession"), form.Replace("KEY", _emulator.ApiKey, StringComparison.Ordinal))).AssertError("MalformedForm");
        Assert.Contains("x-www-form-urlencoded", r.Message);
    }

    [Fact]
    public async Task A_malformed_query_is_MalformedQuery()
    {
        // Raw bytes: HttpClient would re-escape the bad "%G1" into a valid "%25G1".
        var body = "Authorization=Bearer%20" + _emulator.ApiKey;
        var raw = "POST /?Action=GetSession&SessionId=%G1 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            + $"Content-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}";
        using var client = new TcpClient();
        await client.ConnectAsync(_emulator.Endpoint.Host, _emulator.Endpoint.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(raw));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var response = await reader.ReadToEndAsync();
        Assert.StartsWith("HTTP/1.1 400", response);
        Assert.Contains("\"Code\":\"MalformedQuery\"", response);
    }

    [Fact]
    public async Task A_non_form_body_is_415()
    {
        using var rpc = new Rpc(_emulator);
        (await rpc.SendAsync(Rpc.Query("GetSession"), "{\"Authorization\":\"x\"}", contentType: "application/json"))
            .AssertError("UnsupportedMediaType", status: HttpStatusCode.UnsupportedMediaType);
    }

    [Theory]
    [InlineData("CreateMcpSession", "Labels", "not-json", "InvalidParameter.Labels")]
    [InlineData("CreateMcpSession", "Labels", "[1,2]", "InvalidParameter.Labels")]
    [InlineData("CreateMcpSession", "PersistenceDataList", "{\"a\":1}", "InvalidParameter.PersistenceDataList")]
    [InlineData("CreateMcpSession", "SdkStats", "[", "InvalidParameter.SdkStats")]
    [InlineData("CreateMcpSession", "VpcResource", "1", "InvalidParameter.VpcResource")]
    [InlineData("ListSession", "MaxResults", "-3", "InvalidParameter.MaxResults")]
    [InlineData("SetLabel", "Labels", "\"k=v\"", "InvalidParameter.Labels")]
    [InlineData("CallMcpTool", "AutoGenSession", "perhaps", "InvalidParameter.AutoGenSession")]
    public async Task Wrong_types_are_4xx_with_a_code_naming_the_field(string action, string field, string value, string code)
    {
        using var rpc = new Rpc(_emulator);
        var r = (await rpc.CallAsync(action, ("SessionId", "session-aaaaaaaaaaaaaaaaa"), ("Name", "shell"), (field, value))).AssertError(code);
        Assert.Contains(field, r.Message);
    }

    [Fact]
    public async Task Garbage_on_the_socket_never_kills_the_server()
    {
        using (var client = new TcpClient())
        {
            await client.ConnectAsync(_emulator.Endpoint.Host, _emulator.Endpoint.Port);
            var stream = client.GetStream();
            await stream.WriteAsync("POST /?Action=GetLink HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\nnot-a-chunk\r\n"u8.ToArray());
            var buffer = new byte[4096];
            var n = await stream.ReadAsync(buffer);
            Assert.StartsWith("HTTP/1.1 400", Encoding.ASCII.GetString(buffer, 0, n));
        }

        using var rpc = new Rpc(_emulator);
        (await rpc.CallAsync("ListSession")).AssertOk();
    }
}
