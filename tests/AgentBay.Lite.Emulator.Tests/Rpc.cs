using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace AgentBay.Lite.Emulator.Tests;

/// <summary>An answer from the emulator, parsed loosely so tests can assert on any part.</summary>
internal sealed class RpcResponse
{
    public required HttpStatusCode Status { get; init; }
    public required string Body { get; init; }
    public required HttpResponseHeaders Headers { get; init; }
    public JsonElement Json { get; init; }

    public string Code => Json.GetProperty(nameof(Code)).GetString()!;
    public string Message => Json.GetProperty(nameof(Message)).GetString()!;
    public bool Success => Json.GetProperty(nameof(Success)).GetBoolean();
    public JsonElement Data => Json.GetProperty(nameof(Data));

    public static async Task<RpcResponse> ReadAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        JsonElement json = default;
        try
        {
            using var doc = JsonDocument.Parse(body);
            json = doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            // Left undefined: the malformed-JSON fault test inspects Body.
        }

        return new RpcResponse { Status = response.StatusCode, Body = body, Headers = response.Headers, Json = json };
    }

    /// <summary>Asserts the full POP envelope is present with the given status and code.</summary>
    public RpcResponse AssertEnvelope(HttpStatusCode status, string code)
    {
        Assert.True(Json.ValueKind == JsonValueKind.Object, "not a JSON object: " + Body);
        Assert.Equal(status, Status);
        Assert.Matches("^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$", Json.GetProperty("RequestId").GetString());
        Assert.Equal(code, Code);
        Assert.Equal((int)status, Json.GetProperty("HttpStatusCode").GetInt32());
        Assert.Equal(status == HttpStatusCode.OK, Success);
        Assert.Equal(JsonValueKind.String, Json.GetProperty(nameof(Message)).ValueKind);
        Assert.True(Json.TryGetProperty(nameof(Data), out _), "no Data: " + Body);
        return this;
    }

    public RpcResponse AssertOk() => AssertEnvelope(HttpStatusCode.OK, "ok");

    public RpcResponse AssertError(string code, string? message = null, HttpStatusCode status = HttpStatusCode.BadRequest)
    {
        AssertEnvelope(status, code);
        if (message is not null)
        {
            Assert.Equal(message, Message);
        }

        return this;
    }
}

/// <summary>Builds AgentBay RPC requests by hand, the way the official SDKs put them on the wire.</summary>
internal sealed class Rpc : IDisposable
{
    public Rpc(AgentBayEmulator emulator, HttpMessageHandler? handler = null)
        : this(emulator.Endpoint, emulator.ApiKey, handler)
    {
    }

    /// <summary>For an emulator in another process.</summary>
    public Rpc(Uri endpoint, string apiKey, HttpMessageHandler? handler = null)
    {
        Auth = "Bearer " + apiKey;
        Http = new HttpClient(handler ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { BaseAddress = endpoint, Timeout = TimeSpan.FromSeconds(100) };
    }

    public HttpClient Http { get; }
    public string Auth { get; }

    public static string Query(string action, params (string Key, string Value)[] extra)
    {
        var sb = new StringBuilder("/?Action=").Append(Uri.EscapeDataString(action))
            .Append("&Format=json&Version=2025-05-06&Timestamp=")
            .Append(Uri.EscapeDataString(DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture)))
            .Append("&SignatureNonce=").Append(Guid.NewGuid().ToString("N"));
        foreach (var (k, v) in extra)
        {
            sb.Append('&').Append(Uri.EscapeDataString(k)).Append('=').Append(Uri.EscapeDataString(v));
        }

        return sb.ToString();
    }

    /// <summary>URL-encodes a form the way the TS SDK does (spaces as %20).</summary>
    public static string Form(params (string Key, string Value)[] fields) =>
        string.Join("&", fields.Select(f => Uri.EscapeDataString(f.Key) + "=" + Uri.EscapeDataString(f.Value)));

    /// <summary>Calls an action with the key in the form plus the given fields.</summary>
    public Task<RpcResponse> CallAsync(string action, params (string Key, string Value)[] fields) =>
        SendAsync(Query(action), Form([("Authorization", Auth), .. fields]));

    public async Task<RpcResponse> SendAsync(string pathAndQuery, string? form, bool chunked = false, string contentType = "application/x-www-form-urlencoded")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, pathAndQuery);
        request.Headers.TryAddWithoutValidation("x-acs-version", "2025-05-06");
        if (form is not null)
        {
            var bytes = Encoding.UTF8.GetBytes(form);
            request.Content = chunked ? new ChunkedContent(bytes) : new ByteArrayContent(bytes);
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        using var response = await Http.SendAsync(request);
        return await RpcResponse.ReadAsync(response);
    }

    public async Task<string> CreateSessionAsync(params (string Key, string Value)[] fields)
    {
        var r = (await CallAsync("CreateMcpSession", fields)).AssertOk();
        return r.Data.GetProperty("SessionId").GetString()!;
    }

    /// <summary>Runs a tool and returns (text, isError).</summary>
    public async Task<(string Text, bool IsError)> ToolAsync(string sessionId, string name, string argsJson)
    {
        var r = (await CallAsync("CallMcpTool", ("SessionId", sessionId), ("Name", name), ("Args", argsJson), ("Server", ""), ("AutoGenSession", "false"))).AssertOk();
        Assert.Equal(JsonValueKind.Object, r.Data.ValueKind);
        return (r.Data.GetProperty("content")[0].GetProperty("text").GetString()!, r.Data.GetProperty("isError").GetBoolean());
    }

    public void Dispose() => Http.Dispose();

    /// <summary>A body with no computable length, so HttpClient sends it chunked without Content-Length.</summary>
    private sealed class ChunkedContent(byte[] bytes) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            // Two writes, so the body really arrives in more than one chunk.
            var half = bytes.Length / 2;
            await stream.WriteAsync(bytes.AsMemory(0, half));
            await stream.FlushAsync();
            await stream.WriteAsync(bytes.AsMemory(half));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}

/// <summary>One emulator shared by a test class whose tests do not depend on global state.</summary>
public sealed class EmulatorFixture : IAsyncLifetime
{
    public AgentBayEmulator Emulator { get; private set; } = null!;

    public async Task InitializeAsync() => Emulator = await AgentBayEmulator.StartAsync();

    public async Task DisposeAsync() => await Emulator.DisposeAsync();
}
