using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AgentBay.Lite.Emulator.Tests.Safety;

/// <summary>Whoever lacks the key can make the emulator hold only a little: small unauthenticated bodies, bounded bodies, bounded connections.</summary>
public sealed class RequestLimitTests
{
    [Fact]
    public async Task A_large_body_without_the_key_is_refused_before_it_is_read_to_the_end()
    {
        await using var emulator = await AgentBayEmulator.StartAsync();
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, emulator.Endpoint.Port);
        var stream = client.GetStream();

        // Declare 900 KiB, send only the first 300 KiB (whole fields, no key among them), and hold back the rest.
        const int declared = 900 * 1024;
        var head = $"POST {Rpc.Query("CallMcpTool")} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {declared.ToString(CultureInfo.InvariantCulture)}\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        var field = Encoding.ASCII.GetBytes("Args=" + new string('x', 1019) + "&"); // 1 KiB
        for (var i = 0; i < 300; i++)
        {
            await stream.WriteAsync(field);
        }

        // The answer comes while 600 KiB are still unsent: the emulator decided on the prefix alone. (The guard only
        // keeps a broken emulator from hanging the test run; it is not a speed limit.)
        using var hangGuard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var answer = await ReadHeadAsync(stream, hangGuard.Token);
        Assert.StartsWith("HTTP/1.1 400", answer, StringComparison.Ordinal);
        Assert.Contains("NOT_LOGIN", answer, StringComparison.Ordinal);
        Assert.Equal(0, emulator.GetRequestCount("CallMcpTool")); // refused by the body reader, before the action pipeline
    }

    [Fact]
    public async Task A_large_body_with_the_key_is_read()
    {
        await using var emulator = await AgentBayEmulator.StartAsync();
        using var rpc = new Rpc(emulator);
        var id = await rpc.CreateSessionAsync();

        // 400 KiB of content after the key: over the unauthenticated prefix, under the body limit.
        var content = new string('a', 400 * 1024);
        var response = await rpc.SendAsync(Rpc.Query("CallMcpTool"), Rpc.Form(("Authorization", rpc.Auth), ("SessionId", id), ("Name", "write_file"),
            ("Args", $$"""{"path":"big.txt","content":"{{content}}","mode":"overwrite"}""")));

        response.AssertOk();
        Assert.False(response.Data.GetProperty("isError").GetBoolean(), response.Body);
    }

    [Fact]
    public async Task A_body_over_the_limit_is_413()
    {
        await using var emulator = await AgentBayEmulator.StartAsync();
        using var rpc = new Rpc(emulator);
        var response = await rpc.SendAsync(Rpc.Query("ListSession"), Rpc.Form(("Authorization", rpc.Auth), ("Pad", new string('p', (int)AgentBayEmulatorOptions.DefaultMaxRequestBodyBytes))));
        response.AssertError("RequestEntityTooLarge", status: HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task Connections_past_the_limit_are_not_served_until_one_closes()
    {
        await using var emulator = await AgentBayEmulator.StartAsync(new AgentBayEmulatorOptions { MaxConnections = 2 }, CancellationToken.None);
        using var first = new Rpc(emulator, new SocketsHttpHandler { MaxConnectionsPerServer = 1 });
        using var second = new Rpc(emulator, new SocketsHttpHandler { MaxConnectionsPerServer = 1 });
        (await first.CallAsync("ListSession")).AssertOk();
        (await second.CallAsync("ListSession")).AssertOk(); // two keep-alive connections stay open

        using (var third = new Rpc(emulator, new SocketsHttpHandler { MaxConnectionsPerServer = 1 }))
        {
            await Assert.ThrowsAsync<HttpRequestException>(() => third.CallAsync("ListSession"));
        }

        first.Dispose(); // frees one
        await WaitUntilServedAsync(emulator);
    }

    private static async Task WaitUntilServedAsync(AgentBayEmulator emulator)
    {
        // The server learns of the closed connection asynchronously; poll until a new connection is served.
        for (var attempt = 0; ; attempt++)
        {
            using var rpc = new Rpc(emulator, new SocketsHttpHandler { MaxConnectionsPerServer = 1 });
            try
            {
                (await rpc.CallAsync("ListSession")).AssertOk();
                return;
            }
            catch (HttpRequestException) when (attempt < 200)
            {
                await Task.Delay(50);
            }
        }
    }

    private static async Task<string> ReadHeadAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[8192];
        var text = new StringBuilder();
        while (!text.ToString().Contains("NOT_LOGIN", StringComparison.Ordinal))
        {
            var n = await stream.ReadAsync(buffer, cancellationToken);
            if (n == 0)
            {
                break;
            }

            text.Append(Encoding.UTF8.GetString(buffer, 0, n));
        }

        return text.ToString();
    }
}
