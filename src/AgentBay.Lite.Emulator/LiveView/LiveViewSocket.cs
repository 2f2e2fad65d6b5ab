using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;
using AgentBay.Lite.Emulator.Browser;
using AgentBay.Lite.Emulator.Gateway;
using AgentBay.Lite.Emulator.Sessions;
using AgentBay.Lite.Emulator.Tools;

namespace AgentBay.Lite.Emulator.LiveView;

/// <summary>
/// One viewer of a session's live view, over the page's WebSocket. JSON text messages both ways:
/// to the page <c>frame</c>, <c>page</c> (URL and title), <c>out</c>, <c>exit</c>, <c>files</c>, <c>error</c>;
/// from the page <c>mouse</c>, <c>wheel</c>, <c>key</c>, <c>text</c>, <c>run</c>.
/// </summary>
/// <remarks>
/// Each viewer has its own screencast, started when it connects and stopped when it leaves, so the browser renders
/// frames only while someone watches. A frame is acknowledged only after it was sent to the viewer: a slow viewer
/// slows the screencast down instead of piling frames up. The connection closes when the token expires or the session ends.
/// </remarks>
internal sealed class LiveViewSocket(
    WebSocket socket, EmulatedSession session, DateTimeOffset expiresAt, TimeProvider time,
    BrowserService browsers, ToolRunner tools, NamespaceConnector connector) : IDisposable
{
    private const int MaxIncomingBytes = 64 * 1024;

    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private Screencast? _screencast;
    private int _commandRunning;
    private Task _command = Task.CompletedTask;
    private Task _starting = Task.CompletedTask;
    private CancellationToken _viewerGone;
    private int _closing;
    private Task _closed = Task.CompletedTask;
    private CancellationTokenSource? _receiving;

    public void Dispose() => _sendLock.Dispose();

    public async Task RunAsync(CancellationToken requestAborted)
    {
        var remaining = expiresAt - time.GetUtcNow();
        using var expiry = new CancellationTokenSource(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, time);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(requestAborted, session.Ended, expiry.Token);
        using var receiving = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
        _viewerGone = stop.Token;
        _receiving = receiving;
        // At expiry or the session's end the page gets a close frame that says why; the receive loop ends when the page
        // answers it, or 5 s later.
        using var closeOnExpiry = expiry.Token.Register(() => BeginClose("the link has expired; ask for a fresh resource URL"));
        using var closeOnEnd = session.Ended.Register(() => BeginClose("the session has ended"));
        try
        {
            await SendFilesAsync(stop.Token).ConfigureAwait(false);
            if (session.SupportsCdp && browsers.IsAvailable)
            {
                _starting = StartScreencastAsync(stop.Token);
            }

            await ReceiveLoopAsync(receiving.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
        }
        finally
        {
            // The viewer has gone: its command is killed (like a closed terminal) and its screencast stopped.
            await stop.CancelAsync().ConfigureAwait(false);
            await _command.ConfigureAwait(false);
            await _starting.ConfigureAwait(false);
            if (Interlocked.Exchange(ref _screencast, null) is { } screencast)
            {
                await screencast.DisposeAsync().ConfigureAwait(false);
            }

            BeginClose("closed");
            await Volatile.Read(ref _closed).ConfigureAwait(false);
        }
    }

    private async Task StartScreencastAsync(CancellationToken cancellationToken)
    {
        string problem;
        try
        {
            var started = await browsers.GetOrStartAsync(session.Id, cancellationToken).ConfigureAwait(false);
            if (started.Succeeded(out var browser, out var error))
            {
                var screencast = await Screencast.StartAsync(connector, session.NamespacePid, browser, SendAsync, cancellationToken).ConfigureAwait(false);
                Volatile.Write(ref _screencast, screencast);
                return;
            }

            problem = "The session's browser is not available: " + error.Message;
        }
        catch (CdpException ex)
        {
            problem = ex.Message;
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            return;
        }

        try
        {
            await SendErrorAsync(problem, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
        }
    }

    private async Task ReceiveLoopAsync(CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        while (true)
        {
            buffer.ResetWrittenCount();
            ValueWebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer.GetMemory(4096), cancellationToken).ConfigureAwait(false);
                buffer.Advance(result.Count);
                if (buffer.WrittenCount > MaxIncomingBytes)
                {
                    BeginClose("message too large");
                    return;
                }
            }
            while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

            if (result.MessageType == WebSocketMessageType.Close)
            {
                return;
            }

            JsonDocument message;
            try
            {
                message = JsonDocument.Parse(buffer.WrittenMemory);
            }
            catch (JsonException)
            {
                continue;
            }

            using (message)
            {
                await HandleAsync(message.RootElement, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task HandleAsync(JsonElement message, CancellationToken cancellationToken)
    {
        if (message.ValueKind != JsonValueKind.Object || !message.TryGetProperty("type"u8, out var type) || type.ValueKind != JsonValueKind.String)
        {
            return;
        }

        switch (type.GetString())
        {
            case "run":
                if (message.TryGetProperty("command"u8, out var command) && command.ValueKind == JsonValueKind.String && command.GetString() is { Length: > 0 } text)
                {
                    await RunCommandAsync(text, cancellationToken).ConfigureAwait(false);
                }

                break;
            case "mouse" or "wheel" or "key" or "text":
                Volatile.Read(ref _screencast)?.Forward(message);
                break;
        }
    }

    /// <summary>Runs one command at a time through the session's shell tool (the sandboxed path every SDK call takes), in the background so input keeps flowing.</summary>
    private async Task RunCommandAsync(string command, CancellationToken cancellationToken)
    {
        if (Interlocked.CompareExchange(ref _commandRunning, 1, 0) != 0)
        {
            await SendErrorAsync("A command is still running; wait for it to finish.", cancellationToken).ConfigureAwait(false);
            return;
        }

        _command = Task.Run(async () =>
        {
            try
            {
                if (session.Workspace is not { } workspace)
                {
                    await SendErrorAsync("The session is not ready.", cancellationToken).ConfigureAwait(false);
                    return;
                }

                using var args = JsonDocument.Parse(LiveViewJson.Object(w => w.WriteString("command"u8, command)));
                var result = await tools.CallAsync(workspace, "shell", args.RootElement, SendOutputAsync, cancellationToken).ConfigureAwait(false);
                await SendAsync(w =>
                {
                    w.WriteString("type"u8, "exit");
                    if (ExitCode(result) is { } code)
                    {
                        w.WriteNumber("code"u8, code);
                    }
                    else
                    {
                        w.WriteString("code"u8, "?");
                    }
                }, cancellationToken).ConfigureAwait(false);
                if (ExitCode(result) is null)
                {
                    // Refused before it ran (no sandbox, exec disabled): the tool's own message says why.
                    await SendErrorAsync(result.Text, cancellationToken).ConfigureAwait(false);
                }

                await SendFilesAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ObjectDisposedException)
            {
            }
            finally
            {
                Volatile.Write(ref _commandRunning, 0);
            }
        }, CancellationToken.None);
    }

    /// <summary>Passes a running command's output on; a viewer gone mid-command is not the command's failure (its cancellation kills it).</summary>
    private async ValueTask SendOutputAsync(string text, bool isStderr)
    {
        try
        {
            await SendAsync(w =>
            {
                w.WriteString("type"u8, "out");
                w.WriteString("stream"u8, isStderr ? "stderr" : "stdout");
                w.WriteString("text"u8, text);
            }, _viewerGone).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
    }

    private static int? ExitCode(ToolResult result)
    {
        try
        {
            using var doc = JsonDocument.Parse(result.Text);
            return doc.RootElement.TryGetProperty("exit_code"u8, out var code) && code.TryGetInt32(out var value) ? value : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private async Task SendFilesAsync(CancellationToken cancellationToken)
    {
        if (session.Workspace is not { } workspace)
        {
            return;
        }

        using var args = JsonDocument.Parse(LiveViewJson.Object(w => w.WriteString("path"u8, workspace.Directory)));
        var listing = await tools.CallAsync(workspace, "list_directory", args.RootElement, cancellationToken).ConfigureAwait(false);
        await SendAsync(w =>
        {
            w.WriteString("type"u8, "files");
            w.WriteString("path"u8, workspace.Directory);
            w.WriteString("listing"u8, listing.IsError ? "" : listing.Text);
        }, cancellationToken).ConfigureAwait(false);
    }

    private Task SendErrorAsync(string text, CancellationToken cancellationToken) => SendAsync(w =>
    {
        w.WriteString("type"u8, "error");
        w.WriteString("message"u8, text);
    }, cancellationToken);

    /// <summary>Sends one JSON object (its members written by <paramref name="writeMembers"/>) to the viewer.</summary>
    private async Task SendAsync(Action<Utf8JsonWriter> writeMembers, CancellationToken cancellationToken)
    {
        var message = LiveViewJson.Object(writeMembers);
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await socket.SendAsync(message, WebSocketMessageType.Text, true, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Starts closing the socket with a reason (once; later calls do nothing).</summary>
    private void BeginClose(string reason)
    {
        if (Interlocked.Exchange(ref _closing, 1) == 0)
        {
            Volatile.Write(ref _closed, CloseAsync(reason));
            try
            {
                _receiving?.CancelAfter(TimeSpan.FromSeconds(5));
            }
            catch (ObjectDisposedException)
            {
                // Already over.
            }
        }
    }

    private async Task CloseAsync(string reason)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _sendLock.WaitAsync(timeout.Token).ConfigureAwait(false);
            try
            {
                if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, reason, timeout.Token).ConfigureAwait(false);
                }
            }
            finally
            {
                _sendLock.Release();
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
        }
    }
}
