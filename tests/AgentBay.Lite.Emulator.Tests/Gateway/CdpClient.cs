using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace AgentBay.Lite.Emulator.Tests.Gateway;

/// <summary>
/// Just enough of the Chrome DevTools Protocol over a plain <see cref="ClientWebSocket"/> to open a page and read
/// its title (Playwright .NET needs reflection-based JSON, which this test project forbids).
/// </summary>
internal sealed class CdpClient : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();
    private int _nextId;

    public static async Task<CdpClient> ConnectAsync(Uri url, CancellationToken cancellationToken)
    {
        var client = new CdpClient();
        await client._socket.ConnectAsync(url, cancellationToken);
        return client;
    }

    /// <summary>Opens <paramref name="url"/> in a new tab, waits for its load event and returns <c>document.title</c>.</summary>
    public async Task<string> OpenAndReadTitleAsync(string url, CancellationToken cancellationToken)
    {
        var target = await CallAsync("Target.createTarget", null, w => w.WriteString("url", "about:blank"), cancellationToken);
        var targetId = target.GetProperty("targetId").GetString()!;
        var attached = await CallAsync("Target.attachToTarget", null, w => { w.WriteString("targetId", targetId); w.WriteBoolean("flatten", true); }, cancellationToken);
        var session = attached.GetProperty("sessionId").GetString()!;
        await CallAsync("Page.enable", session, null, cancellationToken);
        var navigated = await CallAsync("Page.navigate", session, w => w.WriteString("url", url), cancellationToken);
        if (navigated.TryGetProperty("errorText", out var error))
        {
            throw new InvalidOperationException("navigation failed: " + error.GetString());
        }

        await WaitForEventAsync("Page.loadEventFired", session, cancellationToken);
        var evaluated = await CallAsync("Runtime.evaluate", session, w => w.WriteString("expression", "document.title"), cancellationToken);
        return evaluated.GetProperty("result").GetProperty("value").GetString()!;
    }

    /// <summary>The URLs of the browser's open pages.</summary>
    public async Task<List<string>> GetPageUrlsAsync(CancellationToken cancellationToken)
    {
        var targets = await CallAsync("Target.getTargets", null, null, cancellationToken);
        return targets.GetProperty("targetInfos").EnumerateArray()
            .Where(t => t.GetProperty("type").GetString() == "page")
            .Select(t => t.GetProperty("url").GetString()!)
            .ToList();
    }

    /// <summary>How many of the browser's pages some DevTools client is attached to (<c>TargetInfo.attached</c>).</summary>
    public async Task<(int Pages, int Attached)> CountAttachedPagesAsync(CancellationToken cancellationToken)
    {
        var pages = (await CallAsync("Target.getTargets", null, null, cancellationToken)).GetProperty("targetInfos").EnumerateArray()
            .Where(t => t.GetProperty("type").GetString() == "page")
            .ToList();
        return (pages.Count, pages.Count(t => t.GetProperty("attached").GetBoolean()));
    }

    /// <summary>Returns the <c>product</c> of <c>Browser.getVersion</c>, e.g. <c>Chrome/156.0.8078.114</c>.</summary>
    public async Task<string> GetProductAsync(CancellationToken cancellationToken) =>
        (await CallAsync("Browser.getVersion", null, null, cancellationToken)).GetProperty("product").GetString()!;

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
        }

        _socket.Dispose();
    }

    private async Task<JsonElement> CallAsync(string method, string? session, Action<Utf8JsonWriter>? parameters, CancellationToken cancellationToken)
    {
        var id = ++_nextId;
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("id", id);
            w.WriteString("method", method);
            if (session is not null)
            {
                w.WriteString("sessionId", session);
            }

            w.WriteStartObject("params");
            parameters?.Invoke(w);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        await _socket.SendAsync(buffer.WrittenMemory, WebSocketMessageType.Text, true, cancellationToken);
        while (true)
        {
            var message = await ReceiveAsync(cancellationToken);
            if (message.TryGetProperty("id", out var got) && got.GetInt32() == id)
            {
                return message.TryGetProperty("error", out var error)
                    ? throw new InvalidOperationException($"{method} failed: {error}")
                    : message.GetProperty("result");
            }
        }
    }

    private async Task WaitForEventAsync(string method, string session, CancellationToken cancellationToken)
    {
        while (true)
        {
            var message = await ReceiveAsync(cancellationToken);
            if (message.TryGetProperty("method", out var m) && m.GetString() == method
                && message.TryGetProperty("sessionId", out var s) && s.GetString() == session)
            {
                return;
            }
        }
    }

    private async Task<JsonElement> ReceiveAsync(CancellationToken cancellationToken)
    {
        using var stream = new MemoryStream();
        var chunk = new byte[16 * 1024];
        WebSocketReceiveResult result;
        do
        {
            result = await _socket.ReceiveAsync(chunk, cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                throw new WebSocketException("the DevTools connection closed");
            }

            stream.Write(chunk, 0, result.Count);
        }
        while (!result.EndOfMessage);

        using var document = JsonDocument.Parse(Encoding.UTF8.GetString(stream.ToArray()));
        return document.RootElement.Clone();
    }
}
