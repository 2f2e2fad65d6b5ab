using System.Text.Json;
using AgentBay.Lite.Emulator.Browser;
using AgentBay.Lite.Emulator.Gateway;

namespace AgentBay.Lite.Emulator.LiveView;

/// <summary>
/// The screencast of a session browser's current tab for one viewer, and the way back for its input: the emulator's
/// own CDP connection to the browser, attached (flat mode) to the first page target.
/// </summary>
internal sealed class Screencast : IAsyncDisposable
{
    private readonly CdpConnection _cdp;
    private readonly Func<Action<Utf8JsonWriter>, CancellationToken, Task> _send;
    private readonly CancellationToken _cancellationToken;
    private string? _targetId;
    private string? _sessionId;

    // The tab's size in CSS pixels, from the latest frame's metadata: the page sends positions as fractions of it.
    private double _width = 1280;
    private double _height = 720;

    private Screencast(CdpConnection cdp, Func<Action<Utf8JsonWriter>, CancellationToken, Task> send, CancellationToken cancellationToken)
    {
        _cdp = cdp;
        _send = send;
        _cancellationToken = cancellationToken;
    }

    /// <summary>Connects to the browser, attaches to its current tab (opening one if it has none) and starts the screencast.</summary>
    /// <param name="connector">Opens sockets inside the session's network namespace.</param>
    /// <param name="namespacePid">A host PID in the session's namespaces; null when the session runs on the host.</param>
    /// <param name="browser">The session's running browser.</param>
    /// <param name="send">Sends one JSON object to the viewer.</param>
    /// <param name="cancellationToken">The viewer's lifetime.</param>
    /// <returns>The running screencast; dispose it to stop it.</returns>
    public static async Task<Screencast> StartAsync(NamespaceConnector connector, int? namespacePid, SessionBrowser browser,
        Func<Action<Utf8JsonWriter>, CancellationToken, Task> send, CancellationToken cancellationToken)
    {
        Screencast? screencast = null;
        var cdp = await CdpConnection.ConnectAsync(connector, namespacePid, browser.Port, browser.DevToolsPath,
            (method, parameters, sessionId) => screencast?.OnEventAsync(method, parameters, sessionId) ?? ValueTask.CompletedTask,
            cancellationToken).ConfigureAwait(false);
        screencast = new Screencast(cdp, send, cancellationToken);
        try
        {
            await screencast.AttachAsync().ConfigureAwait(false);
            return screencast;
        }
        catch
        {
            await cdp.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Forwards one input message from the viewer (mouse, wheel, key, text) to the tab; never waits for the browser.</summary>
    public void Forward(JsonElement message)
    {
        if (_sessionId is not { } sessionId)
        {
            return;
        }

        switch (message.GetProperty("type"u8).GetString())
        {
            case "mouse":
                var kind = String(message, "kind");
                if (kind is not ("mousePressed" or "mouseReleased" or "mouseMoved"))
                {
                    return;
                }

                var (x, y) = Position(message);
                var button = String(message, "button") switch
                {
                    "left" => "left",
                    "middle" => "middle",
                    "right" => "right",
                    _ => "none",
                };
                var clicks = message.TryGetProperty("clickCount"u8, out var c) && c.TryGetInt32(out var n) ? Math.Clamp(n, 0, 3) : 1;
                _cdp.Post("Input.dispatchMouseEvent", w =>
                {
                    w.WriteString("type"u8, kind);
                    w.WriteNumber("x"u8, x);
                    w.WriteNumber("y"u8, y);
                    w.WriteString("button"u8, kind == "mouseMoved" ? "none" : button);
                    w.WriteNumber("clickCount"u8, kind == "mouseMoved" ? 0 : clicks);
                }, sessionId);
                break;
            case "wheel":
                var (wx, wy) = Position(message);
                _cdp.Post("Input.dispatchMouseEvent", w =>
                {
                    w.WriteString("type"u8, "mouseWheel");
                    w.WriteNumber("x"u8, wx);
                    w.WriteNumber("y"u8, wy);
                    w.WriteNumber("deltaX"u8, Number(message, "dx"));
                    w.WriteNumber("deltaY"u8, Number(message, "dy"));
                }, sessionId);
                break;
            case "text":
                if (String(message, "text") is { Length: > 0 and <= 1024 } text)
                {
                    _cdp.Post("Input.insertText", w => w.WriteString("text"u8, text), sessionId);
                }

                break;
            case "key":
                ForwardKey(message, sessionId);
                break;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_sessionId is { } sessionId)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _cdp.SendAsync("Page.stopScreencast", null, sessionId, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is CdpException or OperationCanceledException)
            {
                // The browser or the tab is gone: nothing left to stop.
            }
        }

        await _cdp.DisposeAsync().ConfigureAwait(false);
    }

    private async Task AttachAsync()
    {
        var ct = _cancellationToken;
        await _cdp.SendAsync("Target.setDiscoverTargets", w => w.WriteBoolean("discover"u8, true), null, ct).ConfigureAwait(false);
        var targets = await _cdp.SendAsync("Target.getTargets", null, null, ct).ConfigureAwait(false);
        JsonElement? page = null;
        foreach (var target in targets.GetProperty("targetInfos"u8).EnumerateArray())
        {
            if (String(target, "type") == "page")
            {
                page = target;
                break;
            }
        }

        if (page is { } found)
        {
            _targetId = String(found, "targetId");
            await SendPageAsync(String(found, "url") ?? "", String(found, "title") ?? "").ConfigureAwait(false);
        }
        else
        {
            var created = await _cdp.SendAsync("Target.createTarget", w => w.WriteString("url"u8, "about:blank"), null, ct).ConfigureAwait(false);
            _targetId = String(created, "targetId");
        }

        var attached = await _cdp.SendAsync("Target.attachToTarget", w =>
        {
            w.WriteString("targetId"u8, _targetId);
            w.WriteBoolean("flatten"u8, true);
        }, null, ct).ConfigureAwait(false);
        var sessionId = String(attached, "sessionId") ?? throw new CdpException("The browser attached to the tab without a session id.");
        await _cdp.SendAsync("Page.startScreencast", w =>
        {
            w.WriteString("format"u8, "jpeg");
            w.WriteNumber("quality"u8, 80);
            w.WriteNumber("maxWidth"u8, 1600);
            w.WriteNumber("maxHeight"u8, 1200);
        }, sessionId, ct).ConfigureAwait(false);
        _sessionId = sessionId;
    }

    private async ValueTask OnEventAsync(string method, JsonElement parameters, string? sessionId)
    {
        try
        {
            switch (method)
            {
                case "Page.screencastFrame" when sessionId is not null:
                    if (parameters.TryGetProperty("metadata"u8, out var metadata))
                    {
                        _width = Number(metadata, "deviceWidth") is > 0 and var width ? width : _width;
                        _height = Number(metadata, "deviceHeight") is > 0 and var height ? height : _height;
                    }

                    var data = String(parameters, "data") ?? "";
                    var frame = parameters.GetProperty("sessionId"u8).GetInt32();
                    await _send(w =>
                    {
                        w.WriteString("type"u8, "frame");
                        w.WriteString("data"u8, data);
                        w.WriteNumber("width"u8, _width);
                        w.WriteNumber("height"u8, _height);
                    }, _cancellationToken).ConfigureAwait(false);
                    // Acknowledged only once sent: the browser sends the next frame when the viewer has taken this one.
                    _cdp.Post("Page.screencastFrameAck", w => w.WriteNumber("sessionId"u8, frame), sessionId);
                    break;
                case "Target.targetInfoChanged":
                    var info = parameters.GetProperty("targetInfo"u8);
                    if (String(info, "targetId") == _targetId)
                    {
                        await SendPageAsync(String(info, "url") ?? "", String(info, "title") ?? "").ConfigureAwait(false);
                    }

                    break;
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or System.Net.WebSockets.WebSocketException or ObjectDisposedException)
        {
            // The viewer has gone; the socket's owner disposes this screencast.
        }
        catch (Exception ex) when (ex is KeyNotFoundException or InvalidOperationException)
        {
            // An event not shaped as the protocol says: skip it rather than stop the view.
        }
    }

    private Task SendPageAsync(string url, string title) => _send(w =>
    {
        w.WriteString("type"u8, "page");
        w.WriteString("url"u8, url);
        w.WriteString("title"u8, title);
    }, _cancellationToken);

    private void ForwardKey(JsonElement message, string sessionId)
    {
        var kind = String(message, "kind");
        if (kind is not ("keyDown" or "keyUp") || String(message, "key") is not { Length: > 0 and <= 32 } key)
        {
            return;
        }

        var code = String(message, "code") ?? "";
        var keyCode = message.TryGetProperty("keyCode"u8, out var k) && k.TryGetInt32(out var kc) ? kc : 0;
        var modifiers = message.TryGetProperty("modifiers"u8, out var m) && m.TryGetInt32(out var mv) ? mv & 15 : 0;
        // Enter must carry its text for forms and text areas to see a new line or a submit.
        var text = kind == "keyDown" && key == "Enter" ? "\r" : null;
        _cdp.Post("Input.dispatchKeyEvent", w =>
        {
            w.WriteString("type"u8, text is null ? (kind == "keyDown" ? "rawKeyDown" : "keyUp") : "keyDown");
            w.WriteString("key"u8, key);
            w.WriteString("code"u8, code);
            w.WriteNumber("windowsVirtualKeyCode"u8, keyCode);
            w.WriteNumber("modifiers"u8, modifiers);
            if (text is not null)
            {
                w.WriteString("text"u8, text);
            }
        }, sessionId);
    }

    private (double X, double Y) Position(JsonElement message) =>
        (Math.Clamp(Number(message, "x"), 0, 1) * _width, Math.Clamp(Number(message, "y"), 0, 1) * _height);

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static double Number(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number) && double.IsFinite(number) ? number : 0;
}
