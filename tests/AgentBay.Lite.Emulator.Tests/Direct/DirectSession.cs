using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace AgentBay.Lite.Emulator.Tests.Direct;

/// <summary>A session created over RPC, with what the SDKs need for its direct routes: link_url, ws_url and token.</summary>
internal sealed record DirectSession(string Id, string Token, Uri LinkUrl, Uri WsUrl)
{
    public static async Task<DirectSession> CreateAsync(Rpc rpc)
    {
        var data = (await rpc.CallAsync("CreateMcpSession")).AssertOk().Data;
        return new DirectSession(
            data.GetProperty("SessionId").GetString()!,
            data.GetProperty(nameof(Token)).GetString()!,
            new Uri(data.GetProperty(nameof(LinkUrl)).GetString()!),
            new Uri(data.GetProperty(nameof(WsUrl)).GetString()!));
    }

    /// <summary>POSTs {link_url}/callTool the way the official SDKs do; returns the status and the parsed body.</summary>
    public async Task<(HttpStatusCode Status, JsonElement Body)> CallToolAsync(HttpClient http, string tool, string argsJson, string? token = null, string server = "")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(LinkUrl + "/callTool"));
        request.Headers.TryAddWithoutValidation("X-Access-Token", token ?? Token);
        var body = $$"""{"args":{{argsJson}},"server":"{{server}}","requestId":"link-1-000000001","tool":"{{tool}}","token":"{{token ?? Token}}"}""";
        request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await http.SendAsync(request);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, doc.RootElement.Clone());
    }

    /// <summary>The text of a successful callTool answer's first content item, and its isError.</summary>
    public static (string Text, bool IsError) Result(JsonElement body)
    {
        var result = body.GetProperty("data").GetProperty("result");
        return (result.GetProperty("content")[0].GetProperty("text").GetString()!, result.GetProperty("isError").GetBoolean());
    }
}

/// <summary>A raw ws_url client: JSON text frames in, parsed frames out.</summary>
internal sealed class StreamSocket : IAsyncDisposable
{
    private readonly ClientWebSocket _socket;

    private StreamSocket(ClientWebSocket socket) => _socket = socket;

    public WebSocketState State => _socket.State;

    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;

    public static async Task<StreamSocket> ConnectAsync(DirectSession session, string? token = null, string? origin = null)
    {
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        if (token is not "")
        {
            socket.Options.SetRequestHeader("X-Access-Token", token ?? session.Token);
        }

        if (origin is not null)
        {
            socket.Options.SetRequestHeader("Origin", origin);
        }

        try
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await socket.ConnectAsync(session.WsUrl, deadline.Token);
        }
        catch
        {
            var status = socket.HttpStatusCode;
            socket.Dispose();
            throw new UpgradeRefusedException(status);
        }

        return new StreamSocket(socket);
    }

    public Task SendAsync(string json) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);

    public Task RunAsync(string invocationId, string code, double timeoutS = 60, string language = "python") =>
        SendAsync(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["invocationId"] = invocationId,
            ["source"] = "SDK",
            ["target"] = "wuying_codespace",
            ["data"] = new Dictionary<string, object>
            {
                ["method"] = "run_code",
                ["mode"] = "stream",
                ["params"] = new Dictionary<string, object> { ["language"] = language, ["timeoutS"] = timeoutS, ["code"] = code },
            },
        }, FrameJson.Default.DictionaryStringObject));

    /// <summary>The next frame, or null once the server closed the socket; a 60 s deadline turns a hang into a failure.</summary>
    public async Task<JsonElement?> ReceiveAsync()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            var received = await _socket.ReceiveAsync(buffer, deadline.Token);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            message.Write(buffer, 0, received.Count);
            if (received.EndOfMessage)
            {
                using var doc = JsonDocument.Parse(message.ToArray());
                return doc.RootElement.Clone();
            }
        }
    }

    /// <summary>Stdout event frames of <paramref name="invocationId"/> until their text is <paramref name="expected"/>; any other frame fails.</summary>
    public async Task<List<JsonElement>> ReceiveStdoutAsync(string invocationId, string expected)
    {
        var frames = new List<JsonElement>();
        var text = "";
        while (text.Length < expected.Length)
        {
            var frame = await ReceiveAsync() ?? throw new InvalidOperationException("The socket closed.");
            Assert.Equal(invocationId, frame.GetProperty("invocationId").GetString());
            var data = frame.GetProperty("data");
            Assert.Equal("event", data.GetProperty("phase").GetString());
            Assert.Equal("stdout", data.GetProperty("eventType").GetString());
            text += data.GetProperty("chunk").GetString();
            frames.Add(frame);
        }

        Assert.Equal(expected, text);
        return frames;
    }

    /// <summary>Frames until the end frame of <paramref name="invocationId"/>; frames of other invocations go to <paramref name="others"/>.</summary>
    public async Task<List<JsonElement>> ReceiveUntilEndAsync(string invocationId, List<JsonElement>? others = null)
    {
        var frames = new List<JsonElement>();
        while (true)
        {
            var frame = await ReceiveAsync() ?? throw new InvalidOperationException("The socket closed before the end of " + invocationId);
            if (frame.TryGetProperty("invocationId", out var id) && id.GetString() == invocationId)
            {
                frames.Add(frame);
                if (frame.GetProperty("data").GetProperty("phase").GetString() == "end")
                {
                    return frames;
                }
            }
            else
            {
                (others ?? throw new InvalidOperationException("Unexpected frame: " + frame)).Add(frame);
            }
        }
    }

    public static string Stdout(IEnumerable<JsonElement> frames) => string.Concat(frames
        .Where(f => f.GetProperty("data").GetProperty("phase").GetString() == "event" && f.GetProperty("data").GetProperty("eventType").GetString() == "stdout")
        .Select(f => f.GetProperty("data").GetProperty("chunk").GetString()));

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            try
            {
                using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", deadline.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
            }
        }

        _socket.Dispose();
    }
}

internal sealed class UpgradeRefusedException(HttpStatusCode status) : Exception("The WebSocket upgrade was refused with " + status)
{
    public HttpStatusCode Status { get; } = status;
}

[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, object>))]
[System.Text.Json.Serialization.JsonSerializable(typeof(double))]
internal sealed partial class FrameJson : System.Text.Json.Serialization.JsonSerializerContext;
